"""CSV import and export of providers and of their participations in contracts (issue 8 §6,
docs/import-formats.md).

The files are what German spreadsheets write: UTF-8 (with or without BOM), semicolons, one
header row, dates as 31.12.2026 (or 2026-12-31), yes/no as "ja"/"nein". An import is all or
nothing: every row is checked first — set-wise, with the postal codes, providers and contracts
loaded once into dictionaries — and if one row is wrong nothing is written and every wrong row
is listed with its line number and the reason. Otherwise the rows are written in one
transaction with `bulk_create`/`bulk_update` (200,000 rows in about a minute, bench/
provider_import.py). A row whose provider (or participation) exists is an update; a row that
changes nothing is counted as unchanged, so importing the same file twice writes nothing the
second time. An export writes the same columns, so export → import changes nothing.

Providers are matched by LANR, or by IK where there is no LANR (hospitals, care homes). The
LANR's check digit is checked; the pseudo-LANR 999999900 cannot identify a provider. The
coordinates come from the postal code (the mean of its places), the Land too.

Participations name the contract by program (slug) and fund (slug) — the newest contract
version of that program with that fund — and the provider by LANR or IK. An import on behalf
of one fund (`fund_ids`) refuses rows of other funds' contracts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Avg, Max, Min
from django.utils.translation import gettext as _

from programs.caching import bump_catalogue_version
from programs.models import Contract, PostalCode
from programs.validators import PSEUDO_LANR, lanr_check_digit_ok, validate_bsnr, validate_ik
from providers.models import ContractParticipation, Provider, ProviderKind

PROVIDER_COLUMNS = ("art", "name", "lanr", "bsnr", "ik", "fachgruppe", "strasse", "plz", "ort", "telefon",
                    "webseite", "neue_patienten")  # fmt: skip
PARTICIPATION_COLUMNS = ("programm", "kasse", "lanr", "ik", "ab", "bis")
#: Provider fields an import writes (besides latitude, longitude and land from the postal code).
PROVIDER_FIELDS = ("kind", "name", "lanr", "bsnr", "ik", "fachgruppe", "street", "postal_code", "city", "phone",
                   "website", "accepts_new_patients", "latitude", "longitude", "land_id")  # fmt: skip
BATCH = 2000
PREVIEW_ROWS = 10
MAX_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict[str, str]] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, line: int, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, message))


# --- reading -------------------------------------------------------------------------------------


def read_csv(data: bytes, columns: tuple[str, ...], result: ImportResult) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a file with these columns; problems go to `result`."""
    if b"\x00" in data:
        result.error(1, _("Die Datei enthält Nullbytes; ist sie wirklich eine CSV-Datei?"))
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.error(line, _("Die Datei ist nicht UTF-8-kodiert. Speichern Sie sie als „CSV UTF-8“."))
        return []
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except StopIteration:
        result.error(1, _("Die Datei ist leer."))
        return []
    missing = [c for c in columns if c not in header]
    if missing:
        result.error(1, _("Es fehlen Spalten: %(columns)s.") % {"columns": ", ".join(missing)})
        return []
    rows = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            result.error(line, _("Die Zeile hat mehr Felder als die Kopfzeile."))
            continue
        rows.append((line, {name: _unescape(values[i]) if i < len(values) else "" for i, name in enumerate(header)}))
    result.rows = len(rows)
    return rows


def _unescape(value: str) -> str:
    """A cell as read: stripped, and the apostrophe the export puts before formula-like text removed."""
    value = value.strip()
    return value[1:] if value[:1] == "'" and value[1:2] in FORMULA_STARTS and value[1:2] else value


def _date(value: str) -> dt.date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _yes_no(value: str, default: bool) -> bool | None:
    value = value.casefold()
    if not value:
        return default
    if value in ("ja", "j", "1", "x", "true", "yes"):
        return True
    if value in ("nein", "n", "0", "false", "no"):
        return False
    return None


# --- providers ------------------------------------------------------------------------------------


def postal_code_places() -> dict[str, tuple[float, float, str]]:
    """postal code → (mean latitude, mean longitude, Land) of its places (one query)."""
    rows = PostalCode.objects.values("code").annotate(lat=Avg("latitude"), lon=Avg("longitude"), land=Min("land_id"))
    return {r["code"]: (r["lat"], r["lon"], r["land"]) for r in rows}


