from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import InsuredPersonFactory

# The registration throttle lives in the cache: tests/conftest.py clears it around every test.


@pytest.fixture
def clara(aoks):
    """An insured person without an account (AOK Baden-Württemberg)."""
    return InsuredPersonFactory(
        kvnr="Z987654321", first_name="Clara", last_name="Schmidt", birth_date=dt.date(1992, 11, 30), user=None
    )
