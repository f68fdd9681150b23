"""The sandbox's rendering of mrkdwn and Block Kit: faithful enough to use, and never a way to inject HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.sandbox.render import Context, blocks_html, modal_html, mrkdwn

CTX = Context(
    users={"U0LEAPARIS": "Léa Martin"},
    channels={"C0LEADERS": "leadership"},
    tz=ZoneInfo("Europe/Paris"),
    now=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
)


def test_emphasis_code_and_strike() -> None:
    assert mrkdwn("*bold* _italic_ ~gone~ `a*b*`", CTX) == (
        "<b>bold</b> <i>italic</i> <s>gone</s> <code>a*b*</code>"
    )


def test_words_with_underscores_and_lone_stars_stay_text() -> None:
    assert mrkdwn("snake_case_name and 2 * 3 * 4", CTX) == "snake_case_name and 2 * 3 * 4"


def test_links_mentions_and_channels() -> None:
    html = mrkdwn("See <https://example.com/a?b=1&amp;c=2|the plan> by <@U0LEAPARIS> in <#C0LEADERS>", CTX)
    assert '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener">the plan</a>' in html
    assert '<span class="mention">@Léa Martin</span>' in html
    assert '<span class="mention">#leadership</span>' in html


def test_unknown_mentions_fall_back_to_their_label_or_id() -> None:
    assert "@bob" in mrkdwn("<@U0UNKNOWN|bob>", CTX)
    assert "@U0NOBODY" in mrkdwn("<@U0NOBODY>", CTX)


def test_slack_entities_are_text_and_html_is_escaped() -> None:
    """Slack text escapes &, < and > as entities: shown as the characters, never as markup."""
    html = mrkdwn("&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt; <b>raw</b>", CTX)
    assert "<script>" not in html and "<b>raw</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;lt;" in html  # `&amp;lt;` in Slack is the text "&lt;"


def test_escaped_channel_ping_is_not_a_ping() -> None:
    assert "mention" not in mrkdwn("&lt;!channel&gt;", CTX)
    assert mrkdwn("<!channel>", CTX) == '<span class="mention">@channel</span>'


def test_javascript_links_are_not_links() -> None:
    assert "<a " not in mrkdwn("<javascript:alert(1)|click>", CTX)


def test_quotes_bullets_and_newlines() -> None:
    html = mrkdwn("Intro\n&gt; quoted\n• one\n• two\nend", CTX)
    assert html == "Intro<br><blockquote>quoted</blockquote><ul><li>one</li><li>two</li></ul>end"


def test_code_block_keeps_its_text() -> None:
    assert mrkdwn("```*not bold*\n<@U0LEAPARIS>```", CTX) == "<pre>*not bold*\n&lt;@U0LEAPARIS&gt;</pre>"


def test_dates_are_shown_in_the_viewers_time_zone() -> None:
    monday_9_paris = int(datetime(2026, 11, 23, 8, 0, tzinfo=UTC).timestamp())
    text = f"<!date^{monday_9_paris}^{{date_short_pretty}} at {{time}}|Nov 23>"
    assert mrkdwn(text, CTX) == "today at 09:00"
    assert mrkdwn(f"<!date^{monday_9_paris}^{{date_num}}|x>", CTX) == "2026-11-23"


def test_emoji_shortcodes() -> None:
    assert mrkdwn(":white_check_mark: done :unknown_one:", CTX) == "✅ done :unknown_one:"


def test_message_blocks() -> None:
    html = blocks_html(
        [
            {"type": "header", "block_id": "h", "text": {"type": "plain_text", "text": "Weekly <digest>"}},
            {
                "type": "section",
                "block_id": "s",
                "text": {"type": "mrkdwn", "text": "*ERP*"},
                "fields": [{"type": "mrkdwn", "text": "_a_"}, {"type": "plain_text", "text": "b"}],
                "accessory": {
                    "type": "button",
                    "action_id": "go",
                    "text": {"type": "plain_text", "text": "Go"},
                },
            },
            {"type": "context", "block_id": "c", "elements": [{"type": "mrkdwn", "text": "small"}]},
            {"type": "divider", "block_id": "d"},
            {"type": "image", "block_id": "i", "image_url": "https://x/y.png", "alt_text": "chart"},
            {
                "type": "actions",
                "block_id": "a",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "ok",
                        "style": "primary",
                        "value": "1",
                        "text": {"type": "plain_text", "text": "On track"},
                    },
                    {
                        "type": "static_select",
                        "action_id": "pick",
                        "options": [{"text": {"type": "plain_text", "text": "One"}, "value": "1"}],
                    },
                    {
                        "type": "overflow",
                        "action_id": "more",
                        "options": [{"text": {"type": "plain_text", "text": "Snooze"}, "value": "z"}],
                    },
                ],
            },
            {"type": "video", "block_id": "v"},
        ],
        CTX,
    )
    assert '<div class="bk-header" data-block="h">Weekly &lt;digest&gt;</div>' in html
    assert "<b>ERP</b>" in html and '<div class="bk-fields"><div><i>a</i></div><div>b</div></div>' in html
    assert 'data-action="go" data-block-ref="s"' in html
    assert '<div class="bk-context" data-block="c"><span>small</span></div>' in html
    assert '<hr class="bk-divider" data-block="d">' in html
    assert '<img class="" src="https://x/y.png" alt="chart">' in html
    assert (
        'class="bk-button bk-primary" data-action="ok" data-block-ref="a" value="1">On track</button>' in html
    )
    assert '<select class="bk-field" name="a/pick" data-action="pick"' in html
    assert 'class="bk-menu-item" data-action="more" data-block-ref="a" value="z">Snooze</button>' in html
    assert "This video block is not shown in the sandbox." in html


def test_modal_inputs_are_form_fields_with_their_initial_values() -> None:
    view = {
        "id": "V1",
        "hash": "h1",
        "title": {"type": "plain_text", "text": "Update"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "status",
                "label": {"type": "plain_text", "text": "Status"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": "pick",
                    "initial_option": {"text": {"type": "plain_text", "text": "On"}, "value": "on"},
                    "options": [
                        {"text": {"type": "plain_text", "text": "On"}, "value": "on"},
                        {"text": {"type": "plain_text", "text": "Off"}, "value": "off"},
                    ],
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": {"type": "plain_text", "text": "Note"},
                "hint": {"type": "plain_text", "text": "Say why"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "initial_value": "<hi>",
                    "max_length": 300,
                },
            },
            {
                "type": "input",
                "block_id": "when",
                "label": {"type": "plain_text", "text": "Until"},
                "element": {"type": "datepicker", "action_id": "date", "initial_date": "2026-12-01"},
            },
            {
                "type": "input",
                "block_id": "who",
                "label": {"type": "plain_text", "text": "Delegate"},
                "element": {"type": "users_select", "action_id": "user"},
            },
        ],
    }
    html = modal_html(view, CTX)
    assert '<form class="modal" data-view="V1" data-hash="h1">' in html and "<h2>Update</h2>" in html
    assert 'type="radio" name="status/pick" value="on" checked' in html
    assert 'type="radio" name="status/pick" value="off" data-block-ref="status">' in html
    assert '<textarea class="bk-field" name="note/text" placeholder="" maxlength="300"' in html
    assert "&lt;hi&gt;</textarea>" in html and '<span class="bk-optional">(optional)</span>' in html
    assert '<input class="bk-field" type="date" name="when/date" value="2026-12-01"' in html
    assert '<option value="U0LEAPARIS">Léa Martin</option>' in html
    assert 'data-action="' not in html  # inputs report on submit, not on change
    assert '<button type="submit" class="bk-button bk-primary">Save</button>' in html


def test_field_errors_show_under_their_input() -> None:
    block = {
        "type": "input",
        "block_id": "kpi",
        "label": {"type": "plain_text", "text": "KPI"},
        "element": {"type": "plain_text_input", "action_id": "value"},
    }
    html = blocks_html([block], CTX, errors={"kpi": "Type a number"})
    assert '<div class="bk-error" role="alert">Type a number</div>' in html
