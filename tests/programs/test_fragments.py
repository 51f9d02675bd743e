"""Rendered fragments (`{% fragment %}`), memoised provider searches and the postal index (issue 11): served from
the process memo, never stale after a catalogue change, never shared across languages, never
holding a per-visitor value."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from programs.caching import bump_catalogue_version
from programs.models import Program
from programs.templatetags.fragments import FILL_SLOT
from providers.selectors import nearby_providers
from tests.fixtures.catalogue import make_program, make_provider

pytestmark = pytest.mark.django_db

LIST = reverse("programs:list")
HASLACH = (48.2783, 8.0874)


class Counter:
    """A value whose rendering counts how often the fragment body ran."""

    def __init__(self):
        self.renders = 0

    def __str__(self):
        self.renders += 1
        return f"render {self.renders}"


FRAGMENT = Template('{% load fragments %}{% fragment "test" key %}{{ counter }}{% endfragment %}')


def render(counter, key=1) -> str:
    return FRAGMENT.render(Context({"counter": counter, "key": key}))


def test_body_renders_once_per_key_and_again_after_a_catalogue_change():
    counter = Counter()
    assert render(counter) == "render 1"
    assert render(counter) == "render 1"  # memoised
    assert render(counter, key=2) == "render 2"  # another key, another fragment
    bump_catalogue_version()
    assert render(counter) == "render 3"
    assert counter.renders == 3


def test_languages_are_kept_apart():
    counter = Counter()
    with translation.override("de"):
        assert render(counter) == "render 1"
    with translation.override("en"):
        assert render(counter) == "render 2"
    with translation.override("de"):
        assert render(counter) == "render 1"


def test_the_name_must_be_quoted():
    with pytest.raises(TemplateSyntaxError, match="name comes first"):
        Template("{% load fragments %}{% fragment test %}x{% endfragment %}")


FILLED = Template(
    '{% load fragments %}{% fragment "filled" key fill query=query %}'
    '<a href="/p/{% if query %}?{{ query }}{% endif %}">{{ counter }}</a>{% endfragment %}'
)


@pytest.mark.parametrize("query", ["plz=77716&alter=40", '"><script>', "vlfillslot40d2a7"])
def test_a_fill_value_is_filled_in_escaped_per_request_and_never_kept(query):
    from programs import caching

    counter = Counter()
    caching._fragments.clear()

    def filled(value, key=1):
        return FILLED.render(Context({"counter": counter, "key": key, "query": value}))

    assert filled(query) == f'<a href="/p/?{escape(query)}">render 1</a>'
    assert filled("plz=01067") == '<a href="/p/?plz=01067">render 1</a>'  # the same body, another value
    assert filled("") == '<a href="/p/">render 2</a>'  # no value: no "?"
    assert filled(None) == '<a href="/p/">render 2</a>'
    assert filled(query, key=2) == f'<a href="/p/?{escape(query)}">render 3</a>'
    assert counter.renders == 3
    kept = " ".join(f"{key} {markup}" for key, markup in caching._fragments.items())
    assert "plz=01067" not in kept
    assert escape(query) not in kept.replace(FILL_SLOT, "")  # a visitor may type the slot itself


MULTI = Template(
    '{% load fragments %}{% fragment "multi" fill a=a b=b|upper %}[{{ a }}|{{ b }}|{{ a }}]{% endfragment %}'
)


def test_several_fills_go_into_their_own_slots_in_one_pass():
    """A value that looks like another slot stays as typed (never searched for slots), and
    each combination of empty and non-empty values has its own markup."""

    def multi(a, b):
        return MULTI.render(Context({"a": a, "b": b}))

    assert multi("x", "y") == "[x|Y|x]"
    assert multi(f"{FILL_SLOT}1x", "<y>") == f"[{FILL_SLOT}1x|&lt;Y&gt;|{FILL_SLOT}1x]"
    assert multi("", "y") == "[|Y|]"
    assert multi("x", "") == "[x||x]"


def test_a_block_inside_a_fragment_is_refused():
    with pytest.raises(TemplateSyntaxError, match="no {% block %} inside"):
        Template('{% load fragments %}{% fragment "x" %}{% block b %}{% endblock %}{% endfragment %}')


def test_the_header_is_kept_without_anything_of_the_visitor(client, catalogue, django_user_model):
    """The header (sign-in state, language form, navigation) is one fragment per sign-in state
    and view; each visitor's name, CSRF token, page to return to and postal code are filled in
    and never kept."""
    from django.test import Client

    from programs import caching

    caching._fragments.clear()
    seen = {}
    for name in ("mia-schulz", "ben-o'hara"):
        visitor = Client()
        visitor.force_login(django_user_model.objects.create_user(username=name, password="Lotse-Test-2026"))  # noqa: S106
        html = visitor.get(LIST, {"plz": "77716", "q": "Herz"}).content.decode()
        header = html[html.index("<body") : html.index("</header>")]
        assert f"Angemeldet als {escape(name)}" in header
        token = visitor.cookies["csrftoken"].value and re.search(r'"X-CSRFToken": "([^"]+)"', header).group(1)
        assert header.count(f'name="csrfmiddlewaretoken" value="{token}"') == 2  # language and sign-out forms
        assert 'name="next" value="/programme/?plz=77716&amp;q=Herz"' in header
        assert 'href="/programme/?plz=77716" aria-current="page">Programme</a>' in header
        seen[name] = token
    anonymous = Client().get(LIST, {"q": "<Herz>"}).content.decode()
    login = reverse("login")
    assert f'href="{login}?next=/programme/%3Fq%3D%253CHerz%253E"' in anonymous
    kept = " ".join(str(markup) for markup in caching._fragments.values())
    for name, token in seen.items():
        assert escape(name) not in kept and token not in kept
    assert "plz=77716" not in kept and "q=Herz" not in kept and "%3CHerz" not in kept


def test_a_fill_comes_last_with_a_name():
    with pytest.raises(TemplateSyntaxError, match="fills come last"):
        Template('{% load fragments %}{% fragment "x" fill query %}x{% endfragment %}')
    with pytest.raises(TemplateSyntaxError, match="fills come last"):
        Template('{% load fragments %}{% fragment "x" fill q=a key %}x{% endfragment %}')


def rows_of(response) -> str:
    html = response.content.decode()
    return html[html.index('<ol class="app-result-list"') :]


def test_result_rows_follow_a_staff_edit(client, catalogue):
    before = client.get(LIST, {"q": "Kinzigtal"})
    assert "Gesundes Kinzigtal" in rows_of(before)
    program = Program.objects.get(slug="gesundes-kinzigtal")
    program.summary = "Neue Kurzbeschreibung aus der Fachabteilung."
    program.save()  # replaces the catalogue version (programs.signals)
    after = client.get(LIST, {"q": "Kinzigtal", "seite": "1"})  # a URL the page cache has not seen
    assert "Neue Kurzbeschreibung aus der Fachabteilung." in rows_of(after)


def test_result_rows_are_the_same_from_the_memo_and_freshly_rendered(client, catalogue):
    """The second request takes every row from the memo; the page must not change."""
    with override_settings(CATALOGUE_PAGE_CACHE=False):
        first = client.get(LIST, {"plz": "77716", "alter": "40"})
        second = client.get(LIST, {"plz": "77716", "alter": "40"})
    assert rows_of(first) == rows_of(second)
    assert 'href="/programme/hausarztprogramm-bw/?plz=77716&amp;alter=40"' in rows_of(second)


def test_each_request_links_the_rows_with_its_own_place_and_age(client, catalogue):
    """A row is kept once per eligibility shown; the link to the program page carries each
    request's own postal code and age (filled in, never kept)."""
    with override_settings(CATALOGUE_PAGE_CACHE=False):
        forty = rows_of(client.get(LIST, {"plz": "77716", "alter": "40"}))
        fifty = rows_of(client.get(LIST, {"plz": "77716", "alter": "50"}))
        nothing = rows_of(client.get(LIST))
    assert 'href="/programme/hausarztprogramm-bw/?plz=77716&amp;alter=40"' in forty
    assert 'href="/programme/hausarztprogramm-bw/?plz=77716&amp;alter=50"' in fifty
    assert "alter=40" not in fifty
    assert forty.replace("alter=40", "alter=50") == fifty
    assert 'href="/programme/hausarztprogramm-bw/"' in nothing


