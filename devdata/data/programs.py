"""Demo catalogue: care programs and the funds' contracts for them.

Facts come from the sources in the domain brief (AOK pages, betanet, the AOK PLUS
transparency report); every text is written for this project. Where the sources say
nothing (e.g. start rules, notice periods, contract dates) the values are plausible demo
values that show the variety the contracts may have — they are data, never hard-coded rules.
Programs marked ``"fictional": True`` are invented examples and say so in their description.

Shape of one program (keys map to `programs.models.Program` fields; region keys are AGS):

    {"slug", "program_type", "title", "title_en", "summary", "summary_en", "description",
     "conditions", "icd10_codes", "keywords", "min_age", "max_age", "online_enrollment",
     "region": {"lands": [...], "kreise": [...], "gemeinden": [...], "note": "..."},
     "prerequisites": [slug, ...], "excludes": [slug, ...],
     "contracts": [{"fund": slug, "valid_from": date, "valid_until": date | None,
                    "partners": "...", "terms": TERMS_NAME, **term overrides}]}

The texts of each contract (declaration, consent, revocation instruction) are rendered by
`devdata.catalogue` from `TEXTS` with the contract's own terms.
"""

from __future__ import annotations

import datetime as dt

VERSION = "2026-1"

AOK_SLUGS: tuple[str, ...] = (
    "aok-bw", "aok-bayern", "aok-bremen", "aok-hessen", "aok-niedersachsen", "aok-nordost",
    "aok-nordwest", "aok-plus", "aok-rheinland-hamburg", "aok-rps", "aok-sachsen-anhalt",
)  # fmt: skip

# --- enrollment terms (Contract policy fields) -------------------------------------------

TERMS: dict[str, dict] = {
    # §73b: two weeks revocation, at least one year binding; start at a quarter with cut-off.
    "hzv": {
        "revocation_days": 14, "binding_months": 12, "renewal_months": 12, "notice_months": 1, "notice_days": 0,
        "notice_counts": "receipt", "start_rule": "next_quarter", "quarter_cutoff_day": 1,
        "quarter_cutoff_months_before": 2, "self_declaration_age": 15,
    },
    # §140a: two weeks revocation; binding as the contract says.
    "bv": {
        "revocation_days": 14, "binding_months": 12, "renewal_months": 12, "notice_months": 1, "notice_days": 0,
        "notice_counts": "receipt", "start_rule": "next_day", "quarter_cutoff_day": 1,
        "quarter_cutoff_months_before": 2, "self_declaration_age": 15,
    },
    # §137f: consent revocable at any time, no binding, no renewal; the doctor's documentation starts it.
    "dmp": {
        "revocation_days": None, "binding_months": 0, "renewal_months": 0, "notice_months": 0, "notice_days": 0,
        "notice_counts": "receipt", "start_rule": "next_day", "quarter_cutoff_day": 1,
        "quarter_cutoff_months_before": 2, "self_declaration_age": 15,
    },
    # §63: rules of the contract; time-limited.
    "modell": {
        "revocation_days": 14, "binding_months": 12, "renewal_months": 12, "notice_months": 1, "notice_days": 0,
        "notice_counts": "receipt", "start_rule": "next_quarter", "quarter_cutoff_day": 1,
        "quarter_cutoff_months_before": 1, "self_declaration_age": 15,
    },
}  # fmt: skip

# --- the 11 Hausarztprogramme ------------------------------------------------------------
# One program per AOK (each with its own contract), so that every fund's rules for start,
# notice and cut-off can differ — the AOK pages point out that they do.

HZV_TITLE = "Hausarztprogramm der {fund}"
HZV_TITLE_EN = "GP-centred care programme ({fund})"
HZV_SUMMARY = (
    "Ihre Hausarztpraxis wird zur festen ersten Anlaufstelle: Sie koordiniert Ihre Behandlung, "
    "überweist gezielt zu Fachärztinnen und Fachärzten und behält alle Befunde und Medikamente im Blick."
)
HZV_SUMMARY_EN = (
    "Your family doctor becomes your first point of contact, coordinates your treatment, refers you "
    "to specialists when needed and keeps track of all findings and medicines."
)
HZV_DESCRIPTION = (
    "Im Hausarztprogramm entscheiden Sie sich verbindlich für eine Hausärztin oder einen Hausarzt, "
    "die oder der am Vertrag teilnimmt. Diese Praxis ist bei allen gesundheitlichen Fragen Ihre erste "
    "Adresse, stimmt Untersuchungen und Therapien ab und sorgt dafür, dass nichts doppelt gemacht wird.\n\n"
    "Brauchen Sie eine Fachärztin oder einen Facharzt, stellt die Praxis die Überweisung aus und hilft "
    "auf Wunsch bei der Terminsuche. Augen-, Frauen-, Kinder- und Jugendarztpraxen, Zahnarztpraxen und "
    "den ärztlichen Notdienst können Sie weiterhin direkt aufsuchen.\n\n"
    "Die teilnehmenden Praxen bilden sich regelmäßig fort und behandeln nach aktuellen Leitlinien. "
    "Die Teilnahme ist freiwillig und kostenlos; an die gewählte Praxis sind Sie mindestens ein Jahr gebunden. "
    "Die Teilnahmeerklärung unterschreiben Sie in der Regel in der Praxis – hier können Sie sie auch "
    "elektronisch abgeben."
)
HZV_KEYWORDS = "Hausarzt, Hausärztin, Hausarztmodell, Hausarztvertrag, HzV, Allgemeinarzt, Familienarzt, erste Anlaufstelle, Überweisung"

HZV_FUNDS: list[dict] = [
    {"fund": "aok-bw", "valid_from": dt.date(2008, 7, 1),
     "partners": "Hausärztliche Vertragsgemeinschaft (HÄVG); Hausärzteverband Baden-Württemberg; MEDIVERBUND AG"},
    {"fund": "aok-bayern", "valid_from": dt.date(2011, 1, 1), "partners": "Bayerischer Hausärzteverband; HÄVG",
     "quarter_cutoff_day": 15, "quarter_cutoff_months_before": 1, "notice_months": 3},
    {"fund": "aok-bremen", "valid_from": dt.date(2010, 10, 1), "partners": "Hausärzteverband Bremen; HÄVG",
     "start_rule": "after_revocation"},
    {"fund": "aok-hessen", "valid_from": dt.date(2010, 4, 1), "partners": "Hausärzteverband Hessen; HÄVG",
     "notice_counts": "dispatch"},
    {"fund": "aok-niedersachsen", "valid_from": dt.date(2011, 1, 1), "partners": "Hausärzteverband Niedersachsen; HÄVG",
     "quarter_cutoff_months_before": 1},
    {"fund": "aok-nordost", "valid_from": dt.date(2012, 1, 1),
     "partners": "Hausärzteverbände Berlin und Brandenburg, Mecklenburg-Vorpommern; HÄVG", "notice_months": 3},
    {"fund": "aok-nordwest", "valid_from": dt.date(2011, 7, 1),
     "partners": "Hausärzteverbände Westfalen-Lippe und Schleswig-Holstein; HÄVG",
     "quarter_cutoff_day": 15, "quarter_cutoff_months_before": 2},
    {"fund": "aok-plus", "valid_from": dt.date(2012, 4, 1), "partners": "Hausärzteverbände Sachsen und Thüringen; HÄVG",
     "start_rule": "after_revocation", "notice_counts": "dispatch"},
    {"fund": "aok-rheinland-hamburg", "valid_from": dt.date(2010, 7, 1),
     "partners": "Hausärzteverbände Nordrhein und Hamburg; HÄVG"},
    {"fund": "aok-rps", "valid_from": dt.date(2011, 4, 1),
     "partners": "Hausärzteverbände Rheinland-Pfalz und Saarland; HÄVG", "quarter_cutoff_day": 10},
    {"fund": "aok-sachsen-anhalt", "valid_from": dt.date(2011, 1, 1), "partners": "Hausärzteverband Sachsen-Anhalt; HÄVG",
     "notice_months": 0, "notice_days": 42},
]  # fmt: skip

