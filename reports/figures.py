"""The report of one fund and year, computed from the rollups (never from case rows).

`compute_report()` reads one `ReportYear`, its four rollup tables, the previous year's
rollups (year-over-year change) and the program participation selector: a fixed number of
small queries whatever the data volume, so it takes milliseconds even at AOK PLUS scale.

Definitions follow DOMAIN.md §6 and the published AOK PLUS report; every rate carries its
definition text, which the HTML, PDF and CSV outputs print next to it:
- applications: those received in the report year; shares of all of them; the published
  summary counts "settled otherwise" with the rejected ones, so does ours (footnote);
- Widerspruchsquote / Klagequote: received in the year ÷ applications and bills received in
  the year of the same insurance branch (KV or PV) × 100;
- outcome splits of objections and lawsuits: shares of those settled in the year (including
  older ones);
- rates per 100,000: count ÷ average number of insured (Krankengeld: of members entitled to
  sick pay) × 100,000.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, is_dataclass
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from reports.formatting import largest_remainder, ratio, remainder_shares
from reports.models import (
    TOP_BENEFITS,
    ApplicationRollup,
    Benefit,
    Branch,
    Category,
    ComplaintChannel,
    ComplaintRollup,
    KeyFigure,
    KeyFigureName,
    Outcome,
    Qualifier,
    RemedyKind,
    RemedyOutcome,
    RemedyRollup,
    ReportYear,
    TreatmentErrorRollup,
    benefit_of,
)
from reports.participation import ProgramParticipation, published_participation
from reports.suppression import Hidden

#: Bumped when the presentation of stored PDFs changes, so they are rendered again.
RENDER_VERSION = 2

SECTIONS: tuple[tuple[str, str], ...] = (
    ("kontakt", gettext_noop("Kontakt und Filialen")),
    ("angebote", gettext_noop("Pflegeberatung und Gesundheitsangebote")),
    ("antraege", gettext_noop("Anträge und Rechnungen")),
    ("top-leistungen", gettext_noop("TOP-Leistungen")),
    ("bearbeitungszeiten", gettext_noop("Bearbeitungszeiten")),
    ("widersprueche", gettext_noop("Widersprüche und Klagen")),
    ("behandlungsfehler", gettext_noop("Behandlungsfehler")),
    ("beschwerden", gettext_noop("Beschwerden")),
    ("befragung", gettext_noop("Versichertenbefragung")),
    ("programme", gettext_noop("Versorgungsprogramme")),
)
SECTION_KEYS = tuple(key for key, _label in SECTIONS)


def section_label(key: str) -> str:
    return _(dict(SECTIONS)[key])


#: The processing times the published report lists, in its order: (group, category, label).
PROCESSING_ITEMS: tuple[tuple[str, int, str], ...] = (
    (gettext_noop("Hilfsmittel"), Category.HILFSMITTEL_PFLEGEBETT, gettext_noop("Pflegebetten")),
    (gettext_noop("Hilfsmittel"), Category.HILFSMITTEL_INKONTINENZ, gettext_noop("Inkontinenzartikel")),
    (gettext_noop("Hilfsmittel"), Category.HILFSMITTEL_CPAP, gettext_noop("CPAP-Geräte (Schlafmasken)")),
    (gettext_noop("Rehabilitation/Vorsorge"), Category.REHA_STATIONAER, gettext_noop("stationäre Rehabilitation")),
    (gettext_noop("Rehabilitation/Vorsorge"), Category.REHA_MUTTER_VATER_KIND, gettext_noop("Mutter-/Vater-Kind-Kur")),
    (gettext_noop("Rehabilitation/Vorsorge"), Category.REHA_BADEKUR, gettext_noop("ambulante Badekur")),
    (
        gettext_noop("Pflegeleistungen"),
        Category.PFLEGEGRAD_ERSTANTRAG,
        gettext_noop("Feststellung Pflegebedürftigkeit: Erstantrag"),
    ),
    (gettext_noop("Pflegeleistungen"), Category.PFLEGE_KURZZEITPFLEGE, gettext_noop("Kurzzeitpflege")),
    (gettext_noop("Pflegeleistungen"), Category.PFLEGE_VERHINDERUNGSPFLEGE, gettext_noop("Verhinderungspflege")),
    (gettext_noop("Zahnersatz"), Category.ZAHNERSATZ_HKP, gettext_noop("Heil- und Kostenplan")),
    (gettext_noop("Krankengeld"), Category.KRANKENGELD, gettext_noop("Krankengeldzahlung")),
)


@dataclass(frozen=True)
class Ratio:
    """numerator ÷ denominator × scale, rounded half up to `places`; `definition` says what it is."""

    numerator: int
    denominator: int
    scale: int
    places: int
    definition: str

    @property
    def value(self) -> Decimal | None:
        return ratio(self.numerator, self.denominator, scale=self.scale, places=self.places)


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    count: int
    share: Decimal | None


@dataclass
class Split:
    """Counts that make up a whole; the shares add up to 100 %.

    With `remainder` (the key of the unfavourable outcome) the shares follow the published
    report: the others rounded half up, the unfavourable one 100 minus the others
    (`formatting.remainder_shares`); without it, largest remainder.
    """

    total: int
    parts: list[Part]
    definition: str

    @classmethod
    def of(
        cls,
        items: list[tuple[str, str, int]],
        definition: str,
        *,
        total: int | None = None,
        remainder: str | None = None,
    ) -> Split:
        counts = [n for _k, _l, n in items]
        keys = [k for k, _l, _n in items]
        if remainder is not None and remainder in keys:
            shares = remainder_shares(counts, keys.index(remainder))
        else:
            shares = largest_remainder(counts)
        parts = [Part(k, label, n, s) for (k, label, n), s in zip(items, shares, strict=True)]
        return cls(total=sum(n for _k, _l, n in items) if total is None else total, parts=parts, definition=definition)

    def part(self, key: str) -> Part | None:
        return next((p for p in self.parts if p.key == key), None)


@dataclass
class Overview:
    received: int
    by_branch: dict[str, int]
    split: Split
    other_in_rejected: int
    pending: int
    in_time: Ratio


@dataclass
class TopBenefit:
    key: str
    label: str
    total: int
    split: Split | None
    rate: Ratio | None
    rate_base_label: str


@dataclass
class ProcessingItem:
    group: str
    category: int
    label: str
    decided: int
    average: Decimal | None
    in_time: Ratio | None


@dataclass
class Remedies:
    kind: str
    branch: str
    received: int
    quota: Ratio
    settled: int
    split: Split


@dataclass
class TreatmentErrors:
    cases: int
    cases_rate: Ratio
    opinions: int
    opinions_rate: Ratio
    confirmed: int
    confirmed_share: Ratio


@dataclass
class Complaints:
    total: int
    rate: Ratio
    by_channel: Split
    by_topic: Split


@dataclass
class ProgramFigures:
    participation: ProgramParticipation
    insured: int | None
    rates: dict[int, Ratio] = field(default_factory=dict)  # program_id → participants per 100,000
    total_rate: Ratio | None = None


@dataclass(frozen=True)
class StatedFigure:
    """A key figure as the fund states it: value (rounded to `places`) and qualifier ("etwa")."""

    name: str
    label: str
    value: Decimal
    qualifier: str
    qualifier_label: str


@dataclass
class Report:
    report_year: ReportYear
    year: int
    fund_name: str
    fund_slug: str
    insured: int | None
    sick_pay_members: int | None
    overview: Overview | None
    top_benefits: list[TopBenefit]
    processing: list[ProcessingItem]
    remedies: list[Remedies]
    treatment_errors: TreatmentErrors | None
    complaints: Complaints | None
    programs: ProgramFigures | None
    previous: Report | None = None
    key_figures: dict[str, StatedFigure] = field(default_factory=dict)

    @property
    def has_application_data(self) -> bool:
        return self.overview is not None

    def remedy(self, kind: str, branch: str) -> Remedies | None:
        return next((r for r in self.remedies if r.kind == kind and r.branch == branch), None)

    def top(self, key: str) -> TopBenefit | None:
        return next((t for t in self.top_benefits if t.key == key), None)

    def processing_item(self, category: int) -> ProcessingItem | None:
        return next((p for p in self.processing if p.category == category), None)


# --- definitions (shown next to every rate) ----------------------------------------------------


def _definitions() -> dict[str, str]:
    return {
        "applications": _(
            "Anteil an allen im Berichtsjahr eingegangenen Anträgen und Rechnungen. Die Anteile sind kaufmännisch "
            "gerundet; der Anteil der abgelehnten ist 100 % minus die übrigen, sodass sie zusammen 100 % ergeben."
        ),
        "benefit": _(
            "Anteil an den im Berichtsjahr eingegangenen Anträgen und Rechnungen dieser Leistung (kaufmännisch "
            "gerundet; abgelehnt = 100 % minus die übrigen)."
        ),
        "in_time": _(
            "Anteil der entschiedenen Anträge der Krankenversicherung, über die innerhalb von drei Wochen (mit "
            "Gutachten des Medizinischen Dienstes: fünf Wochen) nach Eingang entschieden wurde (§ 13 Abs. 3a SGB V; "
            "Kalendertage)."
        ),
        "kg_rate": _(
            "Abgeschlossene Krankengeldfälle ÷ durchschnittliche Zahl der krankengeldberechtigten Mitglieder × 100.000."
        ),
        "benefit_rate": _("Anträge und Rechnungen ÷ durchschnittliche Zahl der Versicherten × 100.000."),
        "processing": _(
            "Durchschnitt der Kalendertage vom Eingang des Antrags bzw. der Rechnung bis zur Entscheidung bzw. "
            "Erstattung über alle im Berichtsjahr eingegangenen und entschiedenen Anträge; Zeiten für Gutachten "
            "sind enthalten."
        ),
        "objection_quota": _(
            "Eingegangene Widersprüche ÷ im Berichtsjahr eingegangene Anträge und Rechnungen desselben "
            "Versicherungszweigs × 100."
        ),
        "lawsuit_quota": _(
            "Eingegangene Klagen ÷ im Berichtsjahr eingegangene Anträge und Rechnungen desselben "
            "Versicherungszweigs × 100."
        ),
        "objection_split": _(
            "Anteil an den im Berichtsjahr erledigten Widersprüchen, einschließlich solcher aus Vorjahren "
            "(kaufmännisch gerundet; ohne Erfolg = 100 % minus die übrigen)."
        ),
        "lawsuit_split": _(
            "Anteil an den im Berichtsjahr entschiedenen Klagen, einschließlich solcher aus Vorjahren "
            "(kaufmännisch gerundet; ohne Erfolg = 100 % minus die übrigen)."
        ),
        "cases_rate": _("Geprüfte Fälle ÷ durchschnittliche Zahl der Versicherten × 100.000."),
        "opinions_rate": _("Veranlasste Begutachtungen ÷ durchschnittliche Zahl der Versicherten × 100.000."),
        "confirmed_share": _("Begutachtungen, die den Verdacht bestätigten ÷ veranlasste Begutachtungen × 100."),
        "complaints_rate": _("Beschwerden ÷ durchschnittliche Zahl der Versicherten × 100.000."),
        "complaints_split": _("Anteil an allen Beschwerden des Berichtsjahres (Verfahren der größten Reste)."),
        "program_rate": _(
            "Teilnehmende am 31. Dezember ÷ durchschnittliche Zahl der Versicherten der Kasse × 100.000."
        ),
    }


def definitions() -> dict[str, str]:
    """The definition texts in the active language."""
    return _definitions()


def definition_list() -> list[tuple[str, str]]:
    """(term, definition) pairs for the "Definitionen" part of the report."""
    d = _definitions()
    terms = [
        ("applications", _("Anteile genehmigt/abgelehnt (alle Anträge)")),
        ("benefit", _("Anteile je TOP-Leistung")),
        ("in_time", _("fristgerecht entschieden")),
        ("kg_rate", _("Krankengeldfälle je 100.000")),
        ("benefit_rate", _("Anträge je 100.000 Versicherte")),
        ("processing", _("Bearbeitungszeit")),
        ("objection_quota", _("Widerspruchsquote")),
        ("lawsuit_quota", _("Klagequote")),
        ("objection_split", _("Ergebnisse der Widersprüche")),
        ("lawsuit_split", _("Ergebnisse der Klagen")),
        ("cases_rate", _("Behandlungsfehler: Fälle je 100.000")),
        ("opinions_rate", _("Behandlungsfehler: Begutachtungen je 100.000")),
        ("confirmed_share", _("Behandlungsfehler: bestätigter Verdacht")),
        ("complaints_rate", _("Beschwerden je 100.000")),
        ("complaints_split", _("Anteile der Beschwerden")),
        ("program_rate", _("Teilnehmende je 100.000")),
    ]
    return [(term, d[key]) for key, term in terms]


def branch_choices() -> list[tuple[str, str]]:
    return [(b.value, str(b.label)) for b in Branch]


# --- computation -------------------------------------------------------------------------------


def _applications(rows: list[ApplicationRollup], insured: int | None, sick_pay: int | None, d: dict[str, str]):
    if not rows:
        return None, [], []
    total = sum(r.count for r in rows)
    by_outcome = {o: sum(r.count for r in rows if r.outcome == o) for o in Outcome.values}
    by_branch = {b: sum(r.count for r in rows if r.branch == b) for b in Branch.values}
    items = [
        ("approved", _("genehmigt"), by_outcome[Outcome.APPROVED]),
        ("rejected", _("abgelehnt"), by_outcome[Outcome.REJECTED] + by_outcome[Outcome.OTHER]),
    ]
    if by_outcome[Outcome.PENDING]:
        items.append(("pending", _("noch offen"), by_outcome[Outcome.PENDING]))
    kv_decided = sum(r.count for r in rows if r.branch == Branch.KV and r.outcome != Outcome.PENDING)
    overview = Overview(
        received=total,
        by_branch=by_branch,
        split=Split.of(items, d["applications"], remainder="rejected"),
        other_in_rejected=by_outcome[Outcome.OTHER],
        pending=by_outcome[Outcome.PENDING],
        in_time=Ratio(sum(r.decided_in_time for r in rows), kv_decided, 100, 1, d["in_time"]),
    )

    top = []
    for key in TOP_BENEFITS:
        group = [r for r in rows if benefit_of(r.category) == key]
        n = sum(r.count for r in group)
        counts = {o: sum(r.count for r in group if r.outcome == o) for o in Outcome.values}
        split = None
        if key != Benefit.KRANKENGELD:
            parts = [
                ("approved", _("genehmigt"), counts[Outcome.APPROVED]),
                ("rejected", _("abgelehnt"), counts[Outcome.REJECTED]),
            ]
            if counts[Outcome.OTHER]:
                parts.append(("other", _("erledigt auf sonstige Art"), counts[Outcome.OTHER]))
            if counts[Outcome.PENDING]:
                parts.append(("pending", _("noch offen"), counts[Outcome.PENDING]))
            split = Split.of(parts, d["benefit"], remainder="rejected")
        if key == Benefit.KRANKENGELD:
            rate = Ratio(n, sick_pay or 0, 100_000, 0, d["kg_rate"])
            base = _("krankengeldberechtigte Mitglieder")
        else:
            rate = Ratio(n, insured or 0, 100_000, 0, d["benefit_rate"])
            base = _("Versicherte")
        top.append(
            TopBenefit(key=key, label=str(Benefit(key).label), total=n, split=split, rate=rate, rate_base_label=base)
        )

    processing = []
    for group_label, category, label in PROCESSING_ITEMS:
        group = [r for r in rows if r.category == category and r.outcome != Outcome.PENDING]
        decided = sum(r.count for r in group)
        days = sum(r.processing_days_sum for r in group)
        kv = [r for r in group if r.branch == Branch.KV]
        kv_decided = sum(r.count for r in kv)
        processing.append(
            ProcessingItem(
                group=_(group_label),
                category=category,
                label=_(label),
                decided=decided,
                average=ratio(days, decided, scale=1, places=1),
                in_time=Ratio(sum(r.decided_in_time for r in kv), kv_decided, 100, 1, d["in_time"])
                if kv_decided
                else None,
            )
        )
    return overview, top, processing


def _remedies(rows: list[RemedyRollup], by_branch: dict[str, int], d: dict[str, str]) -> list[Remedies]:
    result = []
    for kind in RemedyKind.values:
        for branch in Branch.values:
            group = [r for r in rows if r.kind == kind and r.branch == branch]
            if not group:
                continue
            settled = {o: sum(r.settled for r in group if r.outcome == o) for o in RemedyOutcome.values}
            items = [(o, str(RemedyOutcome(o).label), settled[o]) for o in RemedyOutcome.values]
            received = sum(r.received for r in group)
            is_objection = kind == RemedyKind.OBJECTION
            result.append(
                Remedies(
                    kind=kind,
                    branch=branch,
                    received=received,
                    quota=Ratio(
                        received,
                        by_branch.get(branch, 0),
                        100,
                        2,
                        d["objection_quota" if is_objection else "lawsuit_quota"],
                    ),
                    settled=sum(settled.values()),
                    split=Split.of(
                        items,
                        d["objection_split" if is_objection else "lawsuit_split"],
                        remainder=RemedyOutcome.NO_SUCCESS,
                    ),
                )
            )
    return result


def _complaints(rows: list[ComplaintRollup], insured: int | None, d: dict[str, str]) -> Complaints | None:
    if not rows:
        return None
    total = sum(r.count for r in rows)
    by_channel = [(c.value, str(c.label), sum(r.count for r in rows if r.channel == c)) for c in ComplaintChannel]
    from reports.models import ComplaintTopic

    by_topic = [(t.value, str(t.label), sum(r.count for r in rows if r.topic == t)) for t in ComplaintTopic]
    return Complaints(
        total=total,
        rate=Ratio(total, insured or 0, 100_000, 0, d["complaints_rate"]),
        by_channel=Split.of(by_channel, d["complaints_split"]),
        by_topic=Split.of(by_topic, d["complaints_split"]),
    )


def compute_report(
    report_year: ReportYear, *, with_previous: bool = True, with_programs: bool = True, now=None
) -> Report:
    """The report of one fund-year, plus the previous year's figures for the year-over-year
    changes when that year is published."""
    d = _definitions()
    insured, sick_pay = report_year.average_insured, report_year.average_sick_pay_members
    app_rows = list(ApplicationRollup.objects.filter(report_year=report_year))
    overview, top, processing = _applications(app_rows, insured, sick_pay, d)
    by_branch = overview.by_branch if overview else {}
    remedies = _remedies(list(RemedyRollup.objects.filter(report_year=report_year)), by_branch, d)
    te = TreatmentErrorRollup.objects.filter(report_year=report_year).first()
    treatment_errors = (
        TreatmentErrors(
            cases=te.cases,
            cases_rate=Ratio(te.cases, insured or 0, 100_000, 0, d["cases_rate"]),
            opinions=te.expert_opinions,
            opinions_rate=Ratio(te.expert_opinions, insured or 0, 100_000, 0, d["opinions_rate"]),
            confirmed=te.confirmed,
            confirmed_share=Ratio(te.confirmed, te.expert_opinions, 100, 1, d["confirmed_share"]),
        )
        if te
        else None
    )
    complaints = _complaints(list(ComplaintRollup.objects.filter(report_year=report_year)), insured, d)
    programs = None
    if with_programs:
        participation = published_participation(fund_id=report_year.fund_id, year=report_year.year)
        total = participation.total_participants
        programs = ProgramFigures(
            participation=participation,
            insured=insured,
            rates={
                p.program_id: Ratio(p.participants, insured or 0, 100_000, 1, d["program_rate"])
                for p in participation.programs
                if not isinstance(p.participants, Hidden)
            },
            total_rate=None if isinstance(total, Hidden) else Ratio(total, insured or 0, 100_000, 1, d["program_rate"]),
        )
    key_figures = {
        k.name: StatedFigure(
            name=k.name,
            label=str(KeyFigureName(k.name).label),
            value=k.value.quantize(Decimal(1).scaleb(-k.places)),
            qualifier=k.qualifier,
            qualifier_label=str(Qualifier(k.qualifier).label) if k.qualifier else "",
        )
        for k in KeyFigure.objects.filter(report_year=report_year)
    }
    fund = report_year.fund
    report = Report(
        report_year=report_year,
        year=report_year.year,
        fund_name=fund.name,
        fund_slug=fund.slug,
        insured=insured,
        sick_pay_members=sick_pay,
        overview=overview,
        top_benefits=top,
        processing=processing,
        remedies=remedies,
        treatment_errors=treatment_errors,
        complaints=complaints,
        programs=programs,
        key_figures=key_figures,
    )
    if with_previous:
        # Only a published previous year: the report (and its cached PDF) is the same for
        # every reader, so it must not carry figures of an unpublished year.
        previous = (
            ReportYear.objects.select_related("fund")
            .filter(fund_id=report_year.fund_id, year=report_year.year - 1, published_at__lte=now or timezone.now())
            .first()
        )
        if previous is not None:
            report.previous = compute_report(previous, with_previous=False, with_programs=with_programs)
    return report


def compute_report_in(report_year: ReportYear, *, language: str, now=None) -> Report:
    """The report with its texts (labels, definitions) in `language`: what a PDF in that
    language shows, and hence what its fingerprint covers, whoever computes it."""
    with translation.override(language):
        return compute_report(report_year, now=now)


# --- year-over-year ----------------------------------------------------------------------------


def change_percent(current: int | None, previous: int | None) -> Decimal | None:
    """Relative change in percent (one decimal), None without a previous value."""
    if current is None or not previous:
        return None
    return ratio(current - previous, previous, scale=100, places=1)


def change_points(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Difference of two printed percentages, in percentage points."""
    if current is None or previous is None:
        return None
    return current - previous


# --- fingerprint -------------------------------------------------------------------------------


def _plain(value):
    if is_dataclass(value) and not isinstance(value, type):
        if isinstance(value, ReportYear):  # pragma: no cover - dataclass check excludes models
            return None
        return {k: _plain(v) for k, v in asdict(value).items() if k != "report_year"}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def report_fingerprint(report: Report, *, language: str) -> str:
    """SHA-256 over everything the PDF shows (figures, texts, render version, language)."""
    payload = {
        "render": RENDER_VERSION,
        "language": language,
        "report": {
            "year": report.year,
            "fund": report.fund_name,
            "insured": report.insured,
            "sick_pay": report.sick_pay_members,
            "overview": _plain(report.overview),
            "top": _plain(report.top_benefits),
            "processing": _plain(report.processing),
            "remedies": _plain(report.remedies),
            "treatment_errors": _plain(report.treatment_errors),
            "complaints": _plain(report.complaints),
            "programs": _plain(report.programs),
            "key_figures": _plain(report.key_figures),
            "previous_version": report.previous.report_year.data_version if report.previous else None,
            "previous": _plain(report.previous.overview) if report.previous else None,
        },
    }
    data = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()
