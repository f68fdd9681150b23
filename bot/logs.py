"""Structured logging: one JSON object per line on stderr, for Baton's logs and its libraries'.

Anything shaped like a Slack token is masked before it is written. No line carries a request body or
what a person typed: Bolt's report of a bad signature (the whole body) is dropped, and a database error is
written as its class and SQLSTATE, never with its statement, parameters or DETAIL (which quote values).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any

import structlog
from sqlalchemy.exc import StatementError

_TOKEN = re.compile(r"\b(xox[abpeor]|xapp)-[A-Za-z0-9-]+")


def _mask_tokens(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for name, value in event.items():
        if isinstance(value, str):
            event[name] = _TOKEN.sub(r"\1-***", value)
    return event


def _scrub_database_errors(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A traceback whose exception is a database error, rendered without the error's text: SQLAlchemy's
    message holds the SQL, and the driver's (chained as its cause) may quote a row's values."""
    exc_info = event.get("exc_info")
    if exc_info is True:
        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or not isinstance(exc_info[1], StatementError):
        return event
    error = exc_info[1]
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    summary = f"{type(error).__name__} ({type(orig).__name__}{f', {code}' if code else ''})"
    event["exception"] = (
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_tb(exc_info[2]))
        + f"{summary}: [message withheld: it may quote user data]"
    )
    event.pop("exc_info", None)
    if isinstance(event.get("event"), str):  # Bolt's "Failed to run listener function (error: ...)"
        event["event"] = event["event"].replace(str(error), summary)
    return event


def _no_request_bodies(record: logging.LogRecord) -> bool:
    """Bolt logs the whole body of a request whose signature fails, at INFO: an attacker's 20 MB, or a
    person's text and response_url replayed late. bot/server.py already refuses such requests, and says so
    without the body; this drops Bolt's line (records of Bolt's child loggers skip its filters)."""
    return not (record.name.startswith("slack_bolt") and "Invalid request signature" in str(record.msg))


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
            _scrub_database_errors,
            structlog.processors.format_exc_info,
            _mask_tokens,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_no_request_bodies)
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
