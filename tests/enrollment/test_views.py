"""Participation pages: the wizard, the status page, revoke/cancel/doctor change, downloads,
who may see what (404 for others), query counts."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enrollment import services
from enrollment.lifecycle import Status
from enrollment.models import Channel, EventReason, Participation
from tests.factories import InsuredPersonFactory, LegalRepresentationFactory, UserFactory
from tests.fixtures.enrollment import ALL_CONSENTS, at, declare, event_row, event_rows, wizard_tab_at_declaration

pytestmark = pytest.mark.django_db


def wizard_url(client, contract, step):
    """The wizard's URL in this client's session (started from the program page's button)."""
    response = client.post(reverse("enrollment:declare_start"), {"programm": contract.program.slug})
    assert response.status_code == 302, response
    return response.url.split("?")[0] + f"?schritt={step}"


def pdf_text(content: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages).split())


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


# --- the wizard -------------------------------------------------------------------------------------


def test_wizard_declares_once_even_when_posted_twice(client, hzv, gp, person):
    client.force_login(person.user)
    response = client.get(wizard_url(client, hzv, "person"))
    assert response.status_code == 200
    assert "Teilnahme möglich" in response.content.decode()
    response = client.post(wizard_url(client, hzv, "person"), {"step": "person", "person": person.pk})
    assert response.url == wizard_url(client, hzv, "praxis")
    response = client.get(wizard_url(client, hzv, "praxis"))
    assert gp.name in response.content.decode()
    response = client.post(wizard_url(client, hzv, "praxis"), {"step": "praxis", "provider": gp.pk})
    assert response.url == wizard_url(client, hzv, "erklaerung")
    response = client.get(wizard_url(client, hzv, "erklaerung"))
    page = response.content.decode()
    for text in (hzv.declaration_text, hzv.consent_text, hzv.revocation_instruction, "24:00 Uhr"):
        assert text in page
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', page).group(1)
    data = {"step": "erklaerung", "idempotency_key": key, **dict.fromkeys(ALL_CONSENTS, "on")}
    first = client.post(wizard_url(client, hzv, "erklaerung"), data)
    second = client.post(wizard_url(client, hzv, "erklaerung"), data)
    participation = Participation.objects.get()
    assert first.url == second.url == reverse("enrollment:detail", kwargs={"pk": participation.pk})
    assert participation.provider == gp
    assert participation.status == Status.SUBMITTED
    assert str(participation.idempotency_key) == key
    assert event_rows(participation) == [("", Status.SUBMITTED, EventReason.DECLARED, person.user, Channel.ONLINE)]


def test_wizard_post_racing_a_twin_that_committed_meanwhile_leads_to_the_record(client, hzv, gp, person, monkeypatch):
    """Two tabs post the last form with the same key at once. The second looks for the key before
    the first has committed, then finds the person already taking part: it must lead to the
    record, not back to step 1 ("Eine Teilnahme ist nicht (mehr) möglich")."""
    from enrollment import views

    tabs = [wizard_tab_at_declaration(person, hzv, gp) for _ in range(2)]
    data = {"step": "erklaerung", "idempotency_key": str(uuid.uuid4()), **dict.fromkeys(ALL_CONSENTS, "on")}
    first = tabs[0][0].post(tabs[0][1], data)
    participation = Participation.objects.get()
    looked_up = views._already_declared
    calls = []

    def before_the_commit_once(request, key):  # the twin's first look came before the commit
        calls.append(key)
        return None if len(calls) == 1 else looked_up(request, key)

    monkeypatch.setattr(views, "_already_declared", before_the_commit_once)
    second = tabs[1][0].post(tabs[1][1], data)
    assert first.url == second.url == reverse("enrollment:detail", kwargs={"pk": participation.pk})
    assert Participation.objects.count() == 1


