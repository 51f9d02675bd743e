"""Fristberechnung (DOMAIN.md section 3): BGB §§ 187, 188, 193 with Land holidays. No database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation

from programs.terms.deadlines import (
    LANDS,
    CancellationTerm,
    Holiday,
    RevocationNotStarted,
    Shift,
    ShiftKind,
    StartRule,
    add_months,
    binding_end,
    holiday_lands,
    next_cancellation_date,
    next_quarter_start,
    non_working_reason,
    normalize_lands,
    notice_deadline,
    participation_start,
    period_end,
    public_holidays_on,
    quarter_cutoff,
    revocation_deadline,
    shift_reason_text,
    shift_to_working_day,
)

D = dt.date
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC

LANDS_WITH_REFORMATIONSTAG = {"BB", "HB", "HH", "MV", "NI", "SN", "ST", "SH", "TH"}
LANDS_WITH_ALLERHEILIGEN = {"BW", "BY", "NW", "RP", "SL"}
LANDS_WITH_FRONLEICHNAM = {"BW", "BY", "HE", "NW", "RP", "SL"}
LANDS_WITH_HEILIGE_DREI_KOENIGE = {"BW", "BY", "ST"}
LANDS_WITH_FRAUENTAG = {"BE", "MV"}


@pytest.fixture(autouse=True)
def _german_messages():
    """Render texts in German, also when run without a settings module."""
    if not settings.configured:
        settings.configure(USE_I18N=False)
    with translation.override("de"):
        yield


def _deadline(raw_last_day: dt.date, lands):
    """Revocation deadline whose unshifted end is ``raw_last_day`` (TE and Belehrung 14 days before)."""
    declared = raw_last_day - dt.timedelta(days=14)
    return revocation_deadline(declared_on=declared, instructed_on=declared, lands=lands)


# --- worked examples from DOMAIN.md ----------------------------------------------------


@pytest.mark.parametrize("land", LANDS)
def test_revocation_deadline_domain_example_saturday_te_ends_monday_after_new_year(land):
    deadline = revocation_deadline(declared_on=D(2026, 12, 19), instructed_on=D(2026, 12, 19), lands=[land])
    assert D(2026, 12, 19).weekday() == 5  # Saturday
    assert deadline.raw_last_day == D(2027, 1, 2)
    assert deadline.last_day == D(2027, 1, 4)
    assert [(s.day, s.kind) for s in deadline.shifts] == [
        (D(2027, 1, 2), ShiftKind.SATURDAY),
        (D(2027, 1, 3), ShiftKind.SUNDAY),
    ]


@pytest.mark.parametrize("land", LANDS)
def test_revocation_deadline_domain_example_easter_ends_tuesday(land):
    deadline = revocation_deadline(declared_on=D(2027, 3, 12), instructed_on=D(2027, 3, 12), lands=[land])
    assert deadline.raw_last_day == D(2027, 3, 26)
    assert deadline.last_day == D(2027, 3, 30)
    assert [(s.day, s.kind) for s in deadline.shifts] == [
        (D(2027, 3, 26), ShiftKind.HOLIDAY),
        (D(2027, 3, 27), ShiftKind.SATURDAY),
        (D(2027, 3, 28), ShiftKind.SUNDAY),
        (D(2027, 3, 29), ShiftKind.HOLIDAY),
    ]
    assert deadline.shifts[0].public_holidays == (Holiday("Karfreitag", (land,)),)
    assert deadline.shifts[3].public_holidays == (Holiday("Ostermontag", (land,)),)


def test_notice_deadline_domain_example_is_not_moved_off_sunday():
    end = binding_end(D(2026, 4, 1), 12)
    assert end == D(2027, 3, 31)
    deadline = notice_deadline(end, notice_months=1)
    assert deadline == D(2027, 2, 28)
    assert deadline.weekday() == 6  # Sunday: no § 193 shift for notice periods


# --- Land-specific holidays -------------------------------------------------------------


@pytest.mark.parametrize("land", LANDS)
def test_revocation_deadline_reformationstag_only_where_it_is_a_holiday(land):
    deadline = _deadline(D(2028, 10, 31), [land])  # Tuesday
    if land in LANDS_WITH_REFORMATIONSTAG:
        assert deadline.last_day == D(2028, 11, 1)
        assert deadline.shifts[0].public_holidays == (Holiday("Reformationstag", (land,)),)
    else:
        assert deadline.last_day == D(2028, 10, 31)
        assert deadline.shifts == ()


@pytest.mark.parametrize("land", LANDS)
def test_revocation_deadline_allerheiligen_only_where_it_is_a_holiday(land):
    deadline = _deadline(D(2027, 11, 1), [land])  # Monday
    expected = D(2027, 11, 2) if land in LANDS_WITH_ALLERHEILIGEN else D(2027, 11, 1)
    assert deadline.last_day == expected


@pytest.mark.parametrize("land", LANDS)
def test_revocation_deadline_fronleichnam_only_where_it_is_a_holiday(land):
    # Fronleichnam is kept only in some municipalities of SN and TH: not a Land holiday there.
    deadline = _deadline(D(2027, 5, 27), [land])  # Thursday
    expected = D(2027, 5, 28) if land in LANDS_WITH_FRONLEICHNAM else D(2027, 5, 27)
    assert deadline.last_day == expected


@pytest.mark.parametrize("land", LANDS)
def test_revocation_deadline_weltkindertag_only_in_thueringen(land):
    deadline = _deadline(D(2027, 9, 20), [land])  # Monday
    expected = D(2027, 9, 21) if land == "TH" else D(2027, 9, 20)
    assert deadline.last_day == expected


@pytest.mark.parametrize("land", LANDS)
def test_revocation_deadline_frauentag_only_in_berlin_and_mv(land):
    deadline = _deadline(D(2027, 3, 8), [land])  # Monday
    expected = D(2027, 3, 9) if land in LANDS_WITH_FRAUENTAG else D(2027, 3, 8)
    assert deadline.last_day == expected


@pytest.mark.parametrize("land", LANDS)
def test_revocation_deadline_buss_und_bettag_only_in_sachsen(land):
    deadline = _deadline(D(2027, 11, 17), [land])  # Wednesday
    expected = D(2027, 11, 18) if land == "SN" else D(2027, 11, 17)
    assert deadline.last_day == expected


@pytest.mark.parametrize("land", LANDS)
def test_revocation_deadline_heilige_drei_koenige_only_in_bw_by_st(land):
    deadline = _deadline(D(2027, 1, 6), [land])  # Wednesday
    expected = D(2027, 1, 7) if land in LANDS_WITH_HEILIGE_DREI_KOENIGE else D(2027, 1, 6)
    assert deadline.last_day == expected


@pytest.mark.parametrize("land", LANDS)
def test_revocation_deadline_mariae_himmelfahrt_only_in_saarland(land):
    # In Bavaria only catholic municipalities keep it: not a holiday for the whole Land.
    deadline = _deadline(D(2028, 8, 15), [land])  # Tuesday
    expected = D(2028, 8, 16) if land == "SL" else D(2028, 8, 15)
    assert deadline.last_day == expected


# --- "any of the Länder" ----------------------------------------------------------------


def test_revocation_deadline_holiday_in_any_land_shifts_across_lands():
    # Reformationstag (SN) on Tuesday, then Allerheiligen (BW) on Wednesday.
    deadline = _deadline(D(2028, 10, 31), ["BW", "SN"])
    assert deadline.last_day == D(2028, 11, 2)
    assert deadline.shifts == (
        Shift(D(2028, 10, 31), ShiftKind.HOLIDAY, (Holiday("Reformationstag", ("SN",)),)),
        Shift(D(2028, 11, 1), ShiftKind.HOLIDAY, (Holiday("Allerheiligen", ("BW",)),)),
    )


@pytest.mark.parametrize(("lands", "expected"), [(["BW"], D(2028, 11, 2)), (["SN"], D(2028, 11, 1))])
def test_revocation_deadline_single_land_stops_earlier(lands, expected):
    assert _deadline(D(2028, 11, 1), lands).last_day == expected


def test_revocation_deadline_holiday_shared_by_lands_lists_all():
    deadline = _deadline(D(2027, 3, 26), ["SN", "BW", "BE"])
    assert deadline.shifts[0].public_holidays == (Holiday("Karfreitag", ("SN", "BW", "BE")),)
    assert deadline.lands == ("SN", "BW", "BE")


def test_revocation_deadline_lands_are_normalized():
    deadline = _deadline(D(2027, 1, 6), ["bw", " BW ", "Sn"])
    assert deadline.lands == ("BW", "SN")
    assert deadline.last_day == D(2027, 1, 7)


def test_revocation_deadline_accepts_single_land_string():
    assert _deadline(D(2027, 1, 6), "BY").last_day == D(2027, 1, 7)


# --- year ends, leap years, start of the period ----------------------------------------


@pytest.mark.parametrize(
    ("raw_last_day", "last_day"),
    [
        (D(2027, 1, 1), D(2027, 1, 4)),  # Neujahr (Fri), Sat, Sun
        (D(2026, 12, 25), D(2026, 12, 28)),  # 1. Weihnachtstag (Fri), 2. Weihnachtstag (Sat), Sun
        (D(2027, 12, 25), D(2027, 12, 27)),  # Sat, 2. Weihnachtstag (Sun)
        (D(2027, 12, 24), D(2027, 12, 24)),  # Heiligabend is no public holiday
        (D(2027, 12, 31), D(2027, 12, 31)),  # Silvester neither
        (D(2028, 2, 29), D(2028, 2, 29)),  # leap day, a Tuesday
        (D(2028, 3, 1), D(2028, 3, 1)),
    ],
)
def test_revocation_deadline_year_end_and_leap_year(raw_last_day, last_day):
    assert _deadline(raw_last_day, ["NW"]).last_day == last_day


def test_revocation_deadline_crosses_leap_day():
    deadline = revocation_deadline(declared_on=D(2028, 2, 15), instructed_on=D(2028, 2, 15), lands=["HE"])
    assert deadline.raw_last_day == D(2028, 2, 29)


def test_revocation_deadline_starts_with_later_belehrung():
    deadline = revocation_deadline(declared_on=D(2027, 3, 1), instructed_on=D(2027, 3, 5), lands=["HE"])
    assert deadline.start == D(2027, 3, 5)
    assert deadline.raw_last_day == D(2027, 3, 19)
    assert deadline.last_day == D(2027, 3, 19)


def test_revocation_deadline_belehrung_before_te_starts_with_te():
    deadline = revocation_deadline(declared_on=D(2027, 3, 5), instructed_on=D(2027, 2, 20), lands=["HE"])
    assert deadline.start == D(2027, 3, 5)
    assert deadline.raw_last_day == D(2027, 3, 19)


def test_revocation_deadline_without_belehrung_has_not_started():
    with pytest.raises(RevocationNotStarted):
        revocation_deadline(declared_on=D(2027, 3, 5), instructed_on=None, lands=["HE"])


def test_revocation_deadline_custom_days():
    deadline = revocation_deadline(declared_on=D(2027, 3, 1), instructed_on=D(2027, 3, 1), lands=["HE"], days=30)
    assert deadline.raw_last_day == D(2027, 3, 31)


@pytest.mark.parametrize("lands", [[], ["XX"], ["BW", "Bayern"], ["Augsburg"], ""])
def test_revocation_deadline_rejects_unknown_or_missing_lands(lands):
    with pytest.raises(ValueError):
        revocation_deadline(declared_on=D(2027, 3, 5), instructed_on=D(2027, 3, 5), lands=lands)


@pytest.mark.parametrize("days", [0, -14])
def test_revocation_deadline_rejects_non_positive_days(days):
    with pytest.raises(ValueError):
        revocation_deadline(declared_on=D(2027, 3, 5), instructed_on=D(2027, 3, 5), lands=["HE"], days=days)


@pytest.mark.parametrize(
    ("declared_on", "instructed_on"),
    [
        (dt.datetime(2027, 3, 5, 10, 0), D(2027, 3, 5)),
        (D(2027, 3, 5), dt.datetime(2027, 3, 5, 10, 0)),
        ("2027-03-05", D(2027, 3, 5)),
    ],
)
def test_revocation_deadline_rejects_non_date_input(declared_on, instructed_on):
    with pytest.raises(TypeError):
        revocation_deadline(declared_on=declared_on, instructed_on=instructed_on, lands=["HE"])


def test_deadline_is_frozen_and_hashable():
    deadline = _deadline(D(2027, 3, 26), ["BW"])
    with pytest.raises(AttributeError):
        deadline.last_day = D(2027, 4, 1)  # type: ignore[misc]
    assert hash(deadline) == hash(_deadline(D(2027, 3, 26), ["BW"]))


# --- end of the last day in Europe/Berlin -------------------------------------------------


@pytest.fixture
def winter_deadline():
    """Deadline Monday 04.01.2027, CET (UTC+1)."""
    return revocation_deadline(declared_on=D(2026, 12, 19), instructed_on=D(2026, 12, 19), lands=["BE"])


@pytest.fixture
def summer_deadline():
    """Deadline Tuesday 30.03.2027, CEST (UTC+2) since 28.03.2027."""
    return revocation_deadline(declared_on=D(2027, 3, 12), instructed_on=D(2027, 3, 12), lands=["BE"])


def test_deadline_end_datetime_is_end_of_day_in_berlin(winter_deadline):
    end = winter_deadline.end_datetime
    assert end == dt.datetime(2027, 1, 4, 23, 59, 59, 999999, tzinfo=BERLIN)
    assert end.utcoffset() == dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("dispatched_at", "in_time"),
    [
        (dt.datetime(2027, 1, 4, 12, 0, tzinfo=BERLIN), True),
        (dt.datetime(2027, 1, 4, 23, 59, 59, tzinfo=BERLIN), True),
        (dt.datetime(2027, 1, 4, 23, 59, 59, 999999, tzinfo=BERLIN), True),
        (dt.datetime(2027, 1, 5, 0, 0, tzinfo=BERLIN), False),
        (dt.datetime(2027, 1, 4, 22, 59, 59, tzinfo=UTC), True),  # 23:59:59 in Berlin
        (dt.datetime(2027, 1, 4, 23, 0, 0, tzinfo=UTC), False),  # 00:00 in Berlin
        (dt.datetime(2027, 1, 4, 23, 30, tzinfo=ZoneInfo("Europe/London")), False),  # 00:30 in Berlin
        (dt.datetime(2027, 1, 4, 17, 0, tzinfo=ZoneInfo("America/New_York")), True),  # 23:00 in Berlin
        (dt.datetime(2026, 12, 20, 9, 0, tzinfo=BERLIN), True),
    ],
)
def test_deadline_is_in_time_winter(winter_deadline, dispatched_at, in_time):
    assert winter_deadline.is_in_time(dispatched_at) is in_time


@pytest.mark.parametrize(
    ("dispatched_at", "in_time"),
    [
        (dt.datetime(2027, 3, 30, 23, 59, 59, tzinfo=BERLIN), True),
        (dt.datetime(2027, 3, 31, 0, 0, tzinfo=BERLIN), False),
        (dt.datetime(2027, 3, 30, 21, 59, 59, tzinfo=UTC), True),  # CEST: UTC+2
        (dt.datetime(2027, 3, 30, 22, 0, 0, tzinfo=UTC), False),
    ],
)
def test_deadline_is_in_time_summer_time(summer_deadline, dispatched_at, in_time):
    assert summer_deadline.is_in_time(dispatched_at) is in_time


def test_deadline_is_in_time_rejects_naive_datetime(winter_deadline):
    with pytest.raises(ValueError):
        winter_deadline.is_in_time(dt.datetime(2027, 1, 4, 12, 0))


# --- § 193 helpers and texts -------------------------------------------------------------


def test_shift_to_working_day_keeps_working_day():
    assert shift_to_working_day(D(2027, 3, 25), ["BW"]) == (D(2027, 3, 25), ())


def test_non_working_reason_weekend_with_holiday_keeps_weekday_kind():
    shift = non_working_reason(D(2027, 3, 28), ["BB", "BW"])
    assert shift == Shift(D(2027, 3, 28), ShiftKind.SUNDAY, (Holiday("Ostersonntag", ("BB",)),))


def test_public_holidays_on_groups_lands_by_name():
    assert public_holidays_on(D(2027, 10, 3), ["BW", "TH"]) == (Holiday("Tag der Deutschen Einheit", ("BW", "TH")),)
    assert public_holidays_on(D(2027, 10, 4), ["BW", "TH"]) == ()


def test_normalize_lands_keeps_order_and_drops_duplicates():
    assert normalize_lands(["th", "BW", "TH"]) == ("TH", "BW")


@pytest.mark.parametrize(
    ("shift", "text"),
    [
        (Shift(D(2027, 3, 27), ShiftKind.SATURDAY), "Samstag"),
        (Shift(D(2027, 1, 3), ShiftKind.SUNDAY), "Sonntag"),
        (
            Shift(D(2027, 3, 26), ShiftKind.HOLIDAY, (Holiday("Karfreitag", ("BW",)),)),
            "Feiertag: Karfreitag (Baden-Württemberg)",
        ),
        (
            Shift(D(2027, 3, 26), ShiftKind.HOLIDAY, (Holiday("Karfreitag", ("BW", "SN")),)),
            "Feiertag: Karfreitag (Baden-Württemberg, Sachsen)",
        ),
        (
            Shift(D(2027, 3, 28), ShiftKind.SUNDAY, (Holiday("Ostersonntag", ("BB",)),)),
            "Sonntag, Feiertag: Ostersonntag (Brandenburg)",
        ),
    ],
)
def test_shift_reason_text_in_german(shift, text):
    assert shift_reason_text(shift) == text
    assert shift.text == text


def test_shift_reason_text_for_domain_example():
    deadline = revocation_deadline(declared_on=D(2027, 3, 12), instructed_on=D(2027, 3, 12), lands=["BW"])
    assert [s.text for s in deadline.shifts] == [
        "Feiertag: Karfreitag (Baden-Württemberg)",
        "Samstag",
        "Sonntag",
        "Feiertag: Ostermontag (Baden-Württemberg)",
    ]


def test_shift_reason_text_in_english_names_holiday_and_land_in_english():
    from django.utils import translation

    deadline = revocation_deadline(declared_on=D(2027, 3, 12), instructed_on=D(2027, 3, 12), lands=["SN"])
    with translation.override("en"):
        texts = [s.text for s in deadline.shifts]
    assert texts[0] == "Public holiday: Good Friday (Saxony)"
    assert texts[-1] == "Public holiday: Easter Monday (Saxony)"


# --- add_months and period_end (§ 187(2), § 188(2), (3)) -----------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2027, 3, 31), -1, D(2027, 2, 28)),
        (D(2027, 5, 31), -3, D(2027, 2, 28)),
        (D(2027, 12, 15), 1, D(2028, 1, 15)),
        (D(2027, 1, 15), -1, D(2026, 12, 15)),
        (D(2027, 1, 31), 24, D(2029, 1, 31)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2027, 6, 30), 0, D(2027, 6, 30)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("start", "kwargs", "expected"),
    [
        (D(2027, 4, 1), {"years": 1}, D(2028, 3, 31)),  # DOMAIN.md example
        (D(2026, 4, 1), {"years": 1}, D(2027, 3, 31)),
        (D(2026, 4, 1), {"months": 12}, D(2027, 3, 31)),
        (D(2027, 3, 1), {"years": 1}, D(2028, 2, 29)),  # ends on the leap day
        (D(2028, 3, 1), {"years": 1}, D(2029, 2, 28)),
        (D(2028, 2, 29), {"years": 1}, D(2029, 2, 28)),
        (D(2027, 1, 31), {"months": 1}, D(2027, 2, 28)),  # § 188(3): 30.02. missing
        (D(2028, 1, 31), {"months": 1}, D(2028, 2, 29)),
        (D(2027, 1, 30), {"months": 1}, D(2027, 2, 28)),  # 29.02.2027 missing
        (D(2028, 1, 30), {"months": 1}, D(2028, 2, 29)),
        (D(2027, 1, 29), {"months": 1}, D(2027, 2, 28)),
        (D(2028, 1, 29), {"months": 1}, D(2028, 2, 28)),
        (D(2027, 2, 1), {"months": 1}, D(2027, 2, 28)),
        (D(2028, 2, 1), {"months": 1}, D(2028, 2, 29)),
        (D(2027, 3, 31), {"months": 1}, D(2027, 4, 30)),
        (D(2027, 1, 15), {"months": 1}, D(2027, 2, 14)),
        (D(2027, 12, 15), {"months": 1}, D(2028, 1, 14)),
        (D(2027, 10, 1), {"months": 3}, D(2027, 12, 31)),
        (D(2027, 1, 1), {"months": 1}, D(2027, 1, 31)),
        (D(2027, 4, 1), {"years": 1, "months": 6}, D(2028, 9, 30)),
    ],
)
def test_period_end_counts_start_day_and_ends_day_before(start, kwargs, expected):
    assert period_end(start, **kwargs) == expected


def test_period_end_is_not_moved_off_sunday():
    # § 193 does not apply to the end of a binding period.
    end = period_end(D(2026, 3, 1), years=1)
    assert end == D(2027, 2, 28)
    assert end.weekday() == 6


@pytest.mark.parametrize("kwargs", [{}, {"months": 0}, {"months": -1}, {"years": -1, "months": 13}])
def test_period_end_rejects_empty_or_negative_period(kwargs):
    with pytest.raises(ValueError):
        period_end(D(2027, 4, 1), **kwargs)


@pytest.mark.parametrize(
    ("start", "months", "expected"), [(D(2026, 4, 1), 12, D(2027, 3, 31)), (D(2027, 7, 1), 24, D(2029, 6, 30))]
)
def test_binding_end_is_period_end(start, months, expected):
    assert binding_end(start, months) == expected


def test_binding_end_rejects_zero_months():
    with pytest.raises(ValueError):
        binding_end(D(2027, 4, 1), 0)


# --- notice_deadline --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "kwargs", "expected"),
    [
        (D(2027, 3, 31), {"notice_months": 1}, D(2027, 2, 28)),
        (D(2028, 3, 31), {"notice_months": 1}, D(2028, 2, 29)),
        (D(2027, 6, 30), {"notice_months": 1}, D(2027, 5, 31)),
        (D(2027, 9, 30), {"notice_months": 3}, D(2027, 6, 30)),
        (D(2027, 12, 31), {"notice_months": 3}, D(2027, 9, 30)),
        (D(2027, 4, 14), {"notice_months": 1}, D(2027, 3, 14)),
        (D(2027, 3, 31), {"notice_days": 28}, D(2027, 3, 3)),
        (D(2027, 3, 31), {"notice_months": 1, "notice_days": 14}, D(2027, 2, 14)),
        (D(2027, 3, 31), {}, D(2027, 3, 31)),
    ],
)
def test_notice_deadline_counts_back_from_end(end, kwargs, expected):
    assert notice_deadline(end, **kwargs) == expected


@pytest.mark.parametrize("notice_months", [1, 2, 3, 6, 12])
def test_notice_deadline_is_latest_day_leaving_full_notice_period(notice_months):
    # For every end day from 2026 to 2029: a period of notice_months starting the day after
    # the deadline fits before the end, and one starting a day later does not.
    end = D(2026, 1, 1)
    while end < D(2029, 12, 31):
        deadline = notice_deadline(end, notice_months=notice_months)
        assert period_end(deadline + dt.timedelta(days=1), months=notice_months) <= end
        assert period_end(deadline + dt.timedelta(days=2), months=notice_months) > end
        end += dt.timedelta(days=1)


@pytest.mark.parametrize("kwargs", [{"notice_months": -1}, {"notice_days": -1}])
def test_notice_deadline_rejects_negative_notice(kwargs):
    with pytest.raises(ValueError):
        notice_deadline(D(2027, 3, 31), **kwargs)


# --- next_cancellation_date -----------------------------------------------------------------


CONTRACT = {"start": D(2026, 4, 1), "binding_months": 12, "renewal_months": 12, "notice_months": 1}


@pytest.mark.parametrize(
    ("on", "term_start", "term_end", "cancel_by"),
    [
        (D(2026, 1, 15), D(2026, 4, 1), D(2027, 3, 31), D(2027, 2, 28)),  # before the start
        (D(2026, 6, 1), D(2026, 4, 1), D(2027, 3, 31), D(2027, 2, 28)),
        (D(2027, 2, 28), D(2026, 4, 1), D(2027, 3, 31), D(2027, 2, 28)),  # last day still counts
        (D(2027, 3, 1), D(2027, 4, 1), D(2028, 3, 31), D(2028, 2, 29)),  # renewed; leap year
        (D(2028, 3, 1), D(2028, 4, 1), D(2029, 3, 31), D(2029, 2, 28)),
        (D(2030, 5, 1), D(2030, 4, 1), D(2031, 3, 31), D(2031, 2, 28)),
    ],
)
def test_next_cancellation_date_walks_renewals(on, term_start, term_end, cancel_by):
    assert next_cancellation_date(**CONTRACT, on=on) == CancellationTerm(term_start, term_end, cancel_by)


def test_next_cancellation_date_binding_and_renewal_differ():
    result = next_cancellation_date(
        start=D(2027, 1, 1), binding_months=24, renewal_months=6, notice_months=3, on=D(2028, 10, 1)
    )
    # Binding ends 31.12.2028 (cancel by 30.09.2028, missed), renewal to 30.06.2029.
    assert result == CancellationTerm(D(2029, 1, 1), D(2029, 6, 30), D(2029, 3, 31))


def test_next_cancellation_date_without_renewal_returns_none_after_deadline():
    contract = CONTRACT | {"renewal_months": 0}
    assert next_cancellation_date(**contract, on=D(2027, 2, 28)).term_end == D(2027, 3, 31)
    assert next_cancellation_date(**contract, on=D(2027, 3, 1)) is None


def test_next_cancellation_date_rejects_negative_renewal():
    with pytest.raises(ValueError):
        next_cancellation_date(**(CONTRACT | {"renewal_months": -1}), on=D(2027, 3, 1))


# --- participation_start ---------------------------------------------------------------------


def test_participation_start_next_day():
    assert participation_start(declared_on=D(2027, 12, 31), rule="next_day") == D(2028, 1, 1)


@pytest.mark.parametrize(
    ("declared_on", "expected"),
    [
        (D(2026, 10, 15), D(2027, 1, 1)),
        (D(2026, 11, 1), D(2027, 1, 1)),  # cut-off day is inclusive
        (D(2026, 11, 2), D(2027, 4, 1)),
        (D(2026, 12, 31), D(2027, 4, 1)),
        (D(2027, 1, 1), D(2027, 4, 1)),
        (D(2027, 2, 1), D(2027, 4, 1)),
        (D(2027, 2, 2), D(2027, 7, 1)),
        (D(2027, 5, 1), D(2027, 7, 1)),
        (D(2027, 5, 2), D(2027, 10, 1)),
        (D(2027, 7, 5), D(2027, 10, 1)),
        (D(2027, 8, 1), D(2027, 10, 1)),
        (D(2027, 8, 2), D(2028, 1, 1)),
        (D(2027, 9, 30), D(2028, 1, 1)),
    ],
)
def test_participation_start_next_quarter_default_cutoff(declared_on, expected):
    assert participation_start(declared_on=declared_on, rule=StartRule.NEXT_QUARTER) == expected


@pytest.mark.parametrize(
    ("declared_on", "months_before", "day", "expected"),
    [
        (D(2026, 12, 15), 1, 15, D(2027, 1, 1)),
        (D(2026, 12, 16), 1, 15, D(2027, 4, 1)),
        (D(2027, 3, 31), 1, 31, D(2027, 4, 1)),
        (D(2026, 11, 30), 2, 31, D(2027, 1, 1)),  # day 31 clamped to 30 November
        (D(2026, 12, 1), 2, 31, D(2027, 4, 1)),
        (D(2027, 6, 30), 0, 1, D(2027, 7, 1)),  # cut-off on the quarter start itself
        (D(2027, 1, 20), 3, 1, D(2027, 7, 1)),  # 1 Jan was the cut-off for 1 Apr
    ],
)
def test_participation_start_next_quarter_configurable_cutoff(declared_on, months_before, day, expected):
    start = participation_start(
        declared_on=declared_on,
        rule="next_quarter",
        quarter_cutoff_months_before=months_before,
        quarter_cutoff_day=day,
    )
    assert start == expected


@pytest.mark.parametrize(("months_before", "day"), [(-1, 1), (2, 0), (2, 32)])
def test_participation_start_rejects_invalid_cutoff(months_before, day):
    with pytest.raises(ValueError):
        participation_start(
            declared_on=D(2027, 1, 20),
            rule="next_quarter",
            quarter_cutoff_months_before=months_before,
            quarter_cutoff_day=day,
        )


@pytest.mark.parametrize(
    ("quarter_start", "cutoff"),
    [
        (D(2027, 1, 1), D(2026, 11, 1)),
        (D(2027, 4, 1), D(2027, 2, 1)),
        (D(2027, 7, 1), D(2027, 5, 1)),
        (D(2027, 10, 1), D(2027, 8, 1)),
    ],
)
def test_quarter_cutoff_defaults_match_domain(quarter_start, cutoff):
    assert quarter_cutoff(quarter_start) == cutoff


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2027, 1, 1), D(2027, 4, 1)),
        (D(2027, 3, 31), D(2027, 4, 1)),
        (D(2027, 12, 31), D(2028, 1, 1)),
        (D(2027, 10, 1), D(2028, 1, 1)),
    ],
)
def test_next_quarter_start_is_strictly_after(day, expected):
    assert next_quarter_start(day) == expected


@pytest.mark.parametrize(("last_day", "expected"), [(D(2027, 3, 30), D(2027, 3, 31)), (D(2027, 12, 31), D(2028, 1, 1))])
def test_participation_start_after_revocation(last_day, expected):
    start = participation_start(declared_on=D(2027, 3, 12), rule="after_revocation", revocation_last_day=last_day)
    assert start == expected


def test_participation_start_after_revocation_needs_last_day():
    with pytest.raises(ValueError):
        participation_start(declared_on=D(2027, 3, 12), rule="after_revocation")


def test_participation_start_rejects_revocation_end_before_declaration():
    with pytest.raises(ValueError):
        participation_start(declared_on=D(2027, 3, 12), rule="after_revocation", revocation_last_day=D(2027, 3, 1))


@pytest.mark.parametrize("rule", ["", "quarterly", "NEXT_DAY", "after_revocation_next_quarter"])
def test_participation_start_rejects_unknown_rule(rule):
    with pytest.raises(ValueError):
        participation_start(declared_on=D(2027, 3, 12), rule=rule)


def test_lifecycle_dates_from_te_to_first_cancellation():
    # TE Friday 12.03.2027 (BW insured, fund seat BW) → revocation until 30.03.2027 →
    # start 01.04.2027 (cut-off 28.03.) → binding until 31.03.2028 → cancel by 29.02.2028.
    revocation = revocation_deadline(declared_on=D(2027, 3, 12), instructed_on=D(2027, 3, 12), lands=["BW"])
    assert revocation.last_day == D(2027, 3, 30)
    start = participation_start(
        declared_on=D(2027, 3, 12), rule="next_quarter", quarter_cutoff_months_before=1, quarter_cutoff_day=28
    )
    assert start == D(2027, 4, 1)
    term = next_cancellation_date(start=start, binding_months=12, renewal_months=12, notice_months=1, on=D(2027, 4, 1))
    assert term == CancellationTerm(D(2027, 4, 1), D(2028, 3, 31), D(2028, 2, 29))


def test_holiday_lands_are_the_persons_and_the_fund_seats():
    assert holiday_lands("SN", fund_seat_land="BW") == ("SN", "BW")
    assert holiday_lands(["BW"], fund_seat_land="BW") == ("BW",)
    assert holiday_lands(["SN", "TH"], fund_seat_land="SN") == ("SN", "TH")
    assert holiday_lands((), fund_seat_land="HE") == ("HE",)  # the catalogue: nobody known yet
    assert holiday_lands("by", fund_seat_land=None) == ("BY",)  # the calculator without a fund
    with pytest.raises(ValueError):
        holiday_lands((), fund_seat_land=None)
