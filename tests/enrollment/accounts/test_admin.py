"""Activation letters in the admin: the code only in the downloaded PDF, never on a page;
a clerk reaches only their own fund's persons, letters and batches."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from enrollment.accounts import services
from enrollment.models import ActivationCode, ActivationLetter, ActivationLetterBatch
from programs.models import Gemeinde, Kreis
from tests.factories import InsuredPersonFactory, StaffMembershipFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:enrollment_insuredperson_changelist"
CODE_RE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def _staff(fund, *codenames):
    membership = StaffMembershipFactory(fund=fund)
    membership.user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="enrollment",
            codename__in=["view_insuredperson", "change_insuredperson", *codenames],
        )
    )
    return membership.user


def _text(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def _run_action(client, ids, action="issue_activation_letters"):
    return client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [str(i) for i in ids]})


def test_action_for_one_person_downloads_the_stored_letter(client, aoks):
    person = InsuredPersonFactory(user=None, fund=aoks["aok-bw"])
    client.force_login(_staff(aoks["aok-bw"]))
    response = _run_action(client, [person.pk])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "attachment" in response["Content-Disposition"]
    pdf = b"".join(response.streaming_content)
    [text] = _text(pdf)
    code = CODE_RE.search(text).group(0)
    letter = ActivationLetter.objects.get(code__person=person)
    assert letter.code.code_hash == services.activation_code_hash(code)
    assert letter.code.created_by.membership.fund == aoks["aok-bw"]
    # the person's page lists the letter, never the code
    page = client.get(reverse("admin:enrollment_insuredperson_change", args=[person.pk])).content.decode()
    assert reverse("admin:enrollment_insuredperson_letter_pdf", args=[person.pk, letter.pk]) in page
    assert code not in page and code.replace("-", "") not in page
    again = client.get(reverse("admin:enrollment_insuredperson_letter_pdf", args=[person.pk, letter.pk]))
    assert b"".join(again.streaming_content) == pdf  # as issued, not rendered again
    from backoffice.models import AccessLogEntry

    logged = AccessLogEntry.objects.filter(person=person, record_type="enrollment.activationletter")
    assert logged.count() == 2 and logged.first().record_id == str(letter.pk)  # issue and download


def test_action_is_scoped_to_the_clerks_fund(client, aoks):
    bw_person = InsuredPersonFactory(user=None, fund=aoks["aok-bw"])
    plus_person = InsuredPersonFactory(user=None, fund=aoks["aok-plus"], land_id="SN", postal_code="01067")
    client.force_login(_staff(aoks["aok-plus"]))
    response = _run_action(client, [bw_person.pk, plus_person.pk])
    assert response.status_code == 200  # only plus_person is in the list's queryset: one letter
    assert not ActivationCode.objects.filter(person=bw_person).exists()
    assert ActivationCode.objects.filter(person=plus_person).count() == 1
    assert bw_person.kvnr not in " ".join(_text(b"".join(response.streaming_content)))


def test_another_funds_letter_and_code_pages_are_not_found(client, aoks):
    from enrollment.accounts import letters

    bw_person = InsuredPersonFactory(user=None, fund=aoks["aok-bw"])
    letter = letters.activation_letter_issue(person=bw_person, issued_by=None, now=_now())
    client.force_login(_staff(aoks["aok-plus"]))
    urls = [
        reverse("admin:enrollment_insuredperson_letter_pdf", args=[bw_person.pk, letter.pk]),
        reverse("admin:enrollment_insuredperson_letter_issue", args=[bw_person.pk]),
        reverse("admin:enrollment_insuredperson_code_revoke", args=[bw_person.pk, letter.code.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert ActivationCode.objects.filter(person=bw_person).count() == 1
    assert ActivationCode.objects.get(person=bw_person).revoked_at is None


def test_a_clerk_without_change_permission_gets_no_letter(client, aoks):
    person = InsuredPersonFactory(user=None, fund=aoks["aok-bw"])
    membership = StaffMembershipFactory(fund=aoks["aok-bw"])
    membership.user.user_permissions.add(Permission.objects.get(codename="view_insuredperson"))
    client.force_login(membership.user)
    assert client.post(reverse("admin:enrollment_insuredperson_letter_issue", args=[person.pk])).status_code == 404
    assert not ActivationCode.objects.exists()


def test_revoke_from_the_persons_page(client, aoks):
    from enrollment.accounts import letters

    person = InsuredPersonFactory(user=None, fund=aoks["aok-bw"])
    letter = letters.activation_letter_issue(person=person, issued_by=None, now=_now())
    client.force_login(_staff(aoks["aok-bw"]))
    url = reverse("admin:enrollment_insuredperson_code_revoke", args=[person.pk, letter.code.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert ActivationCode.objects.get(pk=letter.code.pk).revoked_at is not None


def test_action_skips_registered_persons(client, aoks):
    registered = InsuredPersonFactory(fund=aoks["aok-bw"])
    client.force_login(_staff(aoks["aok-bw"]))
    response = _run_action(client, [registered.pk])
    assert response.status_code == 302
    assert not ActivationCode.objects.exists()


def test_action_for_several_persons_makes_a_batch(client, aoks, django_capture_on_commit_callbacks):
    persons = [InsuredPersonFactory(user=None, fund=aoks["aok-bw"]) for _ in range(3)]
    client.force_login(_staff(aoks["aok-bw"], "view_activationletterbatch"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _run_action(client, [p.pk for p in persons])
    batch = ActivationLetterBatch.objects.get()
    assert response["Location"] == reverse("admin:enrollment_activationletterbatch_change", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "100 %" in page
    pdf = client.get(reverse("admin:enrollment_activationletterbatch_pdf", args=[batch.pk]))
    assert len(_text(b"".join(pdf.streaming_content))) == 3


def test_batch_form_for_a_kreis_and_its_download_only_for_the_fund(client, aoks, django_capture_on_commit_callbacks):
    kreis = Kreis.objects.create(key="08111", name="Stuttgart, Stadtkreis", land_id="BW")
    Gemeinde.objects.create(ags="08111000", name="Stuttgart", kreis=kreis)
    members = [InsuredPersonFactory(user=None, fund=aoks["aok-bw"], gemeinde_id="08111000") for _ in range(2)]
    clerk = _staff(aoks["aok-bw"], "view_activationletterbatch", "add_activationletterbatch")
    client.force_login(clerk)
    add = reverse("admin:enrollment_activationletterbatch_add")
    assert client.get(add).status_code == 200
    error = client.post(add, {"fund": aoks["aok-bw"].pk, "kreis": "99999"})
    assert "Diesen Kreisschlüssel gibt es nicht" in error.content.decode()
    # a clerk cannot choose another fund
    refused = client.post(add, {"fund": aoks["aok-plus"].pk, "kreis": "08111"})
    assert refused.status_code == 200 and not ActivationLetterBatch.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add, {"fund": aoks["aok-bw"].pk, "kreis": "08111"})
    batch = ActivationLetterBatch.objects.get()
    assert response.status_code == 302 and batch.fund == aoks["aok-bw"]
    url = reverse("admin:enrollment_activationletterbatch_pdf", args=[batch.pk])
    pages = _text(b"".join(client.get(url).streaming_content))
    assert len(pages) == len(members)
    from backoffice.models import AccessLogEntry

    assert set(
        AccessLogEntry.objects.filter(record_type="enrollment.activationletterbatch").values_list("person", flat=True)
    ) == {m.pk for m in members}
    client.force_login(_staff(aoks["aok-plus"], "view_activationletterbatch", "add_activationletterbatch"))
    assert client.get(url).status_code == 404
    assert client.get(reverse("admin:enrollment_activationletterbatch_change", args=[batch.pk])).status_code in (
        302,
        404,
    )


def _now():
    from django.utils import timezone

    return timezone.now()
