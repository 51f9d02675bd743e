"""A clerk issues an activation letter in the admin; the insured person registers with the code
from the downloaded PDF (Playwright, Debian chromium)."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username):
    from django.contrib.auth import get_user_model
    from django_otp.oath import totp

    from tests.fixtures.signin import verified_device_for

    device = verified_device_for(get_user_model().objects.get(username=username))
    page.goto(f"{live_server.url}/konto/anmelden/?next=/verwaltung/")
    page.get_by_label("E-Mail-Adresse oder Benutzername").fill(username)
    page.get_by_label("Passwort").fill("Lotse-Demo-2026")
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_label("Sicherheitscode oder Wiederherstellungscode").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/verwaltung/")


def test_clerk_issues_a_letter_and_the_person_registers_with_its_code(page, live_server, tmp_path):
    from devdata.catalogue import seed_demo
    from programs.models import Fund
    from tests.factories import InsuredPersonFactory

    seed_demo(stdout=StringIO())
    person = InsuredPersonFactory(
        fund=Fund.objects.get(slug="aok-bw"),
        user=None,
        first_name="Lotte",
        last_name="Briefträger",
        birth_date=dt.date(1975, 4, 9),
    )
    _sign_in(page, live_server, "sachbearbeitung.bw")
    page.goto(f"{live_server.url}/verwaltung/enrollment/insuredperson/{person.pk}/change/")
    page.get_by_role("link", name="Aktivierungsbrief erstellen").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Brief erstellen und herunterladen").click()
    pdf = tmp_path / "brief.pdf"
    download.value.save_as(pdf)
    text = " ".join(p.extract_text() or "" for p in PdfReader(Path(pdf)).pages)
    assert "Lotte Briefträger" in text and person.street in text
    code = re.search(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", text).group(0)
    # the person's page lists the letter, the code is not on it
    page.goto(f"{live_server.url}/verwaltung/enrollment/insuredperson/{person.pk}/change/")
    assert "Brief herunterladen" in page.content() and code not in page.content()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/konto/registrieren/")
    page.get_by_label("Krankenversichertennummer").fill(person.kvnr)
    page.get_by_label("Geburtsdatum").fill("09.04.1975")
    page.get_by_label("Aktivierungscode").fill(code)
    page.get_by_label("E-Mail-Adresse").fill("lotte@example.org")
    page.get_by_label("Passwort", exact=True).fill("Lotse-Browser-2026")
    page.get_by_label("Passwort wiederholen").fill("Lotse-Browser-2026")
    page.get_by_role("button", name="Konto erstellen").click()
    assert page.url.endswith("/konto/willkommen/")
