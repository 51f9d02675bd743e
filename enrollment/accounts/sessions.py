"""Session lifetime (issue 9 §2): an idle timeout, an absolute timeout and "sign out on all
devices".

- Idle: the session expires `SESSION_IDLE_MINUTES` (default 30) after the last request. The
  middleware refreshes the expiry at most once a minute (a write per request would cost every
  page a database write). Pages of signed-in persons warn before it ends and let them extend it
  (templates/includes/session_timeout.html, static/js/session-timeout.js; WCAG 2.2.1); without
  JavaScript the page says when the session ends.
- Absolute: `SESSION_ABSOLUTE_HOURS` (default 12) after sign-in the session ends, active or not.
- All devices: every session remembers the account's `SessionEpoch` at sign-in;
  `sign_out_everywhere` moves the epoch on, and every other session ends at its next request.
  The epoch is cached (shared cache; Redis in production) so a request costs no query.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils.translation import gettext as _

from enrollment.models import SessionEpoch

STARTED = "_session_started"
SEEN = "_session_seen"
EPOCH = "_session_epoch"
REFRESH_SECONDS = 60


def idle_seconds() -> int:
    return int(settings.SESSION_IDLE_MINUTES) * 60


def absolute_seconds() -> int:
    return int(settings.SESSION_ABSOLUTE_HOURS) * 3600


def _cache_key(user_id: int) -> str:
    return f"session-epoch:{user_id}"


def current_epoch(user_id: int) -> int:
    epoch = cache.get(_cache_key(user_id))
    if epoch is None:
        epoch = SessionEpoch.objects.filter(user_id=user_id).values_list("epoch", flat=True).first() or 0
        cache.set(_cache_key(user_id), epoch, 3600)
    return epoch


def sign_out_everywhere(user) -> int:
    """End every session of the account (this one too: the caller logs it out). Returns the
    new epoch."""
    with transaction.atomic():
        row, _created = SessionEpoch.objects.select_for_update().get_or_create(user=user)
        SessionEpoch.objects.filter(pk=row.pk).update(epoch=F("epoch") + 1)
        row.refresh_from_db()
    cache.delete(_cache_key(user.pk))
    return row.epoch


@receiver(user_logged_in)
def _remember_start(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now
    request.session[EPOCH] = current_epoch(user.pk)
    request.session.set_expiry(idle_seconds())


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware: ends sessions past the absolute timeout or of an older
    epoch, and keeps the idle expiry moving."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = int(time.time())
            started = session.get(STARTED)
            if started is None:  # a session from before this middleware: starts now
                session[STARTED] = started = now
            if now - started > absolute_seconds() or session.get(EPOCH, 0) != current_epoch(user.pk):
                logout(request)
                messages.info(request, _("Ihre Sitzung wurde beendet. Bitte melden Sie sich erneut an."))
            elif now - session.get(SEEN, 0) >= REFRESH_SECONDS:
                session[SEEN] = now
                session.set_expiry(idle_seconds())
        return self.get_response(request)


def context(request) -> dict:
    """For the session warning of signed-in pages (templates/includes/session_timeout.html)."""
    return {
        "session_idle_seconds": idle_seconds(),
        "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
        "session_warning_seconds": getattr(settings, "SESSION_WARNING_SECONDS", 120),
    }
