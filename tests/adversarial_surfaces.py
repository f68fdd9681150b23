"""Every surface Baton builds (bot/views/), fed hostile data: 3,000+ character texts, 2,000 initiatives,
many escalations, emoji, accents, `&<>` and `<!channel>`. Shared by the budget and slack_sdk checks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from bot.domain.cycles import quarter_cycles
from bot.domain.portfolio import RaciMember, StatusChange
from bot.domain.roadmap import Owner
from bot.views.checkin import checkin_confirmation, notice_modal, update_modal
from bot.views.committee import AgendaItem, agenda_messages
from bot.views.digest import digest_messages, preview_message
from bot.views.escalation import (
    AlertData,
    alert_message,
    decision_dm,
    decision_modal,
    decisions_message,
    level_reply,
)
from bot.views.help import help_message
from bot.views.home import home_view
from bot.views.initiative import initiative_modal, saved_view
from bot.views.portfolio import (
    import_done_view,
    import_failed_view,
    import_modal,
    import_progress_view,
    list_message,
    notice,
    picker_message,
    role_set_message,
    roles_message,
    status_message,
    who_message,
)
from bot.views.prompt import PromptItem, PromptRef, away_confirmation, away_modal, prompt_message
from bot.views.review import ReviewItem, closeout_modal, closeout_reply, review_messages
from handlers.commands import HELP
from storage.models import (
    Away,
    CheckIn,
    CheckInSource,
    Decision,
    Escalation,
    EscalationState,
    Initiative,
    RaciLetter,
    Role,
    Status,
)
from tests.test_digest_limits import portfolio

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
HOSTILE = "R&D <!channel> 🚀 Été déjà <https://evil.example|click> & <@U0VICTIM1> > < &amp; "
LONG = (HOSTILE * 60)[:3500]  # past every per-field limit
USERS = [f"U0OWNER{n:03d}" for n in range(150)]


def initiative(number: int = 1, title: str = LONG) -> Initiative:
    return Initiative(
        id=number,
        objective_id=1,
        title=f"{number} {title}",
        title_key=f"{number} {title}".lower(),
        kpi_name=LONG,
        kpi_unit="€ & <x>",
        kpi_baseline=0.0,
        kpi_current=12.5,
        kpi_target=100.0,
        status=Status.OFF_TRACK,
        created_at=NOW,
        updated_at=NOW,
    )


def checkin(number: int = 1, cycle: str = "2026-W48") -> CheckIn:
    return CheckIn(
        initiative_id=number,
        cycle=cycle,
        author="U0OWNER001",
        status=Status.OFF_TRACK,
        kpi_value=12.5,
        confidence=2,
        progress=40,
        comment=LONG,
        next_steps=LONG,
        blockers=LONG,
        decision_needed=LONG,
        decision_options=LONG,
        source=CheckInSource.MODAL,
        submitted_at=NOW,
    )


def escalation(number: int = 7, state: str = "decided") -> Escalation:
    return Escalation(
        id=number,
        initiative_id=1,
        rule="off_track",
        state=EscalationState(state),
        reason=LONG,
        opened_by="U0BOSS001",
        more_reasons=[{"user": "U0BOSS002", "reason": LONG}] * 5,
        cycle="2026-W48",
        opened_at=NOW,
        updated_at=NOW,
        sla_deadline=NOW,
    )


def decision() -> Decision:
    return Decision(
        id=3,
        initiative_id=1,
        escalation_id=7,
        decision=LONG,
        rationale=LONG,
        decided_by="U0BOSS001",
        decided_at=NOW,
        follow_up_owner="U0OWNER01",
        follow_up_due=date(2026, 12, 15),
    )


RACI = {
    letter: [RaciMember(user) for user in USERS[:40]] + [RaciMember(None, LONG, tuple(USERS[:50]))]
    for letter in RaciLetter
}
MANY = [initiative(n) for n in range(1, 2001)]


def messages(lang: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, message) for every message and ephemeral answer Baton builds."""
    items = [PromptItem(i, None) for i in MANY[:40]] + [PromptItem(MANY[40], checkin(41))]
    yield (
        "prompt",
        prompt_message(cycle="2026-W48", owner="U0OWNER001", recipient="U0DELEG01", items=items, lang=lang),
    )
    yield (
        "reminder",
        prompt_message(
            cycle="2026-W48",
            owner="U0OWNER001",
            recipient="U0OWNER001",
            items=items,
            reminder=True,
            lang=lang,
        ),
    )
    yield (
        "prompt_skipped",
        prompt_message(
            cycle="2026-W48", owner="U0OWNER001", recipient="U0OWNER001", items=items, skipped=True, lang=lang
        ),
    )
    away = Away(
        user_id="U0OWNER001",
        starts_on=date(2026, 11, 23),
        ends_on=date(2026, 12, 31),
        delegate_id="U0DELEG01",
    )
    yield "away_confirmation", away_confirmation(away, lang)
    yield "confirmation", checkin_confirmation(initiative(), checkin(), lang)
    for state in EscalationState:
        data = AlertData(
            escalation(state=state),
            initiative(),
            [checkin(1, f"2026-W{w}") for w in range(40, 49)],
            RACI,
            decision() if state == "decided" else None,
        )
        yield f"alert_{state}", alert_message(data, lang)
    yield "decision_dm", decision_dm(initiative(), decision(), lang)
    yield "level1", level_reply(1, USERS, 24, lang)
    yield "level2", level_reply(2, USERS, 48, lang)
    yield "decisions", decisions_message([(decision(), i) for i in MANY[:300]], quarter="2026-Q4", lang=lang)
    yield (
        "who",
        who_message("2026-W48", {user: MANY[:30] for user in USERS}, lang, deactivated=set(USERS[::3])),
    )
    owners = {i.id or 0: [Owner("user", u) for u in USERS[:20]] + [Owner("role", LONG)] for i in MANY}
    yield "list", list_message(MANY, owners, lang=lang)
    yield "list_team", list_message(MANY, owners, team=LONG, lang=lang)
    yield (
        "status",
        status_message(
            initiative(),
            RACI,
            [checkin(1, f"2026-W{w}") for w in range(30, 49)],
            [escalation(n, "open") for n in range(40)],
            lang,
        ),
    )
    yield "picker", picker_message("update", MANY, LONG, lang)
    roles = [(Role(id=n, name=f"{n} {LONG[:300]}", name_key=str(n)), USERS) for n in range(200)]
    yield "roles", roles_message(roles, lang)
    yield "role_set", role_set_message(roles[0][0], USERS, lang)
    yield "notice", notice(LONG * 5)
    yield "help", help_message(HELP, unknown=LONG, lang=lang)
    digest = portfolio(2000, comment=LONG)
    for number, message in enumerate(digest_messages(digest, lang), start=1):
        yield f"digest_{number}", message
    yield "digest_preview", preview_message(digest, lang)
    agenda = [
        AgendaItem(n, f"{n} {LONG}", "€ & <x>", [escalation(n, "open")] * 3, [checkin(n)] * 3, n, LONG, LONG)
        for n in range(300)
    ]
    for number, message in enumerate(agenda_messages("2026-12", agenda, lang, meeting=NOW), start=1):
        yield f"agenda_{number}", message
    review = [
        ReviewItem(i, LONG, 55.0, 0.5, (Status.ON_TRACK, None) * 6, (decision(),) * 5) for i in MANY[:500]
    ]
    closed = decision()
    closed.outcome, closed.closeout_key = "carried_over", "1"
    review.append(ReviewItem(MANY[600], LONG, None, None, (None,) * 14, (decision(), closed)))
    cycles = quarter_cycles("2026-Q4")
    messages = review_messages("2026-Q4", review, lang, cycles=cycles, closeout=True)
    for number, message in enumerate(messages, start=1):
        yield f"review_{number}", message
    yield "closeout_reply", closeout_reply("U0BOSS001", LONG, "carried_over", LONG, "2027-Q1", lang)


