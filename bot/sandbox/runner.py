"""`baton sandbox`: the workspace, Baton and the page in one process, wired as in production.

Baton runs unchanged: its Web API calls go to the workspace through `SLACK_API_URL`, and whatever a
person does in the page reaches Baton as Slack would send it — a signed HTTP request to its real
`POST /slack/events` (the signing secret is generated at start-up; nothing bypasses the check). What
Baton answers (ack bodies, `response_action`s, response_url posts) is shown as Slack would show it.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func
from sqlmodel import Session, col, select
from waitress.server import create_server

from bot import scheduler
from bot.config import Settings, load_settings
from bot.deps import Deps
from bot.domain.ritual import RitualName
from bot.i18n import t
from bot.logs import get_logger
from bot.sandbox import payloads
from bot.sandbox.clock import SandboxClock, describe, jump
from bot.sandbox.directory import ADMIN, LEADERSHIP, populate
from bot.sandbox.prompts import PromptFate, prompt_fates
from bot.sandbox.workspace import Target, Workspace, public_view
from storage.models import Delivery, DeliveryState

log = get_logger(__name__)
SENDING = (DeliveryState.PENDING, DeliveryState.SENDING)

TOKEN = "xoxb-sandbox-0000000000-baton"
SLACK_TIMEOUT = 3.0  # Slack gives an app 3 s to answer
SLACKBOT = "USLACKBOT"
SANDBOX_PACING = 0.1  # seconds between two posts to one channel


@dataclass(frozen=True)
class Notice:
    """What a clock jump did: the new time, each owner's prompt, the other rituals' summaries."""

    at: datetime
    lines: list[str]
    prompts: list[PromptFate] = field(default_factory=list)

    @property
    def headline(self) -> str:
        return t("sandbox.now", "en", when=describe(self.at))


@dataclass
class Sandbox:
    """Turns what a person does in the page into Slack's requests to Baton, and shows the outcome."""

    workspace: Workspace
    clock: SandboxClock
    deps: Deps
    client: WebClient  # Baton's own client, for the rituals a clock jump makes due
    events_url: str  # Baton's POST /slack/events
    secret: str
    notices: list[Notice] = field(default_factory=list)

    # -- typing --------------------------------------------------------------------------------------
    def send(
        self, user: str, channel: str, text: str, thread_ts: str | None = None, picked: Sequence[str] = ()
    ) -> None:
        """What a person typed in the composer; `picked`: the people they chose from its @ menu, in order."""
        text = text.strip()
        if not text:
            return
        if text.startswith("/"):
            self.slash(user, channel, text, picked)
        else:
            self.workspace.post_as(user, channel, text, thread_ts)

    def slash(self, user: str, channel: str, text: str, picked: Sequence[str] = ()) -> None:
        command, _, rest = text.partition(" ")
        if command != "/okr":
            self.workspace.ephemeral(
                user, channel, {"text": f"`{command}` is not a valid command. Baton's command is `/okr`."}
            )
            return
        ws = self.workspace
        body = payloads.slash_command(
            rest.strip(),
            user=ws.users[user],
            channel=ws.conversation(channel),
            response_url=ws.response_url_for(Target(user, channel)),
            trigger_id=ws.trigger(user),
            picked=[ws.users[person] for person in picked if person in ws.users],
        )
        status, answer = self._post(body)
        if status != 200:
            error = "operation_timeout" if status == 0 else "dispatch_failed"
            note = {"text": f'/okr failed with the error "{error}"'}
            ws.ephemeral(user, channel, note, sender=SLACKBOT)
        elif answer:
            self._show_command_answer(user, channel, text, answer)

    def _show_command_answer(self, user: str, channel: str, typed: str, answer: dict[str, Any]) -> None:
        if answer.get("response_type") == "in_channel":  # everyone sees the command and the answer
            self.workspace.post_as(user, channel, typed)
            self.workspace.bot_post(channel, answer)
        else:
            self.workspace.ephemeral(user, channel, answer)

    # -- clicking ------------------------------------------------------------------------------------
    def act(self, user: str, form: Mapping[str, Sequence[str]]) -> str | None:
        """A click or a pick in a message or a view; None, or what went wrong."""
        ws, first = self.workspace, _first(form)
        block_id, action_id, picked = first("_block"), first("_action"), list(form.get("_value", []))
        action_ts = f"{self.clock().timestamp():.6f}"
        if first("_source") == "view":
            view = ws.view(first("_view"))
            element = view and payloads.find_element(view["blocks"], block_id, action_id)
            if not view or not element:
                return "This view is no longer open."
            ws.set_state(view["id"], payloads.state_values(view, form))
            view = ws.view(view["id"]) or view
            block = _block(view["blocks"], block_id)
            body = payloads.view_actions(
                user=ws.users[user],
                action=payloads.action_of(block, element, picked, action_ts),
                view=public_view(view),
                trigger_id=ws.trigger(user),
            )
        else:
            channel, ts = first("_channel"), first("_ts")
            message = ws.message(channel, ts)
            element = message and payloads.find_element(message["blocks"], block_id, action_id)
            if not message or not element:
                return "This message has changed since: try again."
            ephemeral = "ephemeral_for" in message
            body = payloads.message_actions(
                user=ws.users[user],
                action=payloads.action_of(_block(message["blocks"], block_id), element, picked, action_ts),
                message=message,
                channel=ws.conversation(channel),
                ephemeral=ephemeral,
                response_url=ws.response_url_for(Target(user, channel, ts, ephemeral)),
                trigger_id=ws.trigger(user),
            )
        status, _ = self._post(body)
        return None if status == 200 else "Baton did not answer in time (Slack shows a warning sign)."

    # -- modals ---------------------------------------------------------------------------------------
    def submit(self, user: str, view_id: str, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        """Submit a modal: {} when done, {"errors": {block_id: message}} or {"error": text} to show."""
        ws = self.workspace
        view = ws.view(view_id)
        if view is None:
            return {"error": "This modal is no longer open."}
        ws.set_state(view_id, payloads.state_values(view, form))
        view = ws.view(view_id) or view
        body = payloads.view_submission(
            user=ws.users[user], view=public_view(view), trigger_id=ws.trigger(user)
        )
        status, answer = self._post(body)
        if status != 200:
            return {"error": "We had some trouble connecting. Try again?"}
        action = answer.get("response_action")
        problem: str | None = None
        if action == "errors":
            return {"errors": answer.get("errors") or {}}
        if action == "update":
            problem = ws.replace_view(user, view_id, answer.get("view") or {})
        elif action == "push":
            problem = ws.push_view(user, answer.get("view") or {})
        else:
            ws.close_view(user, view_id, all_views=action == "clear")
        return {"error": f"Slack refused Baton's answer: {problem}"} if problem else {}

    def close(self, user: str, view_id: str) -> None:
        ws = self.workspace
        view = ws.view(view_id)
        if view is None:
            return
        if view.get("notify_on_close"):
            self._post(payloads.view_closed(user=ws.users[user], view=public_view(view)))
        ws.close_view(user, view_id, all_views=bool(view.get("clear_on_close")))

    def open_home(self, user: str) -> None:
        """The person opened Baton's Home tab: Slack sends `app_home_opened`."""
        ws = self.workspace
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": ws.dm_of(user),
            "tab": "home",
            "event_ts": f"{self.clock().timestamp():.6f}",
        }
        if user in ws.homes:
            event["view"] = public_view(ws.homes[user])
        body = payloads.event_callback(event, event_time=int(self.clock().timestamp()))
        self._post(body, content_type="application/json")

    # -- the clock -------------------------------------------------------------------------------------
    def jump(self, key: str) -> str:
        """Move the clock, run what the rituals have due at that instant, and say what happened."""
        target = jump(key).to(self.clock())
        self.clock.set(target)
        done: list[str] = []  # what each ritual did, as people read it
        for name in scheduler.RITUALS:  # read at each jump: rituals added to Baton show up here
            try:
                results = scheduler.run_ritual(name, self.deps, self.client)
                # the check-in's counts give way to each owner's line (prompt_fates), which the
                # background tick's run, if it saw the new time first, cannot hide
                done += [r.summary() for r in results if r.ritual is not RitualName.CHECKIN]
            except Exception as exc:  # shown in the page rather than hidden in a log
                log.exception("sandbox.ritual_failed", ritual=str(name))
                done.append(f"{name}: failed ({type(exc).__name__}: {exc})")
        self.deps.outbox_ready.set()
        _, channels = self.workspace.names()
        named = [_named(line, channels) for summary in done for line in summary.splitlines() if line.strip()]
        try:
            fates = prompt_fates(self.deps.engine, self.deps.settings, target)
        except Exception as exc:
            log.exception("sandbox.prompt_fates_failed")
            fates, named = [], [*named, f"prompts: failed ({type(exc).__name__}: {exc})"]
        self.notices.append(Notice(target, named, fates))
        self.workspace.changed()
        return self.notices[-1].headline

    def sending(self) -> int:
        """How many messages Baton's outbox still has to send (the page says so, and waits)."""
        with Session(self.deps.engine) as session:
            waiting = select(func.count()).where(col(Delivery.state).in_(SENDING))
            return int(session.exec(waiting).one())

    # -- HTTP to Baton ---------------------------------------------------------------------------------
    def _post(self, body: str, *, content_type: str = payloads.FORM) -> tuple[int, dict[str, Any]]:
        """POST a signed request to Baton: (HTTP status, JSON answer or {}); status 0 if it timed out."""
        headers = payloads.sign(body, self.secret, content_type=content_type)
        request = urllib.request.Request(self.events_url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=SLACK_TIMEOUT) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except OSError:
            return 0, {}
        if status != 200:
            self.workspace.refusals.append({"method": "POST /slack/events", "error": f"HTTP {status}"})
        try:
            answer = json.loads(raw) if raw.strip() else {}
        except ValueError:
            answer = {"text": raw.decode(errors="replace")}  # a plain-text ack is shown as a message
        return status, answer if isinstance(answer, dict) else {}


