"""Import of report data from CSV files (formats: docs/report-data.md).

Invariants:
- All or nothing per file: rows are validated while the file streams and staged in a
  temporary table; only a file without a single broken row reaches the report tables, in
  one transaction that replaces the dataset family's case rows and rollups of that report
  year and bumps `ReportYear.data_version`.
- Every broken row is reported with its line number (`on_error` sees each one; the
  `ImportFailed` exception keeps the first `ImportRun.MAX_STORED_ERRORS`).
- One validator (Python, below) for both databases. On PostgreSQL the staging table is
  filled with `COPY … FROM STDIN` (psycopg 3 `cursor.copy`) and moved with one
  `INSERT … SELECT`; elsewhere with batched INSERTs.
- Rollups are accumulated in the same pass (`reports.rollups`), so the report never scans
  case rows.

The dataset of a file is recognised by its header line; delimiter ";" (or ","), UTF-8
(a BOM is fine), dates as JJJJ-MM-TT.
"""

from __future__ import annotations

import csv
import io
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import rollups
from reports.models import (
    CATEGORY_BRANCHES,
    CATEGORY_BY_TOKEN,
    OUTCOME_BY_TOKEN,
    Branch,
    ComplaintChannel,
    ComplaintTopic,
    Dataset,
    ImportRun,
    KeyFigure,
    KeyFigureName,
    Outcome,
    Qualifier,
    RemedyKind,
    RemedyOutcome,
    ReportYear,
)

BOOLEANS = {"0": False, "1": True}
STAGE_BATCH = 200_000  # rows per COPY statement (progress is written between statements)
PROGRESS_EVERY = 100_000  # rows


class RowError(ValueError):
    """A broken row; the message names the column and the problem."""


class ImportFailed(Exception):
    """Nothing was imported. `errors` lists (line, message) pairs, `error_count` counts all."""

    def __init__(self, message: str, errors: list[tuple[int, str]] | None = None, error_count: int = 0):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.error_count = error_count or len(self.errors)


@dataclass
class Progress:
    rows: int = 0
    bytes_read: int = 0
    bytes_total: int = 0
    phase: str = "read"

    @property
    def percent(self) -> int:
        return min(100, int(self.bytes_read * 100 / self.bytes_total)) if self.bytes_total else 0


@dataclass
class ImportResult:
    dataset: str
    rows: int
    rollup_rows: int
    seconds: float
    data_version: int
    timings: dict[str, float] = field(default_factory=dict)


# --- parsing helpers ------------------------------------------------------------------------------


class _Dates:
    """Strict JJJJ-MM-TT parsing with a cache (a year has few distinct dates, files have millions)."""

    def __init__(self) -> None:
        self.cache: dict[str, date] = {}

    def __call__(self, value: str, column: str) -> date:
        parsed = self.cache.get(value)
        if parsed is not None:
            return parsed
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise RowError(
                _("%(column)s: „%(value)s“ ist kein Datum im Format JJJJ-MM-TT.") % {"column": column, "value": value}
            )
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise RowError(
                _("%(column)s: „%(value)s“ ist kein gültiges Datum.") % {"column": column, "value": value}
            ) from None
        if len(self.cache) < 20_000:
            self.cache[value] = parsed
        return parsed


def _count(value: str, column: str) -> int:
    if not value.isdigit():
        raise RowError(
            _("%(column)s: „%(value)s“ ist keine nicht-negative ganze Zahl.") % {"column": column, "value": value}
        )
    return int(value)


def _choice(value: str, column: str, allowed: dict[str, Any] | frozenset[str] | set[str]) -> Any:
    if value not in allowed:
        options = ", ".join(sorted(str(a) for a in allowed if a != ""))
        raise RowError(
            _("%(column)s: „%(value)s“ ist nicht erlaubt (erlaubt: %(options)s).")
            % {"column": column, "value": value, "options": options}
        )
    return allowed[value] if isinstance(allowed, dict) else value


def _bool(value: str, column: str) -> bool:
    if value not in BOOLEANS:
        raise RowError(_("%(column)s: „%(value)s“ ist weder 0 noch 1.") % {"column": column, "value": value})
    return BOOLEANS[value]


