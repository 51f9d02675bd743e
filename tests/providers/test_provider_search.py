"""Nearest participating providers: distance order, bounding box widening, filters, validity."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from providers.models import ContractParticipation, ProviderKind
from providers.selectors import (
    RADII_KM,
    ProviderFilters,
    bounding_box,
    haversine_km,
    nearby_providers,
)
from tests.fixtures.catalogue import make_provider

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
HASLACH = (48.2783, 8.0874)


def test_haversine_known_distance():
    # Stuttgart – München: about 190 km
    assert haversine_km((48.7758, 9.1829), (48.1374, 11.5755)) == pytest.approx(190, abs=3)
    assert haversine_km(HASLACH, HASLACH) == 0


def test_bounding_box_contains_the_circle():
    min_lat, max_lat, min_lon, max_lon = bounding_box(HASLACH, 10)
    north = (HASLACH[0] + 10 / 111.0, HASLACH[1])
    east_lon = HASLACH[1] + 10 / (111.0 * math.cos(math.radians(HASLACH[0])))
    assert min_lat < HASLACH[0] < north[0] <= max_lat
    assert max_lon >= east_lon - 1e-6 and min_lon < HASLACH[1]


def names(page) -> list[str]:
    return [hit.provider.name for hit in page.hits]


def hzv_ids(catalogue) -> list[int]:
    return [catalogue.hzv.contracts.get().pk]


def test_sorted_by_distance_only_participants(catalogue):
    page = nearby_providers(origin=HASLACH, contract_ids=hzv_ids(catalogue), on=TODAY)
    assert names(page) == ["Praxis Dr. Nah", "Praxis Dr. Mittel", "Kardiologie Offenburg", "Praxis Konstanz"]
    distances = [hit.distance_km for hit in page.hits]
    assert distances == sorted(distances)
    assert distances[0] < 0.2
    assert page.radius_km is None  # too few nearby: every participant was considered
    assert not page.has_next


def test_dense_area_needs_only_the_first_box(catalogue, django_assert_num_queries):
    """The SQL steps (a search over every program or with a text filter): one query for the
    candidates in the 10 km box, one for the page's rows when they are first shown."""
    contract = catalogue.hzv.contracts.get()
    for i in range(12):
        make_provider(f"Praxis {i:02d}", 48.28 + i / 2000, 8.09, contracts=[contract])
    with django_assert_num_queries(1):
        page = nearby_providers(
            origin=HASLACH, contract_ids=[contract.pk], on=TODAY, page_size=5, filters=ProviderFilters(name="Praxis")
        )
    assert page.radius_km == RADII_KM[0]
    assert page.has_next
    with django_assert_num_queries(1):
        assert len(names(page)) == 5


def test_a_programs_participants_are_read_once_for_every_place(catalogue, django_assert_num_queries):
    contract = catalogue.hzv.contracts.get()
    for i in range(12):
        make_provider(f"Praxis {i:02d}", 48.28 + i / 2000, 8.09, contracts=[contract])
    with django_assert_num_queries(1):  # the program's participants
        first = nearby_providers(origin=HASLACH, contract_ids=[contract.pk], on=TODAY, page_size=5)
    with django_assert_num_queries(0):  # another place, other filters: from memory
        elsewhere = nearby_providers(
            origin=(47.66, 9.17),
            contract_ids=[contract.pk],
            on=TODAY,
            filters=ProviderFilters(accepts_new_patients=True),
        )
    assert first.radius_km == RADII_KM[0] and first.has_next
    assert names(elsewhere)[0] == "Praxis Konstanz"


ORIGINS = [HASLACH, (48.28, 8.09), (48.4, 8.0), (47.66, 9.17), (48.78, 9.18), (52.52, 13.40), (54.3, 10.1)]
FILTERS = [
    ProviderFilters(),
    ProviderFilters(kinds=(ProviderKind.GP_PRACTICE,)),
    ProviderFilters(kinds=(ProviderKind.SPECIALIST, ProviderKind.MVZ)),
    ProviderFilters(accessibility=("wheelchair_accessible",)),
    ProviderFilters(accessibility=("step_free_access", "hearing_loop"), accepts_new_patients=True),
    ProviderFilters(accepts_new_patients=True),
]


