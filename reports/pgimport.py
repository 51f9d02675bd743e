"""The case-level application import on PostgreSQL: COPY, then set-wise SQL (issue 13).

The Python validator in `reports.imports` parses every row in Python (about 15 × a plain
COPY at AOK PLUS scale). On PostgreSQL, `applications.csv` takes this path instead:

1. `COPY … FROM STDIN (FORMAT csv)` of the file's bytes into an UNLOGGED staging table with
   one text column per CSV column (no line numbers: they are only needed for errors, and
   numbering 15 million rows costs as much as the rest of the COPY).
2. Identical lines are counted once: `CREATE UNLOGGED TABLE … AS SELECT f1…f6, count(*) …
   GROUP BY f1…f6` (a parallel hash aggregate). Cases received and decided on the same days
   with the same codes cannot be told apart, and `Application` stores them as one row with
   their number (`cases`); AOK PLUS 2023 has 14.7 million lines but about 73,000 distinct ones.
3. One `INSERT … SELECT` into `reports_application` parses the distinct lines by joining small
   lookup tables (dates of the report year and the next, category tokens with their branch,
   outcomes, flags) — only lines that pass every check of `ApplicationSpec.parse` can join.
4. If the inserted rows hold every staged line (sum of `cases` = lines), the rollup is one
   `INSERT … SELECT … GROUP BY` over them; the version bump follows in the same transaction.
   Otherwise the transaction is rolled back, the file is staged once more, now with line
   numbers, and ONE query lists every failing line with its number and the same reason the
   Python validator gives (same checks, same order, same messages): nothing is imported.

Equivalence with the Python path (tested in tests/reports/test_pgimport.py):
- values are compared after stripping the whitespace Python's `str.strip()` strips; the
  exact values are tried first (fast), the stripped ones only when a line did not match;
- whatever COPY cannot take as six CSV columns — blank lines, a wrong number of columns,
  broken quoting, invalid UTF-8, a bare CR, an end-of-data marker — makes this path give up
  before anything is written (`Fallback`); `import_stream` then reads the file again with the
  Python validator, which reports those lines with their line numbers.

The database index on `reports_application.report_year_id` is a BRIN index on PostgreSQL
(migration 0002): a year's rows are written together.
"""

# Table names come from model metadata or secrets.token_hex, quoted with quote_name; every
# value is a query parameter.
# ruff: noqa: S608
from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, timedelta
from typing import IO

import psycopg
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import (
    CATEGORY_BRANCHES,
    CATEGORY_TOKENS,
    DEADLINE_DAYS,
    DEADLINE_DAYS_WITH_EXPERT,
    OUTCOME_TOKENS,
    Application,
    ApplicationRollup,
    Branch,
    ReportYear,
)

#: What Python's str.strip() removes (the Python validator strips values of a broken row).
PY_WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
BLOCK = 1 << 20
COPY_CHUNK = 4 << 20  # bytes per COPY statement (progress is reported between them)


class Fallback(Exception):
    """The file needs the Python validator (see the module docstring); nothing was written."""


class _Sql:
    """A SQL fragment with its parameters in textual order."""

    def __init__(self, sql: str = "", params: list | None = None) -> None:
        self.sql = sql
        self.params = params or []

    def __add__(self, other: _Sql | str) -> _Sql:
        if isinstance(other, str):
            return _Sql(self.sql + other, self.params)
        return _Sql(self.sql + other.sql, self.params + other.params)


def _lit(value) -> _Sql:
    return _Sql("%s", [value])


def _message(template: str, **parts: _Sql | str | int) -> _Sql:
    """`template % parts` as SQL: literal parts become parameters, `_Sql` parts expressions."""
    text = template % {name: f"\x00{name}\x00" if isinstance(part, _Sql) else part for name, part in parts.items()}
    pieces: list[_Sql] = []
    for index, chunk in enumerate(text.split("\x00")):
        if index % 2 == 0:
            if chunk:
                pieces.append(_lit(chunk))
        else:
            pieces.append(parts[chunk])
    result = _Sql("concat(")
    for i, piece in enumerate(pieces):
        result = result + (", " if i else "") + piece
    return result + ")"


