"""The admin start page: the fund's open work with counts and links to the lists where it is
done — with a fixed number of queries; other funds' work is not counted."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backoffice.dashboard import open_work, quarter_of
from enrollment import services
from reports.models import ImportRun
from reports.services import report_year_get_or_create
from tests.backoffice.conftest import staff_in
from tests.factories import InsuredPersonFactory
from tests.fixtures.enrollment import ALL_CONSENTS, at

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 15)


def declare(contract, person, provider, *, now, **extra):
    return services.participation_declare(
        person=person,
        contract=contract,
        provider=provider,
        actor=person.user,
        consents=ALL_CONSENTS,
        idempotency_key=uuid.uuid4(),
        now=now,
        **extra,
    )


def failed_import(fund):
    return ImportRun.objects.create(
        report_year=report_year_get_or_create(fund=fund, year=2025),
        original_name="daten.csv",
        status=ImportRun.Status.FAILED,
        created_at=timezone.now(),
        finished_at=timezone.now(),
        error_count=1,
    )


@pytest.fixture
def work(aoks, hzv, gp, second_gp, dmp, person, other_person):  # noqa: F811
    """BW: one online HzV declaration (starts 1.4.2026, doctor change pending), one paper
    declaration, one DMP waiting for the doctor, one failed import. PLUS: a failed import."""
    online = declare(hzv, person, gp, now=at(2025, 12, 20, 18))
    services.participation_request_doctor_change(
        participation=online, actor=person.user, new_provider=second_gp, reason="moved", now=at(2026, 1, 10)
    )
    declare(
        hzv,
        other_person,
        gp,
        now=at(2026, 4, 10),
        channel="practice",
        declared_at=at(2026, 4, 9),
        instructed_at=at(2026, 4, 9),
        instruction_method="paper",
    )
    declare(dmp, InsuredPersonFactory(), dmp.participations.get().provider, now=at(2026, 4, 1))
    failed_import(aoks["aok-bw"])
    failed_import(aoks["aok-plus"])


@pytest.fixture
def worker(aoks, roles):
    return staff_in(aoks["aok-bw"], "Kassen-Sachbearbeitung", "Kassen-Analyse", groups=roles)


def test_quarter_of():
    assert quarter_of(dt.date(2026, 4, 15)) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert quarter_of(dt.date(2026, 12, 31)) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def test_open_work_counts_the_funds_work_and_links_to_exactly_those_rows(client, work, worker):
    items = {item.label: item for item in open_work(worker, today=TODAY)}
    assert {label: item.count for label, item in items.items()} == {
        "DMP-Erklärungen warten auf die ärztliche Bestätigung": 1,
        "Papiererklärungen zu prüfen": 1,
        "Teilnahmen, die in diesem Quartal beginnen": 1,  # the online one (1.4.); the paper one starts 1.7.
        "Teilnahmen, die in diesem Quartal enden": 0,
        "Anträge auf Arztwechsel zu entscheiden": 1,
        "Kündigungen aus wichtigem Grund zu entscheiden": 0,
        "Fehlgeschlagene Importe": 1,  # not the PLUS import
    }
    client.force_login(worker)
    for item in items.values():
        response = client.get(item.url)
        assert response.status_code == 200, item.url
        assert response.context["cl"].result_count == item.count, item.label


def test_open_work_shows_only_what_the_role_may_see(work, aoks, roles):
    contracts = staff_in(aoks["aok-bw"], "Vertragsmanagement", groups=roles)
    assert open_work(contracts, today=TODAY) == []
    clerk = staff_in(aoks["aok-bw"], "Kassen-Sachbearbeitung", groups=roles)
    assert "Fehlgeschlagene Importe" not in {i.label for i in open_work(clerk, today=TODAY)}
    plus = staff_in(aoks["aok-plus"], "Kassen-Sachbearbeitung", "Kassen-Analyse", groups=roles)
    assert {i.label: i.count for i in open_work(plus, today=TODAY)}["Fehlgeschlagene Importe"] == 1
    assert sum(i.count for i in open_work(plus, today=TODAY)) == 1


def test_dashboard_on_the_admin_index_has_a_constant_number_of_queries(
    client, work, worker, aoks, hzv, gp, django_assert_num_queries
):
    client.force_login(worker)
    url = reverse("admin:index")
    with CaptureQueriesContext(connection) as first:
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Offene Arbeit" in html and "Anträge auf Arztwechsel zu entscheiden" in html
    assert 'href="/verwaltung/enrollment/doctorchangerequest/?decision__exact=pending"' in html
    for _ in range(3):  # more work of every kind
        declare(hzv, InsuredPersonFactory(), gp, now=at(2026, 4, 10), channel="branch",
                declared_at=at(2026, 4, 9), instructed_at=at(2026, 4, 9), instruction_method="branch")  # fmt: skip
        failed_import(aoks["aok-bw"])
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)
    worker = type(worker).objects.get(pk=worker.pk)  # fresh: no cached permissions or membership
    worker.get_all_permissions()
    with django_assert_num_queries(5):  # membership (fund), participations, two request kinds, imports
        open_work(worker, today=TODAY)


def test_admin_pages_carry_the_session_warning(client, clerk):
    """Staff sessions end after the same idle time: the back office warns before it ends and
    lets the clerk stay signed in (WCAG 2.2.1), as the public pages do."""
    client.force_login(clerk)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'data-session-idle="1800"' in page and "Angemeldet bleiben" in page
    assert "js/session-timeout.js" in page
