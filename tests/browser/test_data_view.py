"""The data panel in Chromium: the samples and the model follow the cursor, the step's
minibatch is marked, and the contour shows the per-sample gradients at the cursor."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_page import url_spec, wait_done, watch_errors

MODEL = """() => document.querySelector('#data-plot').data
  .find((t) => t.meta && t.meta.role === 'model')"""
ARROWS = """() => document.querySelector('#contour-plot').data
  .filter((t) => t.meta && t.meta.role === 'sample-gradients').length"""


def scrub_to(page: Page, step: int) -> None:
    page.evaluate(
        f"() => {{ const s = document.querySelector('#scrubber'); s.value = '{step}';"
        " s.dispatchEvent(new Event('input', { bubbles: true })); }"
    )


def test_the_data_and_the_model_follow_the_cursor(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#preset=minibatch")
    wait_done(page)
    expect(page.locator("#toggle-data")).to_have_attribute("aria-pressed", "true")
    panel = page.locator("#data-view")
    expect(panel).to_be_visible()  # the lesson opens it
    scrub_to(page, 0)
    expect(panel).to_have_attribute("data-point", "3,2")
    expect(panel).to_have_attribute("data-batch", "0")  # run 0 draws one sample per step
    at_start = page.evaluate(f"() => ({MODEL})().y")
    assert page.evaluate(ARROWS) == 3  # per-sample pulls, their mean, the minibatch's
    title = page.evaluate("() => document.querySelector('#data-plot').layout.title.text")
    assert "(3, 2)" in title and "minibatch step 0 drew (1 samples)" in title
    scrub_to(page, 40)
    expect(panel).not_to_have_attribute("data-point", "3,2")
    expect(panel).to_have_attribute("data-batch", "40")
    assert page.evaluate(f"() => ({MODEL})().y") != at_start  # the line moved
    assert page.evaluate(ARROWS) == 3  # redrawn, not added to
    page.select_option("#anatomy-run", "2")  # the full-batch run: no minibatch
    expect(panel).to_have_attribute("data-batch", "")
    assert page.evaluate(ARROWS) == 2
    page.locator("#data-view").screenshot(path=screenshots / "data-view-en.png")
    page.screenshot(path=screenshots / "data-view-1920x1080.png")
    page.click("#toggle-data")  # closed: the arrows leave the contour
    expect(panel).to_be_hidden()
    assert page.evaluate(ARROWS) == 0
    assert errors == []


def test_the_neuron_in_japanese_and_in_lecture_mode(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=ja#preset=neuron&data=1&backprop=1")
    wait_done(page)
    panel = page.locator("#data-view")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("data-point", re.compile(".+"))
    expect(page.locator("#data-plot")).to_contain_text("データとモデル")
    expect(page.locator("#data-plot")).to_contain_text("ニューロン")
    page.locator("#data-view").screenshot(path=screenshots / "data-view-neuron-ja.png")
    page.keyboard.press("l")
    expect(page.locator("body")).to_have_class(re.compile("lecture"))
    scrub_to(page, 10)
    expect(panel).to_have_attribute("data-point", re.compile(".+"))
    page.wait_for_function("() => document.querySelector('#data-plot')._fullLayout.font.size == 18")
    page.screenshot(path=screenshots / "data-view-lecture-ja-1920x1080.png")
    assert errors == []


def test_the_toggle_is_offered_on_data_surfaces_only(page: Page, live_server: str) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#preset=ravine&data=1")
    wait_done(page)
    expect(page.locator("#toggle-data")).to_be_hidden()
    expect(page.locator("#data-view")).to_be_hidden()
    assert errors == []


def test_the_averages_follow_the_cursor_and_every_new_lesson_loads_cleanly(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{live_server}/?lang=en#preset=beta")
    wait_done(page)
    panel = page.locator("#averages")
    expect(panel).to_be_visible()  # the lesson opens it
    expect(page.locator("#averages-plot")).to_contain_text("Moving averages")
    # drawn from the state the stream sent: every recorded step of each run (the whole
    # paths show before the cursor moves), not a rerun
    page.wait_for_function("""() => {
        const traces = (id) => document.querySelector(id).data ?? [];
        const paths = traces('#contour-plot').filter((t) => t.meta?.run !== undefined);
        const drawn = traces('#averages-plot').filter((t) => t.meta?.averages);
        const whole = (t) => t.y.length === paths[t.meta.averages.run].x.length - 1;
        return drawn.length > 0 && drawn.every(whole);
    }""")
    assert not [url for url in asked if url.split("?")[0].endswith("/api/averages")]
    scrub_to(page, 30)
    expect(panel).to_have_attribute("data-step", "30")
    lines = page.evaluate("() => document.querySelector('#averages-plot').layout.shapes")
    assert {line["x0"] for line in lines} == {30} and len(lines) == 4  # one per subplot
    page.locator("#averages").screenshot(path=screenshots / "averages-en.png")
    for lesson, shown in [("perceptron", "#data-view"), ("bias-input-one", "#backprop"),
                          ("graph-reuse", "#backprop")]:  # fmt: skip
        page.goto(f"{live_server}/?lang=ja&preset={lesson}")  # a new query: a load
        wait_done(page)
        expect(page.locator(shown)).to_be_visible()
        page.screenshot(path=screenshots / f"lesson-{lesson}-ja.png")
    nodes = (
        "() => document.querySelector('#backprop-plot').data"
        ".find((t) => t.meta?.role === 'nodes').x.length"
    )
    expect(page.locator("#backprop")).to_have_attribute("data-point", re.compile(".+"))
    page.wait_for_function(f"({nodes})() === 6")  # (x·y + x)²: x, y, ×, +, 2, ^
    page.check("#backprop-tree")
    page.wait_for_function(f"({nodes})() === 7")  # as a tree, x is copied
    assert errors == []


def test_three_open_panels_keep_a_readable_width_and_leave_the_playback_bar_free(
    page: Page, live_server: str, screenshots: Path
) -> None:
    """Three panels do not fit side by side under the contour at 1366×768: they become
    tabs, each shown at the row's whole width when picked."""
    errors = watch_errors(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/?lang=ja#preset=minibatch&backprop=1&averages=1")
    wait_done(page)
    expect(page.locator("#data-view")).to_have_attribute("data-point", re.compile(".+"))
    expect(page.locator("#panel-tabs [role=tab]")).to_have_count(3)
    for panel in ("#backprop", "#data-view", "#averages"):
        page.click(f"#panel-tabs [aria-controls='{panel[1:]}']")
        expect(page.locator(panel)).to_be_visible()
        shown, playback = page.evaluate(
            "(s) => [s, '#playback'].map((q) =>"
            " document.querySelector(q).getBoundingClientRect().toJSON())",
            panel,
        )
        assert shown["width"] >= 360  # not squeezed: the others wait behind their tabs
        assert shown["bottom"] <= playback["top"] + 1
    page.click("#play")  # nothing lies over it
    page.screenshot(path=screenshots / "panels-three-ja-1366x768.png")
    assert errors == []


def test_the_neuron_takes_its_loss_and_its_data_from_the_settings(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#preset=neuron")
    wait_done(page)
    expect(page.locator("[name=surface-menu-loss]")).to_be_visible()
    expect(page.locator("#standardize-field")).to_be_visible()  # standardized as a line fit
    expect(page.locator("[name=surface-menu-loss] option")).to_have_text(
        ["cross-entropy", "squared error"]
    )
    expect(page.locator("[name=surface-menu-loss]")).to_have_value("cross_entropy")
    expect(page.locator("#data-generated")).to_have_text("Generated classes")
    expect(page.locator("#generate-params label")).to_have_text(
        ["points", "separation", "spread", "seed"]
    )
    expect(page.locator("[name=generate-separation]")).to_have_value("2")  # the API's default
    page.locator("#controls").screenshot(path=screenshots / "neuron-settings-en.png")

    edited = "() => { document.body.dataset.run = 'edited'; }"  # wait_done waits for the new run
    page.evaluate(edited)
    page.select_option("[name=surface-menu-loss]", "mse")
    page.fill("[name=generate-separation]", "4")
    wait_done(page)
    surface = url_spec(page)["surface"]
    assert surface["loss"] == "mse" and surface["classes"] == {"separation": 4}
    expect(page.locator("#contour-plot")).to_contain_text("squared error")  # the surface's name

    page.select_option("#data-mode", "data")
    expect(page.locator("#csv-label")).to_contain_text("0 or 1")
    page.evaluate(edited)
    page.fill("#csv-input", "x,t\n-2,0\n-1,0\n1,1\n2,1")
    expect(page.locator("#csv-status")).to_have_text("4 points read")
    wait_done(page)
    surface = url_spec(page)["surface"]
    assert surface["data"] == {"x": [-2, -1, 1, 2], "y": [0, 0, 1, 1]} and "classes" not in surface
    page.fill("#csv-input", "x,t\n-1,0\n1,2")  # a class that is not 0 or 1: the server says so
    expect(page.locator("#data-box .field-error")).to_contain_text("0 or 1")

    page.evaluate(edited)
    page.select_option("#surface-select", "regression")  # the line fit's own box
    wait_done(page)
    expect(page.locator("[name=surface-menu-loss]")).to_have_count(0)
    expect(page.locator("#standardize-field")).to_be_visible()
    expect(page.locator("#data-mode")).to_have_value("generate")
    expect(page.locator("#data-generated")).to_have_text("Generated line")
    expect(page.locator("[name=generate-slope]")).to_have_value("2")
    assert "loss" not in url_spec(page)["surface"]
    assert [e for e in errors if "status of 422" not in e] == []  # the bad class's answer


# The last run's "done" is cleared before the first sample: a sample taken between starting
# the watch and the edit recorded the old surface's finished run as if it were the new one's.
WATCH_PANELS = """() => {
  document.body.dataset.run = 'edited';
  window.__panels = [];
  setInterval(() => window.__panels.push({
    run: document.body.dataset.run,
    panels: ['#data-view', '#backprop'].map((id) => {
      const node = document.querySelector(id);
      return [node.dataset.point ?? '', node.getAttribute('aria-busy') === 'true'];
    }),
  }), 5);
}"""


def test_open_panels_never_show_the_last_surfaces_result_as_current(
    page: Page, live_server: str
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#preset=line-fit&backprop=1&data=1")
    wait_done(page)
    for panel in ("#data-view", "#backprop"):
        expect(page.locator(panel)).not_to_have_attribute("aria-busy", "true")
    before = [page.get_attribute(panel, "data-point") for panel in ("#data-view", "#backprop")]
    page.evaluate(WATCH_PANELS)
    page.select_option("#surface-select", "neuron")
    wait_done(page)
    for panel in ("#data-view", "#backprop"):
        expect(page.locator(panel)).not_to_have_attribute("aria-busy", "true")
    page.wait_for_function(  # the watch has seen the settled panels too
        "() => window.__panels.some((m) => m.run === 'done' && m.panels.every(([, busy]) => !busy))"
    )
    seen = page.evaluate("() => window.__panels")
    after = [page.get_attribute(panel, "data-point") for panel in ("#data-view", "#backprop")]
    assert after != before and all(after)
    # Once the run is done, a panel that is not marked busy shows the new surface's point.
    for moment in (m for m in seen if m["run"] == "done"):
        for (point, busy), now in zip(moment["panels"], after, strict=True):
            assert busy or point == now, (moment, after)
    assert any(busy for m in seen for _, busy in m["panels"])  # the wait was marked
    assert errors == []
