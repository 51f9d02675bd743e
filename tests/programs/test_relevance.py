"""The relevance set: lay queries and the program a person expects first, on the demo
catalogue (devdata), on both databases (issue 10, "Search that understands").

Each entry: the query as typed, and the slugs of which one must come first (a slug ending in
"*" stands for every slug with that beginning). A query whose expectation fails names itself
in the subtest."""

from __future__ import annotations

import pytest
from django.utils import timezone

from devdata.catalogue import SeedResult, load_regions, seed_programs, seed_regions
from programs.models import Fund, Program
from programs.search import parse_query
from programs.selectors import CatalogueFilters, Sort, catalogue_ids
from programs.services import ensure_aoks

pytestmark = pytest.mark.django_db

DIABETES = ("dmp-diabetes-typ-1", "dmp-diabetes-typ-2")
BACK = ("dmp-rueckenschmerz", "rueckenschmerz-rottenburg")
HEART = ("dmp-herzinsuffizienz", "dmp-khk")

RELEVANCE = [
    ("Diabetes Typ 2", ("dmp-diabetes-typ-2",)),
    ("Diabetes Typ II", ("dmp-diabetes-typ-2",)),
    ("Typ 1 Diabetes", ("dmp-diabetes-typ-1",)),
    ("Zucker", DIABETES),
    ("Zuckerkrankheit", DIABETES),
    ("Diabetis", DIABETES),
    ("Depression", ("dmp-depression",)),
    ("Depresion", ("dmp-depression",)),
    ("traurig", ("dmp-depression",)),
    ("Asthma Kind", ("dmp-asthma",)),
    ("Astma", ("dmp-asthma",)),
    ("Lunge", ("dmp-asthma", "dmp-copd")),
    ("Raucherlunge", ("dmp-copd",)),
    ("COPD", ("dmp-copd",)),
    ("Herzschwäche", ("dmp-herzinsuffizienz",)),
    ("Herzinsufizienz", ("dmp-herzinsuffizienz",)),
    ("Herzinfarkt", ("dmp-khk",)),
    ("Herz", HEART),
    ("heart", HEART),
    ("Brustkrebs", ("dmp-brustkrebs",)),
    ("Krebs", ("dmp-brustkrebs", "ccc-integrativ", "stereotaktische-strahlentherapie")),
    ("Rücken", BACK),
    ("Rückenschmerzen", BACK),
    ("Rueckenschmerzen", BACK),
    ("Kreuzschmerzen", BACK),
    ("Rheuma", ("dmp-rheuma",)),
    ("Gelenke", ("dmp-rheuma",)),
    ("Osteoporose", ("dmp-osteoporose",)),
    ("Knochenschwund", ("dmp-osteoporose",)),
    ("Übergewicht", ("dmp-adipositas",)),
    ("Adipositas", ("dmp-adipositas",)),
    ("Hausarzt", ("hausarztprogramm-*",)),
    ("Hausarztprogramm", ("hausarztprogramm-*",)),
    ("Kopfschmerzen Kind", ("kopfschmerz-kinder-dresden",)),
    ("Migräne", ("kopfschmerz-kinder-dresden",)),
    ("Alkohol", ("sucht-landkreis-konstanz",)),
    ("Sucht", ("sucht-landkreis-konstanz",)),
    ("Magersucht", ("essstoerungen-ostalbkreis",)),
    ("Essstörung", ("essstoerungen-ostalbkreis",)),
    ("Pflegeheim", ("genial-heidelberg", "ivp-pflegeheim")),
    ("Long Covid", ("watch-long-covid-thueringen",)),
    ("Corona", ("watch-long-covid-thueringen",)),
    ("Krampfadern", ("venen-stuttgart",)),
    ("Homöopathie", ("homoeotherapie-heidenheim",)),
    ("Strahlentherapie", ("stereotaktische-strahlentherapie",)),
    ("Psyche", ("dmp-depression", "mentalis-nachsorge")),
    ("Nachsorge nach Klinik", ("mentalis-nachsorge",)),
    ("Kinzigtal", ("gesundes-kinzigtal",)),
    ("Orthopädie", ("orthopaedie-rottweil-oberndorf",)),
    ("Demenz", ("genial-heidelberg",)),
]


@pytest.fixture
def demo_catalogue():
    ensure_aoks()
    result = SeedResult()
    seed_regions(load_regions(), result)
    return seed_programs({f.slug: f for f in Fund.objects.all()}, result)


def ranked(query: str) -> list[str]:
    filters = CatalogueFilters(
        query=parse_query(query),
        types=(),
        fund_ids=(),
        place=None,
        age=None,
        condition="",
        online_only=False,
        sort=Sort.RELEVANCE,
        restrict_to_person=False,
    )
    ids = catalogue_ids(filters, on=timezone.localdate())
    slugs = dict(Program.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return [slugs[pk] for pk in ids]


def _matches(slug: str, expected: tuple[str, ...]) -> bool:
    return any(slug.startswith(e[:-1]) if e.endswith("*") else slug == e for e in expected)


def test_the_relevance_set_has_forty_lay_queries():
    assert len(RELEVANCE) >= 40 and len({q for q, _ in RELEVANCE}) == len(RELEVANCE)


def test_lay_queries_find_what_people_expect_first(demo_catalogue, subtests):
    for query, expected in RELEVANCE:
        with subtests.test(query=query):
            results = ranked(query)
            assert results, f"{query!r} found nothing"
            assert _matches(results[0], expected), f"{query!r}: first {results[0]!r}, expected one of {expected}"


def test_the_search_in_python_finds_what_the_sql_rule_finds(demo_catalogue, subtests):
    """`matching_program_ids` applies `search_filter`'s rule in Python over the memoised texts:
    for every query of the set (and a few odd ones) both give the same programs."""
    from programs.search import matching_program_ids, search_filter

    for query in [q for q, _ in RELEVANCE] + ["Kinder", "zz", "Typ 2", "Herz Kind", "Rückenschmerzen Jugendliche"]:
        with subtests.test(query=query):
            parsed = parse_query(query)
            expected = set(Program.objects.filter(search_filter(parsed)).values_list("pk", flat=True))
            assert set(matching_program_ids(parsed)) == expected
