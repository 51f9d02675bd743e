"""``{% fragment %}``: a piece of a page rendered once per process, catalogue version and language.

    {% load fragments %}
    {% fragment "result-row" row.program.pk row.day %}
      … markup that depends only on the catalogue and on the values named after the name …
    {% endfragment %}

The body is rendered the first time and then served from a process memo
(`programs.caching.memoised_fragment`: a store of its own, least recently used out, with the
invalidation of `per_catalogue_version`: a staff edit replaces the catalogue version, and the
language is part of the key).
Like Django's ``{% cache %}`` tag, but without a round trip to the shared cache and without a
timeout: what the body shows must follow from the catalogue, the language and the listed
values alone. Never put per-visitor values in a fragment (the CSRF token, the CSP nonce, the
user, the query string); and a fragment must not set variables used after it
(``{% url … as x %}`` inside stays inside).

One per-visitor value may be filled in after the memo, with ``fill``:

    {% fragment "result" row.program.pk fill query=row.query %}
      <a href="{{ row.base_url }}{% if query %}?{{ query }}{% endif %}">…</a>
    {% endfragment %}

The body is rendered with a slot (a marker of letters and digits) in place of ``query`` and
kept once for an empty and once for a non-empty value; each request replaces the slot with its
value, escaped as ``{{ query }}`` escapes it. So the value must only be printed as it is (no
filters), and what a visitor typed never enters the memo.

Issue 11: the footer, the navigation and the result rows were re-rendered on every request
although they change only with the catalogue.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from programs.caching import memoised_fragment

register = template.Library()


@register.simple_tag
def stable_url(viewname: str) -> str:
    """``{% url viewname as var %}`` for a URL without arguments, reversed once per URL
    configuration, script prefix and language (a reverse cost some 30 µs, and the layout needs
    six per page); "" when there is no such URL, as ``{% url … as var %}`` gives."""
    return _reversed(viewname, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())


@register.simple_tag(takes_context=True)
def query_prefix(context, name: str) -> str:
    """The request's query string without `name`, ready for "name=…": "?…&" or "?" (page links
    kept in a fragment fill this in, see ``fill`` above)."""
    rest = context["request"].GET.copy()
    rest.pop(name, None)
    encoded = rest.urlencode()
    return f"?{encoded}&" if encoded else "?"


@lru_cache(maxsize=256)
def _reversed(viewname: str, urlconf: str, prefix: str, language: str | None) -> str:
    try:
        return reverse(viewname, urlconf=urlconf)
    except NoReverseMatch:
        return ""


#: Stands in for a fragment's fill value while the body is rendered for the memo.
FILL_SLOT = "vlfillslot40d2a7"


class FragmentNode(template.Node):
    def __init__(self, nodelist, name: str, vary: list, fill: tuple[str, template.base.FilterExpression] | None):
        self.nodelist, self.name, self.vary, self.fill = nodelist, name, vary, fill

    def render(self, context) -> str:
        key = tuple(value.resolve(context) for value in self.vary)
        if self.fill is None:
            return memoised_fragment(self.name, key, lambda: self.nodelist.render(context))
        name, expression = self.fill
        value = expression.resolve(context)

        def render(slot: str) -> str:
            with context.push({name: slot}):
                return self.nodelist.render(context)

        if value is None or value == "":
            return memoised_fragment(self.name, (*key, False), lambda: render(""))
        markup = memoised_fragment(self.name, (*key, True), lambda: render(FILL_SLOT))
        return mark_safe(markup.replace(FILL_SLOT, conditional_escape(value)))


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('{% fragment "name" value … %}: the name comes first, in quotes')
    vary, fill = bits[2:], None
    if "fill" in vary:
        at = vary.index("fill")
        if at != len(vary) - 2 or "=" not in vary[-1]:
            raise template.TemplateSyntaxError('{% fragment "name" value … fill name=value %}: one fill, last')
        fill_name, fill_value = vary[-1].split("=", 1)
        fill, vary = (fill_name, parser.compile_filter(fill_value)), vary[:at]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in vary], fill)
