"""What became of each owner's check-in prompt after a clock jump: the sandbox's notice says it per owner.

Read from the claims (`RitualRun`), which are the truth whoever ran the ritual (the jump, or the
background tick that saw the new time first); for an owner with no claim yet, the schedule's own functions
say when they will be asked: at their check-in hour, or at their next working morning when Baton "was
down" past the grace window (bot/rituals/checkin.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import col, select

from bot.config import Settings
from bot.domain.cycles import cycle_key, in_quarter
from bot.domain.schedule import Timing, catch_up_due, checkin_due, timing, zone
from bot.i18n import t
from bot.people import country_of
from bot.portfolio import quarters_of, responsible_people
from bot.sandbox.clock import short
from bot.workspace import load_workspace
from storage.db import session_scope
from storage.models import Person, Ritual, RitualRun, RunState


class Fate(StrEnum):
    SENT = "sent"  # at their check-in hour
    LATE = "late"  # at a later working morning, saying it is late
    FAILED = "failed"  # Slack refused it
    SKIPPED = "skipped"  # recorded as skipped, with why
    DUE_LATER = "due_later"  # their check-in hour has not come yet (another time zone)
    NEXT_MORNING = "next_morning"  # missed past the grace window: waits for their next working morning
    NOT_ASKED = "not_asked"  # nothing of theirs existed yet when it was due


@dataclass(frozen=True)
class PromptFate:
    owner: str
    fate: Fate
    at: datetime | None = None  # when it was or will be sent
    why: str = ""  # a skip's reason, as checkin records it

    def text(self, name: str, tz_name: str | None, lang: str) -> str:
        """One line of the notice, in `lang`; times in the owner's own zone, as they would read them."""
        tz = zone(tz_name) or ZoneInfo("UTC")
        when = f"{short(self.at, tz, lang)} ({tz.key})" if self.at else ""
        return t(f"sandbox.prompt.{self.fate}", lang, who=name, when=when, why=why_text(self.why, lang))


# checkin's reasons (bot/rituals/checkin.py), as a sandbox user reads them
REASONS = {
    "already answered": "sandbox.why.answered",
    "out of office": "sandbox.why.away",
    "deactivated or unknown in Slack": "sandbox.why.deactivated",
    "missed: due longer ago than the grace window": "sandbox.why.missed",
}


def why_text(why: str, lang: str) -> str:
    if why in REASONS:
        return t(REASONS[why], lang)
    if why.startswith("holiday: "):
        return t("sandbox.why.holiday", lang, name=why.removeprefix("holiday: "))
    return why


def prompt_fates(engine: Engine, settings: Settings, now: datetime) -> list[PromptFate]:
    """Each owner's prompt for the current cycle (the organisation's week at `now`)."""
    fates: list[PromptFate] = []
    with session_scope(engine) as session:
        cadence = load_workspace(session, settings).cadence
        cycle = cycle_key(now, cadence.tz)
        owners = responsible_people(session)
        quarters = quarters_of(session)
        people = {p.user_id: p for p in session.exec(select(Person).where(col(Person.user_id).in_(owners)))}
        claims = {
            run.target: run
            for run in session.exec(
                select(RitualRun).where(RitualRun.ritual == Ritual.PROMPT, RitualRun.cycle == cycle)
            )
        }
        for owner, initiatives in sorted(owners.items()):
            theirs = [i for i in initiatives if in_quarter(cycle, quarters[i.objective_id])]
            if not theirs:
                continue  # nothing of theirs runs this week: no prompt to account for
            person = people.get(owner)
            tz = zone(person.tz if person else None) or cadence.tz
            due = checkin_due(cycle, cadence, tz)
            claim = claims.get(owner)
            if claim is not None:
                fates.append(_claimed(owner, claim, due))
                continue
            if timing(due, now, cadence.grace) is Timing.EARLY:
                fates.append(PromptFate(owner, Fate.DUE_LATER, due))
            elif all(i.created_at > due for i in theirs):
                fates.append(PromptFate(owner, Fate.NOT_ASKED))
            else:
                morning = catch_up_due(cycle, due, now, cadence, tz, country_of(person))
                fates.append(PromptFate(owner, Fate.NEXT_MORNING, morning))
    return fates


def _claimed(owner: str, claim: RitualRun, due: datetime) -> PromptFate:
    if claim.state == RunState.SKIPPED:
        return PromptFate(owner, Fate.SKIPPED, claim.due_at, claim.error or "")
    if claim.state == RunState.FAILED:
        return PromptFate(owner, Fate.FAILED, claim.due_at, claim.error or "")
    late = claim.due_at is not None and claim.due_at > due
    return PromptFate(owner, Fate.LATE if late else Fate.SENT, claim.due_at)