def test_the_page_links_carry_each_requests_own_query(client, catalogue):
    """The page links are kept once per page number and count; each request's query (escaped,
    without its own page number) is filled in."""
    import re

    for i in range(25):
        make_program(f"extra-{i:02d}", f"Zusatzprogramm {i:02d}", funds=[catalogue.bw])

    def links(params) -> list[str]:
        html = client.get(LIST, params).content.decode()
        nav = html[html.index('<nav class="app-pagination"') :]
        return re.findall(r'(?:href|hx-get)="([^"]*)"', nav[: nav.index("</nav>")])

    with override_settings(CATALOGUE_PAGE_CACHE=False):
        first = links({"q": "Zusatzprogramm"})
        typed = links({"q": 'Zusatz"<programm>', "seite": "1", "online": ""})
        other = links({"seite": "1", "q": "Zusatzprogramm", "alle": "on"})
        second = links({"q": "Zusatzprogramm", "seite": "2"})
    assert first == ["?q=Zusatzprogramm&amp;seite=2"] * 4  # page 2 by number and the next page
    assert typed == ["?q=Zusatz%22%3Cprogramm%3E&amp;online=&amp;seite=2"] * 4
    assert other == ["?q=Zusatzprogramm&amp;alle=on&amp;seite=2"] * 4
    assert second == ["?q=Zusatzprogramm&amp;seite=1"] * 4  # the previous page, and page 1 by number
    with override_settings(CATALOGUE_PAGE_CACHE=False):
        assert (
            links({"q": "Zusatzprogramm", "typ": ["besondere"], "x": "<&>"})
            == ["?q=Zusatzprogramm&amp;typ=besondere&amp;x=%3C%26%3E&amp;seite=2"] * 4
        )


