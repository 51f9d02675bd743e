"""Registration journey in a real browser (Debian chromium), with axe checks (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from enrollment.accounts import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browser_register_with_activation_code(page, live_server, clara, assert_no_axe_violations):
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=timezone.now())
    page.goto(f"{live_server.url}/konto/registrieren/")
    assert_no_axe_violations(page)
    page.get_by_label("Krankenversichertennummer").fill("Z987654321")
    page.get_by_label("Geburtsdatum").fill("30.11.1992")
    page.get_by_label("Aktivierungscode").fill("FALS-CHER-CODE")
    page.get_by_label("E-Mail-Adresse").fill("clara@example.org")
    page.get_by_label("Passwort", exact=True).fill("Lotse-Browser-2026")
    page.get_by_label("Passwort wiederholen").fill("Lotse-Browser-2026")
    page.get_by_role("button", name="Konto erstellen").click()
    assert page.title().startswith("Fehler: ")
    assert_no_axe_violations(page)

    page.get_by_label("Aktivierungscode").fill(code.lower())
    page.get_by_label("Passwort", exact=True).fill("Lotse-Browser-2026")
    page.get_by_label("Passwort wiederholen").fill("Lotse-Browser-2026")
    page.get_by_role("button", name="Konto erstellen").click()
    assert page.url.endswith("/konto/willkommen/")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Zwei-Faktor-Anmeldung einrichten").click()
    assert page.locator("svg[role=img]").count() == 1
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/konto/")
    assert "Clara Schmidt" in page.content()
    assert_no_axe_violations(page)
