"""The `baton` command, run as a real process against the test database and the fake Slack."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.cli import cmd_rituals_run, parser
from bot.config import Settings
from bot.domain.ritual import NotQueued, RitualName, RitualResult
from bot.sandbox.webapi import FakeSlack
from bot.workspace import load_workspace
from storage.models import AuditLog, Initiative, Person, Role, RunState, Status, WorkspaceSettings
from tests.conftest import EXAMPLE_ROADMAP, LEADERSHIP_CHANNEL, run_baton
from tests.slack_requests import post_signed, signed_headers, slash_command_body, wait_for

REPO = Path(__file__).resolve().parents[1]


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_import_of_the_example_roadmap_is_idempotent(env: dict, tmp_path: Path, engine: Engine) -> None:
    first = run_baton(env, tmp_path, "import", str(EXAMPLE_ROADMAP), "--quarter", "2027-Q1")
    assert first.returncode == 0, first.stderr
    assert "4 initiatives created" in first.stdout and "6 roles created" in first.stdout
    audits = count(engine, AuditLog)
    second = run_baton(env, tmp_path, "import", str(EXAMPLE_ROADMAP), "--quarter", "2027-Q1")
    assert second.returncode == 0 and "4 unchanged" in second.stdout
    assert (count(engine, Initiative), count(engine, Role), count(engine, AuditLog)) == (4, 6, audits)
    with Session(engine) as session:
        assert sorted(session.exec(select(Role.name)).all()) == [
            "CFO",
            "CHRO",
            "IT",
            "Ops Manager",
            "PMO",
            "Sales",
        ]


def test_a_bad_file_is_reported_line_by_line_and_writes_nothing(
    env: dict, tmp_path: Path, engine: Engine
) -> None:
    bad = tmp_path / "roadmap.csv"
    bad.write_text(
        "Initiative;Objectif;KPI;Responsable;Trimestre\n"
        "Good one;+5 %;Revenue;CFO;2027-Q1\n"
        ";+5 %;Revenue;CFO;2027-Q1\n"
        "Third;+5 %;Revenue;CFO;2027-Q9\n",
        encoding="utf-8",
    )
    result = run_baton(env, tmp_path, "import", str(bad))
    assert result.returncode == 1
    assert "line 3: initiative is empty" in result.stderr and "line 4:" in result.stderr
    assert "nothing imported" in result.stderr and "Traceback" not in result.stderr
    assert count(engine, Initiative) == count(engine, Role) == count(engine, AuditLog) == 0


def test_a_csv_roadmap_imports_and_dry_run_writes_nothing(env: dict, tmp_path: Path, engine: Engine) -> None:
    roadmap = tmp_path / "roadmap.csv"
    roadmap.write_text(
        "Initiative,Objective,KPI,Owner,Department\n"
        "Cut churn,-15 % churn,Monthly churn (%),Head of CS + <@U0CS00001>,Customer\n"
    )
    dry = run_baton(env, tmp_path, "import", str(roadmap), "--dry-run")
    assert dry.returncode == 0 and "Dry run" in dry.stdout and count(engine, Initiative) == 0
    assert run_baton(env, tmp_path, "import", str(roadmap)).returncode == 0
    exported = json.loads(run_baton(env, tmp_path, "export").stdout)
    [initiative] = exported["initiatives"]
    assert initiative["owners"] == ["Head of CS", "<@U0CS00001>"]
    assert initiative["department"] == "Customer" and initiative["kpi"]["unit"] == "%"
    assert initiative["target"] == {"mode": "relative", "change": -15.0}


def test_export_carries_the_checkin_history(env: dict, tmp_path: Path, engine: Engine) -> None:
    run_baton(env, tmp_path, "import", str(EXAMPLE_ROADMAP), "--quarter", "2027-Q1")
    with Session(engine) as session:
        erp = session.exec(select(Initiative).where(Initiative.title_key == "deploiement erp phase 2")).one()
        from datetime import UTC, datetime

        from bot.portfolio import record_checkin
        from storage.models import CheckInSource

        record_checkin(
            session,
            initiative=erp,
            author="U0OWNER001",
            status=Status.ON_TRACK,
            kpi_value=55.0,
            comment="Entités FR live",
            source=CheckInSource.MODAL,
            cycle="2026-W48",
            now=datetime(2026, 11, 23, 10, tzinfo=UTC),
        )
        session.commit()
    data = json.loads(run_baton(env, tmp_path, "export", "--format", "json").stdout)
    assert set(data) == {"initiatives", "roles", "checkins"}
    [checkin] = data["checkins"]
    assert checkin | {"submitted_at": None} == checkin | {
        "initiative": "Déploiement ERP phase 2",
        "author": "U0OWNER001",
        "status": "on_track",
        "kpi_value": 55.0,
        "comment": "Entités FR live",
        "cycle": "2026-W48",
        "submitted_at": None,
    }
    assert checkin["submitted_at"].startswith("2026-11-23T10:00:00")
    out = tmp_path / "checkins.csv"
    assert run_baton(env, tmp_path, "export", "--format", "csv", "--output", str(out)).returncode == 0
    header, row = csv.reader(out.read_text(encoding="utf-8").splitlines())
    assert header[:6] == ["initiative", "cycle", "submitted_at", "author", "status", "kpi_value"]
    assert row[:2] == ["Déploiement ERP phase 2", "2026-W48"] and row[5] == "55.0"


def test_digest_posts_once_per_cycle(
    env: dict, tmp_path: Path, engine: Engine, fake_slack: FakeSlack
) -> None:
    run_baton(env, tmp_path, "import", str(EXAMPLE_ROADMAP))
    first = run_baton(env, tmp_path, "rituals", "run", "digest", "--at", "2026-11-23T16:00:00")
    assert first.returncode == 0, first.stderr
    assert "2026-W48" in first.stdout and "sent" in first.stdout
    again = run_baton(env, tmp_path, "rituals", "run", "digest", "--at", "2026-11-24T08:00:00+01:00")
    assert again.returncode == 0 and "already handled" in again.stdout
    posted, detail = fake_slack.calls_to("chat.postMessage")  # the head, then its thread
    assert posted["channel"] == LEADERSHIP_CHANNEL and detail["thread_ts"]
    assert "4 initiatives" in json.dumps(posted["blocks"], ensure_ascii=False)
    assert "Déploiement ERP phase 2" in json.dumps(detail["blocks"], ensure_ascii=False)
    next_week = run_baton(env, tmp_path, "rituals", "run", "digest", "--at", "2026-11-30T16:00:00+01:00")
    assert "2026-W49" in next_week.stdout and len(fake_slack.calls_to("chat.postMessage")) == 4


def test_a_failed_digest_is_reported_and_can_be_run_again(
    env: dict, tmp_path: Path, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "channel_not_found")
    failed = run_baton(env, tmp_path, "rituals", "run", "digest", "--at", "2026-11-23T16:00:00+01:00")
    assert failed.returncode == 1 and "channel_not_found" in failed.stdout
    # too soon to try again: nothing is sent this time, and the digest still stands failed
    soon = run_baton(env, tmp_path, "rituals", "run", "digest", "--at", "2026-11-23T16:05:00+01:00")
    assert soon.returncode == 1 and "failed (already handled)" in soon.stdout
    assert "channel_not_found" not in soon.stdout and "outbox:" not in soon.stdout
    retried = run_baton(env, tmp_path, "rituals", "run", "digest", "--at", "2026-11-23T17:00:00+01:00")
    assert retried.returncode == 0 and "sent" in retried.stdout


@pytest.mark.parametrize(
    ("state", "code"), [(RunState.FAILED, 1), (RunState.SENT, 0), (NotQueued.NOT_DUE, 0)]
)
def test_rituals_run_exits_1_when_a_result_failed_whatever_it_says(
    settings: Settings,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    state: RunState | NotQueued,
    code: int,
) -> None:
    """The exit code reads the results' `failed`, not their text: a failed result whose summary says
    nothing of it still makes `baton rituals run` exit 1."""

    class Terse(RitualResult):
        def summary(self) -> str:
            return "digest: done"

    def run_ritual(name: str, deps: object, client: object) -> list[RitualResult]:
        return [Terse(RitualName.DIGEST, "2026-W48", LEADERSHIP_CHANNEL, state, already_handled=True)]

    monkeypatch.setattr("bot.scheduler.run_ritual", run_ritual)
    args = parser().parse_args(["rituals", "run", "digest", "--at", "2026-11-23T16:00:00+01:00"])
    assert cmd_rituals_run(args, settings) == code
    assert capsys.readouterr().out == "digest: done\n"


@pytest.mark.parametrize(
    ("overrides", "args", "message"),
    [
        ({"SLACK_BOT_TOKEN": ""}, ("serve",), "missing setting SLACK_BOT_TOKEN"),
        ({"SLACK_SIGNING_SECRET": ""}, ("serve",), "missing setting SLACK_SIGNING_SECRET"),
        ({"SLACK_APP_TOKEN": ""}, ("socket",), "missing setting SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "abc"}, ("serve",), "invalid setting SLACK_BOT_TOKEN"),
        ({"PORT": "eighty"}, ("serve",), "invalid setting PORT"),
        ({"PORT": "70000"}, ("serve",), "invalid setting PORT"),
        ({"DATABASE_URL": "mysql://x/y"}, ("export",), "invalid setting DATABASE_URL"),
        ({"SLACK_API_URL": "slack.com"}, ("serve",), "invalid setting SLACK_API_URL"),
        ({"LEADERSHIP_CHANNEL": "leadership"}, ("export",), "invalid setting LEADERSHIP_CHANNEL"),
        ({"LEADERSHIP_CHANNEL": ""}, ("rituals", "run", "digest"), "missing setting LEADERSHIP_CHANNEL"),
        ({"BATON_TIMEZONE": "Mars/Olympus"}, ("export",), "invalid setting BATON_TIMEZONE"),
        ({"SLACK_BOT_TOKEN": "xoxb-revoked"}, ("serve",), "Slack refused SLACK_BOT_TOKEN"),
    ],
)
def test_a_bad_setting_stops_with_one_line_naming_it(
    env: dict, tmp_path: Path, overrides: dict, args: tuple, message: str
) -> None:
    result = run_baton({**env, **overrides}, tmp_path, *args)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert message in result.stderr
    if "xoxb-revoked" not in overrides.values():
        assert overrides.get("SLACK_BOT_TOKEN", "~") not in result.stderr or not overrides.get(
            "SLACK_BOT_TOKEN"
        )


def test_settings_come_from_dotenv(env: dict, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=not-a-port\n")
    result = run_baton(env, tmp_path, "export")
    assert result.returncode == 2 and "invalid setting PORT" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("serve",),
        ("socket",),
        ("import",),
        ("export",),
        ("rituals", "run"),
        ("db", "upgrade"),
        ("db",),
        ("rituals",),
        ("rituals", "status"),
        ("roles", "set"),
        ("settings", "set"),
    ],
)
def test_every_command_has_help(tmp_path: Path, env: dict, command: tuple) -> None:
    result = run_baton(env, tmp_path, *command, "--help")
    assert result.returncode == 0 and "usage: baton" in result.stdout


def test_db_upgrade(env: dict, tmp_path: Path) -> None:
    result = run_baton(
        {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}, tmp_path, "db", "upgrade"
    )
    assert result.returncode == 0 and (tmp_path / "fresh.db").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(env: dict, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        assert "xoxb-" + "test-token" not in output  # no token in the logs
        assert process.returncode == 0, output  # a clean stop: the workers finished and exited


def test_serve_answers_a_signed_update_and_opens_the_modal(
    env: dict, tmp_path: Path, served: str, fake_slack: FakeSlack
) -> None:
    run_baton(env, tmp_path, "import", str(EXAMPLE_ROADMAP))
    run_baton(env, tmp_path, "roles", "set", "PMO", "U0OWNER001")  # the ERP deployment is theirs to update
    trigger = "13345224609.738474920.8088930838d88f008e0"
    body = slash_command_body(
        "update ERP", user="U0OWNER001", response_url=fake_slack.response_url(), trigger_id=trigger
    )
    assert post_signed(served, body).status_code == 200  # how fast: bench/ack_latency.py
    assert wait_for(lambda: fake_slack.calls_to("views.open"))[0]["trigger_id"] == trigger
    assert httpx.get(f"{served}/healthz").json() == {"status": "ok", "db": "ok"}


def worker_pids(parent: int) -> list[int]:
    """`baton serve`'s worker processes: its children started by multiprocessing's spawn."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if ppid == parent and b"spawn_main" in cmdline:
            pids.append(int(stat.parent.name))
    return pids