def _named(text: str, channels: Mapping[str, str]) -> str:
    """Channel ids in a ritual's summary, as people know them (`C0LEADERS` → `#leadership`)."""
    return re.sub(r"\b[CD][A-Z0-9]{6,}\b", lambda m: f"#{channels[m[0]]}" if m[0] in channels else m[0], text)


def _first(form: Mapping[str, Sequence[str]]) -> Any:
    return lambda name: (form.get(name) or [""])[0]


def _block(blocks: Sequence[dict[str, Any]], block_id: str) -> dict[str, Any]:
    return next(block for block in blocks if block.get("block_id") == block_id)


# -- start and stop ------------------------------------------------------------------------------------
@dataclass
class Running:
    sandbox: Sandbox
    url: str
    stop_event: threading.Event
    threads: list[threading.Thread]
    closers: list[Any]

    def stop(self) -> None:
        for close in reversed(self.closers):
            with contextlib.suppress(Exception):
                close()
        for thread in self.threads:
            thread.join(timeout=5)


def sandbox_settings(workspace: Workspace, database_url: str, secret: str) -> Settings:
    """Baton's settings in the sandbox: nothing from .env, everything pointing at the workspace."""
    return load_settings(
        _env_file=None,
        slack_bot_token=TOKEN,
        slack_signing_secret=secret,
        slack_api_url=workspace.api_url,
        database_url=database_url,
        leadership_channel=LEADERSHIP,
        baton_timezone="Europe/Paris",
        baton_admins=ADMIN,
    )


