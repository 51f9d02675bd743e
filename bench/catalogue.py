"""Benchmark of the public catalogue on PostgreSQL with the volume of `generate_volume`.

    .venv/bin/python bench/catalogue.py                  # set up the data, measure, print
    .venv/bin/python bench/catalogue.py --reuse          # keep the data of an earlier run
    .venv/bin/python bench/catalogue.py --write-docs     # also write docs/performance.md

Steps (one run, so the ratios compare like with like on the same machine):
1. a PostgreSQL database `vl_bench_catalogue` (DATABASE_URL overrides) with the regions
   (`import_regions`), the demo catalogue (`seed_demo`) and `generate_volume --programs 1500
   --providers 200000`, then ANALYZE;
2. the app served by gunicorn (2 sync workers) on a free loopback port with
   `bench.catalogue_settings` (DEBUG off, a cache shared by the workers: Redis on 127.0.0.1:6379
   as in production when it answers, else files);
3. wrk (bounded: DURATION seconds per endpoint, 1 thread, 4 connections) against the minimal
   view `/bench/minimal/` (whole middleware stack, no template, no query), the home page with
   a PLZ, the list with a search (eight terms in turn), a program page with providers nearby
   and the provider search (three places in turn) — once with the anonymous page cache
   switched off (every request renders) and once with it on;
4. requests/s, p50/p95/p99 latency and the ratio of requests/s to the minimal view of the same
   pass (mean of a measurement before and after the endpoints) are printed, and with
   `--write-docs` written to the "## Katalog" section of docs/performance.md.

Targets (issue 3): list with a search ≥ 0.15 × minimal; cached anonymous pages ≥ 0.5 ×;
provider search p95 ≤ 100 ms. Loopback only; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/vl_bench_catalogue"
DEMO_PASSWORD = "Lotse-Demo-2026"  # noqa: S105 - the public demo password (devdata/data/accounts.py)
SECTION = "## Katalog"
SEARCH_TERMS = ["Diabetes", "Herz", "Rückenschmerzen", "Krebs", "Rueckenschmerzen", "Diabetis", "Zucker", "Lunge"]
PLACES = ["70173", "77716", "01067"]  # Stuttgart, Haslach im Kinzigtal, Dresden

WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("BENCHJSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"errors\\": %%d, \\"non2xx\\": %%d, \\"p50\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d}\\n",
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""

WRK_SCRIPT = (
    """
paths = {PATHS}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {HEADERS})
end
"""
    + WRK_DONE
)

#: Every request a URL not seen before: path templates with PLZX and AGEX filled from the
#: counter (every residential postal code, then 80 ages), so the page cache (keyed on the canonical query)
#: never answers — what a stream of new searches costs.
WRK_UNIQUE_SCRIPT = (
    """
