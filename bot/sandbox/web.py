"""The sandbox's web page, served by the workspace's HTTP server next to the Web API.

`GET /` renders the whole page (server-side); `GET /sandbox/parts` long-polls and returns the page's
parts re-rendered once something changed; the `POST /sandbox/…` routes are what a person does (type,
click, submit, close, open the Home tab, move the clock). `static/sandbox.js` wires them up.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlparse
from zoneinfo import ZoneInfo

from bot.i18n import language, t
from bot.sandbox.clock import JUMPS, describe
from bot.sandbox.directory import PEOPLE
from bot.sandbox.payloads import picked_label
from bot.sandbox.render import Context, blocks_html, esc, modal_html, mrkdwn
from bot.sandbox.webapi import BOT_USER_ID, _Handler, _is_reply
from bot.sandbox.workspace import Workspace

if TYPE_CHECKING:
    from bot.sandbox.runner import Sandbox

STATIC = Path(__file__).with_name("static")
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}
POLL_SECONDS = 20.0
IMAGES = (".png", ".jpg", ".jpeg", ".gif")
# manifest.yml sets features.app_home.messages_tab_read_only_enabled: people cannot send messages to Baton
# in its Messages tab (its DM), so the page offers no composer there; channels keep theirs
# (tests/test_manifest.py keeps the two equal).
MESSAGES_TAB_READ_ONLY = True
READ_ONLY_NOTE = "Baton’s Messages tab is read-only: type /okr in a channel."


def attach(workspace: Workspace, sandbox: Sandbox) -> None:
    workspace.page = sandbox


class PageHandler(_Handler):
    """The Web API's handler, plus the page: anything under /api/ and /response/ is Slack's."""

    slack: Workspace

    def do_GET(self) -> None:
        if not self._page("GET", b""):
            super().do_GET()

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self._page("POST", raw):
            self._dispatch(raw)

    def _page(self, method: str, raw: bytes) -> bool:
        url = urlparse(self.path)
        sandbox: Sandbox | None = self.slack.page
        if sandbox is None or not (
            url.path == "/" or url.path.startswith(("/sandbox/", "/static/", "/files/"))
        ):
            return False
        query = parse_qs(url.query, keep_blank_values=True)
        if method == "GET" and url.path == "/":
            self._reply(200, "text/html; charset=utf-8", page(View.of(sandbox, query)).encode())
        elif method == "GET" and url.path == "/sandbox/parts":
            self._json(changes(sandbox, query))
        elif method == "GET" and url.path.startswith("/static/"):
            self._static(url.path.removeprefix("/static/"))
        elif method == "GET" and url.path.startswith("/files/"):
            self._file(url.path.removeprefix("/files/"))
        elif method == "POST":
            form = parse_qs(raw.decode(), keep_blank_values=True)
            view = View.of(sandbox, {**query, **form})
            self._json(perform(sandbox, view, url.path.removeprefix("/sandbox/"), form))
        else:
            self._reply(404, "text/plain", b"not found")
        return True

    def _static(self, name: str) -> None:
        path = (STATIC / name).resolve()
        if path.parent != STATIC.resolve() or not path.is_file():
            self._reply(404, "text/plain", b"not found")
            return
        self._reply(200, CONTENT_TYPES.get(path.suffix, "application/octet-stream"), path.read_bytes())

    def _file(self, file_id: str) -> None:
        """A file Baton uploaded (files upload v2), as Slack's file viewer would show it."""
        with self.slack._lock:
            found = next((f for f in self.slack.files if f["id"] == file_id), None)
        if found is None:
            self._reply(404, "text/plain", b"not found")
            return
        content_type = CONTENT_TYPES.get(Path(found["name"]).suffix.lower(), "application/octet-stream")
        self._reply(200, content_type, found["bytes"])

    def _json(self, body: dict[str, Any]) -> None:
        self._reply(200, "application/json; charset=utf-8", json.dumps(body).encode())

    def _reply(self, status: int, content_type: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)


Workspace.handler_class = PageHandler


def changes(sandbox: Sandbox, query: dict[str, list[str]]) -> dict[str, Any]:
    """The parts, once the workspace or the number of messages Baton has yet to send differs from what
    the page shows (`since`, `sending`), or after POLL_SECONDS."""
    since = int((query.get("since") or ["-1"])[0] or -1)
    seen_sending = int((query.get("sending") or ["-1"])[0] or -1)
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        version = sandbox.workspace.wait_for_change(since, 1.0)
        sending = sandbox.sending()
        if version != since or sending != seen_sending or time.monotonic() > deadline:
            return {"version": version, "sending": sending, "parts": parts(View.of(sandbox, query))}


