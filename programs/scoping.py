"""Which fund a staff account belongs to; used by the admin and by selectors.

Superusers see every fund. Any other account sees only the fund of its
`StaffMembership`; an account without membership sees nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from programs.models import Fund


def user_fund_id(user) -> int | None:
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return membership.fund_id if membership is not None else None


def scope_to_fund(qs: QuerySet, user, fund_path: str) -> QuerySet:
    """Filter `qs` to rows whose `fund_path` (e.g. "contract__fund") is the user's fund."""
    if user.is_superuser:
        return qs
    fund_id = user_fund_id(user)
    if fund_id is None:
        return qs.none()
    return qs.filter(**{fund_path: fund_id})


def funds_for_user(user) -> QuerySet[Fund]:
    return scope_to_fund(Fund.objects.all(), user, "pk")
