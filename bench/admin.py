"""Benchmark of the back office (`/verwaltung/`) with the volume of `generate_volume`.

    DATABASE_URL=postgres://…/vl_volume .venv/bin/python bench/admin.py [--rounds N] [--write-docs]

The database must hold the regions, the demo data and `generate_volume --programs 1500
--providers 200000 --insured 1000000` (docs/performance.md says how it was built). Steps, all
in one run so that the figures compare like with like on a shared machine:

1. sign in a clerk of AOK PLUS (`sachbearbeitung.plus`), the operator (`betrieb`) and a fund
   administrator (`kassenadmin.bw`) with a verified second factor (as the tests do), DEBUG off;
2. request each admin page round-robin for N rounds (interleaved, so load from other processes
   hits every page alike): the dashboard, the change lists of insured persons, participations,
   providers and the access log (plain, searched by KVNR, by name, filtered), a change page;
3. print per page: the median milliseconds, the number of queries (constant in the size of
   the tables: the test suite checks it), the slowest query, and whether a full `COUNT(*)`
   over a big table ran; and the ratio to the lightest admin page of the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vl_volume")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.catalogue_settings")
os.environ["CATALOGUE_PAGE_CACHE"] = "false"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

SECTION = "## Verwaltung mit Volumendaten"


def fmt(n: float, places: int = 0) -> str:
    return f"{n:,.{places}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def signed_in(username: str) -> Client:
    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Bench", confirmed=True
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def pages() -> list[tuple[str, str, str]]:
    """(label, account, url) — ids and search terms are taken from the data."""
    from enrollment.models import InsuredPerson, Participation
    from providers.models import Provider

    person = InsuredPerson.objects.filter(fund__slug="aok-plus").order_by("pk").last()
    provider_word = Provider.objects.order_by("pk").last().name.split()[-1]
    participation = Participation.objects.filter(contract__fund__slug="aok-plus").order_by("pk").last()
    clerk, operator, fund_admin = "sachbearbeitung.plus", "betrieb", "kassenadmin.bw"
    rows = [
        ("admin: password change (lightest page)", clerk, "/verwaltung/password_change/"),
        ("dashboard (admin index)", clerk, "/verwaltung/"),
        ("insured persons, list", clerk, "/verwaltung/enrollment/insuredperson/"),
        ("insured persons, search by KVNR", clerk, f"/verwaltung/enrollment/insuredperson/?q={person.kvnr}"),
        ("insured persons, search by last name", clerk, f"/verwaltung/enrollment/insuredperson/?q={person.last_name}"),
        ("insured persons, filter Land SN", clerk, "/verwaltung/enrollment/insuredperson/?land__code__exact=SN"),
        ("insured person, change page", clerk, f"/verwaltung/enrollment/insuredperson/{person.pk}/change/"),
        ("participations, list", clerk, "/verwaltung/enrollment/participation/"),
        ("providers, list (200,000, shared)", operator, "/verwaltung/providers/provider/"),
        (
            f"providers, search by name ({provider_word})",
            operator,
            f"/verwaltung/providers/provider/?q={provider_word}",
        ),
        ("providers, search 'Praxis' (in most names)", operator, "/verwaltung/providers/provider/?q=Praxis"),
        ("access log, list", fund_admin, "/verwaltung/backoffice/accesslogentry/"),
    ]
    if participation is not None:
        rows.append(
            (
                "participation, change page",
                clerk,
                f"/verwaltung/enrollment/participation/{participation.pk}/change/",
            )
        )
    return rows


COUNT_RE = re.compile(r"SELECT COUNT\(\*\)", re.I)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/admin.py needs PostgreSQL with volume data (DATABASE_URL=postgres://…)")
    from enrollment.models import InsuredPerson
    from providers.models import Provider

    insured, providers = InsuredPerson.objects.count(), Provider.objects.count()
    print(f"database {connection.settings_dict['NAME']}: {fmt(insured)} insured persons, {fmt(providers)} providers")
    load_before = os.getloadavg()[0]
    plan = pages()
    clients = {name: signed_in(name) for name in {account for _l, account, _u in plan}}
    times: dict[str, list[float]] = {label: [] for label, _a, _u in plan}
    queries: dict[str, tuple[int, float, str, bool]] = {}
    for label, account, url in plan:  # warm-up, query capture, status check
        with CaptureQueriesContext(connection) as captured:
            response = clients[account].get(url, secure=True)
        if response.status_code != 200:
            sys.exit(f"{label}: HTTP {response.status_code} for {url}")
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default={"time": 0, "sql": ""})
        full_count = any(COUNT_RE.search(q["sql"]) and " LIMIT " not in q["sql"] for q in captured.captured_queries)
        queries[label] = (len(captured), float(slowest["time"]) * 1000, slowest["sql"][:90], full_count)
    for _ in range(args.rounds):
        for label, account, url in plan:
            started = time.perf_counter()
            clients[account].get(url, secure=True)
            times[label].append((time.perf_counter() - started) * 1000)
    base = statistics.median(times[plan[0][0]])
    lines = [
        SECTION,
        "",
        f"Measured by `bench/admin.py` on {date.today().isoformat()} ({platform.machine()}, {os.cpu_count()} cores, "
        f"PostgreSQL {connection.pg_version // 10000}, database `{connection.settings_dict['NAME']}` with "
        f"{fmt(insured)} insured persons and {fmt(providers)} providers; Django test client in one process, DEBUG off, "
        f"{args.rounds} interleaved rounds, medians; load average {fmt(load_before, 1)} at the start and "
        f"{fmt(os.getloadavg()[0], 1)} at the end: a shared machine, compare the ratios).",
        "",
        "| Page | median ms | × lightest page | queries | slowest query ms | COUNT without LIMIT |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, _account, _url in plan:
        median = statistics.median(times[label])
        n, slow_ms, _sql, full_count = queries[label]
        lines.append(
            f"| {label} | {fmt(median, 1)} | {fmt(median / base, 1)} | {n} | {fmt(slow_ms, 1)} | "
            f"{'yes' if full_count else 'no'} |"
        )
    lines.append("")
    section = "\n".join(lines)
    print()
    print(section)
    for label, (_n, slow_ms, sql, _f) in queries.items():
        print(f"  slowest of {label}: {fmt(slow_ms, 1)} ms  {sql}")
    if args.write_docs:
        path = ROOT / "docs" / "performance.md"
        text = path.read_text()
        pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
        text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
