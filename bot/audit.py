"""The audit trail: every write from Slack or the CLI says who did what, and when."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from storage.models import AuditLog


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    at: datetime,
    **details: Any,
) -> None:
    session.add(AuditLog(**_row(actor, action, entity, entity_id, at, details)))


def audit_all(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    at: datetime,
    entries: Iterable[tuple[object, dict[str, Any]]],
) -> None:
    """The same action on many entities at once (a ritual's batch): one bulk INSERT of their rows, given as
    (entity_id, details) pairs."""
    rows = [_row(actor, action, entity, entity_id, at, details) for entity_id, details in entries]
    if rows:
        session.execute(insert(AuditLog), rows)


def _row(
    actor: str, action: str, entity: str, entity_id: object, at: datetime, details: dict[str, Any]
) -> dict[str, Any]:
    return {
        "at": at,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "details": details,
    }
