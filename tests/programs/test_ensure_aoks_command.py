"""`manage.py ensure_aoks`: the first-run step of docs/deployment.md that creates the funds."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from programs.models import Fund, FundRegion

pytestmark = pytest.mark.django_db


def test_ensure_aoks_creates_the_eleven_aoks_and_their_regions_once():
    out = io.StringIO()
    call_command("ensure_aoks", stdout=out)
    assert Fund.objects.count() == 11
    regions = FundRegion.objects.count()
    assert regions >= 16
    assert "11 AOKs" in out.getvalue()
    call_command("ensure_aoks", stdout=io.StringIO())
    assert (Fund.objects.count(), FundRegion.objects.count()) == (11, regions)