# --- Disease-Management-Programme: one program per indication, one contract per AOK -----

DMP_INDICATIONS: list[dict] = [
    {"code": "01", "slug": "dmp-diabetes-typ-2", "title": "AOK-Curaplan Diabetes mellitus Typ 2",
     "title_en": "AOK-Curaplan type 2 diabetes",
     "summary": "Regelmäßige Kontrollen, Schulungen und abgestimmte Therapieziele für Menschen mit Typ-2-Diabetes – damit Folgeschäden an Augen, Nieren, Nerven und Füßen gar nicht erst entstehen.",
     "summary_en": "Regular check-ups, training and agreed treatment goals for people with type 2 diabetes, to prevent damage to eyes, kidneys, nerves and feet.",
     "conditions": "Gesicherte Diagnose Diabetes mellitus Typ 2",
     "icd10_codes": "E11", "keywords": "Zucker, Zuckerkrankheit, Altersdiabetes, Blutzucker, Diabetiker, HbA1c, diabetischer Fuß",
     "valid_from": dt.date(2003, 7, 1)},
    {"code": "02", "slug": "dmp-brustkrebs", "title": "AOK-Curaplan Brustkrebs", "title_en": "AOK-Curaplan breast cancer",
     "summary": "Begleitung nach der Diagnose Brustkrebs: abgestimmte Behandlung, strukturierte Nachsorge und Unterstützung im Alltag über mehrere Jahre.",
     "summary_en": "Support after a breast cancer diagnosis: coordinated treatment, structured follow-up care and help in everyday life over several years.",
     "conditions": "Gesicherte Diagnose Brustkrebs oder ein Rückfall innerhalb der letzten Jahre",
     "icd10_codes": "C50, D05", "keywords": "Krebs, Brust, Brustkrebs, Mammakarzinom, Tumor, Krebsnachsorge",
     "valid_from": dt.date(2003, 7, 1)},
    {"code": "03", "slug": "dmp-khk", "title": "AOK-Curaplan Koronare Herzkrankheit", "title_en": "AOK-Curaplan coronary heart disease",
     "summary": "Für Menschen mit verengten Herzkranzgefäßen: engmaschige Betreuung, passende Medikamente und Hilfe bei Bewegung, Ernährung und Rauchstopp.",
     "summary_en": "For people with narrowed coronary arteries: close monitoring, suitable medicines and help with exercise, diet and quitting smoking.",
     "conditions": "Gesicherte koronare Herzkrankheit, z. B. nach Herzinfarkt oder bei Angina pectoris",
     "icd10_codes": "I20, I21, I22, I23, I24, I25", "keywords": "Herz, Herzkranzgefäße, Herzinfarkt, Angina pectoris, Brustenge, Stent, Bypass",
     "valid_from": dt.date(2004, 1, 1)},
    {"code": "04", "slug": "dmp-diabetes-typ-1", "title": "AOK-Curaplan Diabetes mellitus Typ 1", "title_en": "AOK-Curaplan type 1 diabetes",
     "summary": "Für Kinder, Jugendliche und Erwachsene mit Typ-1-Diabetes: Insulintherapie im Alltag, Schulungen und regelmäßige Kontrollen in spezialisierten Praxen.",
     "summary_en": "For children, young people and adults with type 1 diabetes: insulin therapy in everyday life, training and regular check-ups in specialised practices.",
     "conditions": "Gesicherte Diagnose Diabetes mellitus Typ 1",
     "icd10_codes": "E10", "keywords": "Zucker, Zuckerkrankheit, Insulin, Insulinpumpe, Blutzucker, Kinderdiabetes",
     "valid_from": dt.date(2005, 1, 1)},
    {"code": "05", "slug": "dmp-asthma", "title": "AOK-Curaplan Asthma bronchiale", "title_en": "AOK-Curaplan asthma",
     "summary": "Weniger Anfälle, mehr Luft: ein persönlicher Behandlungsplan, Schulung zur richtigen Inhalation und regelmäßige Kontrolle der Lungenfunktion.",
     "summary_en": "Fewer attacks, more air: a personal treatment plan, training in using inhalers and regular lung function checks.",
     "conditions": "Gesicherte Diagnose Asthma bronchiale",
     "icd10_codes": "J45", "keywords": "Asthma, Atemnot, Lunge, Husten, Inhalieren, Spray, Allergie",
     "valid_from": dt.date(2006, 1, 1)},
    {"code": "06", "slug": "dmp-copd", "title": "AOK-Curaplan COPD", "title_en": "AOK-Curaplan COPD",
     "summary": "Für Menschen mit chronisch verengten Atemwegen: Atemnot lindern, Verschlechterungen vorbeugen und die Belastbarkeit im Alltag erhalten.",
     "summary_en": "For people with chronic obstructive lung disease: relieve breathlessness, prevent flare-ups and stay active in everyday life.",
     "conditions": "Gesicherte Diagnose einer chronisch obstruktiven Lungenerkrankung", "min_age": 18,
     "icd10_codes": "J44", "keywords": "Raucherlunge, Raucherhusten, Lunge, Atemnot, chronische Bronchitis, Lungenemphysem, Husten",
     "valid_from": dt.date(2006, 1, 1)},
    {"code": "07", "slug": "dmp-herzinsuffizienz", "title": "AOK-Curaplan Chronische Herzinsuffizienz",
     "title_en": "AOK-Curaplan chronic heart failure",
     "summary": "Wenn das Herz nicht mehr genug pumpt: Gewicht und Symptome selbst beobachten, Medikamente richtig einstellen und Klinikaufenthalte vermeiden.",
     "summary_en": "When the heart no longer pumps enough: monitor weight and symptoms yourself, adjust medicines and avoid hospital stays.",
     "conditions": "Gesicherte chronische Herzinsuffizienz mit eingeschränkter Pumpfunktion", "min_age": 18,
     "icd10_codes": "I50", "keywords": "Herzschwäche, Herz, Herzinsuffizienz, Wasser in den Beinen, Atemnot, Ödeme",
     "valid_from": dt.date(2021, 7, 1)},
    {"code": "08", "slug": "dmp-depression", "title": "AOK-Curaplan Depression", "title_en": "AOK-Curaplan depression",
     "summary": "Für Erwachsene mit einer chronischen oder wiederkehrenden Depression: abgestimmte Behandlung aus Hausarztpraxis, Psychotherapie und Fachärztin oder Facharzt.",
     "summary_en": "For adults with chronic or recurrent depression: coordinated care from the family doctor, psychotherapy and specialists.",
     "conditions": "Chronische oder wiederkehrende Depression, ärztlich gesichert", "min_age": 18,
     "icd10_codes": "F32, F33, F34.1", "keywords": "Depression, Niedergeschlagenheit, Traurigkeit, Antriebslosigkeit, Psyche, Seele, Burn-out",
     "valid_from": dt.date(2024, 7, 1)},
    {"code": "09", "slug": "dmp-rueckenschmerz", "title": "AOK-Curaplan Chronischer Rückenschmerz",
     "title_en": "AOK-Curaplan chronic back pain",
     "summary": "Für Erwachsene mit lang anhaltenden Kreuzschmerzen: Bewegung statt Schonung, abgestimmte Therapie und Hilfe, den Alltag wieder zu bewältigen.",
     "summary_en": "For adults with long-lasting low back pain: exercise instead of rest, coordinated therapy and help to manage everyday life again.",
     "conditions": "Nicht-spezifischer Kreuzschmerz seit mindestens zwölf Wochen", "min_age": 18,
     "icd10_codes": "M54.4, M54.5, M54.9", "keywords": "Rücken, Rückenschmerzen, Kreuzschmerzen, Hexenschuss, Bandscheibe, Ischias",
     "valid_from": dt.date(2023, 1, 1)},
    {"code": "10", "slug": "dmp-rheuma", "title": "AOK-Curaplan Rheumatoide Arthritis",
     "title_en": "AOK-Curaplan rheumatoid arthritis",
     "summary": "Früh und konsequent behandeln: Rheumatologie und Hausarztpraxis arbeiten zusammen, damit Gelenke beweglich bleiben.",
     "summary_en": "Early and consistent treatment: rheumatologists and family doctors work together to keep joints moving.",
     "conditions": "Gesicherte rheumatoide Arthritis", "min_age": 18,
     "icd10_codes": "M05, M06", "keywords": "Rheuma, Gelenke, Gelenkentzündung, Gelenkschmerzen, Polyarthritis",
     "valid_from": dt.date(2023, 7, 1)},
    {"code": "11", "slug": "dmp-osteoporose", "title": "AOK-Curaplan Osteoporose", "title_en": "AOK-Curaplan osteoporosis",
     "summary": "Knochen stärken, Stürze vermeiden: Bewegungsangebote, Medikamente und regelmäßige Kontrollen bei Osteoporose.",
     "summary_en": "Strengthen bones and prevent falls: exercise, medicines and regular check-ups for osteoporosis.",
     "conditions": "Behandlungsbedürftige Osteoporose; Frauen ab 50 und Männer ab 60 Jahren", "min_age": 50,
     "icd10_codes": "M80, M81", "keywords": "Knochenschwund, brüchige Knochen, Knochen, Knochendichte, Wirbelbruch, Sturz",
     "valid_from": dt.date(2023, 7, 1)},
    {"code": "12", "slug": "dmp-adipositas", "title": "AOK-Curaplan Adipositas", "title_en": "AOK-Curaplan obesity (adults)",
     "summary": "Für Erwachsene mit starkem Übergewicht: ein langfristiger Plan aus Ernährung, Bewegung und ärztlicher Begleitung, der zum eigenen Leben passt.",
     "summary_en": "For adults with obesity: a long-term plan combining nutrition, exercise and medical support that fits your life.",
     "conditions": "Adipositas (Body-Mass-Index ab 30) bei Erwachsenen", "min_age": 18,
     "icd10_codes": "E66", "keywords": "Übergewicht, Fettleibigkeit, Abnehmen, Gewicht, Adipositas, BMI",
     "valid_from": dt.date(2026, 7, 1)},
]  # fmt: skip

