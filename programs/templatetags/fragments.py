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

Per-visitor values may be filled in after the memo, with ``fill`` (last):

    {% fragment "result" row.program.pk fill query=row.query %}
      <a href="{{ row.base_url }}{% if query %}?{{ query }}{% endif %}">…</a>
    {% endfragment %}

The body is rendered with a slot (a marker of letters and digits) in place of each fill value
and kept once per combination of empty and non-empty values; each request puts its values into
the slots, escaped as ``{{ query }}`` escapes them, in one pass (a value is never searched for
slots itself). So a fill value must only be printed as it is — filters belong in the ``fill``
argument (``fill next=request.get_full_path|urlencode``) — and what a visitor typed or what
identifies them never enters the memo.

Issue 11: the footer, the navigation and the result rows were re-rendered on every request
although they change only with the catalogue.
"""

import re
from functools import lru_cache

from django import template
from django.conf import settings
from django.template.base import FilterExpression
from django.template.loader_tags import BlockNode
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


#: Marks the slots of fill values while the body is rendered for the memo (slot i is
#: FILL_SLOT + i + "x").
FILL_SLOT = "vlfillslot40d2a7"
_SLOTS = re.compile(FILL_SLOT + r"(\d+)x")


class FragmentNode(template.Node):
    child_nodelists = ()  # blocks inside are not found (nor allowed, see do_fragment)

    def __init__(self, nodelist, name: str, vary: list, fills: list[tuple[str, FilterExpression]]):
        self.nodelist, self.name, self.vary, self.fills = nodelist, name, vary, fills

    def render(self, context) -> str:
        key = tuple(value.resolve(context) for value in self.vary)
        if not self.fills:
            return memoised_fragment(self.name, key, lambda: self.nodelist.render(context))
        values = [expression.resolve(context) for _, expression in self.fills]
        shown = tuple(value is not None and value != "" for value in values)

        def render() -> str:
            slots = {
                name: f"{FILL_SLOT}{i}x" if on else ""
                for i, ((name, _), on) in enumerate(zip(self.fills, shown, strict=True))
            }
            with context.push(slots):
                return self.nodelist.render(context)

        markup = memoised_fragment(self.name, (*key, shown), render)
        if not any(shown):
            return markup
        escaped = [conditional_escape(value) if on else "" for value, on in zip(values, shown, strict=True)]
        return mark_safe(_SLOTS.sub(lambda slot: _filled(slot, escaped), markup))


def _filled(slot: re.Match, values: list[str]) -> str:
    at = int(slot.group(1))
    return values[at] if at < len(values) else slot.group(0)  # a look-alike in the catalogue's texts


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('{% fragment "name" value … %}: the name comes first, in quotes')
    vary, fills = bits[2:], []
    if "fill" in vary:
        at = vary.index("fill")
        pairs = [bit.split("=", 1) for bit in vary[at + 1 :]]
        if not pairs or any(len(pair) != 2 or not pair[0].isidentifier() for pair in pairs):
            raise template.TemplateSyntaxError('{% fragment "name" value … fill name=value … %}: fills come last')
        fills, vary = [(name, parser.compile_filter(value)) for name, value in pairs], vary[:at]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError("{% fragment %}: no {% block %} inside (it could not be overridden)")
    return FragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in vary], fills)
