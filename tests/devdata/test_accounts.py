"""The demo activation codes printed by `seed_demo` (`devdata.accounts`)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache

from devdata.accounts import issue_demo_codes
from enrollment.accounts import services
from enrollment.models import ActivationCode, InsuredPerson

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def _register(person, code):
    return services.account_register(
        kvnr=person.kvnr,
        birth_date=person.birth_date,
        code=code,
        email="Clara.Schmidt@Example.org",
        password="Lotse-Test-Kennwort-2026",
        now=NOW + dt.timedelta(days=1),
        client_ip="192.0.2.10",
    )


def test_issue_demo_codes_one_valid_code_per_person(aoks):
    cache.clear()  # the registration throttle lives in the cache
    out = io.StringIO()
    first = issue_demo_codes(out, now=NOW)
    clara = InsuredPerson.objects.get(kvnr="Z987654321")
    assert clara.first_name == "Clara" and clara.fund.slug == "aok-bw" and clara.postal_code == "70173"
    assert {p.kvnr for p, _ in first} >= {"Z987654321", "W456789126"}
    assert first[0][1] in out.getvalue()
    second = issue_demo_codes(io.StringIO(), now=NOW)
    assert InsuredPerson.objects.filter(kvnr="Z987654321").count() == 1
    for person, _code in second:
        assert (
            ActivationCode.objects.filter(person=person, used_at__isnull=True, superseded_at__isnull=True).count() == 1
        )
    old_code = {p.kvnr: c for p, c in first}["Z987654321"]
    new_code = {p.kvnr: c for p, c in second}["Z987654321"]
    with pytest.raises(services.RegistrationFailed):
        _register(clara, old_code)
    assert _register(clara, new_code).created
    third = issue_demo_codes(io.StringIO(), now=NOW)
    assert "Z987654321" not in {p.kvnr for p, _ in third}  # has an account now