def start(*, port: int, database_url: str, start_at: datetime, demo: bool) -> Running:
    """Start the workspace (API and page on `port`), Baton on a free local port, and the rituals."""
    from bot.app import build_app
    from bot.delivery.sender import Sender, SenderConfig
    from bot.sandbox import web  # registers the page on the workspace's HTTP server
    from bot.sandbox.demo import clear_tables, load_demo
    from bot.server import make_wsgi
    from bot.slack import make_sender_client
    from storage.db import open_current

    clock = SandboxClock(start_at)
    workspace = Workspace(token=TOKEN, clock=clock)
    populate(workspace)
    workspace.start(port)
    secret = secrets.token_hex(16)
    settings = sandbox_settings(workspace, database_url, secret)
    engine = open_current(settings.database_url)
    if demo:
        clear_tables(engine)
        load_demo(engine, settings, clock())
    deps = Deps(settings=settings, engine=engine, clock=clock)
    app = build_app(deps)
    server = create_server(make_wsgi(app, engine), host="127.0.0.1", port=0, threads=8, ident="baton")
    events_url = f"http://127.0.0.1:{server.effective_port}/slack/events"  # type: ignore[union-attr]
    sandbox = Sandbox(workspace, clock, deps, app.client, events_url, secret)
    web.attach(workspace, sandbox)
    # Slack paces a channel at about one message a second; nothing is paced here, so a demo need not wait.
    pacing = SenderConfig(channel_interval=SANDBOX_PACING)
    sender = Sender(engine, make_sender_client(settings), clock, config=pacing, wake=deps.outbox_ready)
    background = scheduler.start_background(deps, app.client, sender)
    serving = threading.Thread(target=_serve, args=(server,), name="baton-http", daemon=True)
    serving.start()
    log.info("sandbox.started", url=workspace.base_url, baton=events_url, now=clock().isoformat())
    return Running(
        sandbox=sandbox,
        url=workspace.base_url,
        stop_event=threading.Event(),
        threads=[serving],
        closers=[workspace.stop, engine.dispose, server.close, background.shutdown],
    )


def _serve(server: Any) -> None:
    with contextlib.suppress(OSError):  # close() from another thread ends waitress's loop this way
        server.run()


@contextlib.contextmanager
def running(**options: Any) -> Iterator[Running]:
    handle = start(**options)
    try:
        yield handle
    finally:
        handle.stop()