def _provider_ids() -> tuple[dict[str, int], dict[str, int]]:
    """LANR → provider id and IK → provider id of every provider (two queries of pairs)."""
    by_lanr = dict(Provider.objects.exclude(lanr="").values_list("lanr", "pk"))
    by_ik = dict(Provider.objects.exclude(ik="").values_list("ik", "pk"))
    return by_lanr, by_ik


def _provider_key(lanr: str, ik: str) -> tuple[str, str] | None:
    if lanr and lanr != PSEUDO_LANR:
        return ("lanr", lanr)
    if ik:
        return ("ik", ik)
    return None


def _check_provider(row: dict[str, str], places, kinds: dict[str, str]) -> tuple[dict | None, list[str]]:
    problems = []
    kind = kinds.get(row["art"].casefold())
    if kind is None:
        problems.append(_("Art „%(value)s“ ist unbekannt (erlaubt: %(allowed)s).")
                        % {"value": row["art"], "allowed": ", ".join(ProviderKind.values)})  # fmt: skip
    if not row["name"]:
        problems.append(_("Der Name fehlt."))
    elif len(row["name"]) > 200:
        problems.append(_("Der Name ist länger als 200 Zeichen."))
    lanr, bsnr, ik = row["lanr"], row["bsnr"], row["ik"]
    if lanr and not (lanr == PSEUDO_LANR or lanr_check_digit_ok(lanr)):
        problems.append(_("LANR %(value)s: Prüfziffer oder Format falsch.") % {"value": lanr})
    for value, validate, label in ((bsnr, validate_bsnr, "BSNR"), (ik, validate_ik, "IK")):
        if value:
            try:
                validate(value)
            except ValidationError as exc:
                problems.append(f"{label} {value}: {' '.join(exc.messages)}")
    if _provider_key(lanr, ik) is None:
        problems.append(_("LANR oder IK fehlt: ohne sie lässt sich der Leistungserbringer nicht zuordnen."))
    place = places.get(row["plz"])
    if place is None:
        problems.append(_("Postleitzahl „%(value)s“ ist unbekannt.") % {"value": row["plz"]})
    if not row["ort"]:
        problems.append(_("Der Ort fehlt."))
    if row["webseite"]:
        try:
            URLValidator()(row["webseite"])
        except ValidationError:
            problems.append(_("Webseite „%(value)s“ ist keine gültige Adresse.") % {"value": row["webseite"]})
    new_patients = _yes_no(row["neue_patienten"], True)
    if new_patients is None:
        problems.append(_("neue_patienten: bitte „ja“ oder „nein“."))
    if problems:
        return None, problems
    lat, lon, land = place
    values = {
        "kind": kind, "name": row["name"], "lanr": lanr, "bsnr": bsnr, "ik": ik, "fachgruppe": row["fachgruppe"],
        "street": row["strasse"], "postal_code": row["plz"], "city": row["ort"], "phone": row["telefon"],
        "website": row["webseite"], "accepts_new_patients": new_patients, "latitude": lat, "longitude": lon,
        "land_id": land,
    }  # fmt: skip
    return values, []


def import_providers(data: bytes, *, dry_run: bool = False) -> ImportResult:
    result = ImportResult(kind="providers")
    rows = read_csv(data, PROVIDER_COLUMNS, result)
    if not result.ok:
        return result
    places = postal_code_places()
    kinds = {v: v for v in ProviderKind.values} | {str(label).casefold(): v for v, label in ProviderKind.choices}
    by_lanr, by_ik = _provider_ids()
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[int | None, dict]] = []
    for line, row in rows:
        values, problems = _check_provider(row, places, kinds)
        key = _provider_key(row["lanr"], row["ik"])
        if key is not None and key in seen:
            problems.append(_("doppelt in der Datei (wie Zeile %(line)s)") % {"line": seen[key]})
        elif key is not None:
            seen[key] = line
        for problem in problems:
            result.error(line, problem)
        if problems:
            continue
        pk = by_lanr.get(values["lanr"]) if key[0] == "lanr" else by_ik.get(values["ik"])
        planned.append((pk, values))
        if len(result.preview) < PREVIEW_ROWS:
            result.preview.append(row)
    if not result.ok:
        return result
    _write_providers(planned, result, dry_run=dry_run)
    return result