def _branch_of(value: str) -> str:
    return _choice(value, "branch", {b.value for b in Branch})


# --- dataset specifications --------------------------------------------------------------------


class Spec:
    """How one CSV format is parsed, what it stages and which rollup it feeds."""

    dataset: str = ""
    header: tuple[str, ...] = ()
    family: rollups.Family | None = None
    case_fields: tuple[str, ...] = ()  # model fields of the staged tuple, in order
    single_row = False

    def __init__(self, year: int) -> None:
        self.year = year
        self.dates = _Dates()
        self.acc: dict = {}
        self.rows = 0

    @property
    def is_case_level(self) -> bool:
        return bool(self.case_fields)

    def parse(self, fields: list[str], line: int) -> tuple | None:
        raise NotImplementedError

    def check_whole_file(self, last_line: int, rows: int) -> list[tuple[int, str]]:
        if rows == 0:
            return [(last_line, _("Die Datei enthält keine Datenzeilen."))]
        return []

    def rollup_objects(self, report_year: ReportYear) -> list[models.Model]:
        return []

    def _check_columns(self, fields: list[str]) -> None:
        if len(fields) != len(self.header):
            raise RowError(
                _("%(expected)d Spalten erwartet, %(found)d gefunden.")
                % {"expected": len(self.header), "found": len(fields)}
            )

    def _in_year(self, value: date, column: str) -> None:
        if value.year != self.year:
            raise RowError(
                _("%(column)s: %(value)s liegt nicht im Berichtsjahr %(year)d.")
                % {"column": column, "value": value.isoformat(), "year": self.year}
            )

    def _not_after_next_year(self, value: date, column: str) -> None:
        if value.year > self.year + 1:
            raise RowError(
                _("%(column)s: %(value)s liegt nach dem Ende des Folgejahres.")
                % {"column": column, "value": value.isoformat()}
            )


class ApplicationSpec(Spec):
    dataset = Dataset.APPLICATIONS
    header = ("received", "decided", "category", "branch", "outcome", "expert_opinion")
    family = rollups.APPLICATIONS
    case_fields = ("received", "decided", "processing_days", "category", "branch", "outcome", "expert_opinion")

    def parse(self, fields: list[str], line: int) -> tuple:
        # The hot loop of a 15-million-row import: plain dict lookups, no helper calls on
        # the good path.
        if len(fields) != 6:
            self._check_columns(fields)
        received_s, decided_s, category_s, branch, outcome_s, expert_s = fields
        dates = self.dates
        received = dates.cache.get(received_s) or dates(received_s, "received")
        if received.year != self.year:
            self._in_year(received, "received")
        category = CATEGORY_BY_TOKEN.get(category_s)
        if category is None:
            category = _choice(category_s, "category", CATEGORY_BY_TOKEN)
        if branch not in CATEGORY_BRANCHES[category]:
            _branch_of(branch)
            raise RowError(
                _("branch: %(category)s gehört nicht zur %(branch)s.")
                % {"category": category_s, "branch": Branch(branch).label}
            )
        outcome = OUTCOME_BY_TOKEN.get(outcome_s) or _choice(outcome_s, "outcome", OUTCOME_BY_TOKEN)
        expert = BOOLEANS.get(expert_s)
        if expert is None:
            expert = _bool(expert_s, "expert_opinion")
        if outcome == "P":
            if decided_s:
                raise RowError(_("decided: ein offener Antrag (pending) hat kein Entscheidungsdatum."))
            decided = None
            days = None
        else:
            if not decided_s:
                raise RowError(_("decided: fehlt (nur offene Anträge haben kein Entscheidungsdatum)."))
            decided = dates.cache.get(decided_s) or dates(decided_s, "decided")
            days = (decided - received).days
            if days < 0:
                raise RowError(
                    _("decided: %(decided)s liegt vor dem Eingang %(received)s.")
                    % {"decided": decided_s, "received": received_s}
                )
            if decided.year > self.year + 1:
                self._not_after_next_year(decided, "decided")
        rollups.add_application(self.acc, category, branch, outcome, expert, days)
        self.rows += 1
        return (received, decided, days, category, branch, outcome, expert)

    def rollup_objects(self, report_year: ReportYear) -> list[models.Model]:
        return rollups.application_rollups(report_year, self.acc)


