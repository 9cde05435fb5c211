"""The graph panel's two modes and its finite-difference check in Chromium, on the chain
network at 1366×768: the graph fits its box (or, beside the contour, scrolls within it at its
least width), reverse mode walks once and labels δ₂, δ₁
and the two updates, forward mode walks once per parameter with its tangents, and the
check answers its step h; English and Japanese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gradtrail.texts import messages
from tests.browser.test_page import wait_done, watch_errors

PLOT = "document.querySelector('#backprop-plot')"
# Longer than the walk's tick (backprop-panel.js WALK_MS): one jump of the clock fires it once.
TICK_MS = 1000
NODES = f"() => {PLOT}.data.find((t) => t.meta && t.meta.role === 'nodes')"
ANNOTATIONS = f"() => {PLOT}.layout.annotations.map((a) => a.text.replaceAll('<br>', ' '))"
# Every text of the graph as drawn (node labels, tags, edge texts) with its box in px, and
# every node's marker (its symbol is meant to stand inside it).
TRACE = f"""(role) => {PLOT}.querySelectorAll('.scatterlayer .trace')[
  {PLOT}.data.findIndex((t) => t.meta && t.meta.role === role)]"""
BOX = "(n) => { const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
BOXES = f"""() => {{ const trace = {TRACE}; const box = {BOX};
  return [...{PLOT}.querySelectorAll('.annotation-text'),
          ...trace('edges').querySelectorAll('.textpoint text')]
    .filter((n) => n.textContent.trim() !== '').map((n) => [n.textContent, ...box(n)]); }}"""
MARKERS = f"""() => {{ const trace = {TRACE}; const box = {BOX};
  return [...trace('nodes').querySelectorAll('.points path')].map(box); }}"""


def apart(page: Page) -> None:
    """No text of the graph over another or over a node."""
    texts = page.evaluate(BOXES)
    assert texts and all(not overlaps(a[1:], b[1:]) for i, a in enumerate(texts)
                         for b in texts[i + 1:]), texts  # fmt: skip
    markers = page.evaluate(MARKERS)
    assert all(not overlaps(t[1:], m) for t in texts for m in markers)


def overlaps(a: list[float], b: list[float]) -> bool:
    """Two boxes share more than a pixel each way."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