def test_the_navigation_marks_the_current_page_in_each_view(client, catalogue):
    calculator = client.get(reverse("programs:deadline_calculator")).content.decode()
    listing = client.get(LIST).content.decode()
    marked = 'href="{}" aria-current="page"'
    assert marked.format(reverse("programs:deadline_calculator")) in calculator
    assert marked.format(reverse("programs:deadline_calculator")) not in listing
    assert 'aria-current="page">Programme</a>' in listing


def test_signed_in_page_keeps_its_own_csrf_token_in_the_session_dialog(client, catalogue, django_user_model):
    """The session-timeout block is memoised around the CSRF token, never with it."""
    tokens = []
    for name in ("erste", "zweite"):
        user = django_user_model.objects.create_user(username=name, password="Lotse-Test-2026")  # noqa: S106
        client.force_login(user)
        html = client.get(reverse("programs:deadline_calculator")).content.decode()
        dialog = html[html.index('<dialog class="app-session__dialog') :]
        tokens.append(dialog.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0])
        assert client.cookies["csrftoken"].value  # the token in the page is this visitor's
        client.logout()
    assert tokens[0] != tokens[1]


def test_the_language_form_keeps_each_visitors_token_and_page(client, catalogue):
    """The language switch is memoised around the CSRF token and the page to return to."""
    from django.test import Client

    seen = []
    for path in ("/programme/?q=Herz", "/programme/fristenrechner/"):
        visitor = Client()
        html = visitor.get(path).content.decode()
        form = html[html.index('<form class="app-lang"') : html.index("</form>", html.index('<form class="app-lang"'))]
        token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        assert f'name="next" value="{path}"' in form.replace("&amp;", "&")
        assert 'value="de" lang="de" aria-current="true"' in form
        seen.append(token)
    assert seen[0] != seen[1]


def test_stable_url_reverses_as_the_url_tag_does():
    from django.urls import reverse, set_script_prefix

    from programs.templatetags.fragments import stable_url

    assert stable_url("programs:list") == reverse("programs:list")
    assert stable_url("keine:seite") == ""
    set_script_prefix("/lotse/")
    try:
        assert stable_url("programs:list") == "/lotse/programme/"
    finally:
        set_script_prefix("/")
    assert stable_url("programs:list") == "/programme/"


def test_memoised_provider_search_sees_a_new_participant(catalogue):
    today = dt.date(2026, 11, 25)
    contract_ids = [catalogue.hzv.contracts.get().pk]
    before = nearby_providers(origin=HASLACH, contract_ids=contract_ids, on=today)
    assert nearby_providers(origin=HASLACH, contract_ids=contract_ids, on=today) is before  # memoised
    make_provider("Praxis Neu am Ort", 48.2784, 8.0875, contracts=[catalogue.hzv.contracts.get()])
    after = nearby_providers(origin=HASLACH, contract_ids=contract_ids, on=today)
    assert after.hits[0].provider.name == "Praxis Neu am Ort"
    assert "Praxis Neu am Ort" not in [hit.provider.name for hit in before.hits]


