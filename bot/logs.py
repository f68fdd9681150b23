"""Structured logging: one JSON object per line on stderr, for Baton's logs and its libraries'.

Anything shaped like a Slack token is masked before it is written.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_TOKEN = re.compile(r"\b(xox[abpeor]|xapp)-[A-Za-z0-9-]+")


def _mask_tokens(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for name, value in event.items():
        if isinstance(value, str):
            event[name] = _TOKEN.sub(r"\1-***", value)
    return event


def configure_logging(level: str = "INFO") -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _mask_tokens,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" is not news
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations say what they apply, not each step
    logging.getLogger("slack_bolt").addFilter(_client_on_purpose)


def _client_on_purpose(record: logging.LogRecord) -> bool:
    """Bolt warns when SLACK_BOT_TOKEN is in the environment and a client is given: Baton always gives
    its own client, to honour SLACK_API_URL, so the warning says nothing."""
    return "As you gave `client` as well" not in record.getMessage()


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
