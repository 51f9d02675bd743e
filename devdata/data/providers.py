"""Plan for the demo providers; `devdata.catalogue` turns it into rows with a seeded RNG.

Practices are invented (names from the lists below, which form no real person's name on
purpose); their LANR, BSNR and address are generated. Institutions named in the sources
(hospitals, cancer centres, contract partners) keep their real name and town but get no
street: the demo does not claim to know their address. Invented institutions carry
generic names.
"""

from __future__ import annotations

FIRST_NAMES = [
    "Anja", "Andreas", "Barbara", "Bernd", "Carina", "Christoph", "Daniela", "Dirk", "Elena", "Emre",
    "Franziska", "Florian", "Gabriele", "Georg", "Hanna", "Henrik", "Ines", "Jan", "Julia", "Jonas",
    "Katrin", "Klaus", "Lea", "Lukas", "Maria", "Markus", "Nadine", "Nils", "Olga", "Oliver",
    "Petra", "Philipp", "Ramona", "Robert", "Sabine", "Stefan", "Tanja", "Thomas", "Ulrike", "Volker",
    "Yasemin", "Zoran",
]  # fmt: skip

LAST_NAMES = [
    "Albrecht", "Bauer", "Brandt", "Demir", "Dietrich", "Eberle", "Engel", "Fischer", "Frey", "Graf",
    "Haas", "Hahn", "Hartmann", "Hoffmann", "Huber", "Jung", "Kaiser", "Keller", "Klein", "Koch",
    "Kovač", "Krämer", "Kuhn", "Lang", "Lehmann", "Lorenz", "Maier", "Martin", "Meyer", "Möller",
    "Neumann", "Nowak", "Ott", "Pohl", "Richter", "Roth", "Schäfer", "Schmid", "Schneider", "Schulz",
    "Seidel", "Sommer", "Stein", "Vogel", "Wagner", "Walter", "Weber", "Winkler", "Wolf", "Yılmaz",
    "Zimmermann", "Ziegler",
]  # fmt: skip

STREETS = [
    "Hauptstraße", "Bahnhofstraße", "Kirchstraße", "Schulstraße", "Gartenstraße", "Lindenstraße",
    "Marktplatz", "Bergstraße", "Mühlenweg", "Rosenstraße", "Friedrichstraße", "Am Stadtpark",
    "Poststraße", "Wilhelmstraße", "Talstraße", "Ringstraße", "Goethestraße", "Schillerstraße",
]  # fmt: skip

# key: (kind, fachgruppe, LANR Arztgruppe (digits 8-9), name pattern, DMP indications it usually treats)
SPECIALTIES: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {
    "gp": ("gp", "Allgemeinmedizin", "01", "Hausarztpraxis {doctor}", ("01", "03", "05", "06", "07", "08", "09", "11", "12")),
    "gp_homeo": ("gp", "Allgemeinmedizin", "01", "Hausarztpraxis {doctor}", ("01", "03", "05", "09")),
    "internal_gp": ("gp", "Innere Medizin (hausärztlich)", "03", "Hausärztlich-internistische Praxis {doctor}", ("01", "03", "06", "07", "12")),
    "paed": ("gp", "Kinder- und Jugendmedizin", "34", "Kinder- und Jugendarztpraxis {doctor}", ("04", "05")),
    "diabetology": ("specialist", "Innere Medizin – Diabetologie", "25", "Diabetologische Schwerpunktpraxis {doctor}", ("01", "04")),
    "cardiology": ("specialist", "Innere Medizin – Kardiologie", "28", "Kardiologische Praxis {doctor}", ("03", "07")),
    "pneumology": ("specialist", "Innere Medizin – Pneumologie", "30", "Lungenfachärztliche Praxis {doctor}", ("05", "06")),
    "gynecology": ("specialist", "Frauenheilkunde und Geburtshilfe", "15", "Frauenarztpraxis {doctor}", ("02", "11")),
    "rheumatology": ("specialist", "Innere Medizin – Rheumatologie", "31", "Rheumatologische Praxis {doctor}", ("10",)),
    "ortho": ("specialist", "Orthopädie und Unfallchirurgie", "10", "Orthopädische Praxis {doctor}", ("09", "11")),
    "angiology": ("specialist", "Innere Medizin – Angiologie", "24", "Gefäßmedizinische Praxis {doctor}", ()),
    "psychiatry": ("specialist", "Psychiatrie und Psychotherapie", "58", "Praxis für Psychiatrie {doctor}", ("08",)),
    "psychotherapist": ("psychotherapist", "Psychologische Psychotherapie", "68", "Psychotherapeutische Praxis {person}", ("08",)),
    "psychotherapist_kj": ("psychotherapist", "Kinder- und Jugendlichenpsychotherapie", "69", "Praxis für Kinder- und Jugendlichenpsychotherapie {person}", ()),
}  # fmt: skip

