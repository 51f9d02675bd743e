"""Reads about regions, funds and the program catalogue that views and other apps build on."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language

from programs.aok import LAENDER, LAND_CODE_BY_AGS
from programs.caching import catalogue_store, per_catalogue_version, read_into
from programs.eligibility import (
    PersonContext,
    ReasonCode,
    _current_contract_briefs,
    attach_current_contracts,
    attach_rules,
    check_eligibility,
    prefetch_for_eligibility,
)
from programs.models import (
    Contract,
    DmpIndication,
    Fund,
    FundRegion,
    Gemeinde,
    Kreis,
    PostalCode,
    PostalCodeGemeinde,
    Program,
    ProgramType,
)
from programs.search import ParsedQuery, apply_search, matching_program_ids


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
    #: The PLZ exists, but only as a Großkunden- or Postfach-PLZ (no home address).
    not_residential: bool = False

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


@dataclass(frozen=True)
class _PostalIndex:
    """Every postal code with its places, Kreise and Gemeinden, and the funds' regions: what
    `lookup_postal_code` and its neighbours answer from, read once per catalogue version (4
    queries, some 23,000 + 13,000 short rows; `import_regions` and every edit of a region
    replace the version). A new postal code then costs no query."""

    #: code → residential rows (place, kreis key or None, Land code, latitude, longitude),
    #: ordered by place, then Kreis (rows without a Kreis last, as PostgreSQL orders them)
    residential: dict[str, tuple[tuple[str, str | None, str, float, float], ...]]
    #: codes that exist only as post boxes or large customers
    not_residential: frozenset[str]
    kreise: dict[str, Kreis]
    gemeinden: dict[str, tuple[str, ...]]
    regions: tuple[FundRegion, ...]


@per_catalogue_version(by_language=False)
def _postal_index() -> _PostalIndex:
    residential: dict[str, list] = {}
    all_codes: set[str] = set()
    for code, place, kreis_id, land_id, lat, lon, is_residential in PostalCode.objects.order_by().values_list(
        "code", "place", "kreis_id", "land_id", "latitude", "longitude", "residential"
    ):
        all_codes.add(code)
        if is_residential:
            residential.setdefault(code, []).append((place, kreis_id, land_id, lat, lon))
    gemeinden: dict[str, list[str]] = {}
    for code, gemeinde_id in PostalCodeGemeinde.objects.order_by().values_list("code", "gemeinde_id"):
        gemeinden.setdefault(code, []).append(gemeinde_id)
    return _PostalIndex(
        residential={
            code: tuple(sorted(rows, key=lambda r: (r[0], r[1] is None, r[1] or "")))
            for code, rows in residential.items()
        },
        not_residential=frozenset(all_codes - residential.keys()),
        kreise={k.key: k for k in Kreis.objects.order_by()},
        gemeinden={code: tuple(keys) for code, keys in gemeinden.items()},
        regions=tuple(FundRegion.objects.select_related("fund").order_by("pk")),
    )


def lookup_postal_code(code: str) -> PostalCodeLookup:
    """Every (place, Kreis) a PLZ stands for, with the AOK responsible there (from the memo
    `_postal_index`: no query once it is read).

    A PLZ crossing a Kreis or Land border yields several options; the caller asks the
    person which place is theirs when the options lead to different funds.
    """
    index = _postal_index()
    rows = index.residential.get(code)
    if not rows:
        return PostalCodeLookup(code=code, not_residential=code in index.not_residential)
    regions = list(index.regions)
    options = []
    for place, kreis_key, land_code, _lat, _lon in rows:
        kreis = index.kreise.get(kreis_key) if kreis_key else None
        regbez = kreis.regierungsbezirk_id if kreis else None
        options.append(
            PlaceOption(
                place=place, kreis=kreis, land_code=land_code, fund=responsible_fund(land_code, regbez, regions)
            )
        )
    return PostalCodeLookup(code=code, options=options)


def postal_code_centroid(code: str) -> tuple[float, float] | None:
    """Mean of the place centroids of a PLZ (good enough for distances in km)."""
    rows = _postal_index().residential.get(code)
    if not rows:
        return None
    return (sum(r[3] for r in rows) / len(rows), sum(r[4] for r in rows) / len(rows))


def gemeinden_for_postal_code(code: str) -> list[Gemeinde]:
    return list(Gemeinde.objects.filter(Q(postal_codes__code=code)).select_related("kreis").distinct())


def gemeinde_keys_for_postal_code(code: str) -> set[str]:
    return set(_postal_index().gemeinden.get(code, ()))


# --- places for the catalogue -------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceGroup:
    """One place a person can pick for an ambiguous PLZ: a Kreis (or a Land without Kreis)
    with the fund responsible there; `places` are the place names of the PLZ in it."""

    key: str
    places: tuple[str, ...]
    kreis: Kreis | None
    land_code: str
    fund: Fund | None

    @property
    def label(self) -> str:
        where = self.kreis.name if self.kreis is not None else LAND_NAMES.get(self.land_code, self.land_code)
        places = ", ".join(self.places)
        fund = f" – {self.fund.name}" if self.fund is not None else ""
        return f"{places} ({where}){fund}"


LAND_NAMES: dict[str, str] = {land["code"]: land["name"] for land in LAENDER}


@dataclass(frozen=True)
class ResolvedPlace:
    """A PLZ resolved to places; `chosen` is set when there is only one place or the person
    picked one. `needs_choice` ⇔ several places of different funds and none picked."""

    code: str
    groups: tuple[PlaceGroup, ...]
    chosen: PlaceGroup | None
    gemeinde_keys: frozenset[str]
    not_residential: bool = False

    @property
    def known(self) -> bool:
        return bool(self.groups)

    @property
    def needs_choice(self) -> bool:
        """Ask for the place only when it decides the fund: places of one AOK (07919 Mühltroff
        and Kirschkau, two Kreise, both AOK PLUS) are shown together without a question."""
        if len(self.groups) < 2 or self.chosen is not None:
            return False
        return len({g.fund.pk if g.fund is not None else None for g in self.groups}) > 1

    @property
    def settled(self) -> bool:
        """Known, and no question left: one place, a chosen one, or places of one fund."""
        return self.known and not self.needs_choice

    @property
    def fund(self) -> Fund | None:
        funds = self.funds
        return funds[0] if len(funds) == 1 else None

    @property
    def active_groups(self) -> tuple[PlaceGroup, ...]:
        return (self.chosen,) if self.chosen is not None else self.groups

    @property
    def funds(self) -> list[Fund]:
        seen: dict[int, Fund] = {}
        for group in self.active_groups:
            if group.fund is not None:
                seen.setdefault(group.fund.pk, group.fund)
        return list(seen.values())

    @property
    def fund_ids(self) -> list[int]:
        return [f.pk for f in self.funds]

    @property
    def land_codes(self) -> frozenset[str]:
        return frozenset(g.land_code for g in self.active_groups)

    @property
    def kreis_keys(self) -> frozenset[str]:
        return frozenset(g.kreis.key for g in self.active_groups if g.kreis is not None)

    @property
    def label(self) -> str:
        if self.chosen is not None:
            return f"{self.code} {', '.join(self.chosen.places)}"
        places = sorted({p for g in self.groups for p in g.places})
        return f"{self.code} {', '.join(places)}"


@per_catalogue_version
def resolve_place(code: str, choice: str | None = None) -> ResolvedPlace:
    """Resolve a (valid-format) PLZ into choosable places (3 queries; 0 more for a choice).

    Places are grouped by Kreis (or by Land where the PLZ has no Kreis); Gemeinde keys are
    limited to the chosen Kreis, so eligibility can be exact."""
    lookup = lookup_postal_code(code)
    grouped: dict[str, dict] = {}
    for option in lookup.options:
        key = option.kreis.key if option.kreis is not None else f"land-{option.land_code}"
        entry = grouped.setdefault(
            key, {"places": [], "kreis": option.kreis, "land_code": option.land_code, "fund": option.fund}
        )
        if option.place not in entry["places"]:
            entry["places"].append(option.place)
    groups = tuple(
        PlaceGroup(key=key, places=tuple(v["places"]), kreis=v["kreis"], land_code=v["land_code"], fund=v["fund"])
        for key, v in grouped.items()
    )
    chosen = None
    if len(groups) == 1:
        chosen = groups[0]
    elif choice:
        chosen = next((g for g in groups if g.key == choice), None)
    gemeinde_keys: frozenset[str] = frozenset()
    if groups:
        keys = gemeinde_keys_for_postal_code(code)
        if chosen is not None and chosen.kreis is not None:
            keys = {k for k in keys if k.startswith(chosen.kreis.key)}
        gemeinde_keys = frozenset(keys)
    return ResolvedPlace(
        code=code, groups=groups, chosen=chosen, gemeinde_keys=gemeinde_keys, not_residential=lookup.not_residential
    )


def person_context_for_place(
    place: ResolvedPlace | None, *, age: int | None = None, fund_id: int | None = None, on=None
) -> PersonContext:
    """A visitor's context from the PLZ (and age) they gave. The fund is the one responsible
    at the place unless `fund_id` is given (or unknown while the place is ambiguous)."""
    if place is None or not place.known:
        return PersonContext(age=age, fund_id=fund_id, on=on)
    if fund_id is None and len(place.fund_ids) == 1:
        fund_id = place.fund_ids[0]
    return PersonContext(
        age=age,
        land_codes=place.land_codes,
        kreis_keys=place.kreis_keys,
        gemeinde_keys=place.gemeinde_keys,
        fund_id=fund_id,
        postal_code=place.code,
        place_label=place.label,
        on=on,
    )


def person_context_for_insured(person, *, on, active_program_ids: Iterable[int] | None = None) -> PersonContext:
    """Context of an insured person: age from the birth date, place from the record (the
    Gemeinde if stored, else the PLZ) and fund (0–3 queries). `active_program_ids` are the
    programs of the person's running participations, passed in by the caller (e.g.
    `enrollment.selectors.running_program_ids`); None = unknown (the rules leave them open)."""
    if person.gemeinde_id:
        gemeinde_keys = frozenset({person.gemeinde_id})
        kreis_keys = frozenset({person.gemeinde_id[:5]})
    else:
        place = resolve_place(person.postal_code)
        groups = [g for g in place.groups if g.land_code == person.land_id] or list(place.groups)
        kreis_keys = frozenset(g.kreis.key for g in groups if g.kreis is not None)
        gemeinde_keys = frozenset(k for k in place.gemeinde_keys if not kreis_keys or k[:5] in kreis_keys)
    return PersonContext(
        birth_date=person.birth_date,
        land_codes={person.land_id},
        kreis_keys=kreis_keys,
        gemeinde_keys=gemeinde_keys,
        fund_id=person.fund_id,
        active_program_ids=active_program_ids,
        postal_code=person.postal_code,
        place_label=f"{person.postal_code} {person.city}",
        on=on,
    )


# --- the catalogue ------------------------------------------------------------------------------

#: Words that stand for a condition (folded, matched like search patterns), besides the DMP code.
CONDITION_TERMS: dict[str, tuple[str, ...]] = {
    DmpIndication.DIABETES_2: ("diabet",),
    DmpIndication.BRUSTKREBS: ("brustkrebs", "mammakarzinom"),
    DmpIndication.KHK: ("koronar", " khk"),
    DmpIndication.DIABETES_1: ("diabet",),
    DmpIndication.ASTHMA: ("asthma",),
    DmpIndication.COPD: (" copd",),
    DmpIndication.HERZINSUFFIZIENZ: ("herzinsuffizienz", "herzschwach"),
    DmpIndication.DEPRESSION: ("depressi",),
    DmpIndication.RUECKENSCHMERZ: ("ruckenschmerz",),
    DmpIndication.RHEUMA: ("rheuma", "arthritis"),
    DmpIndication.OSTEOPOROSE: ("osteoporose",),
    DmpIndication.ADIPOSITAS: ("adipositas", "ubergewicht"),
}


def valid_on_q(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": on})
    )


def available_in(
    qs: QuerySet[Program], *, land_codes: Iterable[str], kreis_keys: Iterable[str], gemeinde_keys: Iterable[str]
) -> QuerySet[Program]:
    """Programs without region restriction, or restricted to a region touching these places.

    A Gemeinde restriction counts when the person's Gemeinde is listed or (if the Gemeinde is
    unknown) when a listed Gemeinde lies in the person's Kreis; the detail page then explains."""
    lands_through = Program.region_lands.through.objects.filter(program_id=OuterRef("pk"))
    kreise_through = Program.region_kreise.through.objects.filter(program_id=OuterRef("pk"))
    gemeinden_through = Program.region_gemeinden.through.objects.filter(program_id=OuterRef("pk"))
    land_codes, kreis_keys, gemeinde_keys = list(land_codes), list(kreis_keys), list(gemeinde_keys)
    unrestricted = ~Exists(lands_through) & ~Exists(kreise_through) & ~Exists(gemeinden_through)
    lands_of_kreise = {LAND_CODE_BY_AGS.get(k[:2]) for k in kreis_keys + gemeinde_keys} - {None}
    inside = Exists(lands_through.filter(land_id__in=set(land_codes) | lands_of_kreise))
    kreise = set(kreis_keys) | {g[:5] for g in gemeinde_keys}
    if kreise:
        inside |= Exists(kreise_through.filter(kreis_id__in=kreise))
    if gemeinde_keys:
        inside |= Exists(gemeinden_through.filter(gemeinde_id__in=gemeinde_keys))
    elif kreise:
        gemeinde_q = Q()
        for key in sorted(kreise):
            gemeinde_q |= Q(gemeinde__ags__startswith=key)
        inside |= Exists(gemeinden_through.filter(gemeinde_q))
    return qs.filter(unrestricted | inside)