class ApplicationAggregatedSpec(Spec):
    dataset = Dataset.APPLICATIONS_AGGREGATED
    header = ("category", "branch", "outcome", "expert_opinion", "count", "processing_days_sum", "decided_in_time")
    family = rollups.APPLICATIONS

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.lines: dict[tuple, int] = {}

    def parse(self, fields: list[str], line: int) -> None:
        self._check_columns(fields)
        category_s, branch, outcome_s, expert_s, count_s, days_s, in_time_s = fields
        category = _choice(category_s, "category", CATEGORY_BY_TOKEN)
        _branch_of(branch)
        if branch not in CATEGORY_BRANCHES[category]:
            raise RowError(
                _("branch: %(category)s gehört nicht zur %(branch)s.")
                % {"category": category_s, "branch": Branch(branch).label}
            )
        outcome = _choice(outcome_s, "outcome", OUTCOME_BY_TOKEN)
        expert = _bool(expert_s, "expert_opinion")
        count = _count(count_s, "count")
        days = _count(days_s, "processing_days_sum")
        in_time = _count(in_time_s, "decided_in_time")
        if in_time > count:
            raise RowError(_("decided_in_time: größer als count."))
        if outcome == Outcome.PENDING and (days or in_time):
            raise RowError(
                _("Offene Anträge (pending) haben keine Bearbeitungstage und keine fristgerechten Entscheidungen.")
            )
        if branch != Branch.KV and in_time:
            raise RowError(
                _(
                    "decided_in_time: die Frist des § 13 Abs. 3a SGB V gilt nur in der Krankenversicherung; hier 0 angeben."
                )
            )
        limit = 35 if expert else 21
        if branch == Branch.KV and outcome != Outcome.PENDING and days < (count - in_time) * (limit + 1):
            raise RowError(
                _(
                    "processing_days_sum: %(late)d Entscheidungen nach mehr als %(limit)d Tagen brauchen zusammen mindestens %(min)d Tage."
                )
                % {"late": count - in_time, "limit": limit, "min": (count - in_time) * (limit + 1)}
            )
        if branch == Branch.KV and outcome != Outcome.PENDING and days > in_time * limit + (count - in_time) * 32767:
            raise RowError(_("processing_days_sum: zu groß für die Zahl fristgerechter Entscheidungen."))
        key = (category, branch, outcome, expert)
        if key in self.lines:
            raise RowError(_("Diese Gruppe steht schon in Zeile %(line)d.") % {"line": self.lines[key]})
        self.lines[key] = line
        self.acc[key] = [count, days, in_time]
        self.rows += 1
        return None

    def rollup_objects(self, report_year: ReportYear) -> list[models.Model]:
        return rollups.application_rollups(report_year, self.acc)


REMEDY_KINDS = {k.value: k.value for k in RemedyKind}
REMEDY_OUTCOMES = {o.value: o.value for o in RemedyOutcome}
REMEDY_OUTCOMES_OR_PENDING = {**REMEDY_OUTCOMES, "": ""}


class RemedySpec(Spec):
    dataset = Dataset.REMEDIES
    header = ("kind", "branch", "received", "settled", "outcome")
    family = rollups.REMEDIES
    case_fields = ("kind", "branch", "received", "settled", "outcome")

    def parse(self, fields: list[str], line: int) -> tuple:
        self._check_columns(fields)
        kind_s, branch, received_s, settled_s, outcome_s = fields
        kind = _choice(kind_s, "kind", REMEDY_KINDS)
        _branch_of(branch)
        received = self.dates(received_s, "received")
        settled = self.dates(settled_s, "settled") if settled_s else None
        outcome = _choice(outcome_s, "outcome", REMEDY_OUTCOMES_OR_PENDING)
        if (settled is None) != (outcome == ""):
            raise RowError(_("settled und outcome: entweder beide angeben (erledigt) oder beide leer lassen (offen)."))
        if settled is not None and settled < received:
            raise RowError(_("settled: liegt vor dem Eingang."))
        if received.year != self.year and (settled is None or settled.year != self.year):
            raise RowError(_("Weder Eingang noch Erledigung liegen im Berichtsjahr %(year)d.") % {"year": self.year})
        if received.year > self.year:
            raise RowError(_("received: liegt nach dem Berichtsjahr."))
        if settled is not None:
            self._not_after_next_year(settled, "settled")
        rollups.add_remedy(
            self.acc, year=self.year, kind=kind, branch=branch, received=received, settled=settled, outcome=outcome
        )
        self.rows += 1
        return (kind, branch, received, settled, outcome)

    def rollup_objects(self, report_year: ReportYear) -> list[models.Model]:
        return rollups.remedy_rollups(report_year, self.acc)


