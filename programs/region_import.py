"""Parse and load the official regions: Länder, Regierungsbezirke, Kreise, Gemeinden, PLZ.

Three public files feed it (formats and quirks: docs/import-formats.md):

- the Destatis Gemeindeverzeichnis (Regierungsbezirke, Kreise, Gemeinden with population),
- the GeoNames postal codes (one row per PLZ, place and Kreis, with coordinates),
- the OSM-derived PLZ ↔ AGS mapping (which Gemeinden a PLZ touches).

Invariants: all or nothing — every malformed line of every file is collected and reported
(`RegionImportError`) before anything is written, and the writes run in one transaction;
idempotent — rows are compared with the database first and only new or changed rows are
written (`bulk_create` with `update_conflicts`), so a second run reports everything as
unchanged. Rows whose keys are well-formed but point to a region the other files do not
know (stale data) are skipped and counted in `ImportResult.notes` instead of failing.
Nothing is deleted; rows no longer in the files are only counted.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from programs.aok import LAENDER, LAND_CODE_BY_AGS
from programs.caching import bump_catalogue_version
from programs.models import Gemeinde, Kreis, Land, PostalCode, PostalCodeGemeinde, Regierungsbezirk

GEONAMES_FILE = "geonames-de-postal-codes.csv"
DESTATIS_FILE = "destatis-gemeindeverzeichnis-auszug.csv"
PLZ_AGS_FILE = "plz-gemeinde-ags.csv"

GEONAMES_COLUMNS = ("zipcode", "place", "community_code", "latitude", "longitude")
DESTATIS_COLUMNS = (
    "satzart", "land", "rb", "kreis", "gemeinde", "gemeindename", "bevoelkerung", "laengengrad", "breitengrad",
)  # fmt: skip
PLZ_AGS_COLUMNS = ("plz", "ags")

SATZART_LAND, SATZART_REGBEZ, SATZART_REGION, SATZART_KREIS, SATZART_VERBAND, SATZART_GEMEINDE = (
    "10", "20", "30", "40", "50", "60",
)  # fmt: skip
SATZARTEN = {SATZART_LAND, SATZART_REGBEZ, SATZART_REGION, SATZART_KREIS, SATZART_VERBAND, SATZART_GEMEINDE}

Progress = Callable[[str], None]
_WHITESPACE = re.compile(r"[\s\u00a0\u202f]+")


@dataclass(frozen=True)
class LineError:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        if not self.line:  # the file as a whole
            return _("%(file)s: %(reason)s") % {"file": self.file, "reason": self.reason}
        return _("%(file)s, Zeile %(line)d: %(reason)s") % {"file": self.file, "line": self.line, "reason": self.reason}


class RegionImportError(Exception):
    """Malformed input; nothing was written. `errors` lists every broken line."""

    def __init__(self, errors: list[LineError]):
        self.errors = sorted(errors, key=lambda e: (e.file, e.line))
        header = _("Import abgebrochen, nichts wurde gespeichert: %(count)d fehlerhafte Zeile(n).") % {
            "count": len(self.errors)
        }
        super().__init__("\n".join([header, *(str(e) for e in self.errors)]))


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_files: int = 0  # in the database but no longer in the files (kept)


@dataclass
class ImportResult:
    counts: dict[str, Counts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class RegionData:
    """What the files say, keyed like the database (values in the field order of `_tables()`)."""

    regierungsbezirke: dict[tuple[str], tuple[str, str]] = field(default_factory=dict)
    kreise: dict[tuple[str], tuple[str, str, str | None]] = field(default_factory=dict)
    gemeinden: dict[tuple[str], tuple[str, str, int | None, float | None, float | None]] = field(default_factory=dict)
    postal_codes: dict[tuple[str, str, str], tuple[str, float, float]] = field(default_factory=dict)
    plz_gemeinden: dict[tuple[str, str], tuple[()]] = field(default_factory=dict)


class _Problems:
    def __init__(self) -> None:
        self.errors: list[LineError] = []
        self.notes: list[str] = []

    def error(self, path: Path, line: int, reason: str) -> None:
        self.errors.append(LineError(path.name, line, reason))


# --- reading -----------------------------------------------------------------------------


def _rows(path: Path, required: Sequence[str], problems: _Problems) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for every data row; header, width and encoding problems are reported.

    The file is decoded with `surrogateescape` so an invalid byte marks its own line instead
    of aborting the whole read.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="surrogateescape")
    except OSError as exc:
        problems.error(path, 0, _("Datei kann nicht gelesen werden (%(reason)s).") % {"reason": exc.strerror})
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in required if c not in header]
        if missing:
            problems.error(path, 1, _("Spalten fehlen in der Kopfzeile: %(cols)s.") % {"cols": ", ".join(missing)})
            return
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank line, e.g. at the end of the file
            if len(row) != len(header):
                problems.error(
                    path, reader.line_num,
                    _("%(expected)d Felder erwartet, %(found)d gefunden.") % {"expected": len(header), "found": len(row)},
                )  # fmt: skip
                continue
            if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
                problems.error(path, reader.line_num, _("Ungültige Zeichen (die Datei muss UTF-8-kodiert sein)."))
                continue
            yield reader.line_num, dict(zip(header, row, strict=True))
    except csv.Error as exc:
        problems.error(path, reader.line_num, _("Die CSV-Struktur ist fehlerhaft (%(reason)s).") % {"reason": exc})


def parse_int(value: str) -> int | None:
    """`" 90 164"` → 90164 (Destatis writes spaces as thousands separators); empty → None."""
    value = _WHITESPACE.sub("", value)
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(value)
    return int(value)


def parse_float(value: str) -> float | None:
    """`"9,43751"` → 9.43751 (decimal comma or point); empty → None."""
    value = _WHITESPACE.sub("", value).replace(",", ".")
    if not value:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1/CP1252 (`"KÃ¶ln"` → `"Köln"`), as found in some GeoNames rows."""
    if "Ã" not in text and "Â" not in text:
        return text
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return text


