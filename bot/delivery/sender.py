"""The sender: drains the outbox exactly once, as fast as Slack allows and no faster.

- Claiming is a compare-and-set (`pending` → `sending`, with `FOR UPDATE SKIP LOCKED` on PostgreSQL), so
  several processes on one database share the work and never send the same row twice.
- A 429 pauses every worker of this process for `Retry-After`; each channel gets at most one message per
  `channel_interval` (Slack's pace for chat.postMessage).
- Timeouts, network errors and 5xx are retried with exponential backoff and jitter; definitive errors
  (`channel_not_found`, `user_not_found`, ...) are recorded and never retried.
- Every post carries its delivery id in the message metadata. A row whose earlier attempt may have reached
  Slack (a timeout, a 5xx, or a sender that died holding it) is looked up in the channel's history before
  any resend: a crash between Slack's answer and our commit never makes a duplicate.
"""

from __future__ import annotations

import base64
import multiprocessing.synchronize
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, exists, func, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from bot.clock import Clock
from bot.delivery.outbox import PENDING_FILE
from bot.logs import get_logger
from storage.db import session_scope
from storage.models import Delivery, DeliveryMethod, DeliveryState, RitualRun

log = get_logger(__name__)

# What wakes the sender when something was queued: a process-shared event when the writer is a worker
# process of `baton serve` (bot/lazy.py).
Signal = threading.Event | multiprocessing.synchronize.Event

METADATA_EVENT = "baton_delivery"
RETRYABLE = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "timeout",
}
# What conversations.history/replies answer where Baton cannot read (not a member, or a channel it cannot
# see): verification is impossible there, not merely late, so it is not retried.
UNREADABLE = frozenset({"not_in_channel", "channel_not_found", "thread_not_found", "missing_scope"})
JOIN_REFUSED = frozenset({"method_not_supported_for_channel_type", "is_archived", "channel_not_found"})
HOST = socket.gethostname()
# Slack processes an upload after files.completeUploadExternal answers: a message naming the file that
# soon is refused (invalid_blocks, "invalid slack file"). It is tried again after the backoff, this many
# times with the file, then without it: the text never waits on a picture.
FILE_ATTEMPTS = 3


@dataclass(frozen=True)
class SenderConfig:
    concurrency: int = 8
    channel_interval: float = 1.0  # seconds between two posts to one channel
    lease: timedelta = timedelta(
        seconds=60
    )  # after this, a `sending` row of another host is checked and retried
    max_attempts: int = 6
    backoff: float = 2.0  # seconds, doubled on each attempt, with jitter
    max_backoff: float = 300.0
    rate_limit_retries: int = 50  # 429s met in one attempt before giving the row back


@dataclass
class DrainStats:
    sent: int = 0
    recovered: int = 0  # found already posted when checked
    retried: int = 0
    failed: int = 0
    ratelimited: int = 0

    def add(self, other: DrainStats) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class _Outcome:
    state: str  # sent, retry, failed
    channel: str | None = None
    ts: str | None = None
    error: str | None = None
    recovered: bool = False
    ratelimited: int = 0
    file_id: str | None = None  # a file uploaded without being shared: what a message shows it by


class RateGate:
    """Pacing shared by the workers of one process."""

    def __init__(self, channel_interval: float) -> None:
        self._interval = channel_interval
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._paused_at = 0.0
        self._next_by_channel: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        """Return when a message may go to `channel`: no pause is on, and its slot in the channel's pace is
        reserved. Coming out of a pause reserves a slot too: otherwise the post retried after a 429 would
        not count, and the next part of its thread would follow it too closely and be refused in turn."""
        while True:
            with self._lock:
                now = time.monotonic()
                reserved = self._paused_until <= now
                if reserved:
                    start = max(now, self._next_by_channel.get(channel, 0.0))
                    self._next_by_channel[channel] = start + self._interval
                    delay = start - now
                else:
                    delay = self._paused_until - now
            if delay > 0:
                time.sleep(delay)
            if reserved and self._paused_until <= time.monotonic():
                return

    def pause(self, seconds: float, *, sent_at: float) -> None:
        """Hold every worker for `seconds` after a 429 to a request sent at `sent_at` (monotonic). The other
        requests already in flight then come back 429 too: they say nothing new, and do not stretch it."""
        with self._lock:
            if sent_at <= self._paused_at:
                return
            self._paused_at = time.monotonic()
            self._paused_until = max(self._paused_until, self._paused_at + seconds)


