"""Block Kit and mrkdwn as HTML, close enough to Slack's rendering to use Baton in a browser.

Everything from Slack is escaped first; `&lt;`, `&gt;` and `&amp;` in Slack text are text, shown as
`<`, `>` and `&`. Interactive elements carry `data-block` and `data-action` (and, inside a modal, a
form field named `block_id/action_id`) so the page's script can report what a person did.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.payloads import initial_state, options_of

EMOJI = {
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "no_entry": "⛔",
    "warning": "⚠️",
    "zzz": "💤",
    "palm_tree": "🌴",
    "wave": "👋",
    "tada": "🎉",
    "inbox_tray": "📥",
    "outbox_tray": "📤",
    "grey_question": "❔",
    "question": "❓",
    "file_cabinet": "🗄️",
    "alarm_clock": "⏰",
    "white_circle": "⚪",
    "black_circle": "⚫",
    "red_circle": "🔴",
    "large_green_circle": "🟢",
    "large_orange_circle": "🟠",
    "large_yellow_circle": "🟡",
    "large_blue_circle": "🔵",
    "rotating_light": "🚨",
    "chart_with_upwards_trend": "📈",
    "chart_with_downwards_trend": "📉",
    "bar_chart": "📊",
    "calendar": "📆",
    "date": "📅",
    "memo": "📝",
    "pushpin": "📌",
    "arrow_up": "⬆️",
    "arrow_down": "⬇️",
    "arrow_right": "➡️",
    "arrow_upper_right": "↗️",
    "arrow_lower_right": "↘️",
    "fire": "🔥",
    "rocket": "🚀",
    "dart": "🎯",
    "bust_in_silhouette": "👤",
    "busts_in_silhouette": "👥",
    "eyes": "👀",
    "bell": "🔔",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "scales": "⚖️",
    "speech_balloon": "💬",
    "thumbsup": "👍",
    "+1": "👍",
    "information_source": "ℹ️",
    "bulb": "💡",
    "lock": "🔒",
    "clipboard": "📋",
    "checkered_flag": "🏁",
    "construction": "🚧",
    "mag": "🔍",
    "repeat": "🔁",
    "new": "🆕",
    "gear": "⚙️",
    "pencil2": "✏️",
    "raising_hand": "🙋",
    "sparkles": "✨",
    "small_red_triangle_down": "🔻",
    "small_red_triangle": "🔺",
    "small_blue_diamond": "🔹",
    "heavy_plus_sign": "➕",
    "heavy_minus_sign": "➖",
    "star": "⭐",
    "trophy": "🏆",
}


@dataclass
class Context:
    """What rendering needs to know about the workspace and the person looking."""

    users: Mapping[str, str] = field(default_factory=dict)  # id -> display name
    channels: Mapping[str, str] = field(default_factory=dict)  # id -> name (without #)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    file_url: Callable[[str], str] = lambda file_id: f"/files/{file_id}"


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def unentity(text: str) -> str:
    """Slack's three entities back to text (`&amp;lt;` stays the text `&lt;`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emoji(text: str) -> str:
    return re.sub(r":([a-z0-9_+\-]+):", lambda m: EMOJI.get(m[1], m[0]), text)


# -- mrkdwn ----------------------------------------------------------------------------------------
_CODE_BLOCK = re.compile(r"```\n?(.+?)```", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_TOKEN = re.compile(r"<([^<>\n]+)>")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])")
_BULLET = re.compile(r"^\s*(?:[•◦▪\-])\s+(.*)$")
_QUOTE = re.compile(r"^&gt;\s?(.*)$")


