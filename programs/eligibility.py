"""Can this person take part in this program — and if not, why? Every reason in plain words.

The rules are evaluated in Python on a program whose relations are already loaded, so the
check costs no queries per program (lists stay at a constant number of queries) and can be
tested without a database. ``prefetch_for_eligibility`` loads what the check reads.

API
===
::

    from programs.eligibility import PersonContext, check_eligibility, prefetch_for_eligibility

    programs = prefetch_for_eligibility(Program.objects.filter(...), on=today)
    ctx = PersonContext(
        age=34,                      # or birth_date=date(1985, 4, 12) (age is computed on `on`)
        land_codes={"BW"},           # the places the person may live in (from the PLZ lookup
        kreis_keys={"08317"},        #   or the insured record); a PLZ crossing borders gives
        gemeinde_keys={"08317043"},  #   several candidates
        fund_id=aok_bw.pk,           # the person's (or the responsible) fund, None = unknown
        active_program_ids={hzv.pk}, # running participations; None = unknown (anonymous)
    )
    result = check_eligibility(program, ctx, on=today)   # on: default ctx.on, else today
    result.eligible      # True when no reason speaks against it
    result.reasons       # list[Check]: why not — each Check has .code (ReasonCode), .ok
                         #   (False here), .text (plain words, active language) and
                         #   .related (e.g. the required program)
    result.open_points   # list[Check]: conditions we could not check (age, place or
                         #   participations unknown); shown as "only if …"
    result.certain       # eligible and nothing left open

For an insured person: ``programs.selectors.person_context_for_insured(person, on=day,
active_program_ids=…)`` builds the context from the record — age on ``day`` (e.g. the expected
start of participation), Gemeinde/Kreis/Land and fund; the running participations are passed
in by the caller (``enrollment.selectors.running_program_ids``), since the catalogue stands
below the enrollment and knows nothing of participations. It queries, the rules do not. ``check_many(programs, ctx, on=…)`` returns ``{program.pk: EligibilityResult}``.
Without `prefetch_for_eligibility` the check still works but queries per program.

Rules (each one gives one reason, all reasons are collected, never only the first):

* age: ``min_age`` / ``max_age`` inclusive ("erst ab 16 Jahren", "nur bis 17 Jahre");
* region: an empty restriction means wherever the contract's fund is responsible; otherwise
  the person must live in one of the Länder, Kreise or Gemeinden. Candidates are checked by
  official key (a Gemeinde key starts with its Kreis key, which starts with the Land key),
  so no queries are needed. Some candidates inside, some outside → open point;
* fund: a currently valid contract with the person's fund must exist;
* prerequisites: every required program must be running; HzV prerequisites count as one
  ("setzt die Teilnahme am Hausarztprogramm voraus"): any one HzV satisfies them;
* exclusions and "already taking part" (only when participations are known).

The texts are translatable (German source strings) and evaluated in the active language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext

from programs.aok import LAND_CODE_BY_AGS, land_name
from programs.caching import per_catalogue_version

if TYPE_CHECKING:  # pragma: no cover
    from programs.models import Contract, Program


class ReasonCode(StrEnum):
    TOO_YOUNG = "too_young"
    TOO_OLD = "too_old"
    AGE_UNKNOWN = "age_unknown"
    REGION = "region"
    REGION_PARTLY = "region_partly"
    REGION_UNKNOWN = "region_unknown"
    FUND = "fund"
    NO_CONTRACT = "no_contract"
    PREREQUISITE = "prerequisite"
    PREREQUISITE_UNKNOWN = "prerequisite_unknown"
    EXCLUDED = "excluded"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_PUBLISHED = "not_published"


@dataclass(frozen=True)
class Check:
    """One rule and its outcome in plain words: the catalogue's reasons (``ok`` False) and the
    declaration's checks (``enrollment.eligibility``, either way) are this one type.
    ``related`` is e.g. the required program."""

    code: str
    ok: bool
    text: str
    related: Any = None

    def __str__(self) -> str:
        return self.text

    @property
    def message(self) -> str:
        return self.text


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool
    reasons: list[Check] = field(default_factory=list)
    open_points: list[Check] = field(default_factory=list)

    @property
    def certain(self) -> bool:
        return self.eligible and not self.open_points

    @property
    def fragment_key(self) -> tuple:
        """What the eligibility box shows (templates/programs/includes/eligibility.html): equal
        results render the same markup, which `{% fragment %}` then keeps."""
        return (tuple(r.text for r in self.reasons), tuple(r.text for r in self.open_points))


def _frozen(value: Iterable | None) -> frozenset:
    return frozenset(value or ())


@dataclass(frozen=True)
class PersonContext:
    """What we know about the person; every field is optional (unknown = not checked)."""

    age: int | None = None
    birth_date: dt.date | None = None
    land_codes: frozenset[str] = frozenset()
    kreis_keys: frozenset[str] = frozenset()
    gemeinde_keys: frozenset[str] = frozenset()
    fund_id: int | None = None
    active_program_ids: frozenset[int] | None = None
    #: Day the rules are evaluated on when ``check_eligibility`` gets no ``on`` (e.g. the
    #: expected start of participation, for "age at the start").
    on: dt.date | None = None
    #: Shown in the UI ("für 77716 …"); not used by the rules.
    postal_code: str = ""
    place_label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "land_codes", _frozen(self.land_codes))
        object.__setattr__(self, "kreis_keys", _frozen(self.kreis_keys))
        object.__setattr__(self, "gemeinde_keys", _frozen(self.gemeinde_keys))
        if self.active_program_ids is not None:
            object.__setattr__(self, "active_program_ids", _frozen(self.active_program_ids))

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is not None:
            b = self.birth_date
            return day.year - b.year - ((day.month, day.day) < (b.month, b.day))
        return self.age

    @property
    def has_place(self) -> bool:
        return bool(self.land_codes or self.kreis_keys or self.gemeinde_keys)

    @property
    def is_empty(self) -> bool:
        return (
            self.age is None
            and self.birth_date is None
            and not self.has_place
            and self.fund_id is None
            and self.active_program_ids is None
        )


# --- loading --------------------------------------------------------------------------------


def current_contracts_prefetch(on: dt.date) -> Prefetch:
    """Contracts valid on ``on`` (with their fund) as ``program.current_contracts``."""
    from programs.models import Contract

    valid = Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    return Prefetch(
        "contracts",
        queryset=Contract.objects.filter(valid).select_related("fund").order_by("fund__name", "-valid_from"),
        to_attr="current_contracts",
    )


@dataclass(frozen=True)
class FundBrief:
    id: int
    name: str
    short_name: str

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True)
class ContractBrief:
    """What lists and the rules read of a current contract (no texts, no model instance)."""

    id: int
    fund_id: int
    fund: FundBrief

    @property
    def pk(self) -> int:
        return self.id


def attach_current_contracts(programs: Iterable[Program], *, on: dt.date, using: str | None = None) -> None:
    """Set ``program.current_contracts`` to `ContractBrief`s of the contracts valid on `on`.

    On the default database the briefs of every program come from one read per catalogue
    version and day (`_current_contract_briefs`, memoised per process): a list page attaches
    them without a query. Elsewhere (a read replica) one query of tuples for these programs."""
    programs = list(programs)
    if not programs:
        return
    if using is None:
        briefs = _current_contract_briefs(on)
    else:
        briefs = _contract_briefs(on, using=using, program_ids=[p.pk for p in programs])
    for program in programs:
        program.current_contracts = list(briefs.get(program.pk, ()))


def _contract_briefs(
    on: dt.date, *, using: str | None = None, program_ids=None
) -> dict[int, tuple[ContractBrief, ...]]:
    from programs.models import Contract

    valid = Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    rows = Contract.objects.using(using).filter(valid)
    if program_ids is not None:
        rows = rows.filter(program_id__in=program_ids)
    by_program: dict[int, list[ContractBrief]] = {}
    for pk, program_id, fund_id, name, short_name in rows.order_by("fund__name", "pk").values_list(
        "pk", "program_id", "fund_id", "fund__name", "fund__short_name"
    ):
        by_program.setdefault(program_id, []).append(ContractBrief(pk, fund_id, FundBrief(fund_id, name, short_name)))
    return {program_id: tuple(briefs) for program_id, briefs in by_program.items()}


@per_catalogue_version
def _current_contract_briefs(on: dt.date) -> dict[int, tuple[ContractBrief, ...]]:
    """Every program's current contracts on `on` (read only: shared by every request)."""
    return _contract_briefs(on)


