"""How fast does Baton ack `/okr update`, next to a bare Bolt app that only acks?

One run, one machine: a fake Slack Web API, `baton serve` (SQLite, the example roadmap imported) and
bench/bare_app.py (the same Bolt setup and the same waitress server, but a listener that only calls
`ack()`) each run in their own process. The same signed `/okr update ERP` slash command is sent to both by
`--concurrency` keep-alive connections, in alternating blocks (bare, baton, baton, bare, ...) so that
machine noise falls on both alike. Before the next block starts, Baton's work after the ack (the query and
`views.open`) is allowed to finish, so one app's tail never lands on the other's block.

    .venv/bin/python bench/ack_latency.py [--requests 400] [--concurrency 8] [--warmup 20]

Prints requests, errors, p50 and p99 of the ack latency (time from sending the POST to reading the whole
response, per request) for each app, and the ratio of the p99s against the goal (Baton within 1.5x).
Exits 1 if any request failed or Baton did not open a modal for every request; with --check, exits 2
when the goal is missed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from math import ceil
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
ROADMAP = REPO / "bot" / "sandbox" / "roadmap-q1.md"  # the example roadmap the sandbox demo loads
TOKEN = "xoxb-test-token"  # what the fake Slack accepts
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
COMMAND_TEXT = "update ERP"  # matches one initiative: "Déploiement ERP phase 2"
GOAL = 1.5  # Baton's p99 within this many times the bare app's
SLACK_DEADLINE = 3.0  # seconds: Slack shows the user an error for an ack slower than this


# -- the fake Slack, in its own process ---------------------------------------------------------------
def run_fake_slack() -> int:
    """Serve the fake Slack Web API; print its URLs, then answer `count METHOD` lines on stdin until EOF."""
    sys.path.insert(0, str(REPO))
    from bot.sandbox.webapi import FakeSlack

    slack = FakeSlack(token=TOKEN).start()
    print(slack.api_url, flush=True)
    print(slack.response_url("bench"), flush=True)
    for line in sys.stdin:
        verb, _, method = line.strip().partition(" ")
        if verb == "count":
            print(len(slack.calls_to(method)), flush=True)
    slack.stop()
    return 0


class FakeSlackProcess:
    def __init__(self, log: IO[bytes]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--fake-slack"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
        )
        self.api_url = self._readline()
        self.response_url = self._readline()

    def _readline(self) -> str:
        assert self.process.stdout
        line = self.process.stdout.readline().strip()
        if not line:
            raise RuntimeError("the fake Slack did not start (see its log)")
        return line

    def count(self, method: str) -> int:
        assert self.process.stdin
        self.process.stdin.write(f"count {method}\n")
        self.process.stdin.flush()
        return int(self._readline())


# -- processes ----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def baton_command() -> list[str]:
    script = Path(sys.executable).parent / "baton"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


@dataclass
class Procs:
    running: list[tuple[str, subprocess.Popen[Any]]] = field(default_factory=list)

    def add(self, name: str, process: subprocess.Popen[Any]) -> subprocess.Popen[Any]:
        self.running.append((name, process))
        return process

    def stop_all(self) -> None:
        for _name, process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
        for _name, process in reversed(self.running):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_healthy(
    name: str, process: subprocess.Popen[Any], port: int, log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail(log)}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise RuntimeError(f"{name} was not healthy on port {port} after {timeout:.0f}s:\n{tail(log)}")


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# -- the load -----------------------------------------------------------------------------------------
class Load:
    """Signed `/okr update` commands to one app, over `concurrency` keep-alive connections."""

    def __init__(self, name: str, port: int, concurrency: int, response_url: str) -> None:
        self.name, self.port = name, port
        self.connections = [self._connect() for _ in range(concurrency)]
        self.response_url = response_url
        self.verifier = SignatureVerifier(SIGNING_SECRET)
        self.latencies: list[float] = []  # seconds, measured requests only
        self.errors: list[str] = []
        self.busy = 0.0  # wall time spent in measured blocks
        self.measured = 0  # requests sent in measured blocks
        self.acked = 0  # requests answered 200, warm-up included
        self.sent = 0
        self._lock = threading.Lock()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, n: int) -> tuple[str, dict[str, str]]:
        body = urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": "T0BATON01",
                "team_domain": "baton",
                "channel_id": "C0GENERAL1",
                "channel_name": "general",
                "user_id": "U0BENCH001",
                "user_name": "bench",
                "command": "/okr",
                "text": COMMAND_TEXT,
                "api_app_id": "A0BATON01",
                "is_enterprise_install": "false",
                "response_url": self.response_url,
                "trigger_id": f"13345224609.738474920.{n:032x}",
            }
        )
        stamp = str(int(time.time()))
        signature = self.verifier.generate_signature(timestamp=stamp, body=body)
        assert signature
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        }
        return body, headers

    def post(self, slot: int, body: str, headers: dict[str, str]) -> tuple[int, float]:
        """One POST on connection `slot`: its status, and seconds from sending it to reading the answer."""
        conn = self.connections[slot]
        started = time.perf_counter()
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started

    def reconnect(self, slot: int) -> None:
        self.connections[slot].close()
        self.connections[slot] = self._connect()

    def block(self, count: int, *, measure: bool = True) -> None:
        """Send `count` requests, `len(self.connections)` at a time; wait for every answer."""
        todo = iter(range(self.sent, self.sent + count))
        self.sent += count
        latencies: list[float] = []
        errors: list[str] = []

        def worker(slot: int) -> None:
            first = True
            while True:
                with self._lock:
                    n = next(todo, None)
                if n is None:
                    return
                body, headers = self.request(n)
                try:
                    try:
                        status, elapsed = self.post(slot, body, headers)
                    except ConnectionError:
                        if not first:
                            raise
                        # the server may close a keep-alive connection left idle since the last block
                        self.reconnect(slot)
                        status, elapsed = self.post(slot, body, headers)
                except (OSError, http.client.HTTPException) as exc:
                    self.reconnect(slot)
                    with self._lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                finally:
                    first = False
                with self._lock:
                    latencies.append(elapsed)
                    if status == 200:
                        self.acked += 1
                    else:
                        errors.append(f"HTTP {status}")

        slots = range(len(self.connections))
        threads = [threading.Thread(target=worker, args=(slot,), daemon=True) for slot in slots]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if measure:
            self.busy += time.perf_counter() - started
            self.measured += count
            self.latencies += latencies
            self.errors += errors
        elif errors:
            self.errors += [f"warm-up: {error}" for error in errors]

    def close(self) -> None:
        for conn in self.connections:
            conn.close()


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


def wait_for_modals(slack: FakeSlackProcess, expected: int, timeout: float = 60) -> int:
    """Let Baton finish its work after the ack: wait until it has opened `expected` modals in all."""
    deadline = time.monotonic() + timeout
    while (opened := slack.count("views.open")) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return opened


# -- the run ------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Ack latency of Baton's /okr update beside a bare Bolt app.")
    parser.add_argument("--requests", type=int, default=400, help="measured requests per app (default: 400)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (default: 8)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per app (default: 20)")
    parser.add_argument("--block", type=int, default=50, help="requests per alternating block (default: 50)")
    parser.add_argument("--log-level", default="INFO", help="Baton's LOG_LEVEL (default: INFO)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")
    parser.add_argument("--check", action="store_true", help="exit 2 when Baton's p99 misses the goal")
    parser.add_argument("--fake-slack", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.requests, args.concurrency, args.block) < 1 or args.warmup < 0:
        parser.error("--requests, --concurrency and --block must be positive, --warmup not negative")
    return args


@contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt, so the servers are stopped however the run is stopped."""

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.fake_slack:
        return run_fake_slack()
    tmp = Path(tempfile.mkdtemp(prefix="baton-bench-"))
    procs = Procs()
    try:
        with interruptible():
            return run(args, tmp, procs)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"ack_latency: {exc}", file=sys.stderr)
        return 1
    finally:
        procs.stop_all()
        if args.keep:
            sys.stdout.flush()
            print(f"kept {tmp} (database and logs)", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path, procs: Procs) -> int:
    logs = {name: tmp / f"{name}.log" for name in ("fake-slack", "baton", "bare")}
    with logs["fake-slack"].open("wb") as log:
        slack = FakeSlackProcess(log)
    procs.add("fake-slack", slack.process)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BATON_", "DATABASE_", "PORT"))}
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=f"sqlite:///{tmp / 'baton.db'}",
        BATON_TIMEZONE="Europe/Paris",
        LOG_LEVEL=args.log_level,
    )
    imported = subprocess.run(
        [*baton_command(), "import", str(ROADMAP)], cwd=tmp, env=env, capture_output=True, text=True
    )
    if imported.returncode != 0:
        raise RuntimeError(f"baton import failed:\n{imported.stderr.strip()}")
    # the sender owns the ERP deployment (PMO), so each request takes the real path: permission, modal
    owner = subprocess.run(
        [*baton_command(), "roles", "set", "PMO", "U0BENCH001"],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
    )
    if owner.returncode != 0:
        raise RuntimeError(f"baton roles set failed:\n{owner.stderr.strip()}")

    ports = {"bare": free_port(), "baton": free_port()}
    listen = ["--host", "127.0.0.1", "--port"]
    commands = {
        "baton": [*baton_command(), "serve", *listen, str(ports["baton"])],
        "bare": [sys.executable, str(BENCH / "bare_app.py"), *listen, str(ports["bare"])],
    }
    servers = {}
    for name, command in commands.items():
        with logs[name].open("wb") as log:
            servers[name] = procs.add(
                name,
                subprocess.Popen(
                    command, cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                ),
            )
    for name, process in servers.items():
        wait_healthy(name, process, ports[name], logs[name])

    bare = Load("bare", ports["bare"], args.concurrency, slack.response_url)
    baton = Load("baton", ports["baton"], args.concurrency, slack.response_url)
    modals_before = slack.count("views.open")  # Bolt's start-up calls none, but do not assume it

    def after(load: Load) -> None:
        if load is baton:  # let Baton's post-ack work finish before the other app's block
            wait_for_modals(slack, modals_before + baton.acked)

    print(
        f"{args.requests} requests per app, {args.concurrency} concurrent, {args.warmup} warm-up, "
        f"blocks of {args.block}; `/okr {COMMAND_TEXT}`; {os.cpu_count()} CPUs",
        flush=True,
    )
    for load in (bare, baton):
        if args.warmup:
            load.block(args.warmup, measure=False)
            after(load)
    sizes = [min(args.block, args.requests - start) for start in range(0, args.requests, args.block)]
    for i, size in enumerate(sizes):
        for load in (bare, baton) if i % 2 == 0 else (baton, bare):  # ABBA: neither always goes first
            load.block(size)
            after(load)
    opened = wait_for_modals(slack, modals_before + baton.acked) - modals_before
    bare.close()
    baton.close()

    report(bare, baton, opened)
    failed = bool(bare.errors or baton.errors) or opened != baton.acked
    if failed:
        return 1
    ratio = percentile(baton.latencies, 99) / percentile(bare.latencies, 99)
    missed = ratio > GOAL or max(baton.latencies) >= SLACK_DEADLINE
    return 2 if args.check and missed else 0


