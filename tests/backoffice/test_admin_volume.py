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