DMP_DESCRIPTION = (
    "AOK-Curaplan ist ein strukturiertes Behandlungsprogramm (Disease-Management-Programm) für Menschen "
    "mit {indication}. Eine koordinierende Arztpraxis plant mit Ihnen die Behandlung, vereinbart "
    "persönliche Ziele und sieht Sie regelmäßig – meist einmal im Quartal oder halbjährlich.\n\n"
    "Zum Programm gehören Untersuchungen nach aktuellen Leitlinien, Schulungen für den Alltag mit der "
    "Erkrankung und eine enge Abstimmung aller Beteiligten. So sinkt das Risiko für Komplikationen.\n\n"
    "Eingeschrieben werden Sie über Ihre Ärztin oder Ihren Arzt: Die Praxis bestätigt die Diagnose und "
    "schickt die erste Dokumentation an Ihre AOK. Über dieses Portal können Sie die Teilnahme anfragen; "
    "die Praxis meldet sich dann bei Ihnen. Die Teilnahme ist freiwillig, kostenlos und jederzeit beendbar."
)
DMP_DESCRIPTION_EN = (
    "AOK-Curaplan is a structured treatment programme (disease management programme) for people with "
    "{indication}. A coordinating practice plans your treatment with you, agrees personal goals and sees you "
    "regularly. Your doctor confirms the diagnosis and sends the first documentation to your AOK; here you can "
    "request to take part. Participation is voluntary, free of charge and can be ended at any time."
)

# --- regional and special programs -------------------------------------------------------

KINZIGTAL_GEMEINDEN = [
    "08237075",  # Bad Rippoldsau-Schapbach (Landkreis Freudenstadt)
    "08317011",  # Biberach
    "08317029",  # Fischerbach
    "08317034",  # Gengenbach
    "08317039",  # Gutach (Schwarzwaldbahn)
    "08317040",  # Haslach im Kinzigtal
    "08317041",  # Hausach
    "08317046",  # Hofstetten
    "08317051",  # Hornberg
    "08317078",  # Mühlenbach
    "08317085",  # Nordrach
    "08317088",  # Oberharmersbach
    "08317093",  # Oberwolfach
    "08317097",  # Ohlsbach
    "08317129",  # Steinach
    "08317145",  # Wolfach
    "08317146",  # Zell am Harmersbach
]

FICTIONAL_NOTE = "\n\nHinweis: Dieses Angebot ist ein erfundenes Beispiel der Demo-Daten."

