"""English date formats of the portal: day, short month name and year ("4 Dec 2026"), which
no reader can take for a month-first American date. See ``config/formats/de/formats.py``."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i:s"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "F Y"