templates = {PATHS}
plzs = {PLZS}
counter = 0
request = function()
  counter = counter + 1
  local t = templates[(counter %% #templates) + 1]
  local n = math.floor(counter / #templates)
  local path = string.gsub(string.gsub(t, "PLZX", plzs[(n %% #plzs) + 1]), "AGEX", tostring(18 + (math.floor(n / #plzs) %% 80)))
  return wrk.format("GET", path, {HEADERS})
end
"""
    + WRK_DONE
)


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    failures: int


def run(cmd: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    print("  $", " ".join(cmd), flush=True)
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def pg_args(url: str) -> tuple[list[str], str]:
    parts = urlsplit(url)
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    return args, parts.path.lstrip("/")


def setup_database(url: str, env: dict[str, str], *, reuse: bool) -> None:
    args, name = pg_args(url)
    if reuse:
        exists = subprocess.run(
            ["psql", *args, "-d", name, "-tAc", "SELECT count(*) FROM providers_provider"],
            capture_output=True,
            text=True,
        )
        if exists.returncode == 0 and int(exists.stdout.strip() or 0) >= 200_000:
            print(f"Reusing {name} ({exists.stdout.strip()} providers).")
            run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
            return
    print(f"Creating {name} …")
    subprocess.run(["dropdb", *args, "--if-exists", name], check=True)
    subprocess.run(["createdb", *args, name], check=True)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([PYTHON, "manage.py", "import_regions"], env, stdout=subprocess.DEVNULL)
    run([PYTHON, "manage.py", "seed_demo"], env, stdout=subprocess.DEVNULL)
    run(
        [PYTHON, "manage.py", "generate_volume", "--programs", "1500", "--providers", "200000", "--insured", "2000"],
        env,
    )
    subprocess.run(["psql", *args, "-d", name, "-qc", "ANALYZE"], check=True)


def pick_endpoints(url: str) -> dict[str, list[str]]:
    """Concrete URLs from the data: the AOK BW Hausarztprogramm (dense participation)."""
    hzv = _psql(
        url,
        "SELECT p.slug FROM programs_program p JOIN programs_contract c ON c.program_id = p.id "
        "JOIN programs_fund f ON f.id = c.fund_id JOIN providers_contractparticipation cp ON cp.contract_id = c.id "
        "WHERE p.program_type = 'hzv' AND f.slug = 'aok-bw' AND p.is_published "
        "GROUP BY p.slug ORDER BY count(*) DESC LIMIT 1",
    )
    return {
        "minimal": ["/bench/minimal/"],
        "home": [f"/?plz={plz}" for plz in PLACES],
        "list_search": [f"/programme/?q={quote(term)}" for term in SEARCH_TERMS],
        "detail": [f"/programme/{hzv}/?plz={plz}" for plz in PLACES],
        "provider_search": [f"/leistungserbringer/?programm={hzv}&plz={plz}" for plz in PLACES],
    }


def unique_endpoints(url: str, endpoints: dict[str, list[str]]) -> tuple[dict[str, list[str]], list[str]]:
    """Path templates (PLZX, AGEX filled per request) and every residential postal code of the
    data (about 8,200, in a fixed shuffled order): every request of the pass asks for a page
    nobody asked for before, as long as an endpoint gets fewer requests than it has postal codes
    (the home page has no second dimension; `measure` warns when it wrapped around)."""
    plzs = _psql(
        url, "SELECT code FROM (SELECT DISTINCT code FROM programs_postalcode WHERE residential) c ORDER BY md5(code)"
    ).split()
    hzv = endpoints["detail"][0].split("/")[2]
    return {
        "home": ["/?plz=PLZX"],
        "list_search": [f"/programme/?q={quote(term)}&plz=PLZX&alter=AGEX" for term in SEARCH_TERMS],
        "detail": [f"/programme/{hzv}/?plz=PLZX&alter=AGEX"],
        "provider_search": [
            f"/leistungserbringer/?programm={hzv}&plz=PLZX",
            f"/leistungserbringer/?programm={hzv}&plz=PLZX&neue_patienten=on",
            f"/leistungserbringer/?programm={hzv}&plz=PLZX&umkreis=25",
        ],
    }, plzs


def _psql(url: str, sql: str) -> str:
    args, name = pg_args(url)
    return subprocess.run(
        ["psql", *args, "-d", name, "-tAc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def _cookies(response) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(port: int, username: str, password: str) -> str:
    """A Cookie header of a signed-in session (the real sign-in form, CSRF and all)."""
    opener = urllib.request.build_opener(_NoRedirect)
    base = f"http://127.0.0.1:{port}"
    with opener.open(f"{base}/konto/anmelden/", timeout=30) as response:
        jar = _cookies(response)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
    body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password}).encode()
    request = urllib.request.Request(f"{base}/konto/anmelden/", data=body, method="POST")
    request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in jar.items()))
    try:
        opener.open(request, timeout=30)
        raise RuntimeError("sign-in did not redirect (wrong password?)")
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise
        jar.update(_cookies(redirect))
    assert "sessionid" in jar, "no session cookie after sign-in"
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def logged_in_endpoints(url: str, port: int, cookie: str, endpoints: dict[str, list[str]]) -> dict[str, list[str]]:
    """Pages of the demo person anna: "Mein Bereich", a participation's status page, the list
    with a search and the program page as she sees them, the first wizard step."""
    participation = _psql(
        url,
        "SELECT p.id FROM enrollment_participation p JOIN enrollment_insuredperson i ON i.id = p.person_id "
        "JOIN auth_user u ON u.id = i.user_id WHERE u.username = 'anna' ORDER BY p.id LIMIT 1",
    )
    hzv = endpoints["detail"][0].split("/")[2]
    opener = urllib.request.build_opener(_NoRedirect)
    base = f"http://127.0.0.1:{port}"
    with opener.open(f"{base}/konto/anmelden/", timeout=30) as response:
        pass
    page = urllib.request.Request(f"{base}/programme/{hzv}/", headers={"Cookie": cookie})
    with opener.open(page, timeout=30) as response:
        html = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    start = urllib.request.Request(
        f"{base}/teilnahme/erklaeren/",
        data=urlencode({"csrfmiddlewaretoken": token, "programm": hzv}).encode(),
        headers={"Cookie": cookie},
        method="POST",
    )
    try:
        opener.open(start, timeout=30)
        raise RuntimeError("the wizard did not start")
    except urllib.error.HTTPError as redirect:
        wizard = redirect.headers["Location"]
    return {
        "minimal_user": ["/bench/minimal/"],
        "dashboard_user": ["/teilnahme/"],
        "status_user": [f"/teilnahme/{participation}/"],
        "list_search_user": [f"/programme/?q={quote(term)}" for term in SEARCH_TERMS],
        "detail_user": [f"/programme/{hzv}/"],
        "wizard_user": [wizard],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_available() -> bool:
    """The shared cache as production runs it (Redis), when one answers on loopback."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def drop_redis_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


def start_server(env: dict[str, str], port: int, *, cache: bool, cache_dir: str) -> subprocess.Popen:
    """gunicorn with the shared cache: Redis (a key prefix per server, dropped by
    `stop_server`) when available, else files in `cache_dir`."""
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench.catalogue_settings",
        "CATALOGUE_PAGE_CACHE": "true" if cache else "false",
        "BENCH_CACHE_DIR": cache_dir,
    }
    if redis_available():
        server_env["BENCH_REDIS_URL"] = REDIS_URL
        server_env["BENCH_CACHE_PREFIX"] = os.path.basename(cache_dir)
    shutil.rmtree(cache_dir, ignore_errors=True)
    proc = subprocess.Popen(
        [GUNICORN, "config.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning"],
        env=server_env, cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/minimal/", timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def warm_up(port: int, paths: list[str], cookie: str = "") -> None:
    for path in paths:
        path = path.replace("PLZX", "70173").replace("AGEX", "40")
        for _ in range(2):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie} if cookie else {}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200, (path, response.status)


def wrk(
    port: int, name: str, paths: list[str], *, duration: int, connections: int, plzs=None, cookie: str = ""
) -> Result:
    lua_paths = "{" + ", ".join(json.dumps(p) for p in paths) + "}"
    headers = "{" + (f"Cookie = {json.dumps(cookie)}" if cookie else "") + "}"
    script_text = (
        (WRK_UNIQUE_SCRIPT if plzs else WRK_SCRIPT).replace("{PATHS}", lua_paths).replace("{HEADERS}", headers)
    )
    if plzs:
        script_text = script_text.replace("{PLZS}", "{" + ", ".join(json.dumps(p) for p in plzs) + "}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(script_text.replace("%%", "%"))
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", script.name,
             f"http://127.0.0.1:{port}{paths[0]}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    data = json.loads(re.search(r"BENCHJSON (\{.*\})", out).group(1))
    seconds = data["duration_us"] / 1e6
    return Result(
        name=name,
        rps=data["requests"] / seconds,
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        requests=data["requests"],
        failures=data["errors"] + data["non2xx"],
    )


def measure(
    env, url, endpoints, *, cache: bool, duration: int, connections: int, unique: bool = False
) -> tuple[list[Result], float]:
    """One pass: the minimal view, the catalogue pages (repeated URLs, or with `unique` a new
    URL per request and the logged-in pages), the minimal view again."""
    port = free_port()
    cache_dir = tempfile.mkdtemp(prefix="vl-bench-cache-")
    proc = start_server(env, port, cache=cache, cache_dir=cache_dir)
    run_wrk = partial(wrk, port, duration=duration, connections=connections)
    try:
        for paths in endpoints.values():
            warm_up(port, paths)
        results = [run_wrk("minimal", endpoints["minimal"])]
        if unique:
            templates, plzs = unique_endpoints(url, endpoints)
            for name, paths in templates.items():
                warm_up(port, paths)
                results.append(run_wrk(f"{name}_new", paths, plzs=plzs))
                distinct = len(paths) * len(plzs) * (80 if any("AGEX" in p for p in paths) else 1)
                if results[-1].requests > distinct:
                    print(f"  WARNING: {name}: {results[-1].requests} requests for {distinct} distinct URLs — "
                          "some were answered from the page cache", flush=True)  # fmt: skip
            cookie = sign_in(port, "anna", DEMO_PASSWORD)
            for name, paths in logged_in_endpoints(url, port, cookie, endpoints).items():
                warm_up(port, paths, cookie)
                results.append(run_wrk(name, paths, cookie=cookie))
        else:
            for name, paths in endpoints.items():
                if name != "minimal":
                    results.append(run_wrk(name, paths))
        results.append(run_wrk("minimal (again)", endpoints["minimal"]))
    finally:
        stop_server(proc)
        shutil.rmtree(cache_dir, ignore_errors=True)
        if redis_available():
            drop_redis_keys(os.path.basename(cache_dir))
    minimal = (results[0].rps + results[-1].rps) / 2
    return results, minimal


LABELS = {
    "minimal": "minimal view `/bench/minimal/`",
    "minimal (again)": "minimal view, measured again at the end",
    "home": "home with a PLZ (3 places)",
    "list_search": "program list with a search (8 terms)",
    "detail": "program page with providers nearby (3 places)",
    "provider_search": "provider search, 200,000 providers (3 places)",
    "home_new": "home with a PLZ, a new PLZ per request",
    "list_search_new": "program list with a search, PLZ and age, a new URL per request",
    "detail_new": "program page with PLZ and age, a new URL per request",
    "provider_search_new": "provider search, a new place per request",
    "minimal_user": "minimal view, signed in (anna): what being signed in costs every page",
    "dashboard_user": "“Mein Bereich” (anna, signed in)",
    "status_user": "participation status page (anna)",
    "list_search_user": "program list with a search (anna)",
    "detail_user": "program page (anna)",
    "wizard_user": "first step of the declaration wizard (anna)",
}


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def table(results: list[Result], minimal: float) -> list[str]:
    lines = [
        "| Endpoint | Requests/s | p50 ms | p95 ms | p99 ms | × minimal | failures |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {LABELS[r.name]} | {fmt(r.rps, 0)} | {fmt(r.p50_ms)} | {fmt(r.p95_ms)} | {fmt(r.p99_ms)} "
            f"| {fmt(r.rps / minimal, 2)} | {r.failures} |"
        )
    return lines


CATALOGUE = ("home", "list_search", "detail", "provider_search")
SIGNED_IN = ("dashboard_user", "status_user", "list_search_user", "detail_user", "wizard_user")


def span(results: list[Result], names, minimal: float) -> str:
    """`low–high` of the ratios of `names` to the minimal view (one value: just it)."""
    ratios = sorted(r.rps / minimal for r in results if r.name in names)
    low, high = fmt(ratios[0], 2), fmt(ratios[-1], 2)
    return low if low == high else f"{low}–{high}"


def verdicts(
    cold: list[Result], cold_min: float, warm: list[Result], warm_min: float, new: list[Result], new_min: float
) -> list[str]:
    def ratio(results, name, minimal):
        return next(r for r in results if r.name == name).rps / minimal

    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"

    cached = [ratio(warm, n, warm_min) for n in ("home", "list_search", "detail", "provider_search")]
    fresh = [ratio(new, f"{n}_new", new_min) for n in ("home", "list_search", "detail", "provider_search")]
    user = [
        ratio(new, n, new_min)
        for n in ("dashboard_user", "status_user", "list_search_user", "detail_user", "wizard_user")
    ]
    floor = ratio(new, "minimal_user", new_min)
    provider_p95 = max(r.p95_ms for r in (*cold, *warm, *new) if r.name.startswith("provider_search"))
    return [
        f"- Catalogue pages rendered from scratch (a new URL per request) ≥ 0,15 × minimal: "
        f"{', '.join(fmt(c, 2) for c in fresh)} × (home with a PLZ, list with a search, program page, provider "
        f"search; {mark(min(fresh) >= 0.15)}).",
        f"- Signed-in pages ≥ 0,10 × minimal: {', '.join(fmt(c, 2) for c in user)} × (“Mein Bereich”, status "
        f"page, list, program page, wizard; {mark(min(user) >= 0.10)}); the minimal view signed in reaches "
        f"{fmt(floor, 2)} ×, so against it the pages reach {', '.join(fmt(c / floor, 2) for c in user)} ×.",
        f"- Repeated anonymous URLs from the page cache ≥ 0,5 × minimal: {', '.join(fmt(c, 2) for c in cached)} × "
        f"(home, list, program page, provider search; {mark(min(cached) >= 0.5)}).",
        f"- Provider search p95 ≤ 100 ms: {fmt(provider_p95)} ms at worst ({mark(provider_p95 <= 100)}).",
    ]


def write_docs(section: str) -> None:
    path = ROOT / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(section.rstrip() + "\n\n", text)
    else:
        text = text.rstrip() + "\n\n" + section.rstrip() + "\n"
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
    print(f"Wrote the “{SECTION}” section of {path.relative_to(ROOT)}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true", help="keep an existing benchmark database")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint (default 10)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--write-docs", action="store_true", help="write the results into docs/performance.md")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk)")

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"}
    started = time.monotonic()
    setup_database(url, env, reuse=options.reuse)
    endpoints = pick_endpoints(url)
    print("Endpoints:", json.dumps(endpoints, ensure_ascii=False, indent=1))

    passes = partial(measure, env, url, endpoints, duration=options.duration, connections=options.connections)
    print("Pass 1: page cache off (every request renders) …", flush=True)
    cold, cold_min = passes(cache=False)
    print("Pass 2: anonymous page cache on …", flush=True)
    warm, warm_min = passes(cache=True)
    print("Pass 3: page cache on, a new URL per request, and signed-in pages …", flush=True)
    new, new_min = passes(cache=True, unique=True)

    cpu = platform.processor() or platform.machine()
    lines = [
        SECTION,
        "",
        f"Measured by `bench/catalogue.py` on {date.today():%Y-%m-%d} ({cpu}, {os.cpu_count()} cores, PostgreSQL, "
        f"database `{pg_args(url)[1]}`; gunicorn with 2 sync workers, wrk with 1 thread and "
        f"{options.connections} connections for {options.duration} s per endpoint, all on loopback on the same "
        "machine; a shared development machine, so expect ±20 % between runs — the ratios to the minimal view of "
        "the same pass are what to compare). Data: `generate_volume --programs 1500 --providers 200000` on "
        "the regions of `import_regions` plus the demo catalogue.",
        "",
        "### Page cache off (every request renders)",
        "",
        *table(cold, cold_min),
        "",
        "### Anonymous page cache on (programs/caching.py)",
        "",
        *table(warm, warm_min),
        "",
        "### Page cache on, but every request a URL not seen before; signed-in pages",
        "",
        *table(new, new_min),
        "",
        "### Targets",
        "",
        *verdicts(cold, cold_min, warm, warm_min, new, new_min),
        "",
        "What the figures mean: with the page cache a repeated anonymous URL costs a lookup in the worker's "
        "memory (or one read of the shared cache), the "
        "per-visitor CSRF token and CSP nonce filled into the stored HTML and the middleware, so the pages reach "
        f"{span(warm, CATALOGUE, warm_min)} × the minimal view. Without it every request renders, but what "
        "follows from the catalogue alone (rendered fragments, result rows, the filtered catalogue per place "
        "rules, a program's participants, the postal index) is memoised per catalogue version in each worker: "
        f"a place seen before costs {span(cold, CATALOGUE, cold_min)} ×, a new place "
        f"{span(new, [f'{n}_new' for n in CATALOGUE], new_min)} ×. Signed-in pages reach "
        f"{span(new, SIGNED_IN, new_min)} ×: what they show of the person is kept per account data version "
        "and day (moved on by database triggers with every change), so a page costs being signed in, one "
        "query for the version and its render; being signed in alone (session, account, the sign-out check) "
        f"leaves the minimal view at {span(new, ['minimal_user'], new_min)} × — see “Seiten ohne Cache” below "
        "for the profiles and what was done.",
        "",
        "How: searching is one query over normalised columns (`programs/search.py`: folded text, light "
        "stemming, compounds, synonyms, spelled-out umlauts; typos matched in Python against the "
        "catalogue's vocabulary, memoised per catalogue version). Computing `to_tsvector('german', …)` per row at query time "
        "cost 200–400 ms a search with 1,500 programs and was dropped. The list finds and orders all matches "
        "once, then loads only the page's rows (contracts as tuples, no model instances); eligibility is "
        "evaluated in Python on prefetched relations. The provider search reads `(id, latitude, longitude)` of "
        "the participants inside a bounding box on the indexed coordinates (10 km, then 50 km, then the "
        "nearest anywhere ordered in SQL and capped) and computes haversine distances in Python; a program's "
        "few hundred participants are held in memory per catalogue version and searched the same way.",
        "",
        "Cache invalidation: every save or delete of a program, contract, fund, fund region, provider or "
        "participation (and changes to a program's regions, prerequisites or exclusions, and the bulk methods "
        "of the program and contract managers) replaces the catalogue version that every cache key contains "
        "(`programs/caching.py`, `programs/signals.py`, `providers/signals.py`); each process rereads the version at most once a second. "
        "Several processes need a shared cache (the benchmark uses Redis when one answers on loopback, else Django's file cache; production: Redis or "
        "memcached via `CACHE_URL`) — with the default per-process `locmem` cache a staff edit would reach only "
        "the process that saved it. Logged-in visitors are never served from the cache.",
        "",
    ]
    section = "\n".join(lines)
    print()
    print(section)
    print(f"(total {time.monotonic() - started:.0f} s)")
    if options.write_docs:
        write_docs(section)


if __name__ == "__main__":
    main()
