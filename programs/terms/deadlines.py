"""Fristberechnung: deadlines of a participation (DOMAIN.md sections 2 and 3).

Pure functions over dates, no database and no clock: the caller passes every date, so the
rules are testable without freezing time.

The rules come from BGB §§ 187, 188, 193 (applied via § 26 SGB X):

- A period triggered by an event (Teilnahmeerklärung, Belehrung) does not count the event
  day (§ 187(1)); a period of days/weeks ends at the end of the last day (§ 188(1), (2)).
- A period starting at the beginning of a day (start of participation) counts that day
  (§ 187(2)) and ends with the day before the day of the same number (§ 188(2)); if that
  day is missing in the last month, it ends with the month's last day (§ 188(3)).
- § 193: the last day of a period *for a declaration* moves from a Saturday, Sunday or
  public holiday to the next working day. Here: a holiday in ANY of the given Länder
  counts (the insured's Land and the Land of the fund's seat, in favour of the insured).
  § 193 does not apply to notice periods or to the end of a binding period.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from programs.aok import land_name

BERLIN = ZoneInfo("Europe/Berlin")

#: Land codes as the ``holidays`` package names its German subdivisions.
LANDS: tuple[str, ...] = (
    "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH",
)  # fmt: skip

#: Statutory revocation period of §73b(3) / §140a(4) SGB V: two weeks.
REVOCATION_DAYS = 14

_ONE_DAY = dt.timedelta(days=1)


class RevocationNotStarted(Exception):
    """The revocation period has not started because no Belehrung was given.

    Without the instruction about the right of revocation the period does not run, so the
    insured can still revoke: callers treat this as "revocation possible, no deadline".
    """


# --- working days (§ 193) ---------------------------------------------------------------


class ShiftKind(StrEnum):
    SATURDAY = "saturday"
    SUNDAY = "sunday"
    HOLIDAY = "holiday"


@dataclass(frozen=True)
class Holiday:
    """A public holiday on one day, with the Länder (of those asked about) that keep it."""

    name: str
    lands: tuple[str, ...]


@dataclass(frozen=True)
class Shift:
    """One day on which a period could not end, and why.

    ``kind`` is the weekday reason for Saturdays and Sundays and ``holiday`` otherwise;
    ``public_holidays`` lists the holidays on that day in any of the Länder, also when the
    day is a weekend day (e.g. Ostersonntag, a holiday in BB).
    """

    day: dt.date
    kind: ShiftKind
    public_holidays: tuple[Holiday, ...] = ()

    @property
    def text(self) -> str:
        return shift_reason_text(self)


def holiday_lands(person_lands: Iterable[str] | str, *, fund_seat_land: str | None) -> tuple[str, ...]:
    """The Länder whose public holidays extend a declaration deadline (§ 193 BGB): where the
    insured lives and the Land of the fund's seat (DOMAIN.md §3: in doubt for the insured).

    ``person_lands`` may be empty while nobody is known (the catalogue): then the fund's seat
    alone counts; ``fund_seat_land`` is None while the fund is not known (the deadline
    calculator without a fund). A PLZ crossing a border may give several Länder; all count.
    Raises ``ValueError`` for unknown codes or when no Land is known at all.
    """
    if isinstance(person_lands, str):
        person_lands = (person_lands,)
    seat = (fund_seat_land,) if fund_seat_land is not None else ()
    return normalize_lands([*person_lands, *seat])


def normalize_lands(lands: Iterable[str] | str) -> tuple[str, ...]:
    """Upper-case, de-duplicated Land codes in the given order.

    A single string is taken as one code. Raises ``ValueError`` for unknown codes or when no
    Land is given: without a Land the regional holidays would silently be ignored.
    """
    if isinstance(lands, str):
        lands = (lands,)
    result: list[str] = []
    for land in lands:
        code = land.strip().upper()
        if code not in LANDS:
            raise ValueError(f"Unknown Land code {land!r}; expected one of {', '.join(LANDS)}")
        if code not in result:
            result.append(code)
    if not result:
        raise ValueError("At least one Land code is needed to know the public holidays")
    return tuple(result)


@lru_cache(maxsize=256)
def _holiday_calendar(land: str, year: int) -> holidays.HolidayBase:
    # One immutable calendar per Land and year (expand=False), safe to share between threads.
    return holidays.Germany(subdiv=land, years=year, expand=False, language="de")


def public_holidays_on(day: dt.date, lands: Iterable[str] | str) -> tuple[Holiday, ...]:
    """The public holidays on ``day`` in any of ``lands`` (grouped by name).

    Only statutory holidays of the whole Land count; holidays of some municipalities (e.g.
    Mariä Himmelfahrt in Bavaria, Fronleichnam in parts of Saxony and Thuringia) do not.
    """
    found: dict[str, list[str]] = {}
    for land in normalize_lands(lands):
        name = _holiday_calendar(land, day.year).get(day)
        if name:
            found.setdefault(name, []).append(land)
    return tuple(Holiday(name, tuple(codes)) for name, codes in found.items())


def non_working_reason(day: dt.date, lands: Iterable[str] | str) -> Shift | None:
    """Why a period may not end on ``day`` under § 193, or None if it is a working day."""
    found = public_holidays_on(day, lands)
    if day.weekday() == calendar.SATURDAY:
        return Shift(day, ShiftKind.SATURDAY, found)
    if day.weekday() == calendar.SUNDAY:
        return Shift(day, ShiftKind.SUNDAY, found)
    if found:
        return Shift(day, ShiftKind.HOLIDAY, found)
    return None


def shift_to_working_day(day: dt.date, lands: Iterable[str] | str) -> tuple[dt.date, tuple[Shift, ...]]:
    """Apply § 193: move ``day`` forward to the next working day in all of ``lands``.

    Returns the resulting day and the days skipped on the way (empty if none).
    """
    lands = normalize_lands(lands)
    shifts: list[Shift] = []
    while (reason := non_working_reason(day, lands)) is not None:
        shifts.append(reason)
        day += _ONE_DAY
    return day, tuple(shifts)


def shift_reason_text(shift: Shift) -> str:
    """Plain German (translatable) reason for one shifted day, e.g. "Samstag",
    "Feiertag: Karfreitag (BW, SN)" or "Sonntag, Feiertag: Ostersonntag (BB)"."""
    parts: list[str] = []
    if shift.kind == ShiftKind.SATURDAY:
        parts.append(gettext("Samstag"))
    elif shift.kind == ShiftKind.SUNDAY:
        parts.append(gettext("Sonntag"))
    parts.extend(
        gettext("Feiertag: %(name)s (%(lands)s)")
        % {"name": holiday_display_name(h, shift.day), "lands": ", ".join(land_name(code) for code in h.lands)}
        for h in shift.public_holidays
    )
    return ", ".join(parts)


@lru_cache(maxsize=256)
def _english_holiday_calendar(land: str, year: int) -> holidays.HolidayBase:
    return holidays.Germany(subdiv=land, years=year, expand=False, language="en_US")


def holiday_display_name(holiday: Holiday, day: dt.date) -> str:
    """The holiday's name in the active language (the computation always uses German names)."""
    if (get_language() or "de").startswith("en") and holiday.lands:
        return _english_holiday_calendar(holiday.lands[0], day.year).get(day) or holiday.name
    return holiday.name