@dataclass
class Sender:
    engine: Engine
    client: WebClient
    clock: Clock
    config: SenderConfig = field(default_factory=SenderConfig)
    worker_id: str = field(default_factory=lambda: f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    wake: Signal = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.gate = RateGate(self.config.channel_interval)
        # Rows in hand are renewed three times per lease: held through a long Retry-After, they never look
        # abandoned to another replica; only a sender that is gone stops renewing.
        self._renew_every = self.config.lease.total_seconds() / 3

    # -- draining ----------------------------------------------------------------------------------
    def drain(self) -> DrainStats:
        """Send everything due now; return when nothing due is left (rows waiting for a backoff stay).
        While anything is in flight this loop is also the heartbeat of the rows it holds."""
        stats = DrainStats()
        in_flight: dict[Future[DrainStats], int] = {}
        renewed = time.monotonic()
        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="sender") as pool:
            while True:
                room = 2 * self.config.concurrency - len(in_flight)
                if room > 0:
                    for delivery, verify in self._claim(room):
                        in_flight[pool.submit(self._send, delivery, verify)] = delivery.id or 0
                if not in_flight:
                    return stats
                done, _ = wait(in_flight, timeout=min(1.0, self._renew_every), return_when=FIRST_COMPLETED)
                for future in done:
                    del in_flight[future]
                    stats.add(future.result())
                if in_flight and time.monotonic() - renewed >= self._renew_every:
                    self._renew(list(in_flight.values()))
                    renewed = time.monotonic()

    def drain_all(self, *, timeout: float = 600.0) -> DrainStats:
        """Drain until nothing is pending or in flight, waiting out backoffs and other senders."""
        stats = DrainStats()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats.add(self.drain())
            wait_for = self._seconds_to_next_due()
            if wait_for is None:
                return stats
            time.sleep(min(max(wait_for, 0.05), 1.0))
        return stats

    def run(self, stop: threading.Event, idle: float = 1.0) -> None:
        """Drain forever (inside `baton serve`); a handler that queues something sets `wake`."""
        while not stop.is_set():
            try:
                self.drain()
            except Exception:  # a broken drain must not kill the thread that sends everything else
                log.exception("sender.drain_failed")
            self.wake.wait(idle)
            self.wake.clear()

    # -- claiming ----------------------------------------------------------------------------------
    def _claim(self, limit: int) -> list[tuple[Delivery, bool]]:
        """Up to `limit` rows, moved to `sending` by us; the flag says "check Slack before sending"."""
        now = self.clock()
        with session_scope(self.engine) as session:
            due = session.exec(
                select(Delivery.id)
                .where(
                    Delivery.state == DeliveryState.PENDING,
                    col(Delivery.next_attempt_at) <= now,
                    _ready,
                )
                .order_by(col(Delivery.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            claimed = list(
                session.exec(
                    update(Delivery)
                    .where(col(Delivery.id).in_(due), col(Delivery.state) == DeliveryState.PENDING)
                    .values(state=DeliveryState.SENDING, claimed_by=self.worker_id, claimed_at=now)
                    .returning(col(Delivery.id))
                ).scalars()
            )
            orphans = self._orphans(session, now, limit - len(claimed))
            rows = session.exec(select(Delivery).where(col(Delivery.id).in_(claimed + orphans))).all()
        recovered = set(orphans)
        return [(row, row.id in recovered or row.attempts > 0) for row in rows]

    def _renew(self, delivery_ids: list[int]) -> None:
        """Renew the lease of the rows this sender holds (a heartbeat while it waits out a 429)."""
        with session_scope(self.engine) as session:
            session.execute(
                update(Delivery)
                .where(
                    col(Delivery.id).in_(delivery_ids),
                    col(Delivery.claimed_by) == self.worker_id,
                    col(Delivery.state) == DeliveryState.SENDING,
                )
                .values(claimed_at=self.clock())
            )

    def _orphans(self, session: Any, now: datetime, limit: int) -> list[int]:
        """`sending` rows whose sender died: gone from this host, or silent past the lease elsewhere."""
        if limit <= 0:
            return []
        candidates = session.exec(
            select(Delivery.id, Delivery.claimed_by, Delivery.claimed_at)
            .where(Delivery.state == DeliveryState.SENDING, col(Delivery.claimed_by) != self.worker_id)
            .order_by(col(Delivery.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        taken = []
        for delivery_id, owner, claimed_at in candidates:
            if not (_dead_here(owner) or claimed_at < now - self.config.lease):
                continue
            result = session.exec(
                update(Delivery)
                .where(col(Delivery.id) == delivery_id, col(Delivery.claimed_by) == owner)
                .values(claimed_by=self.worker_id, claimed_at=now)
            )
            if result.rowcount == 1:
                taken.append(delivery_id)
                log.warning("delivery.orphan", delivery=delivery_id, previous_sender=owner)
        return taken

    def _seconds_to_next_due(self) -> float | None:
        with session_scope(self.engine) as session:
            next_at = session.exec(  # a child waiting for its parent is due when the parent is: not before
                select(func.min(Delivery.next_attempt_at)).where(
                    Delivery.state == DeliveryState.PENDING, _ready
                )
            ).one()
            sending = session.exec(
                select(func.count()).select_from(Delivery).where(Delivery.state == DeliveryState.SENDING)
            ).one()
        if next_at is None and not sending:
            return None
        if next_at is None:
            return 0.2  # another sender holds rows: wait for it (or for its lease)
        return (next_at - self.clock()).total_seconds()

    # -- sending -----------------------------------------------------------------------------------
    def _deliver(self, delivery: Delivery, verify: bool) -> _Outcome:
        payload, channel = dict(delivery.payload), delivery.channel
        shows_file = False
        uploaded = self._uploaded_above(delivery)
        if uploaded is not None:  # the thread's first message, showing the file uploaded before it
            file_id = uploaded if delivery.attempts < FILE_ATTEMPTS else None
            payload, shows_file = _with_file(payload, file_id)
            if uploaded and not file_id:
                log.warning("delivery.file_left_out", delivery=delivery.id, file=uploaded)
        elif delivery.parent_id is not None:
            place = self._place_of(delivery)
            if isinstance(place, str):
                return _Outcome("failed", error=place)
            channel, parent_ts, thread_ts = place
            if delivery.method == DeliveryMethod.UPDATE:
                payload["ts"] = parent_ts
            else:
                payload["thread_ts"] = thread_ts
        if delivery.method == DeliveryMethod.UPDATE:
            ts = payload.pop("ts")
            return self._call(channel, lambda: self.client.chat_update(channel=channel, ts=ts, **payload))
        unshared = delivery.method == DeliveryMethod.FILE and not payload.get("share", True)
        if verify and not unshared:  # a file shared with nobody is in no history: uploaded again
            try:
                found = self._verified(delivery, channel, payload.get("thread_ts"))
            except SlackApiError as exc:
                return _Outcome("retry", error=f"unverifiable: {exc.response.get('error')}")
            except OSError as exc:
                return _Outcome("retry", error=f"unverifiable: {type(exc).__name__}")
            if found is not None:
                return _Outcome("sent", channel=found[0], ts=found[1], recovered=True)
        if delivery.method == DeliveryMethod.FILE:
            return self._call(channel, lambda: self._upload(channel, payload))
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"delivery_id": delivery.id}}
        outcome = self._call(
            channel, lambda: self.client.chat_postMessage(channel=channel, metadata=metadata, **payload)
        )
        if shows_file and outcome.state == "failed" and outcome.error == "invalid_blocks":
            return replace(outcome, state="retry", error="invalid_blocks: the file is not ready")
        return outcome

    def _uploaded_above(self, delivery: Delivery) -> str | None:
        """For a message whose parent uploaded a file without sharing it: that file's id ("" when the
        upload failed); None for any other delivery."""
        if delivery.parent_id is None or delivery.method != DeliveryMethod.POST:
            return None
        with session_scope(self.engine) as session:
            parent = session.get_one(Delivery, delivery.parent_id)
            if parent.method != DeliveryMethod.FILE or parent.payload.get("share", True):
                return None
            return str(parent.payload.get("file_id") or "") if parent.state == DeliveryState.SENT else ""

    def _place_of(self, delivery: Delivery) -> tuple[str, str, str] | str:
        """Where a child goes, from its parent's message: (channel, the parent's ts, the ts of the thread's
        first message, which a reply's thread_ts must name); or why it cannot go (the parent failed)."""
        with session_scope(self.engine) as session:
            parent = session.get_one(Delivery, delivery.parent_id)
            if parent.state != DeliveryState.SENT or not (parent.message_channel and parent.message_ts):
                error = parent.error or "parent_failed"
                return error if error.startswith("parent_failed") else f"parent_failed: {error}"
            root = parent
            while (
                root.parent_id is not None and root.method == DeliveryMethod.POST
            ):  # a reply: up to its head
                above = session.get_one(Delivery, root.parent_id)
                if above.method == DeliveryMethod.FILE:  # a head that shows the file uploaded before it
                    break
                root = above
            return parent.message_channel, parent.message_ts, root.message_ts or parent.message_ts

    def _upload(self, channel: str, payload: dict[str, Any]) -> dict[str, Any]:
        """files_upload_v2 of a file kept base64 in the outbox; Slack shares it as a message of its own,
        or (`share` false) with nobody: the next message shows it by its id."""
        upload = dict(payload)
        content = base64.b64decode(upload.pop("content_b64"))
        if not upload.pop("share", True):
            response = self.client.files_upload_v2(content=content, **upload)
            return {"channel": channel, "ts": None, "file_id": response["file"]["id"]}
        self.client.files_upload_v2(channel=channel, content=content, **upload)
        return {"channel": channel, "ts": None}

    def _call(self, channel: str, send: Callable[[], Any]) -> _Outcome:
        ratelimited = 0
        for _ in range(self.config.rate_limit_retries):
            self.gate.wait(channel)
            sent_at = time.monotonic()
            try:
                response = send()
            except SlackApiError as exc:
                if exc.response.status_code == 429:
                    ratelimited += 1
                    self.gate.pause(float(exc.response.headers.get("Retry-After", 1)), sent_at=sent_at)
                    continue
                error = str(exc.response.get("error", f"http_{exc.response.status_code}"))
                state = "retry" if error in RETRYABLE or exc.response.status_code >= 500 else "failed"
                return _Outcome(state, error=error, ratelimited=ratelimited)
            except OSError as exc:  # timeouts and network errors: the message may or may not be there
                return _Outcome("retry", error=f"network: {type(exc).__name__}", ratelimited=ratelimited)
            return _Outcome(
                "sent",
                channel=response["channel"],
                ts=response.get("ts"),
                ratelimited=ratelimited,
                file_id=response.get("file_id"),
            )
        return _Outcome("retry", error="ratelimited", ratelimited=ratelimited)

    def _verified(self, delivery: Delivery, channel: str, thread_ts: str | None) -> tuple[str, str] | None:
        """`_find_posted`, where Baton can read. Slack lets it post where it cannot read (chat:write.public
        in a channel it is not in: `not_in_channel`): it joins a public channel once and looks again; where
        it still cannot read, correctness never depends on history: the outbox's own stored ts decides
        (every post Slack answered is stored), and the row is sent, logged once."""
        try:
            return self._find_posted(delivery, channel, thread_ts)
        except SlackApiError as exc:
            error = str(exc.response.get("error"))
            if error not in UNREADABLE:
                raise
        if error == "not_in_channel" and channel.startswith("C"):
            try:
                self.client.conversations_join(channel=channel)
                return self._find_posted(delivery, channel, thread_ts)
            except SlackApiError as exc:
                if str(exc.response.get("error")) not in UNREADABLE | JOIN_REFUSED:
                    raise
        log.warning("delivery.unverifiable", delivery=delivery.id, channel=channel, error=error)
        if delivery.message_ts:  # Slack's answer was stored: it is there
            return delivery.message_channel or channel, delivery.message_ts
        return None

    def _find_posted(self, delivery: Delivery, channel: str, thread_ts: str | None) -> tuple[str, str] | None:
        """The (channel, ts) of this delivery's message if an earlier attempt did post it. A thread reply
        is looked for among the thread's replies: a channel's history does not hold them. A file is known
        by its name (Slack's file messages carry no metadata of ours)."""
        if channel.startswith(("U", "W")):
            channel = self.client.conversations_open(users=channel)["channel"]["id"]
        if thread_ts:
            found = self.client.conversations_replies(
                channel=channel, ts=thread_ts, limit=200, include_all_metadata=True
            )
        else:
            found = self.client.conversations_history(channel=channel, limit=200, include_all_metadata=True)
        messages: list[dict[str, Any]] = found.get("messages") or []
        if delivery.method == DeliveryMethod.FILE:
            name = delivery.payload.get("filename")
            shared = (m for m in messages if any(f.get("name") == name for f in m.get("files") or []))
            return next(((channel, str(m["ts"])) for m in shared), None)
        for message in messages:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT and (
                metadata.get("event_payload", {}).get("delivery_id") == delivery.id
            ):
                return channel, str(message["ts"])
        return None

    # -- recording ---------------------------------------------------------------------------------
    def _send(self, delivery: Delivery, verify: bool) -> DrainStats:
        """Deliver and record, in the worker thread: the drain loop only claims and counts."""
        try:
            outcome = self._deliver(delivery, verify)
        except Exception as exc:  # a bug in one send must not stop the others: give the row back
            log.exception("delivery.crashed", delivery=delivery.id)
            outcome = _Outcome("retry", error=f"crash: {type(exc).__name__}")
        return self._finish(delivery, outcome)

    def _finish(self, delivery: Delivery, outcome: _Outcome) -> DrainStats:
        now = self.clock()
        stats = DrainStats(ratelimited=outcome.ratelimited)
        with session_scope(self.engine) as session:
            row = session.get_one(Delivery, delivery.id)
            if row.claimed_by != self.worker_id:  # taken over meanwhile (we looked dead): theirs now
                return stats
            row.error = outcome.error
            if outcome.state == "sent":
                row.state, row.sent_at = DeliveryState.SENT, now
                row.message_channel, row.message_ts = outcome.channel, outcome.ts
                if outcome.file_id:  # kept for the message that shows it; the bytes are no longer needed
                    row.payload = {**row.payload, "file_id": outcome.file_id, "content_b64": ""}
                stats.sent, stats.recovered = 1, int(outcome.recovered)
            elif outcome.state == "retry" and row.attempts + 1 < self.config.max_attempts:
                row.attempts += 1
                row.state = DeliveryState.PENDING
                delay = min(self.config.max_backoff, self.config.backoff * 2 ** (row.attempts - 1))
                row.next_attempt_at = now + timedelta(seconds=delay * random.uniform(0.5, 1.5))
                stats.retried = 1
            else:
                row.state = DeliveryState.FAILED
                row.attempts += 1
                stats.failed = 1
            if row.ritual_run_id is not None and row.state in (DeliveryState.SENT, DeliveryState.FAILED):
                run = session.get_one(RitualRun, row.ritual_run_id)
                run.state, run.finished_at = str(row.state), now
                run.message_ts, run.error = row.message_ts, row.error
        log.info(
            "delivery." + str(row.state),
            delivery=row.id,
            kind=row.kind,
            method=row.method,
            channel=row.channel,
            attempts=row.attempts,
            error=row.error,
            recovered=outcome.recovered,
        )
        return stats


_parent = aliased(Delivery)
# A delivery with a parent goes once the parent is done: sent (its ts is known), or failed (the child then
# fails too, saying why). Not before: neither to a sender nor as the next thing due.
_ready = col(Delivery.parent_id).is_(None) | exists().where(
    col(_parent.id) == col(Delivery.parent_id),
    col(_parent.state).in_((DeliveryState.SENT, DeliveryState.FAILED)),
)


def _with_file(payload: dict[str, Any], file_id: str | None) -> tuple[dict[str, Any], bool]:
    """The message with `file_id` in its image blocks that name `PENDING_FILE`, or without those blocks
    (no file to show); and whether it shows the file."""
    blocks: list[dict[str, Any]] = []
    shown = False
    for block in payload.get("blocks") or []:
        if block.get("type") == "image" and (block.get("slack_file") or {}).get("id") == PENDING_FILE:
            if not file_id:
                continue
            block, shown = {**block, "slack_file": {"id": file_id}}, True
        blocks.append(block)
    return ({**payload, "blocks": blocks} if "blocks" in payload else payload), shown


def _dead_here(owner: str | None) -> bool:
    """True when `owner` was a sender process on this host that no longer runs."""
    if not owner:
        return True
    host, _, rest = owner.partition(":")
    if host != HOST:
        return False
    pid = int(rest.split(":")[0]) if rest.split(":")[0].isdigit() else -1
    if pid == os.getpid():
        return False  # another Sender of this very process (tests): alive by definition
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