def _coordinates(lat: float | None, lon: float | None) -> tuple[float | None, float | None] | None:
    """Both or neither; (0, 0) means unknown in the Gemeindeverzeichnis. None = out of range."""
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return (None, None)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return (lat, lon)


def _name(path: Path, line: int, value: str, max_length: int, problems: _Problems) -> str | None:
    name = value.strip()
    if not name:
        problems.error(path, line, _("Der Name fehlt."))
        return None
    if len(name) > max_length:
        problems.error(path, line, _("Der Name ist länger als %(max)d Zeichen.") % {"max": max_length})
        return None
    return name


def _digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def parse_destatis(path: Path, data: RegionData, problems: _Problems) -> None:
    """Satzart 20 → Regierungsbezirke, 40 → Kreise, 60 → Gemeinden; 10, 30 and 50 are not needed."""
    first_line: dict[str, int] = {}
    kreis_regbez: dict[tuple[str], int] = {}
    for line, row in _rows(path, DESTATIS_COLUMNS, problems):
        satzart, land = row["satzart"].strip(), row["land"].strip()
        if satzart not in SATZARTEN:
            problems.error(path, line, _("Unbekannte Satzart „%(value)s“.") % {"value": satzart})
            continue
        if land not in LAND_CODE_BY_AGS:
            problems.error(path, line, _("Unbekannter Landesschlüssel „%(value)s“.") % {"value": land})
            continue
        if satzart in {SATZART_LAND, SATZART_REGION, SATZART_VERBAND}:
            continue
        land_code = LAND_CODE_BY_AGS[land]
        rb, kreis = row["rb"].strip(), row["kreis"].strip()
        if not _digits(rb, 1):
            problems.error(path, line, _("Der Regierungsbezirk „%(value)s“ ist keine Ziffer.") % {"value": rb})
            continue
        if satzart == SATZART_REGBEZ:
            key = land + rb
            name = _name(path, line, row["gemeindename"], 80, problems)
        elif not _digits(kreis, 2):
            problems.error(path, line, _("Der Kreisschlüssel „%(value)s“ hat nicht zwei Ziffern.") % {"value": kreis})
            continue
        elif satzart == SATZART_KREIS:
            key = land + rb + kreis
            name = _name(path, line, row["gemeindename"], 120, problems)
        else:
            gemeinde = row["gemeinde"].strip()
            if not _digits(gemeinde, 3):
                problems.error(
                    path, line, _("Die Gemeindenummer „%(value)s“ hat nicht drei Ziffern.") % {"value": gemeinde}
                )
                continue
            key = land + rb + kreis + gemeinde
            name = _name(path, line, row["gemeindename"], 120, problems)
            try:
                population = parse_int(row["bevoelkerung"])
            except ValueError:
                problems.error(
                    path, line, _("Die Einwohnerzahl „%(value)s“ ist keine Zahl.") % {"value": row["bevoelkerung"]}
                )
                continue
            try:
                coords = _coordinates(parse_float(row["breitengrad"]), parse_float(row["laengengrad"]))
            except ValueError:
                coords = None
            if coords is None:
                problems.error(
                    path, line, _("Die Koordinaten sind ungültig (Längen-/Breitengrad mit Dezimalkomma erwartet).")
                )
                continue
        if name is None:
            continue
        if key in first_line:
            problems.error(
                path,
                line,
                _("Schlüssel %(key)s kommt doppelt vor (zuerst in Zeile %(first)d).")
                % {"key": key, "first": first_line[key]},
            )
            continue
        first_line[key] = line
        if satzart == SATZART_REGBEZ:
            data.regierungsbezirke[(key,)] = (name, land_code)
        elif satzart == SATZART_KREIS:
            data.kreise[(key,)] = (name, land_code, None)
            if rb != "0":
                kreis_regbez[(key,)] = line
        else:
            data.gemeinden[(key,)] = (name, land + rb + kreis, population, *coords)


