"""What every listener and ritual needs, built once at start-up and handed down."""

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.clock import Clock
from bot.config import Settings


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    clock: Clock
