"""The catalogue in Debian's chromium: axe (WCAG 2.1 AA) on every page state, keyboard use,
htmx in-place updates, and the same journeys with JavaScript off."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.catalogue import build_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue_data(aoks):
    return build_catalogue(aoks)


def visit(page, live_server, path: str):
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("load")
    return page


def assert_no_axe_violations_nojs(page_nojs, assert_no_axe_violations) -> None:
    """axe needs JavaScript: check the same server-rendered page in a JavaScript context."""
    context = page_nojs.context.browser.new_context(locale="de-DE")
    try:
        twin = context.new_page()
        twin.goto(page_nojs.url)
        twin.wait_for_load_state("load")
        assert_no_axe_violations(twin)
    finally:
        context.close()


def tab_to(page, selector: str, limit: int = 40) -> int:
    """Press Tab until `selector` has the focus; returns the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement && document.activeElement.matches({selector!r})"):
            return presses
    raise AssertionError(f"{selector} not reached with {limit} Tab presses")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?plz=77716",
        "/?plz=88888",
        "/?plz=12345",
        "/programme/",
        "/programme/?q=Herz&plz=77716&alter=40&alle=on",
        "/programme/?q=Zahnspange",
        "/programme/?alter=-5&plz=abc&q=Herz",
        "/programme/hausarztprogramm-bw/?plz=77716&alter=40",
        "/programme/kopfschmerz-kinder-dresden/?plz=77716&alter=40",
        "/leistungserbringer/?programm=hausarztprogramm-bw&plz=77716",
        "/leistungserbringer/?programm=hausarztprogramm-bw&plz=abc",
        "/programme/fristenrechner/",
        "/programme/fristenrechner/?erklaerung=2027-03-12&land=BW",
        "/programme/fristenrechner/?erklaerung=kaputt",
    ],
)
def test_catalogue_pages_have_no_axe_violations(page, live_server, catalogue_data, assert_no_axe_violations, path):
    visit(page, live_server, path)
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)


def test_home_by_keyboard(page, live_server, catalogue_data, assert_no_axe_violations):
    visit(page, live_server, "/")
    presses = tab_to(page, "input[name=plz]")
    assert presses <= 12
    page.keyboard.type("77716")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"plz=77716"))
    assert page.get_by_role("heading", name=re.compile("AOK Baden-Württemberg zuständig")).is_visible()
    assert page.get_by_role("link", name="Gesundes Kinzigtal").is_visible()
    assert_no_axe_violations(page)


def test_home_ambiguous_plz_by_keyboard(page, live_server, catalogue_data):
    visit(page, live_server, "/?plz=88888")
    tab_to(page, "input[name=ort]")
    page.keyboard.press("ArrowDown")  # the second place
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"ort="))
    assert page.get_by_role("heading", name=re.compile("AOK Bayern zuständig")).is_visible()


def test_list_updates_in_place_with_htmx(page, live_server, catalogue_data, assert_no_axe_violations):
    visit(page, live_server, "/programme/")
    # nothing loads: the loading notice is hidden from everyone, screen readers included
    assert not page.get_by_text("Ergebnisse werden geladen").is_visible()
    assert page.locator("#results-indicator").evaluate("e => getComputedStyle(e).visibility") == "hidden"
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Suchbegriff").fill("Herz")
    page.wait_for_url(re.compile(r"q=Herz"))
    results = page.locator("#results")
    results.get_by_role("link", name="AOK-Curaplan Koronare Herzkrankheit").wait_for()
    assert page.evaluate("window.__sameDocument") is True  # no full page load
    assert results.locator("li h3").count() == 2
    assert page.title().startswith("Programme zu „Herz“")
    assert re.search(r"2 Programme gefunden", page.locator("#results-status").inner_text())
    page.get_by_label("Disease-Management-Programm").check()
    page.wait_for_url(re.compile(r"typ=dmp"))
    assert_no_axe_violations(page)
    page.go_back()
    page.wait_for_url(lambda url: "q=Herz" in url and "typ=dmp" not in url)


def test_enter_in_the_search_field_sends_one_request(page, live_server, catalogue_data):
    """Typing a word and pressing Enter searches once, in place: no second htmx request for the
    same input and no full page load on top of it."""
    visit(page, live_server, "/programme/")
    page.evaluate("window.__sameDocument = true")
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "/programme/" in request.url else None)
    field = page.get_by_label("Suchbegriff")
    field.click()
    page.keyboard.type("Asthma")  # faster than the 300 ms pause: the search waits for Enter
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Asthma"))
    page.locator("#results").get_by_text("Asthma", exact=False).first.wait_for()
    page.wait_for_timeout(700)  # a late duplicate would arrive within this time
    assert page.evaluate("window.__sameDocument") is True
    assert len([url for url in requests if "q=Asthma" in url]) == 1, requests