def current_contract_briefs(program_id: int, *, on: dt.date) -> tuple[ContractBrief, ...]:
    """The program's contracts valid on `on`, from the memo of `attach_current_contracts`."""
    return _current_contract_briefs(on).get(program_id, ())


@dataclass(frozen=True)
class ProgramRules:
    """A program's regions, prerequisites and exclusions as the rules read them, from
    `catalogue_rules` (no query per page once read)."""

    region_lands: tuple = ()
    region_kreise: tuple = ()
    region_gemeinden: tuple = ()
    prerequisites: tuple = ()
    excludes: tuple = ()
    excluded_by: tuple = ()  # the programs whose `excludes` name this one


NO_RULES = ProgramRules()


def _related(program: Program, name: str) -> Iterable:
    """`program.<name>.all()`, or the same from the rules attached by `attach_rules`."""
    rules = getattr(program, "catalogue_rules", None)
    return getattr(rules, name) if rules is not None else getattr(program, name).all()


@per_catalogue_version
def catalogue_rules() -> dict[int, ProgramRules]:
    """Every program's regions, prerequisites and exclusions, read once per catalogue version
    (5 queries). The instances are shared by every request and never changed."""
    from programs.models import Gemeinde, Kreis, Land, Program

    through = Program.region_lands.through.objects
    lands = {land.code: land for land in Land.objects.only("code", "name")}
    rules: dict[int, dict[str, list]] = {}

    def add(program_id: int, name: str, value) -> None:
        rules.setdefault(program_id, {}).setdefault(name, []).append(value)

    for program_id, code in through.values_list("program_id", "land_id"):
        add(program_id, "region_lands", lands[code])
    kreise = Program.region_kreise.through.objects.select_related("kreis").only(
        "program_id", "kreis__key", "kreis__name"
    )
    for row in kreise:
        add(row.program_id, "region_kreise", Kreis(key=row.kreis.key, name=row.kreis.name))
    gemeinden = Program.region_gemeinden.through.objects.values_list("program_id", "gemeinde__ags", "gemeinde__name")
    for program_id, ags, name in gemeinden:
        add(program_id, "region_gemeinden", Gemeinde(ags=ags, name=name))
    related = {p.pk: p for p in Program.objects.only("id", "slug", "title", "title_en", "program_type")}
    for name, relation in (("prerequisites", Program.prerequisites), ("excludes", Program.excludes)):
        for from_id, to_id in relation.through.objects.values_list("from_program_id", "to_program_id"):
            add(from_id, name, related[to_id])
            if name == "excludes":
                add(to_id, "excluded_by", related[from_id])
    order = {"region_lands": lambda o: o.name, "region_kreise": lambda o: o.key, "region_gemeinden": lambda o: o.name,
             "prerequisites": lambda o: o.pk, "excludes": lambda o: o.pk, "excluded_by": lambda o: o.pk}  # as the models order them  # fmt: skip
    return {
        pk: ProgramRules(**{k: tuple(sorted(v, key=order[k])) for k, v in values.items()})
        for pk, values in rules.items()
    }


