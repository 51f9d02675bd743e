"""Catalogue search: query parsing (no database) and matching on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from programs.models import Program, ProgramType
from programs.search import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    apply_search,
    fold,
    fold_document,
    light_stem,
    parse_query,
    rebuild_search_columns,
    search_columns,
)

pytestmark = pytest.mark.django_db


# --- parsing (pure) ---------------------------------------------------------------------------


def test_fold_strips_umlauts_case_and_punctuation():
    assert fold("Rückenschmerzen, Herz-Kreislauf! ÄRZTE Straße") == "ruckenschmerzen herz kreislauf arzte strasse"


def test_fold_document_pads_with_spaces_for_word_start_matching():
    assert fold_document("Herz", None, "KHK") == " herz khk "
    assert fold_document("", None) == ""


def test_light_stem_keeps_four_letters():
    assert light_stem("schmerzen") == "schmerz"
    assert light_stem("diabetes") == "diabet"
    assert light_stem("herz") == "herz"
    assert light_stem("kinder") == "kind"


def test_parse_query_adds_umlaut_variant_for_spelled_out_umlauts():
    term = parse_query("Rueckenschmerzen").terms[0]
    assert "ruckenschmerzen" in term.alternatives  # = fold("Rückenschmerzen")
    assert "rueckenschmerzen" in term.alternatives  # the original spelling stays


def test_parse_query_splits_lay_compounds_into_their_first_part():
    term = parse_query("Rückenschmerzen").terms[0]
    assert "rucken" in term.alternatives
    assert "rucken" in term.patterns  # not the stem "ruck": that would find "Rückfall"


def test_parse_query_expands_lay_synonyms():
    assert "diabetes" in parse_query("Zucker").terms[0].alternatives
    krebs = parse_query("Krebs").terms[0].alternatives
    assert {"onkolog", "tumor"} <= set(krebs)
    assert {"copd", "asthma"} <= set(parse_query("Lunge").terms[0].alternatives)


def test_parse_query_drops_stopwords_and_duplicates():
    query = parse_query("Programm für die Lunge lunge")
    assert query.words == ["programm", "lunge"]


def test_parse_query_truncates_very_long_input():
    query = parse_query("Herz " * 200)
    assert query.truncated
    assert len(query.text) == MAX_QUERY_LENGTH
    assert query.words == ["herz"]


def test_parse_query_limits_the_number_of_terms():
    query = parse_query(" ".join(f"wort{i}" for i in range(20)))
    assert len(query.terms) == MAX_TERMS
    assert query.dropped_terms == 20 - MAX_TERMS


@pytest.mark.parametrize("raw", ["", "   ", None, "<>!§$%&/()", "a", "x" * 5000, "\x00\ud800"])
def test_parse_query_never_fails_on_junk(raw):
    query = parse_query(raw)
    assert len(query.text) <= MAX_QUERY_LENGTH


# --- columns ----------------------------------------------------------------------------------


def test_search_columns_include_labels_in_both_languages(catalogue):
    columns = search_columns(catalogue.dmp_khk)
    assert " koronare herzkrankheit " in columns["search_text"]
    assert "coronary" in columns["search_text"] or "disease management" in columns["search_text"]
    assert columns["search_title"].startswith(" aok curaplan koronare")


def test_program_save_keeps_search_columns_current(catalogue):
    program = catalogue.ruecken
    program.keywords = "Bandscheibe, Ischias"
    program.save(update_fields=["keywords"])
    program.refresh_from_db()
    assert " ischias " in program.search_text


def test_rebuild_search_columns_repairs_bulk_loaded_rows(catalogue):
    Program.objects.filter(pk=catalogue.ccc.pk).update(search_text="", search_title="")
    assert rebuild_search_columns() == 1
    catalogue.ccc.refresh_from_db()
    assert "onkologischen" in catalogue.ccc.search_text


# --- matching (both databases) ----------------------------------------------------------------


def search(q: str) -> list[str]:
    return list(
        apply_search(Program.objects.all(), parse_query(q)).order_by("-rank", "title").values_list("slug", flat=True)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Rückenschmerzen", {"ruecken-aktiv"}),
        ("Rueckenschmerzen", {"ruecken-aktiv"}),
        ("rücken", {"ruecken-aktiv"}),
        ("Krebs", {"curaplan-brustkrebs", "ccc-integrativ"}),
        ("Herz", {"curaplan-khk", "curaplan-herzinsuffizienz"}),
        ("Zucker", {"curaplan-diabetes-typ-2"}),
        ("Diabetiker", {"curaplan-diabetes-typ-2"}),
        ("kinzigtal", {"gesundes-kinzigtal"}),
        ("Lunge", set()),
        ("Kopfschmerzen Kinder", {"kopfschmerz-kinder-dresden"}),
        ("Migräne", {"kopfschmerz-kinder-dresden"}),
        ("Pflegeheim", {"ivp-pflegeheimnetz"}),
        ("Hausarzt", {"hausarztprogramm-bw"}),
    ],
)
def test_search_finds_lay_terms(catalogue, query, expected):
    found = set(search(query))
    assert expected <= found
    if not expected:
        assert not found


def test_search_short_stem_does_not_match_inside_words(catalogue):
    Program.objects.filter(pk=catalogue.ccc.pk).update(search_text=" bluthochdruck ")
    assert "ccc-integrativ" not in search("Rücken")


def test_search_ranks_title_matches_first(catalogue):
    results = search("Herz")
    assert results[0] in {"curaplan-khk", "curaplan-herzinsuffizienz"}


def test_search_requires_every_term(catalogue):
    assert search("Krebs Herz") == []
    assert search("Curaplan Brustkrebs") == ["curaplan-brustkrebs"]


def test_search_treats_sql_and_html_as_text(catalogue):
    assert search("'; DROP TABLE programs_program; --") == []
    assert search("<script>alert(1)</script>") == []
    assert Program.objects.count() > 0


def test_search_without_terms_keeps_everything(catalogue):
    assert len(search("   ")) == Program.objects.count()


# --- PostgreSQL extras ------------------------------------------------------------------------


def test_search_tolerates_typos_on_both_databases(catalogue):
    assert "curaplan-diabetes-typ-2" in search("Diabetis")
    assert "curaplan-herzinsuffizienz" in search("Herzinsufizienz")


def test_corrections_name_the_word_searched_instead(catalogue):
    from programs.search import corrections

    assert corrections(parse_query("Herzinsufizienz")) == {"herzinsufizienz": "herzinsuffizienz"}
    assert corrections(parse_query("Diabetes")) == {}  # a known word is not corrected


def test_numbers_rank_without_filtering(catalogue):
    query = parse_query("Diabetes Typ 2")
    assert query.boosts == ("2",) and [t.word for t in query.terms] == ["diabetes", "typ"]
    assert parse_query("Typ II").boosts == ("2",)


def test_search_stems_german_inflections(catalogue):
    Program.objects.filter(pk=catalogue.mentalis.pk).update(search_text=" psychische erkrankungen ")
    assert "mentalis" in search("Erkrankung")


def test_program_types_have_search_labels(catalogue):
    hzv = search_columns(Program(title="x", summary="y", program_type=ProgramType.HZV))
    assert "hausarztzentrierte versorgung" in hzv["search_text"]


def test_rebuild_command_repairs_columns_and_vocabulary(catalogue):
    from io import StringIO

    from django.core.management import call_command

    from programs.models import SearchWord

    Program.objects.filter(pk=catalogue.ccc.pk).update(search_text="")
    SearchWord.objects.all().delete()
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "1 Programme aktualisiert" in out.getvalue()
    assert SearchWord.objects.filter(word="onkologischen").exists()


def test_bulk_create_fills_search_columns_and_vocabulary(aoks):
    from programs.models import SearchWord

    Program.objects.bulk_create(
        [Program(slug="bulk-1", title="Gelenkschule", summary="Arthrose verstehen", program_type=ProgramType.BESONDERE)]
    )
    program = Program.objects.get(slug="bulk-1")
    assert " gelenkschule " in program.search_text
    assert program.legal_basis == "§ 140a SGB V"
    assert SearchWord.objects.filter(word="arthrose").exists()