def test_wizard_repeated_post_to_the_same_url_leads_to_the_record(client, hzv, gp, person):
    """A browser posts the last form again to the same URL (double click, or a retry after the
    answer was lost on the way): the first post has closed the wizard, yet the second must lead to
    the record, not to the program list (the person would not see their declaration and, starting
    again, be told they already take part)."""
    client.force_login(person.user)
    client.post(wizard_url(client, hzv, "person"), {"step": "person", "person": person.pk})
    client.post(wizard_url(client, hzv, "praxis"), {"step": "praxis", "provider": gp.pk})
    url = wizard_url(client, hzv, "erklaerung")
    page = client.get(url).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', page).group(1)
    data = {"step": "erklaerung", "idempotency_key": key, **dict.fromkeys(ALL_CONSENTS, "on")}
    first = client.post(url, data)
    second = client.post(url, data)  # the same URL: the wizard's token is already spent
    participation = Participation.objects.get()
    assert first.url == second.url == reverse("enrollment:detail", kwargs={"pk": participation.pk})
    assert len(event_rows(participation)) == 1
    # another account posting that key learns nothing about the record
    stranger = Client()
    stranger.force_login(UserFactory())
    response = stranger.post(url, data)
    assert response.status_code == 302 and response.url == reverse("programs:list")


def test_wizard_missing_confirmation_shows_errors(client, hzv, gp, person):
    client.force_login(person.user)
    client.post(wizard_url(client, hzv, "person"), {"step": "person", "person": person.pk})
    client.post(wizard_url(client, hzv, "praxis"), {"step": "praxis", "provider": gp.pk})
    page = client.get(wizard_url(client, hzv, "erklaerung")).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', page).group(1)
    response = client.post(
        wizard_url(client, hzv, "erklaerung"), {"step": "erklaerung", "idempotency_key": key, "declaration": "on"}
    )
    assert response.status_code == 200
    assert title_of(response).startswith("Fehler: ")
    assert "Ohne Einwilligung in die Datenübermittlung" in response.content.decode()
    assert not Participation.objects.exists()


def test_wizard_hzv_requires_choosing_a_gp(client, hzv, gp, person):
    client.force_login(person.user)
    client.post(wizard_url(client, hzv, "person"), {"step": "person", "person": person.pk})
    response = client.post(wizard_url(client, hzv, "praxis"), {"step": "praxis"})
    assert response.status_code == 200
    assert title_of(response).startswith("Fehler: ")
    # Skipping the step is not possible either.
    assert client.get(wizard_url(client, hzv, "erklaerung")).url == wizard_url(client, hzv, "praxis")


def test_wizard_provider_list_as_htmx_fragment(client, hzv, gp, person):
    client.force_login(person.user)
    client.post(wizard_url(client, hzv, "person"), {"step": "person", "person": person.pk})
    response = client.get(wizard_url(client, hzv, "praxis") + "&plz=70173", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="provider-choice"')
    assert gp.name in body and "<html" not in body
    assert response.headers["Vary"].count("HX-Request") == 1


def test_wizard_shows_every_reason_why_not(client, hzv, gp, person):
    hzv.program.min_age = 60
    hzv.program.save()
    client.force_login(person.user)
    page = client.get(wizard_url(client, hzv, "person")).content.decode()
    assert "Teilnahme nicht möglich" in page
    assert "das Programm ist erst ab 60 Jahren" in page
    assert 'name="person"' not in page


def test_wizard_requires_login(client, hzv):
    response = client.post(reverse("enrollment:declare_start"), {"programm": hzv.program.slug})
    assert response.status_code == 302 and "/konto/anmelden/" in response.url
    response = client.get(reverse("enrollment:declare", kwargs={"token": "abc"}))
    assert response.status_code == 302 and "/konto/anmelden/" in response.url


def test_wizard_urls_do_not_name_the_program(client, dmp, person):
    """A wizard path such as /teilnahme/erklaeren/dmp-depression/ would put a diagnosis into the
    access log next to the client address: the program travels in the POST body only."""
    client.force_login(person.user)
    response = client.post(reverse("enrollment:declare_start"), {"programm": dmp.program.slug})
    url = response.url
    assert url.startswith("/teilnahme/erklaeren/") and dmp.program.slug not in url
    # the token is random: it is neither the program's id nor derived from it
    token = url.split("/")[3]
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,}", token) and token != str(dmp.program.pk)
    page = client.get(url)
    assert page.status_code == 200 and dmp.program.title in page.content.decode()
    assert dmp.program.slug not in " ".join(re.findall(r'(?:action|href)="([^"]*)"', page.content.decode()))
    # the same program keeps its token for the session; another session gets another token
    assert client.post(reverse("enrollment:declare_start"), {"programm": dmp.program.slug}).url == url
    other = Client()
    other.force_login(person.user)
    assert other.post(reverse("enrollment:declare_start"), {"programm": dmp.program.slug}).url != url
    # a token of another session (or an outdated one) leads back to the programs, not to a wizard
    stranger = Client()
    stranger.force_login(UserFactory())
    response = stranger.get(url)
    assert response.status_code == 302 and response.url == reverse("programs:list")