def attach_rules(programs: Iterable[Program]) -> None:
    """Give each program its `ProgramRules` from the memo (instead of 5 prefetch queries)."""
    rules = catalogue_rules()
    for program in programs:
        program.catalogue_rules = rules.get(program.pk, NO_RULES)


def prefetch_for_eligibility(qs: QuerySet, *, on: dt.date, contracts: bool = True) -> QuerySet:
    """Everything ``check_eligibility`` reads, in six queries for any number of programs.
    With ``contracts=False`` the caller attaches them (`attach_current_contracts`)."""
    from programs.models import Program

    related = Program.objects.only("id", "slug", "title", "title_en", "program_type")
    if contracts:
        qs = qs.prefetch_related(current_contracts_prefetch(on))
    return qs.prefetch_related(
        "region_lands",
        "region_kreise",
        "region_gemeinden",
        Prefetch("prerequisites", queryset=related),
        Prefetch("excludes", queryset=related),
    )


def program_current_contracts(program: Program, on: dt.date) -> list[Contract]:
    contracts = getattr(program, "current_contracts", None)
    if contracts is None:
        contracts = [c for c in program.contracts.select_related("fund") if c.is_valid_on(on)]
    return list(contracts)


# --- texts ------------------------------------------------------------------------------------


def _names(items: list[str], limit: int = 3) -> str:
    items = sorted(items)
    if len(items) <= limit:
        return ", ".join(items)
    return gettext("%(names)s und %(n)s weitere") % {"names": ", ".join(items[:limit]), "n": len(items) - limit}


