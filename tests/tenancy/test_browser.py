"""A clerk of one AOK fails to reach another AOK's participation by URL (Playwright, Chromium)."""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mias_participation():
    """Demo data, and a participation of Mia (AOK PLUS) declared by her father Paul."""
    from devdata.catalogue import seed_demo
    from enrollment import services
    from enrollment.models import InsuredPerson
    from programs.models import Fund, StartRule
    from programs.terms.deadlines import BERLIN
    from tests.factories import ContractFactory, ProgramFactory

    seed_demo(stdout=StringIO())
    mia = InsuredPerson.objects.get(first_name="Mia", last_name="Becker")
    contract = ContractFactory(
        program=ProgramFactory(title="Kinder-Kopfschmerz PLUS"),
        fund=Fund.objects.get(slug="aok-plus"),
        valid_from=dt.date(2020, 1, 1),
        start_rule=StartRule.NEXT_DAY,
    )
    return services.participation_declare(
        person=mia,
        contract=contract,
        provider=None,
        actor=InsuredPerson.objects.get(first_name="Paul").user,
        consents={"declaration": True, "data_transfer": True, "revocation_instruction": True},
        idempotency_key=uuid.uuid4(),
        now=dt.datetime.now(tz=BERLIN),
        notify=False,
    )


def _sign_in(page, live_server, username):
    """Password, then the app's code: staff reach the admin only with a second factor."""
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


def test_clerk_of_aok_bw_cannot_open_a_participation_of_aok_plus(page, live_server, mias_participation):
    change_url = f"{live_server.url}/verwaltung/enrollment/participation/{mias_participation.pk}/change/"

    _sign_in(page, live_server, "sachbearbeitung.bw")
    page.goto(change_url)
    # the admin answers as for a record that does not exist, and shows nothing of Mia
    assert page.url.rstrip("/").endswith("/verwaltung")
    assert "existiert nicht" in page.content()
    assert "Becker" not in page.content()
    # not through the list and its search, nor the history page
    page.goto(f"{live_server.url}/verwaltung/enrollment/participation/")
    page.locator("#searchbar").fill("Becker")
    page.locator("#searchbar").press("Enter")
    page.wait_for_url("**q=Becker**")
    assert "Becker" not in page.locator("#content").inner_text()
    page.goto(f"{live_server.url}/verwaltung/enrollment/participation/{mias_participation.pk}/history/")
    assert "Becker" not in page.content()

    # the clerk of AOK PLUS opens the same address
    page.context.clear_cookies()
    _sign_in(page, live_server, "sachbearbeitung.plus")
    page.goto(change_url)
    assert "Mia Becker" in page.content()
