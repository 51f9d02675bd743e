"""Public catalogue pages: home, list, detail, deadline calculator. Bad input never errors."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Program
from tests.factories import InsuredPersonFactory
from tests.fixtures.catalogue import make_program, make_provider

pytestmark = pytest.mark.django_db

HOME = reverse("home")
LIST = reverse("programs:list")
CALC = reverse("programs:deadline_calculator")


def text_of(response) -> str:
    html = response.content.decode()
    main = re.search(r"<main.*?</main>", html, re.S)
    body = re.sub(r"<[^>]+>", " ", main.group(0) if main else html)
    return re.sub(r"\s+", " ", body)


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def result_slugs(response) -> list[str]:
    return [row.program.slug for row in response.context["rows"]]


# --- home -------------------------------------------------------------------------------------


def test_home_asks_where_you_live(client, catalogue):
    response = client.get(HOME)
    assert response.status_code == 200
    assert "Wo wohnen Sie?" in text_of(response)
    assert 'name="plz"' in response.content.decode()
    assert not title_of(response).startswith("Fehler")


def test_home_shows_responsible_fund_and_programs_by_type(client, catalogue):
    response = client.get(HOME, {"plz": "77716"})
    page = text_of(response)
    assert "Für 77716 Haslach im Kinzigtal ist die AOK Baden-Württemberg zuständig" in page
    labels = [g["label"] for g in response.context["groups"]]
    assert labels == [
        "Hausarztzentrierte Versorgung",
        "Besondere Versorgung",
        "Disease-Management-Programm",
        "Regionaler Versorgungsvertrag",
    ]
    slugs = {p.slug for g in response.context["groups"] for p in g["programs"]}
    assert "gesundes-kinzigtal" in slugs  # Haslach lies in the Kinzigtal
    assert "kopfschmerz-kinder-dresden" not in slugs  # AOK PLUS, Dresden
    assert "bayern-programm" not in slugs
    assert "entwurf" not in slugs and "abgelaufen" not in slugs


def test_home_outside_the_region_hides_the_regional_program(client, catalogue):
    response = client.get(HOME, {"plz": "77652"})
    slugs = {p.slug for g in response.context["groups"] for p in g["programs"]}
    assert "gesundes-kinzigtal" not in slugs
    assert "hausarztprogramm-bw" in slugs


def test_home_ambiguous_plz_asks_for_the_place(client, catalogue):
    response = client.get(HOME, {"plz": "88888"})
    page = text_of(response)
    assert "gehört zu mehreren Orten" in page
    assert "Grenzdorf (Konstanz) – AOK Baden-Württemberg" in page
    assert "Grenzweiler (Aschaffenburg) – AOK Bayern" in page
    assert response.context["groups"] == []
    assert not title_of(response).startswith("Fehler")


def test_home_chosen_place_shows_that_funds_programs(client, catalogue):
    response = client.get(HOME, {"plz": "88888", "ort": "09671", "ortwahl": "1"})
    assert "ist die AOK Bayern zuständig" in text_of(response)
    slugs = {p.slug for g in response.context["groups"] for p in g["programs"]}
    assert slugs == {"bayern-programm"}


def test_home_place_question_answered_with_nothing_is_an_error(client, catalogue):
    response = client.get(HOME, {"plz": "88888", "ortwahl": "1"})
    assert title_of(response).startswith("Fehler: ")
    assert "Bitte wählen Sie Ihren Wohnort." in text_of(response)


def test_home_place_not_among_the_options_is_an_error(client, catalogue):
    response = client.get(HOME, {"plz": "88888", "ort": "99999", "ortwahl": "1"})
    assert "Bitte wählen Sie einen der angezeigten Orte." in text_of(response)


@pytest.mark.parametrize(
    ("plz", "message"),
    [
        ("", "Bitte geben Sie Ihre Postleitzahl ein."),
        ("7771", "Eine Postleitzahl hat genau fünf Ziffern"),
        ("abcde", "Eine Postleitzahl hat genau fünf Ziffern"),
        ("777166", "Eine Postleitzahl hat genau fünf Ziffern"),
        ("00123", "Postleitzahlen beginnen nicht mit 00."),
        ("9" * 5000, "Eine Postleitzahl hat genau fünf Ziffern"),
        ("７７７１６", "Eine Postleitzahl hat genau fünf Ziffern"),  # full-width digits
        ("12345", "Die Postleitzahl 12345 kennen wir nicht."),
    ],
)
def test_home_bad_plz_gets_a_clear_message(client, catalogue, plz, message):
    response = client.get(HOME, {"plz": plz})
    assert response.status_code == 200
    assert title_of(response).startswith("Fehler: ")
    assert message in text_of(response)
    assert 'class="kern-alert kern-alert--danger app-error-summary"' in response.content.decode()


def test_home_accepts_plz_with_spaces(client, catalogue):
    response = client.get(HOME, {"plz": " 777 16 "})
    assert "Haslach im Kinzigtal" in text_of(response)


def test_home_escapes_injected_html(client, catalogue):
    response = client.get(HOME, {"plz": "<script>alert(1)</script>"})
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


# --- list -------------------------------------------------------------------------------------


def test_list_shows_published_programs_with_a_current_contract(client, catalogue):
    response = client.get(LIST)
    slugs = set(result_slugs(response))
    assert "hausarztprogramm-bw" in slugs
    assert "entwurf" not in slugs
    assert "abgelaufen" not in slugs
    assert response.context["page"].paginator.count == 13


def test_list_search_ranks_and_filters(client, catalogue):
    response = client.get(LIST, {"q": "Herz"})
    assert set(result_slugs(response)) == {"curaplan-khk", "curaplan-herzinsuffizienz"}
    assert title_of(response).startswith("Programme zu „Herz“")


def test_list_filters_by_type_fund_condition_and_online(client, catalogue):
    assert set(result_slugs(client.get(LIST, {"typ": "dmp", "kasse": "aok-plus"}))) == {"curaplan-diabetes-typ-2"}
    assert result_slugs(client.get(LIST, {"erkrankung": "07"})) == ["curaplan-herzinsuffizienz"]
    assert "ruecken-aktiv" not in result_slugs(client.get(LIST, {"online": "on"}))
    both = set(result_slugs(client.get(LIST, {"typ": ["hzv", "regional"]})))
    assert both == {"hausarztprogramm-bw", "gesundes-kinzigtal"}


def test_list_plz_and_age_filter_and_explain(client, catalogue):
    response = client.get(LIST, {"plz": "77716", "alter": "12"})
    slugs = result_slugs(response)
    assert "mentalis" not in slugs  # from 16
    assert "kopfschmerz-kinder-dresden" not in slugs  # Dresden, AOK PLUS
    assert "gesundes-kinzigtal" in slugs
    ivp = next(r for r in response.context["rows"] if r.program.slug == "ivp-pflegeheimnetz")
    assert [p.text for p in ivp.eligibility.open_points] == ["setzt die Teilnahme am Hausarztprogramm voraus"]
    assert "Teilnahme geprüft für: 77716 Haslach im Kinzigtal, 12 Jahre" in text_of(response)


def test_list_show_all_lists_every_reason(client, catalogue):
    response = client.get(LIST, {"plz": "77716", "alter": "40", "alle": "on"})
    rows = {r.program.slug: r.eligibility for r in response.context["rows"]}
    reasons = [r.text for r in rows["kopfschmerz-kinder-dresden"].reasons]
    assert "nur bis 17 Jahre" in reasons
    assert any(t.startswith("nur für Einwohnerinnen und Einwohner des Kreises Dresden") for t in reasons)
    assert any(t.startswith("wird von Ihrer Krankenkasse nicht angeboten") for t in reasons)
    assert rows["hausarztprogramm-bw"].certain
    page = text_of(response)
    assert "Teilnahme nicht möglich" in page and "nur bis 17 Jahre" in page


def test_list_logged_in_insured_sees_eligibility_from_the_record(client, catalogue):
    person = InsuredPersonFactory(postal_code="77652", city="Offenburg", birth_date=dt.date(2015, 5, 1))
    client.force_login(person.user)
    response = client.get(LIST)
    rows = {r.program.slug: r.eligibility for r in response.context["rows"]}
    assert [r.code for r in rows["mentalis"].reasons] == ["too_young"]
    assert [r.code for r in rows["gesundes-kinzigtal"].reasons] == ["region"]
    assert [r.code for r in rows["ivp-pflegeheimnetz"].reasons] == ["prerequisite"]
    assert "Angaben aus Ihrem Konto" in text_of(response)


def test_list_ambiguous_plz_offers_the_places(client, catalogue):
    response = client.get(LIST, {"plz": "88888"})
    page = text_of(response)
    assert "gehört zu mehreren Orten" in page
    slugs = set(result_slugs(response))
    assert {"bayern-programm", "hausarztprogramm-bw"} <= slugs  # both AOKs until a place is chosen
    chosen = set(result_slugs(client.get(LIST, {"plz": "88888", "ort": "09671"})))
    assert chosen == {"bayern-programm"}


def test_list_sort_by_name_or_relevance(client, catalogue):
    by_name = result_slugs(client.get(LIST, {"q": "Curaplan", "sortierung": "name"}))
    assert by_name == sorted(by_name, key=lambda s: Program.objects.get(slug=s).title)
    assert result_slugs(client.get(LIST, {"q": "Krebs"}))[0] == "curaplan-brustkrebs"


def test_list_paginates_with_filters_kept_in_links(client, catalogue):
    bw = catalogue.bw
    for i in range(25):
        make_program(f"extra-{i:02d}", f"Zusatzprogramm {i:02d}", funds=[bw])
    response = client.get(LIST, {"q": "Zusatzprogramm"})
    assert response.context["page"].paginator.num_pages == 2
    html = response.content.decode()
    assert 'href="?q=Zusatzprogramm&amp;seite=2"' in html
    page2 = client.get(LIST, {"q": "Zusatzprogramm", "seite": "2"})
    assert len(page2.context["rows"]) == 5
    for bad in ("999", "abc", "-1", "0"):
        assert client.get(LIST, {"q": "Zusatzprogramm", "seite": bad}).status_code == 200


def test_list_htmx_request_gets_only_the_results(client, catalogue):
    response = client.get(LIST, {"q": "Herz"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="results-status"' in html and 'hx-swap-oob="true"' in html
    assert "AOK-Curaplan Koronare Herzkrankheit" in html
    assert "HX-Request" in response["Vary"]


def test_list_form_updates_in_place_with_htmx_and_works_without(client, catalogue):
    html = client.get(LIST).content.decode()
    form = re.search(r'<form id="catalogue-form"[^>]*>', html).group(0)
    assert 'method="get"' in form and f'action="{LIST}"' in form
    assert f'hx-get="{LIST}"' in form
    assert 'hx-trigger="input changed delay:300ms, change, submit"' in form  # Enter: one request, in place
    assert 'hx-target="#results"' in form and 'hx-push-url="true"' in form


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"alter": "-5"}, "alter", "Das Alter kann nicht negativ sein."),
        ({"alter": "999"}, "alter", "Bitte geben Sie ein Alter bis 120 Jahre an."),
        ({"alter": "abc"}, "alter", "Bitte geben Sie das Alter als ganze Zahl an"),
        ({"alter": "1e9"}, "alter", "Bitte geben Sie das Alter als ganze Zahl an"),
        ({"alter": "9" * 400}, "alter", "Bitte geben Sie das Alter als ganze Zahl an"),
        ({"plz": "1234"}, "plz", "Eine Postleitzahl hat genau fünf Ziffern"),
        ({"plz": "12345"}, "plz", "Die Postleitzahl 12345 kennen wir nicht."),
        ({"typ": "nonsense"}, "typ", "nonsense"),
        ({"kasse": "aok-mond"}, "kasse", "aok-mond"),
        ({"erkrankung": "99"}, "erkrankung", "99"),
        ({"sortierung": "price"}, "sortierung", "price"),
    ],
)
def test_list_bad_input_gives_messages_and_still_results(client, catalogue, params, field, message):
    response = client.get(LIST, params)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert title_of(response).startswith("Fehler: ")
    assert response.context["page"].paginator.count == 13  # the bad filter is ignored


def test_list_bad_age_does_not_block_the_valid_search(client, catalogue):
    response = client.get(LIST, {"alter": "abc", "q": "Herz"})
    assert set(result_slugs(response)) == {"curaplan-khk", "curaplan-herzinsuffizienz"}


def test_list_very_long_query_is_cut_with_a_message(client, catalogue):
    response = client.get(LIST, {"q": "Herz " + "x" * 5000})
    assert response.status_code == 200
    assert response.context["truncated"]
    assert "Wir haben nur die ersten 200 Zeichen verwendet." in text_of(response)
    assert len(response.context["query"].text) == 200


def test_list_escapes_injected_html(client, catalogue):
    payload = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    response = client.get(LIST, {"q": payload})
    html = response.content.decode()
    assert "<script>alert(2)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_list_no_results_explains_what_to_do(client, catalogue):
    response = client.get(LIST, {"q": "Zahnspange"})
    page = text_of(response)
    assert "Keine Programme gefunden." in page
    assert "Alle Filter zurücksetzen" in page


def test_list_in_english_uses_english_titles(client, catalogue):
    Program.objects.filter(pk=catalogue.hzv.pk).update(title_en="GP-centred care AOK BW")
    response = client.get(LIST, headers={"Accept-Language": "en"})
    assert "GP-centred care AOK BW" in response.content.decode()


# --- query counts: constant in the number of programs ------------------------------------------


def add_programs(catalogue, n: int) -> None:
    for i in range(n):
        program = make_program(f"last-{i:03d}", f"Lastprogramm {i:03d} Herz", funds=[catalogue.bw, catalogue.plus])
        program.region_gemeinden.set([catalogue.gemeinden["haslach"]])
        program.prerequisites.set([catalogue.hzv])


@pytest.mark.parametrize("extra", [0, 40])
def test_home_query_count_is_constant(client, catalogue, django_assert_num_queries, extra):
    add_programs(catalogue, extra)
    # the postal index (postal codes, Gemeinden, Kreise, fund regions), the catalogue memo
    # (programs, 3 region tables, contracts), shown rows
    with django_assert_num_queries(10):
        response = client.get(HOME, {"plz": "77716"})
    assert sum(g["count"] for g in response.context["groups"]) == 10 + extra
    with django_assert_num_queries(1):  # the next place: from the postal index; the shown rows
        response = client.get(HOME, {"plz": "01067"})
    assert response.context["groups"]


@pytest.mark.parametrize("extra", [0, 40])
def test_list_query_count_is_constant(client, catalogue, django_assert_num_queries, extra):
    add_programs(catalogue, extra)
    # funds, vocabulary, search texts, the catalogue memo (programs, 3 region tables, contracts)
    # once per catalogue version; then the matches ranked by relevance, the page
    with django_assert_num_queries(10):
        client.get(LIST, {"q": "Herz"})
    with django_assert_num_queries(2):  # the next search: the matches ranked, the page's rows
        client.get(LIST, {"q": "Diabetis"})


@pytest.mark.parametrize("extra", [0, 40])
def test_list_with_person_query_count_is_constant(client, catalogue, django_assert_num_queries, extra):
    add_programs(catalogue, extra)
    # funds, the postal index (4), the catalogue memo (5), page, the rules memo (6)
    with django_assert_num_queries(18):
        response = client.get(LIST, {"plz": "77716", "alter": "40", "alle": "on"})
    assert len(response.context["rows"]) == min(20, 13 + extra)
    with django_assert_num_queries(0):  # another age: the same rows, all from the memos
        response = client.get(LIST, {"plz": "77716", "alter": "41", "alle": "on"})
    assert len(response.context["rows"]) == min(20, 13 + extra)
    if extra:
        with django_assert_num_queries(1):  # the next page: its rows, read once
            response = client.get(LIST, {"plz": "77716", "alter": "41", "alle": "on", "seite": "2"})
        assert len(response.context["rows"]) == 20
        with django_assert_num_queries(0):
            client.get(LIST, {"plz": "77716", "alter": "42", "alle": "on", "seite": "2"})


@pytest.mark.parametrize("extra", [0, 40])
def test_detail_query_count_is_constant(client, catalogue, django_assert_num_queries, extra):
    add_programs(catalogue, extra)
    hzv_contract = catalogue.hzv.contracts.get()
    for i in range(6 + extra):  # enough participants nearby at both sizes (one bounding box)
        make_provider(f"Praxis {i}", 48.28 + i / 1000, 8.09, contracts=[hzv_contract])
    # program + 7 relations, PLZ lookup (3), centroid, nearby candidates, nearby rows
    with django_assert_num_queries(14):
        response = client.get(reverse("programs:detail", args=["hausarztprogramm-bw"]), {"plz": "77716"})
    assert len(response.context["nearby"].hits) == 5


# --- detail -----------------------------------------------------------------------------------


def detail(client, slug, **params):
    return client.get(reverse("programs:detail", args=[slug]), params)


def test_detail_explains_target_group_and_how_to_take_part(client, catalogue):
    page = text_of(detail(client, "gesundes-kinzigtal"))
    assert "Vernetzte Vollversorgung im Kinzigtal." in page
    assert "nur für Einwohnerinnen und Einwohner der 17 Gemeinden des Kinzigtals" in page
    assert "So nehmen Sie teil" in page
    assert "AOK Baden-Württemberg" in page


def test_detail_deadlines_in_plain_words_with_examples(client, catalogue):
    today = timezone.localdate()
    page = text_of(detail(client, "hausarztprogramm-bw"))
    assert "innerhalb von 14 Tagen ohne Begründung widerrufen" in page
    assert "Beispiel: Erklärung und Widerrufsbelehrung heute" in page
    assert "Die Teilnahme beginnt am ersten Tag eines Quartals" in page
    assert "Sie sind 1 Jahr ab Beginn an die Teilnahme gebunden." in page
    assert "wechseln können Sie nur aus wichtigem Grund" in page  # HzV: the GP is bound too
    assert "Kündigungsfrist: 1 Monat vor dem Ende des Zeitraums" in page
    assert today.strftime("%d.%m.%Y") in page


def test_detail_dmp_can_be_revoked_any_time(client, catalogue):
    page = text_of(detail(client, "curaplan-diabetes-typ-2"))
    assert "jederzeit widerrufen" in page
    assert "Diagnose" in page  # the practice confirms the diagnosis
    assert "AOK Baden-Württemberg, AOK PLUS" in page  # same policy, explained once


def test_detail_offers_online_enrollment_only_when_possible(client, catalogue):
    login = reverse("login") + "?next=" + quote(reverse("programs:detail", args=["hausarztprogramm-bw"]))
    assert f'href="{login}"' in detail(client, "hausarztprogramm-bw").content.decode()  # anonymous: sign in first
    assert "Online teilnehmen" in text_of(detail(client, "hausarztprogramm-bw"))
    assert "Online teilnehmen" not in text_of(detail(client, "ruecken-aktiv"))


def test_detail_with_plz_and_age_shows_eligibility_and_nearby_providers(client, catalogue):
    response = detail(client, "hausarztprogramm-bw", plz="77716", alter="40")
    assert response.context["eligibility"].certain
    hits = response.context["nearby"].hits
    assert [h.provider.name for h in hits] == [
        "Praxis Dr. Nah",
        "Praxis Dr. Mittel",
        "Kardiologie Offenburg",
        "Praxis Konstanz",
    ]
    page = text_of(response)
    assert "Sie können teilnehmen" in page
    assert "0,1 km entfernt" in page
    assert "Praxis ohne Vertrag" not in page


def test_detail_reasons_and_prerequisite_link(client, catalogue):
    response = detail(client, "ivp-pflegeheimnetz", plz="01067", alter="80")
    reasons = [r.text for r in response.context["eligibility"].reasons]
    assert reasons == ["wird von Ihrer Krankenkasse nicht angeboten (nur AOK Baden-Württemberg)"]
    assert reverse("programs:detail", args=["hausarztprogramm-bw"]) in response.content.decode()


@pytest.mark.parametrize("params", [{"plz": "abc"}, {"alter": "-5"}, {"alter": "999"}, {"plz": "12345"}])
def test_detail_bad_input_never_errors(client, catalogue, params):
    response = detail(client, "hausarztprogramm-bw", **params)
    assert response.status_code == 200
    assert title_of(response).startswith("Fehler: ")


def test_detail_unknown_or_unpublished_is_404(client, catalogue):
    assert detail(client, "gibt-es-nicht").status_code == 404
    assert detail(client, "entwurf").status_code == 404


# --- deadline calculator -------------------------------------------------------------------------


def test_calculator_page_is_public_and_named(client):
    response = client.get(CALC)
    assert response.status_code == 200
    assert "Bis wann kann ich widerrufen?" in title_of(response)


def test_calculator_weekend_shift(client, aoks):
    # DOMAIN.md: TE Saturday 19.12.2026 → raw end Saturday 02.01.2027 → Monday 04.01.2027
    response = client.get(CALC, {"erklaerung": "2026-12-19", "land": "NW"})
    page = text_of(response)
    assert "Sie können bis einschließlich Montag, 04.01.2027 widerrufen." in page
    assert "Samstag, 02.01.2027 ist kein Werktag (Samstag)" in page
    assert "Sonntag, 03.01.2027 ist kein Werktag (Sonntag)" in page


def test_calculator_names_each_holiday(client, aoks):
    # DOMAIN.md: TE Friday 12.03.2027 → Karfreitag, weekend, Ostermontag → Tuesday 30.03.2027
    response = client.get(CALC, {"erklaerung": "12.03.2027", "land": "SN"})
    page = text_of(response)
    assert "bis einschließlich Dienstag, 30.03.2027" in page
    assert "Feiertag: Karfreitag (Sachsen)" in page
    assert "Feiertag: Ostermontag (Sachsen)" in page
    assert "Berücksichtigte Feiertage: Sachsen" in page


def test_calculator_later_belehrung_starts_the_period(client, aoks):
    response = client.get(CALC, {"erklaerung": "2027-03-01", "belehrung": "2027-03-03", "land": "BW"})
    page = text_of(response)
    assert "beginnt mit der Belehrung am Mittwoch, 03.03.2027" in page
    assert "bis einschließlich Mittwoch, 17.03.2027" in page


def test_calculator_includes_the_land_of_the_funds_seat(client, aoks):
    # 06.01. (Heilige Drei Könige) is a holiday in BW, not in SN: TE 23.12.2026 → 06.01.2027
    plain = text_of(client.get(CALC, {"erklaerung": "2026-12-23", "land": "SN"}))
    assert "bis einschließlich Mittwoch, 06.01.2027" in plain
    with_seat = text_of(client.get(CALC, {"erklaerung": "2026-12-23", "land": "SN", "kasse": "aok-bw"}))
    assert "bis einschließlich Donnerstag, 07.01.2027" in with_seat
    assert "Heilige Drei Könige (Baden-Württemberg)" in with_seat
    assert "Berücksichtigte Feiertage: Sachsen, Baden-Württemberg" in with_seat or (
        "Berücksichtigte Feiertage: Baden-Württemberg, Sachsen" in with_seat
    )


def test_calculator_says_when_the_instruction_came_before_the_declaration(client, aoks):
    page = text_of(client.get(CALC, {"erklaerung": "2027-03-03", "belehrung": "2027-03-01", "land": "BW"}))
    assert "ein Datum vor Ihrer Erklärung angegeben" in page
    assert "beginnt mit der Erklärung am Mittwoch, 03.03.2027" in page
    assert "bis einschließlich Mittwoch, 17.03.2027" in page


def test_calculator_in_english_names_land_and_holiday_in_english(client, aoks):
    page = text_of(client.get(CALC, {"erklaerung": "12.03.2027", "land": "SN"}, headers={"accept-language": "en"}))
    assert "Good Friday (Saxony)" in page


def test_calculator_writes_dates_in_one_format_per_language(client, aoks):
    # Erklärung Fri 12.03.2027 in SN: the 14th day is Good Friday, then Easter Monday → Tuesday
    params = {"erklaerung": "12.03.2027", "land": "SN"}
    english = text_of(client.get(CALC, params, headers={"accept-language": "en"}))
    assert "Tuesday, 30 Mar 2027" in english
    assert not re.search(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b", english), "a German date on the English page"
    german = text_of(client.get(CALC, params, headers={"accept-language": "de"}))
    assert "Dienstag, 30.03.2027" in german
    assert "March" not in german and "März 2027" not in german


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"land": "BW"}, "Bitte geben Sie den Tag Ihrer Teilnahmeerklärung an."),
        ({"erklaerung": "gestern", "land": "BW"}, "Bitte geben Sie ein Datum an"),
        ({"erklaerung": "2027-02-30", "land": "BW"}, "Bitte geben Sie ein Datum an"),
        ({"erklaerung": "1850-01-01", "land": "BW"}, "Bitte geben Sie ein Datum zwischen"),
        ({"erklaerung": "2027-01-01", "land": "XX"}, "XX"),
        ({"erklaerung": "2027-01-01"}, "Bitte wählen Sie Ihr Bundesland."),
        ({"erklaerung": "<b>x</b>", "land": "<i>"}, "Bitte geben Sie ein Datum an"),
    ],
)
def test_calculator_bad_input(client, aoks, params, message):
    response = client.get(CALC, params)
    assert response.status_code == 200
    assert title_of(response).startswith("Fehler: ")
    assert message in text_of(response)
    assert "<b>x</b>" not in response.content.decode()


def test_german_fallback_texts_are_marked_on_english_pages(client, catalogue):
    Program.objects.filter(pk=catalogue.hzv.pk).update(title_en="GP-centred care AOK BW")
    html = client.get(LIST, {"q": "Hausarzt"}, headers={"Accept-Language": "en"}).content.decode()
    assert '<a href="/programme/hausarztprogramm-bw/">GP-centred care AOK BW</a>' in html
    assert 'lang="de">Ihre Hausarztpraxis als erste Anlaufstelle.' in html  # no English summary
    detail = client.get(reverse("programs:detail", args=["ccc-integrativ"]), headers={"Accept-Language": "en"})
    assert '<h1 class="kern-heading-x-large" lang="de">CCC Integrativ</h1>' in detail.content.decode()
    german = client.get(LIST, {"q": "Hausarzt"}).content.decode()
    assert 'lang="de">Ihre Hausarztpraxis' not in german


def test_detail_for_a_place_outside_the_program_says_so_instead_of_listing_far_practices(client, catalogue):
    """01067 (Dresden) and the Hausarztprogramm of AOK Baden-Württemberg: practices 400 km away
    are no answer; the page says why the program does not apply there."""
    response = detail(client, "hausarztprogramm-bw", plz="01067", alter="40")
    assert response.context["nearby"] is None
    page = text_of(response)
    assert "Für 01067 gilt dieses Programm nicht" in page
    assert "Deshalb zeigen wir hier keine Praxen an." in page
    assert "km entfernt" not in page
    # inside the region the practices are listed as before
    inside = detail(client, "hausarztprogramm-bw", plz="77716", alter="40")
    assert inside.context["nearby"].hits and "gilt dieses Programm nicht" not in text_of(inside)


def test_home_greets_a_signed_in_person_with_their_place_participations_and_deadlines(client, catalogue):
    """After sign-in the home page uses the person's own postal code and fund (no need to type
    it) and greets them with their open participations and the next deadline of each."""
    from enrollment import services
    from tests.fixtures.enrollment import ALL_CONSENTS

    person = InsuredPersonFactory(first_name="Erika", postal_code="77716", city="Haslach im Kinzigtal")
    contract = catalogue.hzv.contracts.get()
    gp = make_provider("Praxis am Markt", 48.28, 8.09, contracts=[contract])
    now = timezone.now()
    participation = services.participation_declare(
        person=person, contract=contract, provider=gp, actor=person.user, consents=ALL_CONSENTS,
        idempotency_key=__import__("uuid").uuid4(), now=now,
    )  # fmt: skip
    client.force_login(person.user)
    response = client.get(HOME)
    page = text_of(response)
    assert "Guten Tag, Erika" in page
    assert "Hausarztprogramm AOK Baden-Württemberg" in page and "Widerruf möglich bis" in page
    assert participation.revocation_deadline.strftime("%d.%m.%Y") in page
    assert f'href="{reverse("enrollment:detail", args=[participation.pk])}"' in response.content.decode()
    # the person's own place, without typing the postal code
    assert "Für 77716 Haslach im Kinzigtal ist die AOK Baden-Württemberg zuständig" in page
    # a postal code typed in still wins
    assert "Für 01067 Dresden" in text_of(client.get(HOME, {"plz": "01067"}))


def test_home_for_visitors_has_no_greeting(client, catalogue):
    assert "Guten Tag" not in text_of(client.get(HOME))


def test_the_navigation_keeps_the_postal_code_of_the_visit(client, catalogue):
    """A visitor who entered a postal code keeps it when they go to the program list through
    the navigation; a page without one (or with a wrong one) links to the plain list."""
    nav = re.compile(r'<a class="app-nav__link" href="([^"]*)"[^>]*>Programme</a>')
    assert nav.search(client.get(HOME, {"plz": "77716"}).content.decode()).group(1) == f"{LIST}?plz=77716"
    detail = reverse("programs:detail", args=["hausarztprogramm-bw"])
    assert nav.search(client.get(detail, {"plz": "77716"}).content.decode()).group(1) == f"{LIST}?plz=77716"
    assert nav.search(client.get(HOME).content.decode()).group(1) == LIST
    assert nav.search(client.get(HOME, {"plz": "123"}).content.decode()).group(1) == LIST


def test_detail_lists_only_exclusions_that_matter_where_the_person_lives(client, catalogue, aoks):
    plus_only = make_program("hzv-plus", "Hausarztprogramm PLUS", funds=[aoks["aok-plus"]])
    unpublished = make_program("alt", "Altes Programm", funds=[aoks["aok-bw"]], is_published=False)
    catalogue.dmp_diabetes.excludes.set([catalogue.hzv, plus_only, unpublished])

    def listed(**params):
        html = detail(client, "curaplan-diabetes-typ-2", **params).content.decode()
        section = re.search(r"Nicht gleichzeitig mit</dt>(.*?)</dd>", html, re.S)
        return re.findall(r'href="/programme/([^/"]+)/?"', section.group(1)) if section else []

    assert sorted(listed()) == ["hausarztprogramm-bw", "hzv-plus"]  # nothing known: every published one
    assert listed(plz="77716") == ["hausarztprogramm-bw"]  # Baden-Württemberg: AOK BW
    assert listed(plz="01067") == ["hzv-plus"]  # Dresden: AOK PLUS


def test_detail_in_english_says_when_a_description_exists_only_in_german(client, catalogue):
    program = catalogue.kinzigtal
    program.description = "Ärztinnen, Ärzte und Therapeuten im Kinzigtal arbeiten zusammen."
    program.description_en = ""
    program.save()
    html = client.get(
        reverse("programs:detail", args=[program.slug]), headers={"accept-language": "en"}
    ).content.decode()
    assert "This description is available in German only." in html
    assert re.search(r'<div lang="de">\s*<p>Ärztinnen, Ärzte', html)
    program.description_en = "Doctors and therapists in the Kinzigtal work together."
    program.save()
    html = client.get(
        reverse("programs:detail", args=[program.slug]), headers={"accept-language": "en"}
    ).content.decode()
    assert "available in German only" not in html and "Doctors and therapists" in html
    german = client.get(reverse("programs:detail", args=[program.slug])).content.decode()
    assert "Ärztinnen, Ärzte" in german and "nur auf Deutsch" not in german


def test_home_groups_are_kept_once_and_link_with_each_places_own_postal_code(client, catalogue):
    """Haslach and Hausach see the same programs: the groups are rendered once, and each page
    links to the program pages with its own postal code."""
    from django.test import override_settings

    from programs import caching

    caching._fragments.clear()
    with override_settings(CATALOGUE_PAGE_CACHE=False):
        haslach = client.get(HOME, {"plz": "77716"})
        hausach = client.get(HOME, {"plz": "77756"})
    assert haslach.context["groups_key"] == hausach.context["groups_key"]  # one fragment for both
    for response, code, other in ((haslach, "77716", "77756"), (hausach, "77756", "77716")):
        html = response.content.decode()
        section = html[html.index('id="result-title"') :]
        assert f'href="/programme/hausarztprogramm-bw/?plz={code}"' in section
        assert f'href="/programme/gesundes-kinzigtal/?plz={code}"' in section
        assert other not in section
    kept = " ".join(str(markup) for markup in caching._fragments.values())
    assert "plz=77716" not in kept and "plz=77756" not in kept


def test_home_links_a_full_group_to_the_list_of_its_type(client, catalogue):
    for i in range(6):
        make_program(f"weitere-{i}", f"Weiteres Programm {i}", funds=[catalogue.bw])
    response = client.get(HOME, {"plz": "77716"})
    besondere = next(g for g in response.context["groups"] if g["type"] == "bv")
    assert besondere["count"] > 5
    more = f"Alle {besondere['count']} Programme der Art „Besondere Versorgung“ ansehen"
    assert f'<a href="/programme/?plz=77716&amp;typ=bv">{more}</a>' in response.content.decode()


def test_detail_shows_each_places_own_distances(client, catalogue):
    """A nearby provider is kept once; each request fills in its own distance."""
    from django.test import override_settings

    def distances(response) -> dict[str, str]:
        text = text_of(response)
        shown = {}
        for hit in response.context["nearby"].hits:
            rest = text[text.index(hit.provider.name) :]
            shown[hit.provider.name] = re.search(r"(\S+) km (?:entfernt|away)", rest).group(1)
            assert shown[hit.provider.name] == f"{hit.distance_km:.1f}".replace(".", ",")
        return shown

    with override_settings(CATALOGUE_PAGE_CACHE=False):
        haslach = distances(detail(client, "hausarztprogramm-bw", plz="77716"))
        offenburg = distances(detail(client, "hausarztprogramm-bw", plz="77652"))
    assert haslach["Praxis Dr. Nah"] == "0,1"
    assert haslach["Praxis Dr. Nah"] != offenburg["Praxis Dr. Nah"]