def serve_pid(url: str) -> int:
    port = url.rsplit(":", 1)[1]
    [pid] = [
        int(p.parent.name)
        for p in Path("/proc").glob("[0-9]*/cmdline")
        if b"serve\0--port\0" + port.encode() in p.read_bytes()
    ]
    return pid


def test_serve_does_the_work_after_the_ack_in_its_worker_processes(
    env: dict, tmp_path: Path, served: str, fake_slack: FakeSlack
) -> None:
    """One worker dying is reported by /healthz (503), and the others go on with the work."""
    run_baton(env, tmp_path, "import", str(EXAMPLE_ROADMAP))
    run_baton(env, tmp_path, "roles", "set", "PMO", "U0OWNER001")
    workers = worker_pids(serve_pid(served))
    assert len(workers) >= 2
    os.kill(workers[0], signal.SIGKILL)
    wait_for(lambda: httpx.get(f"{served}/healthz").status_code == 503)
    assert httpx.get(f"{served}/healthz").json()["workers"] == "stopped"
    for _ in workers:  # round-robin: one of these goes to the dead worker's pipe first
        body = slash_command_body("update ERP", user="U0OWNER001", response_url=fake_slack.response_url())
        assert post_signed(served, body).status_code == 200
    wait_for(lambda: len(fake_slack.calls_to("views.open")) >= len(workers))
    assert len(fake_slack.calls_to("views.open")) == len(workers)  # none lost, none twice


