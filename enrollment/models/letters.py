"""Activation letters as issued: the only place an activation code appears in plaintext.

A letter issued singly is stored as its own PDF with its SHA-256; letters of a batch are pages
of the batch's one PDF (stored with its SHA-256 on the batch). Either way there is one
`ActivationLetter` row per code, so the record says which letter carried which code. Rows of
issued letters never change (`save()` refuses), like the other issued documents.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from enrollment.models.accounts import ActivationCode
from programs.models import Fund, Kreis


class LetterAlreadyIssued(Exception):
    pass


class ActivationLetterBatch(models.Model):
    """Letters for a selection of one fund's insured persons (e.g. a Kreis, those without an
    account), rendered by the task worker into one PDF. `done` of `total` letters is the
    progress; the file and its checksum are set only when the batch is done."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("läuft")
        DONE = "done", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")

    #: The allowed transitions, in one place (a failed batch can be started again).
    TRANSITIONS: dict[str, set[str]] = {
        Status.QUEUED: {Status.RUNNING, Status.FAILED},
        Status.RUNNING: {Status.DONE, Status.FAILED},
        Status.FAILED: {Status.RUNNING},
        Status.DONE: set(),
    }

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="activation_letter_batches", verbose_name=_("Krankenkasse")
    )
    kreis = models.ForeignKey(
        Kreis, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("Kreis")
    )
    #: Persons chosen in the list (when no Kreis is given); the task re-checks fund and account.
    person_ids = models.JSONField(_("ausgewählte Personen"), default=list, blank=True)
    selection = models.CharField(_("Auswahl"), max_length=300)
    #: Printed in every letter as the place to register (scheme and host of the portal).
    portal_url = models.CharField(_("Adresse des Portals"), max_length=200, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("Briefe gesamt"), default=0)
    done = models.PositiveIntegerField(_("Briefe erstellt"), default=0)
    file = models.FileField(_("Datei"), upload_to="letters/batches/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("Größe in Bytes"), default=0)
    pages = models.PositiveIntegerField(_("Seiten"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erstellt von (Konto)"),
    )
    created_at = models.DateTimeField(_("erstellt am"))
    started_at = models.DateTimeField(_("begonnen am"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fertig am"), null=True, blank=True)
    error = models.TextField(_("Fehler"), blank=True)

    class Meta:
        verbose_name = _("Serie von Aktivierungsbriefen")
        verbose_name_plural = _("Serien von Aktivierungsbriefen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="letterbatch_status_valid"
            ),
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="letterbatch_done_le_total"),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(finished_at__isnull=False) & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="letterbatch_done_has_file",
            ),
            models.CheckConstraint(
                condition=Q(status="done") | Q(sha256=""), name="letterbatch_checksum_only_when_done"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.selection} ({self.created_at:%d.%m.%Y})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def filename(self) -> str:
        return f"aktivierungsbriefe-{self.pk}.pdf"


class ActivationLetter(models.Model):
    """One letter: the code it carried, and where the letter is kept (its own PDF or a batch)."""

    code = models.OneToOneField(
        ActivationCode, on_delete=models.PROTECT, related_name="letter", verbose_name=_("Aktivierungscode")
    )
    batch = models.ForeignKey(
        ActivationLetterBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("Serie"),
    )
    file = models.FileField(_("Datei"), upload_to="letters/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("Größe in Bytes"), default=0)
    issued_at = models.DateTimeField(_("ausgestellt am"))

    class Meta:
        verbose_name = _("Aktivierungsbrief")
        verbose_name_plural = _("Aktivierungsbriefe")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # a single letter has its own file and checksum; a batch letter is a page of the batch
            models.CheckConstraint(
                condition=(Q(batch__isnull=True) & ~Q(file="") & Q(sha256__regex=r"^[0-9a-f]{64}$"))
                | (Q(batch__isnull=False) & Q(file="") & Q(sha256="")),
                name="letter_single_file_or_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code.person} ({self.issued_at:%d.%m.%Y})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LetterAlreadyIssued("An issued letter is never changed; issue a new one.")
        super().save(*args, **kwargs)

    @property
    def filename(self) -> str:
        return f"aktivierungsbrief-{self.code.person_id}-{self.pk}.pdf"