SPECIALTY_NOTES = {
    "gp_homeo": "Homöopathie; Anthroposophische Medizin",
    "paed": "Kinder und Jugendliche",
    "diabetology": "Diabetesschulungen; Insulinpumpen",
    "psychotherapist": "Verhaltenstherapie",
    "psychotherapist_kj": "Kinder und Jugendliche",
}

# Gemeinde (AGS) → specialty key → number of practices. Dense around 77716 Haslach and
# 01067 Dresden (the demo accounts live there), enough everywhere else to search.
PRACTICES: list[tuple[str, dict[str, int]]] = [
    # Kinzigtal and Ortenau
    ("08317040", {"gp": 3, "internal_gp": 1, "paed": 1, "psychotherapist": 1, "ortho": 1, "cardiology": 1}),  # Haslach
    ("08317046", {"gp": 1}), ("08317029", {"gp": 1}), ("08317129", {"gp": 1}),
    ("08317041", {"gp": 2, "gynecology": 1}), ("08317145", {"gp": 2, "psychiatry": 1}), ("08317093", {"gp": 1}),
    ("08317146", {"gp": 2, "diabetology": 1}), ("08317034", {"gp": 2, "pneumology": 1}), ("08317011", {"gp": 1}),
    ("08317051", {"gp": 1}), ("08317088", {"gp": 1}), ("08317085", {"gp": 1}), ("08317039", {"gp": 1}),
    ("08317078", {"gp": 1}), ("08317097", {"gp": 1}), ("08237075", {"gp": 1}),
    ("08317096", {"gp": 3, "paed": 1, "cardiology": 1, "rheumatology": 1}),  # Offenburg (outside the Kinzigtal region)
    # Baden-Württemberg program regions
    ("08111000", {"gp": 6, "internal_gp": 2, "paed": 2, "angiology": 2, "cardiology": 1, "diabetology": 1,
                  "ortho": 1, "psychiatry": 1, "psychotherapist": 2, "gynecology": 1}),  # Stuttgart
    ("08116019", {"gp": 3, "angiology": 1, "paed": 1}),  # Esslingen
    ("08221000", {"gp": 4, "paed": 1, "cardiology": 1, "gynecology": 1, "psychotherapist": 1}),  # Heidelberg
    ("08226013", {"gp": 1}), ("06431012", {"gp": 1}),  # Eberbach, Hirschhorn (PLZ 69434 crosses the border)
    ("08135019", {"gp": 2, "gp_homeo": 2}),  # Heidenheim
    ("08335043", {"gp": 2, "psychiatry": 1, "psychotherapist": 2}), ("08335075", {"gp": 2}),
    ("08335063", {"gp": 1}), ("08335066", {"gp": 1}),  # Landkreis Konstanz
    ("08136088", {"gp": 2, "psychotherapist": 2, "psychiatry": 1}), ("08136065", {"gp": 2, "psychotherapist": 1}),
    ("08136019", {"gp": 1}),  # Ostalbkreis
    ("08416036", {"gp": 2, "ortho": 2}), ("08416041", {"gp": 2, "ortho": 1}),  # Rottenburg, Tübingen
    ("08325049", {"gp": 2, "ortho": 2}), ("08325045", {"gp": 1, "ortho": 1}),  # Rottweil, Oberndorf
    ("08311000", {"gp": 2, "gynecology": 1}), ("08421000", {"gp": 2, "gynecology": 1}),  # Freiburg, Ulm
    # Sachsen and Thüringen
    ("14612000", {"gp": 6, "internal_gp": 2, "paed": 3, "diabetology": 1, "cardiology": 1, "pneumology": 1,
                  "gynecology": 1, "rheumatology": 1, "ortho": 1, "psychiatry": 1, "psychotherapist": 2,
                  "psychotherapist_kj": 2}),  # Dresden
    ("14713000", {"gp": 3, "internal_gp": 1, "paed": 1, "cardiology": 1}),  # Leipzig
    ("14523310", {"gp": 1}),  # Pausa-Mühltroff (PLZ 07919 crosses into Thüringen)
    ("16053000", {"gp": 3, "psychotherapist": 2, "pneumology": 1, "paed": 1}),  # Jena
    ("16051000", {"gp": 3, "diabetology": 1, "paed": 1}),  # Erfurt
    ("16055000", {"gp": 2}), ("16052000", {"gp": 2}), ("16071001", {"gp": 1}), ("16073076", {"gp": 1}),
    ("16073077", {"gp": 1}), ("16075085", {"gp": 1}),
    # Nordrhein-Westfalen (split between two AOKs)
    ("05913000", {"gp": 3, "paed": 1, "pneumology": 1, "rheumatology": 1}),  # Dortmund
    ("05315000", {"gp": 4, "paed": 1, "diabetology": 1, "psychotherapist": 1}),  # Köln
    ("05111000", {"gp": 3, "cardiology": 1, "paed": 1}),  # Düsseldorf
    # the other Land capitals
    ("09162000", {"gp": 3, "paed": 1, "cardiology": 1}), ("11000000", {"gp": 4, "paed": 1, "diabetology": 1, "psychotherapist": 1}),
    ("12054000", {"gp": 2}), ("04011000", {"gp": 2, "paed": 1}), ("02000000", {"gp": 3, "paed": 1}),
    ("01062071", {"gp": 1}),  # Stapelfeld (PLZ 22145 crosses into Hamburg)
    ("06414000", {"gp": 2}), ("13004000", {"gp": 2}), ("03241001", {"gp": 3, "internal_gp": 1, "paed": 1}),
    ("07315000", {"gp": 2}), ("10041100", {"gp": 2}), ("15003000", {"gp": 2, "paed": 1}), ("01002000", {"gp": 2}),
]  # fmt: skip

