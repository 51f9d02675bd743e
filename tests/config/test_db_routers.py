"""Report reads go to the read replica (settings.REPORTS_READ_DATABASE) through the database
router; writes, reads inside a transaction and everything outside the reports app stay on the
primary. The test settings define "replica" as a test mirror of "default" (a second connection
to the same database), so the test needs committed data (transaction=True)."""

from __future__ import annotations

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import Fund
from reports.models import ApplicationRollup, ReportYear
from reports.services import report_year_publish
from tests.fixtures.reports import NOW

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _report_tables(queries) -> list[str]:
    return [q["sql"] for q in queries if '"reports_' in q["sql"]]


@pytest.fixture
def published(plus_2023):
    return plus_2023


def test_report_page_reads_the_report_data_from_the_replica(client, published, settings):
    settings.REPORTS_READ_DATABASE = "replica"
    url = reverse("reports:detail", args=[published.fund.slug, published.year])
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200
    assert "14.728.656" in response.content.decode()
    replica_reads = _report_tables(replica.captured_queries)
    assert any('FROM "reports_reportyear"' in sql for sql in replica_reads)
    assert any("rollup" in sql for sql in replica_reads)
    assert _report_tables(primary.captured_queries) == []


def test_without_the_setting_everything_reads_the_primary(client, published, settings):
    settings.REPORTS_READ_DATABASE = ""
    url = reverse("reports:detail", args=[published.fund.slug, published.year])
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get(url).status_code == 200
    assert replica.captured_queries == []


def test_writes_reads_in_a_transaction_and_other_apps_stay_on_the_primary(published, settings):
    settings.REPORTS_READ_DATABASE = "replica"
    assert ReportYear.objects.all().db == "replica"
    assert ApplicationRollup.objects.all().db == "replica"
    assert Fund.objects.all().db == "default"
    with transaction.atomic():
        assert ReportYear.objects.all().db == "default"  # read your own writes
        report_year_publish(report_year=published, now=NOW)
    with CaptureQueriesContext(connections["replica"]) as replica:
        report_year_publish(report_year=published, now=NOW)
    assert replica.captured_queries == []
    year = ReportYear.objects.get(pk=published.pk)  # read from the replica ...
    year.refresh_from_db()  # ... and an instance reloads from where it came from
    assert year._state.db == "replica"


def test_health_endpoint_checks_the_replica_when_reports_read_from_it(client, settings):
    settings.REPORTS_READ_DATABASE = "replica"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["replica"] == "ok"


def test_unreachable_replica_is_reported_but_keeps_the_app_server_in_service(client, settings, monkeypatch):
    """Only the report pages need the replica: the load balancer must not take every app server
    out because of it, monitoring sees "degraded" and the failing check."""
    from django.db import OperationalError

    from config import health

    settings.REPORTS_READ_DATABASE = "replica"

    select_one = health._select_one

    def unreachable(alias):
        if alias == "replica":
            raise OperationalError("connection refused")
        select_one(alias)

    monkeypatch.setattr(health, "_select_one", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["replica"] == "unreachable"
