"""`manage.py seed_demo`: the demo catalogue, providers and logins, idempotent and transactional."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from devdata import catalogue as demo
from devdata import enrollment as enrollment_demo
from devdata import reports as reports_demo
from devdata.data.accounts import DEMO_PASSWORD
from enrollment.models import InsuredPerson, LegalRepresentation
from programs.models import (
    Contract,
    DmpIndication,
    Fund,
    Gemeinde,
    Kreis,
    PostalCode,
    PostalCodeGemeinde,
    Program,
    ProgramType,
    StaffMembership,
)
from programs.selectors import lookup_postal_code
from programs.validators import bsnr_kv_region, ik_is_valid, kvnr_is_valid, lanr_check_digit_ok
from providers.models import ContractParticipation, Provider

pytestmark = pytest.mark.django_db

COUNTED = [Program, Contract, Provider, ContractParticipation, PostalCode, PostalCodeGemeinde, Gemeinde, Kreis,
           InsuredPerson, LegalRepresentation, StaffMembership, get_user_model()]  # fmt: skip


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    seed()


def test_seed_demo_twice_changes_nothing():
    seed()
    counts = {m.__name__: m.objects.count() for m in COUNTED}
    stamps = dict(Provider.objects.values_list("pk", "updated_at"))
    output = seed()
    assert {m.__name__: m.objects.count() for m in COUNTED} == counts
    assert dict(Provider.objects.values_list("pk", "updated_at")) == stamps
    assert " neu" in output and "0 geändert" in output
    result = demo.seed_demo(stdout=StringIO())
    assert all(t.created == 0 and t.updated == 0 and t.deleted == 0 for t in result.tallies.values()), result.tallies


def test_seed_demo_restores_edited_rows_from_the_data_files(seeded):
    program = Program.objects.get(slug="gesundes-kinzigtal")
    program.title = "geändert"
    program.save()
    program.region_gemeinden.remove("08317040")
    result = demo.seed_demo(stdout=StringIO())
    program.refresh_from_db()
    assert program.title.startswith("Gesundes Kinzigtal")
    assert program.region_gemeinden.filter(ags="08317040").exists()
    assert result.tallies["Programme"].updated == 1


def test_seed_demo_prints_summary_and_logins():
    output = seed()
    assert "Programme" in output and "Leistungserbringer" in output
    assert DEMO_PASSWORD in output
    for username in ("anna", "paul", "sachbearbeitung.bw", "sachbearbeitung.plus", "analyse.plus", "admin"):
        assert f"  {username} " in output


def test_seed_demo_creates_at_least_30_programs_with_valid_contracts(seeded):
    assert Program.objects.count() >= 30
    assert not Program.objects.annotate(n=Count("contracts")).filter(n=0).exists()
    for program in Program.objects.all():
        program.full_clean()
        assert program.title and program.summary and program.description and program.title_en and program.summary_en
    for contract in Contract.objects.select_related("program"):
        contract.full_clean()
        assert contract.version == "2026-1"
        assert contract.declaration_text and contract.consent_text and contract.revocation_instruction
        assert contract.program.title in contract.declaration_text


def test_seed_demo_offers_every_dmp_indication_by_all_11_aoks(seeded):
    dmps = Program.objects.filter(program_type=ProgramType.DMP)
    assert sorted(dmps.values_list("dmp_indication", flat=True)) == sorted(c.value for c in DmpIndication)
    for program in dmps:
        assert program.contracts.values("fund").distinct().count() == 11
        assert program.keywords and program.icd10_codes
    contract = Contract.objects.get(program__dmp_indication=DmpIndication.DIABETES_2, fund__slug="aok-plus")
    assert contract.revocation_days is None and contract.binding_months == 0
    assert "jederzeit" in contract.revocation_instruction
    assert "Zucker" in Program.objects.get(dmp_indication=DmpIndication.DIABETES_2).keywords
    assert "Herz" in Program.objects.get(dmp_indication=DmpIndication.KHK).keywords


def test_seed_demo_gives_each_aok_a_hausarztprogramm(seeded):
    hzv = Contract.objects.filter(program__program_type=ProgramType.HZV)
    assert Fund.objects.count() == 11
    assert set(hzv.values_list("fund__slug", flat=True)) == set(Fund.objects.values_list("slug", flat=True))
    for contract in hzv:
        assert contract.revocation_days == 14 and contract.binding_months == 12
        assert "§ 295a" in contract.consent_text
    assert {c.start_rule for c in hzv} >= {"next_quarter", "after_revocation"}
    bw = Program.objects.get(slug="hausarztprogramm-aok-bw")
    assert bw.excludes.filter(slug="hausarztprogramm-aok-plus").exists()


def test_seed_demo_restricts_kinzigtal_to_its_17_gemeinden(seeded):
    program = Program.objects.get(slug="gesundes-kinzigtal")
    gemeinden = set(program.region_gemeinden.values_list("name", flat=True))
    assert len(gemeinden) == 17
    assert {"Haslach im Kinzigtal", "Bad Rippoldsau-Schapbach", "Gengenbach", "Ohlsbach"} <= gemeinden
    assert "Offenburg" not in gemeinden
    assert not program.region_kreise.exists() and not program.region_lands.exists()


def test_seed_demo_sets_age_limits_and_prerequisites(seeded):
    mentalis = Program.objects.get(slug="mentalis-nachsorge")
    assert mentalis.min_age == 16 and "8 Wochen" in mentalis.conditions
    headache = Program.objects.get(slug="kopfschmerz-kinder-dresden")
    assert (headache.min_age, headache.max_age) == (10, 17)
    assert headache.contracts.get().fund.slug == "aok-plus"
    ivp = Program.objects.get(slug="ivp-pflegeheim")
    (required,) = ivp.prerequisites.all()
    assert required.program_type == ProgramType.HZV
    assert set(required.contracts.values_list("fund", flat=True)) == set(ivp.contracts.values_list("fund", flat=True))
    modell = Contract.objects.get(program__program_type=ProgramType.MODELL)
    assert modell.valid_until is not None and modell.valid_until > modell.valid_from


def test_seed_demo_providers_have_valid_identifiers(seeded):
    providers = list(Provider.objects.all())
    assert len(providers) >= 200
    for provider in providers:
        provider.full_clean()
        if provider.lanr:
            assert lanr_check_digit_ok(provider.lanr), provider.lanr
        if provider.bsnr:
            assert bsnr_kv_region(provider.bsnr) is not None
        if provider.ik:
            assert ik_is_valid(provider.ik)
    assert {p.kind for p in providers} >= {"gp", "specialist", "hospital", "care_home", "rehab", "psychotherapist"}
    assert any(not p.accepts_new_patients for p in providers)
    assert any(p.wheelchair_accessible for p in providers)
    cancer_centres = Provider.objects.filter(participations__contract__program__slug="ccc-integrativ")
    assert cancer_centres.count() == 4


def test_seed_demo_links_providers_to_their_own_funds_contracts(seeded):
    wrong = []
    funds_by_code: dict[str, list[Fund]] = {}
    for participation in ContractParticipation.objects.select_related(
        "provider", "contract__fund", "contract__program"
    ):
        code = participation.provider.postal_code
        if code not in funds_by_code:
            funds_by_code[code] = lookup_postal_code(code).funds
        if participation.contract.fund not in funds_by_code[code]:
            wrong.append((participation.provider.name, participation.contract))
    assert wrong == []
    near_haslach = Provider.objects.filter(
        postal_code__in=["77716", "77756", "77790", "77709"], kind="gp",
        participations__contract__program__slug="hausarztprogramm-aok-bw",
    ).distinct()  # fmt: skip
    assert near_haslach.count() >= 5
    dresden = Provider.objects.filter(
        city="Dresden", kind="gp", participations__contract__program__slug="hausarztprogramm-aok-plus"
    ).distinct()
    assert dresden.count() >= 5
    kinzigtal_ags = set(Program.objects.get(slug="gesundes-kinzigtal").region_gemeinden.values_list("ags", flat=True))
    for provider in Provider.objects.filter(participations__contract__program__slug="gesundes-kinzigtal"):
        assert PostalCodeGemeinde.objects.filter(code=provider.postal_code, gemeinde__in=kinzigtal_ags).exists()


def test_seed_demo_logins_work(seeded, client):
    usernames = ("anna", "paul", "sachbearbeitung.bw", "sachbearbeitung.plus", "vertrag.bw", "analyse.plus")
    for username in (*usernames, "kassenadmin.bw", "betrieb", "admin"):
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    staff = users.get(username="sachbearbeitung.bw")
    assert staff.is_staff and staff.membership.fund.slug == "aok-bw" and staff.membership.role == "staff"
    # Enrollment clerks: no contract management and no provider master data (backoffice.roles).
    assert not staff.has_perm("programs.change_contract") and not staff.has_perm("providers.add_provider")
    contracts = users.get(username="vertrag.bw")
    assert contracts.has_perm("programs.change_contract") and contracts.has_perm("providers.add_contractparticipation")
    assert not contracts.has_perm("enrollment.view_insuredperson")
    analyst = users.get(username="analyse.plus")
    assert analyst.membership.fund.slug == "aok-plus" and analyst.membership.role == "analyst"
    assert analyst.has_perm("programs.view_contract") and not analyst.has_perm("programs.change_contract")
    assert not analyst.has_perm("enrollment.view_insuredperson")  # analysts see no personal data
    assert staff.has_perm("enrollment.change_insuredperson") and not staff.has_perm("programs.change_fund")
    assert not users.get(username="anna").is_staff


def test_seed_demo_paul_represents_mia_and_leon(seeded):
    paul = InsuredPerson.objects.get(user__username="paul")
    assert (paul.kvnr, paul.postal_code, paul.fund.slug) == ("B234567895", "01067", "aok-plus")
    children = {r.represented.first_name: r.represented for r in paul.represents.select_related("represented")}
    assert set(children) == {"Mia", "Leon"}
    assert children["Mia"].birth_date == dt.date(2016, 6, 1) and children["Leon"].birth_date == dt.date(2010, 2, 15)
    for child in children.values():
        assert kvnr_is_valid(child.kvnr) and child.user is None and child.fund == paul.fund
    anna = InsuredPerson.objects.get(user__username="anna")
    assert (anna.kvnr, anna.postal_code, anna.land_id, anna.fund.slug) == ("A123456780", "77716", "BW", "aok-bw")


@pytest.mark.parametrize(
    ("code", "fund"),
    [("77716", "aok-bw"), ("01067", "aok-plus"), ("44135", "aok-nordwest"), ("50667", "aok-rheinland-hamburg"),
     ("40210", "aok-rheinland-hamburg"), ("70173", "aok-bw"), ("10115", "aok-nordost")],
)  # fmt: skip
def test_seed_demo_drives_postal_code_lookup(seeded, code, fund):
    lookup = lookup_postal_code(code)
    assert [f.slug for f in lookup.funds] == [fund]
    assert not lookup.is_ambiguous


def test_seed_demo_has_postal_codes_crossing_borders(seeded):
    assert {f.slug for f in lookup_postal_code("69434").funds} == {"aok-bw", "aok-hessen"}
    assert lookup_postal_code("22145").is_ambiguous
    same_fund = lookup_postal_code("07919")  # Sachsen and Thüringen, both AOK PLUS
    assert same_fund.land_codes == ["SN", "TH"] and not same_fund.is_ambiguous


def test_seed_demo_leaves_imported_regions_alone():
    """Rows from the full import (other names, other places for a PLZ) survive unchanged."""
    from programs.services import ensure_aoks

    ensure_aoks()
    Kreis.objects.create(key="14612", name="Dresden, Stadt (Import)", land_id="SN")
    PostalCode.objects.create(code="01067", place="Dresden Innere Altstadt", land_id="SN", kreis_id="14612",
                              latitude=51.0507, longitude=13.7366)  # fmt: skip
    seed()
    assert Kreis.objects.get(key="14612").name == "Dresden, Stadt (Import)"
    assert list(PostalCode.objects.filter(code="01067").values_list("place", flat=True)) == ["Dresden Innere Altstadt"]
    assert [f.slug for f in lookup_postal_code("01067").funds] == ["aok-plus"]


def test_seed_demo_seeds_participations_and_reports_after_the_catalogue(monkeypatch):
    calls = []
    for module, function in [(enrollment_demo, "seed_enrollment_demo"), (reports_demo, "seed_report_demo")]:
        monkeypatch.setattr(
            module, function, lambda stdout, name=module.__name__: calls.append((name, Program.objects.count() > 0))
        )
    result = demo.seed_demo(stdout=StringIO())
    assert calls == [("devdata.enrollment", True), ("devdata.reports", True)]
    assert len(result.steps) == 2


def test_seed_demo_is_all_or_nothing(monkeypatch):
    def failing_step(stdout):
        raise RuntimeError("step failed")

    monkeypatch.setattr(enrollment_demo, "seed_enrollment_demo", failing_step)
    with pytest.raises(RuntimeError):
        demo.seed_demo(stdout=StringIO())
    assert Program.objects.count() == 0 and Provider.objects.count() == 0 and not get_user_model().objects.exists()


def test_seed_demo_runs_in_a_few_seconds():
    result = demo.seed_demo(stdout=StringIO())
    assert result.seconds < 15, result.seconds
