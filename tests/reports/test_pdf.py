"""The PDF: the published AOK PLUS 2023 figures in its text, accessibility tagging, fonts,
page furniture; the background task and the stored file that is served until data change."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from reports.models import ReportFile
from reports.services import current_report_file, report_file_request, report_year_set_base_figures
from tests.fixtures.reports import NOW

pytestmark = pytest.mark.django_db


def pdf_text(reader: PdfReader) -> list[str]:
    """Text per page, whitespace (incl. no-break spaces) collapsed to single spaces."""
    return [re.sub(r"\s+", " ", (page.extract_text() or "").replace("\u00a0", " ")) for page in reader.pages]


def structure_tags(node) -> list[tuple[str, str | None]]:
    """(tag, alt text) of every element in a tagged PDF's structure tree."""
    found = []

    def walk(item):
        item = item.get_object() if hasattr(item, "get_object") else item
        if isinstance(item, list):
            for child in item:
                walk(child)
        elif hasattr(item, "get"):
            if item.get("/S") is not None:
                alt = item.get("/Alt")
                found.append((str(item["/S"]), str(alt) if alt is not None else None))
            if item.get("/K") is not None:
                walk(item["/K"])

    walk(node)
    return found


PUBLISHED = [
    # Leistungen gesamt
    "14.728.656 Anträge und Rechnungen",
    "14.128.630 / 95,9 % genehmigte Anträge und Rechnungen",
    "600.026 / 4,1 % abgelehnte Anträge und Rechnungen",
    # TOP-Leistungen
    "198.004 abgeschlossene Krankengeldfälle",
    "12.474 Fälle je 100.000 krankengeldberechtigte Mitglieder",
    "292.883 Anträge und Rechnungen",
    "242.830 / 82,9 % genehmigt",
    "50.053 / 17,1 % abgelehnt",
    "75.217 Anträge",
    "60.382 / 80,3 % genehmigt",
    "14.730 / 19,6 % abgelehnt",
    "105 / 0,1 % erledigt auf sonstige Art",
    "85.317 Anträge und Rechnungen",
    "75.734 / 88,8 % genehmigt",
    "9.583 / 11,2 % abgelehnt",
    "3.537.773 Anträge und Rechnungen",
    "3.386.618 / 95,7 % genehmigt",
    "151.155 / 4,3 % abgelehnt",
    # Bearbeitungszeiten
    "12,0 Tage Pflegebetten",
    "0,0 Tage Inkontinenzartikel",
    "0,0 Tage CPAP-Geräte (Schlafmasken)",
    "17,7 Tage stationäre Rehabilitation",
    "18,1 Tage Mutter-/Vater-Kind-Kur",
    "1,3 Tage ambulante Badekur",
    "30,9 Tage Feststellung Pflegebedürftigkeit: Erstantrag",
    "3,8 Tage Kurzzeitpflege",
    "4,7 Tage Verhinderungspflege",
    "4,8 Tage Heil- und Kostenplan",
    "1,3 Tage Krankengeldzahlung",
    # Widersprüche und Klagen, Krankenversicherung
    "18.360 eingegangene Widersprüche",
    "Widerspruchsquote: 0,13 %",
    "17.288 erledigte Widersprüche",
    "48,9 % Erfolg der Versicherten",
    "458 eingegangene Klagen",
    "Klagequote: 0,00 %",
    "411 entschiedene Klagen",
    # Pflegeversicherung
    "12.482 eingegangene Widersprüche",
    "Widerspruchsquote: 1,56 %",
    "11.242 erledigte Widersprüche",
    "45,3 % Erfolg der Versicherten",
    "205 eingegangene Klagen",
    "199 entschiedene Klagen",
    # outcome tables (counts and shares)
    "Rücknahme durch Versicherte 2.291 13,3 %",
    "Erfolg der Versicherten 8.447 48,9 %",
    "ohne Erfolg der Versicherten 5.576 32,2 %",
    "Rücknahme durch Versicherte 165 40,1 %",
    "ohne Erfolg der Versicherten 142 34,6 %",
    "Erledigung auf sonstige Art 32 7,8 %",
    "Rücknahme durch Versicherte 3.280 29,2 %",
    "ohne Erfolg der Versicherten 2.542 22,6 %",
    "Erledigung auf sonstige Art 325 2,9 %",
    "Erledigung auf sonstige Art 974 5,6 %",
    "Erledigung auf sonstige Art 48 24,1 %",
    # key figures (key_figures.csv), kept as stated
    "134 Filialen",
    "118 Filialen sind mit Rollstuhl, Rollator oder Kinderwagen erreichbar",
    "4.847 Versorgungspläne in der Pflegeberatung erstellt",
    "etwa 41 qualifizierte Pflegeberaterinnen und Pflegeberater",
    "fast 225.000 Versicherte nutzten Angebote der individuellen Gesundheitsförderung",
    "92,97 Euro Ausgaben je Teilnehmerin und Teilnehmer",
    "97 % der Befragten: die Kasse ist wieder die erste Wahl",
    "90 % der Befragten wollen mit hoher Wahrscheinlichkeit bleiben",
    # Behandlungsfehler
    "In 1.856 Fällen wurden mögliche Schadensersatzansprüche geprüft, also in 53 Fällen je 100.000 Versicherte",
    "972 Begutachtungen wurden veranlasst, also 28 je 100.000 Versicherte",
    "In 191 Begutachtungen bestätigte sich der Verdacht, das sind 19,7 % der Begutachtungen",
]