PROGRAMS: list[dict] = [
    {
        "slug": "genial-heidelberg",
        "program_type": "bv",
        "title": "GeNiAL – Geriatrisches Netzwerk für Pflegeheime in Heidelberg",
        "title_en": "GeNiAL – geriatric network for care homes in Heidelberg",
        "summary": "Bessere ärztliche Betreuung für Menschen im Pflegeheim: Heime, Hausarztpraxen und ein geriatrisches Zentrum arbeiten eng zusammen, damit Krankenhauseinweisungen seltener nötig werden.",
        "summary_en": "Better medical care for care-home residents: care homes, family doctors and a geriatric centre work closely together so that fewer hospital admissions are needed.",
        "description": (
            "GeNiAL steht für ein geriatrisches Netzwerk, das die medizinische Versorgung in Alten- und "
            "Pflegeheimen verbessern soll. Vertragspartner der AOK Baden-Württemberg ist das "
            "Bethanien-Krankenhaus Heidelberg als geriatrisches Zentrum.\n\n"
            "Die teilnehmenden Pflegeheime werden gezielt qualifiziert und mit den Hausarztpraxen der "
            "Bewohnerinnen und Bewohner enger vernetzt. Akute Probleme werden so früher erkannt und oft im Heim "
            "behandelt – ein Transport ins Krankenhaus bleibt vielen erspart."
        ),
        "conditions": "Bewohnerinnen und Bewohner eines teilnehmenden Pflegeheims in Heidelberg",
        "icd10_codes": "", "keywords": "Pflegeheim, Altenheim, Seniorenheim, Geriatrie, Altersmedizin, Pflege, Heimbewohner",
        "min_age": None, "max_age": None, "online_enrollment": True,
        "region": {"kreise": ["08221"], "note": "Pflegeheime in der Stadt Heidelberg"},
        "excludes": ["ivp-pflegeheim"],
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2009, 1, 1), "terms": "bv",
                       "partners": "Bethanien-Krankenhaus Heidelberg (Geriatrisches Zentrum)",
                       "start_rule": "after_revocation"}],
    },
    {
        "slug": "homoeotherapie-heidenheim",
        "program_type": "bv",
        "title": "Homöopathische und anthroposophische Behandlung in Heidenheim",
        "title_en": "Homeopathic and anthroposophic treatment in Heidenheim",
        "summary": "Stationäre Behandlung akuter und chronischer Erkrankungen mit homöopathischen und anthroposophischen Arzneimitteln in der Belegklinik für Homöotherapie am Klinikum Heidenheim – mit bis zu 90 Tagen Nachsorge.",
        "summary_en": "Inpatient treatment of acute and chronic illness with homeopathic and anthroposophic medicines at the Heidenheim clinic, with up to 90 days of aftercare.",
        "description": (
            "Die Belegklinik für Homöotherapie am Klinikum Heidenheim behandelt fast das ganze Spektrum der "
            "nicht operativen Medizin mit Arzneimitteln der Homöopathie und der anthroposophisch erweiterten "
            "Medizin. Besondere Erfahrung besteht bei Lungenentzündungen, chronisch-entzündlichen "
            "Darmerkrankungen, Multipler Sklerose und Erschöpfungsdepressionen.\n\n"
            "Das Angebot richtet sich vor allem an chronisch Kranke, denen die übliche Behandlung nicht "
            "ausreichend geholfen hat. Eingewiesen wird über eine Hausärztin oder einen Hausarzt mit der "
            "Zusatzqualifikation Homöopathie oder Anthroposophische Medizin. Nach dem Klinikaufenthalt ist eine "
            "Nachbehandlung von bis zu 90 Tagen möglich."
        ),
        "conditions": "Akute oder chronische nicht operativ zu behandelnde Erkrankung; Einweisung durch eine Hausarztpraxis mit Zusatzqualifikation Homöopathie oder Anthroposophische Medizin",
        "icd10_codes": "J18, K50, K51, G35, F48.0",
        "keywords": "Homöopathie, Naturheilkunde, anthroposophisch, Globuli, Morbus Crohn, Colitis, Multiple Sklerose, Erschöpfung, Lungenentzündung",
        "min_age": None, "max_age": None, "online_enrollment": True,
        "region": {"note": "Behandlung in Heidenheim an der Brenz; für Versicherte der AOK Baden-Württemberg"},
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2005, 4, 1), "terms": "bv",
                       "partners": "Belegklinik für Homöotherapie am Klinikum Heidenheim",
                       "binding_months": 3, "renewal_months": 0, "notice_months": 0}],
    },
    {
        "slug": "gesundes-kinzigtal",
        "program_type": "bv",
        "title": "Gesundes Kinzigtal – integrierte Vollversorgung",
        "title_en": "Gesundes Kinzigtal – integrated regional care",
        "summary": "Rundumversorgung für Versicherte aus 17 Gemeinden des Kinzigtals: Ihre Ärztin oder Ihr Arzt des Vertrauens koordiniert alles, mit gemeinsamer elektronischer Akte, Gesundheitszielen und Präventionsangeboten.",
        "summary_en": "All-round care for insured people in 17 municipalities of the Kinzig valley: your doctor of trust coordinates everything, with a shared electronic record, health goals and prevention courses.",
        "description": (
            "Die AOK Baden-Württemberg hat mit der Managementgesellschaft Gesundes Kinzigtal GmbH eine "
            "integrierte Versorgung für die ganze Region entwickelt. Behandlungen werden genau aufeinander "
            "abgestimmt, Vorsorge beginnt früh, und die Gesundheitskompetenz der Versicherten wird gestärkt.\n\n"
            "Sie wählen eine Haus- oder Fachärztin bzw. einen Haus- oder Facharzt als Arzt des Vertrauens. "
            "Diese Praxis steuert den gesamten Behandlungsverlauf. Eine eigens entwickelte elektronische "
            "Patientenakte verbindet alle Beteiligten. Dazu kommen ausführliche Check-ups, vereinbarte "
            "Gesundheitsziele mit Unterstützung auf dem Weg dorthin, Präventionsprogramme, Schulungen und "
            "Vorträge sowie ein Patientenbeirat, der mitreden kann.\n\n"
            "Teilnehmen können Versicherte, die in einer der 17 Gemeinden wohnen. Seit 2016 ist die parallele "
            "Teilnahme am Haus- und Facharztprogramm der AOK möglich."
        ),
        "conditions": "Wohnsitz in einer der 17 Gemeinden der Region Kinzigtal",
        "icd10_codes": "",
        "keywords": "Kinzigtal, Haslach, Hausach, Wolfach, Gengenbach, Zell, Vorsorge, Prävention, Gesundheitsziele, Rundumversorgung",
        "min_age": None, "max_age": None, "online_enrollment": True,
        "region": {"gemeinden": KINZIGTAL_GEMEINDEN,
                   "note": "17 Gemeinden der Region Kinzigtal (Ortenaukreis und Bad Rippoldsau-Schapbach)"},
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2006, 1, 1), "terms": "bv",
                       "partners": "Gesundes Kinzigtal GmbH", "start_rule": "next_quarter", "notice_months": 3}],
    },
    {
        "slug": "sucht-landkreis-konstanz",
        "program_type": "bv",
        "title": "Hilfe bei Alkohol- und Medikamentenabhängigkeit im Landkreis Konstanz",
        "title_en": "Help with alcohol and medication dependence in the district of Konstanz",
        "summary": "Früh erkennen, früh handeln: bessere Diagnostik in der Hausarztpraxis, strukturierte Frühintervention und ambulanter Entzug mit dem Zentrum für Psychiatrie Reichenau.",
        "summary_en": "Early detection and early help: better diagnosis by family doctors, structured early intervention and outpatient withdrawal with the Reichenau psychiatric centre.",
        "description": (
            "Partner der AOK Baden-Württemberg ist das Zentrum für Psychiatrie Reichenau. Das Angebot setzt "
            "vor allem früh an: Hausarztpraxen erkennen eine Abhängigkeit besser, strukturierte Programme "
            "greifen früh ein, und ein qualifizierter Entzug ist ambulant möglich.\n\n"
            "Dazu gehören Maßnahmen gegen Rückfälle und die gemeinsame Planung, wie es nach dem Entzug "
            "weitergeht. Eine abgestimmte Behandlung ist in jedem Stadium der Sucht möglich."
        ),
        "conditions": "Alkohol- oder Medikamentenabhängigkeit bzw. riskanter Konsum; Wohnsitz im Landkreis Konstanz",
        "icd10_codes": "F10, F13",
        "keywords": "Sucht, Alkohol, Alkoholabhängigkeit, Alkoholismus, Trinken, Tabletten, Medikamentensucht, Entzug, Schlafmittel",
        "min_age": None, "max_age": None, "online_enrollment": True,
        "region": {"kreise": ["08335"], "note": "Landkreis Konstanz"},
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2007, 1, 1), "terms": "bv",
                       "partners": "Zentrum für Psychiatrie Reichenau", "binding_months": 6, "renewal_months": 6}],
    },
    {
        "slug": "essstoerungen-ostalbkreis",
        "program_type": "bv",
        "title": "Versorgung bei Essstörungen im Ostalbkreis",
        "title_en": "Care for eating disorders in the Ostalbkreis",
        "summary": "Kurze Wartezeiten und ein enges ambulantes Netz für Menschen mit Magersucht, Bulimie oder Binge-Eating – mit einem Behandlungsplan über mehrere Therapiephasen.",
        "summary_en": "Short waiting times and a close outpatient network for people with anorexia, bulimia or binge eating, with a treatment plan across several phases.",
        "description": (
            "Im Netzwerk Essstörungen Ostalbkreis e. V. (NEO) arbeiten Vertragsärztinnen, Vertragsärzte "
            "und Psychotherapeutinnen und Psychotherapeuten zusammen. Eine Praxis übernimmt für Sie die Rolle "
            "der Ärztin oder des Arztes des Vertrauens.\n\n"
            "Wartezeiten sind kurz – in Krisen besonders. Ein individueller Behandlungsplan über mehrere "
            "Therapiephasen soll verhindern, dass die Erkrankung chronisch wird. Eigene Versorgungs- und "
            "Präventionsangebote helfen, den Erfolg langfristig zu sichern."
        ),
        "conditions": "Diagnostizierte Essstörung (z. B. Anorexie, Bulimie, Binge-Eating-Störung); Wohnsitz im Ostalbkreis",
        "icd10_codes": "F50",
        "keywords": "Essstörung, Magersucht, Anorexie, Bulimie, Ess-Brech-Sucht, Binge-Eating, Essanfälle, Untergewicht",
        "min_age": None, "max_age": None, "online_enrollment": True,
        "region": {"kreise": ["08136"], "note": "Ostalbkreis (u. a. Aalen, Schwäbisch Gmünd, Ellwangen)"},
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2008, 1, 1), "terms": "bv",
                       "partners": "Netzwerk Essstörungen Ostalbkreis e. V. (NEO)", "start_rule": "after_revocation"}],
    },
    {
        "slug": "rueckenschmerz-rottenburg",
        "program_type": "bv",
        "title": "Versorgung bei spezifischen Rückenschmerzen in Rottenburg",
        "title_en": "Care for specific back pain in Rottenburg",
        "summary": "Vor einer Operation an der Wirbelsäule eine unabhängige Zweitmeinung einholen – und wenn operiert wird, dann mit besonderer Qualitätssicherung. Ziel: unnötige Bandscheibenoperationen vermeiden.",
        "summary_en": "Get an independent second opinion before spinal surgery – and if surgery is needed, with special quality assurance. Aim: avoid unnecessary disc operations.",
        "description": (
            "Projektträger des Vertrags mit der AOK Baden-Württemberg ist das Winghofer Medicum in Rottenburg "
            "am Neckar. Gegenstand sind Operationen an der Wirbelsäule mit einem eigenen Verfahren, das die "
            "Qualität von Bandscheibenoperationen beurteilt.\n\n"
            "Vor einem Eingriff können Sie sich von Spezialistinnen und Spezialisten eine unabhängige "
            "Zweitmeinung geben lassen. Das regional begrenzte Angebot will Bandscheibenoperationen vermeiden, "
            "wo sie nicht nötig sind."
        ),
        "conditions": "Spezifische Rückenschmerzen, z. B. bei Bandscheibenvorfall, wenn eine Operation erwogen wird",
        "icd10_codes": "M51, M50, M48.0",
        "keywords": "Rücken, Rückenschmerzen, Bandscheibe, Bandscheibenvorfall, Wirbelsäule, Operation, Zweitmeinung, Ischias",
        "min_age": 18, "max_age": None, "online_enrollment": True,
        "region": {"kreise": ["08416"], "note": "Region Rottenburg am Neckar (Landkreis Tübingen)"},
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2007, 7, 1), "terms": "bv",
                       "partners": "Winghofer Medicum, Rottenburg am Neckar"}],
    },
    {
        "slug": "orthopaedie-rottweil-oberndorf",
        "program_type": "bv",
        "title": "Orthopädisch-chirurgische Versorgung Rottweil/Oberndorf",
        "title_en": "Orthopaedic surgery care Rottweil/Oberndorf",
        "summary": "Operationen an Schulter und Knie aus einer Hand: Klinik, Physiotherapie und Orthopädietechnik stimmen Vorbereitung, Eingriff und Nachbehandlung ab.",
        "summary_en": "Shoulder and knee surgery from a single source: clinic, physiotherapy and orthopaedic technicians coordinate preparation, surgery and aftercare.",
        "description": (
            "Im Mittelpunkt stehen Operationen am Schulter- und Kniegelenk. Beteiligt sind die Orthoklinik "
            "Rottweil, das Städtische Krankenhaus Oberndorf sowie Physiotherapiepraxen und Hilfsmittelerbringer "
            "wie Orthopädietechnik.\n\n"
            "Ambulante, stationäre, vor- und nachoperative Versorgung in der Region Oberndorf greifen besser "
            "ineinander, einschließlich physikalischer Therapie und Hilfsmitteln. Leitlinien und eine "
            "umfassende Dokumentation sichern die Qualität; die Orthoklinik trägt als Projektträger die "
            "Verantwortung für die Ergebnisse."
        ),
        "conditions": "Geplante Operation an Schulter oder Knie",
        "icd10_codes": "M17, M23, M75, S83",
        "keywords": "Knie, Schulter, Gelenk, Meniskus, Kreuzband, Arthrose, Operation, Physiotherapie, Orthopädie",
        "min_age": None, "max_age": None, "online_enrollment": True,
        "region": {"kreise": ["08325"], "note": "Region Rottweil und Oberndorf am Neckar (Landkreis Rottweil)"},
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2006, 10, 1), "terms": "bv",
                       "partners": "Orthoklinik Rottweil (Projektträger); Städtisches Krankenhaus Oberndorf; Physiotherapie- und Orthopädietechnik-Partner",
                       "binding_months": 6, "renewal_months": 0, "notice_months": 0}],
    },
    {
        "slug": "venen-stuttgart",
        "program_type": "bv",
        "title": "Versorgung bei Venenerkrankungen in Stuttgart",
        "title_en": "Care for vein disease in Stuttgart",
        "summary": "Krampfadern und andere Venenleiden ambulant oder kurzstationär behandeln statt mit langem Klinikaufenthalt – organisiert von einer Facharztpraxis, bei Bedarf mit dem Marienhospital.",
        "summary_en": "Treat varicose veins and other vein disease as an outpatient or with a short stay instead of a long hospital stay, organised by a specialist practice together with the Marienhospital.",
        "description": (
            "An diesem Angebot sind die AOK Baden-Württemberg, die Facharztpraxis Dr. Seiter, das "
            "Marienhospital Stuttgart und EHS Medizintechnik beteiligt.\n\n"
            "Statt eines vollstationären Aufenthalts werden Sie ambulant oder kurzstationär in der "
            "Facharztpraxis betreut. Ist doch ein Klinikaufenthalt nötig, findet er im Marienhospital statt. "
            "Die Facharztgruppe wählt nach vereinbarten Kriterien die passende Therapie und kümmert sich um "
            "den Ablauf und alles Organisatorische."
        ),
        "conditions": "Behandlungsbedürftige Venenerkrankung, z. B. Krampfadern",
        "icd10_codes": "I83, I87",
        "keywords": "Venen, Krampfadern, Besenreiser, Beine, Thrombose, Venenleiden, schwere Beine",
        "min_age": 18, "max_age": None, "online_enrollment": True,
        "region": {"kreise": ["08111", "08116"], "note": "Stuttgart und Landkreis Esslingen"},
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2004, 7, 1), "terms": "bv",
                       "partners": "Facharztpraxis Dr. Seiter; Marienhospital Stuttgart; EHS Medizintechnik",
                       "binding_months": 6, "renewal_months": 0, "notice_months": 0}],
    },
    {
        "slug": "ivp-pflegeheim",
        "program_type": "bv",
        "title": "Integrierte Versorgung Pflegeheim (IVP)",
        "title_en": "Integrated care in care homes (IVP)",
        "summary": "Für Pflegeheimbewohnerinnen und -bewohner im Hausarztprogramm: Visite der Hausarztpraxis alle 14 Tage, feste Erreichbarkeit werktags von 7 bis mindestens 19 Uhr und abgestimmte Bereitschaftspläne.",
        "summary_en": "For care-home residents in the GP programme: a visit by the family doctor every 14 days, fixed availability on weekdays from 7 am to at least 7 pm and coordinated on-call plans.",
        "description": (
            "Die IVP baut auf dem Hausarztprogramm und seinen Abläufen auf. Pflegeheime und besonders "
            "qualifizierte Hausärztinnen und Hausärzte mit Hausarztvertrag bilden gemeinsam ein Versorgungsnetz. "
            "Begonnen hat das Projekt in Stuttgart und Esslingen; inzwischen können auch anderswo neue Netze "
            "entstehen.\n\n"
            "Das bedeutet für Sie: Die Hausarztpraxis kommt alle 14 Tage zur Visite ins Heim, ist montags bis "
            "freitags von 7 bis mindestens 19 Uhr erreichbar und stimmt Bereitschaftspläne mit dem Heim ab. "
            "Ärztinnen, Ärzte und Pflegeheime besuchen gemeinsame Netzkonferenzen und geriatrische "
            "Fortbildungen.\n\n"
            "Voraussetzung ist, dass Sie am Hausarztprogramm der AOK Baden-Württemberg teilnehmen."
        ),
        "conditions": "Wohnen in einem teilnehmenden Pflegeheim; Teilnahme am Hausarztprogramm der AOK Baden-Württemberg",
        "icd10_codes": "",
        "keywords": "Pflegeheim, Altenheim, Heimbewohner, Visite, Hausarzt im Heim, Pflege, Bereitschaft",
        "min_age": None, "max_age": None, "online_enrollment": True,
        "region": {"note": "Versorgungsnetze in Baden-Württemberg, begonnen in Stuttgart und Esslingen"},
        "prerequisites": ["hausarztprogramm-aok-bw"],
        "excludes": ["genial-heidelberg"],
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2010, 1, 1), "terms": "hzv",
                       "partners": "HÄVG Hausärztliche Vertragsgemeinschaft; Hausärzteverband Baden-Württemberg; MEDIVERBUND AG; MEDI Baden-Württemberg e. V.; Eigenbetrieb Leben & Wohnen Stuttgart; Städtische Pflegeheime Esslingen; Evangelische Heimstiftung GmbH"}],
    },
    {
        "slug": "mentalis-nachsorge",
        "program_type": "bv",
        "title": "mentalis – Nachsorge nach einem Klinikaufenthalt",
        "title_en": "mentalis – aftercare after a psychiatric hospital stay",
        "summary": "Die Zeit nach der Entlassung überbrücken: eine Therapie-App und wöchentliche Telefongespräche mit einer Psychologin oder einem Psychologen, bis die Weiterbehandlung beginnt.",
        "summary_en": "Bridge the time after discharge: a therapy app and weekly phone calls with a psychologist until further treatment starts.",
        "description": (
            "Nach einem Aufenthalt in einer psychiatrischen oder psychosomatischen Klinik ist eine ambulante "
            "Weiterbehandlung oft nicht sofort zu bekommen. mentalis schließt diese Lücke mit einer hybriden "
            "Nachsorge: Eine Therapie-App wird durch wöchentliche Telefonate mit Psychologinnen und Psychologen "
            "ergänzt. Die Gespräche sind sofort verfügbar und helfen bei der Arbeit mit der App.\n\n"
            "So sollen die Fortschritte aus der Klinik erhalten bleiben, und Sie finden leichter die passende "
            "Weiterbehandlung, etwa eine ambulante Psychotherapie. Die Inhalte der App sind auf "
            "Alkoholabhängigkeit, Depression, Borderline-Störung, Essstörungen und psychotische Erkrankungen "
            "ausgerichtet.\n\n"
            "Eingeschrieben wird in der Regel noch während des Klinikaufenthalts in einer kooperierenden Klinik. "
            "Ohne kooperierende Klinik ist eine Anmeldung mit Nachweis von Diagnose und Aufenthalt möglich, "
            "wenn die Entlassung höchstens acht Wochen zurückliegt."
        ),
        "conditions": (
            "Ab 16 Jahren; psychische Erkrankung (Alkoholabhängigkeit, Depression, Borderline-Störung, Essstörung "
            "oder psychotische Erkrankung) nach einem stationären oder teilstationären Klinikaufenthalt, der höchstens "
            "8 Wochen zurückliegt; keine Nachsorge in den nächsten 4 Wochen nach der Entlassung gesichert"
        ),
        "icd10_codes": "F10, F20, F25, F32, F33, F50, F60.3",
        "keywords": "Psyche, Psychiatrie, Klinik, Entlassung, Nachsorge, App, Depression, Borderline, Sucht, Essstörung, Psychose, Therapieplatz",
        "min_age": 16, "max_age": None, "online_enrollment": True,
        "region": {"lands": ["BW"], "note": "Baden-Württemberg"},
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2022, 1, 1), "terms": "bv",
                       "partners": "mentalis GmbH; kooperierende psychiatrische und psychosomatische Kliniken",
                       "binding_months": 3, "renewal_months": 0, "notice_months": 0}],
    },
    {
        "slug": "ccc-integrativ",
        "program_type": "bv",
        "title": "CCC Integrativ – Beratung zu komplementären Verfahren bei Krebs",
        "title_en": "CCC Integrativ – advice on complementary medicine for cancer",
        "summary": "Kostenlose, wissenschaftlich fundierte Beratung zu naturheilkundlichen und komplementären Verfahren während einer Krebstherapie – an vier Krebszentren in Baden-Württemberg.",
        "summary_en": "Free, evidence-based advice on natural and complementary therapies during cancer treatment, at four cancer centres in Baden-Württemberg.",
        "description": (
            "Viele Menschen mit Krebs suchen nach ergänzenden Wegen, um ihr Wohlbefinden zu stärken. CCC "
            "Integrativ wurde mit den Comprehensive Cancer Centers Heidelberg, Tübingen-Stuttgart, Ulm und "
            "Freiburg entwickelt und bietet eine Beratung zu naturheilkundlich-komplementären Verfahren, die "
            "auf Studien beruht.\n\n"
            "Geschulte Ärztinnen, Ärzte und Pflegefachkräfte helfen, Nutzen und Risiken realistisch einzuschätzen. "
            "Manche Verfahren lindern Beschwerden und verbessern die Lebensqualität nachweislich; andere "
            "können schaden – etwa wenn Nahrungsergänzungsmittel oder pflanzliche Mittel mit der Chemotherapie "
            "wechselwirken. Sie entscheiden selbst, mit fachkundiger Begleitung."
        ),
        "conditions": "Krebserkrankung, in Behandlung oder Nachsorge",
        "icd10_codes": "C00-C97",
        "keywords": "Krebs, Tumor, Chemotherapie, Naturheilkunde, komplementär, Misteltherapie, Nahrungsergänzung, Onkologie, Beratung",
        "min_age": None, "max_age": None, "online_enrollment": True,
        "region": {"lands": ["BW"], "note": "Beratung an den Krebszentren Heidelberg, Tübingen-Stuttgart, Ulm und Freiburg"},
        "contracts": [{"fund": "aok-bw", "valid_from": dt.date(2024, 1, 1), "terms": "bv",
                       "partners": "Comprehensive Cancer Centers Heidelberg, Tübingen-Stuttgart, Ulm und Freiburg",
                       "binding_months": 0, "renewal_months": 0, "notice_months": 0}],
    },
    {
        "slug": "watch-long-covid-thueringen",
        "program_type": "bv",
        "title": "WATCH – Versorgung bei Long- und Post-Covid in Thüringen",
        "title_en": "WATCH – care for long and post COVID in Thuringia",
        "summary": "Eine mobile Post-Covid-Ambulanz, der PoCo-Bus, kommt in die ländlichen Regionen Thüringens und koordiniert Medizin, Psychologie, Psychotherapie und Sport – ergänzt durch Apps und Videosprechstunden.",
        "summary_en": "A mobile post-COVID clinic, the PoCo bus, travels to rural Thuringia and coordinates medicine, psychology, psychotherapy and exercise, supported by apps and video consultations.",
        "description": (
            "Das Projekt WATCH hat die Universität Jena mit Partnern, darunter die AOK PLUS, ins Leben gerufen. "
            "Es hilft Menschen mit Long- oder Post-Covid, Beschwerden zu lindern und die Erkrankung zu "
            "bewältigen.\n\n"
            "Das Besondere: Die Versorgung kommt zu Ihnen. Der PoCo-Bus fährt als mobile Ambulanz in die "
            "ländlichen Regionen Thüringens und koordiniert die Behandlung durch Medizin, Psychologie, "
            "Psychotherapie und Sportwissenschaft. Apps und Videokonferenzen ergänzen die Termine vor Ort."
        ),
        "conditions": "Anhaltende Beschwerden nach einer Covid-19-Erkrankung (Long- oder Post-Covid); Wohnsitz in Thüringen",
        "icd10_codes": "U09.9, G93.3",
        "keywords": "Long Covid, Post Covid, Corona, Erschöpfung, Fatigue, Konzentration, Atemnot, Bus, mobile Ambulanz",
        "min_age": 18, "max_age": None, "online_enrollment": True,
        "region": {"lands": ["TH"], "note": "Thüringen, vor allem ländliche Regionen (mobile Ambulanz)"},
        "contracts": [{"fund": "aok-plus", "valid_from": dt.date(2023, 1, 1), "terms": "bv",
                       "partners": "Universitätsklinikum Jena und Projektpartner",
                       "binding_months": 6, "renewal_months": 0, "notice_months": 0, "start_rule": "after_revocation"}],
    },
    {
        "slug": "stereotaktische-strahlentherapie",
        "program_type": "bv",
        "title": "Stereotaktische Strahlentherapie",
        "title_en": "Stereotactic radiotherapy",
        "summary": "Robotergesteuerte Präzisionsbestrahlung in höchstens fünf Sitzungen – ambulant, ohne Narkose und schmerzfrei.",
        "summary_en": "Robot-guided precision radiotherapy in up to five sessions, as an outpatient, without anaesthesia and painless.",
        "description": (
            "Die stereotaktische Strahlentherapie bestrahlt ein Ziel im Körper millimetergenau, gesteuert von "
            "einem Roboter. Meist genügen bis zu fünf Sitzungen. Die Behandlung erfolgt ambulant, ohne "
            "Operation und ohne Narkose, und ist nicht schmerzhaft.\n\n"
            "Sie kommt für bestimmte gutartige und bösartige Tumoren, Gefäßfehlbildungen und funktionelle "
            "Störungen in Betracht. Ob sie für Sie geeignet ist, klären die behandelnden Fachärztinnen und "
            "Fachärzte."
        ),
        "conditions": "Bestimmte gut- oder bösartige Tumoren, Gefäßmissbildungen oder funktionelle Störungen (z. B. Trigeminusneuralgie)",
        "icd10_codes": "C71, C79.3, D32, D33, Q28.2, G50.0",
        "keywords": "Krebs, Tumor, Bestrahlung, Strahlentherapie, Cyberknife, Hirntumor, Metastasen, Präzision",
        "min_age": None, "max_age": None, "online_enrollment": True,
        "region": {"note": "Sachsen und Thüringen"},
        "contracts": [{"fund": "aok-plus", "valid_from": dt.date(2016, 1, 1), "terms": "bv",
                       "partners": "Zentren für stereotaktische Strahlentherapie in Sachsen und Thüringen",
                       "binding_months": 0, "renewal_months": 0, "notice_months": 0}],
    },
    {
        "slug": "kopfschmerz-kinder-dresden",
        "program_type": "bv",
        "title": "Kinder- und Jugendkopfschmerz-Programm",
        "title_en": "Headache programme for children and adolescents",
        "summary": "Für 10- bis 17-Jährige mit wiederkehrenden Kopfschmerzen: acht Gruppentreffen neben der Schule über etwa drei Monate, in denen Kinder lernen, was ohne Tabletten hilft.",
        "summary_en": "For 10 to 17 year olds with recurring headaches: eight group sessions alongside school over about three months, learning what helps without tablets.",
        "description": (
            "Kopfschmerzen und Migräne gehören zu den häufigsten Gründen, warum Kinder und Jugendliche in der "
            "Schule fehlen. Das Programm wurde am Universitätsklinikum Carl Gustav Carus Dresden entwickelt.\n\n"
            "Es besteht aus acht aufeinander aufbauenden Modulen und läuft etwa drei Monate parallel zur Schule. "
            "In Gruppen mit höchstens acht Kindern lernen die Teilnehmenden, selbst etwas zu tun, damit "
            "Kopfschmerzen seltener und schwächer werden – auch ohne Medikamente. Ärztinnen, Ärzte und "
            "Therapeutinnen und Therapeuten planen die Behandlung individuell.\n\n"
            "Bis zum 15. Geburtstag erklärt ein Elternteil die Teilnahme; ab 15 können Jugendliche selbst "
            "zustimmen."
        ),
        "conditions": "Kinder und Jugendliche von 10 bis 17 Jahren mit wiederkehrenden Kopfschmerzen oder Migräne",
        "icd10_codes": "G43, G44.2, R51",
        "keywords": "Kopfschmerzen, Kopfweh, Migräne, Kinder, Jugendliche, Schule, Spannungskopfschmerz",
        "min_age": 10, "max_age": 17, "online_enrollment": True,
        "region": {"kreise": ["14612"], "note": "Gruppen in Dresden"},
        "contracts": [{"fund": "aok-plus", "valid_from": dt.date(2019, 1, 1), "terms": "bv",
                       "partners": "Universitätsklinikum Carl Gustav Carus Dresden",
                       "binding_months": 3, "renewal_months": 0, "notice_months": 0}],
    },
    {
        "slug": "gemeindepflege-hannover",
        "program_type": "modell",
        "fictional": True,
        "title": "Gemeindepflege in der Region Hannover (Modellvorhaben)",
        "title_en": "Community nursing in the Hannover region (pilot project)",
        "summary": "Pflegefachkräfte mit erweiterter Ausbildung besuchen chronisch kranke und ältere Menschen zu Hause, übernehmen Routinekontrollen und halten engen Kontakt zur Hausarztpraxis. Befristet bis Ende 2031.",
        "summary_en": "Specially trained nurses visit chronically ill and older people at home, carry out routine checks and stay in close contact with the family doctor. Runs until the end of 2031.",
        "description": (
            "In diesem Modellvorhaben nach § 63 SGB V erprobt die AOK Niedersachsen mit Gesundheitszentren "
            "und Hausarztpraxen, wie Pflegefachkräfte mit erweiterter Qualifikation (Community Health Nursing) "
            "die Versorgung zu Hause verbessern können.\n\n"
            "Die Gemeindepflegekraft kommt zu Ihnen, misst Blutdruck und Blutzucker, schaut auf Medikamente "
            "und Wunden, berät Angehörige und meldet Auffälligkeiten sofort an Ihre Hausarztpraxis. Das "
            "Vorhaben wird wissenschaftlich begleitet und endet am 31. Dezember 2031." + FICTIONAL_NOTE
        ),
        "conditions": "Ab 65 Jahren oder chronisch krank mit eingeschränkter Mobilität; Wohnsitz in der Region Hannover",
        "icd10_codes": "",
        "keywords": "Gemeindeschwester, Hausbesuch, Pflege, Pflegekraft, zu Hause, ältere Menschen, Gesundheitszentrum",
        "min_age": None, "max_age": None, "online_enrollment": True,
        "region": {"kreise": ["03241"], "note": "Region Hannover"},
        "contracts": [{"fund": "aok-niedersachsen", "valid_from": dt.date(2024, 1, 1), "valid_until": dt.date(2031, 12, 31),
                       "terms": "modell", "partners": "Gesundheitszentren und Hausarztpraxen in der Region Hannover; wissenschaftliche Begleitung"}],
    },
]  # fmt: skip

