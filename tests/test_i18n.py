"""English and French: every text in both, the same placeholders, and French people get French."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.delivery.sender import Sender
from bot.i18n import LANGUAGES, MESSAGES, language, t
from bot.people import language_for
from bot.rituals.checkin import run_checkin
from bot.sandbox.blockkit import message_problem, view_problem
from bot.sandbox.webapi import FakeSlack
from bot.slack import make_sender_client
from bot.views.checkin import InvalidForm, read_update, update_modal
from bot.views.help import help_message
from bot.views.prompt import PromptItem, PromptRef, away_modal, prompt_message
from handlers.commands import HELP
from storage.models import Initiative, Person, WorkspaceSettings
from tests.conftest import seed_owners

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_text_exists_in_every_language_with_the_same_placeholders(key: str) -> None:
    texts = MESSAGES[key]
    assert set(texts) == set(LANGUAGES)
    assert all(text.strip() for text in texts.values())
    assert placeholders(texts["en"]) == placeholders(texts["fr"])


@pytest.mark.parametrize(
    ("locale", "default", "expected"),
    [
        ("fr-FR", "en", "fr"),
        ("fr-CA", "en", "fr"),
        ("en-GB", "fr", "en"),
        ("de-DE", "fr", "fr"),
        (None, "en", "en"),
        (None, "fr", "fr"),
        ("", "xx", "en"),
    ],
)
def test_the_language_follows_the_slack_locale_then_the_workspace(
    locale: str | None, default: str, expected: str
) -> None:
    assert language(locale, default) == expected


def test_an_unknown_language_falls_back_to_english() -> None:
    assert t("status.on_track", "de") == "On track"


def initiative() -> Initiative:
    return Initiative(
        id=7,
        objective_id=1,
        title="Déploiement ERP phase 2",
        title_key="deploiement erp phase 2",
        kpi_name="Taux d'adoption",
        kpi_unit="%",
        kpi_target=100.0,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_surface_fits_slack_in_every_language(lang: str) -> None:
    items = [PromptItem(initiative(), None)]
    for message in (
        prompt_message(cycle="2026-W48", owner="U1", recipient="U2", items=items, lang=lang),
        prompt_message(cycle="2026-W48", owner="U1", recipient="U1", items=items, reminder=True, lang=lang),
        help_message(HELP, "frobnicate", lang),
    ):
        assert message_problem(message["text"], message["blocks"]) is None
    for view in (
        update_modal(initiative(), lang=lang),
        update_modal(None, [initiative()], unmatched="x", lang=lang),
        away_modal(PromptRef("2026-W48", "U1"), "2026-11-23", lang),
    ):
        assert view_problem(view) is None


def test_the_prompt_in_french() -> None:
    message = prompt_message(
        cycle="2026-W48", owner="U1", recipient="U1", items=[PromptItem(initiative(), None)], lang="fr"
    )
    rendered = json.dumps(message, ensure_ascii=False)
    assert "Point hebdomadaire — 2026-W48" in rendered
    assert "En bonne voie" in rendered and "À risque" in rendered and "Détailler" in rendered
    assert "Taux d'adoption : – à ce jour · cible 100 %" in rendered
    assert message["text"] == "Point 2026-W48 : Déploiement ERP phase 2"
    assert "On track" not in rendered and "Update details" not in rendered


def test_modal_errors_speak_the_language_the_modal_was_opened_in() -> None:
    view = update_modal(initiative(), lang="fr")
    view["state"] = {
        "values": {
            "status": {"status_select": {"selected_option": None}},
            "kpi_value": {"kpi_value_input": {"value": "douze"}},
            "comment": {"comment_input": {"value": None}},
        }
    }
    with pytest.raises(InvalidForm) as invalid:
        read_update(view)
    assert invalid.value.errors == {
        "status": "Choisissez un statut.",
        "kpi_value": "Saisissez un nombre, par exemple 12 ou 12,5, sans l'unité et de 15 chiffres au plus.",
    }


def test_a_french_speaking_owner_is_prompted_in_french_and_an_english_one_in_english(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    locales = {"U0FRANCE1": "fr-FR", "U0ENGLAND": "en-GB"}
    seed_owners(session, fake_slack, list(locales), created_at=NOW - timedelta(days=7), locales=locales)
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    run_checkin(engine, client, now=NOW, settings=settings)
    Sender(engine, make_sender_client(settings), lambda: NOW).drain_all()
    texts = {post["channel"]: post["text"] for post in fake_slack.posts()}
    assert texts == {
        "D0FRANCE1": "Point 2026-W48 : Initiative U0FRANCE1",
        "D0ENGLAND": "Check-in 2026-W48: Initiative U0ENGLAND",
    }


def test_the_workspace_language_speaks_to_people_whose_locale_baton_does_not_know(session: Session) -> None:
    session.add(WorkspaceSettings(id=1, language="fr"))
    session.add(Person(user_id="U0GERMAN1", locale="de-DE"))
    session.add(Person(user_id="U0ENGLISH", locale="en-US"))
    session.commit()
    assert language_for(session, "U0NOBODY1") == "fr"  # unknown person
    assert language_for(session, "U0GERMAN1") == "fr"  # a locale Baton does not speak
    assert language_for(session, "U0ENGLISH") == "en"


def test_french_names_each_concept_with_one_word() -> None:
    """The check-in DM is a "point", the leadership's digest a "synthèse"; "en retard" means behind plan
    (or late), never off track, which is "hors trajectoire"."""
    assert t("prompt.intro", "fr", cycle="2026-W48").startswith(":wave: *Point hebdomadaire")
    assert t("digest.header", "fr", cycle="2026-W48") == "Synthèse hebdomadaire — 2026-W48"
    off_track = [t(key, "fr") for key in ("status.off_track", "esc.rule.off_track", "digest.rule.off_track")]
    assert [text.lower() for text in off_track] == ["hors trajectoire"] * 3
    digest_names = [texts["fr"] for key, texts in MESSAGES.items() if key.startswith("digest.")]
    assert not any("Point hebdomadaire" in text for text in digest_names)


def test_numbers_are_written_in_the_readers_locale_and_typed_back_as_written() -> None:
    from bot.domain.kpi import parse_number
    from bot.views.blocks import kpi_text, number_to_type

    assert kpi_text(1250.5, "%", "fr") == "1\u202f250,5 %"  # CLDR's French: narrow no-break space, comma
    assert kpi_text(1250.5, "%", "en") == "1,250.5 %"
    assert kpi_text(12.0, None, "fr") == "12"
    for lang in LANGUAGES:  # what a modal offers to edit reads back as the same number
        assert parse_number(number_to_type(1250.5, lang)) == 1250.5
        assert parse_number(number_to_type(-999_999_999_999_999.0, lang)) == -999_999_999_999_999.0
