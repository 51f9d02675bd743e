"""A small, realistic catalogue for the catalogue tests (programs, providers, browser).

Use as a fixture: ``from tests.programs.catalogue_fixtures import catalogue  # noqa: F401``.
Places: 77716 Haslach im Kinzigtal (BW, Ortenaukreis), 77652 Offenburg (BW), 01067 Dresden
(SN), 99084 Erfurt (TH) and 88888, a made-up PLZ crossing BW/BY (two places, two AOKs).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from programs.models import (
    Contract,
    DmpIndication,
    Fund,
    Gemeinde,
    Kreis,
    Land,
    PostalCode,
    PostalCodeGemeinde,
    Program,
    ProgramType,
    StartRule,
)
from providers.models import ContractParticipation, Provider, ProviderKind

VALID_FROM = dt.date(2024, 1, 1)


def make_program(slug: str, title: str, program_type: str = ProgramType.BESONDERE, *, funds=(), **fields) -> Program:
    program = Program.objects.create(
        slug=slug,
        title=title,
        summary=fields.pop("summary", f"{title}: strukturierte Versorgung."),
        program_type=program_type,
        **fields,
    )
    for fund in funds:
        make_contract(program, fund)
    return program


def make_contract(program: Program, fund: Fund, **fields) -> Contract:
    defaults = {
        "valid_from": VALID_FROM,
        "declaration_text": "Ich erkläre meine Teilnahme.",
        "revocation_instruction": "Sie können binnen zwei Wochen widerrufen.",
    }
    if program.program_type == ProgramType.DMP:
        defaults.update(revocation_days=None, binding_months=0, renewal_months=0, start_rule=StartRule.NEXT_DAY)
    defaults.update(fields)
    return Contract.objects.create(program=program, fund=fund, **defaults)


def make_provider(name: str, lat: float, lon: float, *, contracts=(), **fields) -> Provider:
    fields.setdefault("kind", ProviderKind.GP_PRACTICE)
    fields.setdefault("postal_code", "77716")
    fields.setdefault("city", "Haslach im Kinzigtal")
    provider = Provider.objects.create(name=name, latitude=lat, longitude=lon, **fields)
    for contract in contracts:
        ContractParticipation.objects.create(provider=provider, contract=contract, valid_from=VALID_FROM)
    return provider


def build_catalogue(aoks: dict[str, Fund]) -> SimpleNamespace:
    bw, plus, bayern = aoks["aok-bw"], aoks["aok-plus"], aoks["aok-bayern"]
    ortenau = Kreis.objects.create(key="08317", name="Ortenaukreis", land_id="BW")
    konstanz = Kreis.objects.create(key="08335", name="Konstanz", land_id="BW")
    dresden_kreis = Kreis.objects.create(key="14612", name="Dresden, Stadt", land_id="SN")
    erfurt_kreis = Kreis.objects.create(key="16051", name="Erfurt, Stadt", land_id="TH")
    aschaffenburg = Kreis.objects.create(key="09671", name="Aschaffenburg", land_id="BY")
    haslach = Gemeinde.objects.create(ags="08317043", name="Haslach im Kinzigtal", kreis=ortenau)
    hausach = Gemeinde.objects.create(ags="08317044", name="Hausach", kreis=ortenau)
    offenburg = Gemeinde.objects.create(ags="08317096", name="Offenburg", kreis=ortenau)
    dresden = Gemeinde.objects.create(ags="14612000", name="Dresden", kreis=dresden_kreis)
    for code, place, land, kreis, lat, lon, gemeinde in [
        ("77716", "Haslach im Kinzigtal", "BW", ortenau, 48.2783, 8.0874, haslach),
        ("77756", "Hausach", "BW", ortenau, 48.2844, 8.1764, hausach),
        ("77652", "Offenburg", "BW", ortenau, 48.4708, 7.9408, offenburg),
        ("78462", "Konstanz", "BW", konstanz, 47.6603, 9.1758, None),
        ("01067", "Dresden", "SN", dresden_kreis, 51.0577, 13.7207, dresden),
        ("99084", "Erfurt", "TH", erfurt_kreis, 50.9787, 11.0328, None),
        ("88888", "Grenzdorf", "BW", konstanz, 47.70, 9.10, None),
        ("88888", "Grenzweiler", "BY", aschaffenburg, 47.71, 9.11, None),
    ]:
        PostalCode.objects.create(code=code, place=place, land_id=land, kreis=kreis, latitude=lat, longitude=lon)
        if gemeinde is not None:
            PostalCodeGemeinde.objects.create(code=code, gemeinde=gemeinde)

    hzv = make_program(
        "hausarztprogramm-bw",
        "Hausarztprogramm AOK Baden-Württemberg",
        ProgramType.HZV,
        funds=[bw],
        summary="Ihre Hausarztpraxis als erste Anlaufstelle.",
        keywords="Hausarzt, Hausärztin",
    )
    dmp_diabetes = make_program(
        "curaplan-diabetes-typ-2",
        "AOK-Curaplan Diabetes mellitus Typ 2",
        ProgramType.DMP,
        dmp_indication=DmpIndication.DIABETES_2,
        funds=[bw, plus],
        summary="Strukturierte Behandlung bei Diabetes mellitus Typ 2.",
        conditions="Diabetes mellitus Typ 2",
    )
    dmp_brustkrebs = make_program(
        "curaplan-brustkrebs",
        "AOK-Curaplan Brustkrebs",
        ProgramType.DMP,
        dmp_indication=DmpIndication.BRUSTKREBS,
        funds=[bw],
    )
    dmp_khk = make_program(
        "curaplan-khk",
        "AOK-Curaplan Koronare Herzkrankheit",
        ProgramType.DMP,
        dmp_indication=DmpIndication.KHK,
        funds=[bw],
    )
    dmp_herzinsuffizienz = make_program(
        "curaplan-herzinsuffizienz",
        "AOK-Curaplan Chronische Herzinsuffizienz",
        ProgramType.DMP,
        dmp_indication=DmpIndication.HERZINSUFFIZIENZ,
        funds=[bw],
    )
    kinzigtal = make_program(
        "gesundes-kinzigtal",
        "Gesundes Kinzigtal",
        ProgramType.REGIONAL,
        funds=[bw],
        summary="Vernetzte Vollversorgung im Kinzigtal.",
        region_note="der 17 Gemeinden des Kinzigtals",
    )
    kinzigtal.region_gemeinden.set([haslach, hausach])
    ruecken = make_program(
        "ruecken-aktiv",
        "Rücken aktiv Rottenburg",
        funds=[bw],
        summary="Bewegungstherapie für den Rücken.",
        keywords="Rücken, Wirbelsäule",
        online_enrollment=False,
    )
    mentalis = make_program(
        "mentalis",
        "mentalis – Nachsorge nach psychiatrischer Klinik",
        funds=[bw],
        min_age=16,
        summary="Begleitung nach einem Klinikaufenthalt, Depression und andere psychische Erkrankungen.",
    )
    kopfschmerz = make_program(
        "kopfschmerz-kinder-dresden",
        "Kopfschmerzprogramm für Kinder",
        funds=[plus],
        min_age=10,
        max_age=17,
        summary="Hilfe bei Kopfschmerzen und Migräne für Kinder und Jugendliche.",
    )
    kopfschmerz.region_kreise.set([dresden_kreis])
    ivp = make_program(
        "ivp-pflegeheimnetz",
        "IVP Pflegeheimnetz",
        funds=[bw],
        summary="Ärztliche Versorgung im Pflegeheim.",
    )
    ivp.prerequisites.set([hzv])
    ccc = make_program(
        "ccc-integrativ",
        "CCC Integrativ",
        funds=[bw],
        summary="Integrative Medizin an vier onkologischen Spitzenzentren.",
        keywords="Tumor, Onkologie",
    )
    watch = make_program(
        "watch-long-covid",
        "WATCH – mobile Long-Covid-Versorgung",
        ProgramType.MODELL,
        funds=[plus],
        summary="Ein Bus bringt Diagnostik zu Menschen mit Long-/Post-Covid.",
    )
    watch.region_lands.set(Land.objects.filter(code="TH"))
    bayern_only = make_program(
        "bayern-programm", "Venenzentrum Bayern", funds=[bayern], summary="Venen und Krampfadern."
    )
    expired = make_program("abgelaufen", "Abgelaufenes Programm", summary="Früher einmal.")
    make_contract(expired, bw, valid_from=dt.date(2015, 1, 1), valid_until=dt.date(2016, 12, 31))
    unpublished = make_program("entwurf", "Entwurf eines Programms", funds=[bw], is_published=False)

    hzv_contract = hzv.contracts.get()
    providers = [
        make_provider("Praxis Dr. Nah", 48.2790, 8.0880, contracts=[hzv_contract], wheelchair_accessible=True),
        make_provider("Praxis Dr. Mittel", 48.3100, 8.1200, contracts=[hzv_contract], accepts_new_patients=False),
        make_provider(
            "Kardiologie Offenburg",
            48.4700,
            7.9400,
            kind=ProviderKind.SPECIALIST,
            fachgruppe="Innere Medizin und Kardiologie",
            postal_code="77652",
            city="Offenburg",
            contracts=[hzv_contract, dmp_khk.contracts.get()],
        ),
        make_provider(
            "Praxis Konstanz", 47.6600, 9.1700, contracts=[hzv_contract], postal_code="78462", city="Konstanz"
        ),
        make_provider("Praxis ohne Vertrag", 48.2785, 8.0875),
    ]
    return SimpleNamespace(
        aoks=aoks,
        bw=bw,
        plus=plus,
        bayern=bayern,
        kreise={"ortenau": ortenau, "konstanz": konstanz, "dresden": dresden_kreis, "erfurt": erfurt_kreis},
        gemeinden={"haslach": haslach, "hausach": hausach, "offenburg": offenburg, "dresden": dresden},
        hzv=hzv,
        dmp_diabetes=dmp_diabetes,
        dmp_brustkrebs=dmp_brustkrebs,
        dmp_khk=dmp_khk,
        dmp_herzinsuffizienz=dmp_herzinsuffizienz,
        kinzigtal=kinzigtal,
        ruecken=ruecken,
        mentalis=mentalis,
        kopfschmerz=kopfschmerz,
        ivp=ivp,
        ccc=ccc,
        watch=watch,
        bayern_only=bayern_only,
        expired=expired,
        unpublished=unpublished,
        providers=providers,
    )


@pytest.fixture
def catalogue(aoks) -> SimpleNamespace:
    return build_catalogue(aoks)
