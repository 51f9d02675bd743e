"""Browser fixtures: Debian's chromium through Playwright (never `playwright install`), axe-core.

- `browser`: one chromium per test module (module scope: a sync Playwright left running
  would break other modules that start their own);
- `page`: a fresh context with JavaScript (htmx active); `page_nojs`: JavaScript off, to
  prove the no-JS path;
- `assert_no_axe_violations(page)`: WCAG 2.1 AA checks of the current page. Use it on
  JavaScript pages only: with `java_script_enabled=False` axe's `run()` hangs intermittently
  here (its promise never settles), so no-JS tests check behaviour, not axe.
Tests using them need `live_server` and `pytest.mark.django_db(transaction=True)`.

The pytest-playwright plugin (installed with playwright) defines `browser`/`page` fixtures
of its own and parametrizes every test that uses them by `browser_name`; it is disabled in
pyproject.toml (`-p no:playwright`), so these fixtures are the only ones.
"""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def _page(browser, *, javascript: bool):
    # German UI: the browser default (en-US) would switch the LocaleMiddleware to English.
    context = browser.new_context(java_script_enabled=javascript, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(20000)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _page(browser, javascript=True)
    yield page
    context.close()


@pytest.fixture
def page_nojs(browser):
    context, page = _page(browser, javascript=False)
    yield page
    context.close()


def axe_violations(page) -> list[tuple[str, str, list[str]]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


def _assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe violations on {page.url}: {violations}"


@pytest.fixture
def assert_no_axe_violations():
    return _assert_no_axe_violations
