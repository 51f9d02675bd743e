from __future__ import annotations

import math
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from enrollment.models import InsuredPerson
from programs.models import Contract, Gemeinde, Kreis, PostalCode, PostalCodeGemeinde, Program, Regierungsbezirk
from programs.selectors import lookup_postal_code
from programs.services import ensure_aoks
from programs.validators import (
    bsnr_kv_region,
    ik_is_valid,
    kvnr_check_digit,
    kvnr_is_valid,
    lanr_check_digit,
    lanr_check_digit_ok,
    validate_bsnr,
)
from providers.models import ContractParticipation, Provider

pytestmark = pytest.mark.django_db

# (PLZ, place, Kreis, AGS, Gemeinde, population, lat, lon)
PLACES = [
    ("40213", "Düsseldorf", "05111", "05111000", "Düsseldorf", 620_523, 51.2249, 6.7757),
    ("40215", "Düsseldorf", "05111", "05111000", "Düsseldorf", 620_523, 51.2137, 6.7797),
    ("44135", "Dortmund", "05913", "05913000", "Dortmund", 588_250, 51.5142, 7.4684),
    ("77716", "Haslach im Kinzigtal", "08317", "08317043", "Haslach im Kinzigtal", 7_136, 48.2779, 8.0874),
]
KV_REGION = {"40213": "Nordrhein", "40215": "Nordrhein", "44135": "Westfalen-Lippe", "77716": "Baden-Württemberg"}


@pytest.fixture
def regions():
    ensure_aoks()
    Regierungsbezirk.objects.create(key="083", name="Reg.-Bez. Freiburg", land_id="BW")
    for key, name, land, regbez in [
        ("05111", "Düsseldorf, Stadt", "NW", "051"),
        ("05913", "Dortmund, Stadt", "NW", "059"),
        ("08317", "Ortenaukreis", "BW", "083"),
    ]:
        Kreis.objects.create(key=key, name=name, land_id=land, regierungsbezirk_id=regbez)
    for code, place, kreis, ags, gemeinde, population, lat, lon in PLACES:
        Gemeinde.objects.get_or_create(
            ags=ags,
            defaults={"name": gemeinde, "kreis_id": kreis, "population": population, "latitude": lat, "longitude": lon},
        )
        PostalCode.objects.create(
            code=code, place=place, kreis_id=kreis, land_id=kreis_land(kreis), latitude=lat, longitude=lon
        )
        PostalCodeGemeinde.objects.create(code=code, gemeinde_id=ags)


def kreis_land(kreis: str) -> str:
    return {"05": "NW", "08": "BW"}[kreis[:2]]


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_volume", *args, stdout=out)
    return out.getvalue()


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371 * math.hypot(dlat, dlon)


def test_generate_volume_creates_counts_with_valid_identifiers(regions):
    out = generate("--providers=300", "--insured=500", "--programs=12", "--seed=5")

    assert Provider.objects.count() == 300
    assert InsuredPerson.objects.count() == 500
    assert Program.objects.count() == 12
    assert Contract.objects.filter(program__program_type="dmp").values("fund").distinct().count() in (0, 11)
    assert ContractParticipation.objects.exists()
    assert "300 Leistungserbringer" in out and "Versicherte: 500 von 500 (100 %)" in out

    kvnrs = list(InsuredPerson.objects.values_list("kvnr", flat=True))
    assert len(set(kvnrs)) == 500
    assert all(kvnr_is_valid(k) for k in kvnrs)
    for provider in Provider.objects.all():
        if provider.lanr:
            assert lanr_check_digit_ok(provider.lanr), provider.lanr
            assert provider.lanr_warnings() == []
        if provider.bsnr:
            validate_bsnr(provider.bsnr)
            assert bsnr_kv_region(provider.bsnr) == KV_REGION[provider.postal_code]
        if provider.ik:
            assert ik_is_valid(provider.ik), provider.ik
        assert provider.lanr or provider.ik


def test_generate_volume_places_people_near_their_plz_with_the_responsible_fund(regions):
    generate("--providers=300", "--insured=300", "--programs=10", "--seed=6")

    centroids = {code: (lat, lon) for code, _p, _k, _a, _g, _pop, lat, lon in PLACES}
    fund_by_plz = {code: lookup_postal_code(code).funds[0].pk for code in centroids}
    for provider in Provider.objects.all():
        assert km(provider.latitude, provider.longitude, *centroids[provider.postal_code]) < 5
    for person in InsuredPerson.objects.all():
        assert person.fund_id == fund_by_plz[person.postal_code]
        assert person.gemeinde_id is not None
    for participation in ContractParticipation.objects.select_related("provider", "contract"):
        assert participation.contract.fund_id == fund_by_plz[participation.provider.postal_code]
        assert participation.valid_from >= participation.contract.valid_from


def test_generate_volume_weights_places_by_population(regions):
    generate("--insured=1000", "--seed=7")

    by_plz = {
        code: InsuredPerson.objects.filter(postal_code=code).count() for code in ("40213", "40215", "44135", "77716")
    }
    assert by_plz["77716"] < 30  # 0.6 % of the population
    assert 380 < by_plz["44135"] < 600  # 48.5 %
    assert 380 < by_plz["40213"] + by_plz["40215"] < 600  # 51 %, split over two PLZ


def test_generate_volume_is_reproducible_and_avoids_kvnr_collisions(regions):
    generate("--providers=40", "--insured=60", "--seed=9", "--batch-size=25")
    first = (
        list(Provider.objects.order_by("id").values_list("name", "postal_code", "lanr")),
        list(InsuredPerson.objects.order_by("id").values_list("kvnr", "last_name", "birth_date")),
    )
    Provider.objects.all().delete()
    InsuredPerson.objects.all().delete()
    generate("--providers=40", "--insured=60", "--seed=9", "--batch-size=25")
    again = (
        list(Provider.objects.order_by("id").values_list("name", "postal_code", "lanr")),
        list(InsuredPerson.objects.order_by("id").values_list("kvnr", "last_name", "birth_date")),
    )
    assert again == first

    generate("--insured=60", "--seed=9")  # same seed again: new, distinct KVNRs
    assert InsuredPerson.objects.values("kvnr").distinct().count() == 120


def test_generate_volume_without_plz_gemeinde_mapping_uses_all_postal_codes(regions):
    PostalCodeGemeinde.objects.all().delete()
    generate("--providers=20", "--insured=40", "--seed=3")
    assert InsuredPerson.objects.count() == 40
    assert not InsuredPerson.objects.filter(gemeinde__isnull=False).exists()


def test_generate_volume_needs_regions():
    with pytest.raises(CommandError, match="import_regions"):
        generate("--providers=1")


def test_check_digit_generators_agree_with_the_validators():
    assert kvnr_check_digit("A", "12345678") == "0"  # DOMAIN.md: A123456780
    assert kvnr_check_digit("B", "23456789") == "5"
    assert kvnr_check_digit("Z", "98765432") == "1"
    for six in ("000001", "123456", "654321", "999999", "314159"):
        assert lanr_check_digit_ok(six + lanr_check_digit(six) + "01")
        assert kvnr_is_valid("K" + six + "00" + kvnr_check_digit("K", six + "00"))
