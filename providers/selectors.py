"""Reads of providers: who takes part in a program, sorted by distance from a place.

Nearest-provider search (``nearby_providers``)
===============================================

Distances are great-circle distances (haversine, in Python) from the centroid of the
person's PLZ to the provider's coordinates. To avoid reading all 200,000 providers, the
database only returns candidates inside a bounding box around the origin, using the
composite index ``provider_coords`` (latitude, longitude):

1. box of :data:`RADII_KM` ``[0]`` (10 km): ``latitude BETWEEN … AND longitude BETWEEN …``
   plus the filters and ``EXISTS`` (a participation valid today in one of the program's
   current contracts). Candidates farther away than the radius (box corners) are dropped,
   the rest sorted by distance. If that gives enough rows for the requested page (plus one,
   to know whether there is a next page), done;
2. otherwise the same with a 50 km box;
3. otherwise the program is sparse here: its participating providers anywhere, ordered in SQL
   by an equirectangular approximation of the distance and capped at the page's need plus
   :data:`FALLBACK_EXTRA`, then sorted exactly in Python.

Only ``(id, latitude, longitude)`` is read for candidates; the page's rows are then fetched
by primary key. Query count: 1–3 for the candidates (by local density, not by data size) + 1
for the page. Every result within the final radius is exact: nothing nearer can lie outside
the box, because the box contains the circle.

A program's participants in memory
-----------------------------------

A program has a few hundred participants, not 200,000: its participants' coordinates, kinds
and flags are read once per catalogue version and day (`_participants`, one query, at most
:data:`MEMO_MAX_PARTICIPANTS`), and the same three steps run over them in Python with the same
box, the same distances and the same order. A new place then costs no query for candidates.
The SQL steps above remain for a search over every program (170,000 participants) and for the
text filters (name, specialty), whose matching stays with the database.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from dataclasses import dataclass, field

from django.db.models import Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from programs.caching import catalogue_store, per_catalogue_version, read_into
from programs.eligibility import attach_current_contracts
from programs.models import Program
from providers.models import ContractParticipation, Provider

EARTH_RADIUS_KM = 6371.0088
#: A little less than the real 111.19 km, so the box is never smaller than the circle.
KM_PER_DEGREE_LAT = 111.0
#: Bounding-box radii tried in turn before reading every participating provider.
RADII_KM: tuple[float, ...] = (10.0, 50.0)
PAGE_SIZE = 10
MAX_PAGE = 50
#: Beyond the boxes, this many providers more than the page needs are read (nearest first).
FALLBACK_EXTRA = 200
#: A program with more participants than this is searched by the SQL steps (memory: some
#: 150 bytes a participant, so at most about 3 MB an entry).
MEMO_MAX_PARTICIPANTS = 20_000

#: Boolean accessibility fields of Provider with their labels (filter and display).
ACCESSIBILITY_FIELDS: dict[str, object] = {
    "wheelchair_accessible": _("rollstuhlgerecht"),
    "step_free_access": _("stufenloser Zugang"),
    "accessible_toilet": _("barrierefreies WC"),
    "hearing_loop": _("Induktionsschleife"),
    "sign_language": _("Gebärdensprache"),
    "disabled_parking": _("Behindertenparkplatz"),
}


#: Boolean fields of Provider as bits of one int (`ProviderFilters.flag_mask`).
_FLAG_FIELDS: tuple[str, ...] = (*ACCESSIBILITY_FIELDS, "accepts_new_patients")
FLAG_NEW_PATIENTS = 1 << _FLAG_FIELDS.index("accepts_new_patients")


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(origin: tuple[float, float], radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains the circle."""
    lat, lon = origin
    dlat = radius_km / KM_PER_DEGREE_LAT
    # A degree of longitude is shortest at the box edge nearest the pole.
    cos_lat = max(math.cos(math.radians(min(89.0, abs(lat) + dlat))), 0.01)
    dlon = radius_km / (KM_PER_DEGREE_LAT * cos_lat)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass(frozen=True)
