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


def test_browser_warns_before_the_idle_timeout_and_lets_the_person_stay(
    page, live_server, aoks, settings, assert_no_axe_violations
):
    from tests.factories import InsuredPersonFactory

    settings.SESSION_IDLE_MINUTES = 1
    settings.SESSION_WARNING_SECONDS = 56  # the warning comes after 4 seconds
    person = InsuredPersonFactory()
    person.user.set_password("Lotse-Browser-2026")
    person.user.save()
    page.goto(f"{live_server.url}/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse oder Benutzername").fill(person.user.username)
    page.get_by_label("Passwort").fill("Lotse-Browser-2026")
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{live_server.url}/konto/")
    assert "ohne Aktivität" in page.content()
    dialog = page.get_by_role("dialog", name="Ihre Sitzung endet bald")
    dialog.wait_for(state="visible", timeout=20_000)
    assert_no_axe_violations(page)
    page.keyboard.press("Enter")  # the dialog focuses its button: the keyboard alone extends
    dialog.wait_for(state="hidden", timeout=10_000)
    assert page.locator("[data-session-status]").text_content() == "Ihre Sitzung wurde verlängert."
    page.reload()
    assert "Anmeldung und Sicherheit" in page.content()  # still signed in
