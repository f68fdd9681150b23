"""The sandbox in a real browser: headless Chromium (Debian's package) driven by Playwright, as a new
user would use it. One `baton sandbox --demo` process serves the whole module; its clock starts on
Friday 20 Nov 2026, 10:00 in Paris, and the tests move it forward in order, as a person would.

Screenshots of the main screens go to a temporary directory, or to docs/ (the README's
docs/sandbox-*.png) with SANDBOX_SCREENSHOTS=docs: `make screenshots`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from bot.sandbox.directory import CAMILLE, GENERAL, LEADERSHIP, PRIYA
from storage.db import make_engine, upgrade

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = Path(__file__).resolve().parents[1] / "docs"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, which `make test` installs before pytest runs (tests install nothing)."""
    assert CHROMIUM.exists(), f"the browser tests need Chromium at {CHROMIUM}: `make test` installs it"
    return CHROMIUM


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`baton sandbox --demo` as a real process, on the test database (PostgreSQL with TEST_DATABASE_URL)."""
    database_url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('sandbox') / 'sandbox.db'}"
    )
    if not database_url.startswith("sqlite"):
        engine = make_engine(database_url)
        upgrade(engine)
        engine.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "bot", "sandbox", "--demo", "--port", str(port)]
    command += ["--database-url", database_url, "--at", "2026-11-20T10:00"]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=_quiet_env()
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # printed once the page, the Web API and Baton all listen
    assert "open http://127.0.0.1" in line, f"the sandbox did not start: {line!r}"
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


def _quiet_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return {**env, "LOG_LEVEL": "WARNING"}


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def open_as(page: Page, base: str, user: str, where: str = "") -> None:
    page.goto(f"{base}/?as={user}" + (f"&in={where}" if where else ""))
    expect(page.locator("#part-main .conv-head")).to_be_visible()
    settled(page)


def settled(page: Page) -> None:
    """Baton's outbox is empty: what the clock made due has been posted (the page says so)."""
    expect(page.locator(".sending")).to_have_count(0, timeout=20_000)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return DOCS if os.environ.get("SANDBOX_SCREENSHOTS") == "docs" else tmp_path_factory.mktemp("screens")


def shot(page: Page, name: str, where: Path) -> None:
    page.screenshot(path=str(where / f"sandbox-{name}.png"))


def to_top(message: Locator) -> None:
    message.evaluate("element => element.scrollIntoView({block: 'start'})")


def test_update_through_the_message_box(page: Page, sandbox_url: str, screenshots: Path) -> None:
    """Type /okr update in a channel (Baton's Messages tab is read-only, as the manifest says), answer the
    modal (a bad KPI first), see the confirmation in the DM."""
    open_as(page, sandbox_url, CAMILLE.id)
    expect(page.locator("#composer")).to_have_count(0)
    expect(page.locator("#read-only")).to_contain_text("read-only")
    open_as(page, sandbox_url, CAMILLE.id, GENERAL)
    page.fill("#composer input", "/okr update")
    page.press("#composer input", "Enter")
    modal = page.locator(".modal")
    expect(modal.locator("h2")).to_have_text("Weekly update")
    modal.locator("select[name='initiative/initiative_select']").select_option(
        label="Déploiement ERP phase 2"
    )
    modal.locator("input[value=at_risk]").check()
    modal.locator("[name='kpi_value/kpi_value_input']").fill("sixty")
    modal.locator("[name='comment/comment_input']").fill(
        "The bank connector is *certified*: US go-live on Monday."
    )
    modal.locator("button[type=submit]").click()
    expect(modal.locator("[data-block=kpi_value] .bk-error")).to_contain_text("number")
    shot(page, "update-modal", screenshots)  # the field error, as Slack shows a response_action "errors"
    modal.locator("[name='kpi_value/kpi_value_input']").fill("61")
    modal.locator("button[type=submit]").click()
    expect(modal).to_have_count(0)
    page.click("a.nav.dm")  # the confirmation is a DM
    confirmation = page.locator(".msg", has_text="Déploiement ERP phase 2").last
    expect(confirmation).to_contain_text("61")
    expect(confirmation.locator("b", has_text="certified")).to_be_visible()  # mrkdwn, as Slack shows it


