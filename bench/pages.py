"""Cost of a page rendered from scratch, in process, against a minimal view measured in the same run.

    .venv/bin/python bench/pages.py                      # demo data in a fresh SQLite file
    DATABASE_URL=postgres://… .venv/bin/python bench/pages.py --reuse   # an existing database
    .venv/bin/python bench/pages.py --profile list_search  # cProfile of one page (top 30)

Each page is requested through Django's test client with production settings (DEBUG off,
cached template loader) and the anonymous page cache switched off, so every request renders:
the path a logged-in person is always on and an anonymous visitor takes for a URL not seen
before. Every request of a catalogue page carries a query string not seen before (a counter),
so no cache anywhere can answer it. The minimal view (`/bench/minimal/`: the whole middleware
stack, no template, no query) is measured before and after the pages; every page's cost is
printed as milliseconds and as the ratio minimal ÷ page — the share of a minimal view's
throughput the page reaches on one core. With gunicorn the ratios come out lower for both,
so these ratios are the view's and template's cost, not network throughput
(`bench/catalogue.py` measures that).

Goals (issue 11): catalogue pages ≥ 0.15 ×, logged-in pages ≥ 0.10 ×. Queries per page are
counted too: they must not grow with the data.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "sqlite:////tmp/vl-bench-pages.sqlite3"


def prepare_database(url: str, *, reuse: bool) -> None:
    if reuse:
        return
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"}
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (["migrate", "-v", "0"], ["import_regions", "-v", "0"], ["seed_demo"]):
        subprocess.run([python, "manage.py", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.catalogue_settings"
    os.environ["CATALOGUE_PAGE_CACHE"] = "false"
    import django

    django.setup()
    from django.conf import settings

    # one process: the page cache is off anyway, rate limits and sessions need a cache
    settings.CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def pages() -> dict[str, tuple[str | None, str]]:
    """name → (user name or None, URL) from the demo data."""
    from enrollment.models import Participation
    from programs.models import Program

    program = Program.objects.filter(is_published=True, slug__contains="hausarzt").order_by("pk").first()
    program = program or Program.objects.filter(is_published=True).order_by("pk").first()
    participation = Participation.objects.filter(person__user__username="anna").order_by("pk").first()
    result = {
        "home": (None, "/?n={n}"),
        "home_plz": (None, "/?plz=70173&n={n}"),
        "list": (None, "/programme/?n={n}"),
        "list_search": (None, "/programme/?q=Diabetes&n={n}"),
        "list_search_place": (None, "/programme/?q=Diabetes&plz=70173&alter=40&n={n}"),
        "detail": (None, f"/programme/{program.slug}/?plz=70173&n={{n}}"),
        "provider_search": (None, f"/leistungserbringer/?programm={program.slug}&plz=70173&n={{n}}"),
        "home_place": (None, "/?plz={plz}&n={n}"),
        "list_search_new": (None, "/programme/?q=Diabetes&plz={plz}&alter={age}"),
        "detail_place": (None, f"/programme/{program.slug}/?plz={{plz}}&alter={{age}}"),
        "provider_search_place": (None, f"/leistungserbringer/?programm={program.slug}&plz={{plz}}&n={{n}}"),
        "deadlines": (None, "/programme/fristenrechner/?vertrag_beginn=2026-01-01&n={n}"),
        "minimal_user": ("anna", "/bench/minimal/?n={n}"),  # what being signed in costs every page
        "dashboard": ("anna", "/teilnahme/"),
        "list_search_user": ("anna", "/programme/?q=Diabetes&n={n}"),
        "detail_user": ("anna", f"/programme/{program.slug}/?n={{n}}"),
    }
    if participation:
        result["status"] = ("anna", f"/teilnahme/{participation.pk}/")
    return result


GOALS = {"home": 0.15, "home_plz": 0.15, "list": 0.15, "list_search": 0.15, "list_search_place": 0.15, "detail": 0.15,
         "provider_search": 0.15, "deadlines": 0.15}  # fmt: skip
LOGGED_IN_GOAL = 0.10


#: Residential postal codes in a fixed shuffled order: `{plz}` in a page's URL takes the next
#: one, so each request asks for a place nobody asked for before (until they wrap around).
POSTAL_CODES: list[str] = []


def postal_codes() -> list[str]:
    if not POSTAL_CODES:
        import hashlib

        from programs.models import PostalCode

        codes = set(PostalCode.objects.filter(residential=True).values_list("code", flat=True))
        POSTAL_CODES.extend(
            sorted(codes, key=lambda code: hashlib.md5(code.encode(), usedforsecurity=False).hexdigest())
        )
    return POSTAL_CODES


def concrete(url: str, n: int) -> str:
    if "{plz}" not in url:
        return url.format(n=n)
    return url.format(n=n, plz=postal_codes()[n % len(postal_codes())], age=18 + n % 80)


def timed(client, url: str, *, seconds: float) -> tuple[float, int]:
    """Mean ms per request over at least `seconds` (and at least 20 requests)."""
    from django.db import connection

    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        response = client.get(concrete(url, 0))
    assert response.status_code == 200, (url, response.status_code)
    count, started = 0, time.perf_counter()
    while count < 20 or time.perf_counter() - started < seconds:
        count += 1
        response = client.get(concrete(url, count))
        assert response.status_code == 200, (url, response.status_code)
    return (time.perf_counter() - started) * 1000 / count, len(queries)


def wizard_url(client) -> str:
    from programs.models import Program

    program = Program.objects.filter(is_published=True, slug__contains="hausarzt").order_by("pk").first()
    response = client.post("/teilnahme/erklaeren/", {"programm": program.slug})
    assert response.status_code == 302, response.status_code
    return response["Location"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per page (default 2 s)")
    parser.add_argument("--profile", metavar="PAGE", help="print a cProfile of one page instead")
    parser.add_argument("--only", help="comma-separated page names")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if "DATABASE_URL" not in os.environ:
        prepare_database(url, reuse=options.reuse)
    setup_django(url)

    from django.contrib.auth import get_user_model
    from django.test import Client

    users = {name: get_user_model().objects.get(username=name) for name in ("anna",)}
    clients = {None: Client()}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    table = pages()
    table["wizard_person"] = ("anna", wizard_url(clients["anna"]))
    if options.only:
        table = {k: v for k, v in table.items() if k in options.only.split(",")}

    if options.profile:
        user, page = table[options.profile]
        client = clients[user]
        client.get(concrete(page, 0))
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(1, 51):
            client.get(concrete(page, n))
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())
        out = io.StringIO()  # the project's own functions
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(r"/work/[^.]*/(?!\.venv)", 40)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())
        return

    minimal_before, _ = timed(clients[None], "/bench/minimal/", seconds=options.seconds)
    results = {name: timed(clients[user], page, seconds=options.seconds) for name, (user, page) in table.items()}
    minimal_after, _ = timed(clients[None], "/bench/minimal/", seconds=options.seconds)
    minimal = (minimal_before + minimal_after) / 2
    print(f"database {url.split('@')[-1]}; minimal view {minimal:.3f} ms (before {minimal_before:.3f}, after "
          f"{minimal_after:.3f})")  # fmt: skip
    print("| page | user | ms per request | queries | × minimal | goal |\n|---|---|---:|---:|---:|---:|")
    for name, (ms, queries) in results.items():
        user = table[name][0]
        goal = GOALS.get(name, LOGGED_IN_GOAL if user else 0.15)
        ratio = minimal / ms
        mark = "met" if ratio >= goal else "**not met**"
        print(f"| {name} | {user or '–'} | {ms:.2f} | {queries} | {ratio:.3f} | ≥ {goal:.2f} {mark} |")


if __name__ == "__main__":
    main()