class ProviderFilters:
    kinds: tuple[str, ...] = ()
    specialty: str = ""
    accessibility: tuple[str, ...] = ()
    accepts_new_patients: bool = False
    name: str = ""

    @property
    def in_memory(self) -> bool:
        """Filters `_participants` can answer (the text filters stay with the database)."""
        return not (self.name or self.specialty)

    @property
    def flag_mask(self) -> int:
        """The bits of `_flags` a provider must have."""
        mask = FLAG_NEW_PATIENTS if self.accepts_new_patients else 0
        for name in self.accessibility:
            if name in ACCESSIBILITY_FIELDS:
                mask |= 1 << _FLAG_FIELDS.index(name)
        return mask

    def q(self) -> Q:
        q = Q()
        if self.name:
            q &= Q(name__icontains=self.name)
        if self.kinds:
            q &= Q(kind__in=self.kinds)
        if self.specialty:
            q &= Q(fachgruppe__icontains=self.specialty) | Q(specialties__icontains=self.specialty)
        for name in self.accessibility:
            if name in ACCESSIBILITY_FIELDS:
                q &= Q(**{name: True})
        if self.accepts_new_patients:
            q &= Q(accepts_new_patients=True)
        return q


class _PageRows:
    """The Provider rows of one result page, read by primary key in one query when a hit's
    `provider` is first asked for: a page whose rows all come from rendered fragments
    (`{% fragment "provider-hit" hit.provider_id %}`) costs no query for them."""

    def __init__(self, ids: list[int]):
        self.ids = ids
        self.by_id: dict[int, Provider] | None = None

    def get(self, pk: int) -> Provider | None:
        if self.by_id is None:
            self.by_id = Provider.objects.in_bulk(self.ids)
        return self.by_id.get(pk)


@dataclass(frozen=True)
class ProviderHit:
    provider_id: int
    distance_km: float
    rows: _PageRows = field(repr=False, compare=False)

    @property
    def provider(self) -> Provider | None:
        """None only when the provider was deleted since the search (the catalogue version
        then changed, so the next request searches anew)."""
        return self.rows.get(self.provider_id)

    @property
    def distance_text(self) -> str:
        """The distance as the page shows it: one decimal, in the active language's format."""
        return floatformat(self.distance_km, 1)

    @property
    def accessibility_labels(self) -> list[str]:
        provider = self.provider
        return [str(label) for name, label in ACCESSIBILITY_FIELDS.items() if getattr(provider, name, False)]


@dataclass(frozen=True)
class ProviderPage:
    hits: list[ProviderHit] = field(default_factory=list)
    page: int = 1
    page_size: int = PAGE_SIZE
    has_next: bool = False
    #: Radius searched (None: all participating providers were considered).
    radius_km: float | None = None
    #: Providers found within `radius_km` (all of them when radius_km is None, unless capped).
    found: int = 0
    #: True when the search beyond the boxes stopped at `need + FALLBACK_EXTRA` providers.
    capped: bool = False

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.hits else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.hits) - 1 if self.hits else 0


def _valid_on(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": on})
    )


def participation_exists(contract_ids: list[int] | None, *, on: dt.date) -> Exists:
    """A participation valid on `on` in one of `contract_ids` (None: in any contract valid on `on`)."""
    participations = ContractParticipation.objects.filter(_valid_on(on), provider=OuterRef("pk"))
    if contract_ids is None:
        participations = participations.filter(_valid_on(on, "contract__"))
    else:
        participations = participations.filter(contract_id__in=contract_ids)
    return Exists(participations)


def _participating_ids(contract_ids: list[int] | None, *, on: dt.date) -> QuerySet:
    participations = ContractParticipation.objects.filter(_valid_on(on))
    if contract_ids is None:
        participations = participations.filter(_valid_on(on, "contract__"))
    else:
        participations = participations.filter(contract_id__in=contract_ids)
    return participations.values("provider_id")