def test_role_set_with_a_person_picked_from_the_at_menu(page: Page, sandbox_url: str) -> None:
    """Typing `@` in the message box offers the workspace's people; the one picked reaches Baton as a mention
    (should_escape), so `/okr role set CFO @Priya Shah` works. Typed plainly, the same name is text, and
    Baton says it is not a person, as on Slack."""
    open_as(page, sandbox_url, CAMILLE.id, GENERAL)
    box, menu = page.locator("#composer input"), page.locator("#composer .mention-menu")
    box.press_sequentially("/okr role set CFO @Priya Shah")  # without the menu: Enter sends text
    box.press("Enter")
    expect(page.locator(".msg.ephemeral", has_text="is not a Slack person")).to_have_count(1)
    box.press_sequentially("/okr role set CFO @pri")
    expect(menu).to_be_visible()
    expect(menu.locator("li")).to_have_count(1)
    menu.locator("li", has_text="Priya Shah").click()
    expect(box).to_have_value("/okr role set CFO @Priya Shah ")
    expect(menu).to_be_hidden()
    box.press("Enter")
    held = page.locator(".msg.ephemeral", has_text="is now held by")
    expect(held).to_contain_text("CFO is now held by @Priya Shah")


def test_monday_checkin_answered_in_the_dm(page: Page, sandbox_url: str, screenshots: Path) -> None:
    """Jump to Monday 09:00 in Paris: the check-in DM arrives; On track rewrites it in place."""
    open_as(page, sandbox_url, CAMILLE.id)
    page.click("[data-jump=monday-paris]")
    expect(page.locator("#part-notice")).to_contain_text("It is now Monday 23 Nov 2026, 09:00 in Paris")
    # each owner's prompt: Paris's sent now, London's and New York's waiting for their 09:00
    notice = page.locator("#part-notice")
    expect(notice.locator(f"[data-owner={CAMILLE.id}]")).to_have_text(
        "Camille Laurent: sent, Mon 23 Nov 09:00 (Europe/Paris)"
    )
    expect(notice.locator(f"[data-owner={PRIYA.id}]")).to_contain_text("waiting for their check-in hour")
    settled(page)
    prompt = page.locator(".msg", has=page.locator("button[data-action='prompt_answer:on_track']")).last
    expect(prompt).to_contain_text("Weekly check-in")
    shot(page, "checkin-dm", screenshots)
    prompt.locator("button[data-action='prompt_answer:on_track']").first.click()
    answered = page.locator(".msg", has_text="(edited)").last
    expect(answered).to_contain_text("On track")
    expect(answered.locator("button[data-action='prompt_answer:on_track']")).to_have_count(0)


def test_escalation_acknowledged_in_leadership(page: Page, sandbox_url: str, screenshots: Path) -> None:
    """The executive acknowledges an escalation alert; the alert says so, in place."""
    open_as(page, sandbox_url, PRIYA.id, LEADERSHIP)
    alert = page.locator(".msg", has_text="Revue prix-frais par segment").filter(
        has=page.locator("button[data-action=esc_acknowledge]")
    )
    expect(alert.first).to_contain_text("Decision needed")
    alert.first.locator("button[data-action=esc_acknowledge]").click()
    acknowledged = page.locator(".msg", has_text="Acknowledged by").filter(
        has_text="Revue prix-frais par segment"
    )
    expect(acknowledged).to_have_count(1)
    expect(acknowledged.locator(".msg-content")).to_contain_text("Acknowledged by @Priya Shah")
    expect(acknowledged.locator("button[data-action=esc_acknowledge]")).to_have_count(0)
    settled(page)
    to_top(acknowledged)
    shot(page, "escalation", screenshots)


def test_monday_digest_in_leadership(page: Page, sandbox_url: str, screenshots: Path) -> None:
    """Jump to Monday 16:00: the weekly digest is in #leadership, with its trends and the chart."""
    open_as(page, sandbox_url, PRIYA.id, LEADERSHIP)
    page.click("[data-jump=monday-digest]")
    expect(page.locator("#part-notice")).to_contain_text("Monday 23 Nov 2026, 16:00 in Paris")
    settled(page)
    digest = page.locator(".msg", has=page.locator(".bk-header", has_text="Weekly digest — 2026-W48"))
    expect(digest).to_have_count(1)
    to_top(digest)
    shot(page, "digest", screenshots)
    digest.locator("a.replies").click()  # its thread: the chart Baton uploaded
    expect(page.locator("#part-thread img")).to_be_visible()


def test_app_home(page: Page, sandbox_url: str, screenshots: Path) -> None:
    """Opening the Home tab sends app_home_opened; Baton publishes the strategy office's home."""
    page.goto(f"{sandbox_url}/?as={CAMILLE.id}&in=home")
    expect(page.locator("#part-main .home")).to_contain_text("Déploiement ERP phase 2")
    shot(page, "home", screenshots)
