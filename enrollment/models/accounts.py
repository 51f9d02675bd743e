"""Account data beyond Django's user: the activation code that links an account to an insured
record, and whether the owner proved they receive mail at the address."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from enrollment.models.persons import InsuredPerson

__all__ = ["AccountVersion", "ActivationCode", "EmailConfirmation"]


class ActivationCode(models.Model):
    """A one-time code the fund sends by letter; with KVNR and date of birth it links a new
    account to the insured record. Only a hash of the code is stored.

    A code ends in at most one way: used (`used_at`), superseded by a newer letter
    (`superseded_at`) or revoked by staff (`revoked_at`); otherwise it is open until
    `expires_at`. Rows are kept, so the record shows every letter's code and its fate; at most
    one open code per person (a conditional unique constraint)."""

    class State(models.TextChoices):
        OPEN = "open", _("gültig")
        USED = "used", _("eingelöst")
        SUPERSEDED = "superseded", _("ersetzt")
        REVOKED = "revoked", _("widerrufen")
        EXPIRED = "expired", _("abgelaufen")

    person = models.ForeignKey(
        InsuredPerson, on_delete=models.CASCADE, related_name="activation_codes", verbose_name=_("versicherte Person")
    )
    code_hash = models.CharField(max_length=128, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erzeugt von (Konto)"),
    )
    created_at = models.DateTimeField(_("erzeugt am"))
    expires_at = models.DateTimeField(_("gültig bis"))
    used_at = models.DateTimeField(_("eingelöst am"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("ersetzt am"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("widerrufen von (Konto)"),
    )

    class Meta:
        verbose_name = _("Aktivierungscode")
        verbose_name_plural = _("Aktivierungscodes")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(used_at__isnull=True, superseded_at__isnull=True)
                    | Q(used_at__isnull=True, revoked_at__isnull=True)
                    | Q(superseded_at__isnull=True, revoked_at__isnull=True)
                ),
                name="activation_ends_one_way",
            ),
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True) | Q(superseded_at__gte=F("created_at")),
                name="activation_superseded_after_created",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("created_at")),
                name="activation_revoked_after_created",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(used_at__isnull=True, superseded_at__isnull=True, revoked_at__isnull=True),
                name="activation_one_open_code_per_person",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="activation_expires_after_created"
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(used_at__gte=F("created_at")),
                name="activation_used_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.created_at:%d.%m.%Y})"

    def state_on(self, now: datetime) -> str:
        if self.used_at is not None:
            return self.State.USED
        if self.superseded_at is not None:
            return self.State.SUPERSEDED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if now >= self.expires_at:
            return self.State.EXPIRED
        return self.State.OPEN

    def is_redeemable(self, *, now: datetime) -> bool:
        """Valid from its issue to its expiry, and not ended in any way."""
        return self.state_on(now) == self.State.OPEN and self.created_at <= now

    def can_revoke(self, *, now: datetime) -> bool:
        return self.state_on(now) == self.State.OPEN


class EmailConfirmation(models.Model):
    """One row per account. Invariant: `confirmed_at` is set only for the address in `email`;
    changing the address (a new row value) starts unconfirmed again."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_confirmation")
    email = models.EmailField(_("E-Mail-Adresse"))
    sent_at = models.DateTimeField(_("zuletzt gesendet"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("bestätigt am"), null=True, blank=True)

    class Meta:
        app_label = "enrollment"
        verbose_name = _("E-Mail-Bestätigung")
        verbose_name_plural = _("E-Mail-Bestätigungen")

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class SessionEpoch(models.Model):
    """ "Auf allen Geräten abmelden": a session remembers the account's epoch at sign-in and is
    ended when the epoch has moved on (`enrollment.accounts.sessions`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("Konto")
    )
    epoch = models.PositiveIntegerField(_("Abmelde-Zähler"), default=0)

    class Meta:
        verbose_name = _("Sitzungsstand")
        verbose_name_plural = _("Sitzungsstände")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.epoch}"


class AccountVersion(models.Model):
    """A number that changes (to a random one), in the same transaction, whenever something an account's
    signed-in pages show changes: its persons (own record, represented persons and their
    representatives), their representations, participations, events, requests and issued
    documents. Database triggers write it (migration 0174), so no write path can forget it;
    `enrollment.account_memo` keys the account's rendered pages by it (issue 11).

    `user_id` without a foreign key: the triggers may touch the row of an account being
    deleted in the same transaction; a left-over row holds only a number."""

    user_id = models.BigIntegerField(_("Konto"), primary_key=True)
    version = models.BigIntegerField(_("Stand"), default=0)

    class Meta:
        verbose_name = _("Datenstand eines Kontos")
        verbose_name_plural = _("Datenstände der Konten")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.version}"
