"""Report pages, downloads and access: published reports for everybody, unpublished ones only
for the fund's own staff and analysts (404 for everybody else)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from devdata.report_generator import sample
from reports.models import ReportFile

pytestmark = pytest.mark.django_db


def _detail(report_year, **kwargs):
    return reverse("reports:detail", args=[report_year.fund.slug, report_year.year]) + (
        "?" + "&".join(f"{k}={v}" for k, v in kwargs.items()) if kwargs else ""
    )


def test_published_report_is_readable_anonymously_with_charts_and_tables(client, plus_2023):
    response = client.get(_detail(plus_2023))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Transparenzbericht AOK PLUS 2023 – Versorgungslotse</title>" in html
    assert "14.728.656" in html and "95,9\u00a0%" in html
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert 'class="kern-table' in html and "Widerspruchsquote" in html
    assert "desselben Versicherungszweigs" in html  # definition next to the rate
    assert " style=" not in html  # CSP: no inline styles, the charts use presentation attributes
    assert "Bericht veröffentlichen" not in html and "Veröffentlichung zurückziehen" not in html


@pytest.mark.parametrize("name", ["detail", "zip", "pdf", "pdf_status"])
def test_unpublished_report_is_404_for_anonymous_and_other_funds(client, bw_2023, plus_analyst, name):
    url = reverse(f"reports:{name}", args=["aok-bw", 2023])
    assert client.get(url).status_code == 404
    client.force_login(plus_analyst)
    assert client.get(url).status_code == 404
    assert client.get(reverse("reports:csv", args=["aok-bw", 2023, "widersprueche-kv"])).status_code == 404
    assert client.post(reverse("reports:pdf_status", args=["aok-bw", 2023])).status_code == 404
    assert not ReportFile.objects.exists()


def test_unpublished_report_is_readable_by_its_own_fund(client, bw_2023, bw_staff):
    client.force_login(bw_staff)
    response = client.get(_detail(bw_2023))
    assert response.status_code == 200
    assert "nicht veröffentlicht" in response.content.decode()
    assert client.get(reverse("reports:csv", args=["aok-bw", 2023, "antraege-gesamt"])).status_code == 200


def test_index_lists_what_the_user_may_read(client, plus_2023, bw_2023, bw_staff, django_assert_num_queries):
    with django_assert_num_queries(1):  # anonymous: one query for the report years with their funds
        response = client.get(reverse("reports:index"))
    html = response.content.decode()
    assert "Bericht AOK PLUS 2023" in html and "AOK Baden-Württemberg" not in html
    client.force_login(bw_staff)
    with django_assert_num_queries(5):  # session, user, its second factor, membership, report years (any number)
        html = client.get(reverse("reports:index")).content.decode()
    assert "Bericht AOK PLUS 2023" in html and "Bericht AOK Baden-Württemberg 2023" in html


def test_htmx_request_gets_the_report_fragment_only(client, plus_2023):
    response = client.get(_detail(plus_2023, abschnitt="widersprueche"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<title>" in html
    assert "Widerspruchsquote" in html and "Bearbeitungszeiten</h2>" not in html
    assert "HX-Request" in response["Vary"]


def test_section_switch_without_js_and_unknown_section(client, plus_2023):
    html = client.get(_detail(plus_2023, abschnitt="bearbeitungszeiten")).content.decode()
    assert "12,0 Tage" in html and "Widerspruchsquote:" not in html
    assert client.get(_detail(plus_2023, abschnitt="gibt-es-nicht")).status_code == 404


def test_switcher_form_redirects_without_js_and_pushes_the_url_with_htmx(client, plus_2023):
    url = reverse("reports:show")
    response = client.get(url, {"kasse": "aok-plus", "jahr": 2023, "abschnitt": "behandlungsfehler"})
    assert response.status_code == 302
    assert response["Location"] == _detail(plus_2023, abschnitt="behandlungsfehler")
    response = client.get(url, {"kasse": "aok-plus", "jahr": 2023}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Push-Url"] == _detail(plus_2023)
    # a fund the user may not read is not a choice
    assert client.get(url, {"kasse": "aok-bw", "jahr": 2023}).status_code == 302
    assert client.get(url, {"kasse": "aok-bw", "jahr": 2023})["Location"] == reverse("reports:index")


def test_csv_of_one_table_and_zip_of_all(client, plus_2023):
    response = client.get(reverse("reports:csv", args=["aok-plus", 2023, "widersprueche-kv"]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Ergebnis", "Anzahl", "Anteil"]
    # the published report's rounding: half up, "ohne Erfolg" = 100 minus the others
    assert rows[1][:3] == ["Rücknahme durch Versicherte", "2291", "13,3"]
    assert rows[2][:3] == ["Erfolg der Versicherten", "8447", "48,9"]
    assert rows[3][:3] == ["ohne Erfolg der Versicherten", "5576", "32,2"]
    assert client.get(reverse("reports:csv", args=["aok-plus", 2023, "nichts"])).status_code == 404

    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("reports:zip", args=["aok-plus", 2023])).content))
    names = set(archive.namelist())
    assert {
        "antraege-gesamt.csv",
        "top-leistungen.csv",
        "bearbeitungszeiten.csv",
        "widersprueche-kv.csv",
        "LIESMICH.txt",
    } <= names
    top = archive.read("top-leistungen.csv").decode("utf-8-sig")
    assert "Hilfsmittel;3537773;3386618;95,7;151155;4,3" in top
    readme = archive.read("LIESMICH.txt").decode()
    assert "widersprueche-kv.csv" in readme and "desselben Versicherungszweigs" in readme


def test_comparison_shows_only_readable_funds(client, plus_2023, bw_2023, bw_staff):
    html = client.get(reverse("reports:compare", args=[2023])).content.decode()
    assert "AOK PLUS" in html and "AOK Baden-Württemberg" not in html
    client.force_login(bw_staff)
    response = client.get(reverse("reports:compare", args=[2023]))
    html = response.content.decode()
    assert "AOK PLUS" in html and "AOK Baden-Württemberg" in html and "je 100.000" in html
    csv_text = client.get(reverse("reports:compare_csv", args=[2023, "vergleich-antraege"])).content.decode("utf-8-sig")
    assert "AOK PLUS;3510000;419619,8;95,9" in csv_text
    assert client.get(reverse("reports:compare", args=[1999])).status_code == 404
    response = client.get(reverse("reports:compare_show"), {"jahr": 2023}, HTTP_HX_REQUEST="true")
    assert response["HX-Push-Url"] == reverse("reports:compare", args=[2023])


def test_analyst_publishes_and_withdraws_only_their_funds_report(client, plus_2023, plus_analyst, plus_staff, bw_staff):
    url = reverse("reports:publish", args=["aok-plus", 2023])
    client.force_login(plus_analyst)
    assert "Veröffentlichung zurückziehen" in client.get(_detail(plus_2023)).content.decode()
    asked = client.post(url, {"action": "withdraw"})
    assert asked.status_code == 200 and "Veröffentlichung zurückziehen?" in asked.content.decode()
    plus_2023.refresh_from_db()
    assert plus_2023.published_at is not None  # nothing happens before the confirmation
    assert client.post(url, {"action": "withdraw", "confirm": "on"}).status_code == 302
    plus_2023.refresh_from_db()
    assert plus_2023.published_at is None
    client.logout()
    assert client.get(_detail(plus_2023)).status_code == 404  # withdrawn: anonymous no longer reads it
    for user in (plus_staff, bw_staff):
        client.force_login(user)
        assert client.post(url, {"action": "publish"}).status_code == 404
    plus_2023.refresh_from_db()
    assert plus_2023.published_at is None
    client.force_login(plus_analyst)
    client.post(url, {"action": "publish"})
    plus_2023.refresh_from_db()
    assert plus_2023.published_at is not None


def test_pdf_is_generated_in_the_background_and_then_downloaded(
    client, plus_2023, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("reports.pdf.render_pdf", lambda report, **kw: (b"%PDF-1.7 test", 3))
    status_url = reverse("reports:pdf_status", args=["aok-plus", 2023])
    pdf_url = reverse("reports:pdf", args=["aok-plus", 2023])
    assert client.get(pdf_url)["Location"] == status_url  # nothing stored yet
    html = client.get(status_url).content.decode()
    assert "PDF erstellen" in html and "<form" in html

    # a queued job: the fragment polls, and a plain reload link works without JS
    report_file = ReportFile.objects.create(
        report_year=plus_2023,
        language="de",
        data_version=plus_2023.data_version,
        created_at=plus_2023.data_changed_at,
        figures_hash="x" * 64,
        status=ReportFile.Status.RUNNING,
        progress=40,
    )
    monkeypatch.setattr("reports.services.current_report_file", lambda **kw: report_file)
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment and 'value="40"' in fragment and "Seite neu laden" in fragment
    monkeypatch.undo()
    monkeypatch.setattr("reports.pdf.render_pdf", lambda report, **kw: (b"%PDF-1.7 test", 3))
    report_file.delete()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status_url)
    assert response.status_code == 302
    html = client.get(status_url).content.decode()
    assert "Das PDF ist fertig" in html and "hx-trigger" not in html
    response = client.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
    assert "transparenzbericht-aok-plus-2023.pdf" in response["Content-Disposition"]
    assert "PDF herunterladen (3 Seiten" in client.get(_detail(plus_2023)).content.decode()


def test_report_page_labels_the_data_version_with_its_date(client, plus_2023):
    page = client.get(_detail(plus_2023)).content.decode()
    assert f"Datenstand: Version {plus_2023.data_version}" in page
    assert f"Datenstand {plus_2023.data_version}." not in page


def test_publishing_prepares_the_pdf_in_every_language_so_it_downloads_directly(
    client, aoks, plus_data, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from reports.services import report_year_get_or_create, report_year_publish
    from tests.fixtures.reports import NOW, load

    rendered = []

    def fake_render(report, **kw):
        rendered.append(kw.get("language"))
        return b"%PDF-1.7 prepared", 4

    monkeypatch.setattr("reports.pdf.render_pdf", fake_render)
    report_year = report_year_get_or_create(fund=aoks["aok-plus"], year=2023)
    load(report_year, plus_data, tmp_path / "plus2023")
    with django_capture_on_commit_callbacks(execute=True):
        report_year_publish(report_year=report_year, now=NOW)
    assert sorted(ReportFile.objects.filter(report_year=report_year).values_list("language", "status")) == [
        ("de", ReportFile.Status.DONE),
        ("en", ReportFile.Status.DONE),
    ]
    response = client.get(reverse("reports:pdf", args=["aok-plus", 2023]))  # no "create PDF" step
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 prepared"

    # new data for the published report: its PDFs are prepared again, the old ones stay stored
    from devdata.report_generator import write_aggregated
    from reports.services import import_run_create, import_run_execute

    (path,) = [p for p in write_aggregated(sample(plus_data, rows=500, seed=3), tmp_path / "again") if "appl" in p.name]
    run = import_run_create(report_year=report_year, original_name=path.name, now=NOW)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as stream:
        run = import_run_execute(run=run, now=NOW, stream=stream)
    assert run.status == run.Status.SUCCEEDED
    assert ReportFile.objects.filter(report_year=report_year, status=ReportFile.Status.DONE).count() == 4
    assert client.get(reverse("reports:pdf", args=["aok-plus", 2023])).status_code == 200
