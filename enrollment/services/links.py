"""Account links and legal representations: explicit decisions of the fund's staff.

Each service runs in one transaction, locks the person rows, checks the permission
(`enrollment.link_account` / `enrollment.record_representation`), checks that every person
concerned belongs to the actor's fund (the operator, a superuser, may cross funds), and writes
a `PersonLinkEvent`. Nothing else assigns `InsuredPerson.user` on behalf of staff or writes
`LegalRepresentation` rows (the insured's own activation code is `account_register`).

No staff account is ever linked to an insured person, and a clerk never makes a person linked
to their own account a representative: staff work with a staff account, and use the portal
as insured persons with a separate one.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from enrollment.lifecycle import EnrollmentError
from enrollment.models import InsuredPerson, LegalRepresentation, PersonLinkEvent
from programs.scoping import user_fund_id

LINK_PERMISSION = "enrollment.link_account"
REPRESENTATION_PERMISSION = "enrollment.record_representation"


class LinkRefused(EnrollmentError):
    """The link or representation may not be made (German message for the page)."""


def _require(actor, permission: str) -> None:
    if actor is None or not actor.is_active or not actor.has_perm(permission):
        raise LinkRefused(_("Dazu fehlt Ihnen die Berechtigung."))


def _require_own_fund(actor, *persons: InsuredPerson) -> None:
    if actor.is_superuser:
        return
    fund_id = user_fund_id(actor)
    if fund_id is None or any(p.fund_id != fund_id for p in persons):
        raise LinkRefused(_("Die Person gehört nicht zu Ihrer Kasse."))


def _locked(*persons: InsuredPerson) -> list[InsuredPerson]:
    pks = sorted({p.pk for p in persons})
    by_pk = {p.pk: p for p in InsuredPerson.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    return [by_pk[p.pk] for p in persons]


def _is_staff_account(user) -> bool:
    return user.is_staff or user.is_superuser or hasattr(user, "membership")


def insured_account_link(*, person: InsuredPerson, user, actor, now: dt.datetime, reason: str = "") -> PersonLinkEvent:
    """Link the portal account `user` to `person` (e.g. after a failed self-registration).

    Refused: the actor's own account, any staff account, an account already linked to a person
    (the message does not say to whom), a person that already has an account."""
    _require(actor, LINK_PERMISSION)
    with transaction.atomic():
        (person,) = _locked(person)
        _require_own_fund(actor, person)
        if user.pk == actor.pk:
            raise LinkRefused(_("Ihr eigenes Konto können Sie nicht mit einer versicherten Person verknüpfen."))
        if _is_staff_account(user) or not user.is_active or InsuredPerson.objects.filter(user=user).exists():
            raise LinkRefused(_("Dieses Konto kann nicht verknüpft werden."))
        if person.user_id is not None:
            raise LinkRefused(_("Die Person hat bereits ein Konto. Heben Sie diese Verknüpfung zuerst auf."))
        person.user = user
        try:
            with transaction.atomic():
                person.save(update_fields=["user"])
        except IntegrityError as error:  # linked elsewhere in a parallel transaction
            raise LinkRefused(_("Dieses Konto kann nicht verknüpft werden.")) from error
        return PersonLinkEvent.objects.create(
            kind=PersonLinkEvent.Kind.ACCOUNT_LINKED, at=now, actor=actor, person=person, user=user, reason=reason
        )


def insured_account_unlink(*, person: InsuredPerson, actor, now: dt.datetime, reason: str = "") -> PersonLinkEvent:
    _require(actor, LINK_PERMISSION)
    with transaction.atomic():
        (person,) = _locked(person)
        _require_own_fund(actor, person)
        if person.user_id is None:
            raise LinkRefused(_("Die Person hat kein verknüpftes Konto."))
        user = person.user
        person.user = None
        person.save(update_fields=["user"])
        return PersonLinkEvent.objects.create(
            kind=PersonLinkEvent.Kind.ACCOUNT_UNLINKED, at=now, actor=actor, person=person, user=user, reason=reason
        )


def _representation_data(representation: LegalRepresentation) -> dict:
    return {
        "kind": representation.kind,
        "valid_from": representation.valid_from.isoformat() if representation.valid_from else None,
        "valid_until": representation.valid_until.isoformat() if representation.valid_until else None,
    }


def check_representation(actor, representative: InsuredPerson, represented: InsuredPerson, valid_from, valid_until):
    """The guard of record/change, also asked by the admin form so that the page can say why."""
    _require_own_fund(actor, representative, represented)
    if representative.pk == represented.pk:
        raise LinkRefused(_("Eine Person kann sich nicht selbst vertreten."))
    if representative.user_id is not None and representative.user_id == actor.pk:
        raise LinkRefused(_("Eine mit Ihrem eigenen Konto verknüpfte Person können Sie nicht als Vertretung erfassen."))
    if valid_from and valid_until and valid_until < valid_from:
        raise LinkRefused(_("Das Ende der Vertretung liegt vor ihrem Beginn."))


def representation_record(
    *,
    representative: InsuredPerson,
    represented: InsuredPerson,
    kind: str,
    actor,
    now: dt.datetime,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    reason: str = "",
) -> LegalRepresentation:
    """Record that `representative` is the parent or guardian of `represented` (§ 36 SGB I)."""
    _require(actor, REPRESENTATION_PERMISSION)
    with transaction.atomic():
        representative, represented = _locked(representative, represented)
        check_representation(actor, representative, represented, valid_from, valid_until)
        if LegalRepresentation.objects.filter(representative=representative, represented=represented).exists():
            raise LinkRefused(_("Diese Vertretung ist bereits erfasst."))
        representation = LegalRepresentation.objects.create(
            representative=representative,
            represented=represented,
            kind=kind,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        PersonLinkEvent.objects.create(
            kind=PersonLinkEvent.Kind.REPRESENTATION_RECORDED,
            at=now,
            actor=actor,
            person=represented,
            representative=representative,
            reason=reason,
            data=_representation_data(representation),
        )
        return representation


def representation_change(
    *,
    representation: LegalRepresentation,
    kind: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    actor,
    now: dt.datetime,
    reason: str = "",
) -> LegalRepresentation:
    """Change kind and period of a representation (the persons stay; record a new one instead)."""
    _require(actor, REPRESENTATION_PERMISSION)
    with transaction.atomic():
        representation = LegalRepresentation.objects.select_for_update().get(pk=representation.pk)
        representative, represented = _locked(representation.representative, representation.represented)
        check_representation(actor, representative, represented, valid_from, valid_until)
        before = _representation_data(representation)
        representation.kind, representation.valid_from, representation.valid_until = kind, valid_from, valid_until
        representation.save(update_fields=["kind", "valid_from", "valid_until"])
        PersonLinkEvent.objects.create(
            kind=PersonLinkEvent.Kind.REPRESENTATION_CHANGED,
            at=now,
            actor=actor,
            person=represented,
            representative=representative,
            reason=reason,
            data={"before": before, "after": _representation_data(representation)},
        )
        return representation


def representation_remove(*, representation: LegalRepresentation, actor, now: dt.datetime, reason: str = "") -> None:
    """Remove a representation recorded in error (an ended one gets `valid_until` instead)."""
    _require(actor, REPRESENTATION_PERMISSION)
    with transaction.atomic():
        representation = LegalRepresentation.objects.select_for_update().get(pk=representation.pk)
        representative, represented = _locked(representation.representative, representation.represented)
        _require_own_fund(actor, representative, represented)
        data = _representation_data(representation)
        representation.delete()
        PersonLinkEvent.objects.create(
            kind=PersonLinkEvent.Kind.REPRESENTATION_REMOVED,
            at=now,
            actor=actor,
            person=represented,
            representative=representative,
            reason=reason,
            data=data,
        )
