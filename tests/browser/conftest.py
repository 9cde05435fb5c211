"""Browser tests drive Debian's Chromium through Playwright (never Playwright's own download)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import SCREENSHOTS

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
# Expectations wait for the page's signals; on a loaded machine a signal may take longer
# than Playwright's 5 s default, and waiting longer costs nothing when it comes at once.
expect.set_options(timeout=30_000)


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
    the browser (no storage, no cookies), so a new page starts as a first visit's does."""
    context = browser.new_context(**browser_context_args)
    yield context
    context.close()


@pytest.fixture
def page(shared_context: BrowserContext) -> Iterator[Page]:
    """A new page (tab) in the shared context, closed after its test. Tests that need a
    context of their own (a cut network, another viewport from the start) ask for
    ``context`` or ``browser``."""
    page = shared_context.new_page()
    yield page
    page.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the tests leave their screenshots (CI prints this path); emptied once per
    run, by the process that runs the session (``tests/conftest.py``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
