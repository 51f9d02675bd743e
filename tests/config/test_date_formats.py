"""One date format per language: templates and code name a format setting, never a pattern."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.utils import translation

from programs import dates

ROOT = Path(__file__).resolve().parents[2]
APPS = ["programs", "providers", "enrollment", "reports", "backoffice", "legal", "config"]
# Machine formats that must not follow the language: CSV files exchanged with the funds.
MACHINE_FORMATS = {"providers/csv_io.py"}
SETTING_NAMES = {"DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "MONTH_DAY_FORMAT"}


def test_templates_format_dates_by_setting_name_only():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        for name in re.findall(r'\|date:"([^"]*)"', path.read_text()):
            if name not in SETTING_NAMES:
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_code_writes_no_german_date_pattern_for_people():
    pattern = re.compile(r"""(strftime|date_format)\([^)]*["'][^"']*(%d\.%m|d\.m\.|j\. F)""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if str(path.relative_to(ROOT)) not in MACHINE_FORMATS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_each_language_has_its_own_format():
    day = dt.date(2027, 3, 30)
    moment = dt.datetime(2027, 3, 30, 9, 5, 7, tzinfo=dt.UTC)  # 11:05:07 in Berlin (summer time)
    with translation.override("de"):
        assert dates.short_date(day) == "30.03.2027"
        assert dates.weekday_date(day) == "Dienstag, 30.03.2027"
        assert dates.moment(moment) == "30.03.2027, 11:05"
        assert dates.moment(moment, seconds=True) == "30.03.2027, 11:05:07"
    with translation.override("en"):
        assert dates.short_date(day) == "30 Mar 2027"
        assert dates.weekday_date(day) == "Tuesday, 30 Mar 2027"
        assert dates.moment(moment) == "30 Mar 2027, 11:05"
    assert dates.short_date(None) == dates.weekday_date(None) == dates.moment(None) == ""
