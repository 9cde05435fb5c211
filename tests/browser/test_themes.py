"""The app's themes (``?theme=dark``, ``?theme=projector``): the page and every figure take
the colours of engine/figures/style.py THEMES, the link keeps the theme, axe-core finds no
WCAG 2.1 A/AA violation (contrast included) in it, and a name the page does not know is
the default theme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gradtrail.figures.style import THEMES
from tests.browser.test_accessibility import violations
from tests.browser.test_page import wait_done, watch_errors

DEFAULT = next(iter(THEMES))


def rgb(colour: str) -> str:
    """``#rrggbb`` as the browser computes it."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


PAGE_COLOURS = """() => { const s = getComputedStyle(document.body);
  return [s.backgroundColor, s.color, document.documentElement.dataset.theme ?? null]; }"""
RUN_WIDTHS = """() => document.querySelector('#contour-plot').data
  .filter((t) => Number.isInteger(t.meta?.run)).map((t) => t.line.width)"""


@pytest.mark.parametrize(("theme", "lang"), [("dark", "en"), ("projector", "ja")])
def test_a_theme_colours_the_page_and_its_figures_and_stays_in_the_link(
    page: Page, live_server: str, screenshots: Path, theme: str, lang: str
) -> None:
    errors = watch_errors(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/?lang={lang}#preset=minibatch")
    wait_done(page)
    widths = page.evaluate(RUN_WIDTHS)
    assert page.evaluate(PAGE_COLOURS) == [
        rgb(THEMES[DEFAULT]["css"]["paper"]),
        rgb(THEMES[DEFAULT]["css"]["ink"]),
        None,
    ]
    page.goto("about:blank")
    page.goto(f"{live_server}/?lang={lang}&theme={theme}#preset=minibatch")
    wait_done(page)
    css, figure = THEMES[theme]["css"], THEMES[theme]["figure"]
    assert page.evaluate(PAGE_COLOURS) == [rgb(css["paper"]), rgb(css["ink"]), theme]
    layout = page.evaluate(
        "() => { const l = document.querySelector('#contour-plot').layout;"
        " return [l.paper_bgcolor, l.plot_bgcolor, l.font.color, l.xaxis.gridcolor]; }"
    )
    assert layout == [figure["paper"], figure["paper"], figure["ink"], figure["grid"]]
    if figure["scale"]:
        scale = page.evaluate(
            "() => document.querySelector('#contour-plot').data"
            ".find((t) => t.type === 'contour').colorscale"
        )
        assert scale == figure["scale"]
    assert page.evaluate(RUN_WIDTHS) == [w * figure["lines"] for w in widths]
    # the link keeps it (the page moved it into the fragment with the rest of its state)
    assert f"theme={theme}" in page.evaluate("() => location.hash")
    # one screen: the toolbar on one line, nothing scrolls
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.topbar button:not([hidden]), .topbar select')]"
        ".map((n) => Math.round(n.getBoundingClientRect().top))"
    )
    assert max(tops) - min(tops) <= 4, tops
    assert page.evaluate("() => document.documentElement.scrollHeight") <= 768
    page.screenshot(path=screenshots / f"theme-{theme}-{lang}-1366x768.png")
    assert violations(page, live_server) == []
    page.click("#share")
    expect(page.locator("#share-text")).to_have_value(re.compile(f"[#&]theme={theme}(&|$)"))
    page.keyboard.press("Escape")
    # a link made now opens in the theme
    page.goto("about:blank")
    page.goto(f"{live_server}/?lang={lang}#preset=beta&theme={theme}")
    wait_done(page)
    expect(page.locator("html")).to_have_attribute("data-theme", theme)
    assert errors == []


def test_a_theme_the_page_does_not_know_is_the_default(page: Page, live_server: str) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#preset=himmelblau&theme=sepia")
    wait_done(page)
    assert page.evaluate(PAGE_COLOURS) == [
        rgb(THEMES[DEFAULT]["css"]["paper"]),
        rgb(THEMES[DEFAULT]["css"]["ink"]),
        None,
    ]
    assert "theme" not in page.evaluate("() => location.hash")
    assert errors == []
