"""The report pages in a real browser: htmx swaps fund, year and section in place (URL pushed),
the same works without JavaScript, no axe (WCAG 2.1 AA) violations."""

from __future__ import annotations

import pytest

from devdata.report_generator import scaled
from reports.services import report_year_get_or_create, report_year_publish
from tests.fixtures.reports import NOW, load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reports_2022_2023(aoks, plus_2023, plus_data, tmp_path):
    previous = report_year_get_or_create(fund=aoks["aok-plus"], year=2022)
    load(previous, scaled(plus_data, year=2022, factor=0.97, seed=2), tmp_path / "p2022")
    report_year_publish(report_year=previous, now=NOW)
    return plus_2023


def test_report_switches_section_and_year_in_place(
    page, screen, live_server, reports_2022_2023, assert_no_axe_violations
):
    page.goto(f"{live_server.url}/berichte/aok-plus/2023/")
    assert page.title() == "Transparenzbericht AOK PLUS 2023 – Versorgungslotse"
    assert_no_axe_violations(page)
    screen.check(page, "report")
    page.evaluate("window.__kept = 1")  # survives only if the page is not reloaded

    page.locator("a.report-sections__link[href$='abschnitt=widersprueche']").click()
    page.wait_for_url("**/berichte/aok-plus/2023/?abschnitt=widersprueche")
    page.wait_for_selector("#abschnitt-widersprueche")
    assert page.locator("#abschnitt-bearbeitungszeiten").count() == 0
    assert page.locator("text=Widerspruchsquote: 0,13").count() == 1
    screen.check(page, "report section")

    page.select_option("#id_jahr", "2022")
    page.select_option("#id_abschnitt", "")
    page.locator("form.report-switcher button[type=submit]").click()
    page.wait_for_url("**/berichte/aok-plus/2022/")
    page.wait_for_function("document.title.startsWith('Transparenzbericht AOK PLUS 2022')")
    assert page.locator("h1").inner_text() == "Transparenzbericht AOK PLUS 2022"
    assert page.evaluate("window.__kept") == 1
    assert_no_axe_violations(page)

    for path in ("/berichte/", "/berichte/vergleich/2023/", "/berichte/aok-plus/2023/pdf/status/"):
        page.goto(live_server.url + path)
        assert_no_axe_violations(page)
        screen.check(page, path)


def test_report_works_without_javascript(page_nojs, live_server, reports_2022_2023):
    page = page_nojs
    page.goto(f"{live_server.url}/berichte/aok-plus/2023/")
    page.select_option("#id_abschnitt", "bearbeitungszeiten")
    page.locator("form.report-switcher button[type=submit]").click()
    page.wait_for_url("**/berichte/aok-plus/2023/?abschnitt=bearbeitungszeiten")
    assert page.locator("text=12,0 Tage").first.is_visible()
    page.locator("a.report-sections__link[href$='abschnitt=behandlungsfehler']").click()
    page.wait_for_url("**/berichte/aok-plus/2023/?abschnitt=behandlungsfehler")
    assert page.locator("#abschnitt-behandlungsfehler").count() == 1
    page.goto(f"{live_server.url}/berichte/vergleich/2023/")
    assert page.locator("svg[role=img] title").count() >= 3
    page.goto(f"{live_server.url}/berichte/aok-plus/2023/pdf/status/")
    assert page.locator("#pdf-status button[type=submit]").count() == 1


@pytest.mark.parametrize("width", [1280, 1024])
def test_no_report_table_is_cut_off_at_desktop_widths(page, live_server, plus_2023, width):
    """Every table of the report fits its column at 1280 px (nothing hidden behind a scroll
    bar); at 1024 px a wide table may scroll, in a region reachable by keyboard."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/berichte/aok-plus/2023/")
    regions = page.locator(".report-table")
    assert regions.count() > 10
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.report-table')]
            .filter(r => r.scrollWidth > r.clientWidth + 1)
            .map(r => r.getAttribute('aria-labelledby') + ':' + r.scrollWidth + '>' + r.clientWidth)"""
    )
    if width >= 1280:
        assert overflowing == []
    for slug in overflowing:  # scrolls instead: a focusable, named region
        region = page.locator(f".report-table[aria-labelledby='{slug.split(':')[0]}']")
        assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the page never scrolls sideways
