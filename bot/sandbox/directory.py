"""The sandbox workspace's people and channels: a strategy office, owners in three time zones, an
executive, a leadership channel and team channels."""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.workspace import Workspace


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    title: str
    tz: str
    locale: str
    admin: bool = False


CAMILLE = Person("U0CAMILLE", "Camille Laurent", "Strategy office", "Europe/Paris", "en-US", admin=True)
LEA = Person("U0LEAPARIS", "Léa Martin", "Ops Manager & CHRO, Paris", "Europe/Paris", "fr-FR")
JORDAN = Person("U0JORDANNY", "Jordan Lee", "IT & Sales Americas, New York", "America/New_York", "en-US")
PRIYA = Person("U0PRIYACFO", "Priya Shah", "CFO, executive committee, London", "Europe/London", "en-GB")
PEOPLE = (CAMILLE, LEA, JORDAN, PRIYA)
ADMIN = CAMILLE.id

LEADERSHIP = "C0LEADERS"
GENERAL = "C0GENERAL"
OPERATIONS = "C0OPERATIONS"
FINANCE = "C0FINANCE"
CHANNELS = (
    (LEADERSHIP, "leadership", (CAMILLE, PRIYA), "The executive committee: digests, escalations, decisions"),
    (GENERAL, "general", PEOPLE, "Everyone"),
    (OPERATIONS, "operations", (CAMILLE, LEA), "Operations and people team"),
    (FINANCE, "finance", (CAMILLE, PRIYA, JORDAN), "Finance, pricing and sales"),
)
# Departments of the demo roadmap and their team channels.
TEAM_CHANNELS = {"Operations": OPERATIONS, "Finance": FINANCE}


def populate(workspace: Workspace) -> None:
    for person in PEOPLE:
        workspace.add_person(
            person.id,
            name=person.name,
            title=person.title,
            tz=person.tz,
            locale=person.locale,
            is_admin=person.admin,
        )
    for channel_id, name, members, topic in CHANNELS:
        workspace.add_channel(channel_id, name, members=[p.id for p in members], topic=topic)
