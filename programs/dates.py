"""Dates in words for people, in the active language: one format per language.

The formats themselves are in ``config/formats/<lang>/formats.py`` (``FORMAT_MODULE_PATH``);
templates use ``|date:"SHORT_DATE_FORMAT"`` and friends or the ``weekday_date`` filter of
``programs.templatetags.dates`` (a builtin: no ``{% load %}`` needed). Machine formats
(CSV files, iCalendar) do not come from here.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format


def short_date(day: dt.date | None) -> str:
    """ "04.12.2026" / "4 Dec 2026"; "" for no day."""
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def weekday_date(day: dt.date | None) -> str:
    """ "Freitag, 04.12.2026" / "Friday, 4 Dec 2026": for deadlines, where the weekday matters."""
    return f"{date_format(day, 'l')}, {date_format(day, 'SHORT_DATE_FORMAT')}" if day else ""


def moment(value: dt.datetime | None, *, seconds: bool = False) -> str:
    """A point in time in local time: "04.12.2026, 09:30" (with seconds for records of a declaration)."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "DATETIME_FORMAT" if seconds else "SHORT_DATETIME_FORMAT")