def test_in_memory_search_answers_as_the_database_does(catalogue, monkeypatch):
    """Every origin × filter × radius × page, in memory and by the SQL steps: the same
    providers, distances, radius, count and cap. Fails when a filter is dropped from the
    Python side or the fallback orders otherwise."""
    import random

    import providers.selectors as selectors
    from programs.caching import clear_local_pages

    contract = catalogue.hzv.contracts.get()
    rng = random.Random(7)
    flags = ["wheelchair_accessible", "step_free_access", "hearing_loop"]
    kinds = [ProviderKind.GP_PRACTICE, ProviderKind.SPECIALIST, ProviderKind.MVZ]
    for i in range(80):
        spread = 0.04 if i < 20 else 0.6  # a dense town (the 10 km box fills) and a wide country
        provider = make_provider(
            f"Zufall {i:02d}", 48.28 + rng.uniform(-spread, spread), 8.09 + rng.uniform(-spread, spread) * 1.4,
            contracts=[contract],
        )  # fmt: skip
        provider.kind = rng.choice(kinds)
        provider.accepts_new_patients = rng.random() < 0.7
        for flag in flags:
            setattr(provider, flag, rng.random() < 0.5)
        provider.save()

    def answers(memo_max: int) -> list:
        monkeypatch.setattr(selectors, "MEMO_MAX_PARTICIPANTS", memo_max)
        clear_local_pages()
        found = []
        for origin in ORIGINS:
            for filters in FILTERS:
                for radius in (None, 5.0, 25.0):
                    for page_number in (1, 2, 3):
                        page = nearby_providers(
                            origin=origin, contract_ids=[contract.pk], on=TODAY, filters=filters,
                            page=page_number, page_size=4, radius_km=radius,
                        )  # fmt: skip
                        found.append(
                            (
                                [(hit.provider_id, round(hit.distance_km, 9)) for hit in page.hits],
                                page.radius_km,
                                page.found,
                                page.capped,
                                page.has_next,
                            )  # fmt: skip
                        )
        return found

    monkeypatch.setattr(selectors, "FALLBACK_EXTRA", 3)  # beyond the boxes the cap matters
    in_memory, in_database = answers(selectors.MEMO_MAX_PARTICIPANTS), answers(0)
    assert in_memory == in_database
    assert any(capped for *_, capped, _ in in_memory)
    assert sum(1 for hits, *_ in in_memory if hits) > 100  # the comparison is not over empty pages
    assert {radius for _, radius, *_ in in_memory} == {None, 5.0, 10.0, 25.0, 50.0}


def test_pages_continue_in_distance_order(catalogue):
    contract = catalogue.hzv.contracts.get()
    for i in range(12):
        make_provider(f"Praxis {i:02d}", 48.28 + i / 200, 8.09, contracts=[contract])
    first = nearby_providers(origin=HASLACH, contract_ids=[contract.pk], on=TODAY, page_size=5)
    second = nearby_providers(origin=HASLACH, contract_ids=[contract.pk], on=TODAY, page_size=5, page=2)
    assert not set(names(first)) & set(names(second))
    assert first.hits[-1].distance_km <= second.hits[0].distance_km
    assert second.start_index == 6


def test_filters_kind_specialty_accessibility_new_patients(catalogue):
    ids = hzv_ids(catalogue)
    kind = nearby_providers(
        origin=HASLACH, contract_ids=ids, on=TODAY, filters=ProviderFilters(kinds=(ProviderKind.SPECIALIST,))
    )
    assert names(kind) == ["Kardiologie Offenburg"]
    specialty = nearby_providers(
        origin=HASLACH, contract_ids=ids, on=TODAY, filters=ProviderFilters(specialty="kardio")
    )
    assert names(specialty) == ["Kardiologie Offenburg"]
    accessible = nearby_providers(
        origin=HASLACH, contract_ids=ids, on=TODAY, filters=ProviderFilters(accessibility=("wheelchair_accessible",))
    )
    assert names(accessible) == ["Praxis Dr. Nah"]
    assert accessible.hits[0].accessibility_labels == ["rollstuhlgerecht"]
    new = nearby_providers(
        origin=HASLACH, contract_ids=ids, on=TODAY, filters=ProviderFilters(accepts_new_patients=True)
    )
    assert "Praxis Dr. Mittel" not in names(new)


