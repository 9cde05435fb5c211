"""The network kind on the page: picked from the surface menu, it runs on its plane with
axes that say they are a slice, offers no start point to type (it starts from its own
vector), and leaves no console error; at 1366×768 in English and 1920×1080 in Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gradtrail.texts import text
from tests.browser.test_chain import AXIS_TITLES
from tests.browser.test_page import mark_stale, settled, url_spec, wait_done, watch_errors


@pytest.mark.parametrize(("lang", "width", "height"), [("en", 1366, 768), ("ja", 1920, 1080)])
def test_the_network_is_picked_and_runs_on_a_slice(
    page: Page, live_server: str, screenshots: Path, lang: str, width: int, height: int
) -> None:
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/?lang={lang}")
    wait_done(page)
    mark_stale(page)
    page.select_option("#surface-select", "network")
    settled(page)
    wait_done(page)
    spec = url_spec(page)
    assert spec["surface"]["id"] == "network" and "start" not in spec
    titles = [text("figure.network_a", lang), text("figure.network_b", lang)]
    drawn = page.evaluate(AXIS_TITLES)  # a wrapped title's line breaks read as spaces
    assert [t.replace(" ", "") for t in drawn] == [t.replace(" ", "") for t in titles]
    expect(page.locator("#start-x")).to_be_hidden()
    expect(page.locator("[data-text='start_hint']")).to_be_hidden()
    expect(page.locator("#summary tbody tr")).to_have_count(len(spec["optimizers"]))
    page.click("#contour-plot", position={"x": 300, "y": 300})  # no start to choose there
    settled(page)
    assert "start" not in url_spec(page)
    page.screenshot(path=screenshots / f"network-{lang}-{width}x{height}.png")
    assert not errors, errors
