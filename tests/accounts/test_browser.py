"""Registration journey in a real browser (Debian chromium), with axe checks (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from enrollment.accounts import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        context = browser.new_context(locale="de-DE")  # axe needs JavaScript (it hangs in a no-JS context)
        pg = context.new_page()
        pg.set_default_timeout(20000)
        yield pg
        browser.close()


def _axe(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return [(v["id"], v["help"]) for v in results.response["violations"]]


def test_browser_register_with_activation_code(page, live_server, clara):
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=timezone.now())
    page.goto(f"{live_server.url}/konto/registrieren/")
    assert _axe(page) == []
    page.get_by_label("Krankenversichertennummer").fill("Z987654321")
    page.get_by_label("Geburtsdatum").fill("30.11.1992")
    page.get_by_label("Aktivierungscode").fill("FALS-CHER-CODE")
    page.get_by_label("E-Mail-Adresse").fill("clara@example.org")
    page.get_by_label("Passwort", exact=True).fill("Lotse-Browser-2026")
    page.get_by_label("Passwort wiederholen").fill("Lotse-Browser-2026")
    page.get_by_role("button", name="Konto erstellen").click()
    assert page.title().startswith("Fehler: ")
    assert _axe(page) == []

    page.get_by_label("Aktivierungscode").fill(code.lower())
    page.get_by_label("Passwort", exact=True).fill("Lotse-Browser-2026")
    page.get_by_label("Passwort wiederholen").fill("Lotse-Browser-2026")
    page.get_by_role("button", name="Konto erstellen").click()
    assert page.url.endswith("/konto/willkommen/")
    assert _axe(page) == []

    page.get_by_role("link", name="Zwei-Faktor-Anmeldung einrichten").click()
    assert page.locator("svg[role=img]").count() == 1
    assert _axe(page) == []

    page.goto(f"{live_server.url}/konto/")
    assert "Clara Schmidt" in page.content()
    assert _axe(page) == []