# Practice specialties that join a regional contract when they sit in its region.
REGIONAL_CONTRACTS: dict[str, tuple[str, ...]] = {
    "gesundes-kinzigtal": ("gp", "internal_gp", "paed", "ortho", "cardiology", "gynecology", "psychiatry",
                           "psychotherapist", "diabetology", "pneumology"),
    "genial-heidelberg": ("gp", "internal_gp"),
    "ivp-pflegeheim": ("gp", "internal_gp"),  # only practices that take part in the AOK BW Hausarztprogramm
    "homoeotherapie-heidenheim": ("gp_homeo",),
    "sucht-landkreis-konstanz": ("gp", "psychiatry", "psychotherapist"),
    "essstoerungen-ostalbkreis": ("gp", "psychiatry", "psychotherapist"),
    "rueckenschmerz-rottenburg": ("ortho",),
    "orthopaedie-rottweil-oberndorf": ("ortho",),
    "venen-stuttgart": ("angiology",),
    "watch-long-covid-thueringen": ("gp", "psychotherapist", "pneumology"),
    "kopfschmerz-kinder-dresden": ("paed", "psychotherapist_kj"),
    "gemeindepflege-hannover": ("gp", "internal_gp"),
}  # fmt: skip

# Regional contracts a practice joins only inside a smaller area than the program's region,
# and those that need the practice's participation in the fund's Hausarztprogramm.
REGIONAL_AREAS: dict[str, tuple[str, ...]] = {"ivp-pflegeheim": ("08111", "08116")}  # Stuttgart, Esslingen
REQUIRES_HZV = {"ivp-pflegeheim"}