def region_description(program: Program) -> str:
    """ "der 17 Gemeinden Biberach, Fischerbach, Gengenbach und 14 weitere" or the region note.

    The note is German free text: in another language the structured region (Länder in that
    language, Kreise and Gemeinden by their proper names) is named instead, where there is one."""
    note = (program.region_note or "").strip()
    lands = [land_name(land.code) for land in _related(program, "region_lands")]
    kreise = [kreis.name for kreis in _related(program, "region_kreise")]
    gemeinden = [g.name for g in _related(program, "region_gemeinden")]
    if note and (get_language() == "de" or not (lands or kreise or gemeinden)):
        return note
    parts: list[str] = []
    if lands:
        parts.append(ngettext("des Landes %(names)s", "der Länder %(names)s", len(lands)) % {"names": _names(lands)})
    if kreise:
        parts.append(
            ngettext("des Kreises %(names)s", "der %(n)s Kreise %(names)s", len(kreise))
            % {"names": _names(kreise), "n": len(kreise)}
        )
    if gemeinden:
        parts.append(
            ngettext("der Gemeinde %(names)s", "der %(n)s Gemeinden %(names)s", len(gemeinden))
            % {"names": _names(gemeinden), "n": len(gemeinden)}
        )
    return gettext(" oder ").join(parts)


#: A region note starting with one of these reads on after "Einwohnerinnen und Einwohner".
_REGION_LEADS = frozenset({"der", "des", "dem", "den", "von", "vom", "im", "in", "aus", "am"})


def region_text(program: Program) -> str:
    """ "nur für Einwohnerinnen und Einwohner …" (empty when the program has no restriction)."""
    description = region_description(program)
    if not description:
        return ""
    if description == (program.region_note or "").strip() and description.split(" ", 1)[0].lower() not in _REGION_LEADS:
        return gettext("nur für Einwohnerinnen und Einwohner dieser Region: %(region)s") % {"region": description}
    return gettext("nur für Einwohnerinnen und Einwohner %(region)s") % {"region": description}


def age_range_text(min_age: int | None, max_age: int | None) -> str:
    if min_age is not None and max_age is not None:
        return gettext("von %(min)s bis %(max)s Jahren") % {"min": min_age, "max": max_age}
    if min_age is not None:
        return ngettext("ab %(n)s Jahr", "ab %(n)s Jahren", min_age) % {"n": min_age}
    if max_age is not None:
        return ngettext("bis %(n)s Jahr", "bis %(n)s Jahre", max_age) % {"n": max_age}
    return gettext("ohne Altersgrenze")


def prerequisite_text(required: Program) -> str:
    from programs.models import ProgramType

    if required.program_type == ProgramType.HZV:
        return gettext("setzt die Teilnahme am Hausarztprogramm voraus")
    return gettext("setzt die Teilnahme an „%(title)s“ voraus") % {"title": required.display_title}


# --- the rules --------------------------------------------------------------------------------

_IN, _OUT, _UNKNOWN = "in", "out", "unknown"


def _land_of(key: str) -> str | None:
    return LAND_CODE_BY_AGS.get(key[:2])


def region_status(program: Program, ctx: PersonContext) -> str:
    """``unrestricted``, ``in`` (all candidate places inside), ``out``, ``partly`` or ``unknown``."""
    lands = {land.code for land in _related(program, "region_lands")}
    kreise = {kreis.key for kreis in _related(program, "region_kreise")}
    gemeinden = {g.ags for g in _related(program, "region_gemeinden")}
    if not (lands or kreise or gemeinden):
        return "unrestricted"
    if not ctx.has_place:
        return "unknown"
    statuses: list[str] = []
    if ctx.gemeinde_keys:
        for g in ctx.gemeinde_keys:
            inside = g in gemeinden or g[:5] in kreise or _land_of(g) in lands
            statuses.append(_IN if inside else _OUT)
    elif ctx.kreis_keys:
        for k in ctx.kreis_keys:
            if k in kreise or _land_of(k) in lands:
                statuses.append(_IN)
            elif any(g.startswith(k) for g in gemeinden):
                statuses.append(_UNKNOWN)
            else:
                statuses.append(_OUT)
    else:
        for code in ctx.land_codes:
            if code in lands:
                statuses.append(_IN)
            elif any(_land_of(k) == code for k in kreise | gemeinden):
                statuses.append(_UNKNOWN)
            else:
                statuses.append(_OUT)
    if all(s == _IN for s in statuses):
        return "in"
    if all(s == _OUT for s in statuses):
        return "out"
    return "partly"


