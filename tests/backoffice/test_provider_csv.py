"""CSV import and export of providers and contract participations (providers/csv_io.py,
providers/admin_csv.py): all or nothing, every broken row with its line number, a preview
before anything is written, one import per confirmation, tenancy for participations, and an
export that imports again without changes."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from programs.validators import lanr_with_check_digit
from providers.csv_io import export_participations, export_providers, import_participations, import_providers
from providers.models import ContractParticipation, Provider
from tests.backoffice.conftest import staff_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LANR_1 = lanr_with_check_digit("123456", "01")
LANR_2 = lanr_with_check_digit("234567", "01")
LANR_BAD = LANR_1[:6] + str((int(LANR_1[6]) + 1) % 10) + LANR_1[7:]
HEADER = "art;name;lanr;bsnr;ik;fachgruppe;strasse;plz;ort;telefon;webseite;neue_patienten"


def providers_file(*lines: str, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")


GOOD = providers_file(
    f"gp;Praxis Dr. Berg;{LANR_1};;;Allgemeinmedizin;Hauptstraße 1;77716;Haslach im Kinzigtal;07832 1234;;ja",
    f"specialist;Praxis Dr. Tal;{LANR_2};;;Innere Medizin;Bahnhofstraße 2;01067;Dresden;;https://tal.example;nein",
)


def participations_file(*lines: str) -> bytes:
    return ("programm;kasse;lanr;ik;ab;bis\r\n" + "\r\n".join(lines) + "\r\n").encode("utf-8")


# --- the importer ------------------------------------------------------------------------------


def test_a_good_file_imports_and_a_second_import_changes_nothing(catalogue):
    before = Provider.objects.count()
    result = import_providers(GOOD)
    assert result.ok and (result.created, result.updated, result.unchanged) == (2, 0, 0) and result.written
    berg = Provider.objects.get(lanr=LANR_1)
    assert (berg.city, berg.land_id, berg.accepts_new_patients) == ("Haslach im Kinzigtal", "BW", True)
    assert round(berg.latitude, 3) == 48.278  # from the postal code
    assert Provider.objects.get(lanr=LANR_2).accepts_new_patients is False
    again = import_providers(GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Provider.objects.count() == before + 2


def test_one_broken_row_imports_nothing_and_every_broken_row_is_listed(catalogue):
    data = providers_file(
        f"gp;Praxis gut;{LANR_1};;;;Weg 1;77716;Haslach;;;ja",  # line 2: fine
        f"gp;Praxis Prüfziffer;{LANR_BAD};;;;Weg 2;77716;Haslach;;;ja",  # line 3
        f"gp;Praxis PLZ;{LANR_2};;;;Weg 3;12399;Nirgendwo;;;ja",  # line 4
        f"gp;Praxis doppelt;{LANR_1};;;;Weg 4;77716;Haslach;;;ja",  # line 5
        "zahnarzt;;;;;;;77716;;;;vielleicht",  # line 6
    )
    before = Provider.objects.count()
    result = import_providers(data)
    assert not result.ok and not result.written and Provider.objects.count() == before
    by_line = {}
    for error in result.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert set(by_line) == {3, 4, 5, 6}
    assert "Prüfziffer" in by_line[3][0]
    assert "Postleitzahl „12399“ ist unbekannt." in by_line[4]
    assert "doppelt in der Datei (wie Zeile 2)" in by_line[5]
    assert any("Art „zahnarzt“" in m for m in by_line[6]) and "Der Name fehlt." in by_line[6]
    assert any("LANR oder IK fehlt" in m for m in by_line[6]) and any("neue_patienten" in m for m in by_line[6])


def test_files_as_spreadsheets_write_them(catalogue):
    assert import_providers(providers_file(f"gp;Praxis;{LANR_1};;;;;77716;Haslach;;;", bom=False)).ok
    latin1 = providers_file(f"gp;Praxis Müller;{LANR_2};;;;;77716;Haslach;;;", bom=False).decode().encode("latin-1")
    result = import_providers(latin1)
    assert not result.ok and "UTF-8" in result.errors[0].message
    missing = import_providers(b"name;lanr\r\nPraxis;123\r\n")
    assert missing.errors[0].line == 1 and "Es fehlen Spalten: art" in missing.errors[0].message
    assert "Nullbytes" in import_providers(b"art;name\x00").errors[0].message


def test_participations_import_for_the_own_fund_only(catalogue, aoks):
    import_providers(GOOD)
    data = participations_file(
        f"hausarztprogramm-bw;aok-bw;{LANR_1};;01.04.2026;",
        f"curaplan-diabetes-typ-2;aok-plus;{LANR_2};;2026-01-01;31.12.2026",
    )
    refused = import_participations(data, fund_ids=[aoks["aok-bw"].pk])
    assert [(e.line, e.message) for e in refused.errors] == [(3, "Der Vertrag gehört nicht zu Ihrer Krankenkasse.")]
    assert not ContractParticipation.objects.filter(provider__lanr__in=[LANR_1, LANR_2]).exists()
    result = import_participations(data)  # the operator: every fund
    assert result.ok and result.created == 2
    unknown = import_participations(participations_file(f"gibt-es-nicht;aok-bw;{LANR_1};;01.04.2026;",
                                                        f"hausarztprogramm-bw;aok-bw;{LANR_BAD};;01.04.2026;",
                                                        f"hausarztprogramm-bw;aok-bw;{LANR_1};;31.02.2026;"))  # fmt: skip
    assert [e.line for e in unknown.errors] == [2, 3, 4]


def test_export_then_import_changes_nothing(catalogue):
    import_providers(GOOD)
    import_participations(participations_file(f"hausarztprogramm-bw;aok-bw;{LANR_1};;01.04.2026;30.06.2027"))
    providers = export_providers(Provider.objects.filter(lanr__in=[LANR_1, LANR_2]))
    assert providers.startswith("\ufeffart;name;lanr")
    again = import_providers(providers.encode("utf-8"))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    participations = export_participations(ContractParticipation.objects.filter(provider__lanr=LANR_1))
    assert f"hausarztprogramm-bw;aok-bw;{LANR_1};;01.04.2026;30.06.2027" in participations
    again = import_participations(participations.encode("utf-8"))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_the_command_lists_every_broken_row_and_writes_nothing(catalogue, tmp_path):
    path = tmp_path / "praxen.csv"
    path.write_bytes(providers_file(f"gp;A;{LANR_BAD};;;;;77716;Haslach;;;", f"gp;B;{LANR_2};;;;;12399;X;;;"))
    err = StringIO()
    with pytest.raises(CommandError, match="2 Fehler in 2 Zeilen – nichts importiert"):
        call_command("import_providers", str(path), stderr=err)
    assert "Zeile 2: LANR" in err.getvalue() and "Zeile 3: Postleitzahl" in err.getvalue()
    path.write_bytes(GOOD)
    out = StringIO()
    call_command("import_providers", str(path), "--dry-run", stdout=out)
    assert "[Probelauf] 2 Zeilen: 2 neu" in out.getvalue() and not Provider.objects.filter(lanr=LANR_1).exists()
    call_command("import_providers", str(path), stdout=StringIO())
    assert Provider.objects.filter(lanr__in=[LANR_1, LANR_2]).count() == 2


# --- the admin ---------------------------------------------------------------------------------


@pytest.fixture
def operator():
    """Shared provider master data is changed by the platform's operator (a superuser, docs/roles.md)."""
    return UserFactory(is_staff=True, is_superuser=True)


