"""The fake Slack itself: message store, history, rate limits, failures, and its standalone process."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.webapi import FakeSlack
from tests.slack_requests import wait_for

USER = "U0OWNER001"
DM = "D0OWNER001"
CHANNEL = "C0LEADERS1"
ROOT = Path(__file__).resolve().parents[1]


def client(slack: FakeSlack, timeout: int = 5) -> WebClient:
    return WebClient(token=slack.token, base_url=slack.api_url, timeout=timeout)


class Ticker:
    """The fake's rate-limit clock, moved by the test: limits are checked without waiting for time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def limited(ticker: Ticker) -> Iterator[FakeSlack]:
    slack = FakeSlack(channel_interval=1.0, monotonic=ticker).start()
    yield slack
    slack.stop()


def post_many(slack: FakeSlack, channel: str, count: int) -> list[str]:
    web = client(slack)
    return [web.chat_postMessage(channel=channel, text=f"message {n}")["ts"] for n in range(count)]


# -- the message store --------------------------------------------------------------------------------
def test_posts_are_stored_per_channel_with_their_metadata(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    metadata = {"event_type": "baton_delivery", "event_payload": {"delivery_id": 42}}
    to_user = web.chat_postMessage(channel=USER, text="hello", metadata=metadata)
    assert to_user["channel"] == DM
    assert web.conversations_open(users=USER)["channel"]["id"] == DM
    form = httpx.post(  # a form body carries metadata as a JSON string
        fake_slack.api_url + "chat.postMessage",
        data={"channel": CHANNEL, "text": "digest", "metadata": json.dumps(metadata)},
        headers={"Authorization": f"Bearer {fake_slack.token}"},
    ).json()
    assert form["ok"] and form["message"]["metadata"] == metadata

    [stored] = fake_slack.messages(USER)
    assert fake_slack.messages(DM) == [stored]
    assert stored["ts"] == to_user["ts"] and stored["text"] == "hello" and stored["metadata"] == metadata
    assert stored["thread_ts"] is None and stored["blocks"] == []
    assert [(post["channel"], post["text"]) for post in fake_slack.posts()] == [
        (DM, "hello"),
        (CHANNEL, "digest"),
    ]
    assert Decimal(fake_slack.posts()[0]["ts"]) < Decimal(fake_slack.posts()[1]["ts"])


def test_bad_metadata_is_refused(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as refused:
        client(fake_slack).chat_postMessage(channel=USER, text="x", metadata={"event_payload": {}})
    assert refused.value.response["error"] == "invalid_metadata_format"
    assert fake_slack.posts() == []


def test_history_is_newest_first_and_shows_metadata_only_when_asked(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    for n in range(3):
        web.chat_postMessage(
            channel=USER, text=f"m{n}", metadata={"event_type": "e", "event_payload": {"n": n}}
        )
    plain = web.conversations_history(channel=DM)
    assert [m["text"] for m in plain["messages"]] == ["m2", "m1", "m0"]
    assert plain["has_more"] is False and plain["response_metadata"]["next_cursor"] == ""
    assert all("metadata" not in m and "channel" not in m for m in plain["messages"])
    full = web.conversations_history(channel=DM, include_all_metadata=True)
    assert [m["metadata"]["event_payload"]["n"] for m in full["messages"]] == [2, 1, 0]


def test_history_bounds_are_exclusive(fake_slack: FakeSlack) -> None:
    ts = post_many(fake_slack, CHANNEL, 4)
    history = client(fake_slack).conversations_history(channel=CHANNEL, oldest=ts[0], latest=ts[3])
    assert [m["ts"] for m in history["messages"]] == [ts[2], ts[1]]
    inclusive = client(fake_slack).conversations_history(channel=CHANNEL, oldest=ts[1], inclusive=True)
    assert [m["ts"] for m in inclusive["messages"]] == [ts[3], ts[2], ts[1]]


def test_history_pages_with_a_cursor(fake_slack: FakeSlack) -> None:
    ts = post_many(fake_slack, CHANNEL, 5)
    web, seen, cursor = client(fake_slack), [], None
    for _ in range(5):
        page = web.conversations_history(channel=CHANNEL, limit=2, cursor=cursor)
        seen += [m["ts"] for m in page["messages"]]
        cursor = page["response_metadata"]["next_cursor"]
        assert page["has_more"] is bool(cursor)
        if not cursor:
            break
    assert seen == list(reversed(ts))
    sizes = [len(page["messages"]) for page in web.conversations_history(channel=CHANNEL, limit=2)]
    assert sizes == [2, 2, 1]  # slack_sdk's own pagination follows the cursor too


def test_history_of_an_empty_or_unknown_channel_and_of_a_user_id(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    assert web.conversations_history(channel="C0NOTHING1")["messages"] == []
    with pytest.raises(SlackApiError) as refused:  # as on Slack: history needs a conversation id
        web.conversations_history(channel=USER)
    assert refused.value.response["error"] == "channel_not_found"


def test_history_over_get_with_a_query_string(fake_slack: FakeSlack) -> None:
    [ts] = post_many(fake_slack, CHANNEL, 1)
    answer = httpx.get(
        fake_slack.api_url + "conversations.history",
        params={"channel": CHANNEL, "token": fake_slack.token, "include_all_metadata": "true"},
    ).json()
    assert answer["ok"] and [m["ts"] for m in answer["messages"]] == [ts]


def test_thread_replies_stay_out_of_history(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    parent = web.chat_postMessage(channel=CHANNEL, text="digest 1/2")
    web.chat_postMessage(channel=CHANNEL, thread_ts=parent["ts"], text="digest 2/2")
    [shown] = web.conversations_history(channel=CHANNEL)["messages"]
    assert shown["ts"] == parent["ts"] and shown["reply_count"] == 1
    thread = web.conversations_replies(channel=CHANNEL, ts=parent["ts"])["messages"]
    assert [m["text"] for m in thread] == ["digest 1/2", "digest 2/2"]
    assert len(fake_slack.messages(CHANNEL)) == 2


def test_chat_update_replaces_a_stored_message(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    posted = web.chat_postMessage(channel=USER, text="On track?", blocks=[_section("On track?")])
    web.chat_update(channel=posted["channel"], ts=posted["ts"], text="Answered", blocks=[_section("Done")])
    web.chat_update(channel=USER, ts=posted["ts"], text="Answered again")  # a user id resolves to the DM
    [stored] = fake_slack.messages(DM)
    assert stored["text"] == "Answered again" and stored["blocks"] == [_section("Done")]
    assert fake_slack.posts() == [stored]
    with pytest.raises(SlackApiError) as missing:
        web.chat_update(channel=DM, ts="1700000000.000001", text="nope")
    assert missing.value.response["error"] == "message_not_found"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


# -- rate limits ----------------------------------------------------------------------------------------
def test_channel_interval_answers_429_with_retry_after(limited: FakeSlack, ticker: Ticker) -> None:
    web = client(limited)
    web.chat_postMessage(channel=USER, text="first")
    with pytest.raises(SlackApiError) as refused:
        web.chat_postMessage(channel=DM, text="too soon")  # the same DM, by its channel id
    assert refused.value.response.status_code == 429
    assert refused.value.response["error"] == "ratelimited"
    retry_after = int(refused.value.response.headers["Retry-After"])
    assert retry_after >= 1
    web.chat_postMessage(channel=CHANNEL, text="another channel is not limited")
    ticker.now += retry_after
    web.chat_postMessage(channel=USER, text="second")
    assert [m["text"] for m in limited.messages(USER)] == ["first", "second"]
    assert limited.ratelimited == 1 and len(limited.calls_to("chat.postMessage")) == 4


def test_workspace_rate_is_a_token_bucket(ticker: Ticker) -> None:
    rate = 10.0
    slack = FakeSlack(workspace_rate=rate, monotonic=ticker).start()
    try:
        statuses: list[int] = []

        def fire(worker: int, count: int) -> None:
            with httpx.Client(base_url=slack.api_url) as http:
                for n in range(count):
                    answer = http.post(
                        "chat.postMessage",
                        json={"channel": f"C0W{worker}N{n}", "text": "hi"},
                        headers={"Authorization": f"Bearer {slack.token}"},
                    )
                    statuses.append(answer.status_code)
                    if answer.status_code == 429:
                        assert int(answer.headers["Retry-After"]) >= 1
                        assert answer.json() == {"ok": False, "error": "ratelimited"}

        def burst(count_per_worker: int) -> None:
            threads = [threading.Thread(target=fire, args=(w, count_per_worker)) for w in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        burst(5)  # 30 posts in one instant: a full bucket lets 10 through, whatever the interleaving
        assert (
            (statuses.count(200), statuses.count(429)) == (10, 20) == (len(slack.posts()), slack.ratelimited)
        )
        ticker.now += 0.5  # half a second refills half the bucket
        statuses.clear()
        burst(2)
        assert (statuses.count(200), statuses.count(429)) == (5, 7)
    finally:
        slack.stop()


def test_workspace_burst_sets_the_bucket_capacity() -> None:
    slack = FakeSlack(workspace_rate=1.0, workspace_burst=2).start()
    try:
        web = client(slack)
        web.chat_postMessage(channel="C01", text="1")
        web.chat_postMessage(channel="C02", text="2")
        with pytest.raises(SlackApiError) as refused:
            web.chat_postMessage(channel="C03", text="3")
        assert refused.value.response.status_code == 429 and len(slack.posts()) == 2
    finally:
        slack.stop()


# -- latency, hangs and failures ---------------------------------------------------------------------
def test_hang_delays_then_stores_the_message(fake_slack: FakeSlack) -> None:
    fake_slack.hang("chat.postMessage", 0.6)
    body = {"channel": USER, "text": "slow"}
    headers = {"Authorization": f"Bearer {fake_slack.token}"}
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(fake_slack.api_url + "chat.postMessage", json=body, headers=headers, timeout=0.2)
    assert fake_slack.messages(USER) == []  # Slack is still working on it
    wait_for(lambda: fake_slack.messages(USER))
    assert [m["text"] for m in fake_slack.messages(USER)] == ["slow"]
    client(fake_slack).chat_postMessage(channel=USER, text="fast again")
    assert [call.delay for call in fake_slack.calls] == [0.6, 0.0]  # the hang held one call only


def test_latency_applies_to_every_call() -> None:
    slack = FakeSlack(latency=0.2).start()
    try:
        client(slack).auth_test()
        client(slack).chat_postMessage(channel=USER, text="hi")
        assert [(call.method, call.delay) for call in slack.calls] == [
            ("auth.test", 0.2),
            ("chat.postMessage", 0.2),
        ]
    finally:
        slack.stop()


def test_server_errors_then_success(fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", "internal_error", status=500, times=2)
    web = client(fake_slack)
    for _ in range(2):
        with pytest.raises(SlackApiError) as failed:
            web.chat_postMessage(channel=USER, text="hello")
        assert failed.value.response.status_code == 500
    web.chat_postMessage(channel=USER, text="hello")
    assert len(fake_slack.messages(USER)) == 1 and len(fake_slack.calls_to("chat.postMessage")) == 3


@pytest.mark.parametrize(
    "error", ["channel_not_found", "user_not_found", "account_inactive", "not_in_channel"]
)
def test_definitive_errors_answer_200(fake_slack: FakeSlack, error: str) -> None:
    fake_slack.fail("chat.postMessage", error)
    with pytest.raises(SlackApiError) as failed:
        client(fake_slack).chat_postMessage(channel=USER, text="hello")
    assert failed.value.response.status_code == 200 and failed.value.response["error"] == error
    assert fake_slack.posts() == []


def test_concurrent_keep_alive_clients(fake_slack: FakeSlack) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            with httpx.Client(base_url=fake_slack.api_url, timeout=5) as http:
                for n in range(25):
                    answer = http.post(
                        "chat.postMessage",
                        data={"channel": f"C0W{worker}", "text": str(n), "token": fake_slack.token},
                    )
                    assert answer.json()["ok"]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(fake_slack.posts()) == 400 and len({post["ts"] for post in fake_slack.posts()}) == 400
    assert [m["text"] for m in fake_slack.messages("C0W3")] == [str(n) for n in range(25)]


# -- in its own process --------------------------------------------------------------------------------
def test_standalone_process_with_record_and_reset() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.sandbox.webapi",
            "--port",
            "0",
            "--token",
            "xoxb-own",
            "--channel-interval",
            "3600",  # the second post comes within the hour, however slow the machine
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        api_url = json.loads(process.stdout.readline())["api_url"]
        base_url = api_url.removesuffix("api/")
        web = WebClient(token="xoxb-own", base_url=api_url)
        posted = web.chat_postMessage(
            channel=USER, text="hello", metadata={"event_type": "baton_delivery", "event_payload": {"id": 7}}
        )
        with pytest.raises(SlackApiError):
            web.chat_postMessage(channel=USER, text="too soon")
        record = httpx.get(base_url + "_record").json()
        assert record["calls"] == {"chat.postMessage": 2} and record["ratelimited"] == 1
        assert record["post_count"] == 1
        assert httpx.get(base_url + "_record", params={"posts": "0"}).json() == {**record, "posts": []}
        [post] = record["posts"]
        assert (
            post["channel"] == DM
            and post["ts"] == posted["ts"]
            and post["metadata"]["event_payload"] == {"id": 7}
        )
        assert httpx.post(base_url + "_reset").json() == {"ok": True}
        assert httpx.get(base_url + "_record").json() == {
            "posts": [],
            "post_count": 0,
            "calls": {},
            "ratelimited": 0,
        }
    finally:
        process.terminate()
        assert process.wait(timeout=5) == 0