def test_a_known_search_with_other_filters_is_not_ranked_again(client, catalogue):
    """The relevance order is memoised per search and catalogue version; the filters of a new
    URL only pick from it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with override_settings(CATALOGUE_PAGE_CACHE=False):
        first = client.get(LIST, {"q": "Herz", "alter": "40"})
        with CaptureQueriesContext(connection) as queries:
            second = client.get(LIST, {"q": "Herz", "alter": "41"})
    assert not [q for q in queries.captured_queries if "search_title" in q["sql"]]
    assert rows_of(first) == rows_of(second).replace("alter=41", "alter=40")
    bump_catalogue_version()
    with override_settings(CATALOGUE_PAGE_CACHE=False), CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"q": "Herz", "alter": "42"})
    assert [q for q in queries.captured_queries if "search_title" in q["sql"]]


def test_postal_index_is_read_once_for_every_language_and_follows_an_import(catalogue, django_assert_num_queries):
    from programs.models import PostalCode
    from programs.selectors import lookup_postal_code, postal_code_centroid

    assert [o.place for o in lookup_postal_code("77716").options] == ["Haslach im Kinzigtal"]
    with django_assert_num_queries(0), translation.override("en"):
        assert [o.place for o in lookup_postal_code("77756").options] == ["Hausach"]
        assert postal_code_centroid("77756") == pytest.approx((48.2844, 8.1764))
    PostalCode.objects.filter(code="77756").update(place="Hausach (Kinzigtal)")
    bump_catalogue_version()  # what import_regions does at its end (a save of a row bumps by signal)
    assert [o.place for o in lookup_postal_code("77756").options] == ["Hausach (Kinzigtal)"]


def test_filter_fields_are_memoised_per_value_and_equal_a_fresh_render(catalogue):
    from config.forms import KernBoundField
    from programs.forms import CatalogueForm
    from programs.selectors import funds_list

    def both(data, name):
        form = CatalogueForm(data, funds=funds_list())
        form.is_valid()
        assert type(form[name]).__name__ == "MemoisedFilterField"
        assert isinstance(form[name], KernBoundField)  # the KERN markup, memoised
        return str(form[name].as_field_group()), str(KernBoundField.as_field_group(form[name]))

    for data in ({"typ": ["dmp"]}, {"typ": ["dmp", "hzv"]}, {"kasse": "aok-bw"}, {"online": "on"}, {}):
        for name in ("typ", "kasse", "online", "erkrankung", "sortierung", "alle"):
            memoised, fresh = both(data, name)
            assert memoised == fresh
            assert both(data, name)[0] == fresh  # the second time from the memo
    chosen, _fresh = both({"typ": ["dmp"]}, "typ")
    assert chosen != both({"typ": ["hzv"]}, "typ")[0]
    wrong, fresh = both({"kasse": "keine-kasse"}, "kasse")  # an error: the visitor's message, never memoised
    assert wrong == fresh and "kern-error" in wrong


def test_unbound_text_fields_come_from_the_memo_and_equal_a_fresh_render(catalogue):
    """A page without a search (the first visit) shows its forms unbound: their text fields
    are kept too, and equal Django's own render."""
    from config.forms import KernBoundField
    from programs import caching
    from programs.forms import CatalogueForm, PersonForm, PlaceForm
    from providers.forms import ProviderSearchForm

    caching._fragments.clear()
    for form in (CatalogueForm(), PlaceForm(), PersonForm(), ProviderSearchForm()):
        for name in form.memoised_text_fields:
            fresh = str(KernBoundField.as_field_group(form[name]))
            assert str(form[name].as_field_group()) == fresh
            assert str(type(form)()[name].as_field_group()) == fresh  # from the memo
    kept = [key for key in caching._fragments if key[0] == "text-field"]
    assert len(kept) == sum(
        len(type(f).memoised_text_fields) for f in (CatalogueForm(), PlaceForm(), PersonForm(), ProviderSearchForm())
    )


