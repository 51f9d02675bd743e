"""Django's `cached_db` session store with the outage correction of `config.session_store`:
sessions are written to the database and the cache and read from the cache. Chosen by the
settings only when the cache is shared by every process (Redis, memcached); with a cache per
process a sign-out in one worker would leave the session alive in the others."""

from __future__ import annotations

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseSessionStore

from config.session_store import OutageAware


class SessionStore(OutageAware, CachedDatabaseSessionStore):
    pass