def _date_checks(value: str, column: str) -> list[tuple[str, _Sql]]:
    """The two date checks of `imports._Dates` as (condition, message) pairs."""
    v = _Sql(value)
    shape = f"(length({value}) = 10 AND substr({value}, 5, 1) = '-' AND substr({value}, 8, 1) = '-')"
    valid = (
        f"({value} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$' AND substr({value}, 1, 4)::int >= 1"
        f" AND substr({value}, 6, 2)::int BETWEEN 1 AND 12 AND substr({value}, 9, 2)::int BETWEEN 1 AND"
        f" extract(day from make_date(substr({value}, 1, 4)::int, substr({value}, 6, 2)::int, 1)"
        f" + interval '1 month' - interval '1 day')::int)"
    )
    return [
        (
            f"NOT {shape}",
            _message(_("%(column)s: „%(value)s“ ist kein Datum im Format JJJJ-MM-TT."), column=column, value=v),
        ),
        (f"NOT {valid}", _message(_("%(column)s: „%(value)s“ ist kein gültiges Datum."), column=column, value=v)),
    ]


def _choice(value: str, column: str, options: list[str]) -> _Sql:
    return _message(
        _("%(column)s: „%(value)s“ ist nicht erlaubt (erlaubt: %(options)s)."),
        column=column,
        value=_Sql(value),
        options=", ".join(sorted(options)),
    )