def test_wizard_start_answers_a_get_with_the_program_list(client, person):
    client.force_login(person.user)
    response = client.get(reverse("enrollment:declare_start"))
    assert response.status_code == 302 and response.url == reverse("programs:list")


# --- representatives and minors ----------------------------------------------------------------


def test_representative_declares_for_child_under_15(client, aoks, bv):
    parent = InsuredPersonFactory(birth_date=dt.date(1980, 1, 1))
    # Ten on 1 January of this year: never a 29 February that the year ten back lacks.
    child = InsuredPersonFactory(user=None, birth_date=dt.date(timezone.localdate().year - 10, 1, 1))
    LegalRepresentationFactory(representative=parent, represented=child)
    client.force_login(parent.user)
    page = client.get(wizard_url(client, bv, "person")).content.decode()
    assert f'value="{child.pk}"' in page
    client.post(wizard_url(client, bv, "person"), {"step": "person", "person": child.pk})
    client.post(wizard_url(client, bv, "praxis"), {"step": "praxis", "provider": ""})
    page = client.get(wizard_url(client, bv, "erklaerung")).content.decode()
    assert "Sie als gesetzliche Vertretung" in page
    # the page and the confirmations speak in the representative's voice
    name = child.first_name
    assert f"als gesetzliche Vertretung für Ihr Kind {name}." in page
    assert f"erkläre hiermit als gesetzliche Vertretung die Teilnahme für mein Kind {name}." in page
    assert f"Verarbeitung der Daten meines Kindes {name} ein." in page
    assert "erkläre hiermit meine Teilnahme" not in page
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', page).group(1)
    client.post(
        wizard_url(client, bv, "erklaerung"),
        {"step": "erklaerung", "idempotency_key": key, **dict.fromkeys(ALL_CONSENTS, "on")},
    )
    p = Participation.objects.get()
    assert (p.person, p.signer_kind, p.signer) == (child, "representative", parent)
    assert event_rows(p) == [("", Status.SUBMITTED, EventReason.DECLARED, parent.user, Channel.ONLINE)]
    receipt = client.get(reverse("enrollment:receipt", kwargs={"pk": p.pk}))
    assert f"Empfangsbestätigung Ihrer Teilnahmeerklärung für Ihr Kind {name}" in pdf_text(receipt.content)


def test_a_person_declaring_for_themselves_reads_the_first_person_texts(client, hzv, gp, person):
    client.force_login(person.user)
    client.post(wizard_url(client, hzv, "person"), {"step": "person", "person": person.pk})
    client.post(wizard_url(client, hzv, "praxis"), {"step": "praxis", "provider": gp.pk})
    page = client.get(wizard_url(client, hzv, "erklaerung")).content.decode()
    assert "erkläre hiermit meine Teilnahme" in page and "gesetzliche Vertretung für" not in page


def test_child_under_15_cannot_declare_alone(aoks, bv):
    child = InsuredPersonFactory(birth_date=dt.date(2012, 6, 1))
    with pytest.raises(services.NotEligible, match="gesetzliche Vertretung"):
        declare(bv, child, now=at(2026, 5, 4))


def test_child_15_to_17_declares_alone_and_representative_is_informed(
    aoks, bv, mailoutbox, django_capture_on_commit_callbacks
):
    child = InsuredPersonFactory(birth_date=dt.date(2010, 2, 15))  # 16 in May 2026
    parent = InsuredPersonFactory(birth_date=dt.date(1980, 9, 3))
    parent.user.email = "eltern@example.org"
    parent.user.save()
    LegalRepresentationFactory(representative=parent, represented=child)
    with django_capture_on_commit_callbacks(execute=True):
        p = declare(bv, child, now=at(2026, 5, 4))
    assert (p.signer_kind, p.signer) == ("self", None)
    informed = [m for m in mailoutbox if m.to == ["eltern@example.org"]]
    assert len(informed) == 1
    assert bv.program.title not in informed[0].body


# --- nobody sees another person's participation ------------------------------------------------


@pytest.mark.parametrize("name", ["detail", "receipt", "ics", "cancel", "cancel_extraordinary", "doctor_change"])
def test_other_persons_participation_is_404(client, hzv, gp, person, other_person, name):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    client.force_login(other_person.user)
    assert client.get(reverse(f"enrollment:{name}", kwargs={"pk": p.pk})).status_code == 404