def mrkdwn(text: str, ctx: Context) -> str:
    """Slack's mrkdwn as HTML: *bold*, _italic_, ~strike~, `code`, ```blocks```, links, mentions, dates,
    > quotes, bullet lines, emoji, newlines."""
    kept: list[str] = []

    def keep(fragment: str) -> str:
        kept.append(fragment)
        return f"\x00{len(kept) - 1}\x00"

    text = _CODE_BLOCK.sub(lambda m: keep(f"<pre>{esc(unentity(m[1]))}</pre>"), text)
    text = _CODE.sub(lambda m: keep(f"<code>{esc(unentity(m[1]))}</code>"), text)
    text = _TOKEN.sub(lambda m: keep(token(m[1], ctx)), text)
    text = emoji(esc(unentity(text)))
    for pattern, tag in ((_BOLD, "b"), (_ITALIC, "i"), (_STRIKE, "s")):
        text = pattern.sub(rf"<{tag}>\1</{tag}>", text)
    text = _lines(text)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m[1])], text)


def _lines(text: str) -> str:
    """Quotes and bullet lines grouped; other lines kept with their breaks."""
    out: list[str] = []
    group: tuple[str, list[str]] | None = None
    for line in text.split("\n"):
        quote, bullet = _QUOTE.match(line), _BULLET.match(line)
        kind = "blockquote" if quote else "ul" if bullet else None
        if group and group[0] != kind:
            out.append(_group(*group))
            group = None
        if kind:
            item = quote[1] if quote else bullet[1]  # type: ignore[index]
            group = group or (kind, [])
            group[1].append(item)
        else:
            out.append(line + "<br>")
    if group:
        out.append(_group(*group))
    return "".join(out).removesuffix("<br>")


def _group(kind: str, items: list[str]) -> str:
    if kind == "ul":
        return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    return "<blockquote>" + "<br>".join(items) + "</blockquote>"


def token(inner: str, ctx: Context) -> str:
    """`<@U…>`, `<#C…|name>`, `<!here>`, `<!date^…>`, `<https://…|text>` as HTML."""
    target, _, label = inner.partition("|")
    label = unentity(label)
    if target.startswith("@"):
        name = ctx.users.get(target[1:]) or label or target[1:]
        return f'<span class="mention">@{esc(name)}</span>'
    if target.startswith("#"):
        name = ctx.channels.get(target[1:]) or label or target[1:]
        return f'<span class="mention">#{esc(name)}</span>'
    if target.startswith("!date^"):
        return esc(slack_date(target, label, ctx))
    if target.startswith("!subteam^"):
        return f'<span class="mention">{esc(label or "@team")}</span>'
    if target.startswith("!"):
        return f'<span class="mention">@{esc(target[1:])}</span>'
    url = unentity(target)
    if not re.match(r"^(https?://|mailto:)", url):
        return esc("<" + unentity(inner) + ">")
    return f'<a href="{esc(url)}" target="_blank" rel="noopener">{esc(label or url)}</a>'


def slack_date(target: str, fallback: str, ctx: Context) -> str:
    """`!date^1700000000^{date_short} {time}` in the viewer's time zone (Slack does the same)."""
    parts = target.split("^")
    try:
        instant = datetime.fromtimestamp(int(parts[1]), UTC).astimezone(ctx.tz)
    except (IndexError, ValueError, OverflowError):
        return fallback
    today = ctx.now.astimezone(ctx.tz).date()
    relative = {today: "today", today - timedelta(days=1): "yesterday", today + timedelta(days=1): "tomorrow"}
    day = instant.day
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    long_date = f"{instant:%B} {day}{suffix}, {instant.year}"
    formats = {
        "date_num": f"{instant:%Y-%m-%d}",
        "date": long_date,
        "date_short": f"{instant:%b} {day}, {instant.year}",
        "date_long": f"{instant:%A}, {long_date}",
        "time": f"{instant:%H:%M}",
        "time_secs": f"{instant:%H:%M:%S}",
    }
    for name in ("date", "date_short", "date_long"):
        formats[name + "_pretty"] = relative.get(instant.date(), formats[name])
    seconds = int((ctx.now - instant).total_seconds())
    formats["ago"] = _ago(seconds)
    template = parts[2] if len(parts) > 2 else "{date_num}"
    return re.sub(r"\{(\w+)\}", lambda m: formats.get(m[1], m[0]), template)


