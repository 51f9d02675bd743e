"""The catalogue's filters in Python (`catalogue_entries`, over the memo) give exactly the
programs of the SQL rule (`catalogue_programs`), for every combination a visitor can ask for."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from programs.models import DmpIndication, ProgramType
from programs.search import parse_query
from programs.selectors import (
    CatalogueFilters,
    Sort,
    catalogue_entries,
    catalogue_ids,
    catalogue_programs,
    resolve_place,
)
from tests.fixtures.catalogue import make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def regional(catalogue, aoks):
    """Programs restricted by Land, by Kreis and by Gemeinde on top of the fixture catalogue."""
    from programs.models import Gemeinde, Kreis, Land

    by_land = make_program("land-sn", "Programm Sachsen", funds=[aoks["aok-plus"]], min_age=18)
    by_land.region_lands.set(Land.objects.filter(code="SN"))
    by_kreis = make_program("kreis-ortenau", "Herz Ortenau", funds=[aoks["aok-bw"]], max_age=17)
    by_kreis.region_kreise.set(Kreis.objects.filter(key="08317"))
    by_gemeinde = make_program("gemeinde-offenburg", "Rücken Offenburg", funds=[aoks["aok-bw"]])
    by_gemeinde.region_gemeinden.set(Gemeinde.objects.filter(ags="08317096"))
    # Konstanz's postal code knows its Kreis only: a program of one of the Kreis's Gemeinden is open there
    konstanz = Gemeinde.objects.create(ags="08335043", name="Konstanz", kreis_id="08335")
    make_program("gemeinde-konstanz", "Bewegung Konstanz", funds=[aoks["aok-bw"]]).region_gemeinden.set([konstanz])
    return catalogue


def test_a_place_known_by_its_kreis_finds_the_programs_of_its_gemeinden(regional):
    found = {e.pk for e in catalogue_entries(_filters("78462", None, True), on=timezone.localdate())}
    elsewhere = {e.pk for e in catalogue_entries(_filters("77716", None, True), on=timezone.localdate())}
    from programs.models import Program

    program = Program.objects.get(slug="gemeinde-konstanz").pk
    assert program in found and program not in elsewhere


PLACES = [None, "77716", "77652", "78462", "01067", "99084", "88888"]
AGES = [None, 6, 17, 40, 90]


def _filters(place, age, restrict, **kw) -> CatalogueFilters:
    return CatalogueFilters(place=resolve_place(place) if place else None, age=age, restrict_to_person=restrict, **kw)


def _sql(filters) -> set[int]:
    return set(catalogue_programs(filters, on=timezone.localdate()).values_list("pk", flat=True))


def _python(filters) -> set[int]:
    return {e.pk for e in catalogue_entries(filters, on=timezone.localdate())}


def test_place_age_and_show_all_agree(regional):
    checked = 0
    for place, age, restrict in itertools.product(PLACES, AGES, (True, False)):
        filters = _filters(place, age, restrict)
        assert _python(filters) == _sql(filters), (place, age, restrict)
        checked += 1
    assert checked == 70


def test_type_fund_condition_online_and_search_agree(regional, aoks):
    funds = [(), (aoks["aok-bw"].pk,), (aoks["aok-plus"].pk,)]
    types = [(), (ProgramType.DMP,), (ProgramType.HZV, ProgramType.BESONDERE)]
    conditions = ["", *DmpIndication.values]
    queries = ["", "Herz", "Diabetes Kind", "Rücken"]
    for fund_ids, program_types, condition, query, online in itertools.product(
        funds, types, conditions, queries, (False, True)
    ):
        filters = _filters(
            "77716", None, True, fund_ids=fund_ids, types=program_types, condition=condition,
            query=parse_query(query), online_only=online,
        )  # fmt: skip
        assert _python(filters) == _sql(filters), (fund_ids, program_types, condition, query, online)


def test_results_are_ordered_by_title_and_searches_by_relevance(regional):
    entries = catalogue_entries(_filters(None, None, False), on=timezone.localdate())
    titles = [e.title.casefold().replace("ü", "u").replace("ä", "a").replace("ö", "o") for e in entries]
    assert titles == sorted(titles) and len(entries) > 10
    ranked = catalogue_ids(
        _filters(None, None, False, query=parse_query("Herz"), sort=Sort.RELEVANCE), on=timezone.localdate()
    )
    assert set(ranked) == _sql(_filters(None, None, False, query=parse_query("Herz")))


@pytest.mark.parametrize("language", ["de", "en"])
def test_at_a_place_the_programs_open_everywhere_and_the_regional_ones_are_ordered_by_title(regional, language):
    """A place's programs are those open everywhere (kept per funds) and the regional ones
    found for it, merged in the order of the whole catalogue in the active language."""
    from django.utils import translation

    from programs.models import Program

    ortenau = Program.objects.get(slug="kreis-ortenau")
    ortenau.title_en = "Aaa heart Ortenau"  # first in English only
    ortenau.save()
    with translation.override(language):
        everything = [e.pk for e in catalogue_entries(_filters(None, None, False), on=timezone.localdate())]
        for place in PLACES[1:]:
            for age in (None, 6):
                at_place = [e.pk for e in catalogue_entries(_filters(place, age, True), on=timezone.localdate())]
                assert at_place == [pk for pk in everything if pk in set(at_place)], (place, age)
                assert set(at_place) == _sql(_filters(place, age, True)), (place, age)


def test_rules_from_the_memo_give_the_same_answers_as_the_relations(regional):
    """Result rows read regions, prerequisites and exclusions from `catalogue_rules`; every
    answer (reasons, open points, region text) equals the one from the prefetched relations."""
    from programs.eligibility import (
        PersonContext,
        attach_rules,
        check_eligibility,
        prefetch_for_eligibility,
        region_text,
    )
    from programs.models import Program
    from programs.selectors import person_context_for_place

    regional.dmp_diabetes.excludes.set([regional.hzv])
    regional.kinzigtal.prerequisites.set([regional.hzv])
    on = timezone.localdate()
    contexts = [PersonContext(), PersonContext(age=40, active_program_ids=frozenset({regional.hzv.pk}))]
    contexts += [
        person_context_for_place(resolve_place(code), age=age, on=on) for code in PLACES[1:] for age in (6, 40)
    ]
    prefetched = list(prefetch_for_eligibility(Program.objects.order_by("pk"), on=on))
    from_memo = list(prefetch_for_eligibility(Program.objects.order_by("pk"), on=on))
    attach_rules(from_memo)

    def answer(program, ctx):
        result = check_eligibility(program, ctx, on=on)
        return [(c.code, c.text) for c in result.reasons], [(c.code, c.text) for c in result.open_points]

    for a, b in zip(prefetched, from_memo, strict=True):
        assert region_text(a) == region_text(b), a.slug
        for ctx in contexts:
            assert answer(a, ctx) == answer(b, ctx), (a.slug, ctx)
