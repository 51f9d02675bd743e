"""Error pages. While the database is unreachable, pages answer 503 with Retry-After, never 500.

Django calls `handler500` inside the `except` block of the failed request, so the exception is
still visible in `sys.exc_info()`; that covers errors raised in middleware (sessions,
authentication) as well as in views. The 503 page is rendered without a request context:
context processors would touch the database (the session, the user) that is down.
"""

from __future__ import annotations

import sys

from django import db
from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (db.OperationalError, db.InterfaceError)


def database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, DATABASE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    if database_unavailable(sys.exc_info()[1]):
        response = HttpResponseServerError(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(loader.get_template(template_name).render())
