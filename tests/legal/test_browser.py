"""The legal pages in Chromium: axe (WCAG 2.1 AA) in German and English, and the feedback form
used with the keyboard only."""

from __future__ import annotations

import pytest

from legal.models import AccessibilityFeedback

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/impressum/", "/datenschutz/", "/barrierefreiheit/", "/leichte-sprache/"])
def test_legal_pages_have_no_axe_violations(browser, live_server, assert_no_axe_violations, path):
    for locale in ("de-DE", "en-GB"):
        context = browser.new_context(locale=locale)
        try:
            page = context.new_page()
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("load")
            assert_no_axe_violations(page)
        finally:
            context.close()


def test_feedback_form_by_keyboard_with_an_error_first(page, live_server, assert_no_axe_violations):
    page.goto(f"{live_server.url}/barrierefreiheit/")
    page.get_by_label("Ihre Nachricht").focus()
    page.keyboard.press("Tab")  # to the optional page field, leaving the message empty
    page.get_by_role("button", name="Rückmeldung senden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Fehler: ")
    assert page.get_by_role("alert").first.is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Ihre Nachricht").fill("Der Kontrast der Fußzeile ist zu schwach.")
    page.get_by_role("button", name="Rückmeldung senden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert page.get_by_text("Ihre Rückmeldung ist bei uns eingegangen").is_visible()
    assert AccessibilityFeedback.objects.get().message == "Der Kontrast der Fußzeile ist zu schwach."