def for_age(qs: QuerySet[Program], age: int) -> QuerySet[Program]:
    return qs.filter(Q(min_age__isnull=True) | Q(min_age__lte=age), Q(max_age__isnull=True) | Q(max_age__gte=age))


def with_condition(qs: QuerySet[Program], code: str) -> QuerySet[Program]:
    q = Q(dmp_indication=code)
    for pattern in CONDITION_TERMS.get(code, ()):
        q |= Q(search_text__contains=pattern)
    return qs.filter(q)


class Sort:
    RELEVANCE = "relevance"
    NAME = "name"


@dataclass(frozen=True)
class CatalogueFilters:
    """What the list (and the home page) asks for; all values already validated."""

    query: ParsedQuery = field(default_factory=lambda: ParsedQuery(""))
    types: tuple[str, ...] = ()
    fund_ids: tuple[int, ...] = ()
    place: ResolvedPlace | None = None
    age: int | None = None
    condition: str = ""
    online_only: bool = False
    sort: str = Sort.RELEVANCE
    #: Apply place and age as filters (False: show all, eligibility explains).
    restrict_to_person: bool = True


def display_title_order() -> list:
    """Order by the title people see: the English one when English is active and given."""
    if (get_language() or "de").startswith("en"):
        return [Coalesce(NullIf("title_en", Value("")), "title").asc(), "pk"]
    return ["title", "pk"]


