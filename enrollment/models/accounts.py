"""Account data beyond Django's user: whether the owner proved they receive mail at the address.

Imported at the end of `enrollment.models` so Django registers the models with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["EmailConfirmation"]


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
