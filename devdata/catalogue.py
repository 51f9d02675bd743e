"""The demo data set behind `manage.py seed_demo` (run by `make run`).

Invariants:
- Idempotent: every row is matched by its natural key (Regierungsbezirk/Kreis/Gemeinde key,
  (PLZ, place, Kreis), program slug, (program, fund, version), provider (name, PLZ),
  (provider, contract, valid_from), username, KVNR) and written only when it is new or
  differs from the data files, so a second run writes nothing and creates no duplicates.
- All or nothing: `seed_demo` runs in one transaction, the demo participations, activation codes
  and report data (`devdata.enrollment`, `devdata.reports`) included.
- Reference regions are only added, never renamed or moved: rows that `import_regions`
  loaded stay as they are, and a postal code the database already knows from another
  source is left alone (the full import is richer than the demo file).
- Deterministic: providers, identifiers and participations come from seeded RNGs, so every
  machine gets the same demo.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from devdata import enrollment as enrollment_demo
from devdata import reports as reports_demo
from devdata.data import accounts as account_data
from devdata.data import programs as program_data
from devdata.data import providers as provider_data
from enrollment.models import InsuredPerson, LegalRepresentation
from programs.aok import LAND_CODE_BY_AGS
from programs.models import (
    LEGAL_BASIS,
    Contract,
    DmpIndication,
    Fund,
    FundRegion,
    Gemeinde,
    Kreis,
    PostalCode,
    PostalCodeGemeinde,
    Program,
    ProgramType,
    Regierungsbezirk,
    StaffMembership,
)
from programs.selectors import responsible_fund
from programs.services import ensure_aoks
from programs.validators import ik_with_check_digit, kv_region_code, lanr_with_check_digit
from providers.models import ContractParticipation, Provider

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_FILE = DATA_DIR / "regions.json"
PROVIDER_SEED = 20260101
PARTICIPATION_SEED = 20260102

#: IK class (digits 1-2) for institutions without a LANR.
IK_CLASS = {"hospital": "26", "rehab": "26", "care_home": "46", "mvz": "26", "devices": "33", "specialist": "26"}


# --- generic upserts -------------------------------------------------------------------------


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        text = _("%(created)d neu, %(updated)d geändert, %(unchanged)d unverändert") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        return text + (_(", %(deleted)d entfernt") % {"deleted": self.deleted} if self.deleted else "")


@dataclass
class SeedResult:
    tallies: dict[str, Tally] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    seconds: float = 0.0


def sync_rows(
    model: type[models.Model], keys: tuple[str, ...], rows: Iterable[dict[str, Any]], existing: Iterable[models.Model]
) -> tuple[dict[tuple, models.Model], Tally]:
    """Upsert `rows` (attname → value) by the natural key `keys`; write only differences.

    `existing` are the candidate rows already in the database (one query by the caller).
    Returns every row's object by key (with pk) and what was done.
    """
    by_key = {tuple(getattr(obj, k) for k in keys): obj for obj in existing}
    tally = Tally()
    result: dict[tuple, models.Model] = {}
    new: list[models.Model] = []
    changed: list[models.Model] = []
    changed_fields: set[str] = set()
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key in result:
            raise ValueError(f"{model.__name__}: duplicate natural key {key} in the demo data")
        obj = by_key.get(key)
        if obj is None:
            obj = model(**row)
            new.append(obj)
            tally.created += 1
        else:
            diff = [name for name, value in row.items() if getattr(obj, name) != value]
            if diff:
                for name in diff:
                    setattr(obj, name, row[name])
                changed.append(obj)
                changed_fields.update(diff)
                tally.updated += 1
            else:
                tally.unchanged += 1
        result[key] = obj
    if new:
        model.objects.bulk_create(new, batch_size=500)
    if changed:
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            now = timezone.now()
            for obj in changed:
                obj.updated_at = now
            changed_fields.add("updated_at")
        model.objects.bulk_update(changed, sorted(changed_fields), batch_size=500)
    return result, tally


def sync_m2m(model: type[models.Model], field_name: str, desired: dict[Any, set[Any]], tally: Tally) -> None:
    """Make the M2M `field_name` of the sources in `desired` exactly the given targets."""
    m2m = model._meta.get_field(field_name)
    through = m2m.remote_field.through
    src, tgt = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
    existing = set(through.objects.filter(**{f"{src}__in": list(desired)}).values_list(src, tgt))
    wanted = {(s, t) for s, targets in desired.items() for t in targets}
    add, remove = wanted - existing, existing - wanted
    if add:
        through.objects.bulk_create([through(**{src: s, tgt: t}) for s, t in sorted(add)])
    if remove:
        condition = Q()
        for s, t in remove:
            condition |= Q(**{src: s, tgt: t})
        through.objects.filter(condition).delete()
    tally.created += len(add)
    tally.deleted += len(remove)
    tally.unchanged += len(wanted & existing)


# --- regions ---------------------------------------------------------------------------------


def load_regions() -> dict[str, list[dict]]:
    with REGIONS_FILE.open(encoding="utf-8") as f:
        return json.load(f)


def seed_regions(data: dict[str, list[dict]], result: SeedResult) -> None:
    """Add the demo Regierungsbezirke, Kreise, Gemeinden and postal codes that are missing."""
    regbez_tally, kreis_tally, gemeinde_tally, plz_tally, link_tally = (Tally() for _n in range(5))

    known = set(Regierungsbezirk.objects.values_list("key", flat=True))
    missing = [r for r in data["regierungsbezirke"] if r["key"] not in known]
    Regierungsbezirk.objects.bulk_create(
        [Regierungsbezirk(key=r["key"], name=r["name"], land_id=LAND_CODE_BY_AGS[r["key"][:2]]) for r in missing]
    )
    regbez_tally.created, regbez_tally.unchanged = len(missing), len(data["regierungsbezirke"]) - len(missing)
    known |= {r["key"] for r in missing}

    existing_kreise = set(Kreis.objects.values_list("key", flat=True))
    new_kreise = [
        Kreis(
            key=k["key"],
            name=k["name"],
            land_id=LAND_CODE_BY_AGS[k["key"][:2]],
            regierungsbezirk_id=k["regierungsbezirk"] if k["regierungsbezirk"] in known else None,
        )
        for k in data["kreise"]
        if k["key"] not in existing_kreise
    ]
    Kreis.objects.bulk_create(new_kreise)
    kreis_tally.created, kreis_tally.unchanged = len(new_kreise), len(data["kreise"]) - len(new_kreise)

    existing_gemeinden = set(
        Gemeinde.objects.filter(ags__in=[g["ags"] for g in data["gemeinden"]]).values_list("ags", flat=True)
    )
    new_gemeinden = [
        Gemeinde(
            ags=g["ags"],
            name=g["name"],
            kreis_id=g["ags"][:5],
            population=g["population"],
            latitude=g["lat"],
            longitude=g["lon"],
        )
        for g in data["gemeinden"]
        if g["ags"] not in existing_gemeinden
    ]
    Gemeinde.objects.bulk_create(new_gemeinden)
    gemeinde_tally.created, gemeinde_tally.unchanged = len(new_gemeinden), len(data["gemeinden"]) - len(new_gemeinden)

    # A PLZ is ours when the database has no row for it yet, or only rows from this file.
    ours_by_code: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for p in data["postal_codes"]:
        ours_by_code[p["code"]].add((p["place"], p["kreis"]))
    in_db: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for code, place, kreis_id in PostalCode.objects.filter(code__in=list(ours_by_code)).values_list(
        "code", "place", "kreis_id"
    ):
        in_db[code].add((place, kreis_id))
    new_plz = []
    for p in data["postal_codes"]:
        rows = in_db.get(p["code"], set())
        if (p["place"], p["kreis"]) in rows or not rows <= ours_by_code[p["code"]]:
            plz_tally.unchanged += 1  # already there, or the code belongs to the full import
            continue
        new_plz.append(
            PostalCode(
                code=p["code"],
                place=p["place"],
                land_id=LAND_CODE_BY_AGS[p["kreis"][:2]],
                kreis_id=p["kreis"],
                latitude=p["lat"],
                longitude=p["lon"],
            )
        )
    PostalCode.objects.bulk_create(new_plz)
    plz_tally.created = len(new_plz)

    links = {(p["code"], ags) for p in data["postal_codes"] for ags in p["gemeinden"]}
    existing_links = set(
        PostalCodeGemeinde.objects.filter(code__in=list(ours_by_code)).values_list("code", "gemeinde_id")
    )
    new_links = sorted(links - existing_links)
    PostalCodeGemeinde.objects.bulk_create([PostalCodeGemeinde(code=c, gemeinde_id=a) for c, a in new_links])
    link_tally.created, link_tally.unchanged = len(new_links), len(links) - len(new_links)

    result.tallies.update(
        {
            "Regierungsbezirke": regbez_tally,
            "Kreise": kreis_tally,
            "Gemeinden": gemeinde_tally,
            "Postleitzahlen": plz_tally,
            "PLZ-Gemeinde-Zuordnungen": link_tally,
        }
    )


# --- programs and contracts ------------------------------------------------------------------


def _months(n: int) -> str:
    return "einen Monat" if n == 1 else f"{n} Monate"


def _notice(months: int, days: int) -> str:
    parts = ([_months(months)] if months else []) + ([f"{days} Tage"] if days else [])
    return " und ".join(parts)


def _tidy(text: str) -> str:
    """Drop the blanks an empty sentence leaves behind."""
    return re.sub(r" +\n", "\n", re.sub(r" {2,}", " ", text)).strip()


def render_texts(*, program_type: str, title: str, fund_name: str, terms: dict[str, Any]) -> dict[str, str]:
    """Declaration, consent and revocation instruction of one contract, from its own terms."""
    kind = {"hzv": "hzv", "dmp": "dmp", "modell": "modell"}.get(program_type, "bv")
    texts = program_data.TEXTS[kind]
    binding, renewal = terms["binding_months"], terms["renewal_months"]
    if binding:
        bound_to = "an die gewählte Praxis" if kind == "hzv" else "an die teilnehmenden Leistungserbringer"
        binding_sentence = (
            f"An diese Erklärung und {bound_to} bin ich für {_months(binding)} ab Beginn meiner Teilnahme gebunden."
        )
    else:
        binding_sentence = "Eine Mindestdauer gilt nicht; ich kann die Teilnahme jederzeit für die Zukunft beenden."
    if binding and renewal:
        notice = _notice(terms["notice_months"], terms["notice_days"])
        counts = (
            f"der Eingang der Kündigung bei der {fund_name}"
            if terms["notice_counts"] == "receipt"
            else "das Datum, an dem ich die Kündigung absende"
        )
        by_when = f"spätestens {notice} vor ihrem Ende" if notice else "vor ihrem Ende"
        renewal_sentence = (
            f"Danach verlängert sich die Teilnahme jeweils um {_months(renewal)}, wenn ich nicht {by_when} kündige; "
            f"für die Frist zählt {counts}."
        )
    elif binding:
        renewal_sentence = "Danach endet die Teilnahme, ohne dass ich kündigen muss."
    else:
        renewal_sentence = ""
    revocation_days = terms["revocation_days"]
    revocation_sentence = (
        "Ich kann sie innerhalb der Frist widerrufen, die in der Widerrufsbelehrung genannt ist."
        if revocation_days
        else ""
    )
    values = {
        "fund": fund_name,
        "title": title,
        "binding_sentence": binding_sentence,
        "renewal_sentence": renewal_sentence,
        "revocation_sentence": revocation_sentence,
    }
    if revocation_days:
        period = "zwei Wochen" if revocation_days == 14 else f"{revocation_days} Tagen"
        revocation = program_data.REVOCATION_INSTRUCTION.format(revocation=period, fund=fund_name)
    else:
        revocation = program_data.REVOCATION_ANYTIME.format(fund=fund_name)
    return {
        "declaration_text": _tidy(texts["declaration"].format(**values)),
        "consent_text": texts["consent"].format(**values),
        "revocation_instruction": revocation,
    }


@dataclass
class ProgramSpec:
    fields: dict[str, Any]
    region: dict[str, Any]
    prerequisites: list[str]
    excludes: list[str]
    contracts: list[dict[str, Any]]


def program_specs(funds: dict[str, Fund]) -> list[ProgramSpec]:
    """Every demo program with its contracts: the HzV of each AOK, the DMPs, the rest."""
    specs: list[ProgramSpec] = []
    hzv_slugs = [f"hausarztprogramm-{h['fund']}" for h in program_data.HZV_FUNDS]
    for hzv in program_data.HZV_FUNDS:
        fund = funds[hzv["fund"]]
        slug = f"hausarztprogramm-{hzv['fund']}"
        overrides = {k: v for k, v in hzv.items() if k not in {"fund", "valid_from", "partners"}}
        specs.append(
            ProgramSpec(
                fields={
                    "slug": slug,
                    "program_type": ProgramType.HZV,
                    "title": program_data.HZV_TITLE.format(fund=fund.name),
                    "title_en": program_data.HZV_TITLE_EN.format(fund=fund.name),
                    "summary": program_data.HZV_SUMMARY,
                    "summary_en": program_data.HZV_SUMMARY_EN,
                    "description": program_data.HZV_DESCRIPTION,
                    "keywords": program_data.HZV_KEYWORDS,
                    "conditions": "Versichert bei der " + fund.name,
                },
                region={"note": f"Zuständigkeitsgebiet der {fund.name}"},
                prerequisites=[],
                excludes=[s for s in hzv_slugs if s != slug],
                contracts=[
                    {
                        "fund": hzv["fund"],
                        "valid_from": hzv["valid_from"],
                        "partners": hzv["partners"],
                        "terms": "hzv",
                        **overrides,
                    }
                ],
            )
        )
    for dmp in program_data.DMP_INDICATIONS:
        indication = DmpIndication(dmp["code"]).label
        specs.append(
            ProgramSpec(
                fields={
                    "slug": dmp["slug"],
                    "program_type": ProgramType.DMP,
                    "dmp_indication": dmp["code"],
                    "title": dmp["title"],
                    "title_en": dmp["title_en"],
                    "summary": dmp["summary"],
                    "summary_en": dmp["summary_en"],
                    "description": program_data.DMP_DESCRIPTION.format(indication=f"der Diagnose „{indication}“"),
                    "description_en": program_data.DMP_DESCRIPTION_EN.format(
                        indication=dmp["title_en"].removeprefix("AOK-Curaplan ")
                    ),
                    "conditions": dmp["conditions"],
                    "icd10_codes": dmp["icd10_codes"],
                    "keywords": dmp["keywords"],
                    "min_age": dmp.get("min_age"),
                },
                region={},
                prerequisites=[],
                excludes=[],
                contracts=[
                    {
                        "fund": slug,
                        "valid_from": dmp["valid_from"],
                        "terms": "dmp",
                        "partners": "Kassenärztliche Vereinigung und teilnehmende Vertragsärztinnen und -ärzte",
                    }
                    for slug in program_data.AOK_SLUGS
                ],
            )
        )
    for p in program_data.PROGRAMS:
        fields = {
            k: p[k]
            for k in (
                "slug",
                "program_type",
                "title",
                "title_en",
                "summary",
                "summary_en",
                "description",
                "conditions",
                "icd10_codes",
                "keywords",
                "min_age",
                "max_age",
                "online_enrollment",
            )
        }
        specs.append(
            ProgramSpec(
                fields=fields,
                region=p.get("region", {}),
                prerequisites=p.get("prerequisites", []),
                excludes=p.get("excludes", []),
                contracts=p["contracts"],
            )
        )
    return specs


_PROGRAM_DEFAULTS = {
    "title_en": "", "summary_en": "", "description": "", "description_en": "", "dmp_indication": "",
    "conditions": "", "icd10_codes": "", "keywords": "", "min_age": None, "max_age": None,
    "online_enrollment": True, "is_published": True,
}  # fmt: skip


def seed_programs(funds: dict[str, Fund], result: SeedResult) -> dict[str, Program]:
    specs = program_specs(funds)
    rows = []
    for spec in specs:
        row = {**_PROGRAM_DEFAULTS, **spec.fields, "region_note": spec.region.get("note", "")}
        row["legal_basis"] = LEGAL_BASIS[ProgramType(row["program_type"])]
        rows.append(row)
    by_key, tally = sync_rows(Program, ("slug",), rows, Program.objects.filter(slug__in=[r["slug"] for r in rows]))
    programs = {slug: program for (slug,), program in by_key.items()}
    result.tallies["Programme"] = tally

    m2m = Tally()
    for field_name, values in (
        ("region_lands", lambda s: s.region.get("lands", [])),
        ("region_kreise", lambda s: s.region.get("kreise", [])),
        ("region_gemeinden", lambda s: s.region.get("gemeinden", [])),
        ("prerequisites", lambda s: [programs[x].pk for x in s.prerequisites]),
        ("excludes", lambda s: [programs[x].pk for x in s.excludes]),
    ):
        sync_m2m(Program, field_name, {programs[s.fields["slug"]].pk: set(values(s)) for s in specs}, m2m)
    result.tallies["Programm-Regionen und -Bedingungen"] = m2m

    contract_rows = []
    for spec in specs:
        program = programs[spec.fields["slug"]]
        for c in spec.contracts:
            fund = funds[c["fund"]]
            terms = {**program_data.TERMS[c["terms"]]}
            terms.update({k: v for k, v in c.items() if k in terms})
            contract_rows.append(
                {
                    "program_id": program.pk,
                    "fund_id": fund.pk,
                    "version": program_data.VERSION,
                    "partners": c.get("partners", ""),
                    "valid_from": c["valid_from"],
                    "valid_until": c.get("valid_until"),
                    **terms,
                    **render_texts(
                        program_type=program.program_type, title=program.title, fund_name=fund.name, terms=terms
                    ),
                }
            )
    contracts, tally = sync_rows(
        Contract,
        ("program_id", "fund_id", "version"),
        contract_rows,
        Contract.objects.filter(program__in=list(programs.values()), version=program_data.VERSION),
    )
    result.tallies["Verträge"] = tally
    return programs


# --- providers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    code: str
    place: str
    kreis: str
    land: str
    regbez: str | None
    lat: float
    lon: float


def _places_by_gemeinde(data: dict[str, list[dict]]) -> dict[str, list[Place]]:
    regbez_of = {k["key"]: k["regierungsbezirk"] for k in data["kreise"]}
    places: dict[str, list[Place]] = defaultdict(list)
    for p in data["postal_codes"]:
        for ags in p["gemeinden"]:
            places[ags].append(
                Place(
                    p["code"],
                    p["place"],
                    p["kreis"],
                    LAND_CODE_BY_AGS[p["kreis"][:2]],
                    regbez_of.get(p["kreis"]),
                    p["lat"],
                    p["lon"],
                )
            )
    return places


def _accessibility(rng: random.Random, institution: bool) -> dict[str, bool]:
    wheelchair = institution or rng.random() < 0.45
    return {
        "wheelchair_accessible": wheelchair,
        "step_free_access": wheelchair or rng.random() < 0.3,
        "accessible_toilet": wheelchair and (institution or rng.random() < 0.7),
        "hearing_loop": rng.random() < (0.3 if institution else 0.08),
        "sign_language": rng.random() < 0.04,
        "disabled_parking": institution or rng.random() < 0.4,
    }


def _bsnr(rng: random.Random, place: Place, used: set[str]) -> str:
    prefix = kv_region_code(place.land, place.regbez)
    while (bsnr := f"{prefix}{rng.randrange(10**7):07d}") in used:
        pass
    used.add(bsnr)
    return bsnr


@dataclass
class ProviderSpec:
    row: dict[str, Any]
    place: Place
    gemeinde: str
    specialty: str | None  # key of SPECIALTIES for practices
    contracts: list[str] = field(default_factory=list)  # program slugs (institutions)


def provider_specs(data: dict[str, list[dict]]) -> list[ProviderSpec]:
    """All demo providers, generated from `demo_data.providers` with a fixed seed."""
    rng = random.Random(PROVIDER_SEED)
    places = _places_by_gemeinde(data)
    specs: list[ProviderSpec] = []
    used_names: set[tuple[str, str]] = set()
    used_lanr: set[str] = set()
    used_bsnr: set[str] = set()
    used_ik: set[str] = set()

    def position(place: Place) -> tuple[float, float]:
        return round(place.lat + rng.uniform(-0.008, 0.008), 5), round(place.lon + rng.uniform(-0.012, 0.012), 5)

    for ags, plan in provider_data.PRACTICES:
        for specialty, count in plan.items():
            kind, fachgruppe, arztgruppe, pattern, _dmps = provider_data.SPECIALTIES[specialty]
            for _n in range(count):
                place = rng.choice(places[ags])
                while True:
                    first, last = rng.choice(provider_data.FIRST_NAMES), rng.choice(provider_data.LAST_NAMES)
                    title = "" if kind == "psychotherapist" else "Dr. med. "
                    name = pattern.format(doctor=f"{title}{first} {last}", person=f"{first} {last}")
                    if (name, place.code) not in used_names:
                        break
                used_names.add((name, place.code))
                while (six := f"{rng.randrange(100000, 1000000)}") in used_lanr:
                    pass
                used_lanr.add(six)
                lat, lon = position(place)
                specs.append(
                    ProviderSpec(
                        row={
                            "kind": kind,
                            "name": name,
                            "lanr": lanr_with_check_digit(six, arztgruppe),
                            "bsnr": _bsnr(rng, place, used_bsnr),
                            "ik": "",
                            "fachgruppe": fachgruppe,
                            "specialties": provider_data.SPECIALTY_NOTES.get(specialty, ""),
                            "street": f"{rng.choice(provider_data.STREETS)} {rng.randint(1, 60)}",
                            "postal_code": place.code,
                            "city": place.place,
                            "land_id": place.land,
                            "latitude": lat,
                            "longitude": lon,
                            "phone": "",
                            "website": "",
                            "accepts_new_patients": rng.random() < 0.82,
                            **_accessibility(rng, institution=False),
                        },
                        place=place,
                        gemeinde=ags,
                        specialty=specialty,
                    )
                )
    for inst in provider_data.INSTITUTIONS:
        candidates = places[inst["gemeinde"]]
        place = next((p for p in candidates if p.code == inst.get("postal_code")), candidates[0])
        kind = inst["kind"]
        while (
            ik := ik_with_check_digit(f"{IK_CLASS[kind]}{inst['gemeinde'][:2]}{rng.randrange(10**4):04d}")
        ) in used_ik:
            pass
        used_ik.add(ik)
        lat, lon = position(place)
        real = inst.get("real", False)
        specs.append(
            ProviderSpec(
                row={
                    "kind": kind,
                    "name": inst["name"],
                    "lanr": "",
                    "bsnr": _bsnr(rng, place, used_bsnr) if kind in {"mvz", "specialist"} else "",
                    "ik": ik,
                    "fachgruppe": inst.get("fachgruppe", "Stationäre Pflege" if kind == "care_home" else ""),
                    "specialties": "",
                    "street": "" if real else f"{rng.choice(provider_data.STREETS)} {rng.randint(1, 60)}",
                    "postal_code": place.code,
                    "city": place.place,
                    "land_id": place.land,
                    "latitude": lat,
                    "longitude": lon,
                    "phone": "",
                    "website": "",
                    "accepts_new_patients": kind != "care_home" or rng.random() < 0.6,
                    **_accessibility(rng, institution=True),
                },
                place=place,
                gemeinde=inst["gemeinde"],
                specialty=None,
                contracts=inst["contracts"],
            )
        )
    return specs


def _in_program_region(program_region: dict[str, Any], spec: ProviderSpec) -> bool:
    gemeinden, kreise, lands = (program_region.get(k, []) for k in ("gemeinden", "kreise", "lands"))
    if not (gemeinden or kreise or lands):
        return True
    return spec.gemeinde in gemeinden or spec.place.kreis in kreise or spec.place.land in lands


def participation_rows(
    specs: list[ProviderSpec], providers: list[Provider], contracts: dict[tuple[str, str], Contract]
) -> list[dict[str, Any]]:
    """Which provider takes part in which contract: GPs in their AOK's HzV and DMPs,
    specialists in their DMPs, practices in the regional contracts of their region,
    institutions in the contracts named for them."""
    rng = random.Random(PARTICIPATION_SEED)
    regions = list(FundRegion.objects.select_related("fund"))
    program_regions = {p["slug"]: p.get("region", {}) for p in program_data.PROGRAMS}
    contracts_by_slug: dict[str, list[Contract]] = defaultdict(list)
    for (slug, _fund), contract in contracts.items():
        contracts_by_slug[slug].append(contract)
    dmp_slug = {d["code"]: d["slug"] for d in program_data.DMP_INDICATIONS}
    rows: list[dict[str, Any]] = []

    def since(contract: Contract) -> dt.date:
        start = dt.date(rng.randint(2012, 2025), rng.choice((1, 4, 7, 10)), 1)
        return max(start, contract.valid_from)

    def join(provider: Provider, contract: Contract, start: dt.date, until: dt.date | None = None) -> None:
        rows.append({"provider_id": provider.pk, "contract_id": contract.pk, "valid_from": start, "valid_until": until})

    for spec, provider in zip(specs, providers, strict=True):
        fund = responsible_fund(spec.place.land, spec.place.regbez, regions)
        if spec.specialty is None:
            for slug in spec.contracts:
                for contract in contracts_by_slug[slug]:
                    join(provider, contract, contract.valid_from)
            continue
        kind, _fg, _ag, _pattern, dmps = provider_data.SPECIALTIES[spec.specialty]
        in_hzv = False
        if kind == "gp" and fund is not None and rng.random() < 0.88:
            contract = contracts[(f"hausarztprogramm-{fund.slug}", fund.slug)]
            start = since(contract)
            # a few practices left the programme at the end of 2025
            until = dt.date(2025, 12, 31) if start < dt.date(2025, 1, 1) and rng.random() < 0.04 else None
            join(provider, contract, start, until)
            in_hzv = until is None
        for code in dmps:
            if fund is not None and rng.random() < 0.75:
                contract = contracts[(dmp_slug[code], fund.slug)]
                join(provider, contract, since(contract))
        for slug, specialties in provider_data.REGIONAL_CONTRACTS.items():
            if spec.specialty not in specialties:
                continue
            area = provider_data.REGIONAL_AREAS.get(slug)
            if area is not None and spec.place.kreis not in area:
                continue
            if not _in_program_region(program_regions[slug], spec):
                continue
            for contract in contracts_by_slug[slug]:
                if fund is None or contract.fund_id != fund.pk:
                    continue
                if slug in provider_data.REQUIRES_HZV and not in_hzv:
                    continue
                if rng.random() < 0.8:
                    join(provider, contract, since(contract))
    return rows


def seed_providers(data: dict[str, list[dict]], programs: dict[str, Program], result: SeedResult) -> None:
    specs = provider_specs(data)
    rows = [s.row for s in specs]
    by_key, tally = sync_rows(
        Provider, ("name", "postal_code"), rows, Provider.objects.filter(name__in=[r["name"] for r in rows])
    )
    result.tallies["Leistungserbringer"] = tally
    providers = [by_key[(r["name"], r["postal_code"])] for r in rows]

    contracts = {
        (c.program.slug, c.fund.slug): c
        for c in Contract.objects.filter(
            program__in=list(programs.values()), version=program_data.VERSION
        ).select_related("program", "fund")
    }
    wanted = participation_rows(specs, providers, contracts)
    provider_ids = [p.pk for p in providers]
    existing = list(
        ContractParticipation.objects.filter(provider_id__in=provider_ids, contract__in=list(contracts.values()))
    )
    by_key, tally = sync_rows(ContractParticipation, ("provider_id", "contract_id", "valid_from"), wanted, existing)
    stale = [p.pk for p in existing if (p.provider_id, p.contract_id, p.valid_from) not in by_key]
    if stale:  # left over from an earlier version of the demo data
        tally.deleted = ContractParticipation.objects.filter(pk__in=stale).delete()[0]
    result.tallies["Vertragsteilnahmen"] = tally


# --- accounts --------------------------------------------------------------------------------


class _DemoPassword:
    """Hashes the demo password once per run and checks each distinct stored hash once.

    Argon2 costs about a quarter of a second per hash; six accounts would make every
    `make run` noticeably slower. The demo accounts share one hash (the password is public).
    """

    def __init__(self) -> None:
        self._verdicts: dict[str, bool] = {}
        self._hash: str | None = None

    def matches(self, encoded: str) -> bool:
        if encoded not in self._verdicts:
            self._verdicts[encoded] = check_password(account_data.DEMO_PASSWORD, encoded)
        return self._verdicts[encoded]

    def encoded(self) -> str:
        if self._hash is None:
            self._hash = make_password(account_data.DEMO_PASSWORD)
            self._verdicts[self._hash] = True
        return self._hash


def _ensure_user(
    username: str,
    *,
    first_name: str,
    last_name: str,
    is_staff: bool,
    is_superuser: bool,
    password: _DemoPassword,
    tally: Tally,
):
    """The demo user with the documented password (reset only when it no longer matches)."""
    user_model = get_user_model()
    wanted = {
        "first_name": first_name,
        "last_name": last_name,
        "email": f"{username}@demo.versorgungslotse.example",
        "is_staff": is_staff,
        "is_superuser": is_superuser,
        "is_active": True,
    }
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, password=password.encoded(), **wanted)
        user.save()
        tally.created += 1
        return user
    diff = [k for k, v in wanted.items() if getattr(user, k) != v]
    if not password.matches(user.password):
        user.password = password.encoded()
        diff.append("password")
    for k in diff:
        if k != "password":
            setattr(user, k, wanted[k])
    if diff:
        user.save(update_fields=diff)
        tally.updated += 1
    else:
        tally.unchanged += 1
    return user


def seed_accounts(funds: dict[str, Fund], result: SeedResult) -> None:
    users, people, links, memberships = Tally(), Tally(), Tally(), Tally()
    password = _DemoPassword()

    from backoffice.roles import ensure_roles  # the roles are the back office's (docs/roles.md)

    roles = ensure_roles()
    groups = roles.groups
    result.tallies["Gruppen"] = Tally(
        created=len(roles.created), updated=len(roles.updated), unchanged=len(roles.unchanged)
    )

    admin = account_data.ADMIN
    _ensure_user(
        admin["username"],
        first_name=admin["first_name"],
        last_name=admin["last_name"],
        is_staff=True,
        is_superuser=True,
        password=password,
        tally=users,
    )
    for s in account_data.STAFF:
        user = _ensure_user(
            s["username"],
            first_name=s["first_name"],
            last_name=s["last_name"],
            is_staff=True,
            is_superuser=False,
            password=password,
            tally=users,
        )
        wanted_groups = {groups[name] for name in s["roles"]}
        if set(user.groups.all()) != wanted_groups:
            user.groups.set(wanted_groups)
        if s["fund"] is None:  # the operator belongs to no fund
            continue
        _, membership_tally = sync_rows(
            StaffMembership,
            ("user_id",),
            [{"user_id": user.pk, "fund_id": funds[s["fund"]].pk, "role": s["role"]}],
            StaffMembership.objects.filter(user=user),
        )
        for attr in ("created", "updated", "unchanged"):
            setattr(memberships, attr, getattr(memberships, attr) + getattr(membership_tally, attr))

    person_rows, users_by_kvnr, representative_of = [], {}, {}
    kvnr_of_username = {}
    for p in filter(account_data.kept_by_seed_accounts, account_data.INSURED):
        kvnr = account_data.kvnr(p)
        user = None
        if p["username"]:
            user = _ensure_user(
                p["username"],
                first_name=p["first_name"],
                last_name=p["last_name"],
                is_staff=False,
                is_superuser=False,
                password=password,
                tally=users,
            )
            kvnr_of_username[p["username"]] = kvnr
        users_by_kvnr[kvnr] = user
        if p.get("represented_by"):
            representative_of[kvnr] = p["represented_by"]
        person_rows.append(
            {
                "kvnr": kvnr,
                "first_name": p["first_name"],
                "last_name": p["last_name"],
                "birth_date": p["birth_date"],
                "street": p["street"],
                "postal_code": p["postal_code"],
                "city": p["city"],
                "land_id": LAND_CODE_BY_AGS[p["gemeinde"][:2]],
                "gemeinde_id": p["gemeinde"],
                "fund_id": funds[p["fund"]].pk,
                "user_id": user.pk if user else None,
            }
        )
    persons, people = sync_rows(
        InsuredPerson, ("kvnr",), person_rows, InsuredPerson.objects.filter(kvnr__in=[r["kvnr"] for r in person_rows])
    )
    link_rows = [
        {
            "representative_id": persons[(kvnr_of_username[parent],)].pk,
            "represented_id": persons[(kvnr,)].pk,
            "kind": LegalRepresentation.Kind.PARENT,
            "valid_from": persons[(kvnr,)].birth_date,
            "valid_until": None,
        }
        for kvnr, parent in representative_of.items()
    ]
    _, links = sync_rows(
        LegalRepresentation,
        ("representative_id", "represented_id"),
        link_rows,
        LegalRepresentation.objects.filter(represented_id__in=[r["represented_id"] for r in link_rows]),
    )
    result.tallies.update(
        {
            "Benutzerkonten": users,
            "Kassenzugehörigkeiten": memberships,
            "Versicherte": people,
            "Gesetzliche Vertretungen": links,
        }
    )


# --- entry point ---------------------------------------------------------------------------


def run_steps(stdout: TextIO, result: SeedResult) -> None:
    """The demo data that builds on the catalogue and the accounts, in this order."""
    for step in (enrollment_demo.seed_enrollment_demo, reports_demo.seed_report_demo):
        step(stdout)
        result.steps.append(
            _("%(module)s.%(function)s: ausgeführt") % {"module": step.__module__, "function": step.__name__}
        )


def seed_demo(*, stdout: TextIO) -> SeedResult:
    """Create or refresh the whole demo data set in one transaction (idempotent)."""
    started = time.perf_counter()
    result = SeedResult()
    with transaction.atomic():
        ensure_aoks()
        funds = {f.slug: f for f in Fund.objects.all()}
        data = load_regions()
        seed_regions(data, result)
        programs = seed_programs(funds, result)
        seed_providers(data, programs, result)
        seed_accounts(funds, result)
        run_steps(stdout, result)
    result.seconds = time.perf_counter() - started
    return result