# Institutions: name, kind, Gemeinde (AGS), optional postal_code (else the Gemeinde's first), fachgruppe,
# the contracts (program slugs) they take part in, and "real" for institutions named in the sources.
INSTITUTIONS: list[dict] = [
    {"name": "Bethanien-Krankenhaus Heidelberg – Geriatrisches Zentrum", "kind": "hospital", "gemeinde": "08221000",
     "fachgruppe": "Geriatrie", "contracts": ["genial-heidelberg"], "real": True},
    {"name": "Belegklinik für Homöotherapie am Klinikum Heidenheim", "kind": "hospital", "gemeinde": "08135019",
     "fachgruppe": "Innere Medizin; Homöopathie", "contracts": ["homoeotherapie-heidenheim"], "real": True},
    {"name": "Gesundes Kinzigtal GmbH – Gesundheitsmanagement", "kind": "mvz", "gemeinde": "08317040",
     "fachgruppe": "Koordination und Prävention", "contracts": ["gesundes-kinzigtal"], "real": True},
    {"name": "Ortenau Klinikum Wolfach", "kind": "hospital", "gemeinde": "08317145",
     "fachgruppe": "Innere Medizin; Chirurgie", "contracts": ["gesundes-kinzigtal"], "real": True},
    {"name": "Zentrum für Psychiatrie Reichenau", "kind": "hospital", "gemeinde": "08335066",
     "fachgruppe": "Psychiatrie; Suchtmedizin", "contracts": ["sucht-landkreis-konstanz"], "real": True},
    {"name": "Winghofer Medicum", "kind": "mvz", "gemeinde": "08416036",
     "fachgruppe": "Wirbelsäulenchirurgie", "contracts": ["rueckenschmerz-rottenburg"], "real": True},
    {"name": "Orthoklinik Rottweil", "kind": "hospital", "gemeinde": "08325049",
     "fachgruppe": "Orthopädie; Gelenkchirurgie", "contracts": ["orthopaedie-rottweil-oberndorf"], "real": True},
    {"name": "Städtisches Krankenhaus Oberndorf", "kind": "hospital", "gemeinde": "08325045",
     "fachgruppe": "Chirurgie; Orthopädie", "contracts": ["orthopaedie-rottweil-oberndorf"], "real": True},
    {"name": "Marienhospital Stuttgart", "kind": "hospital", "gemeinde": "08111000", "postal_code": "70199",
     "fachgruppe": "Gefäßchirurgie; Innere Medizin", "contracts": ["venen-stuttgart"], "real": True},
    {"name": "EHS Medizintechnik", "kind": "devices", "gemeinde": "08111000",
     "fachgruppe": "Medizintechnik", "contracts": ["venen-stuttgart"], "real": True},
    {"name": "Comprehensive Cancer Center Heidelberg", "kind": "hospital", "gemeinde": "08221000", "postal_code": "69120",
     "fachgruppe": "Onkologie", "contracts": ["ccc-integrativ"], "real": True},
    {"name": "Comprehensive Cancer Center Tübingen-Stuttgart", "kind": "hospital", "gemeinde": "08416041", "postal_code": "72076",
     "fachgruppe": "Onkologie", "contracts": ["ccc-integrativ"], "real": True},
    {"name": "Comprehensive Cancer Center Ulm", "kind": "hospital", "gemeinde": "08421000", "postal_code": "89081",
     "fachgruppe": "Onkologie", "contracts": ["ccc-integrativ"], "real": True},
    {"name": "Comprehensive Cancer Center Freiburg", "kind": "hospital", "gemeinde": "08311000", "postal_code": "79106",
     "fachgruppe": "Onkologie", "contracts": ["ccc-integrativ"], "real": True},
    {"name": "Universitätsklinikum Jena", "kind": "hospital", "gemeinde": "16053000", "postal_code": "07747",
     "fachgruppe": "Post-Covid-Ambulanz", "contracts": ["watch-long-covid-thueringen"], "real": True},
    {"name": "PoCo-Bus – mobile Post-Covid-Ambulanz", "kind": "mvz", "gemeinde": "16053000", "postal_code": "07747",
     "fachgruppe": "Post-Covid-Versorgung (mobil)", "contracts": ["watch-long-covid-thueringen"], "real": True},
    {"name": "Universitätsklinikum Carl Gustav Carus Dresden", "kind": "hospital", "gemeinde": "14612000", "postal_code": "01307",
     "fachgruppe": "Kinder- und Jugendmedizin; Schmerzmedizin", "contracts": ["kopfschmerz-kinder-dresden"], "real": True},
    # invented institutions
    {"name": "MVZ Strahlentherapie Dresden-Ost", "kind": "mvz", "gemeinde": "14612000", "postal_code": "01309",
     "fachgruppe": "Strahlentherapie", "contracts": ["stereotaktische-strahlentherapie"]},
    {"name": "Radioonkologisches Zentrum Leipzig-Mitte", "kind": "mvz", "gemeinde": "14713000",
     "fachgruppe": "Strahlentherapie", "contracts": ["stereotaktische-strahlentherapie"]},
    {"name": "Praxis für Strahlentherapie am Petersberg", "kind": "specialist", "gemeinde": "16051000",
     "fachgruppe": "Strahlentherapie", "contracts": ["stereotaktische-strahlentherapie"]},
    {"name": "Klinik für Psychiatrie und Psychotherapie Neckartal", "kind": "hospital", "gemeinde": "08116019",
     "fachgruppe": "Psychiatrie; Psychosomatik", "contracts": ["mentalis-nachsorge"]},
    {"name": "Psychosomatische Fachklinik am Untersee", "kind": "hospital", "gemeinde": "08335063",
     "fachgruppe": "Psychosomatik", "contracts": ["mentalis-nachsorge", "sucht-landkreis-konstanz"]},
    {"name": "Psychiatrische Tagesklinik Heidelberg-Weststadt", "kind": "hospital", "gemeinde": "08221000", "postal_code": "69115",
     "fachgruppe": "Psychiatrie (teilstationär)", "contracts": ["mentalis-nachsorge"]},
    {"name": "Psychiatrische Tagesklinik Aalen", "kind": "hospital", "gemeinde": "08136088",
     "fachgruppe": "Psychiatrie (teilstationär)", "contracts": ["mentalis-nachsorge", "essstoerungen-ostalbkreis"]},
    {"name": "Seniorenzentrum Am Philosophenweg", "kind": "care_home", "gemeinde": "08221000", "postal_code": "69120", "contracts": ["genial-heidelberg"]},
    {"name": "Pflegeheim Haus Neuenheim", "kind": "care_home", "gemeinde": "08221000", "postal_code": "69120", "contracts": ["genial-heidelberg"]},
    {"name": "Haus am Gaisberg – Wohnen und Pflege", "kind": "care_home", "gemeinde": "08221000", "postal_code": "69115", "contracts": ["genial-heidelberg"]},
    {"name": "Pflegezentrum Am Killesberg", "kind": "care_home", "gemeinde": "08111000", "postal_code": "70174", "contracts": ["ivp-pflegeheim"]},
    {"name": "Seniorenwohnen Am Kräherwald", "kind": "care_home", "gemeinde": "08111000", "postal_code": "70176", "contracts": ["ivp-pflegeheim"]},
    {"name": "Haus Neckarblick Bad Cannstatt", "kind": "care_home", "gemeinde": "08111000", "postal_code": "70372", "contracts": ["ivp-pflegeheim"]},
    {"name": "Pflegeheim Obertor", "kind": "care_home", "gemeinde": "08116019", "contracts": ["ivp-pflegeheim"]},
    {"name": "Seniorenzentrum Pliensauvorstadt", "kind": "care_home", "gemeinde": "08116019", "contracts": ["ivp-pflegeheim"]},
    {"name": "Seniorenhaus Kinzigblick", "kind": "care_home", "gemeinde": "08317040", "contracts": ["gesundes-kinzigtal"]},
    {"name": "Pflegeheim Am Stadtbach Hausach", "kind": "care_home", "gemeinde": "08317041", "contracts": ["gesundes-kinzigtal"]},
    {"name": "Pflegeheim Elbwiesen", "kind": "care_home", "gemeinde": "14612000", "contracts": []},
    {"name": "Reha-Zentrum Schwarzwald Gengenbach", "kind": "rehab", "gemeinde": "08317034",
     "fachgruppe": "Orthopädische und kardiologische Rehabilitation", "contracts": ["gesundes-kinzigtal"]},
    {"name": "Orthopädische Rehaklinik Eschach", "kind": "rehab", "gemeinde": "08325049",
     "fachgruppe": "Orthopädische Rehabilitation", "contracts": ["orthopaedie-rottweil-oberndorf"]},
    {"name": "Rehaklinik am Neckarbogen", "kind": "rehab", "gemeinde": "08416036",
     "fachgruppe": "Wirbelsäulenrehabilitation", "contracts": ["rueckenschmerz-rottenburg"]},
    {"name": "Reha-Klinik Saaletal", "kind": "rehab", "gemeinde": "16073077",
     "fachgruppe": "Pneumologische und psychosomatische Rehabilitation", "contracts": ["watch-long-covid-thueringen"]},
    {"name": "Orthopädietechnik Oberndorf", "kind": "devices", "gemeinde": "08325045",
     "fachgruppe": "Orthopädietechnik", "contracts": ["orthopaedie-rottweil-oberndorf"]},
    {"name": "Gesundheitszentrum Hannover-Mitte", "kind": "mvz", "gemeinde": "03241001", "postal_code": "30159",
     "fachgruppe": "Allgemeinmedizin; Gemeindepflege", "contracts": ["gemeindepflege-hannover"]},
    {"name": "Gesundheitszentrum Hannover-Kleefeld", "kind": "mvz", "gemeinde": "03241001", "postal_code": "30625",
     "fachgruppe": "Allgemeinmedizin; Gemeindepflege", "contracts": ["gemeindepflege-hannover"]},
]  # fmt: skip
