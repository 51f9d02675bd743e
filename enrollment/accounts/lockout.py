"""Brute-force protection for every login step (django-axes, database handler).

Invariants:
- A user name is locked from one client address after settings.AXES_FAILURE_LIMIT failures, and
  from every address after settings.AXES_USERNAME_FAILURE_LIMIT failures (a slow attack spread
  over many addresses), both within settings.AXES_COOLOFF_TIME. While locked, even the correct
  password or code is refused.
- Failures count the same for unknown user names, and the lockout page is the same for all: it
  does not tell whether an account exists.
- The count lives in the database (AccessAttempt), so every worker sees the same lock.
- Password step (`LockoutBackend`), second-factor step (`second_factor_locked` /
  `second_factor_failed`) and the insured and staff logins share the same counter per user name.
- A fund administrator (permission `enrollment.unlock_login`) lifts locks of their fund's
  accounts (`login_unlock`); the operator (superuser) lifts any lock.
"""

from __future__ import annotations

import logging

from axes.backends import AxesStandaloneBackend
from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger(__name__)


def axes_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The user name as counted: trimmed and case-folded, so "Anna" and "anna " are one name."""
    value = (credentials or {}).get("username")
    if value is None and request is not None and request.method == "POST":
        value = request.POST.get("username")
    value = (value or "").strip().casefold()
    return value[:255] or None


class LockoutBackend(AxesStandaloneBackend):
    """Refuses every password check of a locked user name (first in AUTHENTICATION_BACKENDS).

    Calls without a request (the test client's `login`, the shell) and passkey sign-ins (no user
    name; a signature cannot be guessed) are no login attempts over the network: not counted.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PortalAxesHandler(AxesDatabaseHandler):
    """Two limits: per (user name, address) and a higher one per user name from anywhere."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]: one queryset each.
        per_address, per_name = (
            qs.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for qs in self.get_user_attempts(request, credentials)
        )
        if per_name >= settings.AXES_USERNAME_FAILURE_LIMIT:
            return max(per_address, settings.AXES_FAILURE_LIMIT)
        return per_address


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The German lockout page (HTTP 429); the same for known and unknown user names."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(
        request,
        "registration/locked.html",
        {"minutes": minutes},
        status=axes_settings.AXES_HTTP_RESPONSE_CODE,
    )


# --------------------------------------------------------------------------- second-factor step


def second_factor_locked(request: HttpRequest, *, username: str) -> bool:
    if not settings.AXES_ENABLED:
        return False
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


def second_factor_failed(request: HttpRequest, *, username: str) -> None:
    """Count a wrong code like a wrong password (sets request.axes_locked_out when it locks)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


# --------------------------------------------------------------------------- unlock


def _fund_usernames(fund_id: int) -> QuerySet:
    User = get_user_model()
    return User.objects.filter(Q(membership__fund_id=fund_id) | Q(insured_person__fund_id=fund_id)).values_list(
        "username", flat=True
    )


def lockouts_visible_to(user) -> QuerySet[AccessAttempt]:
    """Recorded failures a fund administrator may see: those of their fund's accounts.

    Failures of unknown user names (or of other funds' accounts) are visible to the operator
    (superuser) only.
    """
    qs = AccessAttempt.objects.all()
    if user.is_superuser:
        return qs
    from programs.scoping import user_fund_id

    fund_id = user_fund_id(user)
    if fund_id is None:
        return qs.none()
    names = [name.casefold() for name in _fund_usernames(fund_id)]
    return qs.filter(username__in=names)


def with_lock_state(qs: QuerySet[AccessAttempt], *, now=None) -> QuerySet[AccessAttempt]:
    """Annotate `name_failures` and `address_failures` within the cool-off, and `locked`."""
    now = now or timezone.now()
    recent = AccessAttempt.objects.filter(
        username=OuterRef("username"), attempt_time__gte=now - (get_cool_off() or timezone.timedelta(0))
    ).order_by()

    def total(rows):
        return Coalesce(Subquery(rows.values("username").annotate(t=Sum("failures_since_start")).values("t")), 0)

    return qs.annotate(
        name_failures=total(recent), address_failures=total(recent.filter(ip_address=OuterRef("ip_address")))
    ).annotate(
        locked=Q(address_failures__gte=settings.AXES_FAILURE_LIMIT)
        | Q(name_failures__gte=settings.AXES_USERNAME_FAILURE_LIMIT)
    )


def login_unlock(*, by, usernames: list[str]) -> int:
    """Delete the recorded failures of `usernames` that `by` may see; returns the rows removed.

    The count only (no user names, no addresses) goes to the server log.
    """
    visible = lockouts_visible_to(by).filter(username__in=[name.casefold() for name in usernames])
    removed, _detail = visible.delete()
    logger.info("login lock lifted: %s attempt rows removed by user id %s", removed, by.pk)
    return removed
