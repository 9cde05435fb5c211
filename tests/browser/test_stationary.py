"""The results table says what a converged run stopped at: "stopped: saddle point" where
the gradient vanished at a saddle, not a bare "converged" that reads as a minimum."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gradtrail.app.urlspec import encode
from gradtrail.texts import text
from tests.browser.test_page import wait_done, watch_errors
from tests.browser.test_sweep import wait_sweep

# x² − y² started at its critical point: ∇f = 0 there, H = diag(2, −2), a saddle; the bowl
# x² + y² from (1, 1) converges to its minimum (H = diag(2, 2)).
SADDLE = {
    "surface": {"id": "custom", "expression": "x^2 - y^2"},
    "start": [0.0, 0.0],
    "steps": 50,
    "optimizers": [{"id": "gd", "params": {"lr": 0.1}}, {"id": "adam", "params": {"lr": 0.1}}],
}
BOWL = {**SADDLE, "surface": {"id": "custom", "expression": "x^2 + y^2"}, "start": [1.0, 1.0],
        "steps": 500, "optimizers": [{"id": "gd", "params": {"lr": 0.1}}]}  # fmt: skip
WORD = {"en": "saddle", "ja": "鞍点"}
STATUS_SHOWN = """() => {
  const table = document.querySelector('#summary').getBoundingClientRect();
  return [...document.querySelectorAll('#summary td.status')].map((cell) => {
    const box = cell.getBoundingClientRect();
    return box.left >= table.left - 1 && box.right <= table.right + 1;
  });
}"""
TABLE_FITS = """() => {
  const table = document.querySelector('#summary');
  return table.scrollWidth <= table.clientWidth;
}"""
SCREENS = [(1366, 768), (390, 844)]


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_the_table_says_saddle_for_a_run_stopped_at_a_saddle(
    page: Page, live_server: str, screenshots: Path, lang: str, width: int, height: int
) -> None:
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/?lang={lang}#spec={encode(SADDLE)}")
    wait_done(page)
    cells = page.locator("#summary tbody td.status")
    expect(cells).to_have_count(2)
    saddle = text("stationary.saddle", lang)
    assert WORD[lang] in saddle
    assert cells.all_inner_texts() == [saddle, saddle]
    expect(page.locator("#announcement")).to_contain_text(saddle)
    # The words show whole, in the table's visible part (at 1366 px its right column is
    # 281 px: the numbers beyond may scroll, the status did too when it kept to one line).
    assert all(page.evaluate(STATUS_SHOWN)), page.evaluate(STATUS_SHOWN)
    if width < 900:  # on a phone the whole table fits the screen
        assert page.evaluate(TABLE_FITS)
    page.locator("#summary").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"stationary-saddle-{lang}-{width}x{height}.png")

    page.goto("about:blank")  # a new page load, not a fragment change
    page.goto(f"{live_server}/?lang={lang}#spec={encode(BOWL)}")
    wait_done(page)
    expect(cells).to_have_text([text("stationary.minimum", lang)])
    assert errors == []


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_sweeps_hover_says_what_each_cell_stopped_at(
    page: Page, live_server: str, lang: str
) -> None:
    """Starts along y over x² − y² + y⁴/4 (the saddle surface): y = 0 runs into the saddle
    at the origin, the others reach a minimum (0, ±√2); each cell's hover says which."""
    run = {"surface": {"id": "saddle"}, "start": [1.0, 0.5], "steps": 500,
           "optimizers": [{"id": "gd", "params": {"lr": 0.1}}]}  # fmt: skip
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/?lang={lang}#spec={encode(run)}")
    wait_done(page)
    page.click("#toggle-sweep")
    wait_sweep(page)
    axis = "#sweep-axes [data-axis='{}'] [data-role='{}']"
    page.select_option(axis.format(0, "name"), "start.y")
    page.select_option(axis.format(1, "name"), "")
    page.fill(axis.format(0, "low"), "-1")
    page.fill(axis.format(0, "high"), "1")
    page.fill(axis.format(0, "count"), "3")
    page.select_option(axis.format(0, "scale"), "linear")
    page.evaluate("() => { document.body.dataset.sweep = 'asked'; }")
    page.click("#run-sweep")
    wait_sweep(page)
    words = page.evaluate(
        "() => document.querySelector('#sweep-plot').data[0].customdata[0].map((c) => c[0])"
    )
    minimum, saddle = text("stationary.minimum", lang), text("stationary.saddle", lang)
    assert WORD[lang] in saddle
    assert words == [minimum, saddle, minimum]