def catalogue_programs(filters: CatalogueFilters, *, on: date) -> QuerySet[Program]:
    """The filtered, searched and ordered catalogue (no prefetching; see `list_rows`)."""
    qs = Program.objects.filter(is_published=True)
    if filters.types:
        qs = qs.filter(program_type__in=filters.types)
    fund_ids = list(filters.fund_ids)
    place = filters.place if filters.place is not None and filters.place.known else None
    if place is not None and filters.restrict_to_person:
        qs = available_in(
            qs, land_codes=place.land_codes, kreis_keys=place.kreis_keys, gemeinde_keys=place.gemeinde_keys
        )
        if not fund_ids:
            fund_ids = place.fund_ids
    # A current contract (with one of the funds, if asked): what the public sees.
    current = Contract.objects.filter(valid_on_q(on), program=OuterRef("pk"))
    qs = qs.filter(Exists(current.filter(fund_id__in=fund_ids) if fund_ids else current))
    if filters.age is not None and filters.restrict_to_person:
        qs = for_age(qs, filters.age)
    if filters.condition:
        qs = with_condition(qs, filters.condition)
    if filters.online_only:
        qs = qs.filter(online_enrollment=True)
    qs = apply_search(qs, filters.query)
    if filters.query and filters.sort == Sort.RELEVANCE:
        return qs.order_by("-rank", *display_title_order())
    return qs.order_by(*display_title_order())


