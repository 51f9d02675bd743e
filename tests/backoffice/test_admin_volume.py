"""The change lists at volume: no full COUNT(*) over a big table, a constant number of queries.

The figures with a million insured persons come from bench/admin.py (docs/performance.md);
these tests prove the mechanisms on small data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.admin_scoping import CappedCountPaginator
from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.django_db

LIST = "admin:enrollment_insuredperson_changelist"


def test_a_list_beyond_the_cap_counts_no_further_and_says_so(client, clerk, aoks, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    for _ in range(5):
        InsuredPersonFactory(fund=aoks["aok-bw"])
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(LIST))
    assert response.status_code == 200
    page = response.content.decode()
    assert "mehr als 3 Versicherte" in page and "bitte suchen oder filtern" in page
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 4" in sql for sql in counts), counts  # never a count of every row


def test_a_list_below_the_cap_shows_the_exact_number(client, clerk, aoks):
    for _ in range(2):
        InsuredPersonFactory(fund=aoks["aok-bw"])
    InsuredPersonFactory(fund=aoks["aok-plus"])  # another fund's member is not counted
    client.force_login(clerk)
    page = client.get(reverse(LIST)).content.decode()
    assert "2 Versicherte" in page and "mehr als" not in page


def test_list_query_count_does_not_grow_with_the_rows(client, clerk, aoks):
    client.force_login(clerk)
    InsuredPersonFactory(fund=aoks["aok-bw"])
    client.get(reverse(LIST))  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(LIST))
    for _ in range(30):
        InsuredPersonFactory(fund=aoks["aok-bw"])
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(LIST))
    assert len(many) == len(few)


def _found(client, url_name, term) -> str:
    """The rows the change list shows for the search (as text; the term itself is echoed
    elsewhere on the page)."""
    response = client.get(reverse(url_name), {"q": term})
    assert response.status_code == 200
    return " | ".join(f"{obj.pk}:{obj}:{getattr(obj, 'kvnr', '')}" for obj in response.context["cl"].result_list)


def test_insured_search_by_kvnr_postal_code_and_name_starts(client, clerk, aoks):
    anna = InsuredPersonFactory(fund=aoks["aok-bw"], first_name="Anna", last_name="Müllerschön", postal_code="77716")
    other = InsuredPersonFactory(fund=aoks["aok-bw"], first_name="Bernd", last_name="Schmidt", postal_code="70173")
    client.force_login(clerk)
    assert anna.kvnr in _found(client, LIST, anna.kvnr.lower())  # exact KVNR, any case
    assert other.kvnr not in _found(client, LIST, anna.kvnr)
    page = _found(client, LIST, "777")
    assert anna.kvnr in page and other.kvnr not in page
    page = _found(client, LIST, "müll anna")  # the start of each word, last or first name
    assert anna.kvnr in page and other.kvnr not in page
    assert anna.kvnr not in _found(client, LIST, "schön")  # not in the middle of a name
    assert anna.kvnr not in _found(client, LIST, "müll bernd")


def test_insured_search_stays_within_the_clerks_fund(client, clerk, aoks):
    stranger = InsuredPersonFactory(fund=aoks["aok-plus"], last_name="Fremdkasse")
    client.force_login(clerk)
    assert stranger.kvnr not in _found(client, LIST, stranger.kvnr)
    assert stranger.kvnr not in _found(client, LIST, "Fremdkasse")


def test_provider_search_by_number_name_and_place(client, aoks):
    from django.contrib.auth import get_user_model

    from tests.factories import ProviderFactory

    near = ProviderFactory(name="Praxis Dr. Sonnenschein", city="Haslach", postal_code="77716", lanr="123456601")
    far = ProviderFactory(name="Praxis Dr. Regen", city="Dresden", postal_code="01067")
    operator = get_user_model().objects.create_superuser("betrieb-test", "b@example.org", "x")
    client.force_login(operator)
    url = "admin:providers_provider_changelist"
    for term, expected in (("123456601", near), ("sonnen", near), ("Dres", far), ("0106", far)):
        page = _found(client, url, term)
        assert expected.name in page, term
        assert (far if expected is near else near).name not in page, term