class RemedyAggregatedSpec(Spec):
    dataset = Dataset.REMEDIES_AGGREGATED
    header = ("kind", "branch", "outcome", "received", "settled")
    family = rollups.REMEDIES

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.lines: dict[tuple, int] = {}

    def parse(self, fields: list[str], line: int) -> None:
        self._check_columns(fields)
        kind_s, branch, outcome_s, received_s, settled_s = fields
        kind = _choice(kind_s, "kind", REMEDY_KINDS)
        _branch_of(branch)
        outcome = _choice(outcome_s, "outcome", REMEDY_OUTCOMES_OR_PENDING)
        received = _count(received_s, "received")
        settled = _count(settled_s, "settled")
        if outcome == "" and settled:
            raise RowError(_("settled: offene Verfahren (outcome leer) können nicht erledigt sein."))
        key = (kind, branch, outcome)
        if key in self.lines:
            raise RowError(_("Diese Gruppe steht schon in Zeile %(line)d.") % {"line": self.lines[key]})
        self.lines[key] = line
        self.acc[key] = [received, settled]
        self.rows += 1
        return None

    def rollup_objects(self, report_year: ReportYear) -> list[models.Model]:
        return rollups.remedy_rollups(report_year, self.acc)


class TreatmentErrorSpec(Spec):
    dataset = Dataset.TREATMENT_ERRORS
    header = ("received", "expert_opinions", "confirmed")
    family = rollups.TREATMENT_ERRORS
    case_fields = ("received", "expert_opinions", "confirmed")

    def parse(self, fields: list[str], line: int) -> tuple:
        self._check_columns(fields)
        received = self.dates(fields[0], "received")
        self._in_year(received, "received")
        opinions = _count(fields[1], "expert_opinions")
        confirmed = _count(fields[2], "confirmed")
        if confirmed > opinions:
            raise RowError(_("confirmed: mehr bestätigte Begutachtungen als Begutachtungen."))
        if opinions > 32767:
            raise RowError(_("expert_opinions: zu groß."))
        acc = self.acc
        acc["cases"] = acc.get("cases", 0) + 1
        acc["opinions"] = acc.get("opinions", 0) + opinions
        acc["confirmed"] = acc.get("confirmed", 0) + confirmed
        self.rows += 1
        return (received, opinions, confirmed)

    def rollup_objects(self, report_year: ReportYear) -> list[models.Model]:
        return rollups.treatment_error_rollups(report_year, self.acc)


class TreatmentErrorAggregatedSpec(Spec):
    dataset = Dataset.TREATMENT_ERRORS_AGGREGATED
    header = ("cases", "expert_opinions", "confirmed")
    family = rollups.TREATMENT_ERRORS
    single_row = True

    def parse(self, fields: list[str], line: int) -> None:
        self._check_columns(fields)
        if self.rows:
            raise RowError(_("Diese Datei hat genau eine Datenzeile."))
        cases = _count(fields[0], "cases")
        opinions = _count(fields[1], "expert_opinions")
        confirmed = _count(fields[2], "confirmed")
        if confirmed > opinions:
            raise RowError(_("confirmed: mehr bestätigte Begutachtungen als Begutachtungen."))
        self.acc.update(cases=cases, opinions=opinions, confirmed=confirmed)
        self.rows += 1
        return None

    def rollup_objects(self, report_year: ReportYear) -> list[models.Model]:
        return rollups.treatment_error_rollups(report_year, self.acc)


COMPLAINT_CHANNELS = {c.value: c.value for c in ComplaintChannel}
COMPLAINT_TOPICS = {t.value: t.value for t in ComplaintTopic}


