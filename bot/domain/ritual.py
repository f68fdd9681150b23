"""The rituals' vocabulary: their names, and what one run of a ritual did (`RitualResult`).

Every ritual function returns `RitualResult`s; the tick logs them, `baton rituals run` prints their
summaries and exits 1 when one `failed`, and the sandbox shows them after a clock jump. Nobody reads a
result's text: its fields say what happened.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from storage.models import Ritual, RunState


class RitualName(StrEnum):
    """A ritual the tick runs, in the tick's order (`baton rituals run NAME`)."""

    CHECKIN = "checkin"  # each owner's Monday prompt
    REMINDERS = "reminders"  # the reminder to owners who have not answered, and the ones snoozes asked for
    DIGEST = "digest"  # the weekly digest, in the leadership and team channels
    ESCALATIONS = "escalations"  # the scan of the escalation rules
    COMMITTEE = "committee"  # the monthly arbitration committee's agenda
    REVIEW = "review"  # the quarterly review

    @property
    def claims(self) -> tuple[Ritual, ...]:
        """The kinds of claim (`RitualRun.ritual`) it makes."""
        return _CLAIMS[self]


_CLAIMS = {
    RitualName.CHECKIN: (Ritual.PROMPT,),
    RitualName.REMINDERS: (Ritual.REMINDER, Ritual.SNOOZE),
    RitualName.DIGEST: (Ritual.DIGEST,),
    RitualName.ESCALATIONS: (Ritual.ESCALATION,),
    RitualName.COMMITTEE: (Ritual.COMMITTEE,),
    RitualName.REVIEW: (Ritual.REVIEW,),
}


class NotQueued(StrEnum):
    """Why a channel ritual queued nothing in a channel, when no claim of it was found either."""

    NOT_DUE = "not due"
    MISSED = "missed"  # due longer ago than it is worth posting: not posted late
    NO_CHANNEL = "no leadership channel"


@dataclass(frozen=True)
class RitualResult:
    """What one run of a ritual did.

    checkin and reminders: one result for all the owners they looked at (`queued`, `skipped`).
    escalations: one result for the portfolio (`opened`, `updated`, `closed`, `reescalated`, `notes`).
    digest, committee, review: one result per channel (`channel`, `state`, `already_handled`, `detail`).
    """

    ritual: RitualName
    # the cycle of its claims: an ISO week, a month (committee) or a quarter (review); None for checkin
    # and reminders, which look at every cycle whose hour may have come somewhere on Earth
    cycle: str | None = None
    # a channel ritual's
    channel: str | None = None
    state: RunState | NotQueued | None = None  # queued by this run, or the state of the claim found
    already_handled: bool = False  # the claim was found: an earlier run or another replica handled it
    detail: str = ""  # what it queued ("2 message(s) and a file"), or when it is due
    # checkin's and reminders'
    queued: tuple[str, ...] = ()  # the owners whose prompt or reminder it queued
    skipped: tuple[tuple[str, str], ...] = ()  # (owner, why): recorded as skipped, nothing sent
    # the escalation scan's
    opened: int = 0
    updated: int = 0
    closed: int = 0  # because the rule no longer holds
    reescalated: int = 0
    notes: tuple[str, ...] = ()  # what kept it from running whole (no channel to alert in)

    @property
    def failed(self) -> bool:
        """Slack refused what it had to post, too recently for it to be tried again: its claim is `failed`."""
        return self.state == RunState.FAILED

    def summary(self) -> str:
        """What it did, for people: `baton rituals run` prints it, the sandbox shows it."""
        if self.state is not None:
            detail = "already handled" if self.already_handled else self.detail
            line = f"{self.ritual} {self.cycle} → {self.channel}: {self.state}"
            return line + (f" ({detail})" if detail else "")
        if self.ritual is RitualName.ESCALATIONS:
            counts = (
                f"escalations {self.cycle}: {self.opened} opened, {self.updated} updated, "
                f"{self.closed} closed (rule no longer holds), {self.reescalated} re-escalated"
            )
            return counts + "".join(f"; {note}" for note in self.notes)
        if self.ritual in (RitualName.CHECKIN, RitualName.REMINDERS):
            # named by what it claims: checkin, reminder
            text = f"{self.ritual.claims[0]}: {len(self.queued)} queued, {len(self.skipped)} skipped"
            reasons = Counter(reason for _, reason in self.skipped)
            return text + "".join(
                f"\n  skipped ({count}): {reason}" for reason, count in sorted(reasons.items())
            )
        return f"{self.ritual}: " + "; ".join(self.notes)

    def fields(self) -> dict[str, Any]:
        """The result as a log line's fields: what it counted, without the people's ids."""
        fields: dict[str, Any] = {"ritual": str(self.ritual), "failed": self.failed}
        if self.cycle is not None:
            fields["cycle"] = self.cycle
        if self.state is not None:
            fields |= {
                "channel": self.channel,
                "state": str(self.state),
                "already_handled": self.already_handled,
            }
        elif self.ritual is RitualName.ESCALATIONS:
            fields |= {
                "opened": self.opened,
                "updated": self.updated,
                "closed": self.closed,
                "reescalated": self.reescalated,
            }
        elif self.ritual in (RitualName.CHECKIN, RitualName.REMINDERS):
            fields |= {"queued": len(self.queued), "skipped": len(self.skipped)}
        if self.notes:
            fields["notes"] = list(self.notes)
        return fields
