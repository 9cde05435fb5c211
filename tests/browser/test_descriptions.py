"""Each plot's short text description for a screen reader (describe.js): a figure named by
its title and described by a hidden line that says what its axes show, over which range,
and what it draws, in the page's language, and that follows a new run."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_page import wait_done, watch_errors

DESCRIBED = """() => Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')]
  .filter((n) => n.offsetParent).map((n) => [n.id,
    document.getElementById(n.getAttribute('aria-describedby') || '-')?.textContent]))"""
# One reading of the contour, loss and data plots: each description and what a sighted
# reader sees, taken once each description has caught up with its plot's drawn legend and
# titles (a description is written a moment after a redraw rests, so a reading taken
# mid-redraw would compare two different drawings); false until then, so the wait
# returns a consistent reading.
AT_REST = """() => { const plots = ['contour-plot', 'convergence-plot', 'data-plot']
    .map((id) => document.getElementById(id)).filter((n) => n && n.offsetParent);
  const texts = (n, s) => [...n.querySelectorAll(s)].map((t) => t.textContent.trim())
    .filter(Boolean);
  const flat = (t) => t.replaceAll(' ', '');
  const reading = {};
  for (const n of plots) {
    const line = document.getElementById(n.getAttribute('aria-describedby') || '-');
    const said = line ? line.textContent : '';
    const shown = { x: texts(n, '.xtitle'), y: texts(n, '.ytitle'),
      legend: texts(n, '.legendtext') };
    if (![...shown.x, ...shown.y, ...shown.legend].every((t) => flat(said).includes(flat(t))))
      return false;
    reading[n.id] = { said, shown };
  }
  return reading; }"""
WORDS = {"en": ("Across", "Up", "Drawn"), "ja": ("横軸", "縦軸", "描かれているもの")}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_plot_says_what_it_shows(page: Page, live_server: str, lang: str) -> None:
    errors = watch_errors(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/?lang={lang}#preset=bias-input-one&averages=1")
    wait_done(page)
    expect(page.locator("#backprop")).not_to_have_attribute("aria-busy", "true")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].filter((n) => n.offsetParent)"
        ".every((n) => n.hasAttribute('aria-describedby'))"
    )
    # every description comes to name each axis title and legend entry its plot draws
    reading = page.wait_for_function(AT_REST, polling=100).json_value()
    found = {plot: seen["said"] for plot, seen in reading.items()}
    assert {"contour-plot", "convergence-plot"} <= set(found), found
    described = page.evaluate(DESCRIBED)  # every shown plot has its description
    assert "step-plot" in described and all(described.values()), described
    across, up, drawn = WORDS[lang]
    for plot in ("contour-plot", "convergence-plot", "data-plot"):
        if plot not in found:  # a panel behind a tab is not shown
            continue
        shown, text = reading[plot]["shown"], found[plot]
        assert across in text and up in text and drawn in text, text
        assert shown["x"] and shown["y"], (plot, shown)  # the titles it names are drawn
    # a figure named by its title, as shown
    title = page.locator("#convergence-plot .gtitle").first.text_content()
    expect(page.locator("#convergence-plot")).to_have_attribute("role", "figure")
    expect(page.locator("#convergence-plot")).to_have_attribute("aria-label", title)
    # a new run's description follows it: the loss's steps now end at 40
    assert not re.search(r"\b40(\.0+)?[）.]", found["convergence-plot"])
    page.evaluate("() => { document.body.dataset.run = 'picking'; }")
    page.fill("#steps", "40")
    page.press("#steps", "Enter")
    wait_done(page)
    expect(page.locator("#convergence-plot-description")).to_contain_text(
        re.compile(r"\b40(\.0+)?[）.]")
    )
    assert errors == []