class ComplaintSpec(Spec):
    dataset = Dataset.COMPLAINTS
    header = ("received", "channel", "topic")
    family = rollups.COMPLAINTS
    case_fields = ("received", "channel", "topic")

    def parse(self, fields: list[str], line: int) -> tuple:
        self._check_columns(fields)
        received = self.dates(fields[0], "received")
        self._in_year(received, "received")
        channel = _choice(fields[1], "channel", COMPLAINT_CHANNELS)
        topic = _choice(fields[2], "topic", COMPLAINT_TOPICS)
        self.acc[(channel, topic)] = self.acc.get((channel, topic), 0) + 1
        self.rows += 1
        return (received, channel, topic)

    def rollup_objects(self, report_year: ReportYear) -> list[models.Model]:
        return rollups.complaint_rollups(report_year, self.acc)


class ComplaintAggregatedSpec(Spec):
    dataset = Dataset.COMPLAINTS_AGGREGATED
    header = ("channel", "topic", "count")
    family = rollups.COMPLAINTS

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.lines: dict[tuple, int] = {}

    def parse(self, fields: list[str], line: int) -> None:
        self._check_columns(fields)
        channel = _choice(fields[0], "channel", COMPLAINT_CHANNELS)
        topic = _choice(fields[1], "topic", COMPLAINT_TOPICS)
        count = _count(fields[2], "count")
        key = (channel, topic)
        if key in self.lines:
            raise RowError(_("Diese Gruppe steht schon in Zeile %(line)d.") % {"line": self.lines[key]})
        self.lines[key] = line
        self.acc[key] = count
        self.rows += 1
        return None

    def rollup_objects(self, report_year: ReportYear) -> list[models.Model]:
        return rollups.complaint_rollups(report_year, self.acc)


class BaseFiguresSpec(Spec):
    dataset = Dataset.BASE
    header = ("average_insured", "average_sick_pay_members")
    single_row = True

    def parse(self, fields: list[str], line: int) -> None:
        self._check_columns(fields)
        if self.rows:
            raise RowError(_("Diese Datei hat genau eine Datenzeile."))
        insured = _count(fields[0], "average_insured")
        if insured == 0:
            raise RowError(_("average_insured: muss größer als 0 sein."))
        members = _count(fields[1], "average_sick_pay_members") if fields[1] else None
        if members is not None and members > insured:
            raise RowError(_("average_sick_pay_members: mehr Mitglieder mit Krankengeldanspruch als Versicherte."))
        self.acc.update(average_insured=insured, average_sick_pay_members=members)
        self.rows += 1
        return None


INTEGER_FIGURES = frozenset(
    {
        KeyFigureName.BRANCHES,
        KeyFigureName.BRANCHES_ACCESSIBLE,
        KeyFigureName.CARE_PLANS,
        KeyFigureName.CARE_ADVISORS,
        KeyFigureName.PREVENTION_PARTICIPANTS,
    }
)
PERCENT_FIGURES = frozenset({KeyFigureName.SURVEY_FIRST_CHOICE, KeyFigureName.SURVEY_STAY})
KEY_FIGURE_NAMES = {n.value: n.value for n in KeyFigureName}
QUALIFIERS = {q.value: q.value for q in Qualifier}


