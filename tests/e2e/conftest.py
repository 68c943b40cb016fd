"""Browser journeys: Playwright drives Debian's headless Chromium against the live server pytest-django
starts in this process, on the test database.

- Chromium comes from Debian (`apt-get install chromium`), never from Playwright's own download. Where it
  is missing the journeys are skipped with a clear line in the summary, except in CI (CI=true) or with
  KPA_REQUIRE_BROWSER=1, where a missing browser is a failure.
- Every page a journey shows is checked with axe-core for WCAG 2.1 A and AA (`Browser.audit`); a page
  that was shown and not checked fails the test, and so does a JavaScript error or a CSP violation in
  the browser console.
- A failing journey leaves a screenshot and the page's HTML in test-artifacts/e2e/.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect, sync_playwright

from tests.conftest import totp_code
from tests.e2e import axe
from tests.e2e.world import World, build_world
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between browser
# steps are ordinary synchronous code all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # the machine's network is closed: no update or sync calls
    "--disable-component-update",
    "--disable-sync",
]
_missing_browser: list[str] = []


def chromium_path() -> str | None:
    configured = os.environ.get("KPA_CHROMIUM")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("KPA_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter) -> None:
    if _missing_browser:
        terminalreporter.write_line(
            f"Browser journeys skipped: {_missing_browser[0]} "
            "Install Debian's Chromium (`apt-get install chromium`) to run them; CI always does.",
            yellow=True,
            bold=True,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    path = chromium_path()
    if path is None or not Path(path).exists():
        reason = "no Chromium found (looked for `chromium` on the PATH and KPA_CHROMIUM)."
        if browser_required():
            pytest.fail(f"CI needs the browser journeys: {reason}", pytrace=False)
        _missing_browser.append(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def ensure_action_lines() -> None:
    """The five action lines come from data migrations; a transactional test's flush removes them. Put
    back what the migrations leave: meetings 0002's rows, then programme 0003's verbatim titles and
    speerpunten (programme.seed.install, the code that migration runs)."""
    from programme import seed
    from programme.models import ActionLine, Programme, Speerpunt
    from schools.models import Gemeente

    migration = importlib.import_module("meetings.migrations.0002_action_lines")
    if not ActionLine.objects.exists():
        for number, title, description in migration.ACTION_LINES:
            ActionLine.objects.update_or_create(
                number=number, defaults={"title": title, "description": description}
            )
        seed.install(
            gemeente_model=Gemeente,
            programme_model=Programme,
            line_model=ActionLine,
            speerpunt_model=Speerpunt,
        )


@pytest.fixture(scope="session")
def _action_lines_after_the_journeys(django_db_setup, django_db_blocker) -> Iterator[None]:
    yield
    # The journeys run last (they are transactional) and flush the database; a later run with
    # --reuse-db expects the migration's data to be there.
    with django_db_blocker.unblock():
        ensure_action_lines()


@pytest.fixture(autouse=True)
def _journey_database(transactional_db, _action_lines_after_the_journeys) -> None:
    ensure_action_lines()


@dataclass
class Browser:
    """One person's browser tab on the live server, with the checks every journey needs."""

    page: Page
    base_url: str
    unaudited: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    _current: str | None = None

    def _navigated(self, frame) -> None:
        if frame != self.page.main_frame:
            return
        if self._current is not None:
            self.unaudited.append(self._current)
        self._current = frame.url

    def _console(self, message) -> None:
        # A page that answers with an error status on purpose (410 for a used invitation) is logged by
        # Chromium as a failed load of the document itself; any other error is one to fix.
        if message.type != "error":
            return
        own_status = message.text.startswith("Failed to load resource") and (
            message.location.get("url") == self.page.url
        )
        if not own_status:
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def violations(self) -> list[dict]:
        """The WCAG 2.1 A/AA violations of the page as it is now; the page counts as checked."""
        self.page.wait_for_load_state("load")
        found = axe.violations(self.page)
        self._current = None
        return found

    def audit(self) -> None:
        """Check the page as it is now: any WCAG 2.1 A/AA violation fails the test."""
        found = self.violations()
        title = self.page.title()
        assert not found, f"Accessibility violations on {self.page.url} ({title}):\n{axe.describe(found)}"

    def visit(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        self.audit()
        return self.page

    def submit(self, button_name: str, *, exact: bool = False) -> Page:
        """Press a submit button, wait for the page it leads to and check it."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button_name, exact=exact).click()
        self.audit()
        return self.page

    def follow(self, link_name: str, *, exact: bool = False) -> Page:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=link_name, exact=exact).first.click()
        self.audit()
        return self.page

    def log_in(self, email: str, *, password: str = PASSWORD, totp_secret: str | None = None) -> Page:
        self.visit("/accounts/login/")
        self.page.get_by_label("E-mailadres").fill(email)
        self.page.get_by_label("Wachtwoord").fill(password)
        self.submit("Aanmelden")
        if totp_secret:
            expect(self.page.get_by_label("Code")).to_be_visible()
            self.page.get_by_label("Code").fill(totp_code(totp_secret))
            self.submit("Aanmelden")
        return self.page

    def expect_heading(self, text: str | re.Pattern) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(text)


@pytest.fixture
def open_browser(chromium, live_server, request) -> Iterator:
    """A factory for browser tabs, each its own context (cookies, session): `open_browser()`."""
    opened: list[Browser] = []

    def open_one() -> Browser:
        context = chromium.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
        page = context.new_page()
        page.set_default_timeout(15_000)
        tab = Browser(page=page, base_url=live_server.url)
        page.on("framenavigated", tab._navigated)
        page.on("console", tab._console)
        page.on("pageerror", lambda error: tab.console_errors.append(str(error)))
        opened.append(tab)
        return tab

    yield open_one

    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for number, tab in enumerate(opened, start=1):
        if failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            stem = re.sub(r"[^\w.-]+", "_", request.node.name) + f"-{number}"
            tab.page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
            (ARTIFACTS / f"{stem}.html").write_text(tab.page.content(), encoding="utf-8")
        tab.page.context.close()
    if not failed:
        for tab in opened:
            assert not tab.console_errors, f"Errors in the browser console: {tab.console_errors}"
            pending = tab.unaudited + ([tab._current] if tab._current else [])
            assert not pending, f"Pages shown without an accessibility check: {pending}"


@pytest.fixture
def world() -> World:
    return build_world()
