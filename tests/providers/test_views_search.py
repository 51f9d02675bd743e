"""Provider search page: results by distance, filters in the URL, bad input, constant queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.fixtures.catalogue import make_provider

pytestmark = pytest.mark.django_db

SEARCH = reverse("providers:search")


def text_of(response) -> str:
    html = response.content.decode()
    main = re.search(r"<main.*?</main>", html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.group(0) if main else html))


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def names(response) -> list[str]:
    return [hit.provider.name for hit in response.context["results"].hits]


def test_search_page_without_plz_asks_for_it(client, catalogue):
    response = client.get(SEARCH, {"programm": "hausarztprogramm-bw"})
    assert response.status_code == 200
    assert "Geben Sie Ihre Postleitzahl ein" in text_of(response)
    assert not title_of(response).startswith("Fehler")
    assert 'value="hausarztprogramm-bw"' in response.content.decode()


def test_search_lists_participants_by_distance(client, catalogue):
    response = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77716"})
    assert names(response)[:2] == ["Praxis Dr. Nah", "Praxis Dr. Mittel"]
    page = text_of(response)
    assert "0,1 km entfernt" in page
    assert "rollstuhlgerecht" in page
    assert "nimmt derzeit keine neuen Patientinnen und Patienten an" in page
    assert "Teilnehmende an „Hausarztprogramm AOK Baden-Württemberg“" in title_of(response)


def test_search_filters_from_the_url(client, catalogue):
    response = client.get(
        SEARCH,
        {
            "programm": "hausarztprogramm-bw",
            "plz": "77716",
            "barrierefrei": "wheelchair_accessible",
            "neue_patienten": "on",
        },
    )
    assert names(response) == ["Praxis Dr. Nah"]
    response = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77716", "art": "specialist"})
    assert names(response) == ["Kardiologie Offenburg"]


def test_search_htmx_returns_the_results_fragment(client, catalogue):
    response = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77716"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "Praxis Dr. Nah" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"plz": ""}, "Bitte geben Sie Ihre Postleitzahl ein."),
        ({"plz": "abc"}, "Eine Postleitzahl hat genau fünf Ziffern"),
        ({"plz": "12345"}, "Die Postleitzahl 12345 kennen wir nicht."),
        ({"plz": "77716", "art": "zahnarzt"}, "zahnarzt"),
        ({"plz": "77716", "barrierefrei": "aufzug"}, "aufzug"),
        ({"plz": "77716", "fachrichtung": "x" * 500}, "höchstens 80 Zeichen"),
        ({"plz": "77716", "name": "x" * 500}, "höchstens 80 Zeichen"),
        ({"plz": "77716", "umkreis": "7"}, "Bitte wählen Sie einen Umkreis aus der Liste."),
        ({"plz": "77716", "programm": "gibt-es-nicht"}, "Dieses Programm finden wir nicht."),
        ({"plz": "77716", "programm": "<script>"}, "Dieses Programm finden wir nicht."),
    ],
)
def test_search_bad_input_gives_messages(client, catalogue, params, message):
    params = {"programm": "hausarztprogramm-bw", **params}
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert title_of(response).startswith("Fehler: ")
    assert message in text_of(response)
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_search_bad_page_number_is_harmless(client, catalogue):
    for page in ("abc", "-3", "0", "99999999999999999999"):
        response = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77716", "seite": page})
        assert response.status_code == 200


def test_search_paginates(client, catalogue):
    contract = catalogue.hzv.contracts.get()
    for i in range(15):
        make_provider(f"Praxis {i:02d}", 48.28 + i / 1000, 8.09, contracts=[contract])
    first = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77716"})
    assert len(names(first)) == 10
    assert 'rel="next"' in first.content.decode()
    second = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77716", "seite": "2"})
    assert not set(names(first)) & set(names(second))


@pytest.mark.parametrize("extra", [20, 400])
def test_search_query_count_is_constant(client, catalogue, django_assert_num_queries, extra):
    contract = catalogue.hzv.contracts.get()
    for i in range(extra):
        make_provider(f"Praxis {i:03d}", 48.27 + (i % 40) / 2000, 8.08 + (i // 40) / 1000, contracts=[contract])
    # program, its contracts, the postal index (4: codes, Gemeinden, Kreise, fund regions),
    # the program's participants, page rows
    with django_assert_num_queries(8):
        response = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77716"})
    assert len(names(response)) == 10
    with django_assert_num_queries(1):  # another place: its page's rows (not yet rendered)
        response = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77756"})
    assert len(names(response)) == 10
    with django_assert_num_queries(0):  # a new search whose rows were all rendered before
        response = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77716", "umkreis": "25"})
    assert len(names(response)) == 10


def test_search_pages_say_the_same_radius_and_count(client, catalogue):
    contract = catalogue.hzv.contracts.get()
    for i in range(12):
        make_provider(f"Praxis {i:02d}", 48.28 + i / 1000, 8.09, contracts=[contract])
    params = {"programm": "hausarztprogramm-bw", "plz": "77716"}
    first = text_of(client.get(SEARCH, params))
    second = text_of(client.get(SEARCH, {**params, "seite": "2"}))
    meta = re.compile(r"(\d+) Treffer im Umkreis von (\d+) km")
    assert meta.search(first).groups() == meta.search(second).groups()


def test_search_by_name_and_chosen_radius(client, catalogue):
    params = {"programm": "hausarztprogramm-bw", "plz": "77716"}
    assert names(client.get(SEARCH, {**params, "name": "Mittel"})) == ["Praxis Dr. Mittel"]
    narrow = client.get(SEARCH, {**params, "umkreis": "5"})
    assert all(hit.distance_km <= 5 for hit in narrow.context["results"].hits)
    assert "Kardiologie Offenburg" not in names(narrow)
    empty = client.get(SEARCH, {**params, "name": "Gibt es nicht", "umkreis": "5"})
    assert "Im Umkreis von 5 km haben wir keine Teilnehmenden gefunden." in text_of(empty)


def test_each_search_shows_its_own_distances_and_page_links(client, catalogue):
    """A hit is kept once per provider; its distance (in the page's language) and the page
    links (the request's own query) are filled in per request."""
    from django.test import override_settings

    contract = catalogue.hzv.contracts.get()
    for i in range(15):
        make_provider(f"Praxis {i:02d}", 48.28 + i / 1000, 8.09, contracts=[contract])

    def distances(response) -> dict[str, str]:
        text = text_of(response)
        after = {name: text[text.index(f" {name} ") :] for name in names(response)}
        return {name: re.search(r"(\S+) km (?:entfernt|away)", rest).group(1) for name, rest in after.items()}

    with override_settings(CATALOGUE_PAGE_CACHE=False):
        haslach = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77716"})
        offenburg = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77652", "umkreis": "50"})
        english = client.get(SEARCH, {"programm": "hausarztprogramm-bw", "plz": "77716"}, HTTP_ACCEPT_LANGUAGE="en")
        second = client.get(SEARCH, {"seite": "2", "programm": "hausarztprogramm-bw", "plz": "77716"})
    near, far = distances(haslach), distances(offenburg)
    assert near["Praxis Dr. Nah"] == "0,1"
    assert distances(english)["Praxis Dr. Nah"] == "0.1"
    shared = set(near) & set(far)
    assert shared
    for name in shared:
        assert near[name] != far[name] and "," in far[name]
        hit = next(h for h in offenburg.context["results"].hits if h.provider.name == name)
        assert far[name] == f"{hit.distance_km:.1f}".replace(".", ",")
    assert 'href="?programm=hausarztprogramm-bw&amp;plz=77716&amp;seite=2"' in haslach.content.decode()
    assert 'href="?programm=hausarztprogramm-bw&amp;plz=77652&amp;umkreis=50&amp;seite=2"' in offenburg.content.decode()
    assert 'href="?programm=hausarztprogramm-bw&amp;plz=77716&amp;seite=1"' in second.content.decode()
