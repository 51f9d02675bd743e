"""Benchmark of a batch of activation letters: 10,000 letters into one PDF.

    .venv/bin/python bench/letters.py                 # 10,000 letters, fresh SQLite file in /tmp
    .venv/bin/python bench/letters.py --letters 500   # a smaller run
    DATABASE_URL=postgres://… .venv/bin/python bench/letters.py

Steps: a fresh database (SQLite file in a temporary folder unless DATABASE_URL is set; that
database must be empty), migrations, the AOKs, one Kreis with one Gemeinde and N insured
persons of AOK Baden-Württemberg without an account; then the body of the worker's task
(`activation_letter_batch_run`) times issuing N codes, rendering the letters (WeasyPrint,
chunks of `CHUNK_SIZE`) and merging them into one PDF. Prints seconds and pages per second
(wall clock, and CPU time of the process: on a shared machine the wall clock depends on the
neighbours), the file size and the peak memory; also times one single (tagged) letter. The
PDF is written to the temporary folder; no code is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="vl-bench-letters-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["MEDIA_ROOT"] = str(WORK / "media")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from enrollment.accounts import letters  # noqa: E402
from enrollment.models import ActivationLetterBatch, InsuredPerson  # noqa: E402
from programs.models import Fund, Gemeinde, Kreis, Land  # noqa: E402
from programs.services import ensure_aoks  # noqa: E402
from programs.validators import kvnr_with_check_digit  # noqa: E402

STREETS = ["Königstraße", "Hauptstraße", "Schillerstraße", "Lange Straße", "Am Mühlbach", "Weinsteige"]
FIRST = ["Clara", "Jürgen", "Ayşe", "Małgorzata", "Lukas", "Sophie", "Mehmet", "Anna-Lena", "Ömer", "Günther"]
LAST = ["Schmidt", "Müller", "Weißenböck", "Yılmaz", "Nowak", "Schäfer", "Hoffmann", "Özdemir", "Bauer", "Krüger"]


def setup(n: int):
    call_command("migrate", verbosity=0)
    ensure_aoks()
    fund = Fund.objects.get(slug="aok-bw")
    fund.postal_address = "Musterstraße 1, 70173 Stuttgart"
    fund.save(update_fields=["postal_address"])
    kreis, _ = Kreis.objects.get_or_create(key="08111", defaults={"name": "Stuttgart, Stadtkreis", "land_id": "BW"})
    Gemeinde.objects.get_or_create(ags="08111000", defaults={"name": "Stuttgart", "kreis": kreis})
    land = Land.objects.get(code="BW")
    InsuredPerson.objects.bulk_create(
        [
            InsuredPerson(
                kvnr=kvnr_with_check_digit("B", f"{20000000 + i:08d}"),
                first_name=FIRST[i % len(FIRST)],
                last_name=LAST[(i // len(FIRST)) % len(LAST)],
                birth_date=dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
                street=f"{STREETS[i % len(STREETS)]} {1 + i % 120}",
                postal_code=f"70{173 + i % 400:03d}",
                city="Stuttgart",
                land=land,
                gemeinde_id="08111000",
                fund=fund,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    return fund, kreis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=10_000)
    args = parser.parse_args()
    fund, kreis = setup(args.letters)
    now = timezone.now()

    single_person = InsuredPerson.objects.filter(fund=fund).first()
    t0 = time.perf_counter()
    letters.activation_letter_issue(person=single_person, issued_by=None, now=now, base_url="https://portal.example")
    single = time.perf_counter() - t0

    batch = letters.activation_letter_batch_create(
        fund=fund, kreis=kreis, created_by=None, now=now, base_url="https://portal.example"
    )
    last = [time.perf_counter()]

    def progress(done: int, total: int) -> None:
        if done == total or time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            print(f"  {done:>6} / {total} letters, {time.perf_counter() - started:6.1f} s", flush=True)

    started = time.perf_counter()
    cpu_started = time.process_time()
    batch = letters.activation_letter_batch_run(batch=batch, now=now, on_progress=progress)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    assert batch.status == ActivationLetterBatch.Status.DONE and batch.pages == batch.total == args.letters
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"single letter (tagged PDF/UA): {single:.2f} s")
    print(f"batch of {batch.total} letters: {seconds:.1f} s, {batch.pages / seconds:.1f} pages/s")
    # on a shared machine the wall clock depends on the neighbours; CPU time of this process does not
    print(f"CPU time of the process: {cpu:.1f} s, {batch.pages / cpu:.1f} pages per CPU second")
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"PDF: {batch.pages} pages, {batch.size / 1_000_000:.1f} MB ({batch.file.path})")
    print(f"peak memory of the process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
