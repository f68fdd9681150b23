"""People as Slack knows them, cached: time zone (when to prompt), locale, and whether they still exist."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.i18n import DEFAULT, language
from bot.logs import get_logger
from storage.db import session_scope
from storage.models import Person, WorkspaceSettings

log = get_logger(__name__)

FRESH_FOR = timedelta(hours=24)
USERS_INFO_LIMIT = 20  # above this many stale people, one paginated users.list is cheaper


def refresh_people(engine: Engine, client: WebClient, user_ids: Iterable[str], *, now: datetime) -> None:
    """Fetch the people not seen for a day. Slack being unreachable is logged: the cache (or the
    organisation's time zone) serves meanwhile."""
    wanted = set(user_ids)
    with session_scope(engine) as session:
        known = {p.user_id: p for p in session.exec(select(Person).where(col(Person.user_id).in_(wanted)))}
    stale = sorted(u for u in wanted if u not in known or _stale(known[u], now))
    if not stale:
        return
    try:
        found = (
            _users_list(client, set(stale)) if len(stale) > USERS_INFO_LIMIT else _users_info(client, stale)
        )
    except SlackApiError as exc:
        log.warning("people.refresh_failed", error=exc.response.get("error"))
        return
    except OSError as exc:
        log.warning("people.refresh_failed", error=type(exc).__name__)
        return
    rows = [_person(user_id, found.get(user_id), now) for user_id in stale]
    with session_scope(engine) as session:
        _save_people(session, rows)
    for row in rows:
        if row["deleted"]:
            log.warning("people.deactivated", user=row["user_id"])


def _save_people(session: Session, rows: list[dict[str, Any]]) -> None:
    """An upsert of what Slack said: a second replica saving the same people at once is no conflict."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(Person).values(rows)
    fields = [name for name in rows[0] if name != "user_id"]
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"], set_={name: statement.excluded[name] for name in fields}
        )
    )


def cached_people(engine: Engine, emails: Iterable[str]) -> dict[str, tuple[str, bool]]:
    """The e-mails Baton already knows the Slack user of: e-mail → (user id, deactivated)."""
    wanted = {email.lower() for email in emails}
    if not wanted:
        return {}
    with session_scope(engine) as session:
        cached = session.exec(select(Person).where(col(Person.email).in_(wanted)))
        return {str(p.email): (p.user_id, p.deleted) for p in cached}


def people_by_email(
    engine: Engine, client: WebClient, emails: Iterable[str], *, now: datetime
) -> dict[str, tuple[str, bool]]:
    """Each e-mail's Slack user as (user id, deactivated): cached in Person.email, else asked of Slack
    (users.lookupByEmail). An e-mail Slack does not know is left out. SlackApiError or OSError when
    Slack cannot answer: the caller reports it rather than guessing."""
    wanted = {email.lower() for email in emails}
    found = cached_people(engine, wanted)
    rows = []
    for email in sorted(wanted - found.keys()):
        try:
            user = client.users_lookupByEmail(email=email)["user"]
        except SlackApiError as exc:
            if exc.response.get("error") != "users_not_found":
                raise
            continue
        rows.append({**_person(user["id"], user, now), "email": email})
        found[email] = (user["id"], bool(user.get("deleted")))
    if rows:
        with session_scope(engine) as session:
            _save_people(session, rows)
    return found


def _person(user_id: str, user: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """What Baton keeps of a Slack user; a user Slack does not know (deleted, another workspace) is gone."""
    if user is None:
        return {
            "user_id": user_id,
            "name": None,
            "tz": None,
            "locale": None,
            "deleted": True,
            "fetched_at": now,
        }
    return {
        "user_id": user_id,
        "name": user.get("real_name") or user.get("name"),
        "tz": user.get("tz"),
        "locale": user.get("locale"),
        "deleted": bool(user.get("deleted")),
        "fetched_at": now,
    }


def _users_info(client: WebClient, user_ids: list[str]) -> dict[str, dict[str, Any]]:
    found = {}
    for user_id in user_ids:
        try:
            found[user_id] = client.users_info(user=user_id, include_locale=True)["user"]
        except SlackApiError as exc:
            if exc.response.get("error") != "user_not_found":
                raise
    return found


def _users_list(client: WebClient, wanted: set[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        page = client.users_list(limit=1000, include_locale=True, cursor=cursor)
        for user in page.get("members") or []:
            if user["id"] in wanted:
                found[user["id"]] = user
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return found


def _stale(person: Person, now: datetime) -> bool:
    return person.fetched_at is None or person.fetched_at < now - FRESH_FOR


@functools.cache
def _countries_by_zone() -> dict[str, str]:
    """The tz database's zone.tab: each zone's country (ISO 3166), from the system's time zone data."""
    for root in zoneinfo.TZPATH:
        path = Path(root) / "zone.tab"
        if path.exists():
            rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines())
            return {row[2].strip(): row[0] for row in rows if len(row) >= 3 and not row[0].startswith("#")}
    return {}


