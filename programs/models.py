"""The catalogue: regions, funds, care programs and the funds' contracts for them.

Regions follow the official keys (AGS): Land (2 digits), Regierungsbezirk (3), Kreis (5),
Gemeinde (8). Postal codes are not part of that hierarchy: one PLZ may touch several
Gemeinden, Kreise and even Länder, so `PostalCode` keeps one row per (PLZ, place, Kreis)
and `PostalCodeGemeinde` the PLZ ↔ Gemeinde mapping.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from programs.terms.deadlines import StartRule
from programs.validators import validate_ik

plz_validator = RegexValidator(r"^\d{5}$", _("Eine Postleitzahl besteht aus fünf Ziffern."))


class Land(models.Model):
    """A German Land; `code` is the subdivision code of the `holidays` package."""

    code = models.CharField(_("Kürzel"), max_length=2, primary_key=True)
    ags = models.CharField(_("Landesschlüssel"), max_length=2, unique=True)
    name = models.CharField(_("Name"), max_length=60)

    class Meta:
        verbose_name = _("Land")
        verbose_name_plural = _("Länder")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Regierungsbezirk(models.Model):
    key = models.CharField(_("Schlüssel"), max_length=3, primary_key=True)
    name = models.CharField(_("Name"), max_length=80)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="regierungsbezirke")

    class Meta:
        verbose_name = _("Regierungsbezirk")
        verbose_name_plural = _("Regierungsbezirke")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(condition=Q(key__regex=r"^\d{3}$"), name="regbez_key_3_digits"),
        ]

    def __str__(self) -> str:
        return self.name


class Kreis(models.Model):
    key = models.CharField(_("Kreisschlüssel"), max_length=5, primary_key=True)
    name = models.CharField(_("Name"), max_length=120)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="kreise")
    regierungsbezirk = models.ForeignKey(
        Regierungsbezirk, on_delete=models.PROTECT, null=True, blank=True, related_name="kreise"
    )

    class Meta:
        verbose_name = _("Kreis")
        verbose_name_plural = _("Kreise")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(condition=Q(key__regex=r"^\d{5}$"), name="kreis_key_5_digits"),
        ]

    def __str__(self) -> str:
        return self.name


class Gemeinde(models.Model):
    ags = models.CharField(_("Gemeindeschlüssel (AGS)"), max_length=8, primary_key=True)
    name = models.CharField(_("Name"), max_length=120)
    kreis = models.ForeignKey(Kreis, on_delete=models.PROTECT, related_name="gemeinden")
    population = models.PositiveIntegerField(_("Einwohner"), null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("Gemeinde")
        verbose_name_plural = _("Gemeinden")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(ags__regex=r"^\d{8}$"), name="gemeinde_ags_8_digits"),
        ]

    def __str__(self) -> str:
        return self.name


class PostalCode(models.Model):
    """One (PLZ, place, Kreis) combination with the centroid of that place."""

    code = models.CharField(_("Postleitzahl"), max_length=5, db_index=True, validators=[plz_validator])
    place = models.CharField(_("Ort"), max_length=120)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="postal_codes")
    kreis = models.ForeignKey(Kreis, on_delete=models.PROTECT, null=True, blank=True, related_name="postal_codes")
    latitude = models.FloatField()
    longitude = models.FloatField()
    #: False for Großkunden- and Postfach-PLZ (no Gemeinde has them): nobody lives there, so
    #: they are never resolved as a home address.
    residential = models.BooleanField(_("Wohnanschrift möglich"), default=True)

    class Meta:
        verbose_name = _("Postleitzahl")
        verbose_name_plural = _("Postleitzahlen")
        ordering = ["code", "place"]
        constraints = [
            models.UniqueConstraint(fields=["code", "place", "kreis"], name="postalcode_unique_place_kreis"),
            models.CheckConstraint(condition=Q(code__regex=r"^\d{5}$"), name="postalcode_5_digits"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="postalcode_coordinates_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.place}"


class PostalCodeGemeinde(models.Model):
    """PLZ ↔ Gemeinde (from the PLZ-AGS mapping); a PLZ may touch several Gemeinden."""

    code = models.CharField(_("Postleitzahl"), max_length=5, db_index=True, validators=[plz_validator])
    gemeinde = models.ForeignKey(Gemeinde, on_delete=models.CASCADE, related_name="postal_codes")

    class Meta:
        verbose_name = _("PLZ-Gemeinde-Zuordnung")
        verbose_name_plural = _("PLZ-Gemeinde-Zuordnungen")
        constraints = [
            models.UniqueConstraint(fields=["code", "gemeinde"], name="plz_gemeinde_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.gemeinde_id}"


class Fund(models.Model):
    """A statutory health insurance fund (Krankenkasse), identified by its IK."""

    ik = models.CharField(_("Institutionskennzeichen (IK)"), max_length=9, unique=True, validators=[validate_ik])
    name = models.CharField(_("Name"), max_length=120, unique=True)
    short_name = models.CharField(_("Kurzname"), max_length=40)
    slug = models.SlugField(_("Kurzname (URL)"), unique=True)
    seat_land = models.ForeignKey(
        Land, on_delete=models.PROTECT, related_name="seated_funds", verbose_name=_("Sitz (Land)")
    )
    website = models.URLField(_("Website"), blank=True)
    postal_address = models.CharField(
        _("Postanschrift"),
        max_length=200,
        blank=True,
        help_text=_("Eine Zeile, z. B. „Musterstraße 1, 70173 Stuttgart“; steht in der Absenderzeile der Briefe."),
    )

    class Meta:
        verbose_name = _("Krankenkasse")
        verbose_name_plural = _("Krankenkassen")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(ik__regex=r"^\d{9}$"), name="fund_ik_9_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sender_line(self) -> str:
        """The return-address line of a letter in the window field (DIN 5008)."""
        return " · ".join(part for part in (self.name, self.postal_address.replace(", ", " · ")) if part)


class FundRegion(models.Model):
    """A fund serves a whole Land, or (NRW) only some of its Regierungsbezirke."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="regions", verbose_name=_("Krankenkasse"))
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="fund_regions")
    regierungsbezirk = models.ForeignKey(Regierungsbezirk, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("Zuständigkeitsgebiet")
        verbose_name_plural = _("Zuständigkeitsgebiete")
        constraints = [
            models.UniqueConstraint(
                fields=["land"], condition=Q(regierungsbezirk__isnull=True), name="fundregion_one_fund_per_land"
            ),
            models.UniqueConstraint(
                fields=["regierungsbezirk"],
                condition=Q(regierungsbezirk__isnull=False),
                name="fundregion_one_fund_per_regbez",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund.short_name}: {self.regierungsbezirk or self.land}"


class StaffMembership(models.Model):
    """Ties a staff or analyst account to exactly one fund; scoping hangs on this row."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Sachbearbeitung")
        ANALYST = "analyst", _("Analyse")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("Benutzerkonto")
    )
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="members", verbose_name=_("Krankenkasse"))
    role = models.CharField(_("Aufgabe"), max_length=10, choices=Role.choices, default=Role.STAFF)

    class Meta:
        verbose_name = _("Kassenzugehörigkeit")
        verbose_name_plural = _("Kassenzugehörigkeiten")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["staff", "analyst"]), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.fund.short_name}"


class ProgramType(models.TextChoices):
    HZV = "hzv", _("Hausarztzentrierte Versorgung")
    BESONDERE = "bv", _("Besondere Versorgung")
    DMP = "dmp", _("Disease-Management-Programm")
    MODELL = "modell", _("Modellvorhaben")
    REGIONAL = "regional", _("Regionaler Versorgungsvertrag")


LEGAL_BASIS = {
    ProgramType.HZV: "§ 73b SGB V",
    ProgramType.BESONDERE: "§ 140a SGB V",
    ProgramType.DMP: "§ 137f SGB V",
    ProgramType.MODELL: "§ 63 SGB V",
    ProgramType.REGIONAL: "§ 140a SGB V",
}


class DmpIndication(models.TextChoices):
    DIABETES_2 = "01", _("Diabetes mellitus Typ 2")
    BRUSTKREBS = "02", _("Brustkrebs")
    KHK = "03", _("Koronare Herzkrankheit")
    DIABETES_1 = "04", _("Diabetes mellitus Typ 1")
    ASTHMA = "05", _("Asthma bronchiale")
    COPD = "06", _("COPD")
    HERZINSUFFIZIENZ = "07", _("Chronische Herzinsuffizienz")
    DEPRESSION = "08", _("Depression")
    RUECKENSCHMERZ = "09", _("Chronischer Rückenschmerz")
    RHEUMA = "10", _("Rheumatoide Arthritis")
    OSTEOPOROSE = "11", _("Osteoporose")
    ADIPOSITAS = "12", _("Adipositas (Erwachsene)")


#: Fields the search columns are computed from (programs.search.search_columns).
SEARCH_SOURCE_FIELDS = frozenset(
    {
        "title", "title_en", "summary", "summary_en", "description", "description_en", "program_type",
        "legal_basis", "dmp_indication", "conditions", "icd10_codes", "keywords", "region_note",
    }
)  # fmt: skip


def _catalogue_changed() -> None:
    from programs.caching import bump_catalogue_version

    bump_catalogue_version()


def _record_search_words(programs, *, using: str | None = None) -> None:
    from programs.search import record_search_words

    record_search_words((p.search_text for p in programs), using=using)


class ProgramQuerySet(models.QuerySet):
    """Bulk writes keep the search columns and the page cache right, as save() does
    (seed and import commands use bulk_create/bulk_update; `update()` replaces the catalogue
    version but does not recompute the search columns: call
    programs.search.rebuild_search_columns() after it)."""

    def update(self, **kwargs):
        result = super().update(**kwargs)
        _catalogue_changed()  # the page cache and the memoised search texts (programs.search)
        return result

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.fill_derived_fields()
        result = super().bulk_create(objs, *args, **kwargs)
        _record_search_words(objs, using=self.db)
        _catalogue_changed()
        return result

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if SEARCH_SOURCE_FIELDS.intersection(fields):
            for obj in objs:
                obj.fill_derived_fields()
            fields += [name for name in ("search_title", "search_text") if name not in fields]
        result = super().bulk_update(objs, fields, *args, **kwargs)
        if "search_text" in fields:
            _record_search_words(objs, using=self.db)
        _catalogue_changed()
        return result


class Program(models.Model):
    """A care program as the insured see it; the terms live in its `Contract`s.

    Target group and region restriction are data so eligibility can be explained reason by
    reason. An empty region restriction means: wherever the contract's fund is responsible.
    """

    slug = models.SlugField(_("Kurzname (URL)"), max_length=120, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    title_en = models.CharField(_("Titel (englisch)"), max_length=200, blank=True)
    summary = models.TextField(_("Kurzbeschreibung"))
    summary_en = models.TextField(_("Kurzbeschreibung (englisch)"), blank=True)
    description = models.TextField(_("Leistungen"), blank=True)
    description_en = models.TextField(_("Leistungen (englisch)"), blank=True)
    program_type = models.CharField(_("Art"), max_length=10, choices=ProgramType.choices)
    legal_basis = models.CharField(_("Rechtsgrundlage"), max_length=60, blank=True)
    dmp_indication = models.CharField(_("DMP-Indikation"), max_length=2, choices=DmpIndication.choices, blank=True)
    conditions = models.TextField(_("Erkrankungen / Zielgruppe"), blank=True)
    icd10_codes = models.CharField(
        _("ICD-10-Codes"), max_length=400, blank=True, help_text=_("Durch Komma getrennt, z. B. E11, E11.9")
    )
    keywords = models.CharField(
        _("Suchbegriffe"), max_length=400, blank=True, help_text=_("Laienbegriffe und Synonyme für die Suche")
    )
    min_age = models.PositiveSmallIntegerField(
        _("Mindestalter"), null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("Höchstalter"), null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    region_lands = models.ManyToManyField(Land, blank=True, related_name="+", verbose_name=_("nur in diesen Ländern"))
    region_kreise = models.ManyToManyField(Kreis, blank=True, related_name="+", verbose_name=_("nur in diesen Kreisen"))
    region_gemeinden = models.ManyToManyField(
        Gemeinde, blank=True, related_name="+", verbose_name=_("nur in diesen Gemeinden")
    )
    region_note = models.CharField(_("Region (Beschreibung)"), max_length=200, blank=True)
    online_enrollment = models.BooleanField(_("Online-Teilnahme möglich"), default=True)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="required_by", verbose_name=_("setzt Teilnahme voraus an")
    )
    excludes = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="excluded_by", verbose_name=_("schließt Teilnahme aus an")
    )
    is_published = models.BooleanField(_("veröffentlicht"), default=True)
    # Normalised search columns (programs.search): written by save() and by
    # programs.search.rebuild_search_columns() after bulk loads; never edited by hand.
    search_title = models.CharField(max_length=420, blank=True, default="", editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("zuletzt geändert am"), auto_now=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("Versorgungsprogramm")
        verbose_name_plural = _("Versorgungsprogramme")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(program_type__in=[c.value for c in ProgramType]), name="program_type_valid"
            ),
            models.CheckConstraint(
                condition=(Q(program_type="dmp") & ~Q(dmp_indication=""))
                | (~Q(program_type="dmp") & Q(dmp_indication="")),
                name="program_dmp_indication_iff_dmp",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=F("max_age")),
                name="program_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_title", "search_text"}
        super().save(*args, **kwargs)
        _record_search_words([self], using=kwargs.get("using") or self._state.db)

    def fill_derived_fields(self) -> None:
        """Legal basis from the type (if empty) and the search columns from the texts."""
        if not self.legal_basis:
            self.legal_basis = LEGAL_BASIS.get(self.program_type, "")
        from programs.search import search_columns

        for name, value in search_columns(self).items():
            setattr(self, name, value)

    def localized(self, field: str) -> str:
        """The English text of `field` when English is active and given, else German."""
        if (get_language() or "de").startswith("en"):
            value = getattr(self, f"{field}_en", "")
            if value:
                return value
        return getattr(self, field)

    @property
    def display_title(self) -> str:
        return self.localized("title")

    @property
    def display_summary(self) -> str:
        return self.localized("summary")

    @property
    def display_description(self) -> str:
        return self.localized("description")


class SearchWord(models.Model):
    """The vocabulary of the search columns: every word (5–60 letters) some program's
    `search_text` uses. Typo tolerance (programs.search) compares a query word with these
    words by trigram similarity (pg_trgm, GIN index on PostgreSQL) and searches the close
    ones. Words are added on save; `rebuild_search_columns()` drops unused ones."""

    word = models.CharField(max_length=60, unique=True)

    class Meta:
        verbose_name = _("Suchwort")
        verbose_name_plural = _("Suchwörter")

    def __str__(self) -> str:
        return self.word


class NoticeCounts(models.TextChoices):
    RECEIPT = "receipt", _("Eingang bei der Kasse")
    DISPATCH = "dispatch", _("Absendung")


class ContractQuerySet(models.QuerySet):
    """Bulk writes invalidate the cached catalogue pages, as save() does (programs.signals)."""

    def bulk_create(self, objs, *args, **kwargs):
        result = super().bulk_create(objs, *args, **kwargs)
        _catalogue_changed()
        return result

    def bulk_update(self, objs, fields, *args, **kwargs):
        result = super().bulk_update(objs, fields, *args, **kwargs)
        _catalogue_changed()
        return result


class Contract(models.Model):
    """One fund's contract for a program, in one version: partners, period and the
    enrollment policy as data (revocation, binding, renewal, notice, start rule) together
    with the texts shown in the electronic declaration.
    """

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("Programm"))
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("Krankenkasse"))
    version = models.CharField(_("Vertragsversion"), max_length=20, default="1")
    partners = models.TextField(_("Vertragspartner"), blank=True)
    valid_from = models.DateField(_("gültig ab"))
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)
    revocation_days = models.PositiveSmallIntegerField(
        _("Widerrufsfrist (Tage)"),
        null=True,
        blank=True,
        default=14,
        help_text=_("Leer: jederzeit widerrufbar (z. B. DMP)"),
    )
    binding_months = models.PositiveSmallIntegerField(
        _("Bindung (Monate)"), default=12, validators=[MaxValueValidator(120)]
    )
    renewal_months = models.PositiveSmallIntegerField(
        _("Verlängerung (Monate)"), default=12, validators=[MaxValueValidator(120)]
    )
    notice_months = models.PositiveSmallIntegerField(
        _("Kündigungsfrist (Monate)"), default=1, validators=[MaxValueValidator(24)]
    )
    notice_days = models.PositiveSmallIntegerField(
        _("Kündigungsfrist (zusätzliche Tage)"), default=0, validators=[MaxValueValidator(365)]
    )
    notice_counts = models.CharField(
        _("für die Kündigung zählt"), max_length=10, choices=NoticeCounts.choices, default=NoticeCounts.RECEIPT
    )
    start_rule = models.CharField(
        _("Teilnahmebeginn"), max_length=20, choices=StartRule.choices, default=StartRule.NEXT_QUARTER
    )
    quarter_cutoff_day = models.PositiveSmallIntegerField(
        _("Stichtag (Tag im Monat)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    quarter_cutoff_months_before = models.PositiveSmallIntegerField(
        _("Stichtag (Monate vor Quartalsbeginn)"),
        default=2,
        validators=[MaxValueValidator(3)],
        help_text=_("2 mit Tag 1 bedeutet: Eingang bis 1.11. → Beginn 1.1."),
    )
    self_declaration_age = models.PositiveSmallIntegerField(
        _("eigene Erklärung ab Alter"),
        default=15,
        validators=[MaxValueValidator(18)],
        help_text=_("§ 36 SGB I: ab 15 Jahren; darunter erklärt der gesetzliche Vertreter"),
    )
    declaration_text = models.TextField(_("Text der Teilnahmeerklärung"))
    consent_text = models.TextField(_("Einwilligung Datenübermittlung"), blank=True)
    revocation_instruction = models.TextField(_("Widerrufsbelehrung"), blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("zuletzt geändert am"), auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("Vertrag")
        verbose_name_plural = _("Verträge")
        ordering = ["program__title", "fund__name", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["program", "fund", "version"], name="contract_unique_version"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="contract_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(start_rule__in=[c.value for c in StartRule]), name="contract_start_rule_valid"
            ),
            models.CheckConstraint(
                condition=Q(notice_counts__in=[c.value for c in NoticeCounts]), name="contract_notice_counts_valid"
            ),
            models.CheckConstraint(
                condition=Q(quarter_cutoff_day__gte=1, quarter_cutoff_day__lte=28), name="contract_cutoff_day_range"
            ),
        ]
        indexes = [models.Index(fields=["fund", "program"])]

    def __str__(self) -> str:
        return f"{self.program} – {self.fund.short_name} (v{self.version})"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