def providers_by_pk(ids) -> dict[int, Provider]:
    """Providers kept per catalogue version (`programs.caching.read_into`): the doctor of a
    participation without joining the providers table to a person's rows. Shared: nobody may
    change one."""
    return read_into(catalogue_store("providers"), ids, Provider.objects.in_bulk)


@per_catalogue_version(by_language=False)
def program_to_search(slug: str, *, on: dt.date) -> Program | None:
    """The published program of the provider search with its contracts current on `on`
    (`current_contracts`), memoised per catalogue version: shared, nobody may change it."""
    program = (
        Program.objects.filter(slug=slug, is_published=True)
        .only("id", "slug", "title", "title_en", "program_type")
        .first()
    )
    if program is not None:
        attach_current_contracts([program], on=on)
    return program


def nearby_providers(
    *,
    origin: tuple[float, float],
    contract_ids: list[int] | None,
    on: dt.date,
    filters: ProviderFilters | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    radius_km: float | None = None,
) -> ProviderPage:
    """Participating providers nearest to `origin`, one page of them (see module docstring).

    Memoised per catalogue version (`programs.caching.per_catalogue_version`): providers and
    their contract participations are catalogue data, every save of them replaces the version.
    The page is shared by every request that asks the same: nobody may change it.
    """
    return _nearby_providers(
        origin=(float(origin[0]), float(origin[1])),
        contract_ids=None if contract_ids is None else tuple(contract_ids),
        on=on,
        filters=filters or ProviderFilters(),
        page=max(1, min(int(page), MAX_PAGE)),
        page_size=page_size,
        radius_km=radius_km,
    )


@per_catalogue_version(by_language=False)
def _nearby_providers(
    *,
    origin: tuple[float, float],
    contract_ids: tuple[int, ...] | None,
    on: dt.date,
    filters: ProviderFilters,
    page: int,
    page_size: int,
    radius_km: float | None,
) -> ProviderPage:
    """`nearby_providers` computed:

    `contract_ids`: the program's contracts valid on `on` (an empty list gives no result
    without a query); None means any contract valid on `on`.

    One result set for every page: the radius is the one the person chose (`radius_km`),
    or else the smallest of :data:`RADII_KM` that fills the first page — never a wider one
    because a later page is asked for, so page 2 continues the list of page 1.
    """
    if contract_ids is not None and not contract_ids:
        return ProviderPage(page=page, page_size=page_size, radius_km=radius_km)
    need = page_size + 1
    participants = (
        _participants(tuple(sorted(contract_ids)), on=on) if contract_ids is not None and filters.in_memory else None
    )
    if participants is not None:
        scored, radius, capped = _scored_in_memory(participants, origin, filters, need=need, radius_km=radius_km)
    else:
        scored, radius, capped = _scored_in_database(origin, contract_ids, on, filters, need=need, radius_km=radius_km)
    scored.sort()
    start = (page - 1) * page_size
    window = scored[start : start + page_size]
    rows = _PageRows([pk for _, pk in window])
    hits = [ProviderHit(provider_id=pk, distance_km=d, rows=rows) for d, pk in window]
    return ProviderPage(
        hits=hits,
        page=page,
        page_size=page_size,
        has_next=len(scored) > start + page_size,
        radius_km=radius,
        found=len(scored),
        capped=capped,
    )


Scored = list[tuple[float, int]]


def _radii(radius_km: float | None) -> tuple[float, ...]:
    return (radius_km,) if radius_km is not None else RADII_KM


