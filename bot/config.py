"""Settings from the environment and `.env`: the only place that reads either.

A missing or malformed setting raises `ConfigError` with one line naming it; the CLI prints that line
and stops.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///baton.db"
# What .env.example ships for the secrets: a .env copied unchanged holds these, which are not credentials.
PLACEHOLDERS = {
    "SLACK_BOT_TOKEN": "xoxb-your-bot-token",
    "SLACK_SIGNING_SECRET": "your-signing-secret",
}
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")
_CHANNEL = re.compile(r"^(?:[CGD][A-Z0-9]{2,}|#[a-z0-9][a-z0-9._-]{0,79})$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line that names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    port: int = Field(default=3000, ge=1, le=65535)
    baton_host: str = "0.0.0.0"  # the address `baton serve` binds; 127.0.0.1 behind a local proxy
    leadership_channel: str | None = None
    baton_timezone: str = "UTC"
    log_level: str = "INFO"
    baton_admins: str = ""  # Slack user ids, comma-separated

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL (e.g. sqlite:///baton.db)") from None
        if url.drivername in ("postgres", "postgresql"):  # plain URLs get the driver we ship
            url = url.set(drivername="postgresql+psycopg")
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("must be an sqlite:/// or postgresql+psycopg:// URL")
        return url.render_as_string(hide_password=False)

    @field_validator("baton_host", mode="before")
    @classmethod
    def _host(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            try:
                return str(ipaddress.ip_address(value.strip("[]")))
            except ValueError:
                if not _HOSTNAME.match(value):
                    raise ValueError(
                        "must be an IP address (0.0.0.0, 127.0.0.1, ::) or a host name"
                    ) from None
        return value

    @field_validator("leadership_channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip() or None
        if value is not None and not _CHANNEL.match(value):
            raise ValueError("must be a channel id (C0123ABCD) or a #channel-name")
        return value

    @field_validator("baton_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Europe/Paris") from None
        return value

    @field_validator("baton_admins")
    @classmethod
    def _admins(cls, value: str) -> str:
        ids = [part.strip() for part in value.split(",") if part.strip()]
        if any(not re.match(r"^[UW][A-Z0-9]{6,}$", user) for user in ids):
            raise ValueError("must be Slack user ids separated by commas, e.g. U0123ABCD,U0456EFGH")
        return ",".join(ids)

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(filter(None, self.baton_admins.split(",")))

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return value.upper()

    @property
    def org_timezone(self) -> ZoneInfo:
        return ZoneInfo(self.baton_timezone)

    def secret(self, name: str) -> str:
        """The value of a required secret setting (e.g. `SLACK_BOT_TOKEN`), or a ConfigError naming it."""
        self.require(name)
        return str(getattr(self, name.lower()).get_secret_value())

    def require(self, *names: str) -> None:
        for name in names:
            value = getattr(self, name.lower())
            if value is None:
                raise ConfigError(f"missing setting {name}: set it in the environment or in .env")
            if self._is_placeholder(name):
                raise ConfigError(
                    f"setting {name} is still .env.example's placeholder: put the app's own value in .env"
                )

    def _is_placeholder(self, name: str) -> bool:
        value = getattr(self, name.lower())
        return name in PLACEHOLDERS and value is not None and value.get_secret_value() == PLACEHOLDERS[name]

    @property
    def slack_configured(self) -> bool:
        """A real bot token is set: `make run` serves Slack; otherwise it starts the sandbox."""
        return self.slack_bot_token is not None and not self._is_placeholder("SLACK_BOT_TOKEN")


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; a bad one becomes a one-line ConfigError that names it (and never its value)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "setting"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"invalid setting {name}: {message}") from None


def main() -> int:
    """`python -m bot.config`: how `make run` chooses. Exit 0 when Slack credentials are set; 1, with a
    one-line notice, when they are not (the sandbox then starts); 2 when a setting is malformed."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"baton: {exc}", file=sys.stderr)
        return 2
    if settings.slack_configured:
        return 0
    why = "is the placeholder from .env.example" if settings.slack_bot_token else "is not set"
    print(f"SLACK_BOT_TOKEN {why}: starting the local Slack sandbox instead of `baton serve`.")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