def walk(page: Page, mode: str, passes: int, nodes: int) -> None:
    """Walk the graph in ``mode``: ``passes`` passes over ``nodes`` nodes, each node lit in
    turn. The walk lights a node a tick; the page's clock (``clocked_page``) is moved on a
    tick at a time once the last node is lit, so no tick is waited out."""
    page.select_option("#backprop-mode", mode)
    expect(page.locator("#backprop")).to_have_attribute("data-mode", mode)
    page.click("#backprop-play")
    panel = page.locator("#backprop")
    for tick in range(passes * nodes):
        page.clock.fast_forward(TICK_MS)
        expect(panel).to_have_attribute("data-walked", str(tick % nodes + 1))
    expect(panel).to_have_attribute("data-pass", str(passes))
    expect(panel).to_have_attribute("data-walk-done", mode)
    expect(panel).to_have_attribute("data-walked", str(nodes))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_chain_graph_fits_and_walks_both_modes(
    clocked_page: Page, live_server: str, screenshots: Path, lang: str
) -> None:
    page = clocked_page
    errors = watch_errors(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/?lang={lang}#preset=chain-tanh&backprop=1")
    wait_done(page)
    panel = page.locator("#backprop")
    expect(panel).to_have_attribute("data-point", re.compile(".+"))
    page.screenshot(path=screenshots / f"modes-open-{lang}-1366x768.png")
    # the graph's box: no wider than the panel's, or (beside the contour on this wide, short
    # screen, layout: app.css) its least width, scrolled to within the panel; so nothing
    # starts off-screen
    widths = page.evaluate(
        f"() => {{ const g = {PLOT}.getBoundingClientRect();"
        " const p = document.querySelector('#backprop');"
        " return [g.width, p.clientWidth, p.scrollWidth, g.left - p.getBoundingClientRect().left,"
        " parseFloat(getComputedStyle(" + PLOT + ").minWidth) || 0]; }"
    )
    assert widths[3] >= 0 and widths[0] <= max(widths[1], widths[4]) + 1, widths
    assert widths[0] <= widths[2], widths
    apart(page)
    sizes = page.evaluate(
        f"() => [...{PLOT}.querySelectorAll('.annotation-text, .textpoint text')]"
        ".map((n) => parseFloat(getComputedStyle(n).fontSize))"
    )
    assert min(sizes) >= 11

    tags = page.evaluate(ANNOTATIONS)
    for weight in ("w2", "w1"):  # ∂L/∂w₂ = mean(δ₂·h) = …, in the page's language
        label = messages(lang)[f"backprop.chain_update_{weight}"].split("{value}")[0]
        assert any(t.startswith(label) for t in tags), (label, tags)
    order = page.evaluate(f"() => ({NODES})().x.length")  # every node, none a constant

    walk(page, "reverse", 1, order)
    apart(page)  # every edge with its three lines: local × adjoint = product
    page.set_viewport_size({"width": 1366, "height": 1700})
    page.locator("#backprop").screenshot(path=screenshots / f"modes-reverse-{lang}-1366-tall.png")
    page.set_viewport_size({"width": 1366, "height": 768})
    expect(page.locator("#backprop-walk")).to_contain_text("1")
    page.locator("#backprop").screenshot(path=screenshots / f"modes-reverse-{lang}-1366x768.png")

    walk(page, "forward", 2, order)
    apart(page)
    blue = page.evaluate(ANNOTATIONS)
    assert any("∂w2" in t or "∂ノード/∂w2" in t for t in [page.evaluate(
        f"() => {PLOT}.layout.title.text")])  # fmt: skip
    assert blue != tags  # the nodes now show their tangents of the second pass
    page.locator("#backprop").screenshot(path=screenshots / f"modes-forward-{lang}-1366x768.png")
    # the whole graph at the same width: a taller window gives the panel room to show it all
    page.set_viewport_size({"width": 1366, "height": 1700})
    page.locator("#backprop").screenshot(path=screenshots / f"modes-forward-{lang}-1366-tall.png")
    page.set_viewport_size({"width": 1366, "height": 768})

    # the check at the cursor, and its step h
    rows = page.locator("#fd-rows li")
    expect(rows).to_have_count(2)
    expect(page.locator("#fd-count")).to_contain_text("2,000,000")
    step = page.locator("#fd-step")
    assert step.input_value() == "-5"
    expect(panel).to_have_attribute("data-h", "0.00001")
    assert "[1e-5:" in page.locator("#fd-sweep").inner_text()
    step.fill("-1")
    step.dispatch_event("change")
    expect(page.locator("#fd-step-value")).to_have_text("h = 1e-1")
    expect(panel).to_have_attribute("data-h", "0.1")  # the server's check at the new h
    assert "[1e-1:" in page.locator("#fd-sweep").inner_text()
    page.locator("#finite-differences").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"modes-check-{lang}-1366x768.png")
    assert errors == []


@pytest.mark.parametrize(("width", "height", "lang"), [(390, 844, "ja"), (1920, 1080, "en")])
def test_the_panel_on_a_phone_and_a_projector(
    page: Page, live_server: str, screenshots: Path, width: int, height: int, lang: str
) -> None:
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/?lang={lang}#preset=chain-tanh&backprop=1")
    wait_done(page)
    panel = page.locator("#backprop")
    expect(panel).to_have_attribute("data-point", re.compile(".+"))
    apart(page)
    page.select_option("#backprop-mode", "forward")
    expect(panel).to_have_attribute("data-mode", "forward")
    apart(page)  # the tangents' labels too
    expect(page.locator("#fd-rows li")).to_have_count(2)
    panel.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"modes-forward-{lang}-{width}x{height}.png")
    page.locator("#finite-differences").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"modes-check-{lang}-{width}x{height}.png")
    assert errors == []
