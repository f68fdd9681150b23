"""Thin Bolt listeners, one module per surface: ack, parse, call bot/, respond. Each listener is an ack
function (answers Slack within 3 s) and, for what comes after, a lazy function (bot/lazy.py); both are
module-level functions a test can import and call. `register(app)` wires them, and one middleware hands
every listener the app's Deps through Bolt's context."""

from collections.abc import Callable

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot.delivery.replays import Replays, request_key
from bot.deps import Deps
from bot.logs import get_logger
from bot.people import reader_language
from bot.workspace import workspace_of
from handlers import actions, closeout, commands, committee, errors, escalations, events, views
from handlers.typed import typed_input

log = get_logger(__name__)


def register_all(app: App, deps: Deps) -> None:
    app.use(once(deps))  # after Bolt's own middleware: only requests whose signature holds are counted
    app.use(with_deps(deps))
    app.use(typed_input)  # NUL bytes refused, bidi controls dropped: before any listener reads the text
    for module in (commands, actions, views, events, escalations, closeout, committee, errors):
        module.register(app)


Middleware = Callable[[BoltContext, BoltRequest, Callable[[], None]], None]


def with_deps(deps: Deps) -> Middleware:
    """The middleware: `context["deps"]` for every listener (read it with `bot.deps.deps_of`), and for the
    work after an ack (a lazy function's dispatch, see bot/lazy.py) the Workspace and the language of
    whoever the request comes from (`workspace_of_request`, `lang_of`). An ack function reads nothing."""

    def middleware(context: BoltContext, request: BoltRequest, next: Callable[[], None]) -> None:
        context["deps"] = deps
        if request.lazy_only:
            workspace = context["workspace"] = workspace_of(deps.engine, deps.settings)
            context["lang"] = reader_language(
                deps.engine, context.client, context.user_id, default=workspace.language, now=deps.clock()
            )
        next()

    return middleware


def once(deps: Deps) -> Callable[[BoltRequest, Callable[[], None]], BoltResponse | None]:
    """The middleware that makes a replayed request, or an Events API retry of an event already received,
    acknowledged and otherwise ignored (bot/delivery/replays.py). A lazy function's dispatch is Baton's
    own (the server drops the lazy marks from what arrives): it goes through, and prunes old keys."""
    replays = Replays(deps.engine, deps.clock)

    def middleware(request: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
        if request.lazy_only:
            replays.prune()
            next()
            return None
        key = request_key(request.body, request.raw_body)
        if key is None or replays.first_time(key):
            next()
            return None
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        log.info("request.replayed", kind=key.partition(":")[0], retry=retry)
        return BoltResponse(status=200, body="")

    return middleware
