"""The decision modal's submission, shared by the escalation alert's Decide and the committee agenda's
Record decision: they differ only in what records the decision (one escalation, or every open one of an
initiative). Checked and saved in the ack, so that a problem shows in the modal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.deps import deps_of
from bot.escalations import Refusal
from bot.i18n import t
from bot.views import ids
from bot.views.checkin import InvalidForm
from bot.views.escalation import read_decision
from bot.workspace import workspace_of

Record = Callable[..., Refusal | None]  # (engine, settings, client, *, workspace, form, user, now)


def submitted(
    record: Record,
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
) -> None:
    deps = deps_of(context)
    now = deps.clock()
    workspace = workspace_of(deps.engine, deps.settings)  # the one load of this submission
    try:
        form = read_decision(view, today=workspace.today(now))
    except InvalidForm as invalid:
        ack(response_action="errors", errors=invalid.errors)
        return
    refusal = record(
        deps.engine, deps.settings, client, workspace=workspace, form=form, user=body["user"]["id"], now=now
    )
    if refusal:
        ack(
            response_action="errors",
            errors={ids.ESC_DECISION_BLOCK: t(refusal.key, form.lang, **refusal.values)},
        )
        return
    ack()
    deps.outbox_ready.set()