def _link_destatis(data: RegionData, known_regbez: set[str], known_kreise: set[str], problems: _Problems) -> None:
    regbez = known_regbez | {k for (k,) in data.regierungsbezirke}
    unlinked = []
    for (key,), (name, land_code, _rb) in data.kreise.items():
        if key[2] != "0":
            if key[:3] in regbez:
                data.kreise[(key,)] = (name, land_code, key[:3])
            else:
                unlinked.append(key)
    if unlinked:
        problems.notes.append(
            _("%(count)d Kreise ohne bekannten Regierungsbezirk (ohne Zuordnung übernommen): %(keys)s")
            % {"count": len(unlinked), "keys": ", ".join(unlinked[:10])}
        )
    kreise = known_kreise | {k for (k,) in data.kreise}
    orphans = [(ags, v[0]) for (ags,), v in data.gemeinden.items() if v[1] not in kreise]
    for ags in [a for a, _n in orphans]:
        del data.gemeinden[(ags,)]
    if orphans:
        problems.notes.append(
            _("%(count)d Gebiete ohne Kreis übersprungen (z. B. gemeindefreie Küstengewässer): %(names)s")
            % {"count": len(orphans), "names": "; ".join(f"{a} {n}" for a, n in orphans[:10])}
        )


def parse_plz_ags(path: Path, known_gemeinden: set[str], data: RegionData, problems: _Problems) -> None:
    unknown: dict[str, str] = {}
    for line, row in _rows(path, PLZ_AGS_COLUMNS, problems):
        plz, ags = row["plz"].strip(), row["ags"].strip()
        if not _digits(plz, 5):
            problems.error(path, line, _("Die Postleitzahl „%(value)s“ hat nicht fünf Ziffern.") % {"value": plz})
            continue
        if not _digits(ags, 8):
            problems.error(path, line, _("Der Gemeindeschlüssel „%(value)s“ hat nicht acht Ziffern.") % {"value": ags})
            continue
        if ags in known_gemeinden:
            data.plz_gemeinden[(plz, ags)] = ()
        else:
            unknown[f"{plz}/{ags}"] = row.get("ort", "")
    if unknown:
        problems.notes.append(
            _(
                "%(count)d PLZ-Gemeinde-Zuordnungen übersprungen, weil die Gemeinde nicht im Gemeindeverzeichnis steht (z. B. nach einer Fusion): %(items)s"
            )
            % {"count": len(unknown), "items": "; ".join(f"{k} {v}".strip() for k, v in list(unknown.items())[:10])}
        )


