"""Benchmark of the transparency reports at AOK PLUS scale on PostgreSQL.

    .venv/bin/python bench/reports.py            # uses postgres://…/vl_reports_bench
    DATABASE_URL=postgres://… .venv/bin/python bench/reports.py [--keep-files] [--rows N] [--spread]

Steps (all in one run, so the ratios compare like with like on the same machine):
1. generate the published AOK PLUS 2023 data as case-level CSV files (14,728,656
   application rows, the objections and lawsuits of the report, treatment errors,
   complaints; 3.51 million insured);
2. baselines: a plain `COPY` of applications.csv into an unlogged text table, and
   `SELECT count(*)` over the imported case rows;
3. import every file through the production path (`services.import_run_execute`; on
   PostgreSQL applications.csv goes through `reports.pgimport`: COPY into an unlogged staging
   table, set-wise SQL validation and insert, rollup by GROUP BY) and time it, with the ratio
   to the plain COPY of step 2 (target ≤ 3 ×);
4. check that the rollups equal the generated cells and the report shows the published
   figures (so the benchmark is also the full-scale test of "case level = aggregated");
5. time computing the report from the rollups (target ≤ 2 s) against aggregating the
   case rows directly, and rendering the PDF;
6. with --spread, the pessimistic case of the import: the same lines with the received date
   moved within the year and the processing time lengthened by up to 30 days, both by the line
   number, so that far fewer lines are equal — the import stores equal lines once
   (`Application.cases`), and this shows what it costs when the data give it little to fold
   (checked: cases = lines, rollups = aggregate of the stored rows);
7. print the figures and write the "## Transparenzberichte" section of docs/performance.md
   (other sections of that file are left as they are).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vl_reports_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")


def _ensure_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database when it is missing (migrate runs in main)."""
    import subprocess
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    created = subprocess.run(["createdb", *args, parts.path.lstrip("/")], capture_output=True, text=True)
    if created.returncode != 0 and "already exists" not in created.stderr:
        sys.exit(created.stderr)


_ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from devdata.report_generator import aok_plus_2023, sample, write_case_level  # noqa: E402
from programs.models import Fund  # noqa: E402
from programs.services import ensure_aoks  # noqa: E402
from reports import rollups  # noqa: E402
from reports.figures import compute_report  # noqa: E402
from reports.models import ImportRun, ReportYear  # noqa: E402
from reports.pdf import render_pdf  # noqa: E402
from reports.services import import_run_create, import_run_execute, report_year_get_or_create  # noqa: E402
from reports.tables import report_tables  # noqa: E402

SECTION = "## Transparenzberichte"


