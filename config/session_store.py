"""The database session store, with one correction: a database that is unreachable is an
outage (503 with Retry-After, config/errors.py), not a deleted session.

Django's `db` store turns every `DatabaseError` while updating a session into `UpdateError`,
which the session middleware answers with 400 "the session was deleted before the request
completed". During a PostgreSQL restart that turned ordinary requests into 400s
(bench/load.py --restart-db). Here the original error goes on when it is a connection error.

With a shared cache (Redis, memcached) the settings choose `config.cached_session_store`
instead: Django's `cached_db` store with the same correction, which reads a session from the
cache and the database only when the cache lost it (one query less on every signed-in page).
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from config.errors import database_unavailable


class OutageAware:
    """Mixin for a store based on Django's `db` store: a connection error stays an outage."""

    def save(self, must_create=False):
        try:
            return super().save(must_create=must_create)
        except UpdateError as error:
            if database_unavailable(error.__context__):
                raise error.__context__ from None
            raise


class SessionStore(OutageAware, DatabaseSessionStore):
    pass
