"""Back up the portal's PostgreSQL database, restore it into a fresh database and prove the copy.

    .venv/bin/python deploy/backup_restore.py backup  SOURCE_URL [--dir DIR] [--restore-into NAME] [--keep]
    .venv/bin/python deploy/backup_restore.py compare SOURCE_URL TARGET_URL

`backup` dumps SOURCE_URL with `pg_dump -Fc` from one snapshot, restores the dump into a new
database on the same server (default: `<name>_restorecheck`; it must not exist yet) with
`pg_restore`, and compares the two: the row count of every table, and a checksum (md5 over
every row as text, in a fixed order) of the participations, their events, the insured persons
and the issued documents. The counts and checksums of the source are taken in the very snapshot
the dump was made from, so writes during the backup do not count as differences. Exit status 0
when everything matches, 1 otherwise; the restored database is dropped unless `--keep`.
The dump stays in `--dir` (default: the current directory) and is the backup.

`compare` compares two databases the same way (e.g. the primary and a database restored from
last night's dump while the portal was idle).

Needs the PostgreSQL client programs (pg_dump, pg_restore) of the server's major version and a
role that may create databases. docs/deployment.md, "Backup and restore".
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

#: Tables whose content (not only their row count) must survive a restore unchanged.
CHECKSUM_TABLES = (
    "enrollment_participation",
    "enrollment_participationevent",
    "enrollment_insuredperson",
    "enrollment_issueddocument",
)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _prepare(conn: psycopg.Connection) -> None:
    # Rows as text must read the same in both databases, whatever the role's defaults are.
    conn.execute("SET TIME ZONE 'UTC'")
    conn.execute("SET DateStyle = 'ISO, YMD'")
    conn.execute("SET extra_float_digits = 1")


def fingerprint(conn: psycopg.Connection) -> dict[str, tuple[int, str]]:
    """{table: (rows, checksum or "")} for every table of the public schema."""
    _prepare(conn)
    tables = [
        row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    ]
    result: dict[str, tuple[int, str]] = {}
    for table in tables:
        if table in CHECKSUM_TABLES:
            query = sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM {} AS t"
            ).format(sql.Identifier(table))
        else:
            query = sql.SQL("SELECT count(*), '' FROM {}").format(sql.Identifier(table))
        rows, checksum = conn.execute(query).fetchone()
        result[table] = (rows, checksum)
    return result


def report(source: dict, target: dict, out=None) -> bool:
    """Print a line per differing table and the checksummed ones; True when all match."""
    out = out or sys.stdout
    same = True
    for table in sorted(set(source) | set(target)):
        a, b = source.get(table), target.get(table)
        if a != b:
            same = False
            out.write(f"DIFFERENT  {table}: source {a}, restored {b}\n")
        elif table in CHECKSUM_TABLES:
            out.write(f"same       {table}: {a[0]} rows, md5 {a[1] or '-'}\n")
    total = sum(rows for rows, _ in source.values())
    out.write(
        f"{'OK' if same else 'FAILED'}: {len(source)} tables, {total} rows in the source; "
        f"{len(CHECKSUM_TABLES)} tables compared row by row\n"
    )
    return same


def backup(source_url: str, directory: Path, restore_into: str | None, keep: bool) -> bool:
    directory.mkdir(parents=True, exist_ok=True)
    name = _database_name(source_url)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    dump = directory / f"{name}-{stamp}.dump"
    target_name = restore_into or f"{name}_restorecheck"
    target_url = _with_database(source_url, target_name)

    with psycopg.connect(source_url) as source:
        source.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        source.read_only = True
        snapshot = source.execute("SELECT pg_export_snapshot()").fetchone()[0]
        started = dt.datetime.now()
        subprocess.run(  # noqa: S603 - pg_dump/pg_restore of the PATH, arguments from the command line
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", f"--dbname={source_url}"],  # noqa: S607
            check=True,
        )
        dumped = dt.datetime.now()
        source_print = fingerprint(source)
    print(f"dump: {dump} ({dump.stat().st_size:,} bytes, {(dumped - started).total_seconds():.1f} s)")

    with psycopg.connect(source_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target_name)))
    try:
        started = dt.datetime.now()
        subprocess.run(  # noqa: S603 - pg_dump/pg_restore of the PATH, arguments from the command line
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target_url}", str(dump)],  # noqa: S607
            check=True,
        )
        print(f"restored into {target_name} in {(dt.datetime.now() - started).total_seconds():.1f} s")
        with psycopg.connect(target_url) as target:
            target_print = fingerprint(target)
        return report(source_print, target_print)
    finally:
        if not keep:
            with psycopg.connect(source_url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target_name)))


def compare(source_url: str, target_url: str) -> bool:
    with psycopg.connect(source_url) as source, psycopg.connect(target_url) as target:
        return report(fingerprint(source), fingerprint(target))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("backup", help="dump, restore into a fresh database, compare")
    run.add_argument("source_url", help="postgres://user@host:5432/name")
    run.add_argument("--dir", type=Path, default=Path("."), help="where the dump is written")
    run.add_argument("--restore-into", help="name of the fresh database (default: <name>_restorecheck)")
    run.add_argument("--keep", action="store_true", help="keep the restored database")
    check = commands.add_parser("compare", help="compare two databases")
    check.add_argument("source_url")
    check.add_argument("target_url")
    args = parser.parse_args(argv)
    if args.command == "backup":
        ok = backup(args.source_url, args.dir, args.restore_into, args.keep)
    else:
        ok = compare(args.source_url, args.target_url)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
