""" "Meine Daten" (issue 9 §3): a person downloads everything the portal holds about them and
the persons they represent, with the staff accesses from the access log — and nothing of
anybody else."""

from __future__ import annotations

import datetime as dt
import json
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from backoffice.access_log import log_access
from tests.factories import InsuredPersonFactory, LegalRepresentationFactory, UserFactory
from tests.fixtures.enrollment import declare

pytestmark = pytest.mark.django_db


def _json(client) -> dict:
    response = client.get(reverse("my_data_json"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="meine-daten-')
    return json.loads(response.content)


@pytest.fixture
def family(aoks, bv):
    parent = InsuredPersonFactory(birth_date=dt.date(1980, 1, 1), first_name="Paula")
    child = InsuredPersonFactory(user=None, birth_date=dt.date(2016, 5, 5), first_name="Mia")
    LegalRepresentationFactory(representative=parent, represented=child)
    stranger = InsuredPersonFactory(first_name="Fremd")
    declare(bv, child, actor=parent.user, now=dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC), notify=False)
    declare(bv, stranger, now=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), notify=False)
    clerk = UserFactory(username="sachbearbeitung.test", is_staff=True)
    log_access(
        user=clerk,
        person_ids=[child.pk],
        action="view",
        record_type="enrollment.insuredperson",
        record_ids={child.pk: str(child.pk)},
        path="/verwaltung/",
    )
    log_access(
        user=clerk,
        person_ids=[stranger.pk],
        action="view",
        record_type="enrollment.insuredperson",
        record_ids={stranger.pk: str(stranger.pk)},
        path="/verwaltung/",
    )
    return parent, child, stranger


def test_the_export_holds_own_and_represented_data_with_staff_access(client, family):
    parent, child, stranger = family
    client.force_login(parent.user)
    data = _json(client)
    by_kvnr = {p["data"]["kvnr"]: p for p in data["persons"]}
    assert set(by_kvnr) == {parent.kvnr, child.kvnr}  # never the stranger
    assert by_kvnr[parent.kvnr]["relation"] == "self" and by_kvnr[child.kvnr]["relation"] == "represented"
    (participation,) = by_kvnr[child.kvnr]["participations"]
    assert participation["program"] == "Rücken aktiv" and participation["declared_by"] == "representative"
    assert participation["texts_as_shown"]["declaration"]
    assert participation["consents"] and participation["events"][0]["reason"] == "declared"
    (access,) = by_kvnr[child.kvnr]["staff_access"]
    assert access["staff_member"] == "sachbearbeitung.test" and access["action"] == "view"
    assert by_kvnr[parent.kvnr]["staff_access"] == []
    assert stranger.kvnr not in json.dumps(data) and "Fremd" not in json.dumps(data)
    assert "password" not in json.dumps(data["account"])


def test_the_pdf_says_the_same_in_readable_form(client, family):
    parent, child, _stranger = family
    client.force_login(parent.user)
    response = client.get(reverse("my_data_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages).split())
    for expected in (parent.kvnr, child.kvnr, "Rücken aktiv", "sachbearbeitung.test", "Zugriffe der Krankenkasse"):
        assert expected in text


def test_the_child_account_does_not_see_the_parent(client, aoks, bv):
    parent = InsuredPersonFactory(birth_date=dt.date(1980, 1, 1))
    child = InsuredPersonFactory(birth_date=dt.date(2010, 5, 5))
    LegalRepresentationFactory(representative=parent, represented=child)
    client.force_login(child.user)
    kvnrs = {p["data"]["kvnr"] for p in _json(client)["persons"]}
    assert kvnrs == {child.kvnr}


def test_a_staff_account_without_an_insured_record_gets_an_empty_export(client, aoks):
    client.force_login(UserFactory(is_staff=False))
    assert _json(client)["persons"] == []


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for name in ("my_data", "my_data_json", "my_data_pdf"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/konto/anmelden/" in response.url
