"""The audit trail (field history) and the access log of the back office.

Field history: django-pghistory writes a snapshot row for every insert, update and delete
of the tracked models by a PostgreSQL trigger, so bulk updates (`QuerySet.update`), raw
SQL, commands and the shell are recorded as well as admin edits. The triggers and event
tables hang on proxy models here, so all migrations live in this app and the domain apps
stay untouched. Who did it comes from the pghistory context (`backoffice.middleware`,
`manage.py`). On SQLite the triggers are not installed (pgtrigger skips them): the
history is then empty; see docs/audit.md.

`ParticipationEventGuard` adds a PostgreSQL trigger that refuses UPDATE and DELETE on
participation events (the model and queryset guard in `enrollment.append_only` does the
same on every database).

`AccessLogEntry`: one row per insured person whose data a staff member saw, and how.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    CancellationRequest,
    DoctorChangeRequest,
    InsuredPerson,
    LegalRepresentation,
    Participation,
    ParticipationEvent,
)
from programs.models import Contract, Fund, FundRegion, Program, StaffMembership
from providers.models import ContractParticipation, Provider

User = get_user_model()


def _trackers():
    """Snapshot on every insert, update (of a tracked field) and delete (new instances per
    model: pghistory binds a tracker to the model it tracks)."""
    # Statement-level triggers: one trigger call per statement (not per row) keeps bulk
    # inserts and updates fast; measured in docs/audit.md.
    level = pgtrigger.Statement
    return (pghistory.InsertEvent(level=level), pghistory.UpdateEvent(level=level), pghistory.DeleteEvent(level=level))


def _track(**kwargs):
    # The event row keeps the object id even after the object is deleted (no FK constraint).
    return pghistory.track(
        *_trackers(), obj_field=pghistory.ObjForeignKey(related_name="audit_events", db_constraint=False), **kwargs
    )


@_track(model_name="FundAudit")
class TrackedFund(Fund):
    class Meta:
        proxy = True


@_track(model_name="FundRegionAudit")
class TrackedFundRegion(FundRegion):
    class Meta:
        proxy = True


@_track(model_name="ProgramAudit")
class TrackedProgram(Program):
    class Meta:
        proxy = True


@_track(model_name="ContractAudit")
class TrackedContract(Contract):
    class Meta:
        proxy = True


@_track(model_name="ProviderAudit")
class TrackedProvider(Provider):
    class Meta:
        proxy = True


@_track(model_name="ContractParticipationAudit")
class TrackedContractParticipation(ContractParticipation):
    class Meta:
        proxy = True


@_track(model_name="InsuredPersonAudit")
class TrackedInsuredPerson(InsuredPerson):
    class Meta:
        proxy = True


@_track(model_name="LegalRepresentationAudit")
class TrackedLegalRepresentation(LegalRepresentation):
    class Meta:
        proxy = True


# `updated_at` changes on every save: a snapshot only when something else changed.
@_track(model_name="ParticipationAudit")
class TrackedParticipation(Participation):
    class Meta:
        proxy = True


@_track(model_name="DoctorChangeRequestAudit")
class TrackedDoctorChangeRequest(DoctorChangeRequest):
    class Meta:
        proxy = True


@_track(model_name="CancellationRequestAudit")
class TrackedCancellationRequest(CancellationRequest):
    class Meta:
        proxy = True


@_track(model_name="StaffMembershipAudit")
class TrackedStaffMembership(StaffMembership):
    class Meta:
        proxy = True


# Staff accounts: not the password hash (a secret) and not last_login (changes at every sign-in).
@_track(model_name="UserAudit", exclude=["password", "last_login"])
class TrackedUser(User):
    class Meta:
        proxy = True


# Group (= role) memberships of accounts: insert and delete of the m2m rows.
pghistory.track(
    pghistory.InsertEvent("role.add", level=pgtrigger.Statement),
    pghistory.DeleteEvent("role.remove", level=pgtrigger.Statement),
    obj_field=None,
    model_name="UserRoleAudit",
    app_label="backoffice",
)(User.groups.through)


class ParticipationEventGuard(ParticipationEvent):
    """Participation events are append-only in the database itself (PostgreSQL)."""

    class Meta:
        proxy = True
        triggers = [
            pgtrigger.Protect(name="participationevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]


# --- access log --------------------------------------------------------------------------------


class AccessAction(models.TextChoices):
    VIEW = "view", _("Datensatz geöffnet")
    LIST = "list", _("in einer Liste angezeigt")
    SEARCH = "search", _("in Suchergebnissen angezeigt")
    AUTOCOMPLETE = "autocomplete", _("in einer Auswahlliste angezeigt")
    HISTORY = "history", _("Änderungsverlauf geöffnet")


class AccessLogEntry(models.Model):
    """A staff member saw data of an insured person: who, whom, when, what (which record,
    which page) and how. Written by `backoffice.access_log`; never changed. The search
    term is not stored (it may be a KVNR or a name); the persons found are."""

    at = models.DateTimeField(_("Zeitpunkt"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Mitarbeiter/in"),
    )
    username = models.CharField(_("Benutzername"), max_length=150)
    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("versicherte Person"),
    )
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+", verbose_name=_("Krankenkasse"))
    action = models.CharField(_("Art des Zugriffs"), max_length=12, choices=AccessAction.choices)
    record_type = models.CharField(_("Datenart"), max_length=100)
    record_id = models.CharField(_("Datensatz"), max_length=40, blank=True)
    path = models.CharField(_("Seite"), max_length=200)

    class Meta:
        verbose_name = _("Zugriff auf Versichertendaten")
        verbose_name_plural = _("Zugriffsprotokoll")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["person", "at"], name="accesslog_person_at"),
            models.Index(fields=["fund", "at"], name="accesslog_fund_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["view", "list", "search", "autocomplete", "history"]),
                name="accesslog_action_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.username} · {self.get_action_display()} · {self.at:%d.%m.%Y %H:%M}"