class ApplicationsCopy:
    """One applications.csv through COPY and SQL (see the module docstring)."""

    columns = ("received", "decided", "category", "branch", "outcome", "expert_opinion")

    def __init__(self, *, report_year: ReportYear, delimiter: str) -> None:
        self.report_year = report_year
        self.year = report_year.year
        self.delimiter = delimiter
        token = secrets.token_hex(6)
        self.stage = f"reports_stage_{token}"
        self.grouped = f"reports_grouped_{token}"
        self.lookup = f"reports_lookup_{token}"
        self.rows = 0
        self.distinct = 0

    # --- 1. COPY -------------------------------------------------------------------------------

    def copy(
        self, stream: IO[bytes], *, on_bytes: Callable[[int], None] | None = None, line_numbers: bool = False
    ) -> int:
        """Stage the file (header skipped), with each line's number if asked (for errors).
        Raises `Fallback` for anything COPY cannot take."""
        qn = connection.ops.quote_name
        fields = ", ".join(f"f{i}" for i in range(1, 7))
        numbered = "line bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), " if line_numbers else ""
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {qn(self.stage)}")
            cursor.execute(
                f"CREATE UNLOGGED TABLE {qn(self.stage)} ({numbered}"
                + ", ".join(f"f{i} text" for i in range(1, 7))
                + ")"
            )
            self.rows = 0
            header = stream.readline()  # already recognised by the caller
            sql = (
                f"COPY {qn(self.stage)} ({fields}) FROM STDIN "
                f"(FORMAT csv, DELIMITER '{self.delimiter}', FORCE_NOT_NULL ({fields}))"
            )
            read = len(header)
            lines = 0
            written = False
            carry = b""
            try:
                with transaction.atomic():
                    eof = False
                    while not eof:
                        # One COPY statement per chunk of whole lines: progress is written between
                        # statements (the connection is busy during a COPY).
                        chunk = [carry]
                        size = len(carry)
                        while size < COPY_CHUNK:
                            block = stream.read(BLOCK)
                            if not block:
                                eof = True
                                break
                            read += len(block)
                            chunk.append(block)
                            size += len(block)
                        data = b"".join(chunk)
                        if eof:
                            # Line breaks at the very end may be blank lines (skipped by the
                            # Python validator, an error for COPY).
                            data, carry = data.rstrip(b"\r\n"), b""
                        else:
                            cut = data.rfind(b"\n") + 1
                            data, carry = data[:cut], data[cut:]
                        data = data.replace(b"\r\n", b"\n")
                        if b"\r" in data:  # a bare CR: the Python validator decides
                            raise Fallback
                        if data:
                            lines += data.count(b"\n")
                            written = True
                            with cursor.copy(sql) as copy:
                                copy.write(data if not eof else data + b"\n")
                            self.rows += cursor.rowcount
                            if eof:
                                lines += 1
                        if on_bytes is not None:
                            on_bytes(read)
            except (DatabaseError, psycopg.Error):
                raise Fallback from None
            # Fewer rows than lines: a quoted line break or an end-of-data marker; no rows at
            # all: the Python validator words that error.
            if self.rows == 0 or not written or self.rows != lines:
                raise Fallback
        return self.rows

    # --- 2. count identical lines ---------------------------------------------------------------

    def group(self) -> int:
        """The distinct lines with their number into an UNLOGGED table (parallel hash
        aggregate: a sort of 15 million rows would take longer than the COPY)."""
        qn = connection.ops.quote_name
        fields = ", ".join(f"f{i}" for i in range(1, 7))
        settings = {
            "work_mem": "128MB",
            "enable_sort": "off",
            "parallel_setup_cost": "0",
            "parallel_tuple_cost": "0",
            "jit": "off",
        }
        with transaction.atomic(), connection.cursor() as cursor:
            for name, value in settings.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
            cursor.execute(f"DROP TABLE IF EXISTS {qn(self.grouped)}")
            cursor.execute(
                f"CREATE UNLOGGED TABLE {qn(self.grouped)} AS"
                f" SELECT {fields}, count(*) AS n FROM {qn(self.stage)} GROUP BY {fields}"
            )
            self.distinct = cursor.rowcount
            cursor.execute(f"ANALYZE {qn(self.grouped)}")
        return self.distinct

    # --- 3. parse, insert, roll up ---------------------------------------------------------------

    def _lookups(self, cursor) -> None:
        """Small lookup tables (temporary; rebuilt after a rollback) and hash-join planning."""
        qn = connection.ops.quote_name
        d, c, o = (qn(self.lookup + suffix) for suffix in ("_d", "_c", "_o"))
        first, last = date(self.year, 1, 1), date(self.year + 1, 12, 31)
        days = [(first + timedelta(days=i)) for i in range((last - first).days + 1)]
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {d} (s text, d date)")
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {c} (token text, code smallint, branch text)")
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {o} (token text, code text)")
        cursor.execute(f"TRUNCATE {d}, {c}, {o}")
        cursor.executemany(f"INSERT INTO {d} VALUES (%s, %s)", [(x.isoformat(), x) for x in days])
        cursor.executemany(
            f"INSERT INTO {c} VALUES (%s, %s, %s)",
            [(token, code, branch) for code, token in CATEGORY_TOKENS.items() for branch in CATEGORY_BRANCHES[code]],
        )
        cursor.executemany(
            f"INSERT INTO {o} VALUES (%s, %s)",
            [(token, code) for code, token in OUTCOME_TOKENS.items()],
        )
        for table in (d, c, o):
            cursor.execute(f"ANALYZE {table}")

    @contextmanager
    def _hash_joins(self, cursor):
        """Tiny lookup tables against millions of rows: hash joins, nothing else (for these
        statements only; the previous settings come back afterwards)."""
        settings = {"enable_nestloop": "off", "enable_mergejoin": "off", "jit": "off"}
        cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in settings))
        previous = dict(zip(settings, cursor.fetchone(), strict=True))
        for name, value in settings.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        try:
            yield
        finally:
            for name, value in previous.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])

    def _value(self, i: int, strip: bool) -> str:
        return f"btrim(s.f{i}, %(ws)s)" if strip else f"s.f{i}"

    def _parsed_from(self, strip: bool) -> _Sql:
        """FROM … WHERE that keeps exactly the valid rows, with r/dd/c/o and the flag `e`."""
        qn = connection.ops.quote_name
        v = {i: self._value(i, strip) for i in range(1, 7)}
        sql = (
            f" FROM {qn(self.grouped)} s"
            f" JOIN {qn(self.lookup + '_d')} r ON r.s = {v[1]} AND r.d < make_date(%(next)s, 1, 1)"
            f" JOIN {qn(self.lookup + '_c')} c ON c.token = {v[3]} AND c.branch = {v[4]}"
            f" JOIN {qn(self.lookup + '_o')} o ON o.token = {v[5]}"
            f" LEFT JOIN {qn(self.lookup + '_d')} dd ON dd.s = {v[2]}"
            f" WHERE {v[6]} IN ('0', '1')"
            f" AND CASE WHEN o.code = 'P' THEN {v[2]} = '' ELSE dd.d >= r.d END"
        )
        return sql

    def _params(self) -> dict:
        return {"ws": PY_WHITESPACE, "next": self.year + 1}

    def insert(self, *, report_year_id: int, strip: bool) -> int:
        """Insert the valid distinct lines; returns the number of cases (lines) they hold."""
        qn = connection.ops.quote_name
        v6 = self._value(6, strip)
        sql = (
            f"WITH inserted AS (INSERT INTO {qn(Application._meta.db_table)} (report_year_id, received, decided,"
            " processing_days, category, branch, outcome, expert_opinion, cases)"
            f" SELECT %(ry)s, r.d, dd.d, dd.d - r.d, c.code, c.branch, o.code, {v6} = '1', sum(s.n)"
            + self._parsed_from(strip)
            + " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 RETURNING cases) SELECT coalesce(sum(cases), 0) FROM inserted"
        )
        with connection.cursor() as cursor:
            self._lookups(cursor)
            with self._hash_joins(cursor):
                cursor.execute(sql, {**self._params(), "ry": report_year_id})
                (cases,) = cursor.fetchone()
            return int(cases)

    def rollup(self, *, report_year_id: int) -> int:
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(ApplicationRollup._meta.db_table)} (report_year_id, category, branch, outcome,"
            " expert_opinion, count, processing_days_sum, decided_in_time)"
            " SELECT report_year_id, category, branch, outcome, expert_opinion, sum(cases),"
            " coalesce(sum(processing_days * cases), 0),"
            " coalesce(sum(cases) FILTER (WHERE branch = 'KV'"
            " AND processing_days <= CASE WHEN expert_opinion THEN %s ELSE %s END), 0)"
            f" FROM {qn(Application._meta.db_table)} WHERE report_year_id = %s"
            " GROUP BY report_year_id, category, branch, outcome, expert_opinion"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [DEADLINE_DAYS_WITH_EXPERT, DEADLINE_DAYS, report_year_id])
            return cursor.rowcount

    # --- 4. the errors -----------------------------------------------------------------------------

    def error_query(self) -> _Sql:
        """(line, message) of every failing row, in the order of `ApplicationSpec.parse`'s checks."""
        qn = connection.ops.quote_name
        v1, v2, v3, v4, v5, v6 = (f"v.v{i}" for i in range(1, 7))
        checks: list[tuple[str, _Sql]] = []
        checks += _date_checks(v1, "received")
        checks.append(
            (
                f"substr({v1}, 1, 4)::int <> {self.year}",
                _message(
                    _("%(column)s: %(value)s liegt nicht im Berichtsjahr %(year)d."),
                    column="received",
                    value=_Sql(v1),
                    year=self.year,
                ),
            )
        )
        tokens = list(CATEGORY_TOKENS.values())
        checks.append(
            (
                f"c.token IS NULL AND {v3} NOT IN (SELECT token FROM {qn(self.lookup + '_c')})",
                _choice(v3, "category", tokens),
            )
        )
        checks.append((f"{v4} NOT IN ('KV', 'PV')", _choice(v4, "branch", [b.value for b in Branch])))
        checks.append(
            (
                "c.token IS NULL",
                _message(
                    _("branch: %(category)s gehört nicht zur %(branch)s."),
                    category=_Sql(v3),
                    branch=_Sql(
                        f"CASE {v4} WHEN 'KV' THEN %s ELSE %s END", [str(Branch.KV.label), str(Branch.PV.label)]
                    ),
                ),
            )
        )
        checks.append(("o.token IS NULL", _choice(v5, "outcome", list(OUTCOME_TOKENS.values()))))
        checks.append(
            (
                f"{v6} NOT IN ('0', '1')",
                _message(_("%(column)s: „%(value)s“ ist weder 0 noch 1."), column="expert_opinion", value=_Sql(v6)),
            )
        )
        checks.append(
            (
                f"o.code = 'P' AND {v2} <> ''",
                _Sql("%s", [_("decided: ein offener Antrag (pending) hat kein Entscheidungsdatum.")]),
            )
        )
        checks.append(("o.code = 'P'", _Sql("NULL")))
        checks.append(
            (f"{v2} = ''", _Sql("%s", [_("decided: fehlt (nur offene Anträge haben kein Entscheidungsdatum).")]))
        )
        checks += _date_checks(v2, "decided")
        checks.append(
            (
                f'{v2} COLLATE "C" < {v1} COLLATE "C"',
                _message(
                    _("decided: %(decided)s liegt vor dem Eingang %(received)s."), decided=_Sql(v2), received=_Sql(v1)
                ),
            )
        )
        checks.append(
            (
                f"substr({v2}, 1, 4)::int > {self.year + 1}",
                _message(
                    _("%(column)s: %(value)s liegt nach dem Ende des Folgejahres."), column="decided", value=_Sql(v2)
                ),
            )
        )
        case = _Sql("CASE")
        for condition, message in checks:
            case = case + f" WHEN {condition} THEN " + message
        case = case + " END"
        values = ", ".join(f"btrim(s.f{i}, %s) AS v{i}" for i in range(1, 7))
        inner = _Sql(f"SELECT s.line, {values} FROM {qn(self.stage)} s", [PY_WHITESPACE] * 6)
        query = (
            _Sql("SELECT line, message FROM (SELECT v.line, ")
            + case
            + " AS message FROM ("
            + inner
            + f") v LEFT JOIN {qn(self.lookup + '_c')} c ON c.token = {v3} AND c.branch = {v4}"
            + f" LEFT JOIN {qn(self.lookup + '_o')} o ON o.token = {v5}) e"
            + " WHERE message IS NOT NULL ORDER BY line"
        )
        return query

    def errors(self, stream: IO[bytes], report: Callable[[int, str], None]) -> int:
        """Stage the file again with line numbers and report every failing line (one query);
        returns how many there are."""
        stream.seek(0)
        self.copy(stream, line_numbers=True)
        query = self.error_query()
        count = 0
        with transaction.atomic(), connection.cursor() as cursor:
            self._lookups(cursor)
            with self._hash_joins(cursor):
                cursor.execute(query.sql, query.params)
                while batch := cursor.fetchmany(10_000):
                    for line, message in batch:
                        count += 1
                        report(line, message)
        return count

    def drop(self) -> None:
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {qn(self.stage)}")
            cursor.execute(f"DROP TABLE IF EXISTS {qn(self.grouped)}")
            for suffix in ("_d", "_c", "_o"):
                cursor.execute(f"DROP TABLE IF EXISTS {qn(self.lookup + suffix)}")