def test_participation_must_be_valid_today(catalogue):
    contract = catalogue.hzv.contracts.get()
    ContractParticipation.objects.filter(provider__name="Praxis Dr. Nah").update(valid_until=dt.date(2025, 12, 31))
    future = make_provider("Praxis Zukunft", 48.2784, 8.0875)
    ContractParticipation.objects.create(provider=future, contract=contract, valid_from=dt.date(2027, 1, 1))
    page = nearby_providers(origin=HASLACH, contract_ids=[contract.pk], on=TODAY)
    assert "Praxis Dr. Nah" not in names(page)
    assert "Praxis Zukunft" not in names(page)


def test_without_program_any_current_contract_counts(catalogue):
    page = nearby_providers(origin=HASLACH, contract_ids=None, on=TODAY)
    assert "Praxis ohne Vertrag" not in names(page)
    assert names(page)[0] == "Praxis Dr. Nah"


def test_no_contracts_no_queries(catalogue, django_assert_num_queries):
    with django_assert_num_queries(0):
        page = nearby_providers(origin=HASLACH, contract_ids=[], on=TODAY)
    assert page.hits == []


def test_absurd_page_numbers_are_clamped(catalogue):
    page = nearby_providers(origin=HASLACH, contract_ids=hzv_ids(catalogue), on=TODAY, page=10**9)
    assert page.page == 50
    assert page.hits == []


def test_sparse_fallback_reads_only_the_nearest(catalogue, monkeypatch):
    import providers.selectors as selectors

    monkeypatch.setattr(selectors, "FALLBACK_EXTRA", 0)
    page = nearby_providers(origin=HASLACH, contract_ids=hzv_ids(catalogue), on=TODAY, page_size=3)
    assert page.radius_km is None  # three within 50 km, four needed: beyond the boxes
    assert names(page) == ["Praxis Dr. Nah", "Praxis Dr. Mittel", "Kardiologie Offenburg"]
    assert page.capped and page.found == 4 and page.has_next


def test_every_page_belongs_to_one_result_set_with_one_radius(catalogue):
    """14 participants within 10 km and 11 more within 50 km: page 2 continues the 14, it
    does not widen to 50 km because it needs more rows than page 1."""
    contract = catalogue.hzv.contracts.get()
    for i in range(14):
        make_provider(f"Nah {i:02d}", 48.28 + i / 2000, 8.09, contracts=[contract])
    for i in range(11):
        make_provider(f"Fern {i:02d}", 48.28 + 0.2 + i / 500, 8.09, contracts=[contract])  # about 22–35 km north
    first = nearby_providers(origin=HASLACH, contract_ids=[contract.pk], on=TODAY, page_size=10)
    second = nearby_providers(origin=HASLACH, contract_ids=[contract.pk], on=TODAY, page_size=10, page=2)
    assert (first.radius_km, second.radius_km) == (RADII_KM[0], RADII_KM[0])
    assert first.found == second.found
    assert not second.has_next
    assert all(name.startswith(("Nah", "Praxis Dr.")) for name in names(first) + names(second))


def test_a_chosen_radius_is_kept_and_never_widened(catalogue):
    contract = catalogue.hzv.contracts.get()
    for i in range(3):
        make_provider(f"Fern {i:02d}", 48.28 + 0.2 + i / 500, 8.09, contracts=[contract])
    wide = nearby_providers(origin=HASLACH, contract_ids=[contract.pk], on=TODAY, radius_km=50)
    assert wide.radius_km == 50 and {"Fern 00", "Fern 01", "Fern 02"} <= set(names(wide))
    narrow = nearby_providers(origin=HASLACH, contract_ids=[contract.pk], on=TODAY, radius_km=5)
    assert narrow.radius_km == 5
    assert all(hit.distance_km <= 5 for hit in narrow.hits)
    assert "Fern 00" not in names(narrow)


def test_search_by_name(catalogue):
    page = nearby_providers(
        origin=HASLACH, contract_ids=hzv_ids(catalogue), on=TODAY, filters=ProviderFilters(name="mittel")
    )
    assert names(page) == ["Praxis Dr. Mittel"]