class KeyFigureSpec(Spec):
    """key_figures.csv: one row per figure the fund states (docs/report-data.md)."""

    dataset = Dataset.KEY_FIGURES
    header = ("figure", "value", "qualifier")

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.lines: dict[str, int] = {}

    def parse(self, fields: list[str], line: int) -> None:
        self._check_columns(fields)
        name_s, value_s, qualifier_s = fields
        name = _choice(name_s, "figure", KEY_FIGURE_NAMES)
        whole, dot, fraction = value_s.partition(".")
        if not whole.isdigit() or (dot and not (fraction.isdigit() and len(fraction) <= 2)):
            raise RowError(
                _("value: „%(value)s“ ist keine Zahl (Ziffern, höchstens zwei Nachkommastellen mit Punkt).")
                % {"value": value_s}
            )
        if name in INTEGER_FIGURES and dot:
            raise RowError(_("value: %(figure)s ist eine Anzahl (ganze Zahl).") % {"figure": name})
        value = Decimal(value_s)
        if value >= 10**12:
            raise RowError(_("value: zu groß."))
        if name in PERCENT_FIGURES and value > 100:
            raise RowError(_("value: ein Anteil in Prozent ist höchstens 100."))
        qualifier = _choice(qualifier_s, "qualifier", QUALIFIERS)
        if name in self.lines:
            raise RowError(_("Diese Kennzahl steht schon in Zeile %(line)d.") % {"line": self.lines[name]})
        self.lines[name] = line
        self.acc[name] = (value, len(fraction), qualifier, line)
        self.rows += 1
        return None

    def check_whole_file(self, last_line: int, rows: int) -> list[tuple[int, str]]:
        problems = super().check_whole_file(last_line, rows)
        branches = self.acc.get(KeyFigureName.BRANCHES)
        accessible = self.acc.get(KeyFigureName.BRANCHES_ACCESSIBLE)
        if branches and accessible and accessible[0] > branches[0]:
            problems.append(
                (
                    accessible[3],
                    _("value: mehr barrierefreie Filialen (%(a)s) als Filialen (%(b)s).")
                    % {"a": accessible[0], "b": branches[0]},
                )
            )
        return problems

    def objects(self, report_year: ReportYear) -> list[KeyFigure]:
        return [
            KeyFigure(report_year=report_year, name=name, value=value, places=places, qualifier=qualifier)
            for name, (value, places, qualifier, _line) in sorted(self.acc.items())
        ]


SPECS: dict[str, type[Spec]] = {
    spec.dataset: spec
    for spec in (
        BaseFiguresSpec,
        ApplicationSpec,
        ApplicationAggregatedSpec,
        RemedySpec,
        RemedyAggregatedSpec,
        TreatmentErrorSpec,
        TreatmentErrorAggregatedSpec,
        ComplaintSpec,
        ComplaintAggregatedSpec,
        KeyFigureSpec,
    )
}
SPEC_BY_HEADER: dict[tuple[str, ...], type[Spec]] = {spec.header: spec for spec in SPECS.values()}
assert len(SPEC_BY_HEADER) == len(SPECS), "every dataset needs its own header"


def spec_for_header(header: list[str], dataset: str | None) -> type[Spec]:
    normalized = tuple(h.strip().lower() for h in header)
    if dataset:
        spec = SPECS[dataset]
        if normalized != spec.header:
            raise ImportFailed(
                _("Die Kopfzeile passt nicht zum Datensatz „%(dataset)s“.") % {"dataset": dataset},
                [(1, _("Kopfzeile erwartet: %(header)s") % {"header": ";".join(spec.header)})],
            )
        return spec
    spec = SPEC_BY_HEADER.get(normalized)
    if spec is None:
        raise ImportFailed(
            _("Unbekanntes Dateiformat."),
            [
                (
                    1,
                    _("Die Kopfzeile „%(header)s“ gehört zu keinem Format aus docs/report-data.md.")
                    % {"header": ";".join(header)},
                )
            ],
        )
    return spec


# --- staging -----------------------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """Counts the bytes the text decoder pulled from the file (progress display)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


class _Stage:
    """A temporary table shaped like the case table (without `report_year`)."""

    def __init__(self, model: type[models.Model], field_names: tuple[str, ...]) -> None:
        self.model = model
        self.fields = [model._meta.get_field(name) for name in field_names]
        self.name = f"reports_stage_{secrets.token_hex(6)}"
        self.rows = 0
        self.is_postgres = connection.vendor == "postgresql"

    def _columns(self) -> str:
        qn = connection.ops.quote_name
        return ", ".join(qn(f.column) for f in self.fields)

    def create(self) -> None:
        qn = connection.ops.quote_name
        columns = ", ".join(f"{qn(f.column)} {f.db_type(connection)}" for f in self.fields)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {qn(self.name)} ({columns})")

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            if self.is_postgres:
                with cursor.copy(f"COPY {qn(self.name)} ({self._columns()}) FROM STDIN") as copy:
                    write_row = copy.write_row
                    for row in rows:
                        write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.fields))
                convert = [
                    (lambda v: v.isoformat() if v is not None else None) if isinstance(f, models.DateField) else None
                    for f in self.fields
                ]
                prepared = [tuple(c(v) if c else v for c, v in zip(convert, row, strict=True)) for row in rows]
                # identifiers come from model metadata and quote_name, values are parameters
                sql = f"INSERT INTO {qn(self.name)} ({self._columns()}) VALUES ({placeholders})"  # noqa: S608
                cursor.executemany(sql, prepared)
        self.rows += len(rows)

    def move_into(self, report_year: ReportYear) -> int:
        """Insert the staged rows; a model with a `cases` column gets identical rows once,
        with their number (see `Application`)."""
        qn = connection.ops.quote_name
        table = qn(self.model._meta.db_table)
        fk = qn(self.model._meta.get_field("report_year").column)
        columns = self._columns()
        if any(f.name == "cases" for f in self.model._meta.concrete_fields):
            sql = (
                f"INSERT INTO {table} ({fk}, {columns}, cases)"  # noqa: S608
                f" SELECT %s, {columns}, count(*) FROM {qn(self.name)} GROUP BY {columns}"
            )
        else:
            sql = f"INSERT INTO {table} ({fk}, {columns}) SELECT %s, {columns} FROM {qn(self.name)}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [report_year.pk])
            return cursor.rowcount

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(self.name)}")