# --- revocation deadline ------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A deadline for a declaration (revocation), after the § 193 shift.

    ``start`` is the event day (not counted, § 187(1)); ``raw_last_day`` = start + period;
    ``last_day`` is the working day it moved to; ``shifts`` lists the skipped days.
    """

    start: dt.date
    raw_last_day: dt.date
    last_day: dt.date
    shifts: tuple[Shift, ...]
    lands: tuple[str, ...]

    @property
    def end_datetime(self) -> dt.datetime:
        """End of the last day (24:00) as 23:59:59.999999 Europe/Berlin."""
        return dt.datetime.combine(self.last_day, dt.time.max, tzinfo=BERLIN)

    def is_in_time(self, dispatched_at: dt.datetime) -> bool:
        """True if a declaration dispatched at ``dispatched_at`` keeps the deadline
        (timely dispatch is enough). The time must be timezone-aware; any zone works."""
        if dispatched_at.tzinfo is None or dispatched_at.utcoffset() is None:
            raise ValueError("dispatched_at must be timezone-aware")
        return dispatched_at <= self.end_datetime


def _require_date(name: str, value: object) -> None:
    # A datetime is a date subclass, but would carry a time of day into day arithmetic.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def revocation_deadline(
    *,
    declared_on: dt.date,
    instructed_on: dt.date | None,
    lands: Iterable[str] | str,
    days: int = REVOCATION_DAYS,
) -> Deadline:
    """The revocation deadline of a Teilnahmeerklärung (§73b(3), §140a(4) SGB V).

    The period starts with the later of TE and Belehrung (the event day is not counted,
    § 187(1)), runs ``days`` days and, if it ends on a Saturday, Sunday or a holiday in any
    of ``lands``, ends on the next working day (§ 193).

    Raises ``RevocationNotStarted`` if ``instructed_on`` is None: without a Belehrung the
    period does not start.
    """
    _require_date("declared_on", declared_on)
    if instructed_on is None:
        raise RevocationNotStarted("No Belehrung given: the revocation period has not started")
    _require_date("instructed_on", instructed_on)
    if days < 1:
        raise ValueError("days must be at least 1")
    lands = normalize_lands(lands)
    start = max(declared_on, instructed_on)
    raw_last_day = start + dt.timedelta(days=days)
    last_day, shifts = shift_to_working_day(raw_last_day, lands)
    return Deadline(start=start, raw_last_day=raw_last_day, last_day=last_day, shifts=shifts, lands=lands)


# --- periods in months (§ 187(2), § 188(2), (3)) ----------------------------------------------


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day number ``months`` later (or earlier, if negative), clamped to the last
    day of the target month: 31.01. + 1 → 28.02. (29.02. in a leap year)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month0 + 1
    return dt.date(year, month, min(day.day, _days_in_month(year, month)))


def period_end(start: dt.date, *, months: int = 0, years: int = 0) -> dt.date:
    """Last day of a period of months/years that starts at the beginning of ``start``.

    § 187(2) counts ``start``; § 188(2) ends the period with the day *before* the day of the
    same number in the last month; § 188(3): if that day does not exist there, the period
    ends with the last day of that month. Examples: 01.04.2027 + 1 year → 31.03.2028;
    31.01. + 1 month → 28.02. (29.02. in a leap year); 01.03.2027 + 1 year → 29.02.2028.
    """
    _require_date("start", start)
    total = 12 * years + months
    if months < 0 or years < 0 or total < 1:
        raise ValueError("A period needs a positive number of months or years")
    if start.day == 1:
        # The day before the 1st is the last day of the previous month.
        return add_months(start, total) - _ONE_DAY
    year, month0 = divmod(start.year * 12 + start.month - 1 + total, 12)
    month = month0 + 1
    return dt.date(year, month, min(start.day - 1, _days_in_month(year, month)))


def binding_end(start: dt.date, months: int) -> dt.date:
    """Last day of a binding period of ``months`` from the start of participation
    (§ 187(2), § 188(2)/(3)); no § 193 shift. 01.04.2026 + 12 → 31.03.2027."""
    return period_end(start, months=months)


def notice_deadline(binding_end: dt.date, *, notice_months: int = 0, notice_days: int = 0) -> dt.date:
    """Last day on which a cancellation must arrive to end the participation on ``binding_end``.

    The notice period is counted backwards from the end of ``binding_end`` and must lie
    completely after the day of arrival (that day is not counted, § 187(1) by analogy). The
    notice period therefore starts at the earliest on ``add_months(binding_end + 1 day,
    -notice_months)``, further moved back by ``notice_days``; the cancellation must arrive
    the day before. For binding end 31.03.2027 and one month: the notice period is
    01.03.–31.03.2027, so the cancellation must arrive by 28.02.2027.

    This is the latest day D for which a period of ``notice_months`` starting on D + 1 ends no
    later than ``binding_end`` (the most favourable answer for the insured). § 193 does not
    apply to notice periods: the result is not moved off weekends or holidays.
    With no notice period at all, the cancellation may arrive on ``binding_end`` itself.
    """
    _require_date("binding_end", binding_end)
    if notice_months < 0 or notice_days < 0:
        raise ValueError("Notice periods cannot be negative")
    notice_starts = add_months(binding_end + _ONE_DAY, -notice_months) - dt.timedelta(days=notice_days)
    return notice_starts - _ONE_DAY


@dataclass(frozen=True)
class CancellationTerm:
    """The term of a participation that can still be cancelled, and by when."""

    term_start: dt.date
    term_end: dt.date
    cancel_by: dt.date


def next_cancellation_date(
    *,
    start: dt.date,
    binding_months: int,
    renewal_months: int,
    notice_months: int = 0,
    notice_days: int = 0,
    on: dt.date,
) -> CancellationTerm | None:
    """The first term whose cancellation deadline is on or after ``on``.

    The participation first runs ``binding_months`` from ``start`` and then renews by
    ``renewal_months`` unless cancelled by :func:`notice_deadline` of the running term.
    ``on`` is the day the cancellation arrives or is dispatched, whichever the contract
    counts. Returns None if there is nothing left to cancel: ``renewal_months == 0`` (no
    renewal) and the deadline of the binding term has passed.
    """
    _require_date("on", on)
    if renewal_months < 0:
        raise ValueError("renewal_months cannot be negative")
    term_start = start
    term_end = binding_end(start, binding_months)
    while True:
        cancel_by = notice_deadline(term_end, notice_months=notice_months, notice_days=notice_days)
        if on <= cancel_by:
            return CancellationTerm(term_start=term_start, term_end=term_end, cancel_by=cancel_by)
        if renewal_months == 0:
            return None
        term_start = term_end + _ONE_DAY
        term_end = period_end(term_start, months=renewal_months)


# --- start of participation ---------------------------------------------------------------


class StartRule(models.TextChoices):
    """How a contract sets the first day of participation: the contract's choices
    (``Contract.start_rule``) and the rules ``participation_start`` computes."""

    NEXT_DAY = "next_day", _("am Tag nach der Erklärung")
    NEXT_QUARTER = "next_quarter", _("zum nächsten Quartalsbeginn (mit Stichtag)")
    AFTER_REVOCATION = "after_revocation", _("nach Ablauf der Widerrufsfrist")


def next_quarter_start(day: dt.date) -> dt.date:
    """The first 1 Jan / 1 Apr / 1 Jul / 1 Oct strictly after ``day``."""
    quarter_month = 3 * ((day.month - 1) // 3) + 1
    return add_months(dt.date(day.year, quarter_month, 1), 3)


def quarter_cutoff(quarter_start: dt.date, *, months_before: int = 2, day: int = 1) -> dt.date:
    """Last day on which a TE must be received to start on ``quarter_start``: day ``day``
    (clamped to the month's length) of the month ``months_before`` months earlier.
    Default: 1 Nov for 1 Jan, 1 Feb for 1 Apr, 1 May for 1 Jul, 1 Aug for 1 Oct."""
    if months_before < 0 or not 1 <= day <= 31:
        raise ValueError("months_before must be >= 0 and day between 1 and 31")
    month_start = add_months(quarter_start, -months_before)
    return month_start.replace(day=min(day, _days_in_month(month_start.year, month_start.month)))


def participation_start(
    *,
    declared_on: dt.date,
    rule: StartRule | str,
    revocation_last_day: dt.date | None = None,
    quarter_cutoff_months_before: int = 2,
    quarter_cutoff_day: int = 1,
) -> dt.date:
    """First day of participation under the contract's start rule.

    - ``next_day``: the day after the TE was received.
    - ``next_quarter``: the next quarter start whose cut-off the TE met; the cut-off is day
      ``quarter_cutoff_day`` of the month ``quarter_cutoff_months_before`` months before the
      quarter start, inclusive (defaults: received by 1 Nov → 1 Jan, by 1 Feb → 1 Apr, by
      1 May → 1 Jul, by 1 Aug → 1 Oct; later → the quarter after).
    - ``after_revocation``: the day after the last day of the revocation period; needs
      ``revocation_last_day`` (``Deadline.last_day``).
    """
    _require_date("declared_on", declared_on)
    try:
        rule = StartRule(rule)
    except ValueError:
        raise ValueError(f"Unknown start rule {rule!r}; expected one of {', '.join(StartRule)}") from None

    if rule == StartRule.NEXT_DAY:
        return declared_on + _ONE_DAY

    if rule == StartRule.NEXT_QUARTER:
        quarter = next_quarter_start(declared_on)
        while declared_on > quarter_cutoff(quarter, months_before=quarter_cutoff_months_before, day=quarter_cutoff_day):
            quarter = add_months(quarter, 3)
        return quarter

    if revocation_last_day is None:
        raise ValueError(f"Start rule {rule.value!r} needs revocation_last_day")
    _require_date("revocation_last_day", revocation_last_day)
    if revocation_last_day < declared_on:
        raise ValueError("revocation_last_day cannot be before declared_on")
    return revocation_last_day + _ONE_DAY
