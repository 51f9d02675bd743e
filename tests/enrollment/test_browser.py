"""The enrollment journeys a new user takes, in Debian's chromium, with axe checks.

1. Register with the activation code from the fund's letter, find the Hausarztprogramm by
   postal code, choose a GP, declare, download the receipt, revoke (JavaScript on: htmx).
2. A declaration whose revocation window has passed (created with a past date through the
   service, the window closed by the daily command): the status page explains why revoking is
   no longer possible; cancel with the end date shown first.
3. The wizard and the revoke button without JavaScript (plain forms; axe is not run there, see
   tests/fixtures/browser.py).
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.fixtures.enrollment import declare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lotse-Browser-2026"


@pytest.fixture
def demo_data():
    from devdata.catalogue import seed_demo

    seed_demo(stdout=StringIO())


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).split())


def test_journey_register_find_hzv_declare_receipt_revoke(
    page, screen, live_server, demo_data, assert_no_axe_violations
):
    from enrollment.accounts.services import activation_code_issue
    from enrollment.models import InsuredPerson, Participation

    clara = InsuredPerson.objects.get(kvnr="Z987654321")
    code, _ = activation_code_issue(person=clara, issued_by=None, now=timezone.now())

    # Register with the activation code.
    page.goto(f"{live_server.url}/konto/registrieren/")
    page.get_by_label("Krankenversichertennummer").fill("Z987654321")
    page.get_by_label("Geburtsdatum").fill("30.11.1992")
    page.get_by_label("Aktivierungscode").fill(code)
    page.get_by_label("E-Mail-Adresse").fill("clara@example.org")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_role("button", name="Konto erstellen").click()
    assert page.url.endswith("/konto/willkommen/")
    screen.check(page, "welcome")

    # Find the Hausarztprogramm by postal code.
    page.goto(f"{live_server.url}/programme/")
    page.get_by_label("Postleitzahl").first.fill("70173")
    page.get_by_role("button", name="Filter anwenden").click()
    screen.check(page, "program list")
    page.get_by_role("link", name="Hausarztprogramm der AOK Baden-Württemberg").first.click()
    screen.check(page, "program page")
    page.get_by_role("button", name="Online teilnehmen").click()
    assert "hausarztprogramm" not in page.url  # the wizard's URL does not name the program

    # Step 1: eligibility and for whom.
    assert "Teilnahme möglich" in page.content()
    assert_no_axe_violations(page)
    screen.check(page, "wizard person")
    page.get_by_role("radio", name="Clara Schmidt").check()
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**schritt=praxis")

    # Step 2: the GP near 70173 (the htmx search swaps the list in place).
    assert_no_axe_violations(page)
    page.get_by_label("Praxen in der Nähe dieser Postleitzahl").fill("70173")
    with page.expect_response(lambda r: "plz=70173" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_role("button", name="Praxen suchen").click()
    assert page.url.endswith("?schritt=praxis")  # swapped in place, no page load
    screen.check(page, "wizard practice")
    page.get_by_role("radio", name="Hausarztpraxis Dr. med. Klaus Koch").check()
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**schritt=erklaerung")

    # Step 3: full texts, consents, Belehrung, explicit confirmation.
    assert page.get_by_role("heading", name="Belehrung über das Widerrufsrecht").is_visible()
    assert_no_axe_violations(page)
    screen.check(page, "wizard declaration")
    page.get_by_role("button", name="Teilnahme verbindlich erklären").click()
    assert page.title().startswith("Fehler: ")  # nothing confirmed yet
    page.get_by_label("Ich habe die Teilnahmeerklärung gelesen", exact=False).check()
    page.get_by_label("Ich willige in die beschriebene Übermittlung", exact=False).check()
    page.get_by_label("Ich habe die Belehrung über mein Widerrufsrecht erhalten", exact=False).check()
    page.get_by_role("button", name="Teilnahme verbindlich erklären").click()

    participation = Participation.objects.get(person=clara)
    assert page.url.endswith(f"/teilnahme/{participation.pk}/")
    assert "in der Widerrufsfrist" in page.content()
    assert_no_axe_violations(page)
    screen.check(page, "status page")

    # Receipt.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Empfangsbestätigung (PDF) herunterladen").click()
    with open(download_info.value.path(), "rb") as pdf:
        text = pdf_text(pdf.read())
    assert participation.revocation_deadline.strftime("%d.%m.%Y") + ", 24:00 Uhr" in text
    assert "Klaus Koch" in text and "Z987654321" in text

    # Revoke: the consequences first, then a confirmation; no reason asked.
    page.get_by_role("link", name="Jetzt widerrufen").click()
    assert "Was der Widerruf bewirkt" in page.content()
    assert_no_axe_violations(page)
    screen.check(page, "revoke")
    page.get_by_label("Ja, ich widerrufe meine Erklärung.").check()
    page.get_by_role("button", name="Verbindlich widerrufen").click()
    assert "Ihr Widerruf ist eingegangen" in page.content()
    assert page.get_by_role("link", name="Jetzt widerrufen").count() == 0
    participation.refresh_from_db()
    assert participation.status == "revoked"
    assert_no_axe_violations(page)
    screen.check(page, "revoked")


def test_journey_window_passed_then_cancel(page, screen, live_server, demo_data, assert_no_axe_violations):
    from enrollment.eligibility import contract_for
    from enrollment.models import InsuredPerson
    from enrollment.selectors import providers_near
    from programs.models import Program

    anna = InsuredPerson.objects.get(kvnr="A123456780")
    program = Program.objects.get(slug="hausarztprogramm-aok-bw")
    declared = timezone.now() - dt.timedelta(days=30)
    contract = contract_for(program, anna.fund_id, on=timezone.localdate(declared))
    gp = providers_near(contract, postal_code=anna.postal_code, on=timezone.localdate(declared), limit=1)[0][0]
    p = declare(contract, anna, gp, now=declared)
    call_command("enrollment_daily", stdout=StringIO())  # the window passed by date
    p.refresh_from_db()
    assert p.status == "awaiting_start"

    page.goto(f"{live_server.url}/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse oder Benutzername").fill("anna")
    page.get_by_label("Passwort").fill("Lotse-Demo-2026")
    page.get_by_role("button", name="Anmelden").click()

    page.goto(f"{live_server.url}/teilnahme/")
    assert_no_axe_violations(page)
    screen.check(page, "my area")
    page.get_by_role("link", name="Hausarztprogramm der AOK Baden-Württemberg").click()
    assert page.get_by_role("link", name="Jetzt widerrufen").count() == 0
    assert "Widerruf nicht mehr möglich" in page.content()
    assert p.revocation_deadline.strftime("%d.%m.%Y") in page.content()
    assert_no_axe_violations(page)
    screen.check(page, "status page")

    page.get_by_role("link", name="Teilnahme kündigen").click()
    term = p.cancellation_term(on=timezone.localdate())
    assert term.term_end.strftime("%d.%m.%Y") in page.content()
    assert_no_axe_violations(page)
    screen.check(page, "cancel")
    page.get_by_label("Ja, ich kündige meine Teilnahme", exact=False).check()
    page.get_by_role("button", name="Verbindlich kündigen").click()
    assert "Ihre Kündigung ist eingegangen" in page.content()
    assert "gekündigt, endet" in page.content()
    p.refresh_from_db()
    assert (p.status, p.end_date) == ("ending", term.term_end)
    assert_no_axe_violations(page)
    screen.check(page, "cancelled")


def test_wizard_and_revoke_work_without_javascript(page_nojs, live_server, demo_data):
    from enrollment.models import InsuredPerson, Participation

    page = page_nojs
    page.goto(f"{live_server.url}/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse oder Benutzername").fill("anna")
    page.get_by_label("Passwort").fill("Lotse-Demo-2026")
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{live_server.url}/programme/hausarztprogramm-aok-bw/")
    page.get_by_role("button", name="Online teilnehmen").click()  # a plain form POST without JavaScript
    page.get_by_role("radio", name="Anna Adler").check()
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**schritt=praxis")
    page.get_by_label("Praxen in der Nähe dieser Postleitzahl").fill("77716")
    page.get_by_role("button", name="Praxen suchen").click()  # a normal GET without htmx
    page.wait_for_url("**plz=77716**")
    radios = page.get_by_role("radio")
    open_practice = next(
        radios.nth(i)
        for i in range(radios.count())
        if "keine neuen" not in radios.nth(i).evaluate("e => e.labels[0].textContent")
    )  # a practice that takes new patients (a closed one asks for a confirmation first)
    open_practice.check()
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**schritt=erklaerung")
    for label in (
        "Ich habe die Teilnahmeerklärung gelesen",
        "Ich willige in die beschriebene Übermittlung",
        "Ich habe die Belehrung über mein Widerrufsrecht erhalten",
    ):
        page.get_by_label(label, exact=False).check()
    page.get_by_role("button", name="Teilnahme verbindlich erklären").click()
    anna = InsuredPerson.objects.get(kvnr="A123456780")
    participation = Participation.objects.get(person=anna, program__slug="hausarztprogramm-aok-bw")
    page.wait_for_url(f"**/teilnahme/{participation.pk}/")
    page.get_by_role("link", name="Jetzt widerrufen").click()
    page.get_by_label("Ja, ich widerrufe meine Erklärung.").check()
    page.get_by_role("button", name="Verbindlich widerrufen").click()
    assert "Ihr Widerruf ist eingegangen" in page.content()
    participation.refresh_from_db()
    assert participation.status == "revoked"