@pytest.mark.parametrize(
    "value", ["", "77716", "Herz", "  Diabetes ", "<b>\"&'", "vlvalueslot", "Müller-Lüdenscheidt", "40", "abc"]
)
def test_text_fields_are_memoised_with_the_value_filled_in_and_equal_a_fresh_render(catalogue, value):
    """Every text field of the catalogue forms, with values a visitor may type (markup and
    quotes included): the memo's markup with the value filled in equals a fresh render, and
    no value the visitor typed is held in the memo."""
    from django.core.cache import cache

    from config.forms import KernBoundField
    from programs import caching

    # The catalogue version is a random hex string and is part of every key; pin one that
    # contains typed values ("40", "abc") so the check below must tell the two apart (it
    # failed one run in about ten with a version that happened to contain "40").
    version = "40abc" + "0" * 27
    cache.set(caching.VERSION_KEY, version, None)
    caching._memo.pop(caching.VERSION_KEY, None)
    caching._fragments.clear()
    from programs.forms import CatalogueForm, PersonForm, PlaceForm
    from programs.selectors import funds_list
    from providers.forms import ProviderSearchForm

    forms = [
        (lambda data: CatalogueForm(data, funds=funds_list()), ("q", "plz", "alter")),
        (PlaceForm, ("plz",)),
        (PersonForm, ("plz", "alter")),
        (ProviderSearchForm, ("plz", "name", "fachrichtung")),
    ]
    for make, names in forms:
        for name in names:
            form = make({name: value})
            form.is_valid()
            field = form[name]
            assert type(field).__name__ == "MemoisedTextField"
            fresh = str(KernBoundField.as_field_group(field))
            assert str(field.as_field_group()) == fresh, (name, value)
            assert str(make({name: value})[name].as_field_group()) == fresh  # from the memo
            if field.errors:
                assert "kern-error" in fresh
    if value.strip():
        from django.utils.html import escape

        assert not any(f'value="{escape(value)}"' in markup for markup in caching._fragments.values())
        keys = list(caching._fragments)
        assert keys and all(key[1] == version for key in keys)  # (name, version, language, key)
        assert not any(value in str((name, language, key)) for name, _v, language, key in keys)


def _normalised(response) -> str:
    """The page without what differs per request anyway (CSRF token, CSP nonce)."""
    import re

    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


PAGES = [
    "/?plz=77716",
    "/?plz=77652",  # the same Kreis, a Gemeinde outside the Kinzigtal program: memoised apart
    "/?plz=77756",
    "/?plz=01067",
    "/?plz=88888",
    "/programme/?plz=77716&alter=40",
    "/programme/?plz=77652&alter=40",
    "/programme/?plz=01067&alter=12",
    "/programme/?q=Herz&plz=77716&alter=70",
    "/programme/?q=Herz&alle=on&plz=99084&alter=30",
    "/programme/?typ=dmp&kasse=aok-plus&erkrankung=diabetes-2",
    "/programme/hausarztprogramm-bw/",
    "/programme/hausarztprogramm-bw/?plz=77716&alter=40",
    "/programme/hausarztprogramm-bw/?plz=01067&alter=40",
    "/programme/hausarztprogramm-bw/?plz=77716&alter=12",
    "/programme/gesundes-kinzigtal/?plz=78462&alter=30",
    "/programme/curaplan-diabetes-typ-2/?plz=77716&alter=50",  # two funds: the person's first
    "/programme/curaplan-diabetes-typ-2/?plz=01067&alter=50",
    "/leistungserbringer/?programm=hausarztprogramm-bw&plz=77716",
    "/leistungserbringer/?programm=hausarztprogramm-bw&plz=77756&neue_patienten=on",
    "/leistungserbringer/?programm=hausarztprogramm-bw&plz=77756&umkreis=25&art=gp&barrierefrei=wheelchair_accessible",
    "/leistungserbringer/?programm=hausarztprogramm-bw&plz=77756&umkreis=7",  # not a choice: an error
]


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_page_is_the_same_from_the_memos_as_rendered_from_nothing(client, catalogue, language):
    """A fragment keyed too coarsely would show one visitor's place, age or Land in another's
    page: each page is rendered once with every memo empty, then again after all the others
    have filled the memos (in both orders), and must not differ."""
    from programs.caching import clear_local_pages

    headers = {"Accept-Language": language}
    with override_settings(CATALOGUE_PAGE_CACHE=False):
        fresh = {}
        for url in PAGES:
            clear_local_pages()
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            fresh[url] = _normalised(response)
        clear_local_pages()
        for url in [*PAGES, *reversed(PAGES)]:
            assert _normalised(client.get(url, headers=headers)) == fresh[url], url
