"""German date formats of the portal: one style everywhere (pages, PDFs, e-mails, admin).

Django's own "de" module stays in force for everything not set here (numbers, input formats).
The weekday form ("Freitag, 04.12.2026") is built by ``programs.dates.weekday_date`` from
``SHORT_DATE_FORMAT``, so there is nothing else to keep in step.
"""

DATE_FORMAT = "d.m.Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y, H:i:s"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
MONTH_DAY_FORMAT = "d.m."
YEAR_MONTH_FORMAT = "F Y"
