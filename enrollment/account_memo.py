"""Pages of a signed-in account rendered once per account version and day (issue 11).

A signed-in person's pages ("Mein Bereich", a participation's status page) read their
persons, participations, events, requests and documents and render them: some 4–8 ms per
request, most of it in Django's query compiling and the templates, while the data changes a
few times a year. Here the rendered content is kept in this process under a key of

- the account and its `AccountVersion` (moved on by database triggers in the same transaction
  as any change to what the account sees, migration 0174: no write path can forget it),
- the day (Europe/Berlin: deadlines, "in der Widerrufsfrist" and the timeline change at
  midnight, never within a day), the language, the script prefix and the catalogue version
  (programs, contracts and doctors shown by name),
- what the page itself names (the participation's id).

The version is read *before* the data, both from the primary database (config/db_routers.py
sends only the reports to a replica): a change committed in between gives data newer than the
key, which the next request replaces; never older data under a newer key.

What may go in: content that follows from the key alone. Never the CSRF token, the CSP
nonce, messages or anything from the query string; none of the two pages has a form in its
content. The access check is part of the content: a participation the account may not see
raises Http404 in `compute`, and nothing is kept. Entries live in this process only (never in
the shared cache), least recently used out beyond MAX_ENTRIES.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from django.db import connection
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language

from enrollment.models import AccountVersion
from programs.caching import catalogue_version, memoised_in

#: A rendered status page is some 10 KB: 2,000 entries keep a worker under about 20 MB.
MAX_ENTRIES = 2000
_pages: OrderedDict[tuple, object] = OrderedDict()


@dataclass(frozen=True)
class RenderedPage:
    """A page's title and content as rendered from its partials `<name>-title` and
    `<name>-body`, without the request (so nothing of the request can end up in the memo)."""

    title: str
    body: str

    @classmethod
    def of(cls, template: str, name: str, context: dict) -> RenderedPage:
        return cls(
            title=render_to_string(f"{template}#{name}-title", context),
            body=render_to_string(f"{template}#{name}-body", context),
        )


def account_version(user_id: int) -> int:
    """The account's data version (0 before its first change). In plain SQL: every signed-in
    page asks, and Django's compiling of the same query cost 0.17–0.22 ms of the 0.33–0.38 ms
    it took (PostgreSQL, best of seven)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {AccountVersion._meta.db_table} WHERE user_id = %s", [user_id])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


def memoised_for_account(user, name: str, key: tuple, compute):
    """`compute(now)` for this account's page `name` with `key`, from the memo while nothing
    the account sees has changed (module docstring). `now` is the moment whose day is in the
    key: a request at midnight keeps one day's page under that day."""
    version = account_version(user.pk)  # first: see the module docstring
    now = timezone.now()
    full_key = (
        name,
        user.pk,
        version,
        timezone.localdate(now),
        get_language(),
        get_script_prefix(),
        catalogue_version(),
        key,
    )
    return memoised_in(_pages, MAX_ENTRIES, full_key, lambda: compute(now))


def clear() -> None:
    _pages.clear()
