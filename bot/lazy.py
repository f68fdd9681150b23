"""Work after the ack. Every listener is split as Bolt's lazy listeners are: an ack function that answers
Slack within its 3 seconds (a modal submission is validated and written there, so its answer can show
errors), and a lazy function that does the rest (queries, `views.open`, messages).

Bolt runs a lazy function on AWS Lambda by invoking the function again with the same signed request,
marked lazy-only. Baton does the same everywhere: the request is dispatched again, marked lazy-only, so the
lazy function runs after every middleware (deps, the reader's language) as any listener does. In tests,
the sandbox and Socket Mode that second dispatch runs in a thread; `baton serve` hands it to worker
processes, each holding its own Bolt app and database engine, so that no query or Slack call after an ack
holds the ack process's GIL while other acks wait.
"""

from __future__ import annotations

import fcntl
import itertools
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from logging import Logger
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.lazy_listener import LazyListenerRunner
from slack_bolt.listener.thread_runner import ThreadListenerRunner
from slack_bolt.util.utils import get_arg_names_of_callable, get_name_for_callable

from bot.config import Settings
from bot.delivery.sender import Signal
from bot.deps import AFTER_ACK, Deps
from bot.logs import get_logger
from bot.scheduler import rituals_in_background

log = get_logger(__name__)

LAZY_THREADS = 8  # per process: lazy work mostly waits on Slack and the database
WORKER_NICENESS = 10  # on a busy machine the acks, which Slack times out after 3 s, go first
WORKER_START_SECONDS = 60
YIELD_SECONDS = 0.5
QUIET_SECONDS = 0.005
PIPE_BYTES = 1 << 20
# Bolt's marks of a lazy function's dispatch. Only Baton sets them: the HTTP server drops them from what
# arrives (a signed request resent with them would skip its ack function's checks).
LAZY_ONLY, LAZY_FUNCTION = "x-slack-bolt-lazy-only", "x-slack-bolt-lazy-function-name"


@dataclass(frozen=True)
class LazyRequest:
    """What a lazy function's second dispatch needs: the request as Slack sent it, marked lazy-only."""

    body: (
        str | dict[str, Any]
    )  # the raw body over HTTP (its signature is checked again); a dict in Socket Mode
    headers: Mapping[str, Sequence[str]]
    mode: str
    note: str | None  # what the ack function left for the lazy ones: `context["after_ack"]`

    @classmethod
    def of(cls, request: BoltRequest, function: str) -> LazyRequest:
        headers = {name: list(values) for name, values in request.headers.items()}
        headers[LAZY_ONLY] = ["1"]
        headers[LAZY_FUNCTION] = [function]
        body = request.raw_body if request.mode == "http" else request.body
        note = request.context.get(AFTER_ACK)
        return cls(body=body, headers=headers, mode=request.mode, note=str(note) if note else None)

    def bolt_request(self) -> BoltRequest:
        context = {AFTER_ACK: self.note} if self.note else None
        return BoltRequest(body=self.body, headers=dict(self.headers), mode=self.mode, context=context)


Failed = Callable[[Exception, BoltRequest], None]


class Redispatch(LazyListenerRunner):
    """Starts a lazy function by dispatching its request again: `send` takes it to a thread or a worker.
    Running it (in that second dispatch), a failure goes to `failed`, the app's error handler: Bolt's own
    runner would only log it, and the person who clicked would never learn that nothing was saved."""

    def __init__(self, send: Callable[[LazyRequest], None], logger: Logger, failed: Failed) -> None:
        self.send, self.logger, self.failed = send, logger, failed

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        self.send(LazyRequest.of(request, request.lazy_function_name or ""))

    def run(self, function: Callable[..., None], request: BoltRequest) -> None:
        arguments = build_required_kwargs(
            logger=self.logger,
            required_arg_names=get_arg_names_of_callable(function),
            request=request,
            response=None,
            this_func=function,
        )
        try:
            function(**arguments)
        except Exception as error:
            self.failed(error, request)


class HandOff(ThreadListenerRunner):
    """`baton serve`'s listener runner: Bolt's, except that a lazy function's request goes to the workers
    as Slack sent it. Bolt deep-copies the request and its context first, so that a thread can use them
    safely; a worker process needs none of it, and the copy was a third of an ack's time."""

    def __init__(self, runner: ThreadListenerRunner, send: Callable[[LazyRequest], None]) -> None:
        super().__init__(
            logger=runner.logger,
            process_before_response=runner.process_before_response,
            listener_error_handler=runner.listener_error_handler,
            listener_start_handler=runner.listener_start_handler,
            listener_completion_handler=runner.listener_completion_handler,
            listener_executor=runner.listener_executor,
            lazy_listener_runner=runner.lazy_listener_runner,  # unused: the lazy work goes to the workers
        )
        self.send = send

    def _start_lazy_function(self, lazy_func: Callable[..., None], request: BoltRequest) -> None:
        self.send(LazyRequest.of(request, get_name_for_callable(lazy_func)))


def in_threads(app: App) -> None:
    """The lazy work of `app` in a pool of this process's threads."""
    threads = ThreadPoolExecutor(LAZY_THREADS, thread_name_prefix="lazy")

    def send(job: LazyRequest) -> None:
        threads.submit(app.dispatch, job.bolt_request())

    def failed(error: Exception, request: BoltRequest) -> None:
        app.listener_runner.listener_error_handler.handle(error=error, request=request, response=None)

    app.listener_runner.lazy_listener_runner = Redispatch(send, app.logger, failed)