def report(bare: Load, baton: Load, opened: int) -> None:
    print()
    print(f"{'app':<6} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>7}")
    for load in (bare, baton):
        ms = [latency * 1000 for latency in load.latencies]
        rate = len(ms) / load.busy if load.busy else 0.0
        print(
            f"{load.name:<6} {load.measured:>8} {len(load.errors):>6} {percentile(ms, 50):>8.1f} "
            f"{percentile(ms, 99):>8.1f} {max(ms, default=float('nan')):>8.1f} {rate:>7.0f}"
        )
    ratio = percentile(baton.latencies, 99) / percentile(bare.latencies, 99)
    p50_ratio = percentile(baton.latencies, 50) / percentile(bare.latencies, 50)
    verdict = "PASS" if ratio <= GOAL else "FAIL"
    print()
    print(f"p99 baton/bare: {ratio:.2f}x (goal <= {GOAL}x): {verdict}   (p50 baton/bare: {p50_ratio:.2f}x)")
    slowest = max(baton.latencies, default=float("nan"))
    within = "PASS" if slowest < SLACK_DEADLINE else "FAIL"
    deadline = f"Slack's deadline: {SLACK_DEADLINE * 1000:.0f} ms"
    print(f"slowest Baton ack: {slowest * 1000:.1f} ms ({deadline}): {within}")
    print(f"views.open from Baton: {opened} for {baton.acked} acked requests (warm-up included)")
    for load in (bare, baton):
        shown = sorted(set(load.errors))[:5]
        for error in shown:
            print(f"{load.name} error: {error} (x{load.errors.count(error)})")
    if opened != baton.acked:
        print("Baton did not open a modal for every acked request: see its log (run with --keep)")


if __name__ == "__main__":
    with suppress(BrokenPipeError):
        sys.exit(main())
