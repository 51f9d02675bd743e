"""Who may read which report (reads only).

Invariant: a published report year (`published_at` ≤ now) is readable by everybody,
including anonymous users; an unpublished one only by members of its fund (staff and
analysts, `programs.scoping`) and superusers. Everything else is a 404, never a 403, so
the existence of unpublished data is not revealed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from programs.models import StaffMembership
from programs.scoping import user_fund_id
from reports.models import ReportYear


def visible_report_years(user, *, now) -> QuerySet[ReportYear]:
    qs = ReportYear.objects.select_related("fund")
    published = Q(published_at__isnull=False, published_at__lte=now)
    if getattr(user, "is_superuser", False):
        return qs
    fund_id = user_fund_id(user) if getattr(user, "is_authenticated", False) else None
    if fund_id is not None:
        return qs.filter(published | Q(fund_id=fund_id))
    return qs.filter(published)


def report_year_for_user_or_404(user, *, fund_slug: str, year: int, now) -> ReportYear:
    report_year = visible_report_years(user, now=now).filter(fund__slug=fund_slug, year=year).first()
    if report_year is None:
        raise Http404("No such report")
    return report_year


def can_publish(user, report_year: ReportYear) -> bool:
    """Analysts of the report's fund (and superusers) publish and withdraw reports."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and membership.fund_id == report_year.fund_id
        and membership.role == StaffMembership.Role.ANALYST
    )


def is_member(user, report_year: ReportYear) -> bool:
    """Members of the fund see unpublished figures, import history and the publish state."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user_fund_id(user) == report_year.fund_id