def _ago(seconds: int) -> str:
    future, seconds = seconds < 0, abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            text = f"{count} {unit}{'s' if count > 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"


def text_html(obj: Mapping[str, Any] | None, ctx: Context) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")), ctx)
    plain = esc(obj.get("text", ""))
    return (emoji(plain) if obj.get("emoji", True) else plain).replace("\n", "<br>")


def plain(obj: Mapping[str, Any] | None) -> str:
    return emoji(esc((obj or {}).get("text", "")))


# -- blocks ----------------------------------------------------------------------------------------
def blocks_html(blocks: Sequence[Mapping[str, Any]], ctx: Context, *, errors: Mapping[str, str] = {}) -> str:
    return "".join(block_html(block, ctx, errors.get(str(block.get("block_id")), "")) for block in blocks)


def block_html(block: Mapping[str, Any], ctx: Context, error: str = "") -> str:
    kind = block.get("type")
    attrs = f' data-block="{esc(block.get("block_id", ""))}"'
    if kind == "header":
        return f'<div class="bk-header"{attrs}>{plain(block.get("text"))}</div>'
    if kind == "divider":
        return f'<hr class="bk-divider"{attrs}>'
    if kind == "section":
        body = f"<div>{text_html(block['text'], ctx)}</div>" if block.get("text") else ""
        if block.get("fields"):
            body += (
                '<div class="bk-fields">'
                + "".join(f"<div>{text_html(f, ctx)}</div>" for f in block["fields"])
                + "</div>"
            )
        accessory = block.get("accessory")
        side = f'<div class="bk-accessory">{element_html(block, accessory, ctx)}</div>' if accessory else ""
        return f'<div class="bk-section"{attrs}><div class="bk-section-body">{body}</div>{side}</div>'

    if kind == "context":
        parts = [
            _image(e, ctx, "bk-context-image") if e.get("type") == "image" else text_html(e, ctx)
            for e in block.get("elements", [])
        ]
        return f'<div class="bk-context"{attrs}>{"".join(f"<span>{p}</span>" for p in parts)}</div>'
    if kind == "image":
        title = f"<figcaption>{plain(block['title'])}</figcaption>" if block.get("title") else ""
        return f'<figure class="bk-image"{attrs}>{title}{_image(block, ctx, "")}</figure>'
    if kind == "actions":
        inner = "".join(element_html(block, e, ctx) for e in block.get("elements", []))
        return f'<div class="bk-actions"{attrs}>{inner}</div>'
    if kind == "input":
        return _input(block, ctx, error, attrs)
    if kind == "rich_text":
        return f'<div class="bk-rich"{attrs}>{_rich(block.get("elements", []), ctx)}</div>'
    return f'<div class="bk-unsupported"{attrs}>This {esc(kind)} block is not shown in the sandbox.</div>'


def _image(element: Mapping[str, Any], ctx: Context, css: str) -> str:
    source = element.get("image_url") or ""
    slack_file = element.get("slack_file") or {}
    if slack_file:
        source = slack_file.get("url") or ctx.file_url(str(slack_file.get("id", "")))
    return f'<img class="{css}" src="{esc(source)}" alt="{esc(element.get("alt_text", ""))}">'


def _input(block: Mapping[str, Any], ctx: Context, error: str, attrs: str) -> str:
    optional = ' <span class="bk-optional">(optional)</span>' if block.get("optional") else ""
    hint = f'<div class="bk-hint">{plain(block["hint"])}</div>' if block.get("hint") else ""
    element = element_html(block, block.get("element", {}), ctx, field=True)
    return (
        f'<div class="bk-input"{attrs}><label>{plain(block.get("label"))}{optional}</label>{element}'
        f'{hint}<div class="bk-error" role="alert">{esc(error)}</div></div>'
    )


