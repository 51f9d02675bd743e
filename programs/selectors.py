"""Reads about regions and funds that other apps build on."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from programs.models import Fund, FundRegion, Gemeinde, Kreis, PostalCode, PostalCodeGemeinde


@dataclass(frozen=True)
class PlaceOption:
    """One place a postal code can mean: a Kreis (and its Land), and the fund responsible there."""

    place: str
    kreis: Kreis | None
    land_code: str
    fund: Fund | None


@dataclass(frozen=True)
class PostalCodeLookup:
    code: str
    options: list[PlaceOption] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(self.options)

    @property
    def funds(self) -> list[Fund]:
        seen: dict[int, Fund] = {}
        for option in self.options:
            if option.fund is not None:
                seen.setdefault(option.fund.pk, option.fund)
        return list(seen.values())

    @property
    def is_ambiguous(self) -> bool:
        return len(self.funds) > 1

    @property
    def land_codes(self) -> list[str]:
        return sorted({o.land_code for o in self.options})

    @property
    def kreis_keys(self) -> list[str]:
        return sorted({o.kreis.key for o in self.options if o.kreis is not None})


def responsible_fund(land_code: str, regbez_key: str | None, regions: list[FundRegion]) -> Fund | None:
    """The fund whose region covers this Land (or, in NRW, this Regierungsbezirk)."""
    for region in regions:
        if region.regierungsbezirk_id and region.regierungsbezirk_id == regbez_key:
            return region.fund
    for region in regions:
        if region.regierungsbezirk_id is None and region.land_id == land_code:
            return region.fund
    return None


def lookup_postal_code(code: str) -> PostalCodeLookup:
    """Every (place, Kreis) a PLZ stands for, with the AOK responsible there (3 queries).

    A PLZ crossing a Kreis or Land border yields several options; the caller asks the
    person which place is theirs when the options lead to different funds.
    """
    rows = list(PostalCode.objects.filter(code=code).select_related("kreis").order_by("place", "kreis_id"))
    if not rows:
        return PostalCodeLookup(code=code)
    regions = list(FundRegion.objects.select_related("fund"))
    options = []
    for row in rows:
        regbez = row.kreis.regierungsbezirk_id if row.kreis else None
        options.append(
            PlaceOption(place=row.place, kreis=row.kreis, land_code=row.land_id, fund=responsible_fund(row.land_id, regbez, regions))
        )
    return PostalCodeLookup(code=code, options=options)


def postal_code_centroid(code: str) -> tuple[float, float] | None:
    """Mean of the place centroids of a PLZ (good enough for distances in km)."""
    coords = list(PostalCode.objects.filter(code=code).values_list("latitude", "longitude"))
    if not coords:
        return None
    return (sum(c[0] for c in coords) / len(coords), sum(c[1] for c in coords) / len(coords))


def gemeinden_for_postal_code(code: str) -> list[Gemeinde]:
    return list(Gemeinde.objects.filter(Q(postal_codes__code=code)).select_related("kreis").distinct())


def gemeinde_keys_for_postal_code(code: str) -> set[str]:
    return set(PostalCodeGemeinde.objects.filter(code=code).values_list("gemeinde_id", flat=True))
