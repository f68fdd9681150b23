"""Writing to the outbox, inside the caller's transaction."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from storage.models import Delivery, DeliveryKind, DeliveryMethod, DeliveryState


def enqueue_post(
    session: Session,
    *,
    kind: DeliveryKind,
    channel: str,
    message: dict[str, Any],
    now: datetime,
    ritual_run_id: int | None = None,
) -> Delivery:
    """A chat.postMessage to `channel` (a user id posts to their DM with Baton)."""
    delivery = Delivery(
        kind=kind,
        channel=channel,
        payload=message,
        ritual_run_id=ritual_run_id,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    return delivery


@dataclass(frozen=True)
class Post:
    channel: str  # a channel id, or a user id for a DM
    message: dict[str, Any]
    ritual_run_id: int | None = None


def enqueue_posts(session: Session, *, kind: DeliveryKind, posts: Sequence[Post], now: datetime) -> None:
    """Many chat.postMessage at once (a ritual's fan-out): one bulk INSERT, no ORM object per row."""
    if not posts:
        return
    rows = [
        {
            "kind": kind,
            "method": DeliveryMethod.POST,
            "channel": post.channel,
            "payload": post.message,
            "ritual_run_id": post.ritual_run_id,
            "state": DeliveryState.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for post in posts
    ]
    session.execute(insert(Delivery), rows)


# What an image block of a message names until its file is uploaded: the sender puts the uploaded file's
# id in its place (or leaves the block out when the upload failed: the text never waits on a picture).
PENDING_FILE = "F_PENDING_UPLOAD"


@dataclass(frozen=True)
class File:
    """A file to upload (files_upload_v2): the digest's chart. Shared in the thread after the text; or,
    `in_head`, uploaded first and shared with nobody, for the thread's first message to show in an image
    block naming `PENDING_FILE` (Slack shows a file by id only once it exists)."""

    filename: str
    content: bytes
    title: str
    alt_txt: str
    in_head: bool = False


def enqueue_thread(
    session: Session,
    *,
    kind: DeliveryKind,
    channel: str,
    messages: Sequence[dict[str, Any]],
    now: datetime,
    ritual_run_id: int | None = None,
    file: File | None = None,
) -> Delivery:
    """A message and the rest of `messages` in its thread, in order, then `file` there too (or, `in_head`,
    uploaded before the first message, which shows it). Each waits for the one before it (its parent), so
    the thread reads in order and a refused part stops the ones after it rather than leaving a hole. The
    first message carries `ritual_run_id`: the claim ends as that post does."""
    payload = None
    if file is not None:
        payload = {
            "filename": file.filename,
            "title": file.title,
            "alt_txt": file.alt_txt,
            "content_b64": base64.b64encode(file.content).decode("ascii"),
        }
    if file is not None and payload is not None and file.in_head:
        upload = Delivery(
            kind=kind,
            method=DeliveryMethod.FILE,
            channel=channel,
            payload={**payload, "share": False},
            next_attempt_at=now,
            created_at=now,
        )
        session.add(upload)
        session.flush()
        head = _child(session, upload, kind=kind, method=DeliveryMethod.POST, payload=messages[0], now=now)
        head.ritual_run_id = ritual_run_id
    else:
        head = enqueue_post(
            session, kind=kind, channel=channel, message=messages[0], now=now, ritual_run_id=ritual_run_id
        )
    session.flush()
    last = head
    for message in messages[1:]:
        last = _child(session, last, kind=kind, method=DeliveryMethod.POST, payload=message, now=now)
    if payload is not None and file is not None and not file.in_head:
        _child(session, last, kind=kind, method=DeliveryMethod.FILE, payload=payload, now=now)
    return head


def enqueue_reply(
    session: Session, *, kind: DeliveryKind, parent: Delivery, message: dict[str, Any], now: datetime
) -> Delivery:
    """A reply in the thread of the message `parent` posts, however far that post is from being sent."""
    return _child(session, parent, kind=kind, method=DeliveryMethod.POST, payload=message, now=now)


def _child(
    session: Session,
    parent: Delivery,
    *,
    kind: DeliveryKind,
    method: str,
    payload: dict[str, Any],
    now: datetime,
) -> Delivery:
    child = Delivery(
        kind=kind,
        method=method,
        channel=parent.channel,
        payload=payload,
        parent_id=parent.id,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(child)
    session.flush()
    return child


def enqueue_update(
    session: Session,
    *,
    kind: DeliveryKind,
    message: dict[str, Any],
    now: datetime,
    channel: str,
    ts: str | None = None,
    parent: Delivery | None = None,
) -> Delivery:
    """A chat.update of the message at (`channel`, `ts`), or of the message `parent` posts (still queued
    or in flight: the sender waits for its ts). A pending update of the same message is replaced rather
    than queued behind: only the newest content matters."""
    if (ts is None) == (parent is None):
        raise ValueError("an update names its message: ts, or the parent delivery that posts it")
    same_parent = col(Delivery.parent_id) == parent.id if parent else col(Delivery.parent_id).is_(None)
    pending = session.exec(
        select(Delivery).where(
            Delivery.method == DeliveryMethod.UPDATE,
            Delivery.channel == channel,
            Delivery.state == DeliveryState.PENDING,
            same_parent,
        )
    ).all()
    content = {**message, "ts": ts} if ts else dict(message)
    for delivery in pending:
        if delivery.payload.get("ts") == ts and replace_pending(session, delivery, content, now=now):
            return delivery
    delivery = Delivery(
        kind=kind,
        method=DeliveryMethod.UPDATE,
        channel=channel,
        payload=content,
        parent_id=parent.id if parent else None,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    return delivery


def replace_pending(session: Session, delivery: Delivery, payload: dict[str, Any], *, now: datetime) -> bool:
    """Give a queued delivery new content, if no sender has claimed it yet: a compare-and-set on its
    state, so content changed while a sender takes the row is never lost (False: it was taken)."""
    changed = session.execute(
        update(Delivery)
        .where(col(Delivery.id) == delivery.id, col(Delivery.state) == DeliveryState.PENDING)
        .values(payload=payload, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.expire(delivery)
    return True


def failed_deliveries(session: Session, *, since: datetime) -> list[Delivery]:
    """Messages Slack refused for good (definitive errors, or retries exhausted) since `since`."""
    return list(
        session.exec(
            select(Delivery)
            .where(Delivery.state == DeliveryState.FAILED, col(Delivery.created_at) >= since)
            .order_by(col(Delivery.id))
        )
    )
