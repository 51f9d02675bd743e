"""Server-side cache of the public catalogue pages for anonymous visitors.

What is cached
==============
``@cache_anonymous_page`` caches the rendered HTML of a GET request when the visitor is not
logged in and has no pending messages. The key holds the catalogue version, today's date
(contracts and example dates change at midnight), the language, whether it is an htmx
request and a hash of the full path with query string. Logged-in visitors (eligibility from
their record) are never served from or written to the cache.

Per-visitor holes
-----------------
Pages contain two per-request values: the CSRF token (language switcher, ``hx-headers``) and
the CSP nonce of the htmx script tag. While rendering for the cache, ``render_page`` puts
fixed placeholders into the context instead; on every response, cached or fresh, the
placeholders are replaced with this visitor's token (``get_token``, which also sets the CSRF
cookie) and nonce (which makes the CSP header carry it). So a cached page never leaks
another visitor's token and the strict CSP keeps working.

Invalidation
============
``catalogue_version()`` is a random token in the cache (each process rereads it at most
every :data:`VERSION_MEMO_SECONDS`); every key contains it. Saving or
deleting a Program, Contract, Fund, FundRegion, Provider or ContractParticipation, and
changing a program's regions, prerequisites or exclusions, calls
``bump_catalogue_version()`` (signal handlers in ``programs.signals``, connected for the
provider models in ``providers.signals``, so admin edits, services and shell edits all count). Bulk operations (``bulk_create``, ``update()``) send no
signals: code doing them (``generate_volume``, imports) calls ``bump_catalogue_version()``
or ``manage.py rebuild_search_index`` (which bumps) afterwards; entries also expire after
:data:`PAGE_TIMEOUT` seconds.

With more than one process the cache must be shared (``CACHE_URL=redis://…``, memcached,
or ``filecache://…``): with the default per-process ``locmem`` cache a bump reaches only the
process that saved.

Each process also keeps the last :data:`LOCAL_ENTRIES` pages in memory in front of the
shared cache; their keys contain the version too, so they follow the same invalidation.

Bounds
======
Without bounds every distinct URL would create an entry (``?x=1``, ``?x=2`` … fill the cache
with copies of one page). So:

- The key holds a *canonical* query: only the parameters the view reads (``params=`` of the
  decorator, taken from its form), names sorted, repeated values sorted; anything else is
  dropped. The view itself is called with that canonical query (``request.GET`` and the
  query string in ``get_full_path``), so the stored page is exactly the page for the key and
  never carries a first visitor's extra parameters.
- A canonical query longer than :data:`MAX_QUERY_STRING` characters is answered uncached
  (``X-Catalogue-Cache: bypass``).
- At most ``settings.CATALOGUE_PAGE_CACHE_MAX_ENTRIES`` new entries are written per cache
  window of :data:`PAGE_TIMEOUT` seconds (a counter in the shared cache, so for all processes
  together); beyond that pages are rendered and answered uncached (``full``) until the next
  window, and stored pages keep being served. Entries live one window at most, so the cache
  holds at most twice that many pages at any time.

Responses carry ``Vary: HX-Request, Cookie, Accept-Language`` for any cache in between.
``settings.CATALOGUE_PAGE_CACHE = False`` switches the cache off (the benchmark measures both).
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from functools import partial, wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

VERSION_KEY = "catalogue:version"
PAGE_TIMEOUT = 600
CSRF_PLACEHOLDER = "vl-csrf-placeholder-7f3a"
NONCE_PLACEHOLDER = "vl-nonce-placeholder-7f3a"
VARY = ("HX-Request", "Cookie", "Accept-Language")
#: Longest canonical query string (URL-encoded) that is cached; longer ones are answered uncached.
MAX_QUERY_STRING = 512
#: New entries per window (PAGE_TIMEOUT seconds) unless settings.CATALOGUE_PAGE_CACHE_MAX_ENTRIES says otherwise.
DEFAULT_MAX_ENTRIES = 1000
ENTRIES_KEY = "catalogue:entries"
_RENDERING_FOR_CACHE = "_catalogue_render_for_cache"


#: Seconds a process reuses the version it read (saves a cache read per request; another
#: process's bump is seen at most this late, this process's own bump at once).
VERSION_MEMO_SECONDS = 1.0
_memo: dict[str, tuple[float, str]] = {}


def catalogue_version() -> str:
    now = time.monotonic()
    memo = _memo.get(VERSION_KEY)
    if memo is not None and now - memo[0] < VERSION_MEMO_SECONDS:
        return memo[1]
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or "0"
    _memo[VERSION_KEY] = (now, version)
    return version


def bump_catalogue_version() -> None:
    """Invalidate every cached catalogue page (all languages, all variants)."""
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    _memo[VERSION_KEY] = (time.monotonic(), version)


#: Pages a process keeps in memory in front of the shared cache (a hit then needs no cache
#: read at all). Keys contain the catalogue version, so an entry is never served after the
#: process has seen a newer version (at most VERSION_MEMO_SECONDS after a bump elsewhere).
LOCAL_ENTRIES = 256
_local: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str):
    with _local_lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
        return entry


def _local_set(key: str, entry) -> None:
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def clear_local_pages() -> None:
    with _local_lock:
        _local.clear()
        _values.clear()
        _fragments.clear()
        _full_window[0] = -1


#: Catalogue reads memoised per process (see `per_catalogue_version`), least recently used out.
_values: OrderedDict[tuple, object] = OrderedDict()
#: A program page with its prefetched relations is some 10–50 KB: 1,024 entries keep a worker
#: under about 50 MB even with a large catalogue (least recently used out).
MAX_VALUES = 1024


def per_catalogue_version(function=None, *, by_language: bool = True):
    """Memoise a catalogue read in this process until the catalogue version changes.

    For reads that every visitor's page repeats and that depend on the catalogue only (the
    funds, choice labels, a program with its contracts, what a postal code stands for): the
    key holds the catalogue version, the active language and the arguments, so a staff edit is
    seen as soon as this process sees the new version (import_regions bumps it too). The value
    is shared by every request: return tuples, frozen dataclasses or instances nobody mutates.
    ``@per_catalogue_version(by_language=False)`` keeps one value for every language (for
    reads without a translated text, such as the postal index).
    """
    if function is None:
        return partial(per_catalogue_version, by_language=by_language)

    @wraps(function)
    def wrapped(*args, **kwargs):
        language = get_language() if by_language else None
        key = (function.__qualname__, catalogue_version(), language, args, tuple(sorted(kwargs.items())))
        return memoised_in(_values, MAX_VALUES, key, lambda: function(*args, **kwargs))

    return wrapped


def memoised_in(store: OrderedDict, limit: int, key: tuple, compute):
    """`store[key]`, computed by `compute()` when missing; least recently used out beyond
    `limit`. Nothing is stored when `compute` raises. Also for stores of other apps (the pages
    of signed-in accounts, `enrollment.account_memo`)."""
    with _local_lock:
        value = store.get(key, store)
        if value is not store:
            store.move_to_end(key)
            return value
    value = compute()
    with _local_lock:
        store[key] = value
        while len(store) > limit:
            store.popitem(last=False)
    return value


@per_catalogue_version(by_language=False)
def catalogue_store(*key) -> dict:
    """An empty dict per catalogue version and `key`, filled on demand by `read_into`."""
    return {}


def read_into(store: dict, ids, read, *, limit: int = 5000) -> dict:
    """The objects of `ids` that exist, by primary key: from `store`, those it lacked read by
    `read(missing ids)` (a dict by primary key) in one go and kept; beyond about `limit`
    objects the store starts anew. For catalogue rows that pages read by id (result rows,
    contracts, providers): a row read once costs no query until the catalogue version changes.
    The answer is built here, so another thread clearing the store cannot take rows from it.
    Shared by every request: nobody may change a row."""
    if len(store) > limit:
        store.clear()
    wanted = [pk for pk in dict.fromkeys(ids) if pk is not None]
    found = {pk: store[pk] for pk in wanted if pk in store}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        fresh = read(missing)
        store.update(fresh)
        found.update(fresh)
    return found


#: Rendered template fragments (`{% fragment %}`), apart from `_values` so that thousands of
#: small result rows do not push out the program pages: a row is about 1 KB, so a worker holds
#: at most some 10 MB of them (least recently used out).
_fragments: OrderedDict[tuple, str] = OrderedDict()
MAX_FRAGMENTS = 8192


def memoised_fragment(name: str, key: tuple, render) -> str:
    """`render()` once per fragment name, catalogue version, language and `key` in this process."""
    return memoised_in(_fragments, MAX_FRAGMENTS, (name, catalogue_version(), get_language(), key), render)


def render_page(request: HttpRequest, template_name: str, context: dict, **kwargs) -> HttpResponse:
    """``render`` that leaves placeholders for the per-visitor values when the page is cached."""
    if getattr(request, _RENDERING_FOR_CACHE, False):
        context = {**context, "csrf_token": CSRF_PLACEHOLDER, "csp_nonce": NONCE_PLACEHOLDER}
    return render(request, template_name, context, **kwargs)


def _fill_holes(content: bytes, request: HttpRequest) -> bytes:
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    if NONCE_PLACEHOLDER.encode() in content:
        nonce = getattr(request, "_csp_nonce", None)
        content = content.replace(NONCE_PLACEHOLDER.encode(), str(nonce).encode() if nonce is not None else b"")
    return content


def _cacheable(request: HttpRequest) -> bool:
    if not getattr(settings, "CATALOGUE_PAGE_CACHE", True):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    return not len(get_messages(request))


def canonical_query(query: QueryDict, params: tuple[str, ...] | None) -> QueryDict:
    """The parameters a page reads (all, if ``params`` is None), sorted by name and value."""
    names = sorted(query if params is None else set(params).intersection(query))
    canonical = QueryDict(mutable=True)
    for name in names:
        canonical.setlist(name, sorted(query.getlist(name)))
    canonical._mutable = False
    return canonical


def page_cache_key(request: HttpRequest, query: str | None = None) -> str:
    """The key of a page; ``query`` is its canonical query string (default: the request's)."""
    full_path = request.get_full_path() if query is None else f"{request.path}?{query}"
    digest = hashlib.sha256(full_path.encode()).hexdigest()
    htmx = "h" if request.headers.get("HX-Request") == "true" else "p"
    return ":".join(
        ("catalogue:page", catalogue_version(), timezone.localdate().isoformat(), get_language() or "de", htmx, digest)
    )


def _window() -> int:
    return int(time.time() // PAGE_TIMEOUT)


#: The window in which this process saw the limit reached: until it ends, new pages are not
#: offered to the cache at all (no counter round trip per new URL once the cache is full).
_full_window: list[int] = [-1]


def _admit_new_entry() -> bool:
    """Count one more entry in this window (shared by all processes); False once the limit is reached."""
    window = _window()
    if _full_window[0] == window:
        return False
    limit = getattr(settings, "CATALOGUE_PAGE_CACHE_MAX_ENTRIES", DEFAULT_MAX_ENTRIES)
    key = f"{ENTRIES_KEY}:{window}"
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first entry (or its counter expired); another process may add it first
        count = 1 if cache.add(key, 1, PAGE_TIMEOUT * 2) else cache.incr(key)
    if count > limit:
        _full_window[0] = window
        return False
    return True


def cache_anonymous_page(view=None, *, params: tuple[str, ...] | None = None):
    """Cache the view's 200 responses for anonymous visitors (see module docstring).

    ``params``: the query parameters the view reads; others are ignored (and hidden from the
    view). Without it every parameter counts.
    """
    if view is None:
        return lambda view: cache_anonymous_page(view, params=tuple(params) if params is not None else None)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, VARY)
            return response
        canonical = canonical_query(request.GET, params)
        query = canonical.urlencode()
        if len(query) > MAX_QUERY_STRING:
            response = view(request, *args, **kwargs)
            response["X-Catalogue-Cache"] = "bypass"
            patch_vary_headers(response, VARY)
            return response
        original = request.GET, request.META.get("QUERY_STRING", "")
        request.GET, request.META["QUERY_STRING"] = canonical, query
        try:
            response = _cached_view(view, request, page_cache_key(request, query), *args, **kwargs)
        finally:
            request.GET, request.META["QUERY_STRING"] = original
        patch_vary_headers(response, VARY)
        return response

    return wrapped


def _cached_view(view, request: HttpRequest, key: str, *args, **kwargs) -> HttpResponse:
    entry = _local_get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is not None:
            _local_set(key, entry)
    if entry is not None:
        content, content_type = entry
        response = HttpResponse(_fill_holes(content, request), content_type=content_type)
        response["X-Catalogue-Cache"] = "hit"
        return response
    setattr(request, _RENDERING_FOR_CACHE, True)
    try:
        response = view(request, *args, **kwargs)
    finally:
        setattr(request, _RENDERING_FOR_CACHE, False)
    if response.status_code == 200 and not response.streaming and not response.cookies:
        if _admit_new_entry():
            entry = (response.content, response["Content-Type"])
            cache.set(key, entry, PAGE_TIMEOUT)
            _local_set(key, entry)
            response["X-Catalogue-Cache"] = "miss"
        else:
            response["X-Catalogue-Cache"] = "full"
    if not response.streaming:
        response.content = _fill_holes(response.content, request)
    return response
