"""Each plot's short text description for a screen reader (describe.js): a figure named by
its title and described by a hidden line that says what its axes show, over which range,
and what it draws, in the page's language, and that follows a new run."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_page import wait_done, watch_errors

DESCRIPTIONS = """() => Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')]
  .filter((n) => n.offsetParent).map((n) => {
    const line = document.getElementById(n.getAttribute('aria-describedby') || '-');
    return [n.id, line ? line.textContent : null]; }))"""
# What a sighted reader sees: the axis titles and the legend's entries as drawn.
SHOWN = """(id) => { const n = document.getElementById(id);
  const texts = (s) => [...n.querySelectorAll(s)].map((t) => t.textContent.trim()).filter(Boolean);
  return { x: texts('.xtitle'), y: texts('.ytitle'), legend: texts('.legendtext') }; }"""
CAUGHT_UP = """() => [...document.querySelectorAll('.js-plotly-plot')].filter((n) => n.offsetParent)
  .every((n) => { const line = document.getElementById(n.getAttribute('aria-describedby'));
    const said = (line?.textContent ?? '').replaceAll(' ', '');
    return [...n.querySelectorAll('.legendtext')].every(
      (t) => said.includes(t.textContent.replaceAll(' ', ''))); })"""
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
    # a description is written once a redraw rests: wait until each says what its plot shows
    page.wait_for_function(CAUGHT_UP, polling=100)
    found = page.evaluate(DESCRIPTIONS)
    assert {"contour-plot", "convergence-plot", "step-plot"} <= set(found), found
    assert all(text for text in found.values()), found
    across, up, drawn = WORDS[lang]
    for plot in ("contour-plot", "convergence-plot", "data-plot"):
        if plot not in found:  # a panel behind a tab is not shown
            continue
        shown, text = page.evaluate(SHOWN, plot), found[plot]
        assert across in text and up in text and drawn in text, text
        for title in shown["x"] + shown["y"]:  # a wrapped title's lines, each in the text
            assert title.replace(" ", "") in text.replace(" ", ""), (title, text)
        assert all(entry.replace(" ", "") in text.replace(" ", "") for entry in shown["legend"])
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