@dataclass(frozen=True)
class _Entry:
    """What the catalogue filters read of one published program (see `catalogue_ids`)."""

    pk: int
    program_type: str
    title: str
    min_age: int | None
    max_age: int | None
    online_enrollment: bool
    dmp_indication: str
    search_text: str
    lands: frozenset[str]
    kreise: frozenset[str]
    gemeinden: tuple[str, ...]
    sort_de: tuple[str, int]  # the title people read, per language (`_title_key`)
    sort_en: tuple[str, int]


@per_catalogue_version
def _catalogue_index() -> tuple[_Entry, ...]:
    """Every published program with its filter fields and regions: 4 queries per catalogue version."""
    through = {
        name: getattr(Program, f"region_{name}").through.objects.values_list("program_id", f"{key}_id")
        for name, key in (("lands", "land"), ("kreise", "kreis"), ("gemeinden", "gemeinde"))
    }
    regions: dict[str, dict[int, list[str]]] = {name: {} for name in through}
    for name, rows in through.items():
        for program_id, key in rows:
            regions[name].setdefault(program_id, []).append(key)
    fields = ("pk", "program_type", "min_age", "max_age", "online_enrollment", "dmp_indication", "search_text",
              "title", "title_en")  # fmt: skip
    return tuple(
        _Entry(
            pk,
            program_type,
            title,
            min_age,
            max_age,
            online,
            dmp_indication,
            search_text or "",
            lands=frozenset(regions["lands"].get(pk, ())),
            kreise=frozenset(regions["kreise"].get(pk, ())),
            gemeinden=tuple(regions["gemeinden"].get(pk, ())),
            sort_de=_title_key(title, pk),
            sort_en=_title_key(title_en or title, pk),
        )
        for pk, program_type, min_age, max_age, online, dmp_indication, search_text, title, title_en in (
            Program.objects.filter(is_published=True).order_by("pk").values_list(*fields)
        )
    )