class _Rejected(Exception):
    """Rolls back the insert: not every staged row was valid."""


def import_applications(
    *,
    report_year: ReportYear,
    stream: IO[bytes],
    delimiter: str,
    report: Callable[[int, str], None],
    on_bytes: Callable[[int], None] | None = None,
    on_phase: Callable[[str, int], None] | None = None,
    now=None,
) -> tuple[int, int, dict[str, float]]:
    """Import applications.csv (stream positioned at the start); returns (rows, rollup rows,
    timings). Calls `report(line, message)` for every broken row and then returns rows = -1
    (nothing imported). Raises `Fallback` when the Python validator must read the file."""
    timings: dict[str, float] = {}
    job = ApplicationsCopy(report_year=report_year, delimiter=delimiter)
    started = time.perf_counter()
    try:
        rows = job.copy(stream, on_bytes=on_bytes)
        timings["copy"] = time.perf_counter() - started
        t_group = time.perf_counter()
        job.group()
        timings["group"] = time.perf_counter() - t_group
        if on_phase is not None:
            on_phase("write", rows)
        for strip in (False, True):
            t_write = time.perf_counter()
            try:
                with transaction.atomic():
                    locked = ReportYear.objects.select_for_update().get(pk=report_year.pk)
                    Application.objects.filter(report_year=locked).delete()
                    inserted = job.insert(report_year_id=locked.pk, strip=strip)
                    if inserted != rows:
                        raise _Rejected
                    ApplicationRollup.objects.filter(report_year=locked).delete()
                    rollup_rows = job.rollup(report_year_id=locked.pk)
                    ReportYear.objects.filter(pk=locked.pk).update(
                        data_version=F("data_version") + 1, data_changed_at=now or timezone.now()
                    )
                timings["write"] = time.perf_counter() - t_write
                return rows, rollup_rows, timings
            except _Rejected:
                if strip:
                    break
                # Some rows did not match as they are: either broken, or valid once the
                # whitespace around values is stripped (as the Python validator does).
                t_check = time.perf_counter()
                if on_phase is not None:
                    on_phase("check", rows)
                found = job.errors(stream, report)
                timings["errors"] = time.perf_counter() - t_check
                if found:
                    return -1, 0, timings
        # Unreachable unless the SQL checks and the joins disagree; never import silently.
        raise Fallback
    finally:
        job.drop()
