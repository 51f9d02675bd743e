from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from programs.models import Fund, FundRegion, Gemeinde, Kreis, Land, PostalCode, PostalCodeGemeinde, Regierungsbezirk
from programs.region_import import (
    DESTATIS_FILE,
    GEONAMES_FILE,
    PLZ_AGS_FILE,
    parse_float,
    parse_int,
    repair_mojibake,
)
from programs.selectors import lookup_postal_code, resolve_place
from programs.services import ensure_aoks

pytestmark = pytest.mark.django_db

DATA_DIR = Path(settings.REFERENCE_DATA_DIR)

DESTATIS_HEADER = (
    "satzart,textkennzeichen,land,rb,kreis,vb,gemeinde,gemeindename,flaeche,bevoelkerung,maennlich,weiblich,"
    "jekm2,postleitzahl,laengengrad,breitengrad,schluessel,bezeichnung,verstaedterungschluessel,"
    "verstaedterungbezeichnung"
)
DESTATIS_ROWS = [
    "10,,05,,,,,Nordrhein-Westfalen,,,,,,,,,,,,",
    "20,,05,1,,,,Reg.-Bez. Düsseldorf,,,,,,,,,,,,",
    '40,41,05,1,11,,,"Düsseldorf, Stadt",,,,,,,,,,,,',
    '60,61,05,1,11,0000,000,"Düsseldorf, Landeshauptstadt", 217.41, 620 523, 300 000, 320 523, 2 854,40213,"6,776314","51,225402",,,01,dicht besiedelt',
    "10,,08,,,,,Baden-Württemberg,,,,,,,,,,,,",
    "20,,08,3,,,,Reg.-Bez. Freiburg,,,,,,,,,,,,",
    "40,44,08,3,17,,,Ortenaukreis,,,,,,,,,,,,",
    '60,64,08,3,17,0000,043,"Haslach im Kinzigtal, Stadt", 18.40, 7 136, 3 500, 3 636, 388,77716,"8,08739","48,27828",,,02,mittlere Besiedlungsdichte',
    "60,66,13,0,00,9999,999,Küstengewässer einschl. Anteil am Festlandsockel, 1.00,  0,  0,  0,  0,,,,,,,",
]
GEONAMES_HEADER = (
    "country_code,zipcode,place,state,state_code,province,province_code,community,community_code,latitude,longitude"
)
GEONAMES_ROWS = [
    "DE,40213,Düsseldorf,Nordrhein-Westfalen,NW,Regierungsbezirk Düsseldorf,051,Kreisfreie Stadt Düsseldorf,05111,51.2249,6.7757",
    "DE,77716,Haslach im Kinzigtal,Baden-Württemberg,01,Regierungsbezirk Freiburg,083,Ortenaukreis,08317,48.2779,8.0874",
    "DE,40215,KÃ¶lner Verlag GmbH,Nordrhein-Westfalen,07,Regierungsbezirk Düsseldorf,051,Kreisfreie Stadt Düsseldorf,05111,51.21,6.78",
    "DE,77717,Ohne Kreis,,,,,,,48.3,8.1",  # no community_code; the PLZ-AGS mapping supplies the Kreis
    "DE,87491,Jungholz,,,,,,,47.5741,10.4472",  # no community_code and no mapping: skipped
]
PLZ_AGS_HEADER = "osm_id,ags,ort,plz,landkreis,bundesland"
PLZ_AGS_ROWS = [
    "1,05111000,Düsseldorf,40213,,Nordrhein-Westfalen",
    "2,08317043,Haslach im Kinzigtal,77716,Ortenaukreis,Baden-Württemberg",
    "3,08317043,Haslach im Kinzigtal,77717,Ortenaukreis,Baden-Württemberg",
    "4,16063094,Moorgrund,36433,Wartburgkreis,Thüringen",  # merged Gemeinde: skipped
]