@dataclass(frozen=True)
class _PlaceRules:
    """What the region rules read of a place (`_available_at`): places in the same Kreis with
    the same fund share it, so the filtered catalogue is memoised per `_PlaceRules`, not per
    postal code."""

    lands: frozenset[str]
    kreise: frozenset[str]
    #: the place's Gemeinden that some program names (the others decide nothing)
    gemeinden: frozenset[str]
    has_gemeinden: bool
    fund_ids: tuple[int, ...]


def _place_rules(place: ResolvedPlace) -> _PlaceRules:
    kreis_keys, gemeinde_keys = list(place.kreis_keys), list(place.gemeinde_keys)
    lands_of_kreise = {LAND_CODE_BY_AGS.get(k[:2]) for k in kreis_keys + gemeinde_keys} - {None}
    return _PlaceRules(
        lands=frozenset(set(place.land_codes) | lands_of_kreise),
        kreise=frozenset(set(kreis_keys) | {g[:5] for g in gemeinde_keys}),
        gemeinden=frozenset(gemeinde_keys) & _named_gemeinden(),
        has_gemeinden=bool(gemeinde_keys),
        fund_ids=tuple(sorted(place.fund_ids)),
    )


@per_catalogue_version(by_language=False)
def _named_gemeinden() -> frozenset[str]:
    return frozenset(g for entry in _catalogue_index() for g in entry.gemeinden)


def _available_at(entry: _Entry, place: _PlaceRules) -> bool:
    """`available_in` for one program, in Python (tests compare the two)."""
    if not (entry.lands or entry.kreise or entry.gemeinden):
        return True
    if entry.lands & place.lands:
        return True
    if entry.kreise & place.kreise:
        return True
    if place.has_gemeinden:
        return not place.gemeinden.isdisjoint(entry.gemeinden)
    return any(g.startswith(k) for g in entry.gemeinden for k in place.kreise)


def _title_key(title: str, pk: int) -> tuple[str, int]:
    """Order by title as people read it, the same on every database: case and umlauts folded."""
    return (title.casefold().translate(_UMLAUT_FOLD), pk)


_UMLAUT_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


@per_catalogue_version
def _current_fund_ids(on: date) -> dict[int, frozenset[int]]:
    """The funds of every program's current contracts on `on` (programs without one left out)."""
    return {pk: frozenset(b.fund_id for b in briefs) for pk, briefs in _current_contract_briefs(on).items() if briefs}