def parse_geonames(path: Path, known_kreise: set[str], data: RegionData, problems: _Problems) -> None:
    """One PostalCode per (PLZ, place, Kreis); the Land comes from the Kreisschlüssel.

    `state_code` is unreliable in this file (mixes "BW" and "01" for different Länder), so it
    is ignored. A row without Kreisschlüssel takes the Kreis from the PLZ-AGS mapping when
    all Gemeinden of that PLZ lie in one Kreis, and is skipped otherwise.
    """
    kreise_by_plz: dict[str, set[str]] = defaultdict(set)
    for plz, ags in data.plz_gemeinden:
        kreise_by_plz[plz].add(ags[:5])
    without_kreis: list[str] = []
    unknown_kreis: list[str] = []
    duplicates = 0
    repaired = 0
    for line, row in _rows(path, GEONAMES_COLUMNS, problems):
        plz, kreis = row["zipcode"].strip(), row["community_code"].strip()
        if not _digits(plz, 5):
            problems.error(path, line, _("Die Postleitzahl „%(value)s“ hat nicht fünf Ziffern.") % {"value": plz})
            continue
        raw_place = row["place"].strip()
        place = repair_mojibake(raw_place)
        repaired += place != raw_place
        if _name(path, line, place, 120, problems) is None:
            continue
        try:
            lat, lon = parse_float(row["latitude"]), parse_float(row["longitude"])
        except ValueError:
            lat = lon = None
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problems.error(path, line, _("Die Koordinaten fehlen oder sind ungültig."))
            continue
        if kreis and (not _digits(kreis, 5) or kreis[:2] not in LAND_CODE_BY_AGS):
            problems.error(path, line, _("Der Kreisschlüssel „%(value)s“ ist ungültig.") % {"value": kreis})
            continue
        if not kreis:
            candidates = kreise_by_plz.get(plz, set())
            if len(candidates) != 1:
                without_kreis.append(f"{plz} {place}")
                continue
            (kreis,) = candidates
        if kreis not in known_kreise:
            unknown_kreis.append(f"{plz} {place} ({kreis})")
            continue
        key = (plz, place, kreis)
        if key in data.postal_codes:
            duplicates += 1
            continue
        # A PLZ that no Gemeinde has (not in the PLZ-AGS mapping) is a Großkunden- or
        # Postfach-PLZ: kept for completeness, never offered as a home address.
        data.postal_codes[key] = (LAND_CODE_BY_AGS[kreis[:2]], lat, lon, plz in kreise_by_plz)
    if without_kreis:
        problems.notes.append(
            _(
                "%(count)d Orte ohne Kreisschlüssel übersprungen (auch nicht über die PLZ-Gemeinde-Zuordnung bestimmbar): %(items)s"
            )
            % {"count": len(without_kreis), "items": "; ".join(without_kreis[:10])}
        )
    if unknown_kreis:
        problems.notes.append(
            _("%(count)d Orte mit unbekanntem Kreis übersprungen: %(items)s")
            % {"count": len(unknown_kreis), "items": "; ".join(unknown_kreis[:10])}
        )
    if duplicates:
        problems.notes.append(
            _("%(count)d doppelte Zeilen (PLZ, Ort, Kreis) nur einmal übernommen.") % {"count": duplicates}
        )
    if repaired:
        problems.notes.append(_("%(count)d Ortsnamen mit falsch kodierten Umlauten repariert.") % {"count": repaired})
    unmapped = {plz for plz, _place, _kreis in data.postal_codes} - set(kreise_by_plz)
    if unmapped:
        problems.notes.append(
            _(
                "%(count)d Postleitzahlen ohne Gemeindezuordnung (Großkunden- oder Postfach-PLZ) übernommen und "
                "als „keine Wohnanschrift“ markiert."
            )
            % {"count": len(unmapped)}
        )


# --- writing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    label: str
    model: type[models.Model]
    keys: tuple[str, ...]  # attnames of the natural key (a unique constraint or the pk)
    values: tuple[str, ...]  # attnames of the other columns written

    def existing(self) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        n = len(self.keys)
        return {row[:n]: row[n:] for row in self.model.objects.values_list(*self.keys, *self.values).iterator()}