def views(lang: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, view) for every modal and the App Home."""
    yield "update_modal", update_modal(initiative(), previous=checkin(), lang=lang)
    yield "update_choices", update_modal(None, MANY, unmatched=LONG, previous=checkin(), lang=lang)
    yield "notice_modal", notice_modal(LONG * 3, lang)
    yield "initiative_new", initiative_modal(quarter="2026-Q4", lang=lang)
    yield (
        "initiative_edit",
        initiative_modal(quarter="2026-Q4", lang=lang, initiative=initiative(), raci=RACI),
    )
    yield "saved", saved_view(LONG, True, lang)
    items = [
        ReviewItem(i, LONG, 55.0, (i.id or 0) % 10 / 10, (Status.ON_TRACK, None) * 7) for i in MANY[:700]
    ]
    yield "closeout_modal", closeout_modal("2026-Q4", "2027-Q1", items, lang)
    yield "closeout_done", closeout_modal("2026-Q4", "2027-Q1", [], lang)
    yield "decision_modal", decision_modal(escalation(), initiative(), where=("C0LEAD001", "1.2"), lang=lang)
    yield "import_modal", import_modal(lang)
    yield "import_progress", import_progress_view(lang)
    yield "import_done", import_done_view(2000, 3, 4, [LONG[:300]] * 200, lang)
    yield "import_failed", import_failed_view([LONG] * 500, lang)
    ref = PromptRef("2026-W48", "U0OWNER001")
    yield "away_modal", away_modal(ref, "2026-11-23", lang)
    counts: dict[str | None, Counter[str | None]] = {
        LONG[:n]: Counter({Status.ON_TRACK.value: 3, None: 2}) for n in range(1, 300)
    }
    changes = [StatusChange(i, Status.ON_TRACK, Status.OFF_TRACK) for i in MANY[:300]]
    answers = {i.id or 0: checkin(i.id or 0) for i in MANY[::2]}
    for page in (1, 2, 40):
        yield (
            f"home_{page}",
            home_view(
                cycle="2026-W48",
                mine=MANY,
                answers=answers,
                portfolio=counts,
                changes=changes,
                page=page,
                lang=lang,
            ),
        )