def catalogue_entries(filters: CatalogueFilters, *, on: date) -> tuple[_Entry, ...]:
    """The published programs with a current contract that `filters` let through, ordered by
    title, evaluated in Python over the catalogue memo (no query once it is read) — the rule
    of `catalogue_programs`, which stays the reference (tests compare the two). Memoised per
    catalogue version, language, day and filters, with the place reduced to what the region
    rules read (`_PlaceRules`): a new postal code in a Kreis seen before costs nothing."""
    return _filtered_entries(*_memo_key(filters), on=on)


def _memo_key(filters: CatalogueFilters) -> tuple[CatalogueFilters, _PlaceRules | None]:
    """`filters` without their place, and what the region rules read of it."""
    place = filters.place if filters.place is not None and filters.place.known else None
    return dataclasses.replace(filters, place=None), _place_rules(place) if place is not None else None


@per_catalogue_version
def _filtered_entries(filters: CatalogueFilters, place: _PlaceRules | None, *, on: date) -> tuple[_Entry, ...]:
    fund_ids = set(filters.fund_ids)
    restrict = filters.restrict_to_person
    if place is not None and restrict and not fund_ids:
        fund_ids = set(place.fund_ids)
    matches = set(matching_program_ids(filters.query)) if filters.query else None
    patterns = CONDITION_TERMS.get(filters.condition, ()) if filters.condition else ()
    found = []
    for entry in _entries_at(place if restrict else None, tuple(sorted(fund_ids)), on=on):
        if filters.types and entry.program_type not in filters.types:
            continue
        if (
            filters.age is not None
            and restrict
            and not (
                (entry.min_age is None or entry.min_age <= filters.age)
                and (entry.max_age is None or entry.max_age >= filters.age)
            )
        ):
            continue
        if filters.condition and not (
            entry.dmp_indication == filters.condition or any(p in entry.search_text for p in patterns)
        ):
            continue
        if filters.online_only and not entry.online_enrollment:
            continue
        if matches is not None and entry.pk not in matches:
            continue
        found.append(entry)
    return tuple(found)


@per_catalogue_version
def _entries_at(place: _PlaceRules | None, fund_ids: tuple[int, ...], *, on: date) -> tuple[_Entry, ...]:
    """The entries, ordered by title, with a current contract (at one of `fund_ids`, if any)
    and open at `place` (None: anywhere). The costly part of `_filtered_entries`, which only
    narrows this down: a new age, search or type at a place seen before walks the programs
    open there (a tenth of the catalogue), not the whole catalogue. A new place checks only
    the programs its regions can open (`_region_index`), with the same rule, and adds those
    open everywhere (`_open_everywhere`, kept per funds)."""
    if place is None:
        return _with_contract(_catalogue_index_by_title(), fund_ids, on=on)
    regional = _regional_candidates_at(place)
    if regional is None:
        return tuple(e for e in _with_contract(_catalogue_index_by_title(), fund_ids, on=on) if _available_at(e, place))
    found = [e for e in _with_contract(regional, fund_ids, on=on) if _available_at(e, place)]
    everywhere = _open_everywhere(fund_ids, on=on)
    if not found:
        return everywhere
    return tuple(sorted((*everywhere, *found), key=_title_order()))


def _with_contract(entries, fund_ids: tuple[int, ...], *, on: date) -> tuple[_Entry, ...]:
    """`entries` with a current contract (at one of `fund_ids`, if any), in their order."""
    funds_of = _current_fund_ids(on)
    wanted = set(fund_ids)
    return tuple(e for e in entries if (funds := funds_of.get(e.pk)) and not (wanted and wanted.isdisjoint(funds)))


@per_catalogue_version
def _open_everywhere(fund_ids: tuple[int, ...], *, on: date) -> tuple[_Entry, ...]:
    """The programs without region rules (most of the catalogue) with a current contract (at
    one of `fund_ids`), ordered by title: the same at every place, so kept per funds and day."""
    unrestricted = (e for e in _catalogue_index_by_title() if not (e.lands or e.kreise or e.gemeinden))
    return _with_contract(unrestricted, fund_ids, on=on)