def perform(sandbox: Sandbox, view: View, action: str, form: dict[str, list[str]]) -> dict[str, Any]:
    """What a person did in the page; the answer is JSON for the script."""

    def first(name: str) -> str:
        return (form.get(name) or [""])[0]

    user = view.user
    if action == "send":
        if not view.can_type:
            return {"error": READ_ONLY_NOTE}
        sandbox.send(user, view.here, first("text"), first("_thread") or None, form.get("_mention", []))
    elif action == "action":
        problem = sandbox.act(user, form)
        return {"error": problem} if problem else {}
    elif action == "submit":
        return sandbox.submit(user, first("_view"), form)
    elif action == "close":
        sandbox.close(user, first("_view"))
    elif action == "home":
        sandbox.open_home(user)
    elif action == "clock":
        return {"notice": sandbox.jump(first("jump"))}
    elif action == "dismiss":
        sandbox.workspace.dismiss(user, view.here, first("_ts"))
    else:
        return {"error": f"unknown action {action}"}
    return {}


class View:
    """Who is looking at what: the person acted as, the conversation (or `home`), an open thread."""

    def __init__(self, sandbox: Sandbox, user: str, here: str, thread: str | None) -> None:
        self.sandbox, self.user, self.here, self.thread = sandbox, user, here, thread
        ws = sandbox.workspace
        users, channels = ws.names()
        self.now = sandbox.clock()
        self.tz = ZoneInfo(ws.users[user].get("tz") or "UTC")
        self.lang = language(ws.users[user].get("locale"))  # the page speaks its user's language
        self.ctx = Context(users=users, channels=channels, tz=self.tz, now=self.now)

    @classmethod
    def of(cls, sandbox: Sandbox, query: dict[str, list[str]]) -> View:
        ws = sandbox.workspace
        user = (query.get("as") or [""])[0]
        user = user if user in ws.users else PEOPLE[0].id
        here = (query.get("in") or [""])[0]
        if here != "home" and here not in ws.channels and here != ws.dm_of(user):
            here = ws.dm_of(user)
        return cls(sandbox, user, here, (query.get("thread") or [""])[0] or None)

    @property
    def can_type(self) -> bool:
        """Whether Slack shows a message box here: not in the Home tab, nor in a read-only Messages tab."""
        in_dm = self.here == self.sandbox.workspace.dm_of(self.user)
        return self.here != "home" and not (MESSAGES_TAB_READ_ONLY and in_dm)

    def link(self, **changes: str | None) -> str:
        params = {"as": self.user, "in": self.here, "thread": self.thread, **changes}
        return "/?" + urlencode({k: v for k, v in params.items() if v})


# -- the page and its parts ---------------------------------------------------------------------------
def page(view: View) -> str:
    people = "".join(
        f'<option value="{p.id}"{" selected" if p.id == view.user else ""}>'
        f"{esc(p.name)} — {esc(p.title)}</option>"
        for p in PEOPLE
    )
    jumps = "".join(f'<button type="button" data-jump="{j.key}">{esc(j.label)}</button>' for j in JUMPS)
    shown = parts(view)

    def part(name: str) -> str:
        return f'<div id="part-{name}">{shown[name]}</div>'

    thread_class = " with-thread" if shown["thread"] else ""
    if view.can_type:
        hint = (
            f"Message #{view.sandbox.workspace.conversation(view.here).get('name', '')}, or type /okr update"
        )
        composer = (
            f'<form id="composer" class="composer" autocomplete="off" data-people="{esc(people_json(view))}">'
            f'<input name="text" placeholder="{esc(hint)}" aria-label="Message">'
            '<ul class="mention-menu" role="listbox" hidden></ul>'
            '<button type="submit" class="bk-button bk-primary">Send</button></form>'
        )
    elif view.here != "home":
        composer = f'<div class="composer read-only" id="read-only">{esc(READ_ONLY_NOTE)}</div>'
    else:
        composer = ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/sandbox.css"></head>
<body data-as="{esc(view.user)}" data-in="{esc(view.here)}" data-thread="{esc(view.thread or "")}"
 data-version="{view.sandbox.workspace.version}">