class WorkersFailed(RuntimeError):
    pass


class Workers:
    """`baton serve`'s worker processes. Requests go round-robin down one pipe per worker, written in the
    request's own thread (no feeder thread in the ack process competes with the acks for the GIL)."""

    def __init__(self, settings: Settings, processes: int, outbox_ready: Signal) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        ready = context.SimpleQueue()
        # When the ack process last began answering a request (time.monotonic() is the system's clock,
        # the same in every process): the workers start new work only once acks have been quiet a moment.
        self.last_request = context.RawValue("d", 0.0)
        self.pipes: list[tuple[Connection, threading.Lock]] = []
        self.processes: list[SpawnProcess] = []
        readers = []
        for n in range(processes):
            reader, writer = context.Pipe(duplex=False)
            _widen(writer)
            args = (settings, reader, ready, outbox_ready, self.last_request, n == 0)
            self.processes.append(context.Process(target=_work, args=args, daemon=True, name="baton-lazy"))
            self.pipes.append((writer, threading.Lock()))
            readers.append(reader)
        for process, reader in zip(self.processes, readers, strict=True):
            process.start()
            reader.close()  # the worker's now: a worker that dies leaves a broken pipe, not a full one
        if not self._started(ready):
            self.stop()
            raise WorkersFailed("a worker process did not start (its log says why)")
        self._turn = itertools.cycle(range(processes))

    def _started(self, ready: Any) -> bool:
        """Every worker has built its app: the first requests must not wait for a worker's imports."""
        deadline, started = time.monotonic() + WORKER_START_SECONDS, 0
        while started < len(self.processes) and time.monotonic() < deadline:
            if not ready.empty():
                ready.get()
                started += 1
            elif not self.alive():
                return False
            else:
                time.sleep(0.05)
        return started == len(self.processes)

    def attach(self, app: App) -> None:
        """Give `app`'s lazy functions to the workers (once every listener is registered)."""
        app._listener_runner = HandOff(app.listener_runner, self.send)

    def send(self, job: LazyRequest) -> None:
        payload = pickle.dumps(job)
        for _ in self.pipes:  # a worker that died is passed over (and /healthz says 503)
            pipe, lock = self.pipes[next(self._turn)]
            try:
                with lock:
                    pipe.send_bytes(payload)
                return
            except OSError:
                log.error("lazy.worker_gone")
        raise RuntimeError("no worker process is running")

    def answering(self) -> None:
        """The ack process begins answering a request."""
        self.last_request.value = time.monotonic()

    def alive(self) -> bool:
        return all(process.is_alive() for process in self.processes)

    def stop(self, timeout: float = 10) -> None:
        """Close the pipes: each worker finishes what it was given, then exits."""
        for pipe, lock in self.pipes:
            with lock:
                pipe.close()
        for process in self.processes:
            process.join(timeout)
            if process.is_alive():
                process.terminate()


def _widen(pipe: Connection) -> None:
    """A burst of requests waits in the pipe while the workers let the acks go first: make room for a
    few hundred (Linux; elsewhere the default size)."""
    with suppress(AttributeError, OSError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _work(
    settings: Settings, jobs: Connection, ready: Any, outbox_ready: Signal, last_request: Any, rituals: bool
) -> None:
    """A worker process: its own Bolt app (the token was checked by the parent) dispatching lazy requests.
    The first one also keeps the cadence (the rituals' tick and the outbox's sender), so that nothing but
    acks runs in the process that answers Slack."""
    from bot.app import build_app
    from bot.clock import system_clock
    from bot.logs import configure_logging
    from storage.db import open_current

    # The parent stops the workers by closing their pipes, once they have finished what they were given:
    # a Ctrl-C or a SIGTERM sent to the whole process group must not cut them short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)
    configure_logging(settings.log_level)
    deps = Deps(
        settings=settings,
        engine=open_current(settings.database_url),
        clock=system_clock,
        outbox_ready=outbox_ready,  # shared with the parent's sender
    )
    app = build_app(deps, token_verification=False)
    with ExitStack() as stack:
        if rituals:
            stack.enter_context(rituals_in_background(deps, app.client))
        threads = stack.enter_context(ThreadPoolExecutor(LAZY_THREADS, thread_name_prefix="lazy"))
        ready.put(os.getpid())
        _dispatch(app, jobs, threads, last_request)


def _dispatch(app: App, jobs: Connection, threads: ThreadPoolExecutor, last_request: Any) -> None:
    """Until the parent closes the pipe (the work running then is finished by the caller)."""
    while True:
        try:
            job: LazyRequest = pickle.loads(jobs.recv_bytes())
        except EOFError:
            return
        # Acks first: during a burst of requests the work after them waits (at most YIELD_SECONDS) for a
        # quiet moment, so that the acks, which Slack gives 3 seconds, have the machine to themselves.
        deadline = time.monotonic() + YIELD_SECONDS
        while (now := time.monotonic()) < deadline and now - last_request.value < QUIET_SECONDS:
            time.sleep(QUIET_SECONDS / 4)
        threads.submit(app.dispatch, job.bolt_request())
