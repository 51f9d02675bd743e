"""Parallel declarations: exactly one record, whatever the race — on PostgreSQL (row locks)
and on SQLite (the file database of `make run`; transactions take the write lock when they
begin, so concurrent requests queue instead of failing with "database is locked").
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from enrollment.lifecycle import EnrollmentError
from enrollment.models import Participation, ParticipationEvent
from tests.fixtures.enrollment import ALL_CONSENTS, at, declare, wizard_tab_at_declaration

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def race(n: int, func) -> list:
    """Run `func(i)` in `n` threads released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = func(i)
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_parallel_posts_with_the_same_key_create_one_record(hzv, gp, person):
    key = uuid.uuid4()

    def submit(_i):
        return declare(hzv, person, gp, key=key, now=at(2026, 12, 19, 10)).pk

    results = race(8, submit)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Participation.objects.count() == 1
    assert ParticipationEvent.objects.count() == 1


def test_parallel_posts_from_two_tabs_create_one_record(hzv, gp, person):
    def submit(_i):
        return declare(hzv, person, gp, now=at(2026, 12, 19, 10)).pk

    results = race(6, submit)
    created = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, EnrollmentError)]
    assert len(created) == 1 and len(refused) == 5, results
    assert Participation.objects.count() == 1


def test_parallel_wizard_submits_over_http_create_one_record(hzv, gp, person):
    tabs = [wizard_tab_at_declaration(person, hzv, gp) for _ in range(4)]
    key = str(uuid.uuid4())
    data = {"step": "erklaerung", "idempotency_key": key, **dict.fromkeys(ALL_CONSENTS, "on")}
    results = race(4, lambda i: tabs[i][0].post(tabs[i][1], data))
    assert all(r.status_code == 302 for r in results), results
    assert len({r.url for r in results}) == 1
    assert Participation.objects.count() == 1