def test_only_batons_own_dispatch_may_skip_an_ack_function(
    env: dict, tmp_path: Path, served: str, fake_slack: FakeSlack, engine: Engine
) -> None:
    """A signed request resent with Bolt's lazy-only marks would skip its ack function's checks (and
    answer nothing): the server drops the marks, so `/okr help` is still answered in the ack."""
    with Session(engine) as session:  # someone Baton knows: their help is the ack itself
        session.add(Person(user_id="U0OWNER001", locale="en-US", fetched_at=datetime.now(UTC)))
        session.commit()
    body = slash_command_body("help", user="U0OWNER001", response_url=fake_slack.response_url())
    marks = {"X-Slack-Bolt-Lazy-Only": "1", "X-Slack-Bolt-Lazy-Function-Name": "okr"}
    response = httpx.post(f"{served}/slack/events", content=body, headers={**signed_headers(body), **marks})
    assert response.status_code == 200 and "/okr update" in response.text


def test_roles_map_to_people_and_initiatives_follow(env: dict, tmp_path: Path, engine: Engine) -> None:
    run_baton(env, tmp_path, "import", str(EXAMPLE_ROADMAP))
    assert run_baton(env, tmp_path, "roles", "set", "CFO", "U0CFO0001", "<@U0CFO0002>").returncode == 0
    listed = run_baton(env, tmp_path, "roles", "list").stdout.splitlines()
    assert "CFO: U0CFO0001 U0CFO0002" in listed and "CHRO: (nobody)" in listed
    from bot.portfolio import responsible_people

    with Session(engine) as session:
        owners = responsible_people(session)
    assert [i.title for i in owners["U0CFO0002"]] == ["Revue prix-frais par segment"]
    run_baton(env, tmp_path, "roles", "set", "CFO", "U0CFO0003")
    with Session(engine) as session:
        assert set(responsible_people(session)) == {"U0CFO0003"}
    refused = run_baton(env, tmp_path, "roles", "set", "CFO", "bob")
    assert refused.returncode == 1 and "'bob' is not a Slack user id" in refused.stderr


