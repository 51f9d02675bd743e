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
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from programs.caching import per_catalogue_version
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

#: Boolean accessibility fields of Provider with their labels (filter and display).
ACCESSIBILITY_FIELDS: dict[str, object] = {
    "wheelchair_accessible": _("rollstuhlgerecht"),
    "step_free_access": _("stufenloser Zugang"),
    "accessible_toilet": _("barrierefreies WC"),
    "hearing_loop": _("Induktionsschleife"),
    "sign_language": _("Gebärdensprache"),
    "disabled_parking": _("Behindertenparkplatz"),
}


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


@dataclass(frozen=True)
class ProviderHit:
    provider: Provider
    distance_km: float

    @property
    def accessibility_labels(self) -> list[str]:
        return [str(label) for name, label in ACCESSIBILITY_FIELDS.items() if getattr(self.provider, name)]


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
    base = Provider.objects.filter(filters.q())

    scored: list[tuple[float, int]] = []
    radius: float | None = None
    capped = False
    chosen = radius_km is not None
    for candidate_km in (radius_km,) if chosen else RADII_KM:
        min_lat, max_lat, min_lon, max_lon = bounding_box(origin, candidate_km)
        rows = base.filter(
            participation_exists(contract_ids, on=on),
            latitude__range=(min_lat, max_lat),
            longitude__range=(min_lon, max_lon),
        ).values_list("id", "latitude", "longitude")
        scored = [(d, pk) for pk, lat, lon in rows if (d := haversine_km(origin, (lat, lon))) <= candidate_km]
        radius = candidate_km
        if chosen or len(scored) >= need:
            break
    else:
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
        radius = None
        capped = len(scored) >= limit

    scored.sort()
    start = (page - 1) * page_size
    window = scored[start : start + page_size]
    by_id = Provider.objects.in_bulk([pk for _, pk in window]) if window else {}
    hits = [ProviderHit(provider=by_id[pk], distance_km=d) for d, pk in window if pk in by_id]
    return ProviderPage(
        hits=hits,
        page=page,
        page_size=page_size,
        has_next=len(scored) > start + page_size,
        radius_km=radius,
        found=len(scored),
        capped=capped,
    )