def upload(client, url, data: bytes, name: str = "datei.csv"):
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_admin_import_shows_a_preview_then_imports_once(client, catalogue, operator):
    client.force_login(operator)
    url = reverse("admin:providers_provider_csv_import")
    assert 'href="' + url + '"' in client.get(reverse("admin:providers_provider_changelist")).content.decode()
    preview = upload(client, url, GOOD)
    page = preview.content.decode()
    assert "2 Zeilen: 2 neu, 0 geändert, 0 unverändert. Noch ist nichts gespeichert." in page
    assert "Praxis Dr. Berg" in page and not Provider.objects.filter(lanr=LANR_1).exists()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    done = client.post(url, {"token": token})
    assert done.status_code == 302 and Provider.objects.filter(lanr__in=[LANR_1, LANR_2]).count() == 2
    twice = client.post(url, {"token": token}, follow=True)
    assert "bereits importiert" in twice.content.decode()
    assert Provider.objects.filter(lanr__in=[LANR_1, LANR_2]).count() == 2


def test_admin_import_with_a_broken_row_lists_it_and_offers_no_import(client, catalogue, operator):
    client.force_login(operator)
    data = providers_file(f"gp;Gut;{LANR_1};;;;;77716;Haslach;;;", f"gp;Falsch;{LANR_BAD};;;;;77716;Haslach;;;")
    page = upload(client, reverse("admin:providers_provider_csv_import"), data).content.decode()
    assert "1 Fehler – nichts wurde importiert" in page
    assert re.search(r"<td>3</td><td>LANR \d{9}: Prüfziffer", page)
    assert 'name="token"' not in page and not Provider.objects.filter(lanr=LANR_1).exists()


