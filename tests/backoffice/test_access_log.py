"""The access log: every staff view of an insured person's data is logged (who, whom, when,
what); fund administrators search it for their own fund; no KVNR in server logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.servers.basehttp import WSGIRequestHandler
from django.urls import reverse

from backoffice.access_log import access_log_for_person, log_access
from backoffice.models import AccessLogEntry
from config.logging import redact_query
from programs.models import StaffMembership
from tests.factories import InsuredPersonFactory, LegalRepresentationFactory, StaffMembershipFactory

pytestmark = pytest.mark.django_db


def entries():
    return list(AccessLogEntry.objects.order_by("pk").values_list("username", "person_id", "action", "record_type"))


def test_opening_a_person_is_logged_with_who_whom_when_what(client, clerk, person):
    client.force_login(clerk)
    response = client.get(reverse("admin:enrollment_insuredperson_change", args=[person.pk]))
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.person, entry.fund, entry.action) == (clerk, person, person.fund, "view")
    assert (entry.record_type, entry.record_id) == ("enrollment.insuredperson", str(person.pk))
    assert entry.path == f"/verwaltung/enrollment/insuredperson/{person.pk}/change/" and entry.at is not None


def test_a_search_logs_the_persons_found_but_not_the_search_term(client, clerk, person, other_person):
    client.force_login(clerk)
    url = reverse("admin:enrollment_insuredperson_changelist")
    assert client.get(url, {"q": person.kvnr}).status_code == 200
    assert entries() == [(clerk.username, person.pk, "search", "enrollment.insuredperson")]
    assert person.kvnr not in AccessLogEntry.objects.get().path
    client.get(url)
    assert {e[1] for e in entries()[1:]} == {person.pk, other_person.pk}
    assert {e[2] for e in entries()[1:]} == {"list"}


def test_participation_representation_history_and_autocomplete_are_logged(client, clerk, declared, aoks):
    client.force_login(clerk)
    person = declared.person
    client.get(reverse("admin:enrollment_participation_change", args=[declared.pk]))
    client.get(reverse("admin:enrollment_participation_history", args=[declared.pk]))
    client.get(reverse("admin:enrollment_participation_changelist"))
    assert [(e[1], e[2], e[3]) for e in entries()] == [
        (person.pk, "view", "enrollment.participation"),
        (person.pk, "history", "enrollment.participation"),
        (person.pk, "list", "enrollment.participation"),
    ]
    AccessLogEntry.objects.all().delete()
    child = InsuredPersonFactory(user=None, fund=aoks["aok-bw"])
    link = LegalRepresentationFactory(representative=person, represented=child)
    client.get(reverse("admin:enrollment_legalrepresentation_change", args=[link.pk]))
    assert {e[1] for e in entries()} == {person.pk, child.pk}
    AccessLogEntry.objects.all().delete()
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "enrollment", "model_name": "legalrepresentation", "field_name": "representative", "term": ""},
    )
    assert response.status_code == 200
    assert {e[1] for e in entries()} == {person.pk, child.pk} and {e[2] for e in entries()} == {"autocomplete"}


def test_pages_without_persons_are_not_logged(client, clerk, hzv):
    client.force_login(clerk)
    assert client.get(reverse("admin:index")).status_code == 200
    client.get(reverse("admin:programs_contract_changelist"))
    assert entries() == []


def test_fund_administrator_searches_the_log_of_their_own_fund_only(client, clerk, fund_admin, aoks, person):
    plus_person = InsuredPersonFactory(fund=aoks["aok-plus"], last_name="Pluskasse")
    log_access(
        user=clerk, person_ids=[person.pk, plus_person.pk], action="view", record_type="x", record_ids={}, path="/"
    )
    client.force_login(fund_admin)
    url = reverse("admin:backoffice_accesslogentry_changelist")
    page = client.get(url, {"q": person.last_name})
    assert page.status_code == 200
    assert [e.person for e in page.context["cl"].result_list] == [person]
    assert list(client.get(url).context["cl"].result_list.values_list("person", flat=True)) == [person.pk]
    entry = AccessLogEntry.objects.get(person=plus_person)
    assert client.get(reverse("admin:backoffice_accesslogentry_change", args=[entry.pk])).status_code == 302
    client.force_login(clerk)  # clerks do not read the log
    assert client.get(url).status_code == 403


def test_access_log_for_person_lists_every_access_newest_first(clerk, person, other_person):
    log_access(user=clerk, person_ids=[person.pk], action="view", record_type="a", record_ids={}, path="/1")
    log_access(user=clerk, person_ids=[other_person.pk], action="view", record_type="b", record_ids={}, path="/2")
    log_access(user=clerk, person_ids=[person.pk], action="list", record_type="c", record_ids={}, path="/3")
    assert list(access_log_for_person(person).values_list("path", flat=True)) == ["/3", "/1"]


# --- no KVNR in server logs -----------------------------------------------------------------------


def test_development_server_log_does_not_show_the_search_term(caplog):
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.requestline = "GET /verwaltung/enrollment/insuredperson/?q=A123456780&o=1 HTTP/1.1"
    handler.request_version = "HTTP/1.1"
    handler.command = "GET"
    handler.client_address = ("127.0.0.1", 0)
    handler.request = None
    handler.server = None
    handler.log_date_time_string = lambda: "03/Dec/2026 08:00:00"
    with caplog.at_level(logging.INFO, logger="django.server"):
        handler.log_message('"%s" %s %s', handler.requestline, "200", "1234")
    assert caplog.records, "no request line logged"
    text = caplog.records[-1].getMessage()
    assert "A123456780" not in text
    assert "/verwaltung/enrollment/insuredperson/?q=***&o=*** HTTP/1.1" in text


def test_redaction_keeps_paths_and_masks_every_value():
    assert redact_query("GET /a/b/?q=M%C3%BCller+Erika HTTP/1.1") == "GET /a/b/?q=*** HTTP/1.1"
    assert redact_query("Not Found: /verwaltung/x/") == "Not Found: /verwaltung/x/"


def test_gunicorn_logs_the_path_without_the_query_string():
    conf = {}
    exec(Path("config/gunicorn.conf.py").read_text(), conf)  # noqa: S102 - our own config file
    assert "%(U)s" in conf["access_log_format"]
    assert "%(r)s" not in conf["access_log_format"] and "%(q)s" not in conf["access_log_format"]


# --- staff accounts of a fund ---------------------------------------------------------------------


def test_fund_administrator_manages_only_their_funds_staff_and_only_fund_roles(client, fund_admin, clerk, aoks, roles):
    other_fund_staff = StaffMembershipFactory(fund=aoks["aok-plus"]).user
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "x-Sicher-2026")
    client.force_login(fund_admin)
    listed = set(client.get(reverse("admin:auth_user_changelist")).context["cl"].result_list)
    assert listed == {fund_admin, clerk}
    for user in (other_fund_staff, superuser):
        assert client.get(reverse("admin:auth_user_change", args=[user.pk])).status_code == 302
    page = client.get(reverse("admin:auth_user_change", args=[clerk.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    groups = page[page.index('name="groups"') : page.index("</select>", page.index('name="groups"'))]
    offered = set(re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', groups))
    assert offered == {"Vertragsmanagement", "Kassen-Sachbearbeitung", "Kassen-Analyse", "Kassen-Administration"}
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "neu.bw",
            "password1": "Ein-sicheres-Passwort-2026",
            "password2": "Ein-sicheres-Passwort-2026",
            "membership-TOTAL_FORMS": 1,
            "membership-INITIAL_FORMS": 0,
            "membership-MIN_NUM_FORMS": 1,
            "membership-MAX_NUM_FORMS": 1,
            "membership-0-fund": aoks["aok-plus"].pk,  # not offered: refused
            "membership-0-role": "staff",
        },
    )
    assert response.status_code == 200 and not get_user_model().objects.filter(username="neu.bw").exists()
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "neu.bw",
            "password1": "Ein-sicheres-Passwort-2026",
            "password2": "Ein-sicheres-Passwort-2026",
            "membership-TOTAL_FORMS": 1,
            "membership-INITIAL_FORMS": 0,
            "membership-MIN_NUM_FORMS": 1,
            "membership-MAX_NUM_FORMS": 1,
            "membership-0-fund": aoks["aok-bw"].pk,
            "membership-0-role": "staff",
        },
    )
    assert response.status_code == 302, (
        response.status_code,
        re.findall(r"errorlist[^<]*<li>([^<]+)", response.content.decode()),
    )
    new = get_user_model().objects.get(username="neu.bw")
    assert new.is_staff and not new.is_superuser
    assert StaffMembership.objects.get(user=new).fund == aoks["aok-bw"]
