"""May this person take part in this program now? Every reason, for the wizard and the service.

Combines three sources, each answering with `programs.eligibility.Check`s (never a bare
yes/no; one type for the catalogue's reasons and the declaration's checks):
1. `programs.eligibility.check_eligibility` — the catalogue rules (age at the start date,
   place of residence and region restriction, fund, prerequisite programs running); its
   "already taking part" and exclusion rules are left to 3., which sees more (open, not
   only running participations), so no rule is checked twice;
2. `enrollment.representation.can_declare_for` — may this account declare for this person
   (§ 36 SGB I); skipped for paper declarations, where staff record who signed;
3. the checks here over the person's *open* participations (also those not yet started): no
   open participation in the same program, none in an excluded program, one HzV at a time,
   one DMP per indication.

`participation_declare` runs the same function again inside its transaction, so the page and
the service cannot disagree; the database constraints on `Participation` are the last line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from enrollment.lifecycle import OPEN_STATUSES
from enrollment.models import InsuredPerson, Participation
from enrollment.selectors import running_program_ids, sorted_rows
from programs import dates
from programs.eligibility import (
    Check,
    ReasonCode,
    age_range_text,
    attach_current_contracts,
    check_eligibility,
    current_contract_briefs,
    region_text,
)
from programs.models import Contract, Fund, Program, ProgramType
from programs.selectors import contracts_by_pk, person_context_for_insured
from programs.terms.schedule import participation_schedule


@dataclass
class Eligibility:
    person: InsuredPerson
    program: Program
    contract: Contract | None
    checks: list[Check] = field(default_factory=list)
    expected_start: dt.date | None = None
    signer: str | None = None
    representation_kind: str | None = None  # set when a representative declares
    inform_representatives: bool = False
    representatives: tuple[InsuredPerson, ...] = ()

    @property
    def eligible(self) -> bool:
        return self.contract is not None and all(c.ok for c in self.checks)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def contract_for(program: Program, fund: Fund | int, *, on: dt.date) -> Contract | None:
    """The fund's contract for the program valid on `on` (the newest version if several)."""
    fund_id = fund if isinstance(fund, int) else fund.pk
    contract = (
        Contract.objects.filter(program=program, fund_id=fund_id, valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("fund")
        .order_by("-valid_from", "-pk")
        .first()
    )
    if contract is not None:
        # the caller's program, not a second copy joined in (`enrollment.selectors.sorted_rows`
        # says what an ORDER BY over a wide join costs)
        contract.program = program
    return contract


def catalogue_contract_for(program: Program, fund_id: int, *, on: dt.date) -> Contract | None:
    """`contract_for` from the catalogue memos (no query once they are warm): for pages that
    only show and choose. The declaration reads the database (`contract_for`). The contract is
    shared by every request: read it, never change it."""
    ids = [brief.pk for brief in current_contract_briefs(program.pk, on=on) if brief.fund_id == fund_id]
    contracts = [c for c in contracts_by_pk(ids).values() if c.is_valid_on(on)]
    return max(contracts, key=lambda c: (c.valid_from, c.pk), default=None)


def _excluded_program_ids(program: Program) -> set[int]:
    """Programs this one excludes or is excluded by, from the rules `attach_rules` gave the
    program (the wizard's page) or else from the database (the declaration)."""
    rules = getattr(program, "catalogue_rules", None)
    if rules is not None:
        return {p.pk for p in rules.excludes} | {p.pk for p in rules.excluded_by}
    return set(program.excludes.values_list("pk", flat=True)) | set(program.excluded_by.values_list("pk", flat=True))


def participation_checks(person: InsuredPerson, program: Program, *, exclude_pk: int | None = None) -> list[Check]:
    """The rules that depend on the person's other *open* participations: none in the same
    program, one HzV, one DMP per indication, no excluded program (both directions).
    Prerequisites (running participations; any HzV satisfies an HzV prerequisite) are the
    catalogue's rule (`catalogue_checks`)."""
    others = sorted_rows(  # the model's order, newest declaration first
        Participation.objects.filter(person=person, status__in=OPEN_STATUSES)
        .exclude(pk=exclude_pk)
        .select_related("program"),
        key=lambda p: (p.declared_at, p.pk),
        reverse=True,
    )
    checks: list[Check] = []

    same = [p for p in others if p.program_id == program.pk]
    checks.append(
        Check(
            "no_duplicate",
            not same,
            _("Sie haben für dieses Programm bereits eine Teilnahme (Status: %(status)s).")
            % {"status": same[0].get_status_display()}
            if same
            else _("Es besteht noch keine Teilnahme an diesem Programm."),
        )
    )

    if program.program_type == ProgramType.HZV:
        other_hzv = [p for p in others if p.program_type == ProgramType.HZV and p.program_id != program.pk]
        checks.append(
            Check(
                "one_hzv",
                not other_hzv,
                _(
                    "Sie nehmen bereits an einem Hausarztprogramm teil („%(title)s“); es ist nur eine hausärztliche Bindung zur Zeit möglich."
                )
                % {"title": other_hzv[0].program.title}
                if other_hzv
                else _("Sie nehmen an keinem anderen Hausarztprogramm teil."),
            )
        )

    if program.program_type == ProgramType.DMP:
        same_indication = [
            p
            for p in others
            if p.program_type == ProgramType.DMP
            and p.dmp_indication == program.dmp_indication
            and p.program_id != program.pk
        ]
        checks.append(
            Check(
                "one_dmp_per_indication",
                not same_indication,
                _("Für diese Erkrankung besteht bereits eine DMP-Teilnahme („%(title)s“).")
                % {"title": same_indication[0].program.title}
                if same_indication
                else _("Für diese Erkrankung besteht noch keine DMP-Teilnahme."),
            )
        )

    excluded_ids = _excluded_program_ids(program)
    if excluded_ids:
        conflicts = [p for p in others if p.program_id in excluded_ids]
        checks.append(
            Check(
                "no_excluded",
                not conflicts,
                _("Die Teilnahme an „%(title)s“ schließt dieses Programm aus.") % {"title": conflicts[0].program.title}
                if conflicts
                else _("Keine Ihrer Teilnahmen schließt dieses Programm aus."),
            )
        )

    return checks


def catalogue_checks(
    person: InsuredPerson, program: Program, contract: Contract, *, start_date: dt.date | None, on: dt.date
) -> list[Check]:
    """Age at the start date, place of residence / region restriction, fund, prerequisites and
    prerequisites by running participations — `programs.eligibility.check_eligibility`, whose
    reasons only speak against; the positive lines are added here so every rule shows.
    "Already taking part" and exclusions are `participation_checks` (over open participations),
    so the catalogue leaves them out."""
    day = start_date or on
    ctx = person_context_for_insured(person, on=day, active_program_ids=running_program_ids(person))
    result = check_eligibility(program, ctx, on=day, own_participations=False)
    failed = {reason.code for reason in result.reasons}
    checks: list[Check] = []
    has_age_limit = program.min_age is not None or program.max_age is not None
    if has_age_limit and not failed & {ReasonCode.TOO_YOUNG, ReasonCode.TOO_OLD}:
        checks.append(
            Check(
                "age",
                True,
                _("Alter zum Teilnahmebeginn am %(date)s: %(age)s Jahre (Programm: %(range)s).")
                % {
                    "date": dates.short_date(day),
                    "age": person.age_on(day),
                    "range": age_range_text(program.min_age, program.max_age),
                },
            )
        )
    if region_text(program) and ReasonCode.REGION not in failed and not result.open_points:
        checks.append(
            Check(
                "region",
                True,
                _("Ihr Wohnort %(place)s liegt im Programmgebiet.") % {"place": f"{person.postal_code} {person.city}"},
            )
        )
    checks.append(
        Check(
            "fund",
            True,
            _("%(fund)s bietet das Programm an (Vertragsversion %(version)s).")
            % {"fund": contract.fund.name, "version": contract.version},
        )
    )
    for reason in result.reasons:
        if reason.code in (ReasonCode.TOO_YOUNG, ReasonCode.TOO_OLD):
            text = _("Alter zum Teilnahmebeginn am %(date)s: %(age)s Jahre – das Programm ist %(rule)s.") % {
                "date": dates.short_date(day),
                "age": person.age_on(day),
                "rule": reason.text,
            }
        else:
            text = reason.text[:1].upper() + reason.text[1:]
        checks.append(Check(str(reason.code), False, text))
    for point in result.open_points:
        checks.append(
            Check(
                str(point.code),
                False,
                _("%(text)s. Bitte klären Sie das mit Ihrer Krankenkasse.")
                % {"text": point.text[:1].upper() + point.text[1:]},
            )
        )
    return checks


def eligibility_for(
    *,
    user,
    person: InsuredPerson,
    program: Program,
    on: dt.date,
    channel_online: bool = True,
    from_catalogue: bool = False,
) -> Eligibility:
    """Every reason why `user` may or may not declare for `person` in `program` on day `on`.

    With `user=None` (a paper declaration entered by staff) the representation rule is left
    to the caller, who knows who signed. `from_catalogue=True` (a page that only shows and
    chooses; the program has its rules from `attach_rules`) takes the contract and the fund
    rule from the catalogue memos instead of the database; the person's own rows are read
    from the database either way, and the declaration checks everything again."""
    if from_catalogue:
        contract = catalogue_contract_for(program, person.fund_id, on=on)
        attach_current_contracts([program], on=on)
    else:
        contract = contract_for(program, person.fund_id, on=on)
    result = Eligibility(person=person, program=program, contract=contract)
    if channel_online and not program.online_enrollment:
        result.checks.append(
            Check(
                "online",
                False,
                _(
                    "Für dieses Programm ist keine Online-Teilnahme möglich; bitte wenden Sie sich an Ihre Krankenkasse."
                ),
            )
        )
    if contract is None:
        result.checks.append(
            Check(
                "contract",
                False,
                _("%(fund)s bietet dieses Programm derzeit nicht an.") % {"fund": person.fund.name},
            )
        )
        return result
    schedule = participation_schedule(
        contract=contract,
        person_land=person.land_id,
        fund_seat_land=contract.fund.seat_land_id,
        declared_on=on,
        instructed_on=on,
    )
    result.expected_start = schedule.start_date
    result.checks.extend(catalogue_checks(person, program, contract, start_date=schedule.start_date, on=on))
    if user is not None:
        from enrollment.representation import can_declare_for

        decision = can_declare_for(user, person, on_date=on, self_declaration_age=contract.self_declaration_age)
        result.checks.append(Check("representation", decision.allowed, decision.reason))
        result.signer = decision.signer
        result.representation_kind = decision.representation_kind
        result.inform_representatives = decision.inform_representatives
        result.representatives = decision.representatives
    result.checks.extend(participation_checks(person, program))
    return result
