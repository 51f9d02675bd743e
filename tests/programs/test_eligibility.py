"""Eligibility rules: every reason, in plain words; region by official keys; no queries per program."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import translation

from programs.eligibility import (
    PersonContext,
    ReasonCode,
    check_eligibility,
    check_many,
    prefetch_for_eligibility,
    region_status,
)
from programs.models import Program
from programs.selectors import person_context_for_insured, person_context_for_place, resolve_place
from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)


def loaded(program: Program) -> Program:
    return prefetch_for_eligibility(Program.objects.filter(pk=program.pk), on=TODAY).get()


def codes(result) -> list[str]:
    return [r.code for r in result.reasons]


# --- pure: region status with stand-in objects ---------------------------------------------------


class Rel(list):
    def all(self):
        return self


def stub(lands=(), kreise=(), gemeinden=()):
    return SimpleNamespace(
        region_lands=Rel(SimpleNamespace(code=c) for c in lands),
        region_kreise=Rel(SimpleNamespace(key=k) for k in kreise),
        region_gemeinden=Rel(SimpleNamespace(ags=g) for g in gemeinden),
    )


@pytest.mark.parametrize(
    ("program", "ctx", "expected"),
    [
        (stub(), PersonContext(), "unrestricted"),
        (stub(gemeinden=["08317043"]), PersonContext(), "unknown"),
        (stub(gemeinden=["08317043"]), PersonContext(gemeinde_keys={"08317043"}), "in"),
        (stub(gemeinden=["08317043"]), PersonContext(gemeinde_keys={"08317096"}), "out"),
        (stub(gemeinden=["08317043"]), PersonContext(gemeinde_keys={"08317043", "08317096"}), "partly"),
        (stub(gemeinden=["08317043"]), PersonContext(kreis_keys={"08317"}), "partly"),
        (stub(gemeinden=["08317043"]), PersonContext(kreis_keys={"08335"}), "out"),
        (stub(kreise=["08317"]), PersonContext(gemeinde_keys={"08317096"}), "in"),
        (stub(lands=["TH"]), PersonContext(gemeinde_keys={"16051000"}), "in"),
        (stub(lands=["TH"]), PersonContext(land_codes={"SN"}), "out"),
        (stub(kreise=["14612"]), PersonContext(land_codes={"SN"}), "partly"),
    ],
)
def test_region_status_by_official_keys(program, ctx, expected):
    assert region_status(program, ctx) == expected


def test_person_context_age_from_birth_date():
    ctx = PersonContext(birth_date=dt.date(2010, 11, 26))
    assert ctx.age_on(dt.date(2026, 11, 25)) == 15
    assert ctx.age_on(dt.date(2026, 11, 26)) == 16


# --- rules on the catalogue ----------------------------------------------------------------------


def test_eligible_without_restrictions(catalogue):
    result = check_eligibility(loaded(catalogue.ccc), PersonContext(age=40, fund_id=catalogue.bw.pk), on=TODAY)
    assert result.eligible and result.certain
    assert result.reasons == []


def test_too_young_in_plain_words(catalogue):
    result = check_eligibility(loaded(catalogue.mentalis), PersonContext(age=15), on=TODAY)
    assert not result.eligible
    assert codes(result) == [ReasonCode.TOO_YOUNG]
    assert result.reasons[0].text == "erst ab 16 Jahren"


def test_age_range_both_ends(catalogue):
    program = loaded(catalogue.kopfschmerz)
    assert codes(check_eligibility(program, PersonContext(age=9), on=TODAY)) == [ReasonCode.TOO_YOUNG]
    old = check_eligibility(program, PersonContext(age=18), on=TODAY)
    assert codes(old) == [ReasonCode.TOO_OLD]
    assert old.reasons[0].text == "nur bis 17 Jahre"
    assert check_eligibility(program, PersonContext(age=17), on=TODAY).eligible


def test_unknown_age_is_an_open_point_not_a_reason(catalogue):
    result = check_eligibility(loaded(catalogue.kopfschmerz), PersonContext(), on=TODAY)
    assert result.eligible and not result.certain
    assert [r.text for r in result.open_points][0] == "nur für Menschen von 10 bis 17 Jahren"


def test_region_reason_names_the_region(catalogue):
    offenburg = person_context_for_place(resolve_place("77652"), age=40)
    result = check_eligibility(loaded(catalogue.kinzigtal), offenburg, on=TODAY)
    assert codes(result) == [ReasonCode.REGION]
    assert result.reasons[0].text == "nur für Einwohnerinnen und Einwohner der 17 Gemeinden des Kinzigtals"


def test_region_reason_without_note_lists_the_places(catalogue):
    Program.objects.filter(pk=catalogue.kinzigtal.pk).update(region_note="")
    offenburg = person_context_for_place(resolve_place("77652"), age=40)
    text = check_eligibility(loaded(catalogue.kinzigtal), offenburg, on=TODAY).reasons[0].text
    assert text == "nur für Einwohnerinnen und Einwohner der 2 Gemeinden Haslach im Kinzigtal, Hausach"


def test_resident_of_the_region_is_eligible(catalogue):
    haslach = person_context_for_place(resolve_place("77716"), age=40)
    assert check_eligibility(loaded(catalogue.kinzigtal), haslach, on=TODAY).certain


def test_fund_reason_when_the_persons_fund_has_no_contract(catalogue):
    dresden = person_context_for_place(resolve_place("01067"), age=40)  # AOK PLUS
    result = check_eligibility(loaded(catalogue.ccc), dresden, on=TODAY)
    assert codes(result) == [ReasonCode.FUND]
    assert "AOK Baden-Württemberg" in result.reasons[0].text


def test_all_reasons_are_collected(catalogue):
    ctx = person_context_for_place(resolve_place("77716"), age=40)  # BW, adult
    result = check_eligibility(loaded(catalogue.kopfschmerz), ctx, on=TODAY)
    assert set(codes(result)) == {ReasonCode.TOO_OLD, ReasonCode.REGION, ReasonCode.FUND}


def test_prerequisite_open_for_visitors_and_a_reason_for_known_participations(catalogue):
    program = loaded(catalogue.ivp)
    anonymous = check_eligibility(program, PersonContext(age=80), on=TODAY)
    assert anonymous.eligible
    assert [r.text for r in anonymous.open_points] == ["setzt die Teilnahme am Hausarztprogramm voraus"]

    without_hzv = check_eligibility(program, PersonContext(age=80, active_program_ids=set()), on=TODAY)
    assert codes(without_hzv) == [ReasonCode.PREREQUISITE]
    assert without_hzv.reasons[0].related == catalogue.hzv

    with_hzv = check_eligibility(program, PersonContext(age=80, active_program_ids={catalogue.hzv.pk}), on=TODAY)
    assert with_hzv.certain


def test_exclusion_and_already_enrolled(catalogue):
    catalogue.ccc.excludes.set([catalogue.hzv])
    program = loaded(catalogue.ccc)
    result = check_eligibility(
        program, PersonContext(active_program_ids={catalogue.hzv.pk, catalogue.ccc.pk}), on=TODAY
    )
    assert set(codes(result)) == {ReasonCode.EXCLUDED, ReasonCode.ALREADY_ENROLLED}


def test_expired_contract_means_not_offered(catalogue):
    result = check_eligibility(loaded(catalogue.expired), PersonContext(), on=TODAY)
    assert codes(result) == [ReasonCode.NO_CONTRACT]


def test_reasons_are_translated(catalogue):
    with translation.override("en"):
        result = check_eligibility(loaded(catalogue.mentalis), PersonContext(age=12), on=TODAY)
    assert result.reasons[0].text == "only from the age of 16"


def test_check_many_costs_no_queries_per_program(catalogue, django_assert_num_queries):
    with django_assert_num_queries(7):
        programs = list(prefetch_for_eligibility(Program.objects.all(), on=TODAY))
    ctx = person_context_for_place(resolve_place("77716"), age=40)
    with django_assert_num_queries(0):
        results = check_many(programs, ctx, on=TODAY)
    assert len(results) == len(programs)


def test_context_for_insured_person_uses_record_and_participations(catalogue):
    person = InsuredPersonFactory(postal_code="77716", city="Haslach", birth_date=dt.date(2012, 1, 1))
    ctx = person_context_for_insured(person, on=TODAY, active_program_ids=())
    assert ctx.fund_id == catalogue.bw.pk
    assert ctx.kreis_keys == {"08317"}
    assert ctx.gemeinde_keys == {"08317043"}
    assert ctx.active_program_ids == frozenset()
    assert ctx.age_on(TODAY) == 14
    result = check_eligibility(loaded(catalogue.mentalis), ctx)
    assert codes(result) == [ReasonCode.TOO_YOUNG]


def test_context_for_insured_person_on_the_start_day(catalogue):
    person = InsuredPersonFactory(postal_code="77716", city="Haslach", birth_date=dt.date(1990, 1, 1))
    ctx = person_context_for_insured(person, on=dt.date(2027, 4, 1), active_program_ids=())
    assert ctx.on == dt.date(2027, 4, 1)
    result = check_eligibility(loaded(catalogue.kinzigtal), ctx)
    assert result.eligible
    assert all(not r.ok and r.message for r in result.reasons)


def test_own_participations_can_be_left_to_the_declaration(catalogue):
    catalogue.ccc.excludes.set([catalogue.hzv])
    program = loaded(catalogue.ccc)
    ctx = PersonContext(active_program_ids={catalogue.hzv.pk, catalogue.ccc.pk})
    result = check_eligibility(program, ctx, on=TODAY, own_participations=False)
    assert not {ReasonCode.EXCLUDED, ReasonCode.ALREADY_ENROLLED} & set(codes(result))


def test_region_names_follow_the_language(catalogue):
    from programs.eligibility import region_text

    watch = loaded(catalogue.watch)
    assert region_text(watch) == "nur für Einwohnerinnen und Einwohner des Landes Thüringen"
    with translation.override("en"):
        assert region_text(watch) == "only for residents of the federal state of Thuringia"
    # a free-text note is German; in English the structured region is named instead
    kinzigtal = loaded(catalogue.kinzigtal)
    assert "des Kinzigtals" in region_text(kinzigtal)
    with translation.override("en"):
        english = region_text(kinzigtal)
    assert "Kinzigtals" not in english and "Haslach im Kinzigtal" in english and "Hausach" in english