def test_a_fund_imports_participations_into_its_own_contracts_only(client, catalogue, aoks, roles):
    import_providers(GOOD)
    contracts_bw = staff_in(aoks["aok-bw"], "Vertragsmanagement", groups=roles)
    client.force_login(contracts_bw)
    # providers are the platform's master data: contract management may read, not import them
    assert client.get(reverse("admin:providers_provider_csv_import")).status_code == 403
    url = reverse("admin:providers_contractparticipation_csv_import")
    other_fund = participations_file(f"curaplan-diabetes-typ-2;aok-plus;{LANR_1};;01.04.2026;")
    page = upload(client, url, other_fund).content.decode()
    assert "Der Vertrag gehört nicht zu Ihrer Krankenkasse." in page and 'name="token"' not in page
    own = participations_file(f"hausarztprogramm-bw;aok-bw;{LANR_1};;01.04.2026;")
    token = re.search(r'name="token" value="([^"]+)"', upload(client, url, own).content.decode()).group(1)
    client.post(url, {"token": token})
    assert ContractParticipation.objects.filter(provider__lanr=LANR_1, contract__fund=aoks["aok-bw"]).count() == 1
    # the export holds the own fund's participations only
    export = client.get(reverse("admin:providers_contractparticipation_csv_export")).content.decode()
    assert "hausarztprogramm-bw;aok-bw" in export and "aok-plus" not in export


def test_a_preview_token_is_bound_to_the_person_who_uploaded(client, catalogue, operator):
    client.force_login(operator)
    url = reverse("admin:providers_provider_csv_import")
    token = re.search(r'name="token" value="([^"]+)"', upload(client, url, GOOD).content.decode()).group(1)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.post(url, {"token": token})
    assert not Provider.objects.filter(lanr=LANR_1).exists()


def test_many_changed_rows_are_updated_in_one_statement(catalogue):
    """From 500 changed rows on PostgreSQL the update goes through COPY and UPDATE … FROM
    (bulk_update took minutes for 20,000 rows); the values must land all the same."""
    lanrs = [lanr_with_check_digit(f"{300000 + n:06d}", "01") for n in range(600)]
    first = providers_file(*(f"gp;Praxis {n};{lanr};;;;;77716;Haslach;;;ja" for n, lanr in enumerate(lanrs)))
    assert import_providers(first).created == 600
    second = providers_file(*(f"gp;Praxis {n} neu;{lanr};;;;;01067;Dresden;;;nein" for n, lanr in enumerate(lanrs)))
    result = import_providers(second)
    assert result.updated == 600
    changed = Provider.objects.filter(lanr__in=lanrs)
    assert changed.filter(city="Dresden", land_id="SN", accepts_new_patients=False).count() == 600
    assert changed.get(lanr=lanrs[7]).name == "Praxis 7 neu"


def test_the_export_cannot_run_formulas_in_a_spreadsheet_and_imports_back(catalogue):
    """A name like '=HYPERLINK(…)' would run as a formula when the export is opened in Excel:
    such cells are written with a leading apostrophe, which the import takes off again."""
    assert import_providers(providers_file(f"gp;=HYPERLINK(1);{LANR_1};;;;;77716;Haslach;+49 7832 1;;ja")).ok
    export = export_providers(Provider.objects.filter(lanr=LANR_1))
    assert ";'=HYPERLINK(1);" in export and ";'+49 7832 1;" in export
    again = import_providers(export.encode("utf-8"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Provider.objects.get(lanr=LANR_1).phone == "+49 7832 1"