@dataclass(frozen=True)
class _RegionIndex:
    by_land: dict[str, list[_Entry]]
    by_kreis: dict[str, list[_Entry]]
    by_gemeinde: dict[str, list[_Entry]]
    #: by the Kreis key of each of a program's Gemeinden (their first five digits)
    by_gemeinde_kreis: dict[str, list[_Entry]]


@per_catalogue_version
def _region_index() -> _RegionIndex:
    """The programs by the regions they name: which ones a place can open at all."""
    by: dict[str, dict[str, list[_Entry]]] = {"land": {}, "kreis": {}, "gemeinde": {}, "gemeinde_kreis": {}}
    for entry in _catalogue_index():
        for kind, keys in (
            ("land", entry.lands),
            ("kreis", entry.kreise),
            ("gemeinde", entry.gemeinden),
            ("gemeinde_kreis", {g[:5] for g in entry.gemeinden}),
        ):
            for key in keys:
                by[kind].setdefault(key, []).append(entry)
    return _RegionIndex(by["land"], by["kreis"], by["gemeinde"], by["gemeinde_kreis"])


def _regional_candidates_at(place: _PlaceRules) -> list[_Entry] | None:
    """Every program with region rules that `_available_at` can find open at `place`, and a
    few it will turn down; None when the place's keys do not fit the index (check all)."""
    if any(len(k) != 5 for k in place.kreise):  # Kreis keys have five digits
        return None
    index = _region_index()
    found: dict[int, _Entry] = {}
    for lookup, keys in (
        (index.by_land, place.lands),
        (index.by_kreis, place.kreise),
        (index.by_gemeinde_kreis, place.kreise),
        (index.by_gemeinde, place.gemeinden),
    ):
        for key in keys:
            found.update((e.pk, e) for e in lookup.get(key, ()))
    return list(found.values())


@per_catalogue_version
def _catalogue_index_by_title() -> tuple[_Entry, ...]:
    """`_catalogue_index` ordered by title in the active language (the memo key holds it)."""
    return tuple(sorted(_catalogue_index(), key=_title_order()))


def _title_order():
    """The sort key of entries by title in the active language."""
    english = (get_language() or "de").startswith("en")
    return (lambda e: e.sort_en) if english else (lambda e: e.sort_de)


def catalogue_ids(filters: CatalogueFilters, *, on: date) -> list[int]:
    """The ids of `catalogue_entries`; a search sorted by relevance is ranked by the database
    over these ids only (one query by primary key)."""
    entries = catalogue_entries(filters, on=on)
    ids = [e.pk for e in entries]
    if filters.query and filters.sort == Sort.RELEVANCE and ids:
        wanted = set(ids)
        ranked = [pk for pk in _relevance_order(filters.query.terms, filters.query.boosts) if pk in wanted]
        if len(ranked) < len(ids):  # the catalogue changed between the two memo reads
            seen = set(ranked)
            ranked += [pk for pk in ids if pk not in seen]
        return ranked
    return ids


@per_catalogue_version
def _relevance_order(terms: tuple, boosts: tuple) -> tuple[int, ...]:
    """Every published program that matches the search, best first, ties by title as listed:
    one query per search and catalogue version. A program's rank depends on the search alone,
    so the place, age and other filters of a request only pick from this order (a new postal
    code with a known search asks the database nothing). At most one id per program: some
    12 KB for a search that matches 1,500 programs."""
    ranked = dict(
        apply_search(
            Program.objects.filter(is_published=True), ParsedQuery(text="", terms=terms, boosts=boosts)
        ).values_list("pk", "rank")
    )
    order = [e.pk for e in _catalogue_index_by_title() if e.pk in ranked]
    order.sort(key=lambda pk: -ranked[pk])  # stable: ties stay in title order
    return tuple(order)


LIST_FIELDS = (
    "id", "slug", "title", "title_en", "summary", "summary_en", "program_type", "dmp_indication",
    "min_age", "max_age", "region_note", "online_enrollment", "is_published", "legal_basis",
)  # fmt: skip


