"""Synthetic but plausible volume data for benchmarks (`manage.py generate_volume`).

Providers, their contract participations and insured persons are placed at postal codes
weighted by population (Gemeinde population from the Gemeindeverzeichnis, split evenly over
the PLZ of that Gemeinde) and belong to the AOK responsible there. Identifiers carry valid
check digits (KVNR, LANR, IK) and BSNRs start with the KV of their region.

Rows are generated in batches and streamed to the database: COPY on PostgreSQL, `bulk_create`
on SQLite; nothing holds more than one batch of rows. Ids are taken from the table's
sequence (PostgreSQL) or counted on from MAX(id) (SQLite, single writer) so participations can
refer to providers without reading them back. One seeded `random.Random` drives everything:
the same seed on the same regions gives the same data.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from faker.providers.person.de_DE import Provider as FakerPerson

from enrollment.models import InsuredPerson
from programs.models import (
    LEGAL_BASIS,
    Contract,
    DmpIndication,
    FundRegion,
    Gemeinde,
    Kreis,
    PostalCode,
    PostalCodeGemeinde,
    Program,
    ProgramType,
    StartRule,
)
from programs.search import search_columns
from programs.selectors import responsible_fund
from programs.services import ensure_aoks
from programs.validators import ik_with_check_digit, kv_region_code, kvnr_with_check_digit, lanr_with_check_digit
from providers.models import ContractParticipation, Provider, ProviderKind

Progress = Callable[[str], None]

# --- vocabulary --------------------------------------------------------------------------

# (Fachgruppe, Arztgruppenschlüssel = LANR digits 8–9; plausible, not an official list)
GP_GROUPS = [("Allgemeinmedizin", "01"), ("Innere Medizin (hausärztlich)", "03"), ("Kinder- und Jugendmedizin", "34")]
SPECIALIST_GROUPS = [
    ("Augenheilkunde", "05"), ("Orthopädie und Unfallchirurgie", "10"), ("Frauenheilkunde und Geburtshilfe", "15"),
    ("Hals-Nasen-Ohrenheilkunde", "19"), ("Haut- und Geschlechtskrankheiten", "21"),
    ("Endokrinologie und Diabetologie", "25"), ("Gastroenterologie", "26"), ("Kardiologie", "28"),
    ("Pneumologie", "30"), ("Rheumatologie", "31"), ("Neurologie", "53"), ("Psychiatrie und Psychotherapie", "58"),
    ("Urologie", "67"),
]  # fmt: skip
PSYCHO_GROUPS = [("Psychologische Psychotherapie", "68"), ("Kinder- und Jugendlichenpsychotherapie", "69")]

KIND_WEIGHTS = {
    ProviderKind.GP_PRACTICE: 34, ProviderKind.SPECIALIST: 30, ProviderKind.PSYCHOTHERAPIST: 9,
    ProviderKind.PHARMACY: 12, ProviderKind.MVZ: 4, ProviderKind.CARE_HOME: 6, ProviderKind.HOSPITAL: 2,
    ProviderKind.REHAB: 1, ProviderKind.MEDICAL_DEVICES: 1.5, ProviderKind.DIGITAL: 0.5,
}  # fmt: skip
# Program types a provider kind takes part in.
KIND_PROGRAM_TYPES = {
    ProviderKind.GP_PRACTICE: {ProgramType.HZV, ProgramType.DMP, ProgramType.REGIONAL},
    ProviderKind.SPECIALIST: {ProgramType.DMP, ProgramType.BESONDERE, ProgramType.MODELL, ProgramType.REGIONAL},
    ProviderKind.MVZ: set(ProgramType),
    ProviderKind.PSYCHOTHERAPIST: {ProgramType.BESONDERE, ProgramType.MODELL},
    ProviderKind.HOSPITAL: {ProgramType.BESONDERE, ProgramType.MODELL, ProgramType.DMP},
    ProviderKind.REHAB: {ProgramType.BESONDERE},
    ProviderKind.CARE_HOME: {ProgramType.BESONDERE, ProgramType.REGIONAL},
    ProviderKind.PHARMACY: {ProgramType.BESONDERE, ProgramType.REGIONAL},
    ProviderKind.MEDICAL_DEVICES: {ProgramType.BESONDERE},
    ProviderKind.DIGITAL: {ProgramType.MODELL, ProgramType.BESONDERE},
}
IK_PREFIX = {
    ProviderKind.HOSPITAL: "26", ProviderKind.REHAB: "51", ProviderKind.PHARMACY: "30",
    ProviderKind.CARE_HOME: "46", ProviderKind.MEDICAL_DEVICES: "33", ProviderKind.DIGITAL: "77",
}  # fmt: skip
STREETS = [
    "Hauptstraße", "Schulstraße", "Bahnhofstraße", "Gartenstraße", "Dorfstraße", "Bergstraße", "Lindenstraße",
    "Kirchstraße", "Waldstraße", "Ringstraße", "Am Markt", "Mühlenweg", "Friedhofstraße", "Wiesenweg",
    "Rosenstraße", "Goethestraße", "Schillerstraße", "Marktplatz", "Poststraße", "Am Sportplatz",
]  # fmt: skip
SAINTS = ["Marien", "Elisabeth", "Josef", "Vinzenz", "Franziskus", "Johannes", "Martin", "Antonius"]
APPS = ["Kaia", "Mika", "Selfapy", "Vivira", "HelloBetter", "zanadio", "Novego", "Somnio"]

# (condition, ICD-10, lay terms, DMP indication or "", age range)
CONDITIONS: list[tuple[str, str, str, str, tuple[int | None, int | None]]] = [
    ("Diabetes mellitus Typ 2", "E11", "Zucker, Blutzucker, Zuckerkrankheit", DmpIndication.DIABETES_2, (18, None)),
    ("Diabetes mellitus Typ 1", "E10", "Insulin, Zuckerkrankheit", DmpIndication.DIABETES_1, (None, None)),
    ("Koronare Herzkrankheit", "I25", "Herz, Angina pectoris, Herzinfarkt", DmpIndication.KHK, (18, None)),
    ("Herzinsuffizienz", "I50", "Herzschwäche, Wasser in den Beinen", DmpIndication.HERZINSUFFIZIENZ, (18, None)),
    ("Asthma bronchiale", "J45", "Atemnot, Luftnot, Allergie", DmpIndication.ASTHMA, (None, None)),
    ("COPD", "J44", "Raucherlunge, Husten, Atemnot", DmpIndication.COPD, (18, None)),
    ("Depression", "F32, F33", "Niedergeschlagenheit, Antriebslosigkeit, Burn-out", DmpIndication.DEPRESSION, (18, None)),
    ("Chronischer Rückenschmerz", "M54", "Kreuzschmerzen, Bandscheibe, Ischias", DmpIndication.RUECKENSCHMERZ, (18, None)),
    ("Rheumatoide Arthritis", "M05, M06", "Rheuma, Gelenkentzündung", DmpIndication.RHEUMA, (18, None)),
    ("Osteoporose", "M81", "Knochenschwund, Knochenbruch", DmpIndication.OSTEOPOROSE, (50, None)),
    ("Adipositas", "E66", "Übergewicht, Abnehmen", DmpIndication.ADIPOSITAS, (18, None)),
    ("Brustkrebs", "C50", "Mammakarzinom, Krebs, Tumor", DmpIndication.BRUSTKREBS, (18, None)),
    ("Bluthochdruck", "I10", "Hypertonie, Blutdruck", "", (18, None)),
    ("Schwangerschaft", "Z34", "Baby, Geburt, Vorsorge, Frühgeburt", "", (14, 50)),
    ("Demenz", "F00, F01, F03", "Alzheimer, Vergesslichkeit, Pflege", "", (60, None)),
    ("Schlaganfall", "I63", "Hirninfarkt, Lähmung, Reha", "", (18, None)),
    ("Tinnitus", "H93.1", "Ohrgeräusche, Pfeifen im Ohr", "", (None, None)),
    ("Migräne", "G43", "Kopfschmerzen, Kopfweh", "", (12, None)),
    ("Neurodermitis", "L20", "Ekzem, Juckreiz, Haut", "", (None, None)),
    ("ADHS", "F90", "Aufmerksamkeit, Hyperaktivität, Zappelphilipp", "", (6, 17)),
    ("Parkinson", "G20", "Zittern, Bewegungsstörung", "", (40, None)),
    ("Multiple Sklerose", "G35", "MS, Nervenentzündung", "", (18, None)),
    ("Chronische Nierenerkrankung", "N18", "Niere, Dialyse", "", (18, None)),
    ("Arthrose", "M17, M16", "Gelenkverschleiß, Knie, Hüfte", "", (40, None)),
    ("Alkoholabhängigkeit", "F10", "Sucht, Alkohol, Entzug", "", (18, None)),
    ("Long COVID", "U09.9", "Post-COVID, Erschöpfung, Fatigue", "", (18, None)),
    ("Glaukom", "H40", "Grüner Star, Augeninnendruck", "", (40, None)),
    ("Kindergesundheit", "Z00.1", "Vorsorge, U-Untersuchung, Impfung", "", (0, 17)),
]  # fmt: skip
PROGRAM_PATTERNS: dict[str, list[str]] = {
    ProgramType.HZV: ["Hausarztprogramm {adj}", "HausarztPlus {adj}", "Hausarztzentrierte Versorgung {adj}"],
    ProgramType.DMP: ["Curaplan {cond}", "Behandlungsprogramm {cond}", "Strukturiertes Programm {cond}"],
    ProgramType.BESONDERE: ["Facharztprogramm {cond}", "Versorgungsnetz {cond}", "Besondere Versorgung {cond}"],
    ProgramType.MODELL: ["Modellvorhaben {cond} {adj}", "Telemedizin {cond}", "Digitale Begleitung {cond}"],
    ProgramType.REGIONAL: ["Gesund in der Region: {cond}", "Regionale Versorgung {cond} {adj}"],
}
ADJECTIVES = ["Plus", "Kompakt", "Aktiv", "Vital", "Regional", "Land", "Stadt", "Familie", "2030", "Nord", "Süd"]


# --- places ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    code: str
    city: str
    land_id: str
    regbez: str | None
    gemeinde_id: str | None
    latitude: float
    longitude: float
    fund_id: int


def load_places() -> tuple[list[Place], list[float]]:
    """Places and cumulative weights for `random.choices`.

    With the PLZ-Gemeinde mapping: one place per (PLZ, Gemeinde), weight = population of the
    Gemeinde / number of its PLZ, coordinates of the PLZ's place in that Kreis nearest to the
    Gemeinde. Without it (e.g. demo data): every PostalCode row, equally weighted.
    """
    regions = list(FundRegion.objects.select_related("fund"))
    regbez_by_kreis = dict(Kreis.objects.values_list("key", "regierungsbezirk_id"))
    postal = defaultdict(list)
    for code, place, kreis, land, lat, lon in PostalCode.objects.values_list(
        "code", "place", "kreis_id", "land_id", "latitude", "longitude"
    ):
        postal[code].append((place, kreis, land, lat, lon))
    mapping = list(PostalCodeGemeinde.objects.values_list("code", "gemeinde_id"))
    places: list[Place] = []
    weights: list[float] = []

    def add(code: str, city: str, land: str, kreis: str | None, ags: str | None, lat: float, lon: float, w: float):
        regbez = regbez_by_kreis.get(kreis) if kreis else None
        fund = responsible_fund(land, regbez, regions)
        if fund is not None and w > 0:
            places.append(Place(code, city, land, regbez, ags, lat, lon, fund.pk))
            weights.append(w)

    if mapping:
        gemeinden = {
            g[0]: g[1:]
            for g in Gemeinde.objects.values_list(
                "ags", "kreis_id", "kreis__land_id", "population", "latitude", "longitude"
            )
        }
        plz_count: dict[str, int] = defaultdict(int)
        for _code, ags in mapping:
            plz_count[ags] += 1
        for code, ags in sorted(mapping):
            kreis, land, population, g_lat, g_lon = gemeinden[ags]
            rows = [r for r in postal.get(code, []) if r[1] == kreis] or postal.get(code, [])
            if rows and g_lat is not None:
                place, _k, _l, lat, lon = min(rows, key=lambda r: (r[3] - g_lat) ** 2 + (r[4] - g_lon) ** 2)
            elif rows:
                place, _k, _l, lat, lon = rows[0]
            else:
                continue
            add(code, place, land, kreis, ags, lat, lon, (population or 0) / plz_count[ags])
    else:
        for code in sorted(postal):
            for place, kreis, land, lat, lon in postal[code]:
                add(code, place, land, kreis, None, lat, lon, 1.0)
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return places, cumulative


# --- writing -----------------------------------------------------------------------------


class _Sink:
    """Writes batches of tuples: COPY on PostgreSQL, bulk_create elsewhere; hands out ids."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self._next_id: dict[type[models.Model], int] = {}

    def ids(self, model: type[models.Model], n: int) -> list[int]:
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [model._meta.db_table, n],
                )
                return [row[0] for row in cursor.fetchall()]
        if model not in self._next_id:
            self._next_id[model] = (model.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        start = self._next_id[model]
        self._next_id[model] = start + n
        return list(range(start, start + n))

    def write(self, model: type[models.Model], attnames: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.postgres:
            columns = {f.attname: f.column for f in model._meta.concrete_fields}
            sql = "COPY {} ({}) FROM STDIN".format(
                connection.ops.quote_name(model._meta.db_table),
                ", ".join(connection.ops.quote_name(columns[a]) for a in attnames),
            )
            with connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            model.objects.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in rows])