def element_html(
    block: Mapping[str, Any], element: Mapping[str, Any], ctx: Context, *, field: bool = False
) -> str:
    """One element. Those in actions blocks, accessories and inputs that dispatch report at once
    (`data-action`); every stateful one is also a form field named `block_id/action_id`."""
    kind = element.get("type")
    if kind == "image":
        return _image(element, ctx, "bk-accessory-image")
    name = f"{block.get('block_id', '')}/{element.get('action_id', '')}"
    dispatch = not field or element.get("dispatch_action") or block.get("dispatch_action")
    data = f' data-action="{esc(element.get("action_id", ""))}"' if dispatch else ""
    data += f' data-block-ref="{esc(block.get("block_id", ""))}"'
    if element.get("confirm"):
        data += f" data-confirm='{esc(json.dumps(_confirm(element['confirm'])))}'"
    initial = initial_state(element)
    placeholder = plain(element.get("placeholder"))
    if kind == "button":
        style = f" bk-{esc(element['style'])}" if element.get("style") in ("primary", "danger") else ""
        value = f' value="{esc(element["value"])}"' if "value" in element else ""
        label = plain(element.get("text"))
        return f'<button type="button" class="bk-button{style}"{data}{value}>{label}</button>'
    if kind == "overflow":
        items = "".join(
            f'<button type="button" class="bk-menu-item"{data} value="{esc(o.get("value", ""))}">'
            f"{plain(o.get('text'))}</button>"
            for o in element.get("options", [])
        )
        menu = f'<summary title="More actions">⋯</summary><div class="bk-menu">{items}</div>'
        return f'<details class="bk-overflow">{menu}</details>'
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        return _text_input(element, name, data, initial, placeholder)
    if kind in ("datepicker", "timepicker"):
        html_type = "date" if kind == "datepicker" else "time"
        value = f' value="{esc(initial[0])}"' if initial else ""
        return f'<input class="bk-field" type="{html_type}" name="{esc(name)}"{value}{data}>'
    if kind in ("radio_buttons", "checkboxes"):
        html_type = "radio" if kind == "radio_buttons" else "checkbox"
        choices = "".join(
            f'<label><input type="{html_type}" name="{esc(name)}" value="{esc(o.get("value", ""))}"'
            f"{' checked' if o.get('value') in initial else ''}{data}> {text_html(o.get('text'), ctx)}"
            "</label>"
            for o in element.get("options", [])
        )
        return f'<div class="bk-choices">{choices}</div>'
    listed = _choices(element, ctx)
    if listed is None:
        return f'<span class="bk-unsupported">{esc(kind)}</span>'
    multiple = " multiple" if str(kind).startswith("multi_") else ""
    empty = "" if multiple else f'<option value="">{placeholder or "Select an item"}</option>'
    options = "".join(
        f'<option value="{esc(value)}"{" selected" if value in initial else ""}>{label}</option>'
        for value, label in listed
    )
    return f'<select class="bk-field" name="{esc(name)}"{multiple}{data}>{empty}{options}</select>'


def _text_input(
    element: Mapping[str, Any], name: str, data: str, initial: list[str], placeholder: str
) -> str:
    value = initial[0] if initial else ""
    limits = "".join(
        f' {attr}="{int(element[key])}"'
        for key, attr in (("min_length", "minlength"), ("max_length", "maxlength"))
        if key in element
    )
    common = f'class="bk-field" name="{esc(name)}" placeholder="{placeholder}"{limits}{data}'
    if element.get("multiline"):
        return f"<textarea {common} rows=4>{esc(value)}</textarea>"
    kind = element.get("type")
    if kind == "number_input":
        step = "any" if element.get("is_decimal_allowed") else "1"
        bounds = "".join(
            f' {attr}="{esc(element[attr + "_value"])}"'
            for attr in ("min", "max")
            if attr + "_value" in element
        )
        return f'<input type="number" step="{step}"{bounds} {common} value="{esc(value)}">'
    html_type = {"email_text_input": "email", "url_text_input": "url"}.get(str(kind), "text")
    return f'<input type="{html_type}" {common} value="{esc(value)}">'


