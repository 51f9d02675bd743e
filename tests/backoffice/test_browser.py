"""A clerk's day in the back office, in a real browser: from the dashboard on the admin's
start page to the doctor-change request, decided with the button that calls the service."""

from __future__ import annotations

import re
import uuid

import pytest

from backoffice.roles import ensure_roles
from enrollment import services
from enrollment.models import DoctorChangeRequest
from tests.factories import StaffMembershipFactory
from tests.fixtures.enrollment import ALL_CONSENTS, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sachbearbeitung-2026"


def staff_login(page, live_server, username: str, password: str, *, next_url: str = "/verwaltung/") -> None:
    """Sign in through the portal's login page, as staff do (the admin has no login of its own):
    the password, then the code of the authenticator app (a second factor is mandatory)."""
    from django.contrib.auth import get_user_model
    from django_otp.oath import totp

    from tests.fixtures.signin import verified_device_for

    device = verified_device_for(get_user_model().objects.get(username=username))
    page.goto(f"{live_server.url}/konto/anmelden/?next={next_url}")
    page.get_by_label("E-Mail-Adresse oder Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_label("Sicherheitscode oder Wiederherstellungscode").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"**{next_url}")


@pytest.fixture
def pending_change(hzv, gp, second_gp, person):  # noqa: F811
    participation = services.participation_declare(
        person=person,
        contract=hzv,
        provider=gp,
        actor=person.user,
        consents=ALL_CONSENTS,
        idempotency_key=uuid.uuid4(),
        now=at(2025, 12, 20, 18),
    )
    return services.participation_request_doctor_change(
        participation=participation, actor=person.user, new_provider=second_gp, reason="moved", now=at(2026, 1, 10)
    )


@pytest.fixture
def clerk(aoks):
    user = StaffMembershipFactory(fund=aoks["aok-bw"]).user
    user.set_password(PASSWORD)
    user.save()
    user.groups.set([ensure_roles().groups["Kassen-Sachbearbeitung"]])
    return user


def test_clerk_decides_a_doctor_change_request_from_the_dashboard(
    page, live_server, clerk, pending_change, assert_no_axe_violations
):
    staff_login(page, live_server, clerk.username, PASSWORD)
    assert_no_axe_violations(page)  # the dashboard (Django's admin around it included)
    work = page.locator("#open-work")
    row = work.locator("tr", has_text="Anträge auf Arztwechsel zu entscheiden")
    assert row.locator("td").inner_text() == "1"

    row.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/verwaltung/enrollment/doctorchangerequest/\?decision__exact=pending$"))
    page.locator("#result_list tbody tr").first.locator("a").first.click()
    page.get_by_role("link", name="Entscheiden").click()
    page.wait_for_url("**/entscheiden/")

    page.get_by_label("genehmigen").check()
    page.get_by_label("wirksam ab / letzter Teilnahmetag").fill("2027-01-01")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(re.compile(r".*/verwaltung/enrollment/doctorchangerequest/$"))
    assert "Entscheidung gespeichert." in page.locator(".messagelist").inner_text()

    pending_change.refresh_from_db()
    assert (pending_change.decision, pending_change.decided_by, str(pending_change.effective_date)) == (
        "approved",
        clerk,
        "2027-01-01",
    )
    assert pending_change.participation.events.filter(reason_code="doctor_change_approved").exists()
    page.goto(f"{live_server.url}/verwaltung/")
    assert page.locator("#open-work tr", has_text="Arztwechsel").locator("td").inner_text() == "0"
    assert not DoctorChangeRequest.objects.filter(decision="pending").exists()
