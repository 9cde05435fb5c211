"""Browser tests drive Debian's Chromium through Playwright (never Playwright's own download)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.test_page import with_clock
from tests.conftest import SCREENSHOTS, SIGNAL_SECONDS

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's hosts on a closed network.
QUIET = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Expectations, waits and actions wait for the page's signals; on a loaded machine a signal
# may take far longer than Playwright's 5 s (or 30 s) default, and waiting longer costs
# nothing when it comes at once. One limit for every wait in a browser test, in ms.
SIGNAL_MS = SIGNAL_SECONDS * 1000
expect.set_options(timeout=SIGNAL_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is marked ``browser``; without Chromium each skips with the way to
    install it (never under CI, which installs it)."""
    here = Path(__file__).parent
    ours = [item for item in items if here in Path(str(item.fspath)).parents]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    if Path(CHROMIUM).exists() or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="needs Chromium: sudo apt-get install -y chromium")
    for item in ours:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": QUIET}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1920, "height": 1080}}


@pytest.fixture(scope="session")
def shared_context(
    browser: Browser, browser_context_args: dict[str, Any]
) -> Iterator[BrowserContext]:
    """One browser context for the tests' pages: its HTTP cache keeps plotly.js and the
    modules compiled between tests, as a person's browser would. The app keeps no state in
    the browser (no storage, no cookies), so a new page starts as a first visit's does.
    Its clock is the tests' (time runs as usual): an edit's debounce is not waited out."""
    context = with_clock(browser.new_context(**browser_context_args))
    context.set_default_timeout(SIGNAL_MS)
    yield context
    context.close()


@pytest.fixture
def context(context: BrowserContext) -> BrowserContext:
    """pytest-playwright's context of a test's own, waiting as long as the shared one."""
    context.set_default_timeout(SIGNAL_MS)
    return context


@pytest.fixture
def clocked_page(context: BrowserContext) -> Page:
    """A page in a context of its own whose clock Playwright controls (installed before the
    page loads; time runs as usual until a test moves it on): for what the page animates
    on a timer (a replay, the graph's walk), which a test then steps instead of waiting."""
    return with_clock(context).new_page()


@pytest.fixture(scope="session")
def tab(shared_context: BrowserContext) -> Iterator[list[Page]]:
    """The tab that the tests' ``page`` reuses (in a one-item list, so that a test that
    taints it can have it replaced)."""
    holder = [shared_context.new_page()]
    yield holder
    holder[0].close()


@pytest.fixture
def page(tab: list[Page], browser_context_args: dict[str, Any]) -> Iterator[Page]:
    """One tab, reused by test after test: a new tab costs a renderer and a cold start of
    the page's scripts, about a third of a page load. Each test opens the page it needs
    with ``goto`` (a new document: nothing of the last test's page is left), and what the
    tab itself keeps is undone after each test: the listeners the test added, its routes,
    its viewport. A test that adds an init script (which a tab cannot drop) gets a new tab
    after it. Tests that need a context of their own (a cut network, another viewport from
    the start) ask for ``context`` or ``browser``."""
    page = tab[0]
    added: list[tuple[str, Callable[..., Any]]] = []
    scripted: list[str] = []

    def on(event: str, f: Callable[..., Any]) -> None:
        added.append((event, f))
        Page.on(page, event, f)  # type: ignore[call-overload]

    def add_init_script(script: str) -> None:
        scripted.append(script)
        Page.add_init_script(page, script)

    page.on = on  # type: ignore[method-assign]
    page.add_init_script = add_init_script  # type: ignore[method-assign]
    yield page
    del page.on, page.add_init_script
    for event, f in added:
        page.remove_listener(event, f)
    if scripted or page.is_closed():
        if not page.is_closed():
            page.close()
        tab[0] = page.context.new_page()
        return
    page.unroute_all(behavior="ignoreErrors")
    if page.viewport_size != browser_context_args["viewport"]:
        page.set_viewport_size(browser_context_args["viewport"])
    # The last test's page is left where it is until the next test's goto replaces it (a
    # document loaded only to park the tab fetched /favicon.ico, a 404 in the next test's
    # console); only its address changes, so that the next goto loads a new document even
    # where its fragment alone differs from the last test's address.
    page.evaluate(PARK)


PARK = """() => { try { history.replaceState(null, '', '/left-by-the-last-test'); } catch {} }"""


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the tests leave their screenshots (CI prints this path); emptied once per
    run, by the process that runs the session (``tests/conftest.py``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
