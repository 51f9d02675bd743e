"""The report as tables: one structure for the HTML view, the PDF and the CSV files.

A `Table` holds raw values (int, Decimal, str, None) and a `kind` per column; formatting
happens at output time (German or English numbers on screen and in the PDF, plain numbers
with a decimal comma in CSV). Every chart is drawn from the table printed next to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from reports.figures import Report, Split, change_percent, change_points, definitions
from reports.formatting import format_number, format_percent
from reports.models import Benefit, Branch, KeyFigureName, RemedyKind
from reports.suppression import Hidden, is_hidden, threshold


def small_numbers_note() -> str:
    return _(
        "„< %(limit)d“: weniger als %(limit)d Personen, zum Schutz der Betroffenen nicht gezeigt; ebenso eine "
        "weitere Zahl derselben Spalte, wenn sich die verborgene sonst aus der Summe errechnen ließe."
    ) % {"limit": threshold()}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # text | int | percent | percent2 | days | rate | rate1 | change | points | daysdiff


@dataclass(frozen=True)
class ChartSpec:
    """`bar`: one bar per row from `value`; `stacked`: one 100 % bar per row from `parts`."""

    kind: str
    title: str
    description: str
    value: str = ""
    parts: tuple[tuple[str, str], ...] = ()  # (row key, legend label)
    label: str = "label"


@dataclass
class Table:
    slug: str
    section: str
    title: str
    columns: list[Column]
    rows: list[dict]
    notes: list[str] = field(default_factory=list)
    chart: ChartSpec | None = None
    chart_rows: list[dict] | None = None  # what the chart draws, when not `rows` (still shown in `rows`)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def cells(self, row: dict) -> list[tuple[Column, object]]:
        return [(c, row.get(c.key)) for c in self.columns]


def format_cell(value, kind: str, lang: str | None = None) -> str:
    """Screen and PDF formatting of one cell."""
    if value is None or value == "":
        return "–"
    if isinstance(value, Hidden):
        return str(value)
    if kind == "text":
        return str(value)
    if kind == "int":
        return format_number(value, 0, lang=lang)
    if kind == "percent":
        return format_percent(value, 1, lang=lang)
    if kind == "percent2":
        return format_percent(value, 2, lang=lang)
    if kind == "days":
        return format_number(value, 1, lang=lang)
    if kind == "daysdiff":
        return format_number(value, 1, lang=lang, sign=True)
    if kind == "rate":
        return format_number(value, 0, lang=lang)
    if kind == "rate1":
        return format_number(value, 1, lang=lang)
    if kind == "change":
        return format_percent(value, 1, lang=lang, sign=True)
    if kind == "points":
        return format_number(value, 1, lang=lang, sign=True)
    if kind == "number":  # as many decimals as the value carries (key figures as stated)
        return format_number(value, lang=lang)
    raise ValueError(kind)


def _prev_cols(has_previous: bool, *, kind: str = "int", change: str = "change") -> list[Column]:
    if not has_previous:
        return []
    label = {
        "change": _("Veränderung"),
        "points": _("Veränderung (Prozentpunkte)"),
        "daysdiff": _("Veränderung (Tage)"),
    }[change]
    return [Column("previous", _("Vorjahr"), kind), Column("change", label, change)]


def _with_change(row: dict, current, previous, *, mode: str) -> dict:
    row["previous"] = previous
    if mode == "change":
        row["change"] = change_percent(current, previous)
    elif mode == "points":
        row["change"] = change_points(current, previous)
    else:
        row["change"] = (current - previous) if current is not None and previous is not None else None
    return row


def _split_rows(split: Split, previous: Split | None) -> list[dict]:
    rows = []
    for part in split.parts:
        row = {"label": part.label, "count": part.count, "share": part.share}
        if previous is not None:
            prev = previous.part(part.key)
            _with_change(row, part.share, prev.share if prev else None, mode="points")
        rows.append(row)
    return rows


def applications_tables(report: Report) -> list[Table]:
    o = report.overview
    if o is None:
        return []
    prev = report.previous.overview if report.previous and report.previous.overview else None
    has_prev = prev is not None
    first = {"label": _("Anträge und Rechnungen insgesamt"), "count": o.received, "share": None}
    if has_prev:
        _with_change(first, o.received, prev.received, mode="change")
    rows = [first]
    for part in o.split.parts:
        label = part.label
        if part.key == "rejected" and o.other_in_rejected:
            label = _("abgelehnt (einschließlich %(n)s auf sonstige Art erledigt)") % {
                "n": format_number(o.other_in_rejected)
            }
        row = {"label": label, "count": part.count, "share": part.share}
        if has_prev:
            prev_part = prev.split.part(part.key)
            _with_change(row, part.count, prev_part.count if prev_part else None, mode="change")
        rows.append(row)
    for branch in Branch.values:
        row = {
            "label": _("davon %(branch)s") % {"branch": Branch(branch).label},
            "count": o.by_branch.get(branch, 0),
            "share": None,
        }
        if has_prev:
            _with_change(row, o.by_branch.get(branch, 0), prev.by_branch.get(branch, 0), mode="change")
        rows.append(row)
    row = {
        "label": _("fristgerecht entschieden (KV, § 13 Abs. 3a SGB V)"),
        "count": o.in_time.numerator,
        "share": o.in_time.value,
    }
    if has_prev:
        _with_change(row, o.in_time.numerator, prev.in_time.numerator, mode="change")
    rows.append(row)
    return [
        Table(
            slug="antraege-gesamt",
            section="antraege",
            title=_("Anträge und Rechnungen im Jahr %(year)d") % {"year": report.year},
            columns=[
                Column("label", _("Kennzahl"), "text"),
                Column("count", _("Anzahl")),
                Column("share", _("Anteil"), "percent"),
                *_prev_cols(has_prev),
            ],
            rows=rows,
            notes=[o.split.definition, o.in_time.definition],
            chart=ChartSpec(
                "stacked",
                _("Anteile genehmigter und abgelehnter Anträge und Rechnungen %(year)d") % {"year": report.year},
                _("Ein gestapelter Balken mit den Anteilen: %(parts)s.")
                % {"parts": "; ".join(f"{p.label} {format_percent(p.share)}" for p in o.split.parts)},
                parts=tuple((p.key, p.label) for p in o.split.parts),
            ),
            chart_rows=[{"label": _("Anträge und Rechnungen"), **{p.key: p.share for p in o.split.parts}}],
        ),
    ]


def top_benefit_table(report: Report) -> list[Table]:
    if not report.top_benefits:
        return []
    prev = report.previous if report.previous and report.previous.top_benefits else None
    has_prev = prev is not None
    rows = []
    for t in report.top_benefits:
        row = {"label": t.label, "count": t.total, "rate": t.rate.value if t.rate else None}
        if t.split is not None:
            for key in ("approved", "rejected", "other"):
                part = t.split.part(key)
                row[f"{key}_count"] = part.count if part else (0 if key != "other" else None)
                row[f"{key}_share"] = part.share if part else (Decimal("0.0") if key != "other" else None)
        if has_prev:
            pt = prev.top(t.key)
            _with_change(row, t.total, pt.total if pt else None, mode="change")
        rows.append(row)
    columns = [
        Column("label", _("Leistung"), "text"),
        Column("count", _("Anträge und Rechnungen")),
        Column("approved_count", _("genehmigt")),
        Column("approved_share", _("genehmigt (Anteil)"), "percent"),
        Column("rejected_count", _("abgelehnt")),
        Column("rejected_share", _("abgelehnt (Anteil)"), "percent"),
        Column("other_count", _("sonstige Art")),
        Column("other_share", _("sonstige Art (Anteil)"), "percent"),
        Column("rate", _("je 100.000"), "rate"),
        *_prev_cols(has_prev),
    ]
    kg = report.top(Benefit.KRANKENGELD)
    notes = [
        _(
            "Krankengeld: abgeschlossene Krankengeldfälle; je 100.000 krankengeldberechtigte Mitglieder. Übrige Leistungen: je 100.000 Versicherte."
        ),
        kg.rate.definition if kg and kg.rate else "",
        report.top_benefits[-1].rate.definition if report.top_benefits[-1].rate else "",
        report.top_benefits[1].split.definition if report.top_benefits[1].split else "",
        _(
            "Rehabilitation/Vorsorge umfasst ambulante und stationäre Rehabilitation, Mutter-/Vater-Kind-Kuren und Zuschüsse zu ambulanten Badekuren."
        ),
    ]
    chart_rows = [r for r in rows if r.get("approved_share") is not None]
    return [
        Table(
            slug="top-leistungen",
            section="top-leistungen",
            title=_("TOP-Leistungen im Jahr %(year)d") % {"year": report.year},
            columns=columns,
            rows=rows,
            notes=[n for n in notes if n],
            chart=ChartSpec(
                "stacked",
                _("Genehmigt und abgelehnt je TOP-Leistung %(year)d") % {"year": report.year},
                _(
                    "Gestapelte Balken je Leistung mit den Anteilen genehmigt, abgelehnt und auf sonstige Art erledigt; die Werte stehen in der Tabelle."
                ),
                parts=(
                    ("approved_share", _("genehmigt")),
                    ("rejected_share", _("abgelehnt")),
                    ("other_share", _("sonstige Art")),
                ),
            )
            if chart_rows
            else None,
            chart_rows=chart_rows,
        )
    ]


def processing_table(report: Report) -> list[Table]:
    if not report.processing or not any(p.decided for p in report.processing):
        return []
    prev = report.previous if report.previous and report.previous.processing else None
    has_prev = prev is not None
    rows = []
    for p in report.processing:
        row = {
            "group": p.group,
            "label": p.label,
            "decided": p.decided,
            "average": p.average,
            "in_time": p.in_time.value if p.in_time else None,
        }
        if has_prev:
            pp = prev.processing_item(p.category)
            _with_change(row, p.average, pp.average if pp else None, mode="diff")
        rows.append(row)
    return [
        Table(
            slug="bearbeitungszeiten",
            section="bearbeitungszeiten",
            title=_("Durchschnittliche Bearbeitungszeit in Kalendertagen %(year)d") % {"year": report.year},
            columns=[
                Column("group", _("Bereich"), "text"),
                Column("label", _("Leistung"), "text"),
                Column("decided", _("entschiedene Anträge")),
                Column("average", _("Tage (Durchschnitt)"), "days"),
                Column("in_time", _("fristgerecht (KV)"), "percent"),
                *_prev_cols(has_prev, kind="days", change="daysdiff"),
            ],
            rows=rows,
            notes=[definitions()["processing"], definitions()["in_time"]],
            chart=ChartSpec(
                "bar",
                _("Durchschnittliche Bearbeitungszeit je Leistung %(year)d") % {"year": report.year},
                _(
                    "Waagerechte Balken: durchschnittliche Kalendertage vom Eingang bis zur Entscheidung je Leistung; die Werte stehen in der Tabelle."
                ),
                value="average",
            ),
        )
    ]


REMEDY_TITLES = {
    (RemedyKind.OBJECTION, Branch.KV): gettext_noop("Widersprüche – Krankenversicherung"),
    (RemedyKind.OBJECTION, Branch.PV): gettext_noop("Widersprüche – Pflegeversicherung"),
    (RemedyKind.LAWSUIT, Branch.KV): gettext_noop("Klagen – Krankenversicherung"),
    (RemedyKind.LAWSUIT, Branch.PV): gettext_noop("Klagen – Pflegeversicherung"),
}


def remedy_tables(report: Report) -> list[Table]:
    if not report.remedies:
        return []
    prev = report.previous if report.previous and report.previous.remedies else None
    has_prev = prev is not None
    summary_rows = []
    tables = []
    for r in report.remedies:
        title = _(REMEDY_TITLES[(r.kind, r.branch)])
        is_objection = r.kind == RemedyKind.OBJECTION
        pr = prev.remedy(r.kind, r.branch) if prev else None
        row = {"label": title, "received": r.received, "quota": r.quota.value, "settled": r.settled}
        if has_prev:
            _with_change(row, r.received, pr.received if pr else None, mode="change")
        summary_rows.append(row)
        split_rows = _split_rows(r.split, pr.split if pr else None)
        split_rows.append(
            {
                "label": _("erledigt insgesamt") if is_objection else _("entschieden insgesamt"),
                "count": r.settled,
                "share": Decimal("100.0") if r.settled else None,
            }
        )
        tables.append(
            Table(
                slug=f"{'widersprueche' if is_objection else 'klagen'}-{r.branch.lower()}",
                section="widersprueche",
                title=_("%(title)s: Ergebnisse %(year)d") % {"title": title, "year": report.year},
                columns=[
                    Column("label", _("Ergebnis"), "text"),
                    Column("count", _("Anzahl")),
                    Column("share", _("Anteil"), "percent"),
                    *_prev_cols(has_prev, kind="percent", change="points"),
                ],
                rows=split_rows,
                notes=[r.split.definition],
                chart=ChartSpec(
                    "stacked",
                    _("%(title)s: Ergebnisse %(year)d") % {"title": title, "year": report.year},
                    _("Ein gestapelter Balken: %(parts)s.")
                    % {"parts": "; ".join(f"{p.label} {format_percent(p.share)}" for p in r.split.parts)},
                    parts=tuple((p.key, p.label) for p in r.split.parts),
                ),
                chart_rows=[{"label": title, **{p.key: p.share for p in r.split.parts}}],
            )
        )
    summary = Table(
        slug="widersprueche-klagen",
        section="widersprueche",
        title=_("Widersprüche und Klagen %(year)d") % {"year": report.year},
        columns=[
            Column("label", _("Verfahren"), "text"),
            Column("received", _("eingegangen")),
            Column("quota", _("Quote"), "percent2"),
            Column("settled", _("erledigt bzw. entschieden")),
            *_prev_cols(has_prev),
        ],
        rows=summary_rows,
        notes=[
            report.remedies[0].quota.definition,
            next((r.quota.definition for r in report.remedies if r.kind == RemedyKind.LAWSUIT), ""),
            _(
                "Erledigt bzw. entschieden: einschließlich Widersprüchen und Klagen aus Vorjahren, die im Berichtsjahr erledigt wurden."
            ),
        ],
    )
    return [summary, *tables]


def treatment_error_table(report: Report) -> list[Table]:
    te = report.treatment_errors
    if te is None:
        return []
    prev = report.previous.treatment_errors if report.previous else None
    has_prev = prev is not None
    rows = [
        {
            "label": _("geprüfte Fälle (mögliche Schadensersatzansprüche)"),
            "count": te.cases,
            "rate": te.cases_rate.value,
            "share": None,
        },
        {"label": _("veranlasste Begutachtungen"), "count": te.opinions, "rate": te.opinions_rate.value, "share": None},
        {"label": _("Verdacht bestätigt"), "count": te.confirmed, "rate": None, "share": te.confirmed_share.value},
    ]
    if has_prev:
        for row, previous in zip(rows, (prev.cases, prev.opinions, prev.confirmed), strict=True):
            _with_change(row, row["count"], previous, mode="change")
    return [
        Table(
            slug="behandlungsfehler",
            section="behandlungsfehler",
            title=_("Unterstützung bei Behandlungsfehlern %(year)d") % {"year": report.year},
            columns=[
                Column("label", _("Kennzahl"), "text"),
                Column("count", _("Anzahl")),
                Column("rate", _("je 100.000 Versicherte"), "rate"),
                Column("share", _("Anteil der Begutachtungen"), "percent"),
                *_prev_cols(has_prev),
            ],
            rows=rows,
            notes=[te.cases_rate.definition, te.opinions_rate.definition, te.confirmed_share.definition],
            chart=ChartSpec(
                "bar",
                _("Behandlungsfehler: Fälle, Begutachtungen, Bestätigungen %(year)d") % {"year": report.year},
                _("Waagerechte Balken mit den Anzahlen; die Werte stehen in der Tabelle."),
                value="count",
            ),
        )
    ]


def complaint_tables(report: Report) -> list[Table]:
    c = report.complaints
    if c is None:
        return []
    prev = report.previous.complaints if report.previous else None
    tables = []
    for slug, title, split, prev_split in (
        ("beschwerden-wege", _("Beschwerden nach Weg %(year)d"), c.by_channel, prev.by_channel if prev else None),
        ("beschwerden-themen", _("Beschwerden nach Thema %(year)d"), c.by_topic, prev.by_topic if prev else None),
    ):
        rows = _split_rows(split, prev_split)
        rows.append({"label": _("insgesamt"), "count": c.total, "share": Decimal("100.0")})
        tables.append(
            Table(
                slug=slug,
                section="beschwerden",
                title=title % {"year": report.year},
                columns=[
                    Column("label", _("Weg") if slug.endswith("wege") else _("Thema"), "text"),
                    Column("count", _("Anzahl")),
                    Column("share", _("Anteil"), "percent"),
                    *_prev_cols(prev is not None, kind="percent", change="points"),
                ],
                rows=rows,
                notes=[
                    split.definition,
                    _("%(n)s Beschwerden je 100.000 Versicherte (%(definition)s)")
                    % {"n": format_number(c.rate.value), "definition": c.rate.definition},
                ],
                chart=ChartSpec(
                    "bar",
                    title % {"year": report.year},
                    _("Waagerechte Balken mit dem Anteil je Kategorie; die Werte stehen in der Tabelle."),
                    value="share",
                ),
            )
        )
    return tables


def program_tables(report: Report) -> list[Table]:
    p = report.programs
    if p is None:
        return []
    participation = p.participation
    rows = [
        {
            "label": row.title,
            "participants": row.participants,
            "rate": p.rates[row.program_id].value if row.program_id in p.rates else row.participants,
            "declarations": row.declarations,
            "revocations": row.revocations,
            "cancellations": row.cancellations,
            "endings": row.endings,
        }
        for row in participation.programs
    ]
    total = participation.total_participants
    if rows:
        rows.append(
            {
                "label": _("alle Programme"),
                "participants": total,
                "rate": p.total_rate.value if p.total_rate else (total if is_hidden(total) else None),
                "declarations": participation.total("declarations"),
                "revocations": participation.total("revocations"),
                "cancellations": participation.total("cancellations"),
                "endings": participation.total("endings"),
            }
        )
    notes = [
        _(
            "Teilnehmende am 31. Dezember: begonnen und nicht vorher beendet; widerrufene Teilnahmen zählen nie (ein Widerruf wirkt von Anfang an)."
        ),
        _(
            "Neue Erklärungen: im Jahr abgegebene Teilnahmeerklärungen. Widerrufe: im Jahr abgesandte Widerrufe innerhalb der Widerrufsfrist. Kündigungen: im Jahr erklärte Kündigungen. Beendet: letzter Teilnahmetag im Jahr."
        ),
        p.total_rate.definition if p.total_rate else "",
        _(
            "Quelle: Daten des Versorgungslotsen (Teilnahmen, die über das Portal erklärt oder erfasst wurden); im veröffentlichten Bericht nicht enthalten."
        ),
        small_numbers_note() if participation.hides_numbers else "",
    ]
    lands = [
        {"label": land.land_name, "participants": land.participants, "share": land.share}
        for land in participation.lands
    ]
    tables = [
        Table(
            slug="programme",
            section="programme",
            title=_("Teilnahme an den Versorgungsprogrammen der Kasse %(year)d") % {"year": report.year},
            columns=[
                Column("label", _("Programm"), "text"),
                Column("participants", _("Teilnehmende am 31.12.")),
                Column("rate", _("je 100.000 Versicherte"), "rate1"),
                Column("declarations", _("neue Erklärungen")),
                Column("revocations", _("Widerrufe")),
                Column("cancellations", _("Kündigungen")),
                Column("endings", _("beendet")),
            ],
            rows=rows,
            notes=[n for n in notes if n],
            chart=ChartSpec(
                "bar",
                _("Teilnehmende je Programm am 31.12.%(year)d") % {"year": report.year},
                _("Waagerechte Balken mit der Zahl der Teilnehmenden je Programm; die Werte stehen in der Tabelle."),
                value="participants",
            )
            if rows and total and not is_hidden(total)
            else None,
        ),
        Table(
            slug="programme-laender",
            section="programme",
            title=_("Teilnehmende am 31.12.%(year)d nach Land des Wohnorts") % {"year": report.year},
            columns=[
                Column("label", _("Land"), "text"),
                Column("participants", _("Teilnehmende")),
                Column("share", _("Anteil"), "percent"),
            ],
            rows=lands,
            notes=[
                n
                for n in (
                    _("Land der Wohnanschrift der teilnehmenden Person."),
                    small_numbers_note() if participation.hides_numbers else "",
                )
                if n
            ],
        ),
    ]
    return tables


#: Key figures per section, in the order of the published report, with their unit.
KEY_FIGURE_SECTIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "kontakt",
        gettext_noop("Filialen %(year)d"),
        ((KeyFigureName.BRANCHES, ""), (KeyFigureName.BRANCHES_ACCESSIBLE, "")),
    ),
    (
        "angebote",
        gettext_noop("Pflegeberatung und Gesundheitsangebote %(year)d"),
        (
            (KeyFigureName.CARE_PLANS, ""),
            (KeyFigureName.CARE_ADVISORS, ""),
            (KeyFigureName.PREVENTION_PARTICIPANTS, ""),
            (KeyFigureName.PREVENTION_SPENDING_PER_PARTICIPANT, "Euro"),
            (KeyFigureName.PREVENTION_SPENDING_TOTAL, "Euro"),
        ),
    ),
    (
        "befragung",
        gettext_noop("Ergebnisse der Versichertenbefragung %(year)d"),
        ((KeyFigureName.SURVEY_FIRST_CHOICE, "%"), (KeyFigureName.SURVEY_STAY, "%")),
    ),
)


def key_figure_tables(report: Report) -> list[Table]:
    """The figures the fund states (key_figures.csv), kept as stated: "etwa 41"."""
    tables = []
    prev = report.previous.key_figures if report.previous else {}
    for section, title, names in KEY_FIGURE_SECTIONS:
        rows = []
        for name, unit in names:
            figure = report.key_figures.get(name)
            if figure is None:
                continue
            row = {"label": figure.label, "qualifier": figure.qualifier_label, "value": figure.value, "unit": unit}
            if prev:
                previous = prev.get(name)
                _with_change(row, figure.value, previous.value if previous else None, mode="absolute")
            rows.append(row)
        if not rows:
            continue
        tables.append(
            Table(
                slug=f"kennzahlen-{section}",
                section=section,
                title=_(title) % {"year": report.year},
                columns=[
                    Column("label", _("Kennzahl"), "text"),
                    Column("qualifier", _("Angabe"), "text"),
                    Column("value", _("Wert"), "number"),
                    Column("unit", _("Einheit"), "text"),
                    *([Column("previous", _("Vorjahr"), "number")] if prev else []),
                ],
                rows=rows,
                notes=[
                    _(
                        "Angaben der Kasse, so wie sie sie macht: „etwa“, „fast“ und „über“ stehen bei Zahlen, die die "
                        "Kasse nicht genau angibt."
                    )
                ],
            )
        )
    return tables


def report_tables(report: Report) -> list[Table]:
    """All tables of the report in the order of the sections."""
    return [
        *key_figure_tables(report),
        *applications_tables(report),
        *top_benefit_table(report),
        *processing_table(report),
        *remedy_tables(report),
        *treatment_error_table(report),
        *complaint_tables(report),
        *program_tables(report),
    ]


def tables_by_section(tables: list[Table]) -> dict[str, list[Table]]:
    result: dict[str, list[Table]] = {}
    for t in tables:
        result.setdefault(t.section, []).append(t)
    return result


# --- comparison across funds -----------------------------------------------------------------


def _per_100k(count: int | None, base: int | None) -> Decimal | None:
    from reports.formatting import ratio

    if count is None or not base:
        return None
    return ratio(count, base, scale=100_000, places=1)


def comparison_tables(reports: list[Report], year: int) -> list[Table]:
    """Rates per 100,000 insured (Krankengeld: per 100,000 members entitled to sick pay) and
    quotas, one row per fund, so funds of different size compare fairly."""
    from reports.figures import definitions

    d = definitions()
    app_rows, remedy_rows, program_rows = [], [], []
    for r in reports:
        label = r.fund_name
        o = r.overview
        row = {
            "label": label,
            "insured": r.insured,
            "applications_rate": _per_100k(o.received, r.insured) if o else None,
            "approved_share": o.split.part("approved").share if o else None,
        }
        for t in r.top_benefits:
            base = r.sick_pay_members if t.key == Benefit.KRANKENGELD else r.insured
            row[f"top_{t.key}"] = _per_100k(t.total, base)
        app_rows.append(row)
        objections = [x for x in r.remedies if x.kind == RemedyKind.OBJECTION]
        lawsuits = [x for x in r.remedies if x.kind == RemedyKind.LAWSUIT]
        kv_obj = r.remedy(RemedyKind.OBJECTION, Branch.KV)
        pv_obj = r.remedy(RemedyKind.OBJECTION, Branch.PV)
        kv_law = r.remedy(RemedyKind.LAWSUIT, Branch.KV)
        remedy_rows.append(
            {
                "label": label,
                "objections_rate": _per_100k(sum(x.received for x in objections), r.insured) if objections else None,
                "quota_kv": kv_obj.quota.value if kv_obj else None,
                "quota_pv": pv_obj.quota.value if pv_obj else None,
                "success_kv": kv_obj.split.part("success").share if kv_obj else None,
                "lawsuits_rate": _per_100k(sum(x.received for x in lawsuits), r.insured) if lawsuits else None,
                "lawsuit_quota_kv": kv_law.quota.value if kv_law else None,
                "treatment_rate": _per_100k(r.treatment_errors.cases, r.insured) if r.treatment_errors else None,
                "complaints_rate": _per_100k(r.complaints.total, r.insured) if r.complaints else None,
            }
        )
        if r.programs is not None:
            total = r.programs.participation.total_participants
            program_rows.append(
                {
                    "label": label,
                    "participants": total,
                    "rate": total if is_hidden(total) else _per_100k(total, r.insured),
                }
            )
    top_columns = [
        Column(f"top_{key}", _("%(benefit)s je 100.000") % {"benefit": Benefit(key).label}, "rate1")
        for key in (
            Benefit.KRANKENGELD,
            Benefit.ZAHNERSATZ,
            Benefit.PFLEGEBEDUERFTIGKEIT,
            Benefit.REHA,
            Benefit.HILFSMITTEL,
        )
    ]
    return [
        Table(
            slug="vergleich-antraege",
            section="vergleich",
            title=_("Anträge und TOP-Leistungen je 100.000 Versicherte %(year)d") % {"year": year},
            columns=[
                Column("label", _("Krankenkasse"), "text"),
                Column("insured", _("Versicherte (Durchschnitt)")),
                Column("applications_rate", _("Anträge und Rechnungen je 100.000"), "rate1"),
                Column("approved_share", _("genehmigt (Anteil)"), "percent"),
                *top_columns,
            ],
            rows=app_rows,
            notes=[d["benefit_rate"], d["kg_rate"], d["applications"]],
            chart=ChartSpec(
                "bar",
                _("Anträge und Rechnungen je 100.000 Versicherte %(year)d") % {"year": year},
                _("Waagerechte Balken je Krankenkasse; die Werte stehen in der Tabelle."),
                value="applications_rate",
            ),
        ),
        Table(
            slug="vergleich-widersprueche",
            section="vergleich",
            title=_("Widersprüche, Klagen, Behandlungsfehler und Beschwerden %(year)d") % {"year": year},
            columns=[
                Column("label", _("Krankenkasse"), "text"),
                Column("objections_rate", _("Widersprüche je 100.000"), "rate1"),
                Column("quota_kv", _("Widerspruchsquote KV"), "percent2"),
                Column("quota_pv", _("Widerspruchsquote PV"), "percent2"),
                Column("success_kv", _("Erfolg der Versicherten (Widersprüche KV)"), "percent"),
                Column("lawsuits_rate", _("Klagen je 100.000"), "rate1"),
                Column("lawsuit_quota_kv", _("Klagequote KV"), "percent2"),
                Column("treatment_rate", _("Behandlungsfehler-Prüfungen je 100.000"), "rate1"),
                Column("complaints_rate", _("Beschwerden je 100.000"), "rate1"),
            ],
            rows=remedy_rows,
            notes=[
                _("Je 100.000: Anzahl ÷ durchschnittliche Zahl der Versicherten × 100.000."),
                d["objection_quota"],
                d["lawsuit_quota"],
                d["objection_split"],
            ],
            chart=ChartSpec(
                "bar",
                _("Widersprüche je 100.000 Versicherte %(year)d") % {"year": year},
                _("Waagerechte Balken je Krankenkasse; die Werte stehen in der Tabelle."),
                value="objections_rate",
            ),
        ),
        Table(
            slug="vergleich-programme",
            section="vergleich",
            title=_("Teilnehmende an Versorgungsprogrammen am 31.12.%(year)d") % {"year": year},
            columns=[
                Column("label", _("Krankenkasse"), "text"),
                Column("participants", _("Teilnehmende")),
                Column("rate", _("je 100.000 Versicherte"), "rate1"),
            ],
            rows=program_rows,
            notes=[d["program_rate"]],
            chart=ChartSpec(
                "bar",
                _("Teilnehmende an Versorgungsprogrammen je 100.000 Versicherte %(year)d") % {"year": year},
                _("Waagerechte Balken je Krankenkasse; die Werte stehen in der Tabelle."),
                value="rate",
            ),
        ),
    ]
