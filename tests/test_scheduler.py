"""What the tick and `baton rituals run` read of the rituals: typed `RitualResult`s, never their text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot import scheduler
from bot.config import Settings
from bot.deps import Deps
from bot.domain.ritual import NotQueued, RitualName, RitualResult
from bot.sandbox.webapi import FakeSlack
from bot.scheduler import run_ritual, tick
from storage.models import RunState
from tests.conftest import LEADERSHIP_CHANNEL

MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 10:30 in Paris, 2026-W48: before the 16:00 digest


def deps_at(engine: Engine, settings: Settings, now: datetime) -> Deps:
    return Deps(settings=settings, engine=engine, clock=lambda: now)


def test_run_ritual_returns_what_each_ritual_did_as_typed_results(
    engine: Engine, settings: Settings, fake_slack: FakeSlack
) -> None:
    deps, client = (
        deps_at(engine, settings, MONDAY),
        WebClient(token=fake_slack.token, base_url=fake_slack.api_url),
    )
    ran = {name: run_ritual(name, deps, client) for name in scheduler.RITUALS}
    assert list(ran) == list(RitualName)  # the tick runs every ritual, in the enum's order
    assert all(isinstance(r, RitualResult) and r.ritual is name for name, rs in ran.items() for r in rs)
    assert ran[RitualName.CHECKIN] == [RitualResult(RitualName.CHECKIN)]  # nobody owns anything yet
    assert ran[RitualName.REMINDERS] == [RitualResult(RitualName.REMINDERS)]
    assert ran[RitualName.DIGEST] == [
        RitualResult(
            RitualName.DIGEST,
            "2026-W48",
            LEADERSHIP_CHANNEL,
            NotQueued.NOT_DUE,
            detail="due at 2026-11-23 15:00 UTC",
        )
    ]
    assert ran[RitualName.ESCALATIONS] == [RitualResult(RitualName.ESCALATIONS, "2026-W48")]
    [committee] = ran[RitualName.COMMITTEE]  # November's met on the 3rd: not posted late
    assert (committee.cycle, committee.channel, committee.state) == ("2026-11", LEADERSHIP_CHANNEL, "missed")
    [review] = ran[RitualName.REVIEW]  # Q3's came out on 1 October, and its catch-up is over
    assert (review.cycle, review.state) == ("2026-Q3", NotQueued.MISSED)
    assert not any(r.failed for rs in ran.values() for r in rs)
    assert ran[RitualName.DIGEST][0].summary() == (
        "digest 2026-W48 → C0LEADERS1: not due (due at 2026-11-23 15:00 UTC)"
    )
    assert ran[RitualName.CHECKIN][0].summary() == "checkin: 0 queued, 0 skipped"
    assert ran[RitualName.REMINDERS][0].summary() == "reminder: 0 queued, 0 skipped"
    with pytest.raises(ValueError, match="unknown ritual 'nope'"):
        run_ritual("nope", deps, client)


def test_without_a_channel_the_digest_says_so_in_one_result(
    engine: Engine, settings: Settings, fake_slack: FakeSlack
) -> None:
    settings = settings.model_copy(update={"leadership_channel": None})
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    [result] = run_ritual("digest", deps_at(engine, settings, MONDAY), client)
    assert result == RitualResult(RitualName.DIGEST, notes=("no leadership or team channel is set",))
    assert result.summary() == "digest: no leadership or team channel is set" and not result.failed


def test_a_result_is_failed_only_when_its_claim_is() -> None:
    def channel(state: RunState | NotQueued) -> RitualResult:
        return RitualResult(RitualName.REVIEW, "2026-Q4", "C0LEADERS1", state, already_handled=True)

    assert channel(RunState.FAILED).failed
    assert not any(channel(s).failed for s in (*RunState, *NotQueued) if s != RunState.FAILED)
    assert channel(RunState.FAILED).summary() == "review 2026-Q4 → C0LEADERS1: failed (already handled)"
    skipped = RitualResult(RitualName.CHECKIN, queued=("U1",), skipped=(("U2", "out of office"),) * 2)
    assert not skipped.failed
    assert skipped.summary() == "checkin: 1 queued, 2 skipped\n  skipped (2): out of office"


class Recorder:
    """Stands for the scheduler's logger: what it was told, event by event."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def info(self, event: str, **fields: Any) -> None:
        self.events.append((event, fields))

    def exception(self, event: str, **fields: Any) -> None:
        self.events.append((event, fields))


def test_the_tick_logs_each_result_as_fields_not_as_text(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    monkeypatch.setattr(scheduler, "log", recorder)
    deps = deps_at(engine, settings, MONDAY)
    tick(deps, WebClient(token=fake_slack.token, base_url=fake_slack.api_url))
    ran = [fields for event, fields in recorder.events if event == "ritual.ran"]
    assert [fields["ritual"] for fields in ran] == list(RitualName)
    assert all("summary" not in fields and fields["failed"] is False for fields in ran)
    by_ritual = {fields["ritual"]: fields for fields in ran}
    assert by_ritual["digest"] == {
        "ritual": "digest",
        "failed": False,
        "cycle": "2026-W48",
        "channel": LEADERSHIP_CHANNEL,
        "state": "not due",
        "already_handled": False,
    }
    assert by_ritual["checkin"] == {"ritual": "checkin", "failed": False, "queued": 0, "skipped": 0}
    assert by_ritual["escalations"] == {
        "ritual": "escalations",
        "failed": False,
        "cycle": "2026-W48",
        "opened": 0,
        "updated": 0,
        "closed": 0,
        "reescalated": 0,
    }
    assert deps.outbox_ready.is_set()


def test_a_ritual_that_raises_is_logged_and_the_others_still_run(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    monkeypatch.setattr(scheduler, "log", recorder)
    real = scheduler.run_ritual

    def digest_breaks(name: str, deps: Deps, client: WebClient) -> list[RitualResult]:
        if name == RitualName.DIGEST:
            raise RuntimeError("boom")
        return real(name, deps, client)

    monkeypatch.setattr(scheduler, "run_ritual", digest_breaks)
    tick(deps_at(engine, settings, MONDAY), WebClient(token=fake_slack.token, base_url=fake_slack.api_url))
    assert ("ritual.failed", {"ritual": "digest"}) in recorder.events
    assert [f["ritual"] for e, f in recorder.events if e == "ritual.ran"] == [
        name for name in RitualName if name != RitualName.DIGEST
    ]