def test_other_person_cannot_revoke(client, hzv, gp, person, other_person):
    p = declare(hzv, person, gp, now=timezone.now())
    client.force_login(other_person.user)
    assert client.post(reverse("enrollment:revoke", kwargs={"pk": p.pk})).status_code == 404
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED
    assert p.events.count() == 1


def test_representative_sees_childs_participation_but_not_vice_versa(client, aoks, bv):
    parent = InsuredPersonFactory()
    child = InsuredPersonFactory(birth_date=dt.date(2010, 2, 15))
    LegalRepresentationFactory(representative=parent, represented=child)
    own = declare(bv, parent, now=at(2026, 5, 4))
    childs = declare(bv, child, now=at(2026, 5, 4))
    client.force_login(parent.user)
    assert client.get(reverse("enrollment:detail", kwargs={"pk": childs.pk})).status_code == 200
    client.force_login(child.user)
    assert client.get(reverse("enrollment:detail", kwargs={"pk": own.pk})).status_code == 404


def test_staff_account_without_insured_record_sees_nothing(client, hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("enrollment:detail", kwargs={"pk": p.pk})).status_code == 404
    assert "nicht mit Versichertendaten verbunden" in client.get(reverse("enrollment:dashboard")).content.decode()


# --- status page, revoke, cancel -----------------------------------------------------------------


def test_status_page_shows_countdown_and_revoke_button(client, bv, person):
    now = timezone.now()
    p = declare(bv, person, now=now)
    client.force_login(person.user)
    page = client.get(reverse("enrollment:detail", kwargs={"pk": p.pk})).content.decode()
    assert "in der Widerrufsfrist" in page
    assert p.revocation_deadline.strftime("%d.%m.%Y") in page
    assert reverse("enrollment:revoke", kwargs={"pk": p.pk}) in page
    confirm_page = client.get(reverse("enrollment:revoke", kwargs={"pk": p.pk})).content.decode()
    assert "Was der Widerruf bewirkt" in confirm_page and "Verbindlich widerrufen" in confirm_page
    unconfirmed = client.post(reverse("enrollment:revoke", kwargs={"pk": p.pk}))
    assert unconfirmed.status_code == 200 and "Bitte bestätigen Sie den Widerruf." in unconfirmed.content.decode()
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED
    response = client.post(reverse("enrollment:revoke", kwargs={"pk": p.pk}), {"confirm": "on"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == Status.REVOKED
    assert event_row(p) == (Status.SUBMITTED, Status.REVOKED, EventReason.REVOKED, person.user, Channel.ONLINE)


def test_status_page_after_deadline_explains_and_offers_cancellation(client, bv, person):
    now = timezone.now()
    p = declare(bv, person, now=now - dt.timedelta(days=40))
    services.participation_start(participation=p, now=now - dt.timedelta(days=39))
    client.force_login(person.user)
    page = client.get(reverse("enrollment:detail", kwargs={"pk": p.pk})).content.decode()
    assert reverse("enrollment:revoke", kwargs={"pk": p.pk}) not in page
    assert "Widerruf nicht mehr möglich" in page
    assert reverse("enrollment:cancel", kwargs={"pk": p.pk}) in page
    # A stale form posted anyway is refused with the reason.
    assert "Widerrufsfrist endete" in client.get(reverse("enrollment:revoke", kwargs={"pk": p.pk})).content.decode()
    response = client.post(reverse("enrollment:revoke", kwargs={"pk": p.pk}), {"confirm": "on"}, follow=True)
    assert "Widerrufsfrist endete" in response.content.decode()
    p.refresh_from_db()
    assert p.status == Status.ACTIVE
    assert event_row(p)[2] == EventReason.STARTED  # the refused revocation wrote nothing


def test_cancel_shows_end_date_before_confirming(client, bv, person):
    now = timezone.now()
    p = declare(bv, person, now=now - dt.timedelta(days=40))
    services.participation_start(participation=p, now=now - dt.timedelta(days=39))
    term = p.cancellation_term(on=timezone.localdate(now))
    client.force_login(person.user)
    url = reverse("enrollment:cancel", kwargs={"pk": p.pk})
    page = client.get(url).content.decode()
    assert term.term_end.strftime("%d.%m.%Y") in page
    assert title_of(client.post(url, {})).startswith("Fehler: ")
    p.refresh_from_db()
    assert p.status == Status.ACTIVE
    assert client.post(url, {"confirm": "on"}).status_code == 302
    p.refresh_from_db()
    assert (p.status, p.end_date) == (Status.ENDING, term.term_end)
    assert event_row(p) == (Status.ACTIVE, Status.ENDING, EventReason.CANCELLED, person.user, Channel.ONLINE)
    assert len(event_rows(p)) == 3  # the post without confirmation wrote nothing


def test_extraordinary_cancellation_request_needs_text_for_other(client, bv, person):
    now = timezone.now()
    p = declare(bv, person, now=now - dt.timedelta(days=40))
    services.participation_start(participation=p, now=now - dt.timedelta(days=39))
    client.force_login(person.user)
    url = reverse("enrollment:cancel_extraordinary", kwargs={"pk": p.pk})
    assert title_of(client.post(url, {"reason": "other"})).startswith("Fehler: ")
    assert client.post(url, {"reason": "moved"}).status_code == 302
    assert p.cancellation_requests.get().reason == "moved"
    assert event_row(p) == (
        Status.ACTIVE,
        Status.ACTIVE,
        EventReason.EXTRAORDINARY_REQUESTED,
        person.user,
        Channel.ONLINE,
    )


def test_doctor_change_in_binding_asks_for_reason(client, hzv, gp, second_gp, person):
    p = declare(hzv, person, gp, now=timezone.now())
    client.force_login(person.user)
    url = reverse("enrollment:doctor_change", kwargs={"pk": p.pk})
    page = client.get(url).content.decode()
    assert second_gp.name in page and 'name="reason"' in page
    assert f'value="{gp.pk}"' not in page
    assert title_of(client.post(url, {"provider": second_gp.pk})).startswith("Fehler: ")
    assert client.post(url, {"provider": second_gp.pk, "reason": "moved"}).status_code == 302
    assert p.doctor_changes.get().decision == "pending"
    assert event_rows(p)[1:] == [
        (Status.SUBMITTED, Status.SUBMITTED, EventReason.DOCTOR_CHANGE_REQUESTED, person.user, Channel.ONLINE)
    ]  # the request without a reason wrote nothing


# --- downloads ---------------------------------------------------------------------------------------


def test_receipt_pdf_contains_all_deadlines(client, hzv, gp, person):
    from io import BytesIO

    from pypdf import PdfReader

    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10, 15))
    client.force_login(person.user)
    response = client.get(reverse("enrollment:receipt", kwargs={"pk": p.pk}))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    for expected in (
        "04.01.2027, 24:00 Uhr",
        "01.04.2027",
        "31.03.2028",
        "29.02.2028",
        "19.12.2026, 10:15",
        person.kvnr,
        gp.name,
        "2026-1",
        hzv.declaration_text,
        hzv.consent_text,
        "Samstag",
    ):
        assert expected in text, expected
    assert reader.metadata.title.startswith("Empfangsbestätigung")
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged PDF (PDF/UA-1)
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts


