"""Requests of the insured that staff decide on: a change of doctor and an extraordinary
cancellation (Kündigung aus wichtigem Grund)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models.participation import Channel, Participation


class ImportantReason(models.TextChoices):
    """Structured reasons ("wichtiger Grund") for a doctor change or an extraordinary cancellation."""

    MOVED = "moved", _("Umzug")
    PRACTICE_CLOSED = "practice_closed", _("Praxis geschlossen oder aufgegeben")
    TRUST_BROKEN = "trust_broken", _("Vertrauensverhältnis gestört")
    OTHER = "other", _("anderer Grund")


class RequestDecision(models.TextChoices):
    PENDING = "pending", _("offen")
    APPROVED = "approved", _("genehmigt")
    REJECTED = "rejected", _("abgelehnt")


class _StaffDecisionRequest(models.Model):
    """A request of the insured that staff decide on (pending → approved | rejected)."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="+", verbose_name=_("Teilnahme")
    )
    reason = models.CharField(_("Grund"), max_length=20, choices=ImportantReason.choices, blank=True)
    reason_text = models.TextField(_("Begründung"), blank=True)
    requested_at = models.DateTimeField(_("beantragt am"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beantragt von (Konto)"),
    )
    channel = models.CharField(_("Weg"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    decision = models.CharField(
        _("Entscheidung"), max_length=10, choices=RequestDecision.choices, default=RequestDecision.PENDING
    )
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entschieden von (Konto)"),
    )
    decision_note = models.TextField(_("Begründung der Entscheidung"), blank=True)
    effective_date = models.DateField(_("wirksam ab"), null=True, blank=True)

    class Meta:
        abstract = True

    def can_decide(self) -> bool:
        """Staff decide once: only a pending request can be approved or rejected."""
        return self.decision == RequestDecision.PENDING


class DoctorChangeRequest(_StaffDecisionRequest):
    """Change of the chosen doctor. During the binding only for a wichtiger Grund, decided by
    staff; after the binding approved at once. The new doctor takes over on `effective_date`
    (contract start rule), applied by the daily command (`applied_at`).
    At most one pending request per participation."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="doctor_changes", verbose_name=_("Teilnahme")
    )
    old_provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bisher"),
    )
    new_provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="+", verbose_name=_("neu gewählt")
    )
    applied_at = models.DateTimeField(_("umgesetzt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Arztwechsel")
        verbose_name_plural = _("Arztwechsel")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=RequestDecision.values), name="doctorchange_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason="") | Q(reason__in=ImportantReason.values), name="doctorchange_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision=RequestDecision.PENDING) | Q(decided_at__isnull=False),
                name="doctorchange_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(decision=RequestDecision.APPROVED) | Q(effective_date__isnull=False),
                name="doctorchange_approved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(applied_at__isnull=True) | Q(decision=RequestDecision.APPROVED),
                name="doctorchange_applied_if_approved",
            ),
            models.UniqueConstraint(
                fields=["participation"], condition=Q(decision=RequestDecision.PENDING), name="doctorchange_one_pending"
            ),
            models.UniqueConstraint(
                fields=["participation"],
                condition=Q(decision=RequestDecision.APPROVED, applied_at__isnull=True),
                name="doctorchange_one_unapplied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participation.person}: {self.old_provider} → {self.new_provider}"

    def can_apply(self, *, on: dt.date) -> bool:
        """Approved, not yet applied, and its effective date has arrived."""
        return (
            self.decision == RequestDecision.APPROVED
            and self.applied_at is None
            and self.effective_date is not None
            and self.effective_date <= on
        )


class CancellationRequest(_StaffDecisionRequest):
    """Extraordinary cancellation (Kündigung aus wichtigem Grund): staff decide and set the
    last day of participation (`effective_date`). At most one pending request per participation."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="cancellation_requests", verbose_name=_("Teilnahme")
    )

    class Meta:
        verbose_name = _("Kündigung aus wichtigem Grund")
        verbose_name_plural = _("Kündigungen aus wichtigem Grund")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=RequestDecision.values), name="cancelreq_decision_valid"),
            models.CheckConstraint(condition=Q(reason__in=ImportantReason.values), name="cancelreq_reason_valid"),
            models.CheckConstraint(
                condition=Q(decision=RequestDecision.PENDING) | Q(decided_at__isnull=False),
                name="cancelreq_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(decision=RequestDecision.APPROVED) | Q(effective_date__isnull=False),
                name="cancelreq_approved_has_date",
            ),
            models.UniqueConstraint(
                fields=["participation"], condition=Q(decision=RequestDecision.PENDING), name="cancelreq_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participation.person}: {self.get_reason_display()}"