def write_files(
    tmp_path: Path,
    destatis: list[str] = DESTATIS_ROWS,
    geonames: list[str] = GEONAMES_ROWS,
    plz_ags: list[str] = PLZ_AGS_ROWS,
) -> list[str]:
    (tmp_path / DESTATIS_FILE).write_text("\ufeff" + "\n".join([DESTATIS_HEADER, *destatis]) + "\n", encoding="utf-8")
    (tmp_path / GEONAMES_FILE).write_text("\n".join([GEONAMES_HEADER, *geonames]) + "\n", encoding="utf-8")
    (tmp_path / PLZ_AGS_FILE).write_text("\n".join([PLZ_AGS_HEADER, *plz_ags]) + "\n", encoding="utf-8")
    return [
        f"--destatis={tmp_path / DESTATIS_FILE}",
        f"--geonames={tmp_path / GEONAMES_FILE}",
        f"--plz-ags={tmp_path / PLZ_AGS_FILE}",
    ]


def run(*args: str, **options) -> str:
    out = StringIO()
    call_command("import_regions", *args, stdout=out, **options)
    return out.getvalue()


def test_the_reference_files_ship_with_the_repository_and_their_licences():
    for name in (DESTATIS_FILE, GEONAMES_FILE, PLZ_AGS_FILE):
        assert (DATA_DIR / name).stat().st_size > 500_000, name
    notes = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for licence in ("CC BY 4.0", "ODbL", "Datenlizenz Deutschland"):
        assert licence in notes


def test_import_regions_full_files_lead_to_the_responsible_aok():
    run()
    ensure_aoks()

    assert Land.objects.count() == 16
    assert Kreis.objects.count() == 401
    assert Gemeinde.objects.count() > 10_900
    assert sum(Gemeinde.objects.values_list("population", flat=True)) > 83_000_000
    assert Kreis.objects.get(key="05913").regierungsbezirk_id == "059"  # Dortmund, Arnsberg
    assert PostalCodeGemeinde.objects.filter(code="77716").exists()

    expected = {
        "77716": "AOK Baden-Württemberg",  # Haslach im Kinzigtal
        "44135": "AOK NordWest",  # Dortmund, RB Arnsberg
        "50667": "AOK Rheinland/Hamburg",  # Köln, RB Köln
        "01067": "AOK PLUS",  # Dresden
        "20095": "AOK Rheinland/Hamburg",  # Hamburg
        "10115": "AOK Nordost",  # Berlin
    }
    for code, fund_name in expected.items():
        lookup = lookup_postal_code(code)
        assert [f.name for f in lookup.funds] == [fund_name], code
        assert not lookup.is_ambiguous

    # 59969 crosses the border of Hessen (Bromskirchen) and NRW/Westfalen (Hallenberg).
    border = lookup_postal_code("59969")
    assert border.is_ambiguous
    assert sorted(f.name for f in border.funds) == ["AOK Hessen", "AOK NordWest"]
    assert border.land_codes == ["HE", "NW"]
    # 12529 crosses the Berlin/Brandenburg border, but one AOK serves both.
    same_fund = lookup_postal_code("12529")
    assert same_fund.land_codes == ["BB", "BE"]
    assert not same_fund.is_ambiguous

    # Places that were unknown with the hand-written demo subset.
    assert [f.name for f in lookup_postal_code("40213").funds] == ["AOK Rheinland/Hamburg"]  # Düsseldorf
    # Großkunden- and Postfach-PLZ are kept but never a home address.
    assert PostalCode.objects.filter(code="10875").exists()
    assert not PostalCode.objects.filter(code="10875", residential=True).exists()
    bulk = resolve_place("10875")
    assert not bulk.known and bulk.not_residential
    assert 2_500 < PostalCode.objects.filter(residential=False).values("code").distinct().count() < 2_800
    # 07919 has places in two Kreise, both AOK PLUS: no question; 59969 (two AOKs) asks.
    one_fund = resolve_place("07919")
    assert len(one_fund.groups) == 2 and not one_fund.needs_choice and one_fund.settled
    assert one_fund.fund.name == "AOK PLUS"
    assert resolve_place("59969").needs_choice

    second = run()
    assert " 0 neu, 0 geändert" in second
    assert "Gemeinden: 0 neu, 0 geändert" in second
    assert "Postleitzahlen: 0 neu, 0 geändert" in second


