from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from tests.browser.conftest import assert_no_axe_violations, browser, page  # noqa: F401 - browser fixtures
from tests.factories import InsuredPersonFactory

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clear_cache():
    """The registration throttle lives in the cache; every test starts with a clean one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clara(aoks):
    """An insured person without an account (AOK Baden-Württemberg)."""
    return InsuredPersonFactory(
        kvnr="Z987654321", first_name="Clara", last_name="Schmidt", birth_date=dt.date(1992, 11, 30), user=None
    )


@pytest.fixture
def now():
    return NOW