def _tables() -> list[tuple[_Table, str]]:
    return [
        (_Table(_("Länder"), Land, ("code",), ("ags", "name")), "laender"),
        (_Table(_("Regierungsbezirke"), Regierungsbezirk, ("key",), ("name", "land_id")), "regierungsbezirke"),
        (_Table(_("Kreise"), Kreis, ("key",), ("name", "land_id", "regierungsbezirk_id")), "kreise"),
        (
            _Table(_("Gemeinden"), Gemeinde, ("ags",), ("name", "kreis_id", "population", "latitude", "longitude")),
            "gemeinden",
        ),
        (
            _Table(
                _("Postleitzahlen"),
                PostalCode,
                ("code", "place", "kreis_id"),
                ("land_id", "latitude", "longitude", "residential"),
            ),
            "postal_codes",
        ),
        (_Table(_("PLZ-Gemeinde-Zuordnungen"), PostalCodeGemeinde, ("code", "gemeinde_id"), ()), "plz_gemeinden"),
    ]


def _field_name(model: type[models.Model], attname: str) -> str:
    return next(f.name for f in model._meta.concrete_fields if f.attname == attname)


def _write(
    table: _Table, rows: list[tuple[tuple[Any, ...], tuple[Any, ...]]], batch_size: int, progress: Progress | None
) -> None:
    model = table.model
    upsert = bool(table.values)
    for start in range(0, len(rows), batch_size):
        batch = [
            model(**dict(zip(table.keys + table.values, key + values, strict=True)))
            for key, values in rows[start : start + batch_size]
        ]
        if upsert:
            model.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=[_field_name(model, a) for a in table.keys],
                update_fields=[_field_name(model, a) for a in table.values],
            )
        else:
            model.objects.bulk_create(batch, ignore_conflicts=True)
        if progress:
            done = min(start + batch_size, len(rows))
            progress(
                _("%(label)s: %(done)d von %(total)d geschrieben (%(pct)d %%)")
                % {"label": table.label, "done": done, "total": len(rows), "pct": done * 100 // len(rows)}
            )


def import_regions(
    *,
    geonames: Path,
    destatis: Path,
    plz_ags: Path,
    dry_run: bool = False,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate all three files, then (unless `dry_run`) upsert everything in one transaction.

    Raises `RegionImportError` listing every malformed line; nothing is written then.
    """
    problems = _Problems()
    data = RegionData()
    say = progress or (lambda _msg: None)

    say(_("Lese %(file)s …") % {"file": destatis.name})
    parse_destatis(destatis, data, problems)
    known_regbez = set(Regierungsbezirk.objects.values_list("key", flat=True))
    known_kreise = set(Kreis.objects.values_list("key", flat=True))
    _link_destatis(data, known_regbez, known_kreise, problems)
    known_kreise |= {k for (k,) in data.kreise}
    known_gemeinden = set(Gemeinde.objects.values_list("ags", flat=True)) | {k for (k,) in data.gemeinden}

    say(_("Lese %(file)s …") % {"file": plz_ags.name})
    parse_plz_ags(plz_ags, known_gemeinden, data, problems)
    say(_("Lese %(file)s …") % {"file": geonames.name})
    parse_geonames(geonames, known_kreise, data, problems)
    if problems.errors:
        raise RegionImportError(problems.errors)

    desired: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {
        "laender": {(land["code"],): (land["ags"], land["name"]) for land in LAENDER},
        "regierungsbezirke": data.regierungsbezirke,
        "kreise": data.kreise,
        "gemeinden": data.gemeinden,
        "postal_codes": data.postal_codes,
        "plz_gemeinden": data.plz_gemeinden,
    }
    result = ImportResult(notes=problems.notes, dry_run=dry_run)
    plan: list[tuple[_Table, list[tuple[tuple[Any, ...], tuple[Any, ...]]]]] = []
    for table, attr in _tables():
        existing = table.existing()
        counts = Counts(not_in_files=len(existing.keys() - desired[attr].keys()))
        to_write = []
        for key, values in desired[attr].items():
            old = existing.get(key)
            if old == values:
                counts.unchanged += 1
                continue
            if old is None:
                counts.created += 1
            else:
                counts.updated += 1
            to_write.append((key, values))
        result.counts[table.label] = counts
        plan.append((table, to_write))

    if dry_run:
        return result
    with transaction.atomic():
        for table, rows in plan:
            _write(table, rows, batch_size, progress)
        # Postal code lookups are memoised per catalogue version (programs/caching.py).
        transaction.on_commit(bump_catalogue_version)
    return result
