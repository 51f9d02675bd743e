"""Load test of the insured journey: 50 virtual persons against gunicorn + PostgreSQL, and the
same while PostgreSQL restarts (issue 9 §5).

    .venv/bin/python bench/load.py                       # 50 users, 60 s
    .venv/bin/python bench/load.py --restart-db          # PostgreSQL restarts in the middle
    .venv/bin/python bench/load.py --users 20 --seconds 30

Each virtual person signs in once, then repeats until the time is up: search ("Hausarzt") →
program page → declare (the wizard: person, practice, declaration with its consents) → status
page → revoke (with its confirmation step). Plain HTTP on loopback with the standard library
(threads, http.client), cookies and CSRF tokens as a browser sends them; no step is skipped.

Afterwards the database is compared with what the clients saw: every declaration a client saw
succeed exists once, with the status the client saw last (revoked when its revocation
succeeded), and there is no other declaration of these persons. A declaration whose answer
was lost (a failed request) is sent again with the same idempotency key, as the wizard's form
does, so a retry cannot create a second record.

With `--restart-db` the run uses a PostgreSQL of its own (initdb in a temporary directory, a
free loopback port, run as the `postgres` system user), restarts it once at a third of the time
with `pg_ctl restart` and removes it afterwards: the machine's shared PostgreSQL, which other
test suites use, is never touched. Failed requests must fall into the outage (the app answers
503 with Retry-After while the database is away); nothing may be lost or doubled.

Setup: a fresh database `vl_load` (BENCH_DATABASE_URL overrides) with the regions, the demo
data and N persons cloned from the demo person anna (AOK Baden-Württemberg, own account);
gunicorn with 4 workers × 4 threads and the benchmark settings (bench/catalogue_settings.py).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/vl_load"
PASSWORD = "Lotse-Demo-2026"  # noqa: S105 - the public demo password (devdata/data/accounts.py)
PROGRAM = "hausarztprogramm-aok-bw"
STEPS = ("sign in", "search", "program page", "start wizard", "wizard: person", "wizard: practice",
         "wizard: declaration", "status page", "revoke")  # fmt: skip
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- setup ---------------------------------------------------------------------------------------


def pg_args(url: str) -> tuple[list[str], str]:
    parts = urlsplit(url)
    return ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"], (
        parts.path.lstrip("/")
    )


def prepare(url: str, users: int) -> list[str]:
    args, name = pg_args(url)
    subprocess.run(["dropdb", *args, "--if-exists", name], check=True, capture_output=True)
    subprocess.run(["createdb", *args, name], check=True)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"}
    for command in (["migrate", "-v", "0"], ["import_regions", "-v", "0"], ["seed_demo"]):
        subprocess.run([PYTHON, "manage.py", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from enrollment.models import InsuredPerson
    from programs.validators import kvnr_with_check_digit

    anna = InsuredPerson.objects.select_related("user").get(user__username="anna")
    names = []
    for n in range(users):
        user = get_user_model().objects.create(
            username=f"last{n:02d}", email=f"last{n:02d}@example.org", password=anna.user.password
        )
        clone = InsuredPerson.objects.get(pk=anna.pk)
        clone.pk = None
        clone.user = user
        clone.first_name = f"Last{n:02d}"
        clone.kvnr = kvnr_with_check_digit("L", f"{90000000 + n:08d}")
        clone.save()
        names.append(user.username)
    return names


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, cache_dir: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.catalogue_settings",
           "BENCH_CACHE_DIR": cache_dir, "CATALOGUE_PAGE_CACHE": "true"}  # fmt: skip
    env.pop("DEBUG", None)
    proc = subprocess.Popen(
        [GUNICORN, "config.wsgi:application", "--workers", "4", "--threads", "4", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning", "--timeout", "60"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/minimal/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


# --- one virtual person ----------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[tuple[float, str]]] = field(default_factory=lambda: defaultdict(list))
    declared: dict[int, str] = field(default_factory=dict)  # participation id → last status the client saw
    lock: threading.Lock = field(default_factory=threading.Lock)


class Failed(Exception):
    pass


class Person:
    def __init__(self, port: int, username: str, stats: Stats, started: float):
        self.port, self.username, self.stats, self.started = port, username, stats, started
        self.cookies: dict[str, str] = {}

    def request(self, step: str, method: str, path: str, data: dict | None = None, expect=(200,)):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            conn.close()
        except OSError as exc:
            self._fail(step, f"{type(exc).__name__}")
            raise Failed(step) from exc
        elapsed = time.perf_counter() - began
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status not in expect:
            what = f"HTTP {response.status}"
            if response.status >= 400:
                title = re.search(r"<title>(.*?)</title>", text, re.S)
                what += f" {method} {path.split('?')[0]} “{title.group(1).strip() if title else text[:80]}”"
            self._fail(step, what)
            raise Failed(step)
        with self.stats.lock:
            self.stats.latencies[step].append(elapsed)
        return response.status, response.headers.get("Location", ""), text

    def _fail(self, step: str, what: str) -> None:
        with self.stats.lock:
            self.stats.errors[step].append((time.monotonic() - self.started, what))

    def retry(self, func, *args, attempts: int = 20, **kwargs):
        for attempt in range(attempts):
            try:
                return func(*args, **kwargs)
            except Failed:
                time.sleep(min(0.5 * (attempt + 1), 3))
        raise Failed("gave up")

    def sign_in(self) -> None:
        _, _, page = self.request("sign in", "GET", "/konto/anmelden/")
        token = CSRF.search(page).group(1)
        self.request("sign in", "POST", "/konto/anmelden/",
                     {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD}, expect=(302,))  # fmt: skip

    def journey(self) -> None:
        self.request("search", "GET", "/programme/?q=Hausarzt")
        _, _, page = self.request("program page", "GET", f"/programme/{PROGRAM}/")
        token = CSRF.search(page).group(1)
        _, location, _ = self.request("start wizard", "POST", "/teilnahme/erklaeren/",
                                      {"csrfmiddlewaretoken": token, "programm": PROGRAM}, expect=(302,))  # fmt: skip
        key = None
        for _ in range(4):  # person → practice → declaration
            _, _, page = self.retry(self.request, "wizard: " + _step_name(location), "GET", location)
            token = CSRF.search(page).group(1)
            if 'name="person"' in page:
                value = re.search(r'name="person" value="(\d+)"', page).group(1)
                _, location, _ = self.request("wizard: person", "POST", location,
                                              {"csrfmiddlewaretoken": token, "person": value}, expect=(302,))  # fmt: skip
            elif 'name="provider"' in page:
                value = re.search(r'name="provider" value="(\d+)"', page).group(1)
                _, location, _ = self.request(
                    "wizard: practice", "POST", location,
                    {"csrfmiddlewaretoken": token, "provider": value, "confirm_closed": "on"}, expect=(302,),
                )  # fmt: skip
            else:
                key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
                data = {"csrfmiddlewaretoken": token, "idempotency_key": key, "declaration": "on",
                        "data_transfer": "on", "revocation_instruction": "on"}  # fmt: skip
                # the answer may be lost: send the same form again (same key → the same record)
                _, location, _ = self.retry(self.request, "wizard: declaration", "POST", location, data, expect=(302,))
                break
        match = re.search(r"/teilnahme/(\d+)/$", location)
        if not match:
            raise Failed("no participation")
        pk = int(match.group(1))
        with self.stats.lock:
            self.stats.declared[pk] = "submitted"
        self.retry(self.request, "status page", "GET", f"/teilnahme/{pk}/")
        _, _, page = self.retry(self.request, "revoke", "GET", f"/teilnahme/{pk}/widerruf/")
        token = CSRF.search(page).group(1)
        try:
            self.request("revoke", "POST", f"/teilnahme/{pk}/widerruf/",
                         {"csrfmiddlewaretoken": token, "confirm": "on"}, expect=(302,))  # fmt: skip
        except Failed:
            # did it go through? the status page says (a second revocation would be refused)
            _, _, page = self.retry(self.request, "status page", "GET", f"/teilnahme/{pk}/")
            if not re.search(r"Status: <strong>widerrufen</strong>", page):
                raise
        with self.stats.lock:
            self.stats.declared[pk] = "revoked"

    def run(self, deadline: float) -> None:
        try:
            self.retry(self.sign_in)
        except Failed:
            return
        while time.monotonic() < deadline:
            try:
                self.journey()
            except Failed:
                time.sleep(0.5)


def _step_name(location: str) -> str:
    return {"person": "person", "praxis": "practice"}.get(location.rsplit("schritt=", 1)[-1], "declaration")


# --- the run -------------------------------------------------------------------------------------


class PrivatePostgres:
    """A throw-away PostgreSQL cluster for the restart test (see the module docstring)."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
        if not bins:
            sys.exit("--restart-db needs the PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin)")
        self.bin = bins[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix="vl-load-pg-"))
        self.port = free_port()
        shutil.chown(self.dir, user="postgres", group="postgres")

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        data = str(self.dir / "data")
        self._as_postgres(str(self.bin / "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", data, "-o", options, "-l", str(self.dir / "log"), "-w", "start"
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/vl_load"

    def restart(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "restart")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def restart_postgres(postgres: PrivatePostgres, at: float, started: float, log: list) -> None:
    time.sleep(max(0, at - (time.monotonic() - started)))
    begin = time.monotonic() - started
    postgres.restart()
    log.append((begin, time.monotonic() - started))


def verify(usernames: list[str], stats: Stats) -> list[str]:
    from django.db import connection

    from enrollment.models import Participation

    connection.close()
    rows = dict(Participation.objects.filter(person__user__username__in=usernames).values_list("pk", "status"))
    problems = []
    for pk, seen in stats.declared.items():
        if pk not in rows:
            problems.append(f"participation {pk}: the client saw it, the database does not have it (lost)")
        elif seen == "revoked" and rows[pk] != "revoked":
            problems.append(f"participation {pk}: revoked for the client, {rows[pk]} in the database")
    extra = set(rows) - set(stats.declared)
    problems += [f"participation {pk}: in the database, never confirmed to a client (doubled?)" for pk in extra]
    return problems


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--restart-db", action="store_true", help="restart PostgreSQL at a third of the time")
    options = parser.parse_args()
    postgres = PrivatePostgres() if options.restart_db else None
    url = postgres.start() if postgres else os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    try:
        run(url, options, postgres)
    finally:
        if postgres:
            postgres.remove()


def run(url: str, options, postgres: PrivatePostgres | None) -> None:
    print(f"Preparing {pg_args(url)[1]} on port {urlsplit(url).port} with {options.users} persons …", flush=True)
    usernames = prepare(url, options.users)
    port, cache_dir = free_port(), tempfile.mkdtemp(prefix="vl-load-cache-")
    server = start_server(url, port, cache_dir)
    stats, restarts = Stats(), []
    try:
        started = time.monotonic()
        deadline = started + options.seconds
        threads = [
            threading.Thread(target=Person(port, name, stats, started).run, args=(deadline,)) for name in usernames
        ]
        if options.restart_db:
            threads.append(
                threading.Thread(target=restart_postgres, args=(postgres, options.seconds / 3, started, restarts))
            )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=options.seconds + 180)
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(cache_dir, ignore_errors=True)

    print(f"\n{options.users} persons, {elapsed:.0f} s, gunicorn 4 workers × 4 threads, {os.cpu_count()} cores "
          f"(shared machine){', PostgreSQL restarted' if options.restart_db else ''}\n")  # fmt: skip
    print("| step | requests | errors | p50 ms | p95 ms |\n|---|---:|---:|---:|---:|")
    for step in STEPS:
        times = stats.latencies.get(step, [])
        errors = stats.errors.get(step, [])
        if times or errors:
            p50 = f"{percentile(times, 50):.0f}" if times else "–"
            p95 = f"{percentile(times, 95):.0f}" if times else "–"
            print(f"| {step} | {len(times) + len(errors)} | {len(errors)} | {p50} | {p95} |")
    revoked = sum(1 for s in stats.declared.values() if s == "revoked")
    print(f"\ndeclarations confirmed to clients: {len(stats.declared)}, of which revoked: {revoked}")
    all_errors = sorted((t, step, what) for step, items in stats.errors.items() for t, what in items)
    if restarts:
        begin, end = restarts[0]
        print(f"PostgreSQL restart: from {begin:.1f} s to {end:.1f} s")
        outside = [e for e in all_errors if not (begin - 1 <= e[0] <= end + 10)]
        kinds = sorted({what.split(" ", 2)[0] + " " + what.split(" ", 2)[1] for _t, _s, what in all_errors})
        print(f"failed requests: {len(all_errors)} ({', '.join(kinds) or 'none'}), "
              f"first at {all_errors[0][0]:.1f} s, last at {all_errors[-1][0]:.1f} s; "
              f"outside the outage (+10 s to reconnect): {len(outside)}" if all_errors else "failed requests: 0")  # fmt: skip
    else:
        print(f"failed requests: {len(all_errors)}")
    problems = verify(usernames, stats)
    print("database check: " + ("every confirmed declaration exists once with the status the client saw; no others"
                                if not problems else f"{len(problems)} problems"))  # fmt: skip
    for problem in problems[:20]:
        print("  " + problem)
    if all_errors:
        print("failed requests by answer:")
        counts: dict[str, int] = defaultdict(int)
        for _t, step, what in all_errors:
            counts[f"{step}: {what}"] += 1
        for what, n in sorted(counts.items(), key=lambda item: -item[1])[:15]:
            print(f"  {n} × {what}")
    all_times = [t for times in stats.latencies.values() for t in times]
    if all_times:
        print(f"all requests: {len(all_times)}, mean {statistics.mean(all_times) * 1000:.0f} ms")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