def list_rows(ids: list[int], *, on: date, eligibility: bool) -> list[Program]:
    """The programs `ids` in that order with what a result row shows: current contracts as
    tuples and, with `eligibility`, the relations the rules read, both from memos per
    catalogue version. A row read once is kept for the catalogue version and day
    (`programs.caching.read_into`), so a page costs one query for the rows nobody asked for
    before and none once they are known. Shared by every request: nobody may change a row."""
    if not ids:
        return []

    def read(missing: list[int]) -> dict[int, Program]:
        fetched = list(Program.objects.filter(pk__in=missing).only(*LIST_FIELDS))
        attach_current_contracts(fetched, on=on)
        if eligibility:
            attach_rules(fetched)  # regions, prerequisites, exclusions from the memo
        return {p.pk: p for p in fetched}

    found = read_into(catalogue_store("result rows", on, eligibility), ids, read)
    return [found[pk] for pk in ids if pk in found]


def contracts_by_pk(ids) -> dict[int, Contract]:
    """Contracts with their program and fund, kept per catalogue version like the result rows:
    what every page of a participation shows of the catalogue, without joining two more tables
    to a person's rows. Shared: nobody may change one."""
    return read_into(catalogue_store("contracts"), ids, Contract.objects.select_related("program", "fund").in_bulk)


def catalogue_groups(filters: CatalogueFilters, *, on: date, per_type: int) -> tuple[dict, ...]:
    """`programs_by_type` of `catalogue_entries`, memoised like them (the home page: places of a
    Kreis seen before cost no query). Shared by every request: copy a group before changing it."""
    return _groups(*_memo_key(filters), on=on, per_type=per_type)


@per_catalogue_version
def _groups(filters: CatalogueFilters, place: _PlaceRules | None, *, on: date, per_type: int) -> tuple[dict, ...]:
    return tuple(programs_by_type(_filtered_entries(filters, place, on=on), per_type=per_type, on=on))


def programs_by_type(entries: list[_Entry], *, per_type: int, on: date) -> list[dict]:
    """[{type, label, count, programs: the first `per_type` by title}] in ProgramType order,
    empty types left out; `entries` as `catalogue_entries` returns them (ordered by title).
    The shown rows come from `list_rows` (one query for rows not read before, whatever the
    size of the catalogue)."""
    by_type: dict[str, list[int]] = {}
    for entry in entries:
        by_type.setdefault(entry.program_type, []).append(entry.pk)
    shown = {program_type: pks[:per_type] for program_type, pks in by_type.items()}
    ids = [pk for pks in shown.values() for pk in pks]
    rows = {p.pk: p for p in list_rows(ids, on=on, eligibility=False)}
    return [
        {
            "type": t.value,
            "label": t.label,
            "count": len(by_type[t.value]),
            "programs": [rows[pk] for pk in shown[t.value] if pk in rows],
        }
        for t in ProgramType
        if by_type.get(t.value)
    ]


@per_catalogue_version
def program_for_detail(slug: str, *, on: date) -> Program | None:
    """A published program with everything the detail page shows (7 queries)."""
    qs = prefetch_for_eligibility(Program.objects.filter(slug=slug, is_published=True), on=on)
    return qs.prefetch_related(
        Prefetch(
            "required_by",
            queryset=Program.objects.filter(is_published=True).only("id", "slug", "title", "title_en", "program_type"),
        )
    ).first()


def exclusions_for(program: Program, ctx: PersonContext | None, *, on: date) -> list[Program]:
    """The programs that cannot be combined with ``program`` and that matter for the person:
    published, and open in their region and at their fund. Without anything known about the
    person (no postal code, not signed in) every published one."""
    others = _published_rows(tuple(p.pk for p in program.excludes.all()), on=on)
    if ctx is None:
        return list(others)
    elsewhere = {ReasonCode.REGION, ReasonCode.FUND, ReasonCode.NO_CONTRACT}
    return [
        other
        for other in others
        if not any(r.code in elsewhere for r in check_eligibility(other, ctx, on=on, own_participations=False).reasons)
    ]


@per_catalogue_version
def _published_rows(ids: tuple[int, ...], *, on: date) -> tuple[Program, ...]:
    """`list_rows` with the rules of the published ones among `ids`, memoised per catalogue version."""
    return tuple(p for p in list_rows(list(ids), on=on, eligibility=True) if p.is_published)


@per_catalogue_version
def funds_list() -> tuple[Fund, ...]:
    """Every fund by name (memoised per catalogue version: every list page needs them)."""
    return tuple(Fund.objects.order_by("name").only("id", "slug", "name", "short_name", "seat_land_id"))