def test_a_misspelt_search_offers_the_word_it_searched(page, live_server, catalogue_data):
    visit(page, live_server, "/programme/?q=Herzinsufizienz")
    hint = page.locator(".app-did-you-mean")
    assert "Meinten Sie" in hint.inner_text()
    hint.get_by_role("link", name="„herzinsuffizienz“").click()
    page.wait_for_url(re.compile(r"q=herzinsuffizienz"))
    assert page.locator(".app-did-you-mean").count() == 0


def test_list_errors_appear_in_place(page, live_server, catalogue_data, assert_no_axe_violations):
    visit(page, live_server, "/programme/")
    page.get_by_label("Alter in Jahren").fill("-5")
    page.locator("#error-summary-slot").get_by_text("Das Alter kann nicht negativ sein.").wait_for()
    assert page.title().startswith("Fehler: ")
    assert page.evaluate("document.activeElement.name") == "alter"  # typing was not interrupted
    assert_no_axe_violations(page)


def test_list_without_javascript(page_nojs, live_server, catalogue_data, assert_no_axe_violations):
    page = page_nojs
    visit(page, live_server, "/programme/")
    tab_to(page, "input[name=q]")
    page.keyboard.type("Krebs")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Krebs"))
    titles = page.locator("#results li h3").all_inner_texts()
    assert "AOK-Curaplan Brustkrebs" in titles and "CCC Integrativ" in titles
    assert_no_axe_violations_nojs(page, assert_no_axe_violations)
    page.get_by_label("Alter in Jahren").fill("abc")
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url(re.compile(r"alter=abc"))
    assert page.title().startswith("Fehler: ")
    summary = page.locator(".app-error-summary")
    assert summary.is_visible()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == "alter"


def test_home_and_detail_without_javascript(page_nojs, live_server, catalogue_data, assert_no_axe_violations):
    page = page_nojs
    visit(page, live_server, "/")
    tab_to(page, "input[name=plz]")
    page.keyboard.type("77716")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"plz=77716"))
    page.get_by_role("link", name="Hausarztprogramm AOK Baden-Württemberg").click()
    page.wait_for_url(re.compile(r"/programme/hausarztprogramm-bw/"))
    assert page.get_by_text("0,1 km entfernt").is_visible()
    assert_no_axe_violations_nojs(page, assert_no_axe_violations)
    page.get_by_role("link", name=re.compile("Alle Teilnehmenden nach Entfernung")).click()
    page.wait_for_url(re.compile(r"/leistungserbringer/"))
    page.get_by_label("rollstuhlgerecht").check()
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_url(re.compile(r"barrierefrei=wheelchair_accessible"))
    assert page.locator("#results li h3").all_inner_texts() == ["Praxis Dr. Nah"]
    assert_no_axe_violations_nojs(page, assert_no_axe_violations)


def test_deadline_calculator_by_keyboard_without_javascript(page_nojs, live_server, catalogue_data):
    page = page_nojs
    visit(page, live_server, "/programme/fristenrechner/")
    page.get_by_label("Tag der Teilnahmeerklärung").fill("2026-12-19")
    page.get_by_label("Bundesland, in dem Sie wohnen").select_option("NW")
    page.get_by_role("button", name="Frist berechnen").click()
    page.wait_for_url(re.compile(r"erklaerung=2026-12-19"))
    assert page.get_by_text("Sie können bis einschließlich Montag, 04.01.2027 widerrufen.").is_visible()


def test_on_a_phone_the_results_come_first_and_the_filters_are_one_tap_away(
    page, live_server, catalogue_data, assert_no_axe_violations, tmp_path
):
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, live_server, "/programme/?q=Herz")
    results = page.locator("#results-title").bounding_box()
    search = page.get_by_label("Suchbegriff").bounding_box()
    assert results["y"] < search["y"]  # the results above the form
    assert page.get_by_role("link", name="Suche und Filter ändern").is_visible()
    page.screenshot(path=str(tmp_path / "programme-390.png"), full_page=True)
    assert (tmp_path / "programme-390.png").stat().st_size > 10_000
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Suche und Filter ändern").click()
    page.wait_for_url(re.compile(r"#catalogue-form$"))
    # scrolled to the form (smoothly, where the system allows motion)
    for _ in range(50):
        top = page.evaluate("document.getElementById('catalogue-form').getBoundingClientRect().top")
        if -2 <= top < 200:
            break
        page.wait_for_timeout(100)
    assert -2 <= top < 200, top
    # wide screens keep the filters beside the results, without the jump links
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not page.get_by_role("link", name="Suche und Filter ändern").is_visible()
    assert page.locator("#catalogue-form").bounding_box()["x"] < page.locator("#results-title").bounding_box()["x"]
