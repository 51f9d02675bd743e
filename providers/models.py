"""Providers (doctors, practices, hospitals, ...) and their participation in contracts.

The LANR check digit is only warned about (field data is not always clean, DOMAIN.md §4);
format (9 digits) is enforced by a database constraint. Coordinates are indexed together
so provider search can prefilter on a bounding box before computing distances.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programs.models import Contract, Land, plz_validator
from programs.validators import validate_bsnr, validate_ik, validate_lanr_format


class ProviderKind(models.TextChoices):
    GP_PRACTICE = "gp", _("Hausarztpraxis")
    SPECIALIST = "specialist", _("Facharztpraxis")
    MVZ = "mvz", _("MVZ / Gesundheitszentrum")
    HOSPITAL = "hospital", _("Krankenhaus")
    REHAB = "rehab", _("Reha-Klinik")
    CARE_HOME = "care_home", _("Pflegeheim")
    PSYCHOTHERAPIST = "psychotherapist", _("Psychotherapeutische Praxis")
    PHARMACY = "pharmacy", _("Apotheke")
    MEDICAL_DEVICES = "devices", _("Hilfsmittel / Medizinprodukte")
    DIGITAL = "digital", _("Digitales Angebot")


class Provider(models.Model):
    kind = models.CharField(_("Art"), max_length=20, choices=ProviderKind.choices)
    name = models.CharField(_("Name"), max_length=200)
    lanr = models.CharField(_("LANR"), max_length=9, blank=True, validators=[validate_lanr_format])
    bsnr = models.CharField(_("BSNR"), max_length=9, blank=True, validators=[validate_bsnr])
    ik = models.CharField(_("IK"), max_length=9, blank=True, validators=[validate_ik])
    fachgruppe = models.CharField(_("Fachgruppe"), max_length=120, blank=True)
    specialties = models.CharField(_("Schwerpunkte"), max_length=300, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=5, validators=[plz_validator])
    city = models.CharField(_("Ort"), max_length=120)
    land = models.ForeignKey(
        Land, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("Land")
    )
    latitude = models.FloatField(_("Breitengrad"))
    longitude = models.FloatField(_("Längengrad"))
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    website = models.URLField(_("Webseite"), blank=True)
    accepts_new_patients = models.BooleanField(_("nimmt neue Patienten an"), default=True)
    wheelchair_accessible = models.BooleanField(_("rollstuhlgerecht"), default=False)
    step_free_access = models.BooleanField(_("stufenloser Zugang"), default=False)
    accessible_toilet = models.BooleanField(_("barrierefreies WC"), default=False)
    hearing_loop = models.BooleanField(_("Induktionsschleife"), default=False)
    sign_language = models.BooleanField(_("Gebärdensprache"), default=False)
    disabled_parking = models.BooleanField(_("Behindertenparkplatz"), default=False)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("zuletzt geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Leistungserbringer")
        verbose_name_plural = _("Leistungserbringer")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="provider_coords"),
            models.Index(fields=["postal_code"], name="provider_plz"),
            models.Index(fields=["name"], name="provider_name"),  # the admin's ordering
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[c.value for c in ProviderKind]), name="provider_kind_valid"),
            models.CheckConstraint(condition=Q(lanr="") | Q(lanr__regex=r"^\d{9}$"), name="provider_lanr_9_digits"),
            models.CheckConstraint(condition=Q(bsnr="") | Q(bsnr__regex=r"^\d{9}$"), name="provider_bsnr_9_digits"),
            models.CheckConstraint(condition=Q(ik="") | Q(ik__regex=r"^\d{9}$"), name="provider_ik_9_digits"),
            models.CheckConstraint(condition=Q(postal_code__regex=r"^\d{5}$"), name="provider_plz_5_digits"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="provider_coordinates_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_gp(self) -> bool:
        return self.kind == ProviderKind.GP_PRACTICE

    def lanr_warnings(self) -> list[str]:
        from programs.validators import lanr_warnings

        return lanr_warnings(self.lanr) if self.lanr else []


class ContractParticipation(models.Model):
    """A provider takes part in a contract for a period (open-ended when `valid_until` is empty)."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="participations", verbose_name=_("Leistungserbringer")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="participations", verbose_name=_("Vertrag")
    )
    valid_from = models.DateField(_("teilnehmend ab"))
    valid_until = models.DateField(_("teilnehmend bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("Vertragsteilnahme")
        verbose_name_plural = _("Vertragsteilnahmen")
        constraints = [
            models.UniqueConstraint(fields=["provider", "contract", "valid_from"], name="participation_unique_start"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="participation_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["contract", "provider"], name="participation_contract")]

    def __str__(self) -> str:
        return f"{self.provider} – {self.contract}"