def test_import_regions_small_files_with_quirks(tmp_path):
    out = run(*write_files(tmp_path))

    haslach = Gemeinde.objects.get(ags="08317043")
    assert haslach.population == 7136
    assert (haslach.latitude, haslach.longitude) == (48.27828, 8.08739)
    assert Kreis.objects.get(key="05111").regierungsbezirk_id == "051"
    assert Regierungsbezirk.objects.get(key="083").land_id == "BW"
    assert PostalCode.objects.get(code="40213").land_id == "NW"
    assert PostalCode.objects.filter(place="Kölner Verlag GmbH").exists()  # mojibake repaired
    assert PostalCode.objects.get(code="77717").kreis_id == "08317"  # Kreis from the PLZ-AGS mapping
    assert not PostalCode.objects.filter(code="87491").exists()
    assert not Gemeinde.objects.filter(ags="13000999").exists()
    assert PostalCodeGemeinde.objects.count() == 3
    assert "87491 Jungholz" in out
    assert "16063094" in out


def test_import_regions_is_idempotent_and_reports_changes(tmp_path):
    args = write_files(tmp_path)
    first = run(*args)
    assert "Gemeinden: 2 neu, 0 geändert, 0 unverändert" in first
    counts = [m.objects.count() for m in (Land, Regierungsbezirk, Kreis, Gemeinde, PostalCode, PostalCodeGemeinde)]

    second = run(*args)
    assert "Gemeinden: 0 neu, 0 geändert, 2 unverändert" in second
    assert "Postleitzahlen: 0 neu, 0 geändert, 4 unverändert" in second
    assert counts == [
        m.objects.count() for m in (Land, Regierungsbezirk, Kreis, Gemeinde, PostalCode, PostalCodeGemeinde)
    ]

    Gemeinde.objects.filter(ags="08317043").update(population=1, name="Falsch")
    third = run(*args)
    assert "Gemeinden: 0 neu, 1 geändert, 1 unverändert" in third
    assert Gemeinde.objects.get(ags="08317043").population == 7136


def test_import_regions_broken_lines_import_nothing_and_are_all_listed(tmp_path):
    destatis = [*DESTATIS_ROWS]
    destatis[3] = destatis[3].replace(" 620 523", " 620x523")  # line 5
    destatis.append("70,,05,,,,,Unbekannt,,,,,,,,,,,,")  # line 11
    geonames = [*GEONAMES_ROWS, "DE,4021,Düsseldorf,,,,,,05111,51.2,6.7", "DE,40219,Düsseldorf,,,,,,05111,nord,6.7"]
    plz_ags = [*PLZ_AGS_ROWS, "5,5111000,Düsseldorf,40219,,Nordrhein-Westfalen", "6,05111000,Düsseldorf"]
    args = write_files(tmp_path, destatis, geonames, plz_ags)

    with pytest.raises(CommandError) as excinfo:
        run(*args)

    message = str(excinfo.value)
    assert "nichts wurde gespeichert: 6 fehlerhafte Zeile(n)" in message
    assert f"{DESTATIS_FILE}, Zeile 5: Die Einwohnerzahl" in message
    assert f"{DESTATIS_FILE}, Zeile 11: Unbekannte Satzart „70“" in message
    assert f"{GEONAMES_FILE}, Zeile 7: Die Postleitzahl „4021“" in message
    assert f"{GEONAMES_FILE}, Zeile 8: Die Koordinaten" in message
    assert f"{PLZ_AGS_FILE}, Zeile 6: Der Gemeindeschlüssel „5111000“" in message
    assert f"{PLZ_AGS_FILE}, Zeile 7: 6 Felder erwartet, 3 gefunden" in message
    for model in (Land, Regierungsbezirk, Kreis, Gemeinde, PostalCode, PostalCodeGemeinde):
        assert not model.objects.exists()