# --- generation --------------------------------------------------------------------------


@dataclass
class VolumeResult:
    programs: int = 0
    contracts: int = 0
    providers: int = 0
    participations: int = 0
    insured: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _chunks(total: int, size: int) -> Iterable[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def _report(progress: Progress | None, label: str, done: int, total: int) -> None:
    if progress:
        progress(
            _("%(label)s: %(done)d von %(total)d (%(pct)d %%)")
            % {"label": label, "done": done, "total": total, "pct": done * 100 // total}
        )


def _jitter(rng: random.Random, lat: float, lon: float, km: float = 1.5) -> tuple[float, float]:
    """A point around (lat, lon), normally distributed (σ = `km`), at most 3σ away."""
    north, east = rng.gauss(0, 1), rng.gauss(0, 1)
    scale = min(1.0, 3.0 / max(math.hypot(north, east), 1e-9)) * km
    d_lat = north * scale / 111.2
    d_lon = east * scale / (111.2 * math.cos(math.radians(lat)))
    return round(lat + d_lat, 6), round(lon + d_lon, 6)


def _street(rng: random.Random) -> str:
    if rng.random() < 0.6:
        name = rng.choice(STREETS)
    else:
        name = rng.choice(FakerPerson.last_names) + rng.choice(["straße", "weg", "allee", "ring"])
    return f"{name} {rng.randint(1, 120)}{rng.choice(['', '', '', '', 'a', 'b'])}"


def create_programs(n: int, rng: random.Random, *, fund_ids: list[int], today: dt.date) -> tuple[int, int]:
    """`n` synthetic programs with 1–4 contracts each (DMPs: a contract with every fund)."""
    if n <= 0:
        return 0, 0
    offset = Program.objects.count()
    programs = []
    for i in range(n):
        program_type = rng.choices(list(ProgramType), weights=[1, 6, 3, 2, 2])[0]
        cond, icd, lay, dmp, (min_age, max_age) = rng.choice(CONDITIONS)
        if program_type == ProgramType.DMP and not dmp:
            cond, icd, lay, dmp, (min_age, max_age) = rng.choice([c for c in CONDITIONS if c[3]])
        if program_type == ProgramType.HZV:
            cond, icd, lay, min_age, max_age = (
                "hausärztliche Versorgung",
                "",
                "Hausarzt, Hausärztin, Praxis",
                None,
                None,
            )
        title = rng.choice(PROGRAM_PATTERNS[program_type]).format(cond=cond, adj=rng.choice(ADJECTIVES))
        programs.append(
            Program(
                slug=f"{slugify(title)[:100]}-{offset + i + 1}",
                title=title,
                summary=_(
                    "Strukturierte Versorgung bei %(cond)s: abgestimmte Termine, Schulungen und feste Ansprechpartner."
                )
                % {"cond": cond},
                description=_("Regelmäßige Kontrollen, Beratung und Koordination der Behandlung (%(lay)s).")
                % {"lay": lay},
                program_type=program_type,
                legal_basis=LEGAL_BASIS[program_type],
                dmp_indication=dmp if program_type == ProgramType.DMP else "",
                conditions=cond,
                icd10_codes=icd,
                keywords=lay,
                min_age=min_age,
                max_age=max_age,
                online_enrollment=rng.random() < 0.8,
            )
        )
    for program in programs:  # bulk_create bypasses Program.save(), which fills these
        for column, value in search_columns(program).items():
            setattr(program, column, value)
    programs = Program.objects.bulk_create(programs)  # sets the pks on PostgreSQL and SQLite
    contracts = []
    for program in programs:
        funds = fund_ids if program.program_type == ProgramType.DMP else rng.sample(fund_ids, rng.randint(1, 4))
        dmp = program.program_type == ProgramType.DMP
        for fund_id in funds:
            valid_from = today - dt.timedelta(days=rng.randint(180, 3650))
            contracts.append(
                Contract(
                    program=program,
                    fund_id=fund_id,
                    partners=_("Kassenärztliche Vereinigung und Berufsverbände"),
                    valid_from=valid_from,
                    valid_until=None if rng.random() < 0.9 else today + dt.timedelta(days=rng.randint(30, 1000)),
                    revocation_days=None if dmp else 14,
                    binding_months=0 if dmp else rng.choice([12, 12, 24]),
                    renewal_months=0 if dmp else 12,
                    notice_months=0 if dmp else rng.choice([1, 1, 3]),
                    start_rule=StartRule.NEXT_DAY if dmp else rng.choice(list(StartRule)),
                    declaration_text=_("Ich erkläre meine Teilnahme am Programm „%(title)s“.")
                    % {"title": program.title},
                    consent_text=_("Ich willige in die Übermittlung meiner Behandlungsdaten ein."),
                    revocation_instruction="" if dmp else _("Sie können Ihre Teilnahme binnen zwei Wochen widerrufen."),
                )
            )
    Contract.objects.bulk_create(contracts, batch_size=2000)
    return len(programs), len(contracts)


def _contracts_by_fund(today: dt.date) -> dict[int, dict[str, list[tuple[int, dt.date]]]]:
    result: dict[int, dict[str, list[tuple[int, dt.date]]]] = defaultdict(lambda: defaultdict(list))
    rows = Contract.objects.filter(valid_from__lte=today).values_list(
        "id", "fund_id", "program__program_type", "valid_from"
    )
    for contract_id, fund_id, program_type, valid_from in rows.order_by("id"):
        result[fund_id][program_type].append((contract_id, valid_from))
    return result


PROVIDER_FIELDS = (
    "id", "kind", "name", "lanr", "bsnr", "ik", "fachgruppe", "specialties", "street", "postal_code", "city",
    "land_id", "latitude", "longitude", "phone", "website", "accepts_new_patients", "wheelchair_accessible",
    "step_free_access", "accessible_toilet", "hearing_loop", "sign_language", "disabled_parking",
    "created_at", "updated_at",
)  # fmt: skip
PARTICIPATION_FIELDS = ("provider_id", "contract_id", "valid_from", "valid_until")
INSURED_FIELDS = (
    "id", "kvnr", "first_name", "last_name", "birth_date", "street", "postal_code", "city", "land_id",
    "gemeinde_id", "fund_id", "user_id", "created_at",
)  # fmt: skip


def _provider_row(rng: random.Random, pid: int, kind: str, place: Place, now: dt.datetime) -> tuple[Any, ...]:
    last = rng.choice(FakerPerson.last_names)
    first = rng.choice(FakerPerson.first_names_female if rng.random() < 0.5 else FakerPerson.first_names_male)
    title = rng.choice(["Dr. med. ", "Dr. med. ", "", "Dipl.-Med. "])
    city = place.city
    lanr = bsnr = ik = fachgruppe = ""
    if kind in (ProviderKind.GP_PRACTICE, ProviderKind.SPECIALIST, ProviderKind.MVZ, ProviderKind.PSYCHOTHERAPIST):
        groups = {
            ProviderKind.GP_PRACTICE: GP_GROUPS,
            ProviderKind.PSYCHOTHERAPIST: PSYCHO_GROUPS,
        }.get(kind, SPECIALIST_GROUPS)
        fachgruppe, group_code = rng.choice(groups)
        six = f"{rng.randrange(1, 1_000_000):06d}"
        lanr = lanr_with_check_digit(six, group_code)
        bsnr = kv_region_code(place.land_id, place.regbez) + f"{rng.randrange(10_000_000):07d}"
        name = {
            ProviderKind.GP_PRACTICE: f"Hausarztpraxis {title}{first} {last}",
            ProviderKind.SPECIALIST: f"Praxis für {fachgruppe} {title}{last}",
            ProviderKind.MVZ: f"MVZ {city}" + rng.choice(["", " am Markt", " Mitte", f" {last}"]),
            ProviderKind.PSYCHOTHERAPIST: f"Psychotherapeutische Praxis {first} {last}",
        }[kind]
    else:
        eight = IK_PREFIX[kind] + f"{rng.randrange(1_000_000):06d}"
        ik = ik_with_check_digit(eight)
        name = {
            ProviderKind.HOSPITAL: rng.choice([f"Klinikum {city}", f"St.-{rng.choice(SAINTS)}-Krankenhaus {city}"]),
            ProviderKind.REHAB: f"Reha-Klinik {rng.choice(['am Park', 'Sonnenhang', 'am See', city])}",
            ProviderKind.CARE_HOME: f"Seniorenzentrum {rng.choice(['Haus ' + last, city, 'am Lindenhof'])}",
            ProviderKind.PHARMACY: f"{rng.choice(['Stadt', 'Rosen', 'Linden', 'Markt', 'Bahnhof', last])}-Apotheke {city}",
            ProviderKind.MEDICAL_DEVICES: f"Sanitätshaus {last}",
            ProviderKind.DIGITAL: f"{rng.choice(APPS)} – digitale Gesundheitsanwendung",
        }[kind]
    lat, lon = _jitter(rng, place.latitude, place.longitude)
    wheelchair = rng.random() < 0.35
    return (
        pid, kind, name[:200], lanr, bsnr, ik, fachgruppe, "", _street(rng), place.code, city, place.land_id,
        lat, lon, f"0{rng.randint(30, 9999)} {rng.randint(10000, 9999999)}", "",
        rng.random() < 0.75, wheelchair, wheelchair or rng.random() < 0.2, rng.random() < 0.25,
        rng.random() < 0.05, rng.random() < 0.02, rng.random() < 0.3, now, now,
    )  # fmt: skip


def create_providers(
    n: int, rng: random.Random, places: list[Place], cumulative: list[float], *, sink: _Sink, today: dt.date,
    batch_size: int, progress: Progress | None,
) -> tuple[int, int]:  # fmt: skip
    """`n` providers at population-weighted places, each in 0–3 contracts of its region's fund."""
    kinds, kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    contracts = _contracts_by_fund(today)
    now = timezone.now()
    done = participations = 0
    for size in _chunks(n, batch_size):
        ids = sink.ids(Provider, size)
        chosen_places = rng.choices(places, cum_weights=cumulative, k=size)
        chosen_kinds = rng.choices(kinds, weights=kind_weights, k=size)
        rows, links = [], []
        for pid, place, kind in zip(ids, chosen_places, chosen_kinds, strict=True):
            rows.append(_provider_row(rng, pid, kind, place, now))
            by_type = contracts.get(place.fund_id)
            if not by_type:
                continue
            picked: list[tuple[int, dt.date]] = []
            if kind == ProviderKind.GP_PRACTICE and by_type.get(ProgramType.HZV) and rng.random() < 0.7:
                picked.append(rng.choice(by_type[ProgramType.HZV]))
            pool = [c for t in KIND_PROGRAM_TYPES[kind] if t != ProgramType.HZV for c in by_type.get(t, [])]
            picked += rng.sample(pool, min(len(pool), rng.choice([0, 1, 1, 2, 3])))
            for contract_id, valid_from in picked:
                start = max(valid_from, today - dt.timedelta(days=rng.randint(0, 1800)))
                end = None if rng.random() < 0.9 else start + dt.timedelta(days=rng.randint(90, 1000))
                links.append((pid, contract_id, start, end))
        sink.write(Provider, PROVIDER_FIELDS, rows)
        sink.write(ContractParticipation, PARTICIPATION_FIELDS, links)
        done += size
        participations += len(links)
        _report(progress, _("Leistungserbringer"), done, n)
    return done, participations


KVNR_SPACE = 26 * 10**8
AGE_BANDS = [((0, 17), 16), ((18, 39), 26), ((40, 59), 27), ((60, 79), 23), ((80, 100), 8)]


def _kvnr_stream(rng: random.Random, start: int) -> Iterable[str]:
    """Distinct valid KVNRs: an affine permutation of the 26 × 10^8 letter/digit space."""
    a = rng.randrange(10**6, KVNR_SPACE) | 1
    while a % 5 == 0 or a % 13 == 0:
        a += 2
    b = rng.randrange(KVNR_SPACE)
    i = start
    while True:
        j = (a * i + b) % KVNR_SPACE
        letter, eight = chr(65 + j // 10**8), f"{j % 10**8:08d}"
        yield kvnr_with_check_digit(letter, eight)
        i += 1


def create_insured(
    n: int, rng: random.Random, places: list[Place], cumulative: list[float], *, sink: _Sink, today: dt.date,
    batch_size: int, progress: Progress | None,
) -> int:  # fmt: skip
    """`n` insured persons with unique valid KVNRs at population-weighted places, insured with the AOK there."""
    existing = InsuredPerson.objects.count()
    kvnrs = iter(_kvnr_stream(rng, existing))
    bands, band_weights = [b for b, _w in AGE_BANDS], [w for _b, w in AGE_BANDS]
    now = timezone.now()
    done = 0
    for size in _chunks(n, batch_size):
        batch_kvnrs = [next(kvnrs) for _i in range(size)]
        if existing:  # another seed may have drawn the same numbers before
            taken = set(InsuredPerson.objects.filter(kvnr__in=batch_kvnrs).values_list("kvnr", flat=True))
            while taken:
                batch_kvnrs = [k for k in batch_kvnrs if k not in taken]
                extra = [next(kvnrs) for _i in range(size - len(batch_kvnrs))]
                taken = set(InsuredPerson.objects.filter(kvnr__in=extra).values_list("kvnr", flat=True))
                batch_kvnrs += extra
        ids = sink.ids(InsuredPerson, size)
        rows = []
        for pid, kvnr, place, band in zip(
            ids, batch_kvnrs, rng.choices(places, cum_weights=cumulative, k=size),
            rng.choices(bands, weights=band_weights, k=size), strict=True,
        ):  # fmt: skip
            first = rng.choice(FakerPerson.first_names_female if rng.random() < 0.51 else FakerPerson.first_names_male)
            birth = today - dt.timedelta(days=rng.randint(band[0] * 365, band[1] * 365 + 364))
            rows.append(
                (pid, kvnr, first, rng.choice(FakerPerson.last_names), birth, _street(rng), place.code, place.city,
                 place.land_id, place.gemeinde_id, place.fund_id, None, now)
            )  # fmt: skip
        sink.write(InsuredPerson, INSURED_FIELDS, rows)
        done += size
        _report(progress, _("Versicherte"), done, n)
    return done


class NoPlaces(Exception):
    """No postal code (with a responsible fund) exists yet."""


def generate_volume(
    *,
    providers: int,
    insured: int,
    programs: int = 0,
    seed: int = 1,
    today: dt.date,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> VolumeResult:
    """Create the requested numbers of programs, providers (+ participations) and insured persons.

    Needs regions (import_regions, or the demo data); ensures the 11 AOKs. One transaction.
    """
    rng = random.Random(seed)
    result = VolumeResult()
    with transaction.atomic():
        clock = time.perf_counter()
        funds = ensure_aoks()
        places, cumulative = load_places()
        if not places:
            raise NoPlaces(_("Keine Postleitzahlen gefunden: bitte zuerst import_regions (oder seed_demo) ausführen."))
        result.seconds["Orte"] = time.perf_counter() - clock
        clock = time.perf_counter()
        result.programs, result.contracts = create_programs(
            programs, rng, fund_ids=sorted(f.pk for f in funds), today=today
        )
        result.seconds["Programme"] = time.perf_counter() - clock
        sink = _Sink()
        clock = time.perf_counter()
        if providers > 0:
            result.providers, result.participations = create_providers(
                providers, rng, places, cumulative, sink=sink, today=today, batch_size=batch_size, progress=progress
            )
        result.seconds["Leistungserbringer"] = time.perf_counter() - clock
        clock = time.perf_counter()
        if insured > 0:
            result.insured = create_insured(
                insured, rng, places, cumulative, sink=sink, today=today, batch_size=batch_size, progress=progress
            )
        result.seconds["Versicherte"] = time.perf_counter() - clock
        clock = time.perf_counter()
    result.seconds["Commit"] = time.perf_counter() - clock
    if sink.postgres:
        with connection.cursor() as cursor:
            for model in (Provider, ContractParticipation, InsuredPerson):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
    return result