def country_of(person: Person | None) -> str | None:
    """Where a person's holidays are: as set by an admin, else the country of their Slack time zone."""
    if person is None:
        return None
    return person.country or (_countries_by_zone().get(person.tz) if person.tz else None)


# Built once: every command asks it, and building a statement costs more than running this one.
LANGUAGE_QUERY = select(
    select(Person.locale).where(Person.user_id == bindparam("user_id")).scalar_subquery(),
    select(WorkspaceSettings.language).where(WorkspaceSettings.id == 1).scalar_subquery(),
)


LOCALE_QUERY = select(Person.locale).where(Person.user_id == bindparam("user_id"))


def language_for(session: Session, user_id: str) -> str:
    """The language to speak to a person: their Slack locale when Baton knows it, else the workspace's."""
    locale, workspace = session.execute(LANGUAGE_QUERY, {"user_id": user_id}).one()
    return language(locale, workspace or DEFAULT)


KNOWN_LANGUAGE_QUERY = select(
    select(Person.user_id).where(Person.user_id == bindparam("user_id")).scalar_subquery(),
    select(Person.locale).where(Person.user_id == bindparam("user_id")).scalar_subquery(),
    select(WorkspaceSettings.language).where(WorkspaceSettings.id == 1).scalar_subquery(),
)


def speaks_if_known(engine: Engine, user_id: str) -> str | None:
    """`speaks`, or None for someone Baton has not looked up in Slack yet: their locale is unknown, and
    answering them in the workspace's language would be a guess (a French speaker's first `/okr help`)."""
    with engine.connect() as connection:
        known, locale, workspace = connection.execute(KNOWN_LANGUAGE_QUERY, {"user_id": user_id}).one()
    return language(locale, workspace or DEFAULT) if known else None


def speaks(engine: Engine, user_id: str) -> str:
    """`language_for` on a plain connection: it runs for every command, so it stays cheap."""
    with engine.connect() as connection:
        locale, workspace = connection.execute(LANGUAGE_QUERY, {"user_id": user_id}).one()
    return language(locale, workspace or DEFAULT)


def reader_language(
    engine: Engine, client: WebClient, user_id: str | None, *, default: str, now: datetime
) -> str:
    """The language of whoever a request comes from, else `default` (the workspace's, already loaded): a
    newcomer is looked up in Slack first, so that their first answer is in their own language."""
    if not user_id:
        return default
    refresh_people(engine, client, [user_id], now=now)
    with engine.connect() as connection:
        locale = connection.execute(LOCALE_QUERY, {"user_id": user_id}).scalar()
    return language(locale, default)


def deactivated_people(session: Session, user_ids: Iterable[str]) -> set[str]:
    """Those of `user_ids` whom Slack last reported deactivated or unknown (see `refresh_people`)."""
    wanted = set(user_ids)
    if not wanted:
        return set()
    rows = session.exec(
        select(Person.user_id).where(col(Person.user_id).in_(wanted), col(Person.deleted).is_(True))
    )
    return set(rows)
