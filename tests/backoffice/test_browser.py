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


def test_a_clerk_of_one_aok_cannot_reach_another_aoks_participation(page, live_server, aoks, clerk, hzv, gp, person):
    """The clerk of AOK BW types the address of an AOK PLUS participation: the admin answers as
    if it did not exist, and the participation list shows only the clerk's own fund."""
    from tests.factories import ContractFactory, InsuredPersonFactory, ProgramFactory

    own = services.participation_declare(
        person=person, contract=hzv, provider=gp, actor=person.user, consents=ALL_CONSENTS,
        idempotency_key=uuid.uuid4(), now=at(2025, 12, 20, 18),
    )  # fmt: skip
    plus_contract = ContractFactory(
        program=ProgramFactory(slug="bv-plus", title="Programm PLUS"), fund=aoks["aok-plus"]
    )
    mia = InsuredPersonFactory(first_name="Mia", last_name="Sachsen", fund=aoks["aok-plus"])
    foreign = services.participation_declare(
        person=mia, contract=plus_contract, provider=None, actor=mia.user, consents=ALL_CONSENTS,
        idempotency_key=uuid.uuid4(), now=at(2025, 12, 20, 18),
    )  # fmt: skip
    staff_login(page, live_server, clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/verwaltung/enrollment/participation/")
    listing = page.locator("#result_list").inner_text()
    assert "Muster" in listing and "Sachsen" not in listing
    response = page.goto(f"{live_server.url}/verwaltung/enrollment/participation/{foreign.pk}/change/")
    assert "Sachsen" not in page.content() and "Mia" not in page.content()
    assert response.status == 200 and page.url.endswith("/verwaltung/")  # Django: "does not exist", back to the start
    assert "existiert nicht" in page.locator(".messagelist").inner_text()
    page.goto(f"{live_server.url}/verwaltung/enrollment/participation/{own.pk}/change/")
    assert "Muster" in page.content()


def test_operator_imports_providers_and_sees_the_broken_row_first(page, live_server, catalogue, tmp_path):
    """Upload a file with a broken row: the preview names the line and imports nothing; the
    corrected file shows its preview, and "Jetzt importieren" imports it."""
    from django.contrib.auth import get_user_model

    from programs.validators import lanr_with_check_digit
    from providers.models import Provider

    get_user_model().objects.create_superuser("betrieb-csv", "betrieb@example.org", PASSWORD)
    good = lanr_with_check_digit("445566", "01")
    bad = good[:6] + str((int(good[6]) + 1) % 10) + good[7:]
    header = "art;name;lanr;bsnr;ik;fachgruppe;strasse;plz;ort;telefon;webseite;neue_patienten"
    broken = tmp_path / "praxen.csv"
    broken.write_text(
        f"{header}\ngp;Praxis Eins;{good};;;;;77716;Haslach;;;ja\ngp;Praxis Zwei;{bad};;;;;77716;Haslach;;;ja\n"
    )
    staff_login(page, live_server, "betrieb-csv", PASSWORD, next_url="/verwaltung/providers/provider/")
    page.get_by_role("link", name="CSV importieren").click()
    page.get_by_label("CSV-Datei").set_input_files(str(broken))
    page.get_by_role("button", name="Prüfen (Vorschau)").click()
    errors = page.locator("table", has_text="Zeile")
    assert "1 Fehler – nichts wurde importiert" in page.locator("#content-main").inner_text()
    assert re.search(r"3\s+LANR \d{9}: Prüfziffer", errors.inner_text())
    assert page.get_by_role("button", name="Jetzt importieren").count() == 0
    assert not Provider.objects.filter(lanr=good).exists()

    fixed = tmp_path / "praxen-korrigiert.csv"
    fixed.write_text(f"{header}\ngp;Praxis Eins;{good};;;;;77716;Haslach;;;ja\n")
    page.get_by_label("CSV-Datei").set_input_files(str(fixed))
    page.get_by_role("button", name="Prüfen (Vorschau)").click()
    assert "1 Zeile: 1 neu" in page.locator("#content-main").inner_text()
    page.get_by_role("button", name="Jetzt importieren").click()
    page.wait_for_url("**/verwaltung/providers/provider/")
    assert "Import abgeschlossen: 1 neu" in page.locator(".messagelist").inner_text()
    assert Provider.objects.filter(lanr=good, name="Praxis Eins").exists()