def test_the_cadence_can_be_read_and_changed(env: dict, tmp_path: Path) -> None:
    shown = run_baton(env, tmp_path, "settings", "show").stdout.splitlines()
    assert (
        "checkin_day=mon" in shown
        and "checkin_hour=9" in shown
        and "timezone=Europe/Paris (BATON_TIMEZONE)" in shown
    )
    changed = run_baton(
        env,
        tmp_path,
        "settings",
        "set",
        "checkin_day=Tuesday",
        "checkin_hour=8",
        "holidays=2026-12-25,2027-05-01@fr",
    )
    assert changed.returncode == 0, changed.stderr
    assert {"checkin_day=tue", "checkin_hour=8", "holidays=2026-12-25,2027-05-01@FR"} <= set(
        changed.stdout.splitlines()
    )
    for bad, message in [
        ("checkin_hour=25", "checkin_hour: a whole number from 0 to 23"),
        ("timezone=Mars/Base", "timezone:"),
        ("holidays=2026-13-01", "holidays:"),
        ("nope=1", "nope: unknown setting"),
        ("checkin_hour", "write KEY=VALUE"),
    ]:
        result = run_baton(env, tmp_path, "settings", "set", "checkin_day=fri", bad)
        assert result.returncode == 1 and message in result.stderr, (bad, result.stderr)
    assert "checkin_day=tue" in run_baton(env, tmp_path, "settings", "show").stdout  # nothing half-applied


