"""The backprop panel in Chromium: the graph follows the cursor, and the backward-pass
walk reaches the parameters."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from gradtrail.app.urlspec import encode
from tests.browser.test_modes import TICK_MS
from tests.browser.test_page import wait_done, watch_errors

NODES = """() => document.querySelector('#backprop-plot').data
  .find((t) => t.meta && t.meta.role === 'nodes')"""


def test_the_graph_follows_the_cursor_and_the_walk_reaches_the_parameters(
    clocked_page: Page, live_server: str, screenshots: Path
) -> None:
    page = clocked_page
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#preset=line-fit")
    wait_done(page)
    page.click("#toggle-backprop")
    panel = page.locator("#backprop")
    last = page.evaluate(
        "() => { const t = document.querySelector('#contour-plot').data.find((d) => d.meta"
        " && d.meta.run === 0); return [t.x.at(-1), t.y.at(-1)].join(','); }"
    )
    expect(panel).to_have_attribute("data-point", last)
    expect(page.locator("#backprop-sample-field")).to_be_visible()  # the bowl: one sample's loss
    assert page.evaluate(f"() => ({NODES})().text") == ["w", "b", "x", "t", "×", "+", "−", "²"]
    at_end = page.evaluate("() => document.querySelector('#backprop-plot').layout.title.text")
    page.evaluate(
        "() => { const s = document.querySelector('#scrubber'); s.value = '0';"
        " s.dispatchEvent(new Event('input', { bubbles: true })); }"
    )
    expect(panel).to_have_attribute("data-point", "3,2")
    at_start = page.evaluate("() => document.querySelector('#backprop-plot').layout.title.text")
    assert at_start != at_end and "(3, 2)" in at_start
    page.fill("#backprop-sample", "5")
    page.locator("#backprop-sample").dispatch_event("change")
    expect(page.locator("#backprop-plot")).to_contain_text("Sample 5 of")
    page.click("#backprop-play")
    for lit in range(1, 9):  # every node, a tick each (the clock moved on, not waited out)
        page.clock.fast_forward(TICK_MS)
        expect(panel).to_have_attribute("data-walked", str(lit))
    widths = page.evaluate(f"() => ({NODES})().marker.line.width")
    assert widths == [4] * 8  # all reached, w and b (the parameters) among them
    edge_text = page.evaluate(
        "() => document.querySelector('#backprop-plot').data"
        ".find((t) => t.meta && t.meta.role === 'edges').text"
    )
    assert all(" = " in text for text in edge_text)  # each edge: local × adjoint = product
    page.locator("#backprop").screenshot(path=screenshots / "backprop-en.png")
    page.screenshot(path=screenshots / "backprop-1920x1080.png")
    assert errors == []


def test_the_panel_in_japanese_on_a_typed_formula(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    spec = encode(
        {"surface": {"id": "custom", "expression": "(x*y + x)^2"}, "start": [1, 2],
         "steps": 10, "optimizers": [{"id": "gd"}]}
    )  # fmt: skip
    page.goto(f"{live_server}/?lang=ja#spec={spec}&backprop=1")
    wait_done(page)
    panel = page.locator("#backprop")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("data-point", re.compile(".+"))
    expect(page.locator("#backprop-sample-field")).to_be_hidden()
    expect(page.locator("#backprop-plot")).to_contain_text("誤差逆伝播")
    page.locator("#backprop").screenshot(path=screenshots / "backprop-ja.png")
    page.keyboard.press("l")  # lecture mode keeps the panel, large
    expect(page.locator("body")).to_have_class(re.compile("lecture"))
    expect(panel).to_be_visible()
    page.screenshot(path=screenshots / "backprop-lecture-ja-1920x1080.png")
    assert errors == []


def test_the_neuron_lesson_shows_one_samples_graph_with_its_activation(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=ja#preset=neuron&backprop=1")
    wait_done(page)
    expect(page.locator("#backprop")).to_have_attribute("data-point", re.compile(".+"))
    expect(page.locator("#backprop-sample-field")).to_be_visible()
    labels = page.evaluate(f"() => ({NODES})().text")
    assert {"w", "b", "x", "t", "σ", "log"} <= set(labels)
    expect(page.locator("#contour-plot")).to_contain_text("w（重み）")
    page.screenshot(path=screenshots / "neuron-backprop-ja-1920x1080.png")
    assert errors == []
