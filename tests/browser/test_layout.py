"""What a newcomer sees at 1920×1080 and 1366×768: nothing covers the paths, numbers stay
on one line, captions are whole, axis labels keep clear of titles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_page import wait_done, watch_errors
from tests.browser.test_screens import SETTLED_BOXES, pick_lesson

SCREENS = [(1920, 1080), (1366, 768)]


def box(page: Page, selector: str) -> dict:
    found = page.evaluate(
        "(s) => { const n = document.querySelector(s); if (!n) return null;"
        " const r = n.getBoundingClientRect();"
        " return {x: r.x, y: r.y, right: r.right, bottom: r.bottom}; }",
        selector,
    )
    assert found is not None, selector
    return found


def overlap(a: dict, b: dict) -> bool:
    across = a["x"] < b["right"] and b["x"] < a["right"]
    return across and a["y"] < b["bottom"] and b["y"] < a["bottom"]


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_the_legend_stays_off_the_paths(
    page: Page, live_server: str, screenshots: Path, width: int, height: int
) -> None:
    """On Himmelblau the legend sat over the runs near (3, 2): it now stands beside the plot."""
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/?lang=en#preset=himmelblau")
    wait_done(page)
    legend, area = box(page, "#contour-plot .legend"), box(page, "#contour-plot .nsewdrag")
    assert not overlap(legend, area), (legend, area)
    plot = box(page, "#contour-plot")
    assert plot["x"] <= legend["x"] and legend["right"] <= plot["right"] + 1  # all of it shows
    page.screenshot(path=screenshots / f"himmelblau-legend-{width}x{height}.png")
    assert errors == []


LINES_OF_CELLS = """() => [...document.querySelectorAll('#summary td.num')].map((cell) => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = [...range.getClientRects()].map((r) => Math.round(r.top));
  return [cell.textContent, new Set(tops).size];
})"""


def test_the_summary_keeps_each_number_on_one_line_on_a_laptop(
    page: Page, live_server: str
) -> None:
    """At 1366×768 the table wrapped `1.36e-` / `20`."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/?lang=en#preset=himmelblau")
    wait_done(page)
    cells = page.evaluate(LINES_OF_CELLS)
    assert len(cells) == 12 and all(lines == 1 for _, lines in cells), cells
    table, column = box(page, "#summary"), box(page, "#convergence-plot")
    assert table["right"] <= column["right"] + 1  # and it still fits its column


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_the_step_plots_eta_title_keeps_clear_of_its_ticks(
    page: Page, live_server: str, screenshots: Path, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/?lang=en#preset=himmelblau")
    wait_done(page)
    page.wait_for_function("() => document.querySelector('#step-plot .g-y2title text')")
    title = box(page, "#step-plot .g-y2title text")
    ticks = page.evaluate(
        "() => [...document.querySelectorAll('#step-plot .y2tick text')].map((n) => {"
        " const r = n.getBoundingClientRect();"
        " return {x: r.x, y: r.y, right: r.right, bottom: r.bottom}; })"
    )
    assert ticks and not any(overlap(title, tick) for tick in ticks), (title, ticks)
    assert title["right"] <= box(page, "#step-plot")["right"]  # the title shows whole
    page.locator(".anatomy").screenshot(path=screenshots / f"step-plot-{width}x{height}.png")


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_lecture_mode_shows_the_longest_caption_whole(
    page: Page, live_server: str, screenshots: Path, width: int, height: int
) -> None:
    """The caption was one line cut with “…”; it wraps now, and the page still fits."""
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/?lang=en")
    wait_done(page)
    longest = page.evaluate(
        "() => JSON.parse(document.querySelector('#catalog').textContent).presets"
        ".reduce((a, b) => (b.caption.length > a.caption.length ? b : a)).id"
    )
    page.goto("about:blank")
    page.goto(f"{live_server}/?lang=en#preset={longest}&lecture=1")
    wait_done(page)
    fits = page.evaluate(
        "() => { const c = document.querySelector('#caption'); const s = getComputedStyle(c);"
        " return [c.scrollWidth <= c.clientWidth, c.scrollHeight <= c.clientHeight,"
        " s.textOverflow, document.documentElement.scrollHeight]; }"
    )
    assert fits[:3] == [True, True, "clip"], fits
    assert fits[3] <= height  # the plots shrink to make room: nothing scrolls
    assert box(page, "#contour-plot .nsewdrag")["bottom"] - box(page, "#caption")["bottom"] > 200
    page.screenshot(path=screenshots / f"lecture-caption-{width}x{height}.png")
    assert errors == []


PROJECTORS = [(1366, 768, "en"), (1366, 768, "ja"), (1280, 720, "ja"), (1440, 900, "en")]
# A lesson of each panel, and the panel's plot that shows.
PANEL_PLOTS = {"minibatch": "#data-plot", "chain-tanh": "#backprop-plot", "beta": "#averages-plot"}


@pytest.mark.parametrize(("width", "height", "lang"), PROJECTORS)
def test_a_projector_screen_leaves_the_contour_room_beside_a_panel(
    page: Page, live_server: str, screenshots: Path, width: int, height: int, lang: str
) -> None:
    """A class's projector: the minibatch lesson opened its data panel under the contour,
    which had 64 px of plot at 1366×768 (40 px at 1280×720 in Japanese), then 149 px with the
    panels under it taking 40 % of the stage. On a wide, short screen the open panel stands
    beside the contour now, which keeps 300 px of plot height in every lesson with a panel;
    the toolbar is one line and nothing scrolls."""
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/?lang={lang}#preset=minibatch")
    wait_done(page)
    expect(page.locator("#data-view")).to_have_attribute("data-point", re.compile(".+"))
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.topbar button:not([hidden]), .topbar select')]"
        ".map((n) => Math.round(n.getBoundingClientRect().top))"
    )
    assert len(tops) > 10 and max(tops) - min(tops) <= 4, tops  # one line
    for lesson, plot in PANEL_PLOTS.items():
        if lesson != "minibatch":
            pick_lesson(page, lesson)
        page.wait_for_function(SETTLED_BOXES, polling=100)
        page.wait_for_selector(f"{plot} .nsewdrag")
        contour, panel = box(page, "#contour-plot .nsewdrag"), box(page, f"{plot} .nsewdrag")
        assert contour["bottom"] - contour["y"] >= 300, (lesson, contour)
        assert contour["right"] - contour["x"] >= 200, (lesson, contour)
        assert panel["x"] >= contour["right"], (lesson, contour, panel)  # beside it
        assert panel["bottom"] - panel["y"] >= 90, (lesson, panel)
        assert page.evaluate("() => document.documentElement.scrollHeight") <= height, lesson
        page.screenshot(path=screenshots / f"projector-{lesson}-{lang}-{width}x{height}.png")
    assert errors == []
