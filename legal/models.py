"""The operator's legal information (one row) and the feedback on accessibility.

The portal is run by a public-law health insurance fund. Names, addresses and contacts differ
per operator, so they are data that the operator maintains in the back office; the pages show
plainly which required item is still missing instead of a placeholder that looks real.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplianceStatus(models.TextChoices):
    FULL = "full", _("vollständig vereinbar")
    PARTIAL = "partial", _("teilweise vereinbar")
    NONE = "none", _("nicht vereinbar")


class LegalInformation(models.Model):
    """Singleton (pk=1): everything the Impressum, the privacy notice and the accessibility
    statement need to name. Blank means "not yet provided" and is shown as missing."""

    operator_name = models.CharField(_("Name des Anbieters"), max_length=200, blank=True)
    legal_form = models.CharField(
        _("Rechtsform"), max_length=200, blank=True, help_text=_("z. B. Körperschaft des öffentlichen Rechts")
    )
    represented_by = models.CharField(_("Vertreten durch"), max_length=300, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=120, blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    supervisory_authority = models.CharField(_("Zuständige Aufsichtsbehörde"), max_length=300, blank=True)
    content_responsible = models.CharField(_("Inhaltlich verantwortlich"), max_length=300, blank=True)

    dpo_name = models.CharField(_("Datenschutzbeauftragte Person"), max_length=200, blank=True)
    dpo_address = models.TextField(_("Anschrift der oder des Datenschutzbeauftragten"), blank=True)
    dpo_email = models.EmailField(_("E-Mail der oder des Datenschutzbeauftragten"), blank=True)
    data_protection_authority = models.CharField(
        _("Zuständige Datenschutz-Aufsichtsbehörde"), max_length=300, blank=True
    )

    compliance_status = models.CharField(
        _("Stand der Vereinbarkeit mit BITV 2.0"),
        max_length=10,
        choices=ComplianceStatus.choices,
        default=ComplianceStatus.PARTIAL,
    )
    known_limitations = models.TextField(_("Bekannte Einschränkungen"), blank=True)
    statement_date = models.DateField(_("Erklärung erstellt am"), null=True, blank=True)
    last_review = models.DateField(_("Zuletzt überprüft am"), null=True, blank=True)
    feedback_email = models.EmailField(
        _("E-Mail für Rückmeldungen zur Barrierefreiheit"),
        blank=True,
        help_text=_("Rückmeldungen aus dem Formular gehen an diese Adresse."),
    )
    arbitration_body = models.CharField(_("Schlichtungsstelle"), max_length=300, blank=True)
    arbitration_contact = models.TextField(_("Kontakt der Schlichtungsstelle"), blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Rechtliche Angaben")
        verbose_name_plural = _("Rechtliche Angaben")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="legalinformation_singleton"),
            models.CheckConstraint(
                condition=models.Q(compliance_status__in=["full", "partial", "none"]),
                name="legalinformation_compliance_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Rechtliche Angaben"))

    #: Items without which a page is not complete, per page (field names).
    REQUIRED = {
        "imprint": (
            "operator_name",
            "legal_form",
            "represented_by",
            "street",
            "postal_code",
            "city",
            "email",
            "supervisory_authority",
        ),
        "privacy": ("operator_name", "dpo_name", "dpo_email", "data_protection_authority"),
        "accessibility": ("statement_date", "feedback_email", "arbitration_body", "arbitration_contact"),
    }

    @classmethod
    def current(cls) -> LegalInformation:
        """The one row, created empty on first use."""
        return cls.objects.get_or_create(pk=1)[0]

    def missing(self, page: str) -> list[str]:
        """Verbose names of the required items still blank for `page`."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.REQUIRED[page]
            if getattr(self, name) in ("", None)
        ]


class AccessibilityFeedback(models.Model):
    """A report of a barrier or a request for content in an accessible form (BITV 2.0 § 7)."""

    message = models.TextField(_("Ihre Nachricht"), max_length=5000)
    page_url = models.CharField(_("Betroffene Seite"), max_length=500, blank=True)
    contact_email = models.EmailField(_("E-Mail-Adresse für eine Antwort"), blank=True)
    created_at = models.DateTimeField(_("eingegangen am"), auto_now_add=True)
    mailed_to = models.EmailField(_("weitergeleitet an"), blank=True)

    class Meta:
        verbose_name = _("Rückmeldung zur Barrierefreiheit")
        verbose_name_plural = _("Rückmeldungen zur Barrierefreiheit")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y %H:%M}"
