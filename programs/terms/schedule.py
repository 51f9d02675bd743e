"""The dates of a participation, computed from its contract with `programs.terms.deadlines`.

Read-only and free of clock calls: the caller passes the days. The declaration services,
the wizard's preview, the paper-declaration form in the admin and the doctor change all use
`participation_schedule`, so the same inputs give the same dates wherever they are entered.

Holidays (§ 193 BGB) count if they are public holidays in the Land of the insured's
residence or in the Land of the fund's seat (DOMAIN.md §3: in doubt for the insured).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from programs.models import Contract, ProgramType
from programs.terms import deadlines


@dataclass(frozen=True)
class Schedule:
    """Dates of one participation. `revocation` is None when the contract has no revocation
    period (DMP: consent can be withdrawn at any time) or when no Belehrung was given yet
    (the period has not started); `start_date` is None while it cannot be known yet (DMP
    before the doctor's confirmation; start "after the revocation period" without Belehrung)."""

    lands: tuple[str, ...]
    revocation: deadlines.Deadline | None
    start_date: dt.date | None
    binding_end: dt.date | None
    term_end: dt.date | None
    cancel_by: dt.date | None

    @property
    def revocation_deadline(self) -> dt.date | None:
        return self.revocation.last_day if self.revocation else None


def has_binding(contract: Contract) -> bool:
    """DMP participations have no binding (DOMAIN.md §1); others bind for `binding_months`."""
    return contract.program.program_type != ProgramType.DMP and contract.binding_months > 0


def start_for(contract: Contract, *, declared_on: dt.date, revocation: deadlines.Deadline | None) -> dt.date | None:
    """First day of participation by the contract's start rule, or None if that needs a
    revocation period that has not started."""
    rule = deadlines.StartRule(contract.start_rule)
    needs_revocation = rule == deadlines.StartRule.AFTER_REVOCATION
    if needs_revocation and revocation is None and contract.revocation_days is not None:
        return None
    return deadlines.participation_start(
        declared_on=declared_on,
        rule=rule,
        # A contract without revocation period (DMP) starts "after revocation" right away.
        revocation_last_day=(revocation.last_day if revocation else declared_on) if needs_revocation else None,
        quarter_cutoff_months_before=contract.quarter_cutoff_months_before,
        quarter_cutoff_day=contract.quarter_cutoff_day,
    )


def terms_for(contract: Contract, *, start_date: dt.date | None, on: dt.date) -> tuple[dt.date | None, ...]:
    """(binding_end, term_end, cancel_by) for a participation starting on `start_date`, as
    seen on day `on` (the running term whose cancellation deadline has not passed)."""
    if start_date is None or not has_binding(contract):
        return None, None, None
    binding_end = deadlines.binding_end(start_date, contract.binding_months)
    term = deadlines.next_cancellation_date(
        start=start_date,
        binding_months=contract.binding_months,
        renewal_months=contract.renewal_months,
        notice_months=contract.notice_months,
        notice_days=contract.notice_days,
        on=on,
    )
    if term is None:
        return binding_end, binding_end, None
    return binding_end, term.term_end, term.cancel_by


def participation_schedule(
    *,
    contract: Contract,
    person_land: str,
    fund_seat_land: str,
    declared_on: dt.date,
    instructed_on: dt.date | None,
) -> Schedule:
    """All dates of a declaration made on `declared_on` with the Belehrung on `instructed_on`.

    DMP: no revocation deadline and no start date yet (the start follows the doctor's
    confirmation, see `start_for`)."""
    lands = deadlines.holiday_lands(person_land, fund_seat_land=fund_seat_land)
    is_dmp = contract.program.program_type == ProgramType.DMP
    revocation = None
    if contract.revocation_days is not None and instructed_on is not None and not is_dmp:
        revocation = deadlines.revocation_deadline(
            declared_on=declared_on, instructed_on=instructed_on, lands=lands, days=contract.revocation_days
        )
    start_date = None if is_dmp else start_for(contract, declared_on=declared_on, revocation=revocation)
    binding_end, term_end, cancel_by = terms_for(contract, start_date=start_date, on=declared_on)
    return Schedule(
        lands=lands,
        revocation=revocation,
        start_date=start_date,
        binding_end=binding_end,
        term_end=term_end,
        cancel_by=cancel_by,
    )