# --- texts of the electronic declaration -----------------------------------------------
# Placeholders: {fund} {title} {binding} {renewal} {notice} {counts} {revocation}; the
# sentences about binding and renewal are chosen in `devdata.catalogue` from the contract's terms.

TEXTS: dict[str, dict[str, str]] = {
    "hzv": {
        "declaration": (
            "Ich nehme an der Hausarztzentrierten Versorgung der {fund} nach § 73b SGB V teil („{title}“).\n\n"
            "Mit allen gesundheitlichen Anliegen gehe ich zuerst zu der von mir gewählten Hausarztpraxis. "
            "Fachärztliche Behandlung nehme ich nur mit Überweisung dieser Praxis in Anspruch. Ohne Überweisung "
            "darf ich weiterhin Augen-, Frauen-, Kinder- und Jugendarztpraxen, Zahnarztpraxen und den ärztlichen "
            "Notdienst aufsuchen.\n\n"
            "{binding_sentence} Vorher kann ich die Praxis nur aus wichtigem Grund wechseln, etwa nach einem Umzug, "
            "wenn die Praxis schließt oder wenn das Vertrauensverhältnis gestört ist. {renewal_sentence}\n\n"
            "Die Teilnahme ist freiwillig und kostenlos. {revocation_sentence}"
        ),
        "consent": (
            "Einwilligung in die Datenübermittlung (§ 295a SGB V): Ich bin einverstanden, dass meine Hausarztpraxis "
            "und die Praxen, an die sie mich überweist, die Daten an die {fund} übermitteln, die für Abrechnung, "
            "Steuerung und Qualitätssicherung der Hausarztzentrierten Versorgung nötig sind – vor allem Diagnosen, "
            "erbrachte Leistungen und Verordnungen –, auch über eine von den Vertragspartnern beauftragte "
            "Abrechnungsstelle. Die Daten werden nur dafür verwendet und gelöscht, sobald sie nicht mehr gebraucht "
            "werden. Ohne diese Einwilligung ist keine Teilnahme möglich; widerrufe ich sie, endet meine Teilnahme."
        ),
    },
    "bv": {
        "declaration": (
            "Ich nehme am Vertrag über besondere Versorgung „{title}“ der {fund} nach § 140a SGB V teil.\n\n"
            "Für die Leistungen dieses Vertrags lasse ich mich von den teilnehmenden Ärztinnen, Ärzten und "
            "Einrichtungen behandeln und halte mich an den vereinbarten Behandlungsablauf. Meine übrigen Ansprüche "
            "als Versicherte oder Versicherter bleiben unberührt.\n\n"
            "{binding_sentence} {renewal_sentence}\n\n"
            "Die Teilnahme ist freiwillig und kostenlos. {revocation_sentence}"
        ),
        "consent": (
            "Einwilligung in den Datenaustausch (§ 140a Abs. 5 SGB V): Ich bin einverstanden, dass die am Vertrag "
            "„{title}“ teilnehmenden Leistungserbringer die für meine Behandlung nötigen Befunde, Diagnosen und "
            "Behandlungsdaten untereinander austauschen und die für die Abrechnung nötigen Daten an die {fund} "
            "übermitteln. Ausgetauscht wird nur, was für die abgestimmte Behandlung in diesem Vertrag erforderlich "
            "ist. Ohne diese Einwilligung ist keine Teilnahme möglich; widerrufe ich sie, endet meine Teilnahme."
        ),
    },
    "modell": {
        "declaration": (
            "Ich nehme am Modellvorhaben „{title}“ der {fund} nach § 63 SGB V teil.\n\n"
            "Ich weiß, dass das Modellvorhaben befristet ist und wissenschaftlich ausgewertet wird. Spätestens mit "
            "seinem Ende endet auch meine Teilnahme.\n\n"
            "{binding_sentence} {renewal_sentence}\n\n"
            "Die Teilnahme ist freiwillig und kostenlos. {revocation_sentence}"
        ),
        "consent": (
            "Einwilligung in die Datenverarbeitung: Ich bin einverstanden, dass die am Modellvorhaben „{title}“ "
            "beteiligten Leistungserbringer die für meine Versorgung nötigen Daten untereinander austauschen, die "
            "Abrechnungsdaten an die {fund} übermitteln und dass meine Daten ohne Namen (pseudonymisiert) für die "
            "vorgeschriebene wissenschaftliche Auswertung genutzt werden. Ohne diese Einwilligung ist keine "
            "Teilnahme möglich; widerrufe ich sie, endet meine Teilnahme."
        ),
    },
    "dmp": {
        "declaration": (
            "Ich möchte am strukturierten Behandlungsprogramm „{title}“ der {fund} (§ 137f SGB V) teilnehmen.\n\n"
            "Mit dieser Anfrage bin ich noch nicht eingeschrieben. Eingeschrieben bin ich erst, wenn meine "
            "behandelnde Ärztin oder mein behandelnder Arzt die Diagnose schriftlich bestätigt, die "
            "Teilnahmeerklärung mit mir unterschreibt und die Erstdokumentation an die {fund} schickt.\n\n"
            "Zum Programm gehören regelmäßige Untersuchungen und Dokumentationen und, wenn empfohlen, Schulungen. "
            "Die Teilnahme endet unter anderem, wenn zwei aufeinanderfolgende Quartalsdokumentationen fehlen oder "
            "ich innerhalb von zwölf Monaten zwei empfohlene Schulungen ohne triftigen Grund versäume.\n\n"
            "Die Teilnahme ist freiwillig und kostenlos; ich kann sie jederzeit beenden."
        ),
        "consent": (
            "Einwilligung in die Datenverarbeitung im Programm: Ich bin einverstanden, dass meine koordinierende "
            "Praxis die Dokumentationsdaten des Programms an die {fund} und an die von ihr beauftragte Datenstelle "
            "übermittelt und dass die Daten für meine Betreuung im Programm, für die Qualitätssicherung und für die "
            "gesetzlich vorgeschriebene Auswertung verwendet werden. Ich kann die Einwilligung jederzeit widerrufen; "
            "damit endet meine Teilnahme."
        ),
    },
}

REVOCATION_INSTRUCTION = (
    "Widerrufsbelehrung: Sie können Ihre Teilnahmeerklärung innerhalb von {revocation} ohne Angabe von Gründen "
    "widerrufen. Richten Sie den Widerruf an die {fund} – schriftlich, elektronisch (zum Beispiel über dieses "
    "Portal) oder zur Niederschrift in einer Geschäftsstelle. Die Frist beginnt, sobald Sie diese Belehrung "
    "erhalten haben, aber nicht vor Abgabe Ihrer Teilnahmeerklärung. Es genügt, den Widerruf rechtzeitig "
    "abzusenden. Endet die Frist an einem Samstag, Sonntag oder gesetzlichen Feiertag, läuft sie bis zum Ende "
    "des nächsten Werktags. Nach einem Widerruf gilt die Teilnahme als nicht erfolgt."
)
REVOCATION_ANYTIME = (
    "Hinweis zur Beendigung: Für dieses Programm gilt keine Widerrufsfrist. Sie können Ihre Teilnahme und Ihre "
    "Einwilligung jederzeit ohne Angabe von Gründen gegenüber der {fund} beenden – schriftlich, elektronisch "
    "oder persönlich in einer Geschäftsstelle."
)