def test_rituals_status_shows_the_cycle(env: dict, tmp_path: Path, fake_slack: FakeSlack) -> None:
    run_baton(env, tmp_path, "import", str(EXAMPLE_ROADMAP), "--quarter", "2026-Q4")
    for role, user in (("Ops Manager", "U0PARIS01"), ("CFO", "U0NEWYORK"), ("CHRO", "U0GONE001")):
        run_baton(env, tmp_path, "roles", "set", role, user)
    fake_slack.add_user("U0PARIS01", name="Paris", tz="Europe/Paris")
    fake_slack.add_user("U0NEWYORK", name="New York", tz="America/New_York")  # not due before 15:00 Paris
    ran = run_baton(env, tmp_path, "rituals", "run", "checkin", "--at", "2026-11-23T10:00:00+01:00")
    assert ran.returncode == 0, ran.stderr
    assert "checkin: 1 queued, 1 skipped" in ran.stdout and "deactivated" in ran.stdout
    assert "outbox: 1 sent" in ran.stdout
    status = run_baton(env, tmp_path, "rituals", "status", "--at", "2026-11-23T10:05:00+01:00").stdout
    lines = status.splitlines()
    assert lines[0] == "cycle 2026-W48: 0 of 3 owners have answered everything"
    assert lines[2].split() == ["checkin", "2", "1", "0", "0", "1"]  # due, sent, queued, failed, skipped
    assert lines[-1] == "outbox: 1 sent"


# -- `make run` as people use it -------------------------------------------------------------------
def without_slack(env: dict) -> dict:
    return {name: value for name, value in env.items() if not name.startswith("SLACK_")}


def run_config_check(env: dict, cwd: Path) -> subprocess.CompletedProcess[str]:
    """What `make run` asks before it starts anything."""
    return subprocess.run(
        [sys.executable, "-m", "bot.config"], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_a_dotenv_copied_unchanged_from_the_example_means_the_sandbox(env: dict, tmp_path: Path) -> None:
    shutil.copy(REPO / ".env.example", tmp_path / ".env")
    env = without_slack(env)
    check = run_config_check(env, tmp_path)
    assert check.returncode == 1 and check.stdout.count("\n") == 1
    assert "placeholder" in check.stdout and "sandbox" in check.stdout
    served = run_baton(env, tmp_path, "serve")  # and `baton serve` refuses it by name, in one line
    assert served.returncode == 2 and served.stderr.count("\n") == 1
    assert "SLACK_BOT_TOKEN is still .env.example's placeholder" in served.stderr


def test_real_credentials_mean_serve_and_a_bad_setting_stops_make_run(env: dict, tmp_path: Path) -> None:
    assert run_config_check(env, tmp_path).returncode == 0
    unset = run_config_check(without_slack(env), tmp_path)
    assert unset.returncode == 1 and "SLACK_BOT_TOKEN is not set" in unset.stdout
    bad = run_config_check({**env, "PORT": "port"}, tmp_path)
    assert bad.returncode == 2 and "invalid setting PORT" in bad.stderr


def test_the_sandbox_listens_on_port(env: dict, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--database-url", f"sqlite:///{tmp_path / 's.db'}"],
        env={**without_slack(env), "PORT": str(port)},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert f"open http://127.0.0.1:{port}/" in process.stdout.readline()
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=20)


# -- one workspace: its time zone, not the environment's --------------------------------------------
def test_an_instant_without_offset_is_read_in_the_workspace_zone_not_batons_default(
    env: dict, tmp_path: Path
) -> None:
    env = {**env, "BATON_TIMEZONE": "UTC"}
    assert run_baton(env, tmp_path, "settings", "set", "timezone=Pacific/Kiritimati").returncode == 0
    # Sunday 3 January 23:30 on Kiritimati (UTC+14) is still 2026-W53 there; read in UTC, it would be
    # Monday 13:30 on Kiritimati, 2027-W01
    status = run_baton(env, tmp_path, "rituals", "status", "--at", "2027-01-03T23:30").stdout
    assert status.startswith("cycle 2026-W53:"), status


def test_the_workspace_zone_decides_the_quarter_and_today_everywhere(
    session: Session, settings: Settings
) -> None:
    noon_utc = datetime(2026, 12, 31, 12, tzinfo=UTC)  # already 1 January 2027 on Kiritimati
    utc = settings.model_copy(update={"baton_timezone": "UTC"})
    assert load_workspace(session, utc).quarter(noon_utc) == "2026-Q4"  # no zone set: BATON_TIMEZONE
    session.add(WorkspaceSettings(timezone="Pacific/Kiritimati"))
    session.commit()
    workspace = load_workspace(session, utc)
    assert (workspace.quarter(noon_utc), workspace.today(noon_utc)) == ("2027-Q1", date(2027, 1, 1))
    assert workspace.cadence.tz == workspace.tz and workspace.leadership == (LEADERSHIP_CHANNEL,)
