"""Insured persons and who may act for whom.

A person sees only their own data and that of the persons they legally represent
(`LegalRepresentation`); every read of another person's data goes through
`enrollment.selectors.persons_for_user`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programs.models import Fund, Gemeinde, Land, plz_validator
from programs.validators import validate_kvnr


def age_on(birth_date: date, day: date) -> int:
    """Completed years of life on `day` (a person born on 29 Feb ages on 1 Mar in common years)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class InsuredPerson(models.Model):
    kvnr = models.CharField(_("Krankenversichertennummer"), max_length=10, unique=True, validators=[validate_kvnr])
    first_name = models.CharField(_("Vorname"), max_length=100)
    last_name = models.CharField(_("Nachname"), max_length=100)
    birth_date = models.DateField(_("Geburtsdatum"))
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=5, validators=[plz_validator])
    city = models.CharField(_("Ort"), max_length=120)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="+", verbose_name=_("Land"))
    gemeinde = models.ForeignKey(
        Gemeinde, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("Gemeinde")
    )
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="insured", verbose_name=_("Krankenkasse"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="insured_person",
        verbose_name=_("Benutzerkonto"),
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Versicherte Person")
        verbose_name_plural = _("Versicherte")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(condition=Q(kvnr__regex=r"^[A-Z]\d{9}$"), name="insured_kvnr_format"),
            models.CheckConstraint(condition=Q(postal_code__regex=r"^\d{5}$"), name="insured_plz_5_digits"),
        ]
        indexes = [models.Index(fields=["fund", "last_name"], name="insured_fund_name")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


class LegalRepresentation(models.Model):
    """`representative` is the parent or guardian of `represented` (§ 36 SGB I)."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("Elternteil")
        GUARDIAN = "guardian", _("Vormund / Betreuer")

    representative = models.ForeignKey(
        InsuredPerson, on_delete=models.CASCADE, related_name="represents", verbose_name=_("vertretende Person")
    )
    represented = models.ForeignKey(
        InsuredPerson, on_delete=models.CASCADE, related_name="representatives", verbose_name=_("vertretene Person")
    )
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices, default=Kind.PARENT)
    valid_from = models.DateField(_("ab"), null=True, blank=True)
    valid_until = models.DateField(_("bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("Gesetzliche Vertretung")
        verbose_name_plural = _("Gesetzliche Vertretungen")
        constraints = [
            models.UniqueConstraint(fields=["representative", "represented"], name="representation_unique"),
            models.CheckConstraint(condition=~Q(representative=F("represented")), name="representation_not_self"),
            models.CheckConstraint(condition=Q(kind__in=["parent", "guardian"]), name="representation_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.representative} → {self.represented}"
