"""Database constraints of the report models."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError

from reports.models import Application, Branch, Category, Outcome
from reports.services import report_year_get_or_create

pytestmark = pytest.mark.django_db


def test_an_application_row_holds_at_least_one_case(aoks):
    year = report_year_get_or_create(fund=aoks["aok-plus"], year=2023)
    row = {
        "report_year": year,
        "received": dt.date(2023, 1, 2),
        "decided": dt.date(2023, 1, 5),
        "processing_days": 3,
        "category": Category.SONSTIGE,
        "branch": Branch.KV,
        "outcome": Outcome.APPROVED,
    }
    assert Application.objects.create(**row).cases == 1
    with pytest.raises(IntegrityError):
        Application.objects.create(**row, cases=0)