def _scored_in_database(
    origin: tuple[float, float],
    contract_ids: tuple[int, ...] | None,
    on: dt.date,
    filters: ProviderFilters,
    *,
    need: int,
    radius_km: float | None,
) -> tuple[Scored, float | None, bool]:
    """(distance, id) of the candidates, the radius searched and whether the result was capped:
    the bounding boxes in SQL, then the nearest anywhere (module docstring)."""
    base = Provider.objects.filter(filters.q())
    for candidate_km in _radii(radius_km):
        min_lat, max_lat, min_lon, max_lon = bounding_box(origin, candidate_km)
        rows = (
            base.filter(
                participation_exists(contract_ids, on=on),
                latitude__range=(min_lat, max_lat),
                longitude__range=(min_lon, max_lon),
            )
            .order_by()
            .values_list("id", "latitude", "longitude")
        )  # sorted by distance below
        scored = [(d, pk) for pk, lat, lon in rows if (d := haversine_km(origin, (lat, lon))) <= candidate_km]
        if radius_km is not None or len(scored) >= need:
            return scored, candidate_km, False
    # Sparse here: the nearest participants anywhere, ordered in SQL by an equirectangular
    # approximation (fine for ranking within Germany) and capped, then exact in Python.
    lat0, lon0 = origin
    k = math.cos(math.radians(lat0))
    approx = ExpressionWrapper(
        (F("latitude") - lat0) * (F("latitude") - lat0) + (F("longitude") - lon0) * k * (F("longitude") - lon0) * k,
        output_field=FloatField(),
    )
    limit = need + FALLBACK_EXTRA  # the same for every page: one result set
    rows = (
        base.filter(pk__in=_participating_ids(contract_ids, on=on))
        .annotate(approx=approx)
        .order_by("approx")
        .values_list("id", "latitude", "longitude")[:limit]
    )
    scored = [(haversine_km(origin, (lat, lon)), pk) for pk, lat, lon in rows]
    return scored, None, len(scored) >= limit


#: A participant as `_participants` holds it: (latitude, longitude, id, kind, flags).
Participant = tuple[float, float, int, str, int]


@per_catalogue_version(by_language=False)
def _participants(contract_ids: tuple[int, ...], *, on: dt.date) -> tuple[Participant, ...] | None:
    """Every provider taking part on `on` in one of `contract_ids` (one query, by primary key),
    or None when there are more than :data:`MEMO_MAX_PARTICIPANTS`."""
    rows = (
        Provider.objects.filter(pk__in=_participating_ids(list(contract_ids), on=on))
        .order_by("pk")
        .values_list("latitude", "longitude", "id", "kind", *_FLAG_FIELDS)[: MEMO_MAX_PARTICIPANTS + 1]
    )
    found = tuple(
        (lat, lon, pk, kind, sum(1 << i for i, flag in enumerate(flags) if flag)) for lat, lon, pk, kind, *flags in rows
    )
    return found if len(found) <= MEMO_MAX_PARTICIPANTS else None


def _scored_in_memory(
    participants: tuple[Participant, ...],
    origin: tuple[float, float],
    filters: ProviderFilters,
    *,
    need: int,
    radius_km: float | None,
) -> tuple[Scored, float | None, bool]:
    """`_scored_in_database` over a program's participants in memory: the same boxes (bounds
    included, as SQL's BETWEEN), distances and cap."""
    kinds, mask = set(filters.kinds), filters.flag_mask
    rows = [
        (lat, lon, pk)
        for lat, lon, pk, kind, flags in participants
        if (not kinds or kind in kinds) and flags & mask == mask
    ]
    for candidate_km in _radii(radius_km):
        min_lat, max_lat, min_lon, max_lon = bounding_box(origin, candidate_km)
        scored = [
            (d, pk)
            for lat, lon, pk in rows
            if min_lat <= lat <= max_lat
            and min_lon <= lon <= max_lon
            and (d := haversine_km(origin, (lat, lon))) <= candidate_km
        ]
        if radius_km is not None or len(scored) >= need:
            return scored, candidate_km, False
    lat0, lon0 = origin
    k = math.cos(math.radians(lat0))
    limit = need + FALLBACK_EXTRA
    nearest = heapq.nsmallest(limit, rows, key=lambda r: (r[0] - lat0) ** 2 + ((r[1] - lon0) * k) ** 2)
    scored = [(haversine_km(origin, (lat, lon)), pk) for lat, lon, pk in nearest]
    return scored, None, len(scored) >= limit
