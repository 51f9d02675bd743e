"""Template filters for dates (registered as a builtin in settings, see ``programs.dates``)."""

from django import template

from programs import dates

register = template.Library()
register.filter("weekday_date", dates.weekday_date)
