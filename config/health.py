"""`/healthz`: is this app server fit to take requests? For the load balancer and monitoring.

Checks the database (a trivial query), the cache (a write and a read) and the task worker (no
task waiting longer than HEALTH_WORKER_MAX_WAIT seconds: a stuck or missing worker shows up as
a growing backlog). Answers 200 when all hold, 503 otherwise; the body names each check and
holds no data about people.

With a read replica for the reports (REPORTS_READ_DATABASE) it is checked too; an unreachable
replica makes the status "degraded" but keeps the answer 200: only the report pages need it,
and the load balancer must not take every app server out of service because of it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from config.errors import DATABASE_ERRORS


def _select_one(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")


def _database(alias: str = "default") -> str:
    try:
        _select_one(alias)
        return "ok"
    except DATABASE_ERRORS:
        return "unreachable"


def _cache() -> str:
    try:
        cache.set("healthz", "1", 10)
        return "ok" if cache.get("healthz") == "1" else "not storing"
    except Exception:  # noqa: BLE001 - any backend error means the cache is not usable
        return "unreachable"


def _worker(now: dt.datetime) -> str:
    if (
        "django_tasks_db" not in settings.INSTALLED_APPS
        or "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]
    ):
        return "not used"
    from django_tasks_db.models import DBTaskResult, get_date_max

    limit = now - dt.timedelta(seconds=getattr(settings, "HEALTH_WORKER_MAX_WAIT", 300))
    try:
        due_long_ago = Q(run_after=get_date_max(), enqueued_at__lt=limit) | Q(run_after__lt=limit)
        stuck = DBTaskResult.objects.ready().filter(due_long_ago).exists()
    except DATABASE_ERRORS:
        return "unknown"
    return "backlog" if stuck else "ok"


@never_cache
def healthz(request):
    checks = {"database": _database(), "cache": _cache()}
    checks["worker"] = _worker(timezone.now()) if checks["database"] == "ok" else "unknown"
    healthy = all(value in {"ok", "not used"} for value in checks.values())
    status = "ok" if healthy else "unhealthy"
    replica = getattr(settings, "REPORTS_READ_DATABASE", "")
    if replica and replica != "default":
        checks["replica"] = _database(replica)
        if healthy and checks["replica"] != "ok":
            status = "degraded"
    return JsonResponse({"status": status, "checks": checks}, status=200 if healthy else 503)
