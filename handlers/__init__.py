"""Thin Bolt listeners, one module per surface: ack, parse, call bot/, respond. Each module's listeners
are module-level functions (a test can import one and call it with a mocked `ack`); `register(app)` wires
them, and one middleware hands every listener the app's Deps through Bolt's context."""

from collections.abc import Callable

from slack_bolt import App, BoltContext

from bot.deps import Deps
from handlers import actions, commands, errors, escalations, events, views


def register_all(app: App, deps: Deps) -> None:
    app.use(with_deps(deps))
    for module in (commands, actions, views, events, escalations, errors):
        module.register(app)


def with_deps(deps: Deps) -> Callable[[BoltContext, Callable[[], None]], None]:
    """The middleware: `context["deps"]` in every listener (read it with `bot.deps.deps_of`)."""

    def middleware(context: BoltContext, next: Callable[[], None]) -> None:
        context["deps"] = deps
        next()

    return middleware