def _write_providers(planned, result: ImportResult, *, dry_run: bool) -> None:
    new = [Provider(**values) for pk, values in planned if pk is None]
    existing = {pk: values for pk, values in planned if pk is not None}
    changed = []
    ids = list(existing)
    for start in range(0, len(ids), BATCH):
        for pk, provider in Provider.objects.in_bulk(ids[start : start + BATCH]).items():
            values = existing[pk]
            if all(getattr(provider, name) == value for name, value in values.items()):
                result.unchanged += 1
                continue
            for name, value in values.items():
                setattr(provider, name, value)
            changed.append(provider)
    _save(Provider, new, changed, PROVIDER_FIELDS, result, dry_run=dry_run)


def _save(model, new: list, changed: list, fields: Iterable[str], result: ImportResult, *, dry_run: bool) -> None:
    """Count, and unless `dry_run` write new and changed rows in one transaction; the catalogue
    version is replaced once, after the commit."""
    result.created, result.updated = len(new), len(changed)
    if dry_run:
        return
    with transaction.atomic():
        model.objects.bulk_create(new, batch_size=BATCH)
        update_rows(model, changed, fields)
        transaction.on_commit(bump_catalogue_version)
    result.written = True


def update_rows(model, objs: list, fields: Iterable[str]) -> None:
    """`bulk_update`, but on PostgreSQL for many rows: COPY the new values into a temporary
    table and UPDATE … FROM it in one statement (bulk_update's CASE per row took 6 ms a row
    for 20,000 providers; this takes a fraction of a second). Inside the caller's transaction."""
    fields = tuple(fields)
    if connection.vendor != "postgresql" or len(objs) < 500:
        model.objects.bulk_update(objs, fields, batch_size=BATCH)
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in fields]
    pk = model._meta.pk.column
    table, listed = quote(model._meta.db_table), ", ".join(quote(c) for c in (pk, *columns))
    with connection.cursor() as cursor:
        # Identifiers from the model's meta, quoted; values travel through COPY.
        cursor.execute(f"CREATE TEMP TABLE vl_update ON COMMIT DROP AS SELECT {listed} FROM {table} WITH NO DATA")  # noqa: S608
        with cursor.copy(f"COPY vl_update ({listed}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([obj.pk, *(getattr(obj, name) for name in fields)])
        assignments = ", ".join(f"{quote(c)} = u.{quote(c)}" for c in columns)
        cursor.execute(f"UPDATE {table} t SET {assignments} FROM vl_update u WHERE t.{quote(pk)} = u.{quote(pk)}")  # noqa: S608
        cursor.execute("DROP TABLE vl_update")


# --- participations -------------------------------------------------------------------------------


def newest_contracts() -> dict[tuple[str, str], tuple[int, int]]:
    """(program slug, fund slug) → (contract id, fund id) of the newest contract version."""
    newest = {}
    rows = Contract.objects.values("program__slug", "fund__slug").annotate(version=Max("version"))
    wanted = {(r["program__slug"], r["fund__slug"], r["version"]) for r in rows}
    for pk, program, fund, fund_id, version in Contract.objects.values_list(
        "pk", "program__slug", "fund__slug", "fund_id", "version"
    ):
        if (program, fund, version) in wanted:
            newest[(program, fund)] = (pk, fund_id)
    return newest


def import_participations(data: bytes, *, fund_ids: Iterable[int] | None = None, dry_run: bool = False) -> ImportResult:
    """`fund_ids`: the funds whose contracts the importing person manages (None: every fund)."""
    result = ImportResult(kind="participations")
    rows = read_csv(data, PARTICIPATION_COLUMNS, result)
    if not result.ok:
        return result
    allowed = None if fund_ids is None else set(fund_ids)
    contracts = newest_contracts()
    by_lanr, by_ik = _provider_ids()
    seen: dict[tuple[int, int, dt.date], int] = {}
    planned = []
    for line, row in rows:
        problems = []
        contract = contracts.get((row["programm"], row["kasse"]))
        if contract is None:
            problems.append(_("Kein Vertrag des Programms „%(program)s“ mit der Kasse „%(fund)s“.")
                            % {"program": row["programm"], "fund": row["kasse"]})  # fmt: skip
        elif allowed is not None and contract[1] not in allowed:
            problems.append(_("Der Vertrag gehört nicht zu Ihrer Krankenkasse."))
        key = _provider_key(row["lanr"], row["ik"])
        provider = None
        if key is None:
            problems.append(_("LANR oder IK fehlt."))
        elif key[0] == "lanr" and not lanr_check_digit_ok(row["lanr"]):
            problems.append(_("LANR %(value)s: Prüfziffer oder Format falsch.") % {"value": row["lanr"]})
        else:
            provider = (by_lanr if key[0] == "lanr" else by_ik).get(key[1])
            if provider is None:
                problems.append(_("Kein Leistungserbringer mit %(kind)s %(value)s.")
                                % {"kind": key[0].upper(), "value": key[1]})  # fmt: skip
        start, end = _date(row["ab"]), _date(row["bis"]) if row["bis"] else None
        if start is None:
            problems.append(_("„ab“: bitte ein Datum wie 01.04.2026."))
        if row["bis"] and end is None:
            problems.append(_("„bis“: bitte ein Datum wie 31.12.2026 oder leer lassen."))
        elif start and end and end < start:
            problems.append(_("„bis“ liegt vor „ab“."))
        if not problems:
            identity = (provider, contract[0], start)
            if identity in seen:
                problems.append(_("doppelt in der Datei (wie Zeile %(line)s)") % {"line": seen[identity]})
            else:
                seen[identity] = line
        for problem in problems:
            result.error(line, problem)
        if not problems:
            planned.append((provider, contract[0], start, end))
            if len(result.preview) < PREVIEW_ROWS:
                result.preview.append(row)
    if not result.ok:
        return result
    _write_participations(planned, result, dry_run=dry_run)
    return result


def _write_participations(planned, result: ImportResult, *, dry_run: bool) -> None:
    contract_ids = {c for _p, c, _s, _e in planned}
    existing = {
        (p.provider_id, p.contract_id, p.valid_from): p
        for p in ContractParticipation.objects.filter(contract_id__in=contract_ids)
    }
    new, changed = [], []
    for provider, contract, start, end in planned:
        row = existing.get((provider, contract, start))
        if row is None:
            new.append(
                ContractParticipation(provider_id=provider, contract_id=contract, valid_from=start, valid_until=end)
            )
        elif row.valid_until != end:
            row.valid_until = end
            changed.append(row)
        else:
            result.unchanged += 1
    _save(ContractParticipation, new, changed, ("valid_until",), result, dry_run=dry_run)


# --- export -----------------------------------------------------------------------------------


#: Cells starting with these run as formulas in spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A cell as written: a text that a spreadsheet would run as a formula gets a leading
    apostrophe ("'=HYPERLINK(…)"), which `read_csv` takes off again."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _write(columns: tuple[str, ...], rows: Iterable[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return "\ufeff" + out.getvalue()


def _day(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def export_providers(queryset) -> str:
    fields = ("kind", "name", "lanr", "bsnr", "ik", "fachgruppe", "street", "postal_code", "city", "phone", "website",
              "accepts_new_patients")  # fmt: skip
    rows = (
        (*values[:-1], "ja" if values[-1] else "nein")
        for values in queryset.order_by("pk").values_list(*fields).iterator(chunk_size=BATCH)
    )
    return _write(PROVIDER_COLUMNS, rows)


def export_participations(queryset) -> str:
    rows = (
        (program, fund, lanr, "" if lanr else ik, _day(start), _day(end))
        for program, fund, lanr, ik, start, end in queryset.order_by("pk")
        .values_list(
            "contract__program__slug",
            "contract__fund__slug",
            "provider__lanr",
            "provider__ik",
            "valid_from",
            "valid_until",
        )  # fmt: skip
        .iterator(chunk_size=BATCH)
    )
    return _write(PARTICIPATION_COLUMNS, rows)


IMPORTERS: dict[str, Callable[..., ImportResult]] = {
    "providers": import_providers,
    "participations": import_participations,
}
