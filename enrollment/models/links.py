"""Who linked which account to an insured person, who recorded which legal representation.

Both decisions open one person's health data to another account, so each has its own
permission (on this model's content type: `enrollment.link_account`,
`enrollment.record_representation`), its own services (`enrollment.services.links`) and a
row here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PersonLinkEvent(models.Model):
    """One decision about an account link or a representation; written only by the services.

    `person` is the insured person concerned (the represented one for representations),
    `representative` the representing person, `user` the linked account."""

    class Kind(models.TextChoices):
        ACCOUNT_LINKED = "account_linked", _("Konto verknüpft")
        ACCOUNT_UNLINKED = "account_unlinked", _("Kontoverknüpfung aufgehoben")
        REPRESENTATION_RECORDED = "representation_recorded", _("Vertretung erfasst")
        REPRESENTATION_CHANGED = "representation_changed", _("Vertretung geändert")
        REPRESENTATION_REMOVED = "representation_removed", _("Vertretung entfernt")

    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("Zeitpunkt"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("durch"),
    )
    person = models.ForeignKey(
        "enrollment.InsuredPerson",
        on_delete=models.CASCADE,
        related_name="link_events",
        verbose_name=_("Versicherte Person"),
    )
    representative = models.ForeignKey(
        "enrollment.InsuredPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Vertretung"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Konto"),
    )
    reason = models.TextField(_("Begründung"), blank=True)
    data = models.JSONField(_("Daten"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Verknüpfungsereignis")
        verbose_name_plural = _("Verknüpfungsereignisse")
        ordering = ["at", "pk"]
        permissions = [
            ("link_account", _("Benutzerkonto mit versicherter Person verknüpfen")),
            ("record_representation", _("Gesetzliche Vertretung erfassen, ändern und entfernen")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "account_linked",
                        "account_unlinked",
                        "representation_recorded",
                        "representation_changed",
                        "representation_removed",
                    ]
                ),
                name="personlinkevent_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%d.%m.%Y %H:%M})"
