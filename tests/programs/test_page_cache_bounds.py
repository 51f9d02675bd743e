"""The anonymous page cache is bounded: one entry per canonical query, none for over-long
query strings, at most CATALOGUE_PAGE_CACHE_MAX_ENTRIES new entries per cache window."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST = reverse("programs:list")
HOME = reverse("home")
PROVIDERS = reverse("providers:search")


def detail_url(slug: str) -> str:
    return reverse("programs:detail", args=[slug])


def test_unknown_query_parameters_share_the_entry_of_the_page_without_them(client, catalogue):
    assert client.get(LIST, {"q": "Herz"})["X-Catalogue-Cache"] == "miss"
    for junk in ({"utm_source": "mail"}, {"x": "1", "fbclid": "abc"}, {"cachebuster": "4711"}):
        response = client.get(LIST, {"q": "Herz", **junk})
        assert response["X-Catalogue-Cache"] == "hit"
        assert "AOK-Curaplan Koronare Herzkrankheit" in response.content.decode()


def test_order_of_parameters_and_of_repeated_values_does_not_matter(client, catalogue):
    assert client.get(f"{LIST}?typ=dmp&q=Herz&typ=hzv")["X-Catalogue-Cache"] == "miss"
    assert client.get(f"{LIST}?q=Herz&typ=hzv&typ=dmp")["X-Catalogue-Cache"] == "hit"
    assert client.get(f"{LIST}?typ=hzv&typ=dmp&q=Herz")["X-Catalogue-Cache"] == "hit"


def test_page_rendered_for_a_junk_url_holds_only_the_canonical_query(client, catalogue):
    """A page cached for `?q=Herz&tracking=…` is served to everyone asking `?q=Herz`: it must
    not carry the first visitor's extra parameters (language switch, paging links)."""
    html = client.get(LIST, {"q": "Herz", "tracking": "visitor-4711"}).content.decode()
    assert "visitor-4711" not in html
    assert client.get(LIST, {"q": "Herz"})["X-Catalogue-Cache"] == "hit"


def test_known_parameters_of_each_page_still_make_different_entries(client, catalogue):
    client.get(HOME, {"plz": "77716"})
    assert client.get(HOME, {"plz": "77652"})["X-Catalogue-Cache"] == "miss"
    client.get(detail_url("ccc-integrativ"))
    assert client.get(detail_url("ccc-integrativ"), {"alter": "40"})["X-Catalogue-Cache"] == "miss"
    client.get(PROVIDERS, {"plz": "77716"})
    assert client.get(PROVIDERS, {"plz": "77716", "seite": "2"})["X-Catalogue-Cache"] == "miss"
    assert client.get(HOME, {"plz": "77716", "ref": "newsletter"})["X-Catalogue-Cache"] == "hit"


def test_over_long_query_strings_are_answered_but_not_cached(client, catalogue):
    long_query = "Herz " + "x" * 2000
    first = client.get(LIST, {"q": long_query})
    second = client.get(LIST, {"q": long_query})
    assert first.status_code == second.status_code == 200
    assert first["X-Catalogue-Cache"] == second["X-Catalogue-Cache"] == "bypass"


def test_at_most_max_entries_are_written_per_window_then_pages_are_served_uncached(client, catalogue, settings):
    settings.CATALOGUE_PAGE_CACHE_MAX_ENTRIES = 3
    for n in range(3):
        assert client.get(LIST, {"q": f"Suche{n}"})["X-Catalogue-Cache"] == "miss"
    over = client.get(LIST, {"q": "Herz"})
    assert over.status_code == 200
    assert "AOK-Curaplan Koronare Herzkrankheit" in over.content.decode()
    assert over["X-Catalogue-Cache"] == "full"
    assert client.get(LIST, {"q": "Herz"})["X-Catalogue-Cache"] == "full"  # nothing was stored
    assert client.get(LIST, {"q": "Suche0"})["X-Catalogue-Cache"] == "hit"  # stored pages still serve


def test_a_new_window_admits_new_entries(client, catalogue, settings, monkeypatch):
    from programs import caching

    settings.CATALOGUE_PAGE_CACHE_MAX_ENTRIES = 1
    monkeypatch.setattr(caching, "_window", lambda: 1000)
    client.get(LIST, {"q": "Suche0"})
    assert client.get(LIST, {"q": "Herz"})["X-Catalogue-Cache"] == "full"
    monkeypatch.setattr(caching, "_window", lambda: 1001)
    assert client.get(LIST, {"q": "Herz"})["X-Catalogue-Cache"] == "miss"


def test_once_the_window_is_full_new_pages_cost_no_counter_round_trip(client, catalogue, settings, monkeypatch):
    """Every new URL used to increment the shared counter even after the limit (a Redis round
    trip, or a file write with the file cache); a process now remembers the full window."""
    from programs import caching

    settings.CATALOGUE_PAGE_CACHE_MAX_ENTRIES = 1
    monkeypatch.setattr(caching, "_window", lambda: 2000)
    client.get(LIST, {"q": "Suche0"})
    assert client.get(LIST, {"q": "Suche1"})["X-Catalogue-Cache"] == "full"
    calls = []
    original = caching.cache.incr
    monkeypatch.setattr(caching.cache, "incr", lambda *a, **k: calls.append(a) or original(*a, **k))
    for n in range(2, 6):
        assert client.get(LIST, {"q": f"Suche{n}"})["X-Catalogue-Cache"] == "full"
    assert calls == []
    monkeypatch.setattr(caching, "_window", lambda: 2001)  # the next window counts again
    assert client.get(LIST, {"q": "Suche9"})["X-Catalogue-Cache"] == "miss"
    assert len(calls) == 1


def test_a_catalogue_store_reads_each_row_once_and_starts_anew_beyond_its_limit():
    from programs.caching import bump_catalogue_version, catalogue_store, read_into

    reads = []

    def read(missing):
        reads.append(sorted(missing))
        return {pk: f"row {pk}" for pk in missing if pk != 99}  # 99 does not exist

    store = read_into(catalogue_store("test"), [3, 1, 3, None], read)
    assert store == {1: "row 1", 3: "row 3"} and reads == [[1, 3]]
    read_into(catalogue_store("test"), [1, 3], read)
    assert reads == [[1, 3]]  # known rows: nothing read
    read_into(catalogue_store("test"), [2, 99], read, limit=2)
    assert reads[-1] == [2, 99]
    store = read_into(catalogue_store("test"), [4], read, limit=2)  # 3 rows > 2: starts anew
    assert store == {4: "row 4"}
    bump_catalogue_version()
    assert catalogue_store("test") == {}  # a new catalogue version, a new store


@pytest.mark.django_db
def test_a_catalogue_edit_replaces_the_version_again_when_it_commits(catalogue, django_capture_on_commit_callbacks):
    """A worker that reads the new version before the edit commits would memoise the old rows
    under it until the next edit: the version moves on once more after the commit."""
    from programs.caching import catalogue_version
    from programs.models import Program

    program = Program.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        program.title = "Neuer Titel"
        program.save()
        during = catalogue_version()
    assert catalogue_version() != during
