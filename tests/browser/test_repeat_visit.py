"""A repeat visit in the same browser fetches none of the page's files again: they come at
versioned URLs cached for good, so the browser takes them from its cache without asking."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, Page

from tests.browser.test_page import SURFACE_KINDS, wait_done, watch_errors


class StaticFetches:
    """What a page's /static/ requests did, as Chromium's DevTools protocol reports it:
    each response comes from the server (``network``) or from the browser's cache."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.network: list[str] = []
        self.cached: list[str] = []
        self.from_memory: set[str] = set()  # request ids the memory cache answered
        session = context.new_cdp_session(page)
        session.on("Network.requestServedFromCache", self.served_from_cache)
        session.on("Network.responseReceived", self.received)
        session.send("Network.enable")

    def served_from_cache(self, event: dict[str, Any]) -> None:
        self.from_memory.add(event["requestId"])

    def received(self, event: dict[str, Any]) -> None:
        response = event["response"]
        if "/static/" not in response["url"]:
            return
        name = response["url"].rsplit("/", 1)[1]
        cached = response.get("fromDiskCache") or event["requestId"] in self.from_memory
        (self.cached if cached else self.network).append(name)


def visit_and_open_3d(context: BrowserContext, url: str) -> tuple[StaticFetches, list[str]]:
    """A new tab in `context` opens `url`, waits for its run, opens the 3-D view and waits
    for the 3-D plot; returns what its /static/ requests did and the console's errors."""
    page = context.new_page()
    errors = watch_errors(page)
    fetches = StaticFetches(context, page)
    page.goto(url)
    wait_done(page)
    page.click("#toggle-3d")
    page.wait_for_function(f"({SURFACE_KINDS})()[0] === 'surface'")
    page.wait_for_function("() => document.querySelector('#surface-plot').querySelector('canvas')")
    page.close()
    return fetches, errors


def test_a_repeat_visit_fetches_no_bundle_or_module_again(
    context: BrowserContext, live_server: str
) -> None:
    url = f"{live_server}/?lang=en&preset=himmelblau"
    first, first_errors = visit_and_open_3d(context, url)
    bundles = {"plotly-cartesian.min.js", "plotly-gl3d.min.js"}
    # The count can fail: the first visit fetched every file from the server, bundles included.
    assert bundles | {"main.js", "plotly-loader.js", "app.css"} <= set(first.network)
    assert first.cached == []
    again, again_errors = visit_and_open_3d(context, url)
    assert again.network == []  # nothing from the server: no download, no revalidation
    assert sorted(again.cached) == sorted(first.network)
    assert first_errors == again_errors == []