def test_pdf_of_aok_plus_2023_contains_the_published_figures(plus_2023, django_capture_on_commit_callbacks):
    """The must-show test: data consistent with the published report, through import,
    rollups, figures, the background task and WeasyPrint, read back from the PDF."""
    with django_capture_on_commit_callbacks(execute=True):
        report_file = report_file_request(report_year=plus_2023, language="de", user=None, now=NOW)
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.DONE, report_file.error
    assert report_file.progress == 100

    reader = PdfReader(io.BytesIO(report_file.file.read()))
    pages = pdf_text(reader)
    text = " ".join(pages)
    missing = [figure for figure in PUBLISHED if figure not in text]
    assert not missing, missing

    # A4, page furniture: no header/footer on the title page, then running header and "Seite X von Y"
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)
    n = len(reader.pages)
    assert report_file.pages == n and n >= 8
    assert "Seite 1 von" not in pages[0]
    assert f"Seite 2 von {n}" in pages[1]
    assert f"Seite {n} von {n}" in pages[-1]
    assert all("AOK PLUS · Transparenzbericht 2023" in page for page in pages[1:])

    # table of contents with the page numbers where the sections start
    toc = pages[1]
    section_page = next(
        i + 1
        for i, page in enumerate(pages)
        if i > 1 and page.lstrip().find("Widersprüche und Klagen Auf den Punkt gebracht") != -1
    )
    assert re.search(rf"Widersprüche und Klagen[ .]*{section_page}\b", toc)

    # tagged PDF/UA with language and title, fonts embedded (Fira Sans from static/kern)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).startswith("de")
    assert reader.metadata.title == "Transparenzbericht AOK PLUS 2023"
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            fonts.add(str(font["/BaseFont"]))
    assert fonts and all("Fira" in f for f in fonts)

    # charts carry a text alternative: the SVG <title> becomes the /Alt of a /Figure
    tags = structure_tags(root["/StructTreeRoot"])
    figures = [alt for tag, alt in tags if tag == "/Figure"]
    assert "Durchschnittliche Bearbeitungszeit je Leistung 2023" in figures
    assert len(figures) >= 8 and all(figures)
    assert {"/H1", "/H2", "/Table", "/TH", "/Caption"} <= {tag for tag, _alt in tags}


def test_stored_pdf_is_served_again_until_the_data_change(plus_2023, django_capture_on_commit_callbacks, monkeypatch):
    calls = []

    def fake_render(report, *, language="de", on_progress=None):
        calls.append(report.year)
        on_progress(50)
        return b"%PDF-1.7 fake", 1

    monkeypatch.setattr("reports.pdf.render_pdf", fake_render)
    with django_capture_on_commit_callbacks(execute=True):
        first = report_file_request(report_year=plus_2023, language="de", user=None, now=NOW)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = report_file_request(report_year=plus_2023, language="de", user=None, now=NOW)
    assert again.pk == first.pk and not callbacks
    assert calls == [2023]
    assert current_report_file(report_year=plus_2023, language="de").status == ReportFile.Status.DONE

    plus_2023 = report_year_set_base_figures(
        report_year=plus_2023, average_insured=3_520_000, average_sick_pay_members=1_587_330, now=NOW
    )
    assert current_report_file(report_year=plus_2023, language="de") is None  # stale file no longer current
    with django_capture_on_commit_callbacks(execute=True):
        newer = report_file_request(report_year=plus_2023, language="de", user=None, now=NOW)
    newer.refresh_from_db()
    assert newer.pk != first.pk and newer.status == ReportFile.Status.DONE
    assert newer.data_version == plus_2023.data_version
    assert calls == [2023, 2023]


def test_failed_rendering_is_recorded_and_can_be_retried(plus_2023, django_capture_on_commit_callbacks, monkeypatch):
    def broken(report, **kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr("reports.pdf.render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report_file = report_file_request(report_year=plus_2023, language="de", user=None, now=NOW)
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.FAILED and "kaputt" in report_file.error
    monkeypatch.setattr("reports.pdf.render_pdf", lambda report, **kw: (b"%PDF ok", 1))
    with django_capture_on_commit_callbacks(execute=True):
        retried = report_file_request(report_year=plus_2023, language="de", user=None, now=NOW)
    retried.refresh_from_db()
    assert retried.pk == report_file.pk and retried.status == ReportFile.Status.DONE


def test_worker_in_another_language_renders_the_requested_language(
    plus_2023, django_capture_on_commit_callbacks, monkeypatch
):
    """The fingerprint covers the texts; the worker must compute them in the file's language,
    not in whatever language its process has active."""
    from django.utils import translation

    rendered = []
    monkeypatch.setattr(
        "reports.pdf.render_pdf", lambda report, **kw: rendered.append(report.overview.split.definition) or (b"%PDF", 1)
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_file = report_file_request(report_year=plus_2023, language="en", user=None, now=NOW)
    with translation.override("de"):
        for callback in callbacks:
            callback()
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.DONE, report_file.error
    assert rendered[0].startswith("Share of all applications")


def test_pdf_says_keine_daten_where_the_page_does(aoks, client, django_capture_on_commit_callbacks):
    """A report year without imported data: every table is empty, in the PDF as on the page."""
    from reports.services import report_year_get_or_create

    report_year = report_year_get_or_create(fund=aoks["aok-bw"], year=2024)
    with django_capture_on_commit_callbacks(execute=True):
        report_file = report_file_request(report_year=report_year, language="de", user=None, now=NOW)
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.DONE, report_file.error
    text = " ".join(pdf_text(PdfReader(io.BytesIO(report_file.file.read()))))
    assert "Keine Daten." in text
    assert "Datenstand: Version" in text