def fmt(n: float, places: int = 0) -> str:
    return f"{n:,.{places}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def baseline_copy(path: Path) -> float:
    """COPY the raw file into an unlogged six-column text table: the floor of any import."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute("CREATE UNLOGGED TABLE bench_raw_copy (a text, b text, c text, d text, e text, f text)")
        started = time.perf_counter()
        with (
            path.open("rb") as stream,
            cursor.copy("COPY bench_raw_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)") as copy,
        ):
            while block := stream.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_copy")
    return seconds


def write_spread(source: Path, target: Path) -> int:
    """A pessimistic applications.csv: the same lines with the received date moved within the
    year and the processing time lengthened by up to 30 days, both by the line number, so that
    few lines are equal (the figures change; the case count stays). Returns the number of
    distinct lines."""
    from datetime import timedelta

    distinct = set()
    with source.open(encoding="utf-8") as inp, target.open("w", encoding="utf-8") as out:
        out.write(inp.readline())
        for i, line in enumerate(inp):
            received, decided, rest = line.split(";", 2)
            r = date.fromisoformat(received)
            moved = r + timedelta(days=(i * 7919) % 365)
            if moved.year != r.year:
                moved = date(r.year, 1, 1) + (moved - date(r.year + 1, 1, 1))
            if decided:
                days = (date.fromisoformat(decided) - r).days + (i * 104729) % 31
                new = f"{moved.isoformat()};{(moved + timedelta(days=days)).isoformat()};{rest}"
            else:
                new = f"{moved.isoformat()};;{rest}"
            distinct.add(hash(new))
            out.write(new)
    return len(distinct)


def import_applications(report_year, path: Path) -> tuple[int, float]:
    run = import_run_create(
        report_year=report_year, original_name=str(path), now=timezone.now(), bytes_total=path.stat().st_size
    )
    with path.open("rb") as stream:
        run, seconds = timed(import_run_execute, run=run, now=timezone.now(), stream=stream)
    if run.status != ImportRun.Status.SUCCEEDED:
        sys.exit(f"import of {path} failed: {run.message} {run.errors[:5]}")
    return run.rows_imported, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, help="smaller run (sample of about N application rows)")
    parser.add_argument("--keep-files", action="store_true", help="reuse generated files from an earlier run")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.md")
    parser.add_argument("--spread", action="store_true", help="also import a file with few equal lines (step 6)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/reports.py needs PostgreSQL (DATABASE_URL=postgres://…)")

    print(f"database: {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']}")
    load_before = os.getloadavg()[0]
    call_command("migrate", verbosity=0)
    ensure_aoks()
    data = aok_plus_2023()
    full_scale = not args.rows
    if args.rows:
        data = sample(data, rows=args.rows)
    directory = Path(tempfile.gettempdir()) / "vl_reports_bench" / ("full" if full_scale else f"rows{args.rows}")

    # 1. generate
    if args.keep_files and (directory / "applications.csv").exists():
        paths = [
            directory / n
            for n in ("base.csv", "applications.csv", "remedies.csv", "treatment_errors.csv", "complaints.csv")
        ]
        generate_seconds = float("nan")
    else:
        paths, generate_seconds = timed(write_case_level, data, directory)
    applications_csv = directory / "applications.csv"
    size = applications_csv.stat().st_size
    print(
        f"generated {fmt(data.application_count)} application rows ({fmt(size / 1e6, 0)} MB) in {fmt(generate_seconds, 1)} s"
    )

    # fresh report year
    fund = Fund.objects.get(slug="aok-plus")
    ReportYear.objects.filter(fund=fund, year=data.year).delete()
    with connection.cursor() as cursor:  # the bench database is ours: start from an empty, unbloated table
        cursor.execute("TRUNCATE reports_application")
    report_year = report_year_get_or_create(fund=fund, year=data.year)

    # 2a. baseline COPY
    copy_seconds = baseline_copy(applications_csv)
    print(f"baseline: plain COPY of applications.csv: {fmt(copy_seconds, 1)} s")

    # 3. import through the production path
    import_times: dict[str, tuple[int, float]] = {}
    for path in paths:
        run = import_run_create(
            report_year=report_year, original_name=str(path), now=timezone.now(), bytes_total=path.stat().st_size
        )
        last = [0.0]

        def progress(p, name=path.name, last=last):
            if time.perf_counter() - last[0] > 10 or p.phase != "read":
                last[0] = time.perf_counter()
                print(f"  {name}: {p.percent:3d} % {fmt(p.rows)} rows ({p.phase})", flush=True)

        with path.open("rb") as stream:
            run, seconds = timed(import_run_execute, run=run, now=timezone.now(), stream=stream, on_progress=progress)
        if run.status != ImportRun.Status.SUCCEEDED:
            sys.exit(f"import of {path} failed: {run.message} {run.errors[:5]}")
        import_times[path.name] = (run.rows_imported, seconds)
        print(f"import {path.name}: {fmt(run.rows_imported)} rows in {fmt(seconds, 1)} s")
        if path.name == "applications.csv":
            print(
                f"import applications.csv = {fmt(seconds / copy_seconds, 2)} × plain COPY "
                f"({fmt(seconds, 1)} s ÷ {fmt(copy_seconds, 1)} s, same run; target ≤ 3 ×)",
                flush=True,
            )
    report_year.refresh_from_db()

    # 2b. baseline count(*)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("SELECT count(*) FROM reports_application WHERE report_year_id = %s", [report_year.pk])
        (count,) = cursor.fetchone()
        count_seconds = time.perf_counter() - started
        cursor.execute("SELECT sum(cases) FROM reports_application WHERE report_year_id = %s", [report_year.pk])
        (cases,) = cursor.fetchone()
        cursor.execute("SELECT pg_total_relation_size('reports_application')")
        (table_bytes,) = cursor.fetchone()
    assert cases == data.application_count, (cases, data.application_count)
    print(f"stored: {fmt(cases)} cases in {fmt(count)} rows ({fmt(table_bytes / 1e6, 1)} MB with index)")

    # 4. rollups = generated cells; report = published figures
    expected = {(c.category, c.branch, c.outcome, c.expert): [c.count, c.days, c.in_time] for c in data.applications}
    assert rollups.stored_rollups(report_year, rollups.APPLICATIONS) == expected, (
        "rollups differ from the generated cells"
    )
    aggregate, aggregate_seconds = timed(rollups.aggregate_cases, report_year, rollups.APPLICATIONS)
    assert aggregate == expected, "case rows do not aggregate to the generated cells"
    report = compute_report(report_year)
    if full_scale:
        o = report.overview
        assert (o.received, o.split.parts[0].count, str(o.split.parts[0].share)) == (14_728_656, 14_128_630, "95.9")
        kv = report.remedy("objection", "KV")
        assert (kv.received, str(kv.quota.value), str(kv.split.part("success").share)) == (18_360, "0.13", "48.9")
        assert str(report.processing[0].average) == "12.0"
        print("check: rollups equal the generated cells; the report shows the published figures")

    # 5. report computation (rollups) vs. aggregating case rows
    compute_runs = []
    for _ in range(7):
        _, seconds = timed(lambda: report_tables(compute_report(report_year)))
        compute_runs.append(seconds)
    compute_seconds = statistics.median(compute_runs)
    (pdf, pages), pdf_seconds = timed(render_pdf, compute_report(report_year), language="de")
    print(f"report from rollups (median of 7): {fmt(compute_seconds * 1000, 1)} ms")
    print(f"same figures aggregated from the case rows: {fmt(aggregate_seconds, 1)} s")
    print(f"PDF: {pages} pages, {fmt(len(pdf) / 1024)} KiB in {fmt(pdf_seconds, 1)} s")

    # 6. the pessimistic case: few equal lines
    spread = None
    if args.spread:
        spread_csv = directory / "applications_spread.csv"
        distinct, spread_write = timed(write_spread, applications_csv, spread_csv)
        print(f"spread file: {fmt(distinct)} distinct lines, written in {fmt(spread_write, 1)} s")
        spread_copy = baseline_copy(spread_csv)
        spread_rows, spread_seconds = import_applications(report_year, spread_csv)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), sum(cases) FROM reports_application WHERE report_year_id = %s", [report_year.pk]
            )
            spread_stored, spread_cases = cursor.fetchone()
        assert spread_cases == spread_rows == data.application_count, (spread_cases, spread_rows)
        assert rollups.stored_rollups(report_year, rollups.APPLICATIONS) == rollups.aggregate_cases(
            report_year, rollups.APPLICATIONS
        ), "spread: rollups differ from the stored rows"
        spread = (spread_rows, spread_stored, spread_copy, spread_seconds)
        print(
            f"spread: import {fmt(spread_seconds, 1)} s = {fmt(spread_seconds / spread_copy, 2)} × plain COPY "
            f"({fmt(spread_copy, 1)} s) for {fmt(spread_rows)} cases in {fmt(spread_stored)} rows"
        )

    app_rows, app_seconds = import_times["applications.csv"]
    lines = [
        SECTION,
        "",
        f"Measured by `bench/reports.py` on {date.today().isoformat()} ({platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, PostgreSQL {connection.pg_version // 10000}, database `{connection.settings_dict['NAME']}`; "
        f"load average {fmt(load_before, 1)} at the start and {fmt(os.getloadavg()[0], 1)} at the end of the run: "
        "a shared development machine, other test suites may run at the same time). "
        + (
            "Data: the published AOK PLUS 2023 report as case-level CSV files."
            if full_scale
            else f"Sample run (--rows {args.rows})."
        ),
        "",
        "| Step | Rows | Time | Ratio to baseline |",
        "|---|---:|---:|---|",
        f"| Generate case-level CSV (applications.csv {fmt(size / 1e6)} MB) | {fmt(data.application_count)} | "
        + ("reused | |" if generate_seconds != generate_seconds else f"{fmt(generate_seconds, 1)} s | |"),
        f"| **Baseline**: plain `COPY` of applications.csv into an unlogged text table | {fmt(app_rows)} | {fmt(copy_seconds, 1)} s | 1,0 × |",
        f"| Import applications.csv (COPY into staging, validate and insert set-wise in SQL, rollups by GROUP BY; all or nothing) | {fmt(app_rows)} | {fmt(app_seconds, 1)} s | {fmt(app_seconds / copy_seconds, 1)} × COPY |",
        f"| Import throughput | | {fmt(app_rows / app_seconds)} rows/s | |",
    ]
    if spread:
        spread_rows, spread_stored, spread_copy, spread_seconds = spread
        lines += [
            f"| Pessimistic file (--spread: dates and processing times varied by line, {fmt(spread_stored)} distinct lines): plain `COPY` | {fmt(spread_rows)} | {fmt(spread_copy, 1)} s | 1,0 × |",
            f"| Import of that file | {fmt(spread_rows)} | {fmt(spread_seconds, 1)} s | {fmt(spread_seconds / spread_copy, 1)} × COPY |",
        ]
    for name in ("remedies.csv", "treatment_errors.csv", "complaints.csv", "base.csv"):
        rows, seconds = import_times[name]
        lines.append(f"| Import {name} | {fmt(rows)} | {fmt(seconds, 2)} s | |")
    lines += [
        f"| **Baseline**: `SELECT count(*)` over the year's case rows | {fmt(count)} rows | {fmt(count_seconds, 2)} s | 1,0 × |",
        f"| Same figures aggregated from the case rows (no rollups) | {fmt(count)} | {fmt(aggregate_seconds, 2)} s | {fmt(aggregate_seconds / count_seconds, 1)} × count(*) |",
        f"| **Report computed from the rollups** (figures + tables; target ≤ 2 s) | {len(expected)} rollup rows | {fmt(compute_seconds * 1000, 1)} ms | {fmt(compute_seconds / count_seconds, 4)} × count(*) |",
        f"| PDF rendering (WeasyPrint, PDF/UA-1, {pages} pages, {fmt(len(pdf) / 1024)} KiB) | | {fmt(pdf_seconds, 1)} s | |",
        "",
        f"Case table size: {fmt(table_bytes / 1e6, 1)} MB for {fmt(cases)} cases in {fmt(count)} rows (with index). "
        "Checked in the same run: the stored rollups equal the generated cells and the database aggregate of the case rows, "
        "and the report shows the published figures (14.728.656 applications, 95,9 % approved, 18.360 objections, "
        "Widerspruchsquote 0,13 %, 48,9 % success, 12,0 days for Pflegebetten).",
        "",
        "Why it is fast: on PostgreSQL applications.csv is copied as it is (`COPY … FROM STDIN`, CSV) into an unlogged "
        "staging table; a parallel hash aggregate counts equal lines (cases received and decided on the same days with "
        "the same codes cannot be told apart, and `Application` stores them once with their number `cases`); one "
        "`INSERT … SELECT` parses and checks the distinct lines by joining small lookup tables (dates, categories with "
        "their branch, outcomes) and inserts the valid ones; when they hold every staged line, one `INSERT … SELECT … "
        "GROUP BY` writes the rollups, all in one transaction. Otherwise the transaction is rolled back, the file is "
        "staged again with line numbers and one query lists every broken line with its number and the Python "
        "validator's reason (`reports/pgimport.py`; files COPY cannot read, e.g. with blank lines, go through the "
        "Python validator). The report reads only the rollups, so its cost does not grow with the number of "
        "applications; the PDF is rendered by the background worker and stored until the data change.",
        "",
    ]
    section = "\n".join(lines)
    print()
    print(section)
    if not args.no_docs:
        path = ROOT / "docs" / "performance.md"
        text = path.read_text() if path.exists() else "# Performance\n\n"
        pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
        text = pattern.sub(section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
