"""200,000 providers from CSV: the import (providers/csv_io.py) against a plain COPY of the same
rows, measured in the same run on PostgreSQL.

    .venv/bin/python bench/provider_import.py                 # 200,000 rows
    .venv/bin/python bench/provider_import.py --rows 20000    # quicker
    BENCH_DATABASE_URL=postgres://… .venv/bin/python bench/provider_import.py

Steps: a fresh database `vl_bench_provider_import` with the regions (`import_regions`); a
file of N providers with valid LANRs (check digits) at real postal codes; then, timed:
1. the baseline: COPY of the same file into an unlogged table of text columns (what the
   database needs at the least to take the bytes in);
2. the check only (`--dry-run` path: parse, validate, match, count);
3. the import into the empty table (all rows new);
4. the same file again (all rows unchanged: nothing written);
5. the file with every row changed (all rows updated).
Printed: seconds, rows per second and the ratio to the COPY baseline. Loopback only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/vl_bench_provider_import"


def prepare(url: str) -> None:
    parts = urlsplit(url)
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    name = parts.path.lstrip("/")
    subprocess.run(["dropdb", *args, "--if-exists", name], check=True)
    subprocess.run(["createdb", *args, name], check=True)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"}
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (["migrate", "-v", "0"], ["import_regions", "-v", "0"]):
        subprocess.run([python, "manage.py", *command], env=env, cwd=ROOT, check=True)


def make_file(rows: int, *, suffix: str = "") -> bytes:
    from programs.models import PostalCode
    from programs.validators import lanr_with_check_digit
    from providers.csv_io import PROVIDER_COLUMNS

    places = list(PostalCode.objects.filter(residential=True).values_list("code", "place").distinct().order_by("code"))
    lines = [";".join(PROVIDER_COLUMNS)]
    for n in range(rows):
        code, place = places[n % len(places)]
        lanr = lanr_with_check_digit(f"{100000 + n:06d}", "01")
        lines.append(f"gp;Praxis {n}{suffix};{lanr};;;Allgemeinmedizin;Straße {n % 200 + 1};{code};{place};;;ja")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def timed(label: str, func, rows: int, baseline: float | None = None) -> float:
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    ratio = f"{seconds / baseline:6.2f} ×" if baseline else "   1.00 ×"
    print(f"| {label} | {seconds:7.2f} | {rows / seconds:9,.0f} | {ratio} | {result} |")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    options = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    print(f"Preparing {url.rsplit('/', 1)[-1]} …", flush=True)
    prepare(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.db import connection

    from providers.csv_io import import_providers
    from providers.models import Provider

    data = make_file(options.rows)
    changed = make_file(options.rows, suffix=" (neu)")
    print(f"{options.rows:,} rows, {len(data) / 1e6:.1f} MB; {os.cpu_count()} cores, shared machine\n")
    print("| step | seconds | rows/s | × COPY | result |\n|---|---:|---:|---:|---|")

    def copy():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy")
            columns = ", ".join(f"c{i} text" for i in range(12))
            cursor.execute(f"CREATE UNLOGGED TABLE bench_copy ({columns})")
            with cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)") as copy:
                copy.write(data.decode("utf-8-sig"))
        return "COPY into text columns"

    def summary(result):
        return (
            f"{result.created} new, {result.updated} changed, {result.unchanged} unchanged, {len(result.errors)} errors"
        )

    baseline = timed("COPY (baseline)", copy, options.rows)
    timed("check only (preview)", lambda: summary(import_providers(data, dry_run=True)), options.rows, baseline)
    timed("import, all rows new", lambda: summary(import_providers(data)), options.rows, baseline)
    timed("same file again", lambda: summary(import_providers(data)), options.rows, baseline)
    timed("every row changed", lambda: summary(import_providers(changed)), options.rows, baseline)
    print(f"\nproviders in the table: {Provider.objects.count():,}")


if __name__ == "__main__":
    main()
