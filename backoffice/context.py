"""Who made a change: the pghistory context of requests and management commands.

Every statement inside a context carries its metadata to the audit triggers, which store
it with the event rows (`pghistory.Context`): `user` (the account's id) and `url` (the
path, never the query string: it may hold a KVNR) for requests; `command` and the
operating-system user for management commands and the shell. PostgreSQL only: on SQLite
pghistory's statement prefix (`set_config`) does not exist and there are no triggers.
"""

from __future__ import annotations

import contextlib
import getpass

from django.db import connection

#: Commands that serve many requests or tasks: each request/task gets its own context.
_SERVERS = {"runserver", "testserver", "db_worker", "test", "runworker"}


def audit_enabled() -> bool:
    return connection.vendor == "postgresql"


def command_context(argv: list[str]):
    """Context for one management command (`manage.py`), or a no-op."""
    command = argv[1] if len(argv) > 1 else ""
    if not command or command in _SERVERS or command.startswith("-") or not audit_enabled():
        return contextlib.nullcontext()
    import pghistory

    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        os_user = ""
    return pghistory.context(command=command, os_user=os_user)


class AuditContextMiddleware:
    """Attach the signed-in account and the path to every change made by a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not audit_enabled():
            return self.get_response(request)
        import pghistory

        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        with pghistory.context(user=user_id, url=request.path):
            return self.get_response(request)
