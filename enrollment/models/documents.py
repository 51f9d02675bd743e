"""Documents as issued: each is rendered once, stored with its SHA-256 and never re-rendered.

A document belongs to the event that caused it (the declaration → receipt, a revocation → its
confirmation, …), so a later change of the participation makes a new document and never
changes an old one. Rows and files are append-only: `save()` refuses to change a stored row.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models.participation import Participation, ParticipationEvent


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Empfangsbestätigung")
    REVOCATION = "revocation", _("Bestätigung des Widerrufs")
    CANCELLATION = "cancellation", _("Bestätigung der Kündigung")
    DOCTOR_CHANGE = "doctor_change", _("Bestätigung des Praxiswechsels")


class DocumentAlreadyIssued(Exception):
    pass


class IssuedDocument(models.Model):
    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="documents")
    event = models.OneToOneField(ParticipationEvent, on_delete=models.PROTECT, related_name="document")
    kind = models.CharField(_("Art"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("Datei"), upload_to="documents/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("Größe in Bytes"))
    language = models.CharField(_("Sprache"), max_length=5, default="de")
    issued_at = models.DateTimeField(_("ausgestellt am"))

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        ordering = ["issued_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["receipt", "revocation", "cancellation", "doctor_change"]),
                name="document_kind_valid",
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} Nr. {self.participation_id} ({self.issued_at:%d.%m.%Y})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DocumentAlreadyIssued("An issued document is never changed; issue a new one.")
        super().save(*args, **kwargs)

    @property
    def filename(self) -> str:
        names = {
            DocumentKind.RECEIPT: "empfangsbestaetigung",
            DocumentKind.REVOCATION: "widerrufsbestaetigung",
            DocumentKind.CANCELLATION: "kuendigungsbestaetigung",
            DocumentKind.DOCTOR_CHANGE: "praxiswechsel",
        }
        return f"{names[self.kind]}-{self.participation_id}.pdf"