def check_eligibility(
    program: Program, ctx: PersonContext, *, on: dt.date | None = None, own_participations: bool = True
) -> EligibilityResult:
    """All reasons why the person in ``ctx`` cannot take part in ``program`` on ``on``
    (default: ``ctx.on``, else today).

    ``own_participations=False`` leaves out "already taking part" and exclusions by the
    person's participations: the declaration checks those itself, over every *open*
    participation with its status (``enrollment.eligibility``). Prerequisites still count."""
    from programs.models import ProgramType

    if on is None:
        on = ctx.on or timezone.localdate()

    reasons: list[Check] = []
    open_points: list[Check] = []

    if not program.is_published:
        reasons.append(Check(ReasonCode.NOT_PUBLISHED, False, gettext("wird derzeit nicht angeboten")))

    # Age
    age = ctx.age_on(on)
    if program.min_age is not None or program.max_age is not None:
        if age is None:
            open_points.append(
                Check(
                    ReasonCode.AGE_UNKNOWN,
                    False,
                    gettext("nur für Menschen %(range)s") % {"range": age_range_text(program.min_age, program.max_age)},
                )
            )
        else:
            if program.min_age is not None and age < program.min_age:
                reasons.append(
                    Check(
                        ReasonCode.TOO_YOUNG,
                        False,
                        ngettext("erst ab %(n)s Jahr", "erst ab %(n)s Jahren", program.min_age)
                        % {"n": program.min_age},
                    )
                )
            if program.max_age is not None and age > program.max_age:
                reasons.append(
                    Check(
                        ReasonCode.TOO_OLD,
                        False,
                        ngettext("nur bis %(n)s Jahr", "nur bis %(n)s Jahre", program.max_age) % {"n": program.max_age},
                    )
                )

    # Region
    status = region_status(program, ctx)
    if status == "out":
        reasons.append(Check(ReasonCode.REGION, False, region_text(program)))
    elif status == "partly":
        open_points.append(
            Check(
                ReasonCode.REGION_PARTLY,
                False,
                gettext("%(region)s – nur ein Teil Ihres Postleitzahlgebiets gehört dazu")
                % {"region": region_text(program)},
            )
        )
    elif status == "unknown":
        open_points.append(Check(ReasonCode.REGION_UNKNOWN, False, region_text(program)))

    # Fund
    contracts = program_current_contracts(program, on)
    if not contracts:
        reasons.append(
            Check(ReasonCode.NO_CONTRACT, False, gettext("derzeit ohne gültigen Vertrag einer Krankenkasse"))
        )
    elif ctx.fund_id is not None and all(c.fund_id != ctx.fund_id for c in contracts):
        funds = sorted({c.fund.name for c in contracts})
        reasons.append(
            Check(
                ReasonCode.FUND,
                False,
                gettext("wird von Ihrer Krankenkasse nicht angeboten (nur %(funds)s)")
                % {"funds": _names(funds, limit=4)},
            )
        )

    # Prerequisites and exclusions
    active = ctx.active_program_ids
    prerequisites = list(_related(program, "prerequisites"))
    hzv = [p for p in prerequisites if p.program_type == ProgramType.HZV]
    others = [p for p in prerequisites if p.program_type != ProgramType.HZV]
    groups: list[tuple[Program, bool]] = []
    if hzv:
        groups.append((hzv[0], active is not None and any(p.pk in active for p in hzv)))
    groups.extend((p, active is not None and p.pk in active) for p in others)
    for required, satisfied in groups:
        if active is None:
            open_points.append(
                Check(ReasonCode.PREREQUISITE_UNKNOWN, False, prerequisite_text(required), related=required)
            )
        elif not satisfied:
            reasons.append(Check(ReasonCode.PREREQUISITE, False, prerequisite_text(required), related=required))
    if active is not None and own_participations:
        if program.pk in active:
            reasons.append(Check(ReasonCode.ALREADY_ENROLLED, False, gettext("Sie nehmen bereits teil")))
        for other in _related(program, "excludes"):
            if other.pk in active:
                reasons.append(
                    Check(
                        ReasonCode.EXCLUDED,
                        False,
                        gettext("nicht gleichzeitig mit „%(title)s“ möglich") % {"title": other.display_title},
                        related=other,
                    )
                )

    return EligibilityResult(eligible=not reasons, reasons=reasons, open_points=open_points)


def check_many(
    programs: Iterable[Program], ctx: PersonContext, *, on: dt.date | None = None
) -> dict[int, EligibilityResult]:
    return {program.pk: check_eligibility(program, ctx, on=on) for program in programs}
