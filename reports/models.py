"""Transparency reports ("Transparenz im Leistungsgeschehen", DOMAIN.md §6).

Three layers, each derived from the one before:

1. Case-level data per fund and year (`Application`, `LegalRemedy`, `TreatmentErrorCase`,
   `Complaint`): anonymous rows, no person identifiers. `Application` is the big table
   (about 15 million cases per fund and year at AOK PLUS scale), so it stores compact codes
   and identical cases once, with their number.
2. Rollups (`ApplicationRollup`, `RemedyRollup`, `TreatmentErrorRollup`, `ComplaintRollup`):
   counts and sums per group, written by `reports.imports` in the same transaction as the
   case rows. Invariant: for every dataset of a `ReportYear`, the rollup rows equal the
   aggregate of the case rows whenever case rows exist; a pre-aggregated import writes the
   rollup rows directly and removes the case rows of that dataset, so the two never disagree.
3. The report (`reports.figures`) is computed from the rollups only, so it takes
   milliseconds at any scale; `ReportFile` stores rendered PDFs per content hash.

`ReportYear.data_version` is bumped by every import and every change of the base figures,
so stored PDFs of older data are never served as current.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Fund

#: §13(3a) SGB V: a fund decides within three weeks, five weeks when a medical expert opinion
#: (Gutachten) is obtained; the report's extra figure "decided in time" counts calendar days.
DEADLINE_DAYS = 21
DEADLINE_DAYS_WITH_EXPERT = 35


class Branch(models.TextChoices):
    KV = "KV", _("Krankenversicherung")
    PV = "PV", _("Pflegeversicherung")


class Category(models.IntegerChoices):
    """Benefit category of an application or bill; `benefit` groups the sub-kinds.

    The CSV token is `CATEGORY_TOKENS[value]` (e.g. "hilfsmittel.pflegebett").
    """

    KRANKENGELD = 10, _("Krankengeld")
    ZAHNERSATZ_HKP = 20, _("Zahnersatz: Heil- und Kostenplan")
    ZAHNERSATZ_SONSTIGE = 29, _("Zahnersatz: sonstige Anträge und Rechnungen")
    PFLEGEGRAD_ERSTANTRAG = 30, _("Feststellung der Pflegebedürftigkeit: Erstantrag")
    PFLEGEGRAD_HOEHERSTUFUNG = 31, _("Feststellung der Pflegebedürftigkeit: Höherstufung")
    REHA_STATIONAER = 40, _("stationäre Rehabilitation")
    REHA_AMBULANT = 41, _("ambulante Rehabilitation")
    REHA_MUTTER_VATER_KIND = 42, _("Mutter-/Vater-Kind-Kur")
    REHA_BADEKUR = 43, _("ambulante Badekur")
    HILFSMITTEL_PFLEGEBETT = 50, _("Pflegebetten")
    HILFSMITTEL_INKONTINENZ = 51, _("Inkontinenzartikel")
    HILFSMITTEL_CPAP = 52, _("CPAP-Geräte (Schlafmasken)")
    HILFSMITTEL_SONSTIGE = 59, _("sonstige Hilfsmittel")
    PFLEGE_KURZZEITPFLEGE = 60, _("Kurzzeitpflege")
    PFLEGE_VERHINDERUNGSPFLEGE = 61, _("Verhinderungspflege")
    PFLEGE_SONSTIGE = 69, _("sonstige Pflegeleistungen")
    SONSTIGE = 90, _("alle übrigen Leistungen")


class Benefit(models.TextChoices):
    """The groups of the report; the first five are the TOP benefits of the published report."""

    KRANKENGELD = "krankengeld", _("Krankengeld")
    ZAHNERSATZ = "zahnersatz", _("Zahnersatz")
    PFLEGEBEDUERFTIGKEIT = "pflegebeduerftigkeit", _("Feststellung der Pflegebedürftigkeit")
    REHA = "reha", _("Rehabilitation/Vorsorge")
    HILFSMITTEL = "hilfsmittel", _("Hilfsmittel")
    PFLEGE = "pflege", _("weitere Pflegeleistungen")
    SONSTIGE = "sonstige", _("alle übrigen Leistungen")


TOP_BENEFITS: tuple[str, ...] = (
    Benefit.KRANKENGELD,
    Benefit.ZAHNERSATZ,
    Benefit.PFLEGEBEDUERFTIGKEIT,
    Benefit.REHA,
    Benefit.HILFSMITTEL,
)

CATEGORY_TOKENS: dict[int, str] = {
    Category.KRANKENGELD: "krankengeld",
    Category.ZAHNERSATZ_HKP: "zahnersatz.heil_kostenplan",
    Category.ZAHNERSATZ_SONSTIGE: "zahnersatz.sonstige",
    Category.PFLEGEGRAD_ERSTANTRAG: "pflegebeduerftigkeit.erstantrag",
    Category.PFLEGEGRAD_HOEHERSTUFUNG: "pflegebeduerftigkeit.hoeherstufung",
    Category.REHA_STATIONAER: "reha.stationaer",
    Category.REHA_AMBULANT: "reha.ambulant",
    Category.REHA_MUTTER_VATER_KIND: "reha.mutter_vater_kind",
    Category.REHA_BADEKUR: "reha.ambulante_badekur",
    Category.HILFSMITTEL_PFLEGEBETT: "hilfsmittel.pflegebett",
    Category.HILFSMITTEL_INKONTINENZ: "hilfsmittel.inkontinenz",
    Category.HILFSMITTEL_CPAP: "hilfsmittel.cpap",
    Category.HILFSMITTEL_SONSTIGE: "hilfsmittel.sonstige",
    Category.PFLEGE_KURZZEITPFLEGE: "pflege.kurzzeitpflege",
    Category.PFLEGE_VERHINDERUNGSPFLEGE: "pflege.verhinderungspflege",
    Category.PFLEGE_SONSTIGE: "pflege.sonstige",
    Category.SONSTIGE: "sonstige",
}
CATEGORY_BY_TOKEN: dict[str, int] = {token: value for value, token in CATEGORY_TOKENS.items()}


def benefit_of(category: int) -> str:
    """The report group of a category: the token before the dot."""
    return CATEGORY_TOKENS[category].split(".", 1)[0]


#: Which insurance branch a category may belong to (Hilfsmittel and the rest: both).
CATEGORY_BRANCHES: dict[int, frozenset[str]] = {
    value: frozenset({Branch.PV})
    if benefit_of(value) in (Benefit.PFLEGEBEDUERFTIGKEIT, Benefit.PFLEGE)
    else frozenset({Branch.KV})
    if benefit_of(value) in (Benefit.KRANKENGELD, Benefit.ZAHNERSATZ, Benefit.REHA)
    else frozenset({Branch.KV, Branch.PV})
    for value in CATEGORY_TOKENS
}


class Outcome(models.TextChoices):
    """Outcome of an application (one letter: the table holds millions of rows)."""

    APPROVED = "A", _("genehmigt")
    REJECTED = "R", _("abgelehnt")
    OTHER = "O", _("auf sonstige Art erledigt")
    PENDING = "P", _("noch offen")


OUTCOME_TOKENS: dict[str, str] = {
    Outcome.APPROVED: "approved",
    Outcome.REJECTED: "rejected",
    Outcome.OTHER: "other",
    Outcome.PENDING: "pending",
}
OUTCOME_BY_TOKEN: dict[str, str] = {token: value for value, token in OUTCOME_TOKENS.items()}


class RemedyKind(models.TextChoices):
    OBJECTION = "objection", _("Widerspruch")
    LAWSUIT = "lawsuit", _("Klage")


class RemedyOutcome(models.TextChoices):
    """How an objection or lawsuit was settled; empty while it is pending."""

    WITHDRAWN = "withdrawn", _("Rücknahme durch Versicherte")
    SUCCESS = "success", _("Erfolg der Versicherten")
    NO_SUCCESS = "no_success", _("ohne Erfolg der Versicherten")
    OTHER = "other", _("Erledigung auf sonstige Art")


class ComplaintChannel(models.TextChoices):
    BRANCH = "filiale", _("persönlich in einer Filiale")
    PHONE = "telefon", _("Telefon")
    FORM = "kontaktformular", _("Online-Kontaktformular")
    PORTAL = "onlineportal", _("Onlineportal")
    SOCIAL = "social_media", _("Social Media")
    LETTER = "schriftlich", _("schriftlich")


class ComplaintTopic(models.TextChoices):
    BENEFIT = "leistung", _("Leistungsentscheidung")
    SERVICE = "service", _("Service und Erreichbarkeit")
    CONTRIBUTION = "beitrag", _("Beiträge und Mitgliedschaft")
    OTHER = "sonstiges", _("sonstiges")


class Dataset(models.TextChoices):
    """The CSV formats of docs/report-data.md; each `*_AGGREGATED` feeds the same rollup as its
    case-level sibling."""

    BASE = "base", _("Versichertenzahlen")
    APPLICATIONS = "applications", _("Anträge und Rechnungen (Einzelfälle)")
    APPLICATIONS_AGGREGATED = "applications_aggregated", _("Anträge und Rechnungen (aggregiert)")
    REMEDIES = "remedies", _("Widersprüche und Klagen (Einzelfälle)")
    REMEDIES_AGGREGATED = "remedies_aggregated", _("Widersprüche und Klagen (aggregiert)")
    TREATMENT_ERRORS = "treatment_errors", _("Behandlungsfehler (Einzelfälle)")
    TREATMENT_ERRORS_AGGREGATED = "treatment_errors_aggregated", _("Behandlungsfehler (aggregiert)")
    COMPLAINTS = "complaints", _("Beschwerden (Einzelfälle)")
    COMPLAINTS_AGGREGATED = "complaints_aggregated", _("Beschwerden (aggregiert)")
    KEY_FIGURES = "key_figures", _("Kennzahlen (Filialen, Beratung, Gesundheitsangebote, Befragung)")


class ReportYear(models.Model):
    """One fund's report year: base figures, publication and the data version.

    Invariant: `data_version` grows with every change of the report's data (imports, base
    figures); `published_at` set means everybody, including anonymous users, may read it.
    """

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="report_years", verbose_name=_("Krankenkasse")
    )
    year = models.PositiveSmallIntegerField(
        _("Berichtsjahr"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    average_insured = models.PositiveIntegerField(_("Versicherte (Jahresdurchschnitt)"), null=True, blank=True)
    average_sick_pay_members = models.PositiveIntegerField(
        _("krankengeldberechtigte Mitglieder (Jahresdurchschnitt)"), null=True, blank=True
    )
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)
    data_version = models.PositiveIntegerField(_("Datenstand"), default=0)
    data_changed_at = models.DateTimeField(_("Daten geändert am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Berichtsjahr")
        verbose_name_plural = _("Berichtsjahre")
        ordering = ["fund__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "year"], name="reportyear_unique_fund_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="reportyear_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.fund.short_name} {self.year}"

    def is_published(self, *, now=None) -> bool:
        return self.published_at is not None and self.published_at <= (now or timezone.now())


# --- case-level data ------------------------------------------------------------------------


class Application(models.Model):
    """One application or bill (Antrag/Rechnung) received in the report year.

    Compact on purpose (≈15 million cases per fund and year). `processing_days` =
    decided − received in calendar days, stored so rollups need no date arithmetic.
    Invariant: pending ⇔ no decision date ⇔ no processing days.

    One row holds `cases` identical cases: cases received on the same day, decided on the
    same day, of the same category, branch, outcome and expert flag carry no information
    that tells them apart (the rows are anonymous), so the import stores them once with
    their number. AOK PLUS 2023: 14,728,656 cases in about 73,000 rows. Every count over
    cases is a sum of `cases`, never a count of rows.
    """

    # No database-level foreign key: its per-row check would double the time of a
    # 15-million-row import. The import inserts only under a locked, existing ReportYear,
    # and Django's CASCADE removes the rows with their ReportYear; the index stays.
    report_year = models.ForeignKey(ReportYear, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    received = models.DateField(_("Eingang"))
    decided = models.DateField(_("Entscheidung"), null=True, blank=True)
    processing_days = models.PositiveSmallIntegerField(_("Bearbeitungstage"), null=True, blank=True)
    category = models.PositiveSmallIntegerField(_("Leistung"), choices=Category.choices)
    branch = models.CharField(_("Versicherungszweig"), max_length=2, choices=Branch.choices)
    outcome = models.CharField(_("Ergebnis"), max_length=1, choices=Outcome.choices)
    expert_opinion = models.BooleanField(_("mit Gutachten"), default=False)
    cases = models.PositiveIntegerField(_("Fälle"), default=1)

    class Meta:
        verbose_name = _("Antrag/Rechnung")
        verbose_name_plural = _("Anträge und Rechnungen")
        constraints = [
            models.CheckConstraint(condition=Q(cases__gte=1), name="application_cases_positive"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="application_outcome_valid"),
            models.CheckConstraint(condition=Q(branch__in=Branch.values), name="application_branch_valid"),
            models.CheckConstraint(
                condition=Q(outcome=Outcome.PENDING, decided__isnull=True, processing_days__isnull=True)
                | (~Q(outcome=Outcome.PENDING) & Q(decided__gte=F("received"), processing_days__isnull=False)),
                name="application_decision_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}, {self.received:%d.%m.%Y} ({self.get_outcome_display()})"


class LegalRemedy(models.Model):
    """An objection (Widerspruch) or lawsuit (Klage) against a benefit decision that was
    received or settled in the report year. Invariant: settled ⇔ outcome given."""

    report_year = models.ForeignKey(ReportYear, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("Art"), max_length=10, choices=RemedyKind.choices)
    branch = models.CharField(_("Versicherungszweig"), max_length=2, choices=Branch.choices)
    received = models.DateField(_("Eingang"))
    settled = models.DateField(_("erledigt am"), null=True, blank=True)
    outcome = models.CharField(_("Ergebnis"), max_length=10, choices=RemedyOutcome.choices, blank=True)

    class Meta:
        verbose_name = _("Widerspruch/Klage")
        verbose_name_plural = _("Widersprüche und Klagen")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RemedyKind.values), name="remedy_kind_valid"),
            models.CheckConstraint(condition=Q(branch__in=Branch.values), name="remedy_branch_valid"),
            models.CheckConstraint(
                condition=Q(settled__isnull=True, outcome="")
                | Q(settled__isnull=False, settled__gte=F("received"), outcome__in=RemedyOutcome.values),
                name="remedy_settled_iff_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.branch}, {self.received:%d.%m.%Y}"


class TreatmentErrorCase(models.Model):
    """A suspected treatment or care error examined by the fund (Behandlungsfehler)."""

    report_year = models.ForeignKey(ReportYear, on_delete=models.CASCADE, related_name="+")
    received = models.DateField(_("Eingang"))
    expert_opinions = models.PositiveSmallIntegerField(_("Begutachtungen"), default=0)
    confirmed = models.PositiveSmallIntegerField(_("bestätigte Begutachtungen"), default=0)

    class Meta:
        verbose_name = _("Behandlungsfehlerverdacht")
        verbose_name_plural = _("Behandlungsfehlerverdachte")
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed__lte=F("expert_opinions")), name="treatment_error_confirmed_le_opinions"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received:%d.%m.%Y}: {self.expert_opinions}/{self.confirmed}"


class Complaint(models.Model):
    """A complaint (Beschwerde) received in the report year."""

    report_year = models.ForeignKey(ReportYear, on_delete=models.CASCADE, related_name="+")
    received = models.DateField(_("Eingang"))
    channel = models.CharField(_("Weg"), max_length=20, choices=ComplaintChannel.choices)
    topic = models.CharField(_("Thema"), max_length=20, choices=ComplaintTopic.choices)

    class Meta:
        verbose_name = _("Beschwerde")
        verbose_name_plural = _("Beschwerden")
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=ComplaintChannel.values), name="complaint_channel_valid"),
            models.CheckConstraint(condition=Q(topic__in=ComplaintTopic.values), name="complaint_topic_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}, {self.get_topic_display()} ({self.received:%d.%m.%Y})"


# --- rollups (what the report reads) -----------------------------------------------------------


class ApplicationRollup(models.Model):
    """Applications per (category, branch, outcome, expert opinion) of a report year.

    `processing_days_sum` sums the processing days of the decided ones; `decided_in_time`
    counts KV decisions within §13(3a) SGB V (21 days, 35 with expert opinion).
    """

    report_year = models.ForeignKey(ReportYear, on_delete=models.CASCADE, related_name="application_rollups")
    category = models.PositiveSmallIntegerField(_("Leistung"), choices=Category.choices)
    branch = models.CharField(_("Versicherungszweig"), max_length=2, choices=Branch.choices)
    outcome = models.CharField(_("Ergebnis"), max_length=1, choices=Outcome.choices)
    expert_opinion = models.BooleanField(_("mit Gutachten"))
    count = models.PositiveBigIntegerField(_("Anzahl"))
    processing_days_sum = models.PositiveBigIntegerField(_("Summe der Bearbeitungstage"), default=0)
    decided_in_time = models.PositiveBigIntegerField(_("fristgerecht entschieden"), default=0)

    class Meta:
        verbose_name = _("Antragsstatistik")
        verbose_name_plural = _("Antragsstatistik")
        constraints = [
            models.UniqueConstraint(
                fields=["report_year", "category", "branch", "outcome", "expert_opinion"],
                name="application_rollup_unique",
            ),
            models.CheckConstraint(
                condition=Q(decided_in_time__lte=F("count")), name="application_rollup_in_time_le_count"
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.PENDING) | Q(processing_days_sum=0, decided_in_time=0),
                name="application_rollup_pending_undecided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_year_id}: {self.get_category_display()} {self.branch} {self.outcome} = {self.count}"


class RemedyRollup(models.Model):
    """Objections or lawsuits per (kind, branch, outcome): `received` counts those received in
    the year (outcome as known at export, empty = pending), `settled` those settled in the year."""

    report_year = models.ForeignKey(ReportYear, on_delete=models.CASCADE, related_name="remedy_rollups")
    kind = models.CharField(_("Art"), max_length=10, choices=RemedyKind.choices)
    branch = models.CharField(_("Versicherungszweig"), max_length=2, choices=Branch.choices)
    outcome = models.CharField(_("Ergebnis"), max_length=10, choices=RemedyOutcome.choices, blank=True)
    received = models.PositiveIntegerField(_("eingegangen"), default=0)
    settled = models.PositiveIntegerField(_("erledigt"), default=0)

    class Meta:
        verbose_name = _("Widerspruchs- und Klagestatistik")
        verbose_name_plural = _("Widerspruchs- und Klagestatistik")
        constraints = [
            models.UniqueConstraint(fields=["report_year", "kind", "branch", "outcome"], name="remedy_rollup_unique"),
            models.CheckConstraint(condition=~Q(outcome="") | Q(settled=0), name="remedy_rollup_pending_unsettled"),
        ]

    def __str__(self) -> str:
        return f"{self.report_year_id}: {self.kind} {self.branch} {self.outcome or '–'}"


class TreatmentErrorRollup(models.Model):
    report_year = models.OneToOneField(ReportYear, on_delete=models.CASCADE, related_name="treatment_error_rollup")
    cases = models.PositiveIntegerField(_("geprüfte Fälle"))
    expert_opinions = models.PositiveIntegerField(_("Begutachtungen"))
    confirmed = models.PositiveIntegerField(_("bestätigte Begutachtungen"))

    class Meta:
        verbose_name = _("Behandlungsfehlerstatistik")
        verbose_name_plural = _("Behandlungsfehlerstatistik")
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed__lte=F("expert_opinions")), name="treatment_rollup_confirmed_le_opinions"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_year_id}: {self.cases}/{self.expert_opinions}/{self.confirmed}"


class ComplaintRollup(models.Model):
    report_year = models.ForeignKey(ReportYear, on_delete=models.CASCADE, related_name="complaint_rollups")
    channel = models.CharField(_("Weg"), max_length=20, choices=ComplaintChannel.choices)
    topic = models.CharField(_("Thema"), max_length=20, choices=ComplaintTopic.choices)
    count = models.PositiveIntegerField(_("Anzahl"))

    class Meta:
        verbose_name = _("Beschwerdestatistik")
        verbose_name_plural = _("Beschwerdestatistik")
        constraints = [
            models.UniqueConstraint(fields=["report_year", "channel", "topic"], name="complaint_rollup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.report_year_id}: {self.channel}/{self.topic} = {self.count}"


# --- key figures (not figures of applications) -------------------------------------------------


class KeyFigureName(models.TextChoices):
    """The figures of the published report that no case data carries (key_figures.csv)."""

    BRANCHES = "branches", _("Filialen")
    BRANCHES_ACCESSIBLE = "branches_accessible", _("barrierefrei erreichbare Filialen")
    CARE_PLANS = "care_plans", _("erstellte Versorgungspläne (Pflegeberatung)")
    CARE_ADVISORS = "care_advisors", _("Pflegeberaterinnen und Pflegeberater")
    PREVENTION_PARTICIPANTS = "prevention_participants", _("Teilnehmende an Angeboten der Gesundheitsförderung")
    PREVENTION_SPENDING_PER_PARTICIPANT = (
        "prevention_spending_per_participant",
        _("Ausgaben je Teilnehmerin und Teilnehmer (Euro)"),
    )
    PREVENTION_SPENDING_TOTAL = "prevention_spending_total", _("Ausgaben für Gesundheitsförderung insgesamt (Euro)")
    SURVEY_FIRST_CHOICE = "survey_first_choice", _("Befragte, für die die Kasse die erste Wahl ist (%)")
    SURVEY_STAY = "survey_stay", _("Befragte, die mit hoher Wahrscheinlichkeit bleiben wollen (%)")


class Qualifier(models.TextChoices):
    """How the fund states a figure; kept as stated ("etwa 41 Beraterinnen und Berater")."""

    EXACT = "", _("genau")
    ABOUT = "about", _("etwa")
    NEARLY = "nearly", _("fast")
    OVER = "over", _("über")


class KeyFigure(models.Model):
    """One key figure of a report year, as the fund states it (value and qualifier)."""

    report_year = models.ForeignKey(ReportYear, on_delete=models.CASCADE, related_name="key_figures")
    name = models.CharField(_("Kennzahl"), max_length=40, choices=KeyFigureName.choices)
    value = models.DecimalField(_("Wert"), max_digits=14, decimal_places=2)
    places = models.PositiveSmallIntegerField(_("Nachkommastellen"), default=0)
    qualifier = models.CharField(_("Angabe"), max_length=10, choices=Qualifier.choices, blank=True)

    class Meta:
        verbose_name = _("Kennzahl")
        verbose_name_plural = _("Kennzahlen")
        constraints = [
            models.UniqueConstraint(fields=["report_year", "name"], name="keyfigure_unique_name"),
            models.CheckConstraint(condition=Q(name__in=KeyFigureName.values), name="keyfigure_name_valid"),
            models.CheckConstraint(condition=Q(qualifier__in=Qualifier.values), name="keyfigure_qualifier_valid"),
            models.CheckConstraint(condition=Q(value__gte=0, places__lte=2), name="keyfigure_value_range"),
        ]

    def __str__(self) -> str:
        return f"{self.report_year_id}: {self.name} = {self.value}"


# --- imports and generated files ----------------------------------------------------------------


class ImportRun(models.Model):
    """One CSV file imported into one report year (all or nothing).

    `errors` keeps the first `MAX_STORED_ERRORS` row errors ({"line": n, "message": ...});
    `error_count` counts all of them. Progress fields are updated while the file streams.
    """

    MAX_STORED_ERRORS = 10_000

    class Status(models.TextChoices):
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("läuft")
        SUCCEEDED = "succeeded", _("importiert")
        FAILED = "failed", _("abgelehnt")

    report_year = models.ForeignKey(
        ReportYear, on_delete=models.CASCADE, related_name="imports", verbose_name=_("Berichtsjahr")
    )
    dataset = models.CharField(_("Datensatz"), max_length=40, choices=Dataset.choices, blank=True)
    file = models.FileField(_("Datei"), upload_to="report-imports/%Y/", blank=True)
    original_name = models.CharField(_("Dateiname"), max_length=255)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    bytes_total = models.PositiveBigIntegerField(_("Dateigröße (Bytes)"), default=0)
    bytes_read = models.PositiveBigIntegerField(_("gelesen (Bytes)"), default=0)
    rows_read = models.PositiveBigIntegerField(_("gelesene Zeilen"), default=0)
    rows_imported = models.PositiveBigIntegerField(_("importierte Zeilen"), default=0)
    error_count = models.PositiveIntegerField(_("fehlerhafte Zeilen"), default=0)
    errors = models.JSONField(_("Fehler"), default=list, blank=True)
    message = models.TextField(_("Meldung"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hochgeladen von"),
    )
    created_at = models.DateTimeField(_("angelegt am"))
    started_at = models.DateTimeField(_("begonnen am"), null=True, blank=True)
    finished_at = models.DateTimeField(_("beendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Datenimport")
        verbose_name_plural = _("Datenimporte")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed"]), name="importrun_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["succeeded", "failed"]) | Q(finished_at__isnull=False),
                name="importrun_finished_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(error_count=0), name="importrun_succeeded_without_errors"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} → {self.report_year}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.bytes_total:
            return 0
        return min(99, int(self.bytes_read * 100 / self.bytes_total))


class ReportFile(models.Model):
    """A rendered PDF of one report year in one language, for one content hash.

    Invariant: a `done` file belongs to exactly the figures hashed in `figures_hash`; a newer
    data version produces a new hash and hence a new file, so stale PDFs are never served.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("wird erstellt")
        DONE = "done", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")

    report_year = models.ForeignKey(
        ReportYear, on_delete=models.CASCADE, related_name="files", verbose_name=_("Berichtsjahr")
    )
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    data_version = models.PositiveIntegerField(_("Datenstand"))
    figures_hash = models.CharField(_("Prüfsumme der Zahlen"), max_length=64)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("Fortschritt (%)"), default=0, validators=[MaxValueValidator(100)])
    file = models.FileField(_("Datei"), upload_to="reports/%Y/", blank=True)
    size = models.PositiveIntegerField(_("Größe (Bytes)"), default=0)
    pages = models.PositiveSmallIntegerField(_("Seiten"), null=True, blank=True)
    error = models.TextField(_("Fehler"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("angefordert am"))
    started_at = models.DateTimeField(_("begonnen am"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fertig am"), null=True, blank=True)
    render_seconds = models.FloatField(_("Renderzeit (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("Berichtsdatei")
        verbose_name_plural = _("Berichtsdateien")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report_year", "language", "figures_hash"], name="reportfile_unique_content"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="reportfile_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reportfile_progress_range"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="reportfile_done_has_file"),
        ]

    def __str__(self) -> str:
        return f"{self.report_year} ({self.language}, {self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
