"""A fund's figures over its published years (issue 13, point 4).

Every figure of the report (`report_tables`) and of the comparison (`comparison_tables`) as a
series over the years the reader may see: one table per source table and figure column, one
row per year, one column per row of the source table (e.g. "Widersprüche KV – Anteil": the
outcomes per year). The cells keep their kind, so they go through the same rendering path
(`tables.format_cell`, `csv_export.table_csv`) as the report's own tables; the chart draws the
first figure per year, with the title and description as its text alternative.

Which years: the caller passes only report years the reader may see
(`selectors.visible_report_years`), so unpublished years stay hidden from everybody outside
the fund.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from reports.figures import Report
from reports.tables import ChartSpec, Column, Table, comparison_tables, report_tables

#: Columns that are not figures of the year itself.
SKIP_KINDS = {"text", "change", "points", "daysdiff"}
SKIP_KEYS = {"previous", "change"}


def _strip_year(title: str, year: int) -> str:
    return title.replace(f" {year}", "").strip()


def _figure_tables(report: Report) -> list[Table]:
    return [*report_tables(report), *comparison_tables([report], report.year)]


def series_tables(reports: list[Report]) -> list[Table]:
    """Series over the years of `reports` (one fund, oldest first)."""
    reports = sorted(reports, key=lambda r: r.year)
    # slug → (title, section, notes, {column key: Column}, {year: {column key: {row label: value}}})
    found: dict[str, dict] = {}
    for report in reports:
        for table in _figure_tables(report):
            entry = found.setdefault(
                table.slug,
                {"title": _strip_year(table.title, report.year), "notes": table.notes, "columns": {}, "years": {}},
            )
            label_key = table.columns[0].key
            for column in table.columns[1:]:
                if column.kind in SKIP_KINDS or column.key in SKIP_KEYS:
                    continue
                entry["columns"].setdefault(column.key, column)
                per_year = entry["years"].setdefault(report.year, {}).setdefault(column.key, {})
                for row in table.rows:
                    label = str(row.get(label_key) or "")
                    if row.get("group"):
                        label = f"{row['group']}: {label}"
                    per_year[label] = row.get(column.key)
    tables = []
    for slug, entry in found.items():
        for key, column in entry["columns"].items():
            labels: list[str] = []
            for year_values in entry["years"].values():
                for label in year_values.get(key, {}):
                    if label not in labels:
                        labels.append(label)
            if not labels:
                continue
            columns = [Column("label", _("Jahr"), "text")] + [
                Column(f"f{i}", label or column.label, column.kind) for i, label in enumerate(labels)
            ]
            rows = []
            for report in reports:
                values = entry["years"].get(report.year, {}).get(key)
                if values is None:
                    continue
                row = {"label": str(report.year)}
                for i, label in enumerate(labels):
                    row[f"f{i}"] = values.get(label)
                rows.append(row)
            title = f"{entry['title']} – {column.label}"
            tables.append(
                Table(
                    slug=f"verlauf-{slug}-{key}",
                    section="verlauf",
                    title=title,
                    columns=columns,
                    rows=rows,
                    notes=list(entry["notes"]),
                    chart=ChartSpec(
                        "bar",
                        _("%(title)s: %(figure)s je Jahr") % {"title": title, "figure": labels[0] or column.label},
                        _("Ein waagerechter Balken je Berichtsjahr; alle Werte stehen in der Tabelle darunter."),
                        value="f0",
                    ),
                )
            )
    return tables
