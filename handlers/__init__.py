"""Thin Bolt listeners, one module per surface: ack, parse, call bot/, respond."""

from slack_bolt import App

from bot.deps import Deps
from handlers import actions, commands, errors, escalations, events, views


def register_all(app: App, deps: Deps) -> None:
    for module in (commands, actions, views, events, escalations, errors):
        module.register(app, deps)