<div class="app{thread_class}">
 <aside class="sidebar">
  <div class="team">Baton sandbox<span>a local Slack: no credentials, no network</span></div>
  <label class="as">Acting as<select id="as">{people}</select></label>
  {part("now")}
  <div class="jumps" aria-label="Move the clock">{jumps}</div>
  {part("nav")}
 </aside>
 <main class="main">{part("notice")}{part("main")}{composer}</main>
 <section class="thread">{part("thread")}</section>
</div>
{part("modal")}{part("refusals")}
<dialog id="confirm"><form method="dialog"><h3></h3><p></p><menu>
 <button value="no" class="bk-button deny"></button>
 <button value="yes" class="bk-button bk-primary ok"></button>
</menu></form></dialog>
<script src="/static/sandbox.js"></script>
</body></html>"""


def people_json(view: View) -> str:
    """The workspace's people, for the composer's @ menu: what it shows, and what picking one inserts."""
    users = view.sandbox.workspace.users
    return json.dumps(
        [
            {"id": p.id, "label": picked_label(users[p.id]), "title": p.title, "handle": users[p.id]["name"]}
            for p in PEOPLE
        ],
        ensure_ascii=False,
    )


def parts(view: View) -> dict[str, str]:
    return {
        "now": now_html(view),
        "nav": nav_html(view),
        "notice": notice_html(view),
        "main": home_html(view) if view.here == "home" else conversation_html(view),
        "thread": thread_html(view),
        "modal": modal_part(view),
        "refusals": refusals_html(view),
    }


def now_html(view: View) -> str:
    local = view.now.astimezone(view.tz)
    waiting = view.sandbox.sending()
    sending = f'<div class="sending">📤 Baton is sending {waiting} message(s)…</div>' if waiting else ""
    return (
        f'<div class="now" title="{esc(describe(view.now))}"><b>{local:%a %d %b, %H:%M}</b> '
        f"<span>your time ({esc(view.tz.key)})</span>{sending}</div>"
    )


def nav_html(view: View) -> str:
    ws = view.sandbox.workspace

    def item(target: str, label: str, css: str = "") -> str:
        current = " current" if target == view.here else ""
        href = esc(view.link(**{"in": target, "thread": None}))
        return f'<a class="nav{current} {css}" href="{href}">{label}</a>'

    channels = "".join(
        item(c["id"], f"# {esc(c['name'])}")
        for c in sorted(ws.channels.values(), key=lambda c: str(c["name"]))
        if view.user in c["members"]
    )
    return (
        '<div class="nav-title">Baton</div>'
        + item("home", "🏠 Home", "home")
        + item(ws.dm_of(view.user), "💬 Messages", "dm")
        + f'<div class="nav-title">Channels</div>{channels}'
    )


def notice_html(view: View) -> str:
    if not view.sandbox.notices:
        return ""
    notice, lang = view.sandbox.notices[-1], view.lang
    users = view.ctx.users
    tzs = {uid: u.get("tz") for uid, u in view.sandbox.workspace.users.items()}
    prompts = "".join(
        f'<li data-owner="{esc(fate.owner)}" data-fate="{fate.fate}">'
        f"{esc(fate.text(users.get(fate.owner, fate.owner), tzs.get(fate.owner), lang))}</li>"
        for fate in notice.prompts
    )
    lines = "".join(f"<li>{esc(line)}</li>" for line in notice.lines)
    headline = t("sandbox.now", lang, when=describe(notice.at, lang))
    owners = f'<p>{esc(t("sandbox.prompts", lang))}</p><ul class="prompts">{prompts}</ul>' if prompts else ""
    return (
        f'<div class="notice">🕘 <b>{esc(headline)}</b> {owners}'
        f"<p>{esc(t('sandbox.ran', lang))}</p><ul>{lines}</ul></div>"
    )


def refusals_html(view: View) -> str:
    refusals = view.sandbox.workspace.refusals[-3:]
    rows = "".join(
        f"<li><code>{esc(r['method'])}</code> → <b>{esc(r['error'])}</b></li>" for r in reversed(refusals)
    )
    return f'<div class="refusals"><b>Slack refused:</b><ul>{rows}</ul></div>' if rows else ""


def conversation_html(view: View) -> str:
    ws = view.sandbox.workspace
    conversation = ws.conversation(view.here)
    if conversation.get("is_im"):
        title, topic = "Baton", "Your direct messages with Baton"
    else:
        title, topic = f"# {conversation['name']}", conversation.get("topic", "")
    messages = [m for m in ws.history(view.here, view.user) if not _is_reply(m)]
    body, day = [], None
    for message in messages:
        when = _when(message["ts"], view.tz)
        if when.date() != day:
            day = when.date()
            body.append(f'<div class="day" data-key="day-{day}"><span>{when:%A %d %B}</span></div>')
        body.append(message_html(view, message))
    empty = '<div class="empty">Nothing here yet.</div>'
    return (
        f'<header class="conv-head"><h1>{esc(title)}</h1><span>{esc(topic)}</span></header>'
        f'<div class="messages" data-scroll>{"".join(body) or empty}</div>'
    )


def message_html(view: View, message: dict[str, Any], *, in_thread: bool = False) -> str:
    users = view.ctx.users
    author = message.get("user", "")
    name = "Slackbot" if author == "USLACKBOT" else users.get(author, author)
    is_app = author == BOT_USER_ID or message.get("bot_id")
    ephemeral = message.get("ephemeral_for")
    badge = '<span class="badge">APP</span>' if is_app else ""
    edited = ' <span class="edited">(edited)</span>' if message.get("edited") else ""
    when = _when(message["ts"], view.tz)
    content = (
        blocks_html(message["blocks"], view.ctx)
        if message.get("blocks")
        else mrkdwn(message["text"], view.ctx)
    )
    content += "".join(file_html(shared) for shared in message.get("files", []))
    note = ""
    if ephemeral:
        note = (
            '<div class="only-you">👁 Only visible to you · '
            f'<button type="button" class="link" data-dismiss="{esc(message["ts"])}">Dismiss</button></div>'
        )
    replies = ""
    if message.get("reply_count") and not in_thread:
        count = message["reply_count"]
        link = view.link(thread=message["ts"])
        replies = f'<a class="replies" href="{esc(link)}">{count} repl{"y" if count == 1 else "ies"}</a>'
    initials = "".join(word[0] for word in str(name).split()[:2]).upper()
    return (
        f'<div class="msg{" ephemeral" if ephemeral else ""}" data-source="message" '
        f'data-key="{esc(message["ts"])}" data-channel="{esc(message["channel"])}" '
        f'data-ts="{esc(message["ts"])}">'
        f'<div class="avatar{" bot" if is_app else ""}">{"B" if is_app else esc(initials)}</div>'
        f'<div class="msg-body">{note}<div class="msg-head"><b>{esc(name)}</b>{badge}'
        f'<time title="{when:%Y-%m-%d %H:%M %Z}">{when:%H:%M}</time>{edited}</div>'
        f'<div class="msg-content">{content}</div>{replies}</div></div>'
    )


def file_html(shared: dict[str, Any]) -> str:
    link = f"/files/{esc(shared['id'])}"
    title = esc(shared.get("title") or shared.get("name", ""))
    if Path(str(shared.get("name", ""))).suffix.lower() in IMAGES:
        image = f'<img src="{link}" alt="{title}">'
        return f'<figure class="bk-image file"><figcaption>{title}</figcaption>{image}</figure>'
    return f'<a class="file-chip" href="{link}">📄 {title}</a>'


def thread_html(view: View) -> str:
    if not view.thread or view.here == "home":
        return ""
    thread = [
        m
        for m in view.sandbox.workspace.history(view.here, view.user)
        if m["ts"] == view.thread or m.get("thread_ts") == view.thread
    ]
    if not thread:
        return ""
    shown = "".join(message_html(view, m, in_thread=True) for m in thread)
    close = view.link(thread=None)
    return (
        f'<header class="conv-head"><h1>Thread</h1><a href="{esc(close)}" class="close-thread">×</a></header>'
        f'<div class="messages">{shown}</div>'
    )


def home_html(view: View) -> str:
    home = view.sandbox.workspace.homes.get(view.user)
    head = '<header class="conv-head"><h1>Baton</h1><span>Home</span></header>'
    if home is None:
        return head + '<div class="empty">Opening Baton\'s Home…</div>'
    return (
        f'{head}<form class="home" data-source="view" data-view="{esc(home["id"])}" '
        f'data-hash="{esc(home["hash"])}">{blocks_html(home["blocks"], view.ctx)}</form>'
    )


def modal_part(view: View) -> str:
    ws = view.sandbox.workspace
    modal = ws.top_modal(view.user)
    if modal is None:
        return ""
    inner = modal_html(modal, view.ctx, depth=ws.modal_depth(view.user))
    return f'<div class="overlay" data-source="view" data-view="{esc(modal["id"])}">{inner}</div>'


def _when(ts: str, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(float(Decimal(ts)), UTC).astimezone(tz)