def test_ics_lists_deadlines_as_all_day_events(client, hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    client.force_login(person.user)
    response = client.get(reverse("enrollment:ics", kwargs={"pk": p.pk}))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20270104" in body
    assert "DTSTART;VALUE=DATE:20270401" in body
    assert "DTSTART;VALUE=DATE:20280229" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def _unfolded(body: str) -> str:
    return body.replace("\r\n ", "")


def test_ics_names_the_program_and_reminds_before_the_deadlines(client, hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    client.force_login(person.user)
    body = _unfolded(client.get(reverse("enrollment:ics", kwargs={"pk": p.pk})).content.decode())
    assert f"SUMMARY:{hzv.program.title}: Letzter Tag für einen Widerruf" in body
    assert body.count("BEGIN:VALARM") == 2  # last day to revoke, last day for a cancellation
    assert body.count("TRIGGER:-P3D") == 2
    assert "STATUS:CANCELLED" not in body


def test_ics_of_a_dmp_keeps_the_condition_out_of_the_summary(client, dmp, person):
    p = declare(dmp, person, None, now=at(2026, 12, 19, 10))
    services.participation_confirm_doctor(
        participation=p, actor=None, confirmed_at=at(2026, 12, 21), now=at(2026, 12, 21)
    )
    client.force_login(person.user)
    body = _unfolded(client.get(reverse("enrollment:ics", kwargs={"pk": p.pk})).content.decode())
    summaries = [line for line in body.split("\r\n") if line.startswith("SUMMARY:")]
    assert summaries and all(dmp.program.title not in line for line in summaries)
    assert all("Behandlungsprogramm (DMP)" in line for line in summaries)
    assert f"DESCRIPTION:{dmp.program.title}" in body


def test_ics_of_a_revoked_participation_cancels_its_entries(client, hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    client.force_login(person.user)
    before = _unfolded(client.get(reverse("enrollment:ics", kwargs={"pk": p.pk})).content.decode())
    services.participation_revoke(participation=p, actor=person.user, now=at(2026, 12, 20, 10))
    after = _unfolded(client.get(reverse("enrollment:ics", kwargs={"pk": p.pk})).content.decode())
    uids = lambda body: {line for line in body.split("\r\n") if line.startswith("UID:")}  # noqa: E731
    assert uids(after) and uids(after) <= uids(before)  # the same entries, now cancelled
    assert after.count("STATUS:CANCELLED") == len(uids(after))
    assert "SEQUENCE:1" in after and "BEGIN:VALARM" not in after


# --- dashboard ------------------------------------------------------------------------------------


def test_dashboard_lists_own_and_childrens_participations(client, aoks, bv, hzv, gp):
    parent = InsuredPersonFactory(first_name="Paula")
    child = InsuredPersonFactory(first_name="Kim", user=None, birth_date=dt.date(2016, 6, 1))
    LegalRepresentationFactory(representative=parent, represented=child)
    declare(hzv, parent, gp, now=at(2026, 12, 19))
    declare(bv, child, now=at(2026, 12, 19), actor=parent.user)
    client.force_login(parent.user)
    page = client.get(reverse("enrollment:dashboard")).content.decode()
    assert "Ihre Teilnahmen" in page and "Teilnahmen von Kim" in page
    assert hzv.program.title in page and bv.program.title in page


def test_dashboard_does_not_show_a_revoked_participation_as_if_it_would_start(client, hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    start = p.start_date.strftime("%d.%m.%Y")
    client.force_login(person.user)

    def row() -> str:
        page = client.get(reverse("enrollment:dashboard")).content.decode()
        return re.search(
            r'<tr class="kern-table__row">\s*<th class="kern-table__cell" scope="row">.*?</tr>', page, re.S
        )[0]

    assert start in row()
    services.participation_revoke(participation=p, actor=person.user, now=at(2026, 12, 20, 10))
    revoked = row()
    assert start not in revoked and "entfällt" in revoked
    assert "Kündigung bis" not in revoked and "Widerruf bis" not in revoked


def test_status_and_dashboard_follow_a_staff_edit_of_program_and_doctor(client, hzv, gp, person):
    """The contract, program and doctor of a participation come from catalogue stores: a staff
    edit replaces the catalogue version, and the next page shows the edit."""
    p = declare(hzv, person, gp, now=timezone.now())
    client.force_login(person.user)
    status, dashboard = reverse("enrollment:detail", kwargs={"pk": p.pk}), reverse("enrollment:dashboard")
    assert hzv.program.title in client.get(status).content.decode()
    assert hzv.program.title in client.get(dashboard).content.decode()
    hzv.program.title = "Hausarztprogramm, neuer Name"
    hzv.program.save()
    gp.name = "Praxis mit neuem Namen"
    gp.save()
    for url in (status, dashboard):
        html = client.get(url).content.decode()
        assert "Hausarztprogramm, neuer Name" in html
    assert "Praxis mit neuem Namen" in client.get(status).content.decode()


def test_dashboard_query_count_does_not_grow(client, aoks, django_assert_num_queries):
    from tests.factories import ContractFactory, ProgramFactory

    parent = InsuredPersonFactory()
    children = [InsuredPersonFactory(user=None, birth_date=dt.date(2016, 6, 1)) for _ in range(3)]
    for child in children:
        LegalRepresentationFactory(representative=parent, represented=child)
    from enrollment import account_memo

    client.force_login(parent.user)
    url = reverse("enrollment:dashboard")
    client.get(url)
    with django_assert_num_queries(3):  # session, user, account version: the page from the memo
        client.get(url)
    account_memo.clear()
    with django_assert_num_queries(6):  # … rendered: represented ids, persons, participations
        client.get(url)
    for person in [parent, *children]:
        for _ in range(3):
            contract = ContractFactory(program=ProgramFactory(), start_rule="next_day")
            declare(contract, person, now=at(2026, 5, 4), actor=parent.user)
    with django_assert_num_queries(7):  # the version moved on: rendered, with the new contracts in one query
        response = client.get(url)
    assert response.content.decode().count('href="/teilnahme/') >= 12
    account_memo.clear()
    with django_assert_num_queries(6):  # the contracts from the catalogue store
        client.get(url)


def test_action_pages_answer_a_get_with_a_page(client, bv, hzv, gp, person):
    p = declare(hzv, person, gp, now=timezone.now())
    client.force_login(person.user)
    for name in ("revoke", "cancel", "cancel_extraordinary", "doctor_change"):
        response = client.get(reverse(f"enrollment:{name}", kwargs={"pk": p.pk}))
        assert response.status_code == 200, name
        assert "<h1" in response.content.decode(), name


def test_doctor_change_on_a_revoked_participation_says_so_before_the_form(client, hzv, gp, person):
    p = declare(hzv, person, gp, now=timezone.now())
    services.participation_revoke(participation=p, actor=person.user, now=timezone.now())
    client.force_login(person.user)
    page = client.get(reverse("enrollment:doctor_change", kwargs={"pk": p.pk})).content.decode()
    assert "kein Praxiswechsel möglich" in page
    assert 'name="provider"' not in page
    assert "widerrufen" in page.lower()


def test_a_second_doctor_change_request_is_refused_before_the_form(client, hzv, gp, second_gp, person):
    p = declare(hzv, person, gp, now=timezone.now())
    services.participation_request_doctor_change(
        participation=p, actor=person.user, new_provider=second_gp, now=timezone.now(), reason="moved"
    )
    client.force_login(person.user)
    page = client.get(reverse("enrollment:doctor_change", kwargs={"pk": p.pk})).content.decode()
    assert "bereits beantragt oder vorgemerkt" in page
    assert 'name="provider"' not in page


def test_a_second_extraordinary_cancellation_request_is_refused_before_the_form(client, bv, person):
    p = declare(bv, person, None, now=timezone.now() - dt.timedelta(days=60))
    services.participation_start(participation=p, now=timezone.now() - dt.timedelta(days=40))
    client.force_login(person.user)
    url = reverse("enrollment:cancel_extraordinary", kwargs={"pk": p.pk})
    assert 'name="reason"' in client.get(url).content.decode()
    services.participation_request_extraordinary_cancellation(
        participation=p, actor=person.user, reason="moved", reason_text="", now=timezone.now()
    )
    page = client.get(url).content.decode()
    assert "liegt Ihrer Krankenkasse bereits vor" in page
    assert 'name="reason"' not in page


# --- practices that take no new patients ------------------------------------------------------------


def test_wizard_marks_a_closed_practice_and_asks_before_binding_to_it(client, hzv, gp, person):
    gp.accepts_new_patients = False
    gp.save()
    client.force_login(person.user)
    client.post(wizard_url(client, hzv, "person"), {"step": "person", "person": person.pk})
    page = client.get(wizard_url(client, hzv, "praxis")).content.decode()
    assert "nimmt derzeit keine neuen Patientinnen und Patienten an" in page
    assert 'name="confirm_closed"' not in page  # asked only when the practice is chosen

    response = client.post(wizard_url(client, hzv, "praxis"), {"step": "praxis", "provider": gp.pk})
    assert response.status_code == 200  # not on to the declaration
    page = response.content.decode()
    assert title_of(response).startswith("Fehler: ")
    assert 'name="confirm_closed"' in page and "Bitte bestätigen Sie" in page

    response = client.post(
        wizard_url(client, hzv, "praxis"), {"step": "praxis", "provider": gp.pk, "confirm_closed": "on"}
    )
    assert response.status_code == 302 and response.url == wizard_url(client, hzv, "erklaerung")


def test_an_open_practice_needs_no_confirmation(client, hzv, gp, person):
    client.force_login(person.user)
    client.post(wizard_url(client, hzv, "person"), {"step": "person", "person": person.pk})
    response = client.post(wizard_url(client, hzv, "praxis"), {"step": "praxis", "provider": gp.pk})
    assert response.status_code == 302 and response.url == wizard_url(client, hzv, "erklaerung")


def test_doctor_change_to_a_closed_practice_asks_for_confirmation(client, hzv, gp, second_gp, person):
    second_gp.accepts_new_patients = False
    second_gp.save()
    p = declare(hzv, person, provider=gp, now=timezone.now() - dt.timedelta(days=3))
    client.force_login(person.user)
    url = reverse("enrollment:doctor_change", kwargs={"pk": p.pk})
    assert "nimmt derzeit keine neuen Patientinnen und Patienten an" in client.get(url).content.decode()
    response = client.post(url, {"provider": second_gp.pk, "reason": "moved", "reason_text": ""})
    assert response.status_code == 200 and 'name="confirm_closed"' in response.content.decode()
    assert not p.doctor_changes.exists()
    response = client.post(url, {"provider": second_gp.pk, "reason": "moved", "confirm_closed": "on"})
    assert response.status_code == 302 and p.doctor_changes.get().decision == "pending"


def test_english_declaration_page_marks_the_german_texts_and_says_which_is_binding(client, hzv, gp, person):
    client.force_login(person.user)
    client.post(wizard_url(client, hzv, "person"), {"step": "person", "person": person.pk})
    client.post(wizard_url(client, hzv, "praxis"), {"step": "praxis", "provider": gp.pk})
    url = wizard_url(client, hzv, "erklaerung")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english.count("only the German text is legally binding") >= 2
    assert re.search(r'aria-labelledby="declaration-heading" lang="de"', english)
    assert re.search(r'aria-labelledby="consent-heading" lang="de"', english)
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "legally binding" not in german and 'aria-labelledby="declaration-heading" lang="de"' not in german


def test_doctor_change_page_skips_a_doctor_removed_by_another_process(client, hzv, gp, second_gp, person):
    """Another worker deletes a participating practice. This process memoises the search per
    catalogue version and sees the new version up to a second later; a memoised page whose
    rows were never read (a search page renders them from fragments) then has a hit without a
    provider. The page lists the other doctors instead of failing with a 500 (found by review)."""
    from django.db import connection

    from enrollment.selectors import HZV_KINDS
    from programs.selectors import postal_code_centroid
    from providers.selectors import ProviderFilters, nearby_providers
    from tests.factories import ContractParticipationFactory, PostalCodeFactory, ProviderFactory

    PostalCodeFactory(code="70173", latitude=48.776, longitude=9.18)
    third = ProviderFactory(name="Praxis Dr. Geschlossen", postal_code="70173", latitude=48.776, longitude=9.18)
    ContractParticipationFactory(provider=third, contract=hzv, valid_from=dt.date(2020, 1, 1))
    p = declare(hzv, person, gp, now=timezone.now())
    searched = nearby_providers(  # what providers_near asks, memoised without reading the rows
        origin=postal_code_centroid("70173"),
        contract_ids=[hzv.pk],
        on=timezone.localdate(),
        filters=ProviderFilters(kinds=HZV_KINDS),
        page_size=15,
    )
    assert third.pk in [hit.provider_id for hit in searched.hits]
    participations = third.participations.model._meta.db_table
    with connection.cursor() as cursor:  # as another process would, without this one's signals
        cursor.execute(f"DELETE FROM {participations} WHERE provider_id = %s", [third.pk])  # noqa: S608 (table names from the models)
        cursor.execute(f"DELETE FROM {third._meta.db_table} WHERE id = %s", [third.pk])  # noqa: S608 (table names from the models)
    client.force_login(person.user)
    response = client.get(reverse("enrollment:doctor_change", kwargs={"pk": p.pk}) + "?plz=70173")
    assert response.status_code == 200
    page = response.content.decode()
    assert second_gp.name in page and third.name not in page


def test_status_page_queries_do_not_grow_with_events_documents_and_requests(
    client, hzv, gp, second_gp, person, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enrollment import account_memo

    with django_capture_on_commit_callbacks(execute=True):
        p = declare(hzv, person, gp, now=timezone.now())
    client.force_login(person.user)
    url = reverse("enrollment:detail", kwargs={"pk": p.pk})
    client.get(url)  # the catalogue stores are warm from here on
    account_memo.clear()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    with django_capture_on_commit_callbacks(execute=True):
        services.participation_request_doctor_change(
            participation=p, actor=person.user, new_provider=second_gp, reason="moved", now=timezone.now()
        )
        services.participation_revoke(participation=p, actor=person.user, now=timezone.now())
    assert p.events.count() >= 3 and p.documents.count() == 2
    # the version moved on, so the page is rendered: session, user, account version,
    # participation, events with documents, two kinds of requests
    assert queries() == few == 7
    assert queries() == 3  # session, user, account version: the page from the memo