def test_import_regions_rejects_a_file_without_the_needed_columns(tmp_path):
    args = write_files(tmp_path)
    (tmp_path / GEONAMES_FILE).write_text("plz;ort;lat;lon\n40213;Düsseldorf;51.2;6.7\n", encoding="utf-8")
    with pytest.raises(CommandError, match=rf"{GEONAMES_FILE}, Zeile 1: Spalten fehlen in der Kopfzeile: zipcode"):
        run(*args)
    assert not Gemeinde.objects.exists()


def test_import_regions_reports_a_missing_file(tmp_path):
    args = write_files(tmp_path)
    (tmp_path / PLZ_AGS_FILE).unlink()
    with pytest.raises(CommandError, match=rf"{PLZ_AGS_FILE}: Datei kann nicht gelesen werden"):
        run(*args)
    assert not Gemeinde.objects.exists()


def test_import_regions_shows_progress_unless_verbosity_0(tmp_path):
    args = write_files(tmp_path)
    out = run(*args, "--batch-size=1")
    assert "Gemeinden: 1 von 2 geschrieben (50 %)" in out
    assert "Postleitzahlen: 4 von 4 geschrieben (100 %)" in out
    assert "Import abgeschlossen." in out

    Gemeinde.objects.all().delete()
    assert run(*args, verbosity=0) == ""
    assert Gemeinde.objects.count() == 2


def test_import_regions_dry_run_validates_and_writes_nothing(tmp_path):
    out = run(*write_files(tmp_path), "--dry-run")
    assert "Gemeinden: 2 neu" in out
    assert "Probelauf" in out
    for model in (Land, Kreis, Gemeinde, PostalCode, PostalCodeGemeinde):
        assert not model.objects.exists()


def test_ensure_aoks_is_idempotent_and_splits_nrw():
    ensure_aoks()
    ensure_aoks()
    assert Fund.objects.count() == 11
    assert Land.objects.count() == 16
    # 15 Länder as a whole, NRW by its 5 Regierungsbezirke.
    assert FundRegion.objects.filter(regierungsbezirk__isnull=True).count() == 15
    assert dict(FundRegion.objects.filter(land_id="NW").values_list("regierungsbezirk_id", "fund__slug")) == {
        "051": "aok-rheinland-hamburg",
        "053": "aok-rheinland-hamburg",
        "055": "aok-nordwest",
        "057": "aok-nordwest",
        "059": "aok-nordwest",
    }
    assert Fund.objects.get(slug="aok-nordost").seat_land_id == "BB"


def test_parsers_handle_destatis_and_geonames_quirks():
    assert parse_int(" 90 164") == 90164
    assert parse_int(" 1 234 567") == 1234567
    assert parse_int("  ") is None
    assert parse_float("9,43751") == 9.43751
    assert parse_float("48.8103") == 48.8103
    assert repair_mojibake("Industrie- und Handelskammer zu KÃ¶ln") == "Industrie- und Handelskammer zu Köln"
    assert repair_mojibake("Köln") == "Köln"
    with pytest.raises(ValueError):
        parse_int("12a")


def test_import_regions_reports_bytes_that_are_not_utf8(tmp_path):
    args = write_files(tmp_path)
    with (tmp_path / PLZ_AGS_FILE).open("ab") as f:
        f.write("7,05111000,Düsseldorf,40217,,Nordrhein-Westfalen\n".encode("latin-1"))
    with pytest.raises(CommandError, match=rf"{PLZ_AGS_FILE}, Zeile 6: Ungültige Zeichen"):
        run(*args)
