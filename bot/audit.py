"""The audit trail: every write from Slack or the CLI says who did what, and when."""

from datetime import datetime
from typing import Any

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
    session.add(
        AuditLog(
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            details=details,
        )
    )