# --- the import ------------------------------------------------------------------------------------


def import_stream(
    *,
    report_year: ReportYear,
    stream: IO[bytes],
    dataset: str | None = None,
    bytes_total: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
    on_error: Callable[[int, str], None] | None = None,
    max_errors: int = ImportRun.MAX_STORED_ERRORS,
    now=None,
) -> ImportResult:
    """Validate and import one CSV file into `report_year`; raise `ImportFailed` on any error.

    `on_error(line, message)` is called for every broken row (the exception keeps the first
    `max_errors`). `on_progress` is called every `PROGRESS_EVERY` rows and per phase.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    counter = _CountingReader(stream)
    text = io.TextIOWrapper(io.BufferedReader(counter, buffer_size=1 << 20), encoding="utf-8-sig", newline="")
    progress = Progress(bytes_total=bytes_total)
    errors: list[tuple[int, str]] = []
    error_count = 0

    def report(line: int, message: str) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < max_errors:
            errors.append((line, message))
        if on_error is not None:
            on_error(line, message)

    try:
        first = text.readline()
    except UnicodeDecodeError:
        raise ImportFailed(
            _("Die Datei ist nicht UTF-8-kodiert."), [(1, _("Zeichenkodierung ist nicht UTF-8."))]
        ) from None
    if not first.strip():
        raise ImportFailed(_("Die Datei ist leer."), [(1, _("Kopfzeile fehlt."))])
    delimiter = ";" if ";" in first else ","
    header = next(csv.reader([first], delimiter=delimiter))
    spec = spec_for_header(header, dataset)(report_year.year)

    if type(spec) is ApplicationSpec and connection.vendor == "postgresql" and stream.seekable():
        result = _import_applications_pg(
            report_year=report_year,
            stream=stream,
            delimiter=delimiter,
            report=report,
            progress=progress,
            on_progress=on_progress,
            now=now,
            started=started,
        )
        if result is not None:
            if error_count:
                raise ImportFailed(
                    _("%(count)d fehlerhafte Zeilen; nichts wurde importiert.") % {"count": error_count},
                    errors,
                    error_count,
                )
            return result
        # The file needs the Python validator (blank lines, broken CSV …): read it again.
        stream.seek(0)
        counter = _CountingReader(stream)
        text = io.TextIOWrapper(io.BufferedReader(counter, buffer_size=1 << 20), encoding="utf-8-sig", newline="")
        text.readline()

    stage: _Stage | None = None
    if spec.is_case_level:
        stage = _Stage(spec.family.case_model, spec.case_fields)
        stage.create()
    try:
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        batch: list[tuple] = []
        parse = spec.parse
        line = 1
        rows = 0
        try:
            for fields in reader:
                line = reader.line_num + 1
                if not fields:
                    continue
                rows += 1
                try:
                    staged = parse(fields, line)
                except RowError as exc:
                    stripped = [f.strip() for f in fields]
                    if stripped == fields:
                        report(line, str(exc))
                        continue
                    try:
                        staged = parse(stripped, line)
                    except RowError as exc2:
                        report(line, str(exc2))
                        continue
                if staged is not None and not error_count:
                    batch.append(staged)
                    if len(batch) >= STAGE_BATCH:
                        stage.write(batch)
                        batch = []
                if rows % PROGRESS_EVERY == 0 and on_progress is not None:
                    progress.rows, progress.bytes_read = rows, counter.count
                    on_progress(progress)
        except UnicodeDecodeError:
            report(line + 1, _("Zeichenkodierung ist nicht UTF-8 (die Datei muss UTF-8-kodiert sein)."))
        except csv.Error as exc:
            report(reader.line_num + 1, _("CSV-Fehler: %(error)s") % {"error": exc})
        for problem in spec.check_whole_file(line, rows):
            report(*problem)
        if error_count:
            raise ImportFailed(
                _("%(count)d fehlerhafte Zeilen; nichts wurde importiert.") % {"count": error_count},
                errors,
                error_count,
            )
        if stage is not None:
            stage.write(batch)
        timings["read"] = time.perf_counter() - started
        progress.rows, progress.bytes_read, progress.phase = rows, counter.count, "write"
        if on_progress is not None:
            on_progress(progress)

        t_write = time.perf_counter()
        with transaction.atomic():
            locked = ReportYear.objects.select_for_update().get(pk=report_year.pk)
            rollup_rows = 0
            if isinstance(spec, BaseFiguresSpec):
                locked.average_insured = spec.acc["average_insured"]
                locked.average_sick_pay_members = spec.acc["average_sick_pay_members"]
                locked.save(update_fields=["average_insured", "average_sick_pay_members"])
            elif isinstance(spec, KeyFigureSpec):
                KeyFigure.objects.filter(report_year=locked).delete()
                rollup_rows = len(KeyFigure.objects.bulk_create(spec.objects(locked)))
            else:
                family = spec.family
                family.case_model.objects.filter(report_year=locked).delete()
                if stage is not None:
                    stage.move_into(locked)
                rollup_rows = rollups.replace_rollups(locked, family, spec.rollup_objects(locked))
            ReportYear.objects.filter(pk=locked.pk).update(
                data_version=F("data_version") + 1, data_changed_at=now or timezone.now()
            )
        timings["write"] = time.perf_counter() - t_write
        report_year.refresh_from_db(
            fields=["data_version", "data_changed_at", "average_insured", "average_sick_pay_members"]
        )
        progress.phase = "done"
        if on_progress is not None:
            on_progress(progress)
        return ImportResult(
            dataset=spec.dataset,
            rows=spec.rows,
            rollup_rows=rollup_rows,
            seconds=time.perf_counter() - started,
            data_version=report_year.data_version,
            timings=timings,
        )
    finally:
        if stage is not None:
            stage.drop()


def _import_applications_pg(
    *, report_year, stream, delimiter, report, progress, on_progress, now, started
) -> ImportResult | None:
    """applications.csv through COPY and SQL (`reports.pgimport`); None = use the Python path.

    With broken rows, `report` has been called for each of them and the result says 0 rows."""
    from reports import pgimport

    def on_bytes(n: int) -> None:
        progress.bytes_read = n
        if on_progress is not None:
            on_progress(progress)

    def on_phase(phase: str, rows: int) -> None:
        progress.phase, progress.rows = phase, rows
        if on_progress is not None:
            on_progress(progress)

    stream.seek(0)
    try:
        rows, rollup_rows, timings = pgimport.import_applications(
            report_year=report_year,
            stream=stream,
            delimiter=delimiter,
            report=report,
            on_bytes=on_bytes,
            on_phase=on_phase,
            now=now,
        )
    except pgimport.Fallback:
        return None
    if rows < 0:
        return ImportResult(
            Dataset.APPLICATIONS, 0, 0, time.perf_counter() - started, report_year.data_version, timings
        )
    report_year.refresh_from_db(
        fields=["data_version", "data_changed_at", "average_insured", "average_sick_pay_members"]
    )
    progress.rows, progress.phase = rows, "done"
    if on_progress is not None:
        on_progress(progress)
    return ImportResult(
        dataset=Dataset.APPLICATIONS,
        rows=rows,
        rollup_rows=rollup_rows,
        seconds=time.perf_counter() - started,
        data_version=report_year.data_version,
        timings=timings,
    )
