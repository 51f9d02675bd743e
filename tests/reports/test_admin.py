"""Admin: CSV upload imported by the background task, row errors shown, fund scoping."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import ImportRun, ReportYear

pytestmark = pytest.mark.django_db

GOOD = b"received;decided;category;branch;outcome;expert_opinion\n2023-01-02;2023-01-09;sonstige;KV;approved;0\n"
BAD = GOOD + b"2023-01-02;;sonstige;KV;approved;0\n"


@pytest.fixture
def analyst_with_permissions(plus_analyst):
    plus_analyst.user_permissions.set(Permission.objects.filter(content_type__app_label="reports"))
    return plus_analyst


def _upload(client, fund, content, django_capture_on_commit_callbacks, name="applications.csv"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("admin:reports_importrun_add"),
            {"fund": fund.pk, "year": 2023, "dataset": "", "upload": SimpleUploadedFile(name, content, "text/csv")},
        )


def test_admin_upload_is_imported_by_the_background_task(
    client, aoks, analyst_with_permissions, django_capture_on_commit_callbacks
):
    client.force_login(analyst_with_permissions)
    assert client.get(reverse("admin:reports_importrun_add")).status_code == 200
    response = _upload(client, aoks["aok-plus"], GOOD, django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("admin:reports_importrun_change", args=[run.pk])
    assert (run.status, run.rows_imported, run.dataset, run.created_by) == (
        "succeeded",
        1,
        "applications",
        analyst_with_permissions,
    )
    page = client.get(response["Location"]).content.decode()
    assert 'value="100"' in page  # progress bar
    assert ReportYear.objects.get(fund=aoks["aok-plus"], year=2023).data_version == 1


def test_admin_upload_with_broken_rows_imports_nothing_and_lists_the_lines(
    client, aoks, analyst_with_permissions, django_capture_on_commit_callbacks
):
    client.force_login(analyst_with_permissions)
    _upload(client, aoks["aok-plus"], BAD, django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert (run.status, run.error_count) == ("failed", 1)
    page = client.get(reverse("admin:reports_importrun_change", args=[run.pk])).content.decode()
    assert "<li>3: decided: fehlt" in page
    assert ReportYear.objects.get(fund=aoks["aok-plus"], year=2023).data_version == 0


def test_admin_upload_offers_only_the_own_fund_and_hides_other_funds_runs(
    client, aoks, analyst_with_permissions, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    _upload(client, aoks["aok-bw"], GOOD, django_capture_on_commit_callbacks)
    client.force_login(analyst_with_permissions)
    response = _upload(client, aoks["aok-bw"], GOOD, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and ImportRun.objects.count() == 1  # AOK BW is not a valid choice
    assert "AOK Baden-Württemberg" not in client.get(reverse("admin:reports_importrun_changelist")).content.decode()
    bw_run = ImportRun.objects.get()
    assert (
        client.get(reverse("admin:reports_importrun_change", args=[bw_run.pk])).status_code == 302
    )  # not found → redirect


def test_admin_base_figures_change_bumps_the_data_version(client, plus_2023, superuser):
    client.force_login(superuser)
    version = plus_2023.data_version
    url = reverse("admin:reports_reportyear_change", args=[plus_2023.pk])
    response = client.post(url, {"average_insured": 3_600_000, "average_sick_pay_members": 1_600_000})
    assert response.status_code == 302, response.content.decode()[:2000]
    plus_2023.refresh_from_db()
    assert (plus_2023.average_insured, plus_2023.data_version) == (3_600_000, version + 1)
