from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from enrollment.models import LegalRepresentation
from enrollment.representation import Signer, can_declare_for
from enrollment.selectors import person_for_user_or_404, persons_for_user
from tests.factories import InsuredPersonFactory, LegalRepresentationFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def family(aoks):
    parent = InsuredPersonFactory(first_name="Paul", birth_date=dt.date(1980, 9, 3))
    mia = InsuredPersonFactory(first_name="Mia", user=None, birth_date=dt.date(2016, 6, 1))
    leon = InsuredPersonFactory(first_name="Leon", birth_date=dt.date(2010, 2, 15))  # has his own account
    LegalRepresentationFactory(representative=parent, represented=mia)
    LegalRepresentationFactory(representative=parent, represented=leon)
    return parent, mia, leon


# --------------------------------------------------------------------------- selectors


def test_persons_for_user_own_record_first_then_represented(family):
    parent, mia, leon = family
    assert persons_for_user(parent.user, on_date=TODAY) == [parent, leon, mia]


def test_persons_for_user_never_returns_someone_elses_record(family):
    parent, mia, leon = family
    stranger = InsuredPersonFactory()
    other_child = InsuredPersonFactory(user=None)
    LegalRepresentationFactory(representative=stranger, represented=other_child)
    assert persons_for_user(stranger.user, on_date=TODAY) == [stranger, other_child]
    assert set(persons_for_user(parent.user, on_date=TODAY)).isdisjoint({stranger, other_child})
    assert persons_for_user(leon.user, on_date=TODAY) == [leon]  # a child does not see the parent
    assert persons_for_user(AnonymousUser(), on_date=TODAY) == []
    for person in (stranger, other_child):
        with pytest.raises(Http404):
            person_for_user_or_404(parent.user, person.pk, on_date=TODAY)
    with pytest.raises(Http404):
        person_for_user_or_404(parent.user, "not-a-number", on_date=TODAY)


def test_persons_for_user_respects_representation_validity(family):
    parent, mia, _leon = family
    LegalRepresentation.objects.filter(represented=mia).update(
        valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 6, 30)
    )
    assert mia in persons_for_user(parent.user, on_date=dt.date(2026, 6, 30))
    assert mia not in persons_for_user(parent.user, on_date=dt.date(2026, 7, 1))
    assert mia not in persons_for_user(parent.user, on_date=dt.date(2025, 12, 31))
    with pytest.raises(Http404):
        person_for_user_or_404(parent.user, mia.pk, on_date=dt.date(2026, 7, 1))
    assert person_for_user_or_404(parent.user, str(mia.pk), on_date=dt.date(2026, 1, 1)) == mia


# --------------------------------------------------------------------------- can_declare_for


@pytest.fixture
def teen(aoks):
    """Born 2011-03-10: 15 on 2026-03-10, 18 on 2029-03-10."""
    parent = InsuredPersonFactory(birth_date=dt.date(1980, 1, 1))
    child = InsuredPersonFactory(birth_date=dt.date(2011, 3, 10))
    LegalRepresentationFactory(representative=parent, represented=child)
    return parent, child


@pytest.mark.parametrize(
    ("day", "age", "self_ok", "parent_ok"),
    [
        (dt.date(2025, 6, 1), 14, False, True),
        (dt.date(2026, 3, 9), 14, False, True),  # the day before the 15th birthday
        (dt.date(2026, 3, 10), 15, True, True),  # the 15th birthday itself
        (dt.date(2029, 3, 9), 17, True, True),  # the last day as a minor
        (dt.date(2029, 3, 10), 18, True, False),  # 18th birthday: parental representation ends
    ],
)
def test_can_declare_for_by_age(teen, day, age, self_ok, parent_ok):
    parent, child = teen
    assert child.age_on(day) == age
    own = can_declare_for(child.user, child, on_date=day)
    assert own.allowed is self_ok
    if self_ok:
        assert own.signer == Signer.SELF
        assert own.inform_representatives is (age < 18)
        assert list(own.representatives) == ([parent] if age < 18 else [])
    by_parent = can_declare_for(parent.user, child, on_date=day)
    assert by_parent.allowed is parent_ok
    if parent_ok:
        assert by_parent.signer == Signer.REPRESENTATIVE and not by_parent.inform_representatives
    assert own.reason and by_parent.reason


def test_can_declare_for_threshold_from_contract(teen):
    parent, child = teen
    day = dt.date(2026, 3, 10)  # 15th birthday
    assert not can_declare_for(child.user, child, on_date=day, self_declaration_age=16)
    assert can_declare_for(child.user, child, on_date=dt.date(2027, 3, 10), self_declaration_age=16)


def test_can_declare_for_guardian_of_adult(aoks):
    guardian = InsuredPersonFactory()
    adult = InsuredPersonFactory(user=None, birth_date=dt.date(1950, 1, 1))
    LegalRepresentationFactory(representative=guardian, represented=adult, kind=LegalRepresentation.Kind.GUARDIAN)
    decision = can_declare_for(guardian.user, adult, on_date=TODAY)
    assert decision.allowed and decision.signer == Signer.REPRESENTATIVE


def test_can_declare_for_stranger_refused(family):
    parent, mia, _leon = family
    stranger = InsuredPersonFactory()
    assert not can_declare_for(stranger.user, mia, on_date=TODAY)
    assert not can_declare_for(parent.user, stranger, on_date=TODAY)
    assert not can_declare_for(AnonymousUser(), mia, on_date=TODAY)


def test_can_declare_for_expired_representation_refused(family):
    parent, mia, _leon = family
    LegalRepresentation.objects.filter(represented=mia).update(valid_until=dt.date(2026, 1, 31))
    assert can_declare_for(parent.user, mia, on_date=dt.date(2026, 1, 31))
    assert not can_declare_for(parent.user, mia, on_date=dt.date(2026, 2, 1))


def test_the_persons_of_a_user_are_found_by_index_not_by_reading_every_person(family):
    """1,000,000 insured persons: `user = x OR id IN (subquery)` made PostgreSQL read them all
    (about 120 ms per signed-in page); the lookup must be answerable from the indexes."""
    from django.db import connection

    from enrollment.selectors import persons_for_user_qs

    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    parent = family[0]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as if the table were large
    plan = persons_for_user_qs(parent.user, on_date=TODAY).explain()
    # not every row read and filtered: no sequential scan, no sub-plan tested row by row
    assert "Seq Scan on enrollment_insuredperson" not in plan and "SubPlan" not in plan, plan
    assert {p.pk for p in persons_for_user_qs(parent.user, on_date=TODAY)} == {p.pk for p in family}
