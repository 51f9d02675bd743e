"""Reads of insured persons that check who may see whom.

Invariant: a signed-in user reaches only their own `InsuredPerson` and the persons they
legally represent on the given day (`LegalRepresentation` valid on that day). Everything
else is a 404, never a 403, so the existence of other records is not revealed.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from enrollment.lifecycle import RUNNING_STATUSES
from enrollment.models import InsuredPerson, LegalRepresentation, Participation


def _valid_on(day: date, prefix: str = "") -> Q:
    """A representation is valid on `day` when `day` lies within [valid_from, valid_until]."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


def representations_for_user(user, *, on_date: date | None = None) -> QuerySet[LegalRepresentation]:
    """Representations valid on `on_date` (default: today) in which the user's person is the representative."""
    if not getattr(user, "is_authenticated", False):
        return LegalRepresentation.objects.none()
    day = on_date or timezone.localdate()
    return LegalRepresentation.objects.filter(_valid_on(day), representative__user=user)


def persons_for_user_qs(user, *, on_date: date | None = None) -> QuerySet[InsuredPerson]:
    """Queryset of the user's own record plus the persons they represent on `on_date`."""
    if not getattr(user, "is_authenticated", False):
        return InsuredPerson.objects.none()
    day = on_date or timezone.localdate()
    represented_ids = representations_for_user(user, on_date=day).values("represented_id")
    return InsuredPerson.objects.filter(Q(user=user) | Q(pk__in=represented_ids)).select_related("fund", "land")


def persons_for_user(user, *, on_date: date | None = None) -> list[InsuredPerson]:
    """The user's own record first, then the represented persons (by birth date, oldest first)."""
    persons = list(persons_for_user_qs(user, on_date=on_date))
    persons.sort(key=lambda p: (p.user_id != user.pk, p.birth_date, p.last_name, p.first_name))
    return persons


def person_for_user_or_404(user, person_id, *, on_date: date | None = None) -> InsuredPerson:
    """The person with `person_id` if the user may act for them; otherwise `Http404`."""
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        raise Http404("No such person") from None
    person = persons_for_user_qs(user, on_date=on_date).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


def own_person(user) -> InsuredPerson | None:
    """The insured record linked to the user's account, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return InsuredPerson.objects.filter(user=user).select_related("fund", "land").first()


def running_program_ids(person: InsuredPerson) -> frozenset[int]:
    """Programs the person takes part in now (running participations): what the catalogue's
    eligibility rules need to know about participations (prerequisites, exclusions)."""
    return frozenset(
        Participation.objects.filter(person=person, status__in=RUNNING_STATUSES).values_list("program_id", flat=True)
    )