def _choices(element: Mapping[str, Any], ctx: Context) -> list[tuple[str, str]] | None:
    kind = str(element.get("type", "")).removeprefix("multi_")
    if kind in ("static_select", "external_select"):
        return [(str(o.get("value", "")), plain(o.get("text"))) for o in options_of(element)]
    if kind == "users_select":
        return [(user_id, esc(name)) for user_id, name in sorted(ctx.users.items(), key=lambda u: u[1])]
    if kind in ("conversations_select", "channels_select"):
        return [(cid, "#" + esc(name)) for cid, name in sorted(ctx.channels.items(), key=lambda c: c[1])]
    return None


def _confirm(confirm: Mapping[str, Any]) -> dict[str, str]:
    return {
        "title": str((confirm.get("title") or {}).get("text", "Are you sure?")),
        "text": str((confirm.get("text") or {}).get("text", "")),
        "confirm": str((confirm.get("confirm") or {}).get("text", "Yes")),
        "deny": str((confirm.get("deny") or {}).get("text", "Cancel")),
    }


def _rich(elements: Sequence[Mapping[str, Any]], ctx: Context) -> str:
    """rich_text blocks, simply: sections, lists, quotes and preformatted text."""
    out = []
    for element in elements:
        kind = element.get("type")
        inner = "".join(_rich_leaf(leaf, ctx) for leaf in element.get("elements", []))
        if kind == "rich_text_list":
            tag = "ol" if element.get("style") == "ordered" else "ul"
            items = "".join(
                f"<li>{''.join(_rich_leaf(leaf, ctx) for leaf in item.get('elements', []))}</li>"
                for item in element.get("elements", [])
            )
            out.append(f"<{tag}>{items}</{tag}>")
        elif kind == "rich_text_quote":
            out.append(f"<blockquote>{inner}</blockquote>")
        elif kind == "rich_text_preformatted":
            out.append(f"<pre>{inner}</pre>")
        else:
            out.append(f"<div>{inner}</div>")
    return "".join(out)


def _rich_leaf(leaf: Mapping[str, Any], ctx: Context) -> str:
    kind = leaf.get("type")
    if kind == "text":
        text = esc(leaf.get("text", "")).replace("\n", "<br>")
        for style, tag in (("bold", "b"), ("italic", "i"), ("strike", "s"), ("code", "code")):
            if (leaf.get("style") or {}).get(style):
                text = f"<{tag}>{text}</{tag}>"
        return text
    if kind == "link":
        return f'<a href="{esc(leaf.get("url", ""))}">{esc(leaf.get("text") or leaf.get("url", ""))}</a>'
    if kind == "user":
        return token("@" + str(leaf.get("user_id", "")), ctx)
    if kind == "channel":
        return token("#" + str(leaf.get("channel_id", "")), ctx)
    if kind == "emoji":
        return EMOJI.get(str(leaf.get("name")), f":{esc(leaf.get('name'))}:")
    return "".join(_rich_leaf(child, ctx) for child in leaf.get("elements", []))


# -- views -----------------------------------------------------------------------------------------
def modal_html(view: Mapping[str, Any], ctx: Context, *, depth: int = 1) -> str:
    """A modal as a form: title, blocks (inputs become fields), Close and Submit."""
    submit = view.get("submit")
    close = view.get("close") or {"text": "Cancel"}
    back = "Back" if depth > 1 else plain(close)
    submit_button = (
        f'<button type="submit" class="bk-button bk-primary">{plain(submit)}</button>' if submit else ""
    )
    return (
        f'<form class="modal" data-view="{esc(view.get("id", ""))}" data-hash="{esc(view.get("hash", ""))}">'
        f"<header><h2>{plain(view.get('title'))}</h2>"
        f'<button type="button" class="modal-x" data-close title="Close">×</button></header>'
        f'<div class="modal-body">{blocks_html(view.get("blocks", []), ctx)}</div>'
        f'<footer><div class="modal-error" role="alert"></div>'
        f'<button type="button" class="bk-button" data-close>{back}</button>{submit_button}</footer></form>'
    )
