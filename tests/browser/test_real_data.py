"""Real data, seen whole: pasted data far from the lesson's window is drawn where it is, a
zoom recomputes the contour over the new window and a link keeps it, and CSV as people
have it (a header, more columns, decimal commas, stray spaces) is read or refused by line."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.test_page import settled, wait_done

CONTOUR = """() => {
  const node = document.querySelector('#contour-plot');
  const trace = node.data.find((t) => t.type === 'contour');
  const values = (a) => (a && a.bdata ? null : Array.from(a));
  const x = values(trace.x) ?? node._fullData.find((t) => t.type === 'contour').x;
  const y = values(trace.y) ?? node._fullData.find((t) => t.type === 'contour').y;
  const minimum = node.data.find((t) => t.name === 'minimum');
  return {
    grid: [[x[0], x[x.length - 1]], [y[0], y[y.length - 1]]],
    range: [node.layout.xaxis.range, node.layout.yaxis.range],
    minimum: minimum ? [minimum.x[0], minimum.y[0]] : null,
  };
}"""


def spec_in(url: str) -> dict:
    fragment = parse_qs(urlparse(url).fragment)
    text = fragment["spec"][0]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def far_data() -> str:
    """A line t = 250 x − 2500 (with a little noise): its minimum is far from [−1, 5] × [−2, 4]."""
    x = np.linspace(0.0, 20.0, 30)
    t = 250.0 * x - 2500.0 + np.random.default_rng(0).normal(0.0, 5.0, x.size)
    return "x,t\n" + "\n".join(f"{a:.6g},{b:.6g}" for a, b in zip(x, t, strict=True))


def flat(window: list) -> list[float]:
    """[[x0, x1], [y0, y1]] as [x0, x1, y0, y1], for pytest.approx."""
    return [value for pair in window for value in pair]


def paste_far_data(page: Page) -> None:
    """Paste :func:`far_data` as the surface's data and wait for its run to be drawn."""
    page.select_option("#data-mode", "data")
    page.fill("#csv-input", far_data())
    expect(page.locator("#csv-status")).to_have_text("30 points read")
    wait_done(page)
    settled(page)


def inside(window: list, point: list) -> bool:
    return all(low < value < high for (low, high), value in zip(window, point, strict=True))


def test_pasted_data_is_drawn_where_it_is_and_a_zoom_recomputes_and_is_linked(
    page: Page, context: BrowserContext, live_server: str
) -> None:
    page.goto(f"{live_server}/?preset=line-fit")
    wait_done(page)
    paste_far_data(page)
    shown = page.evaluate(CONTOUR)
    slope, intercept = np.polyfit(*np.loadtxt(far_data().splitlines()[1:], delimiter=",").T, 1)
    assert shown["minimum"] == pytest.approx([slope, intercept], rel=1e-9)
    assert inside(shown["range"], shown["minimum"]) and inside(shown["grid"], shown["minimum"])
    spec = spec_in(page.url)
    assert "domain" not in spec["surface"] and "start" not in spec  # the server's, for this data
    assert page.input_value("#start-x") == ""  # not chosen, but shown: where the run began
    began = page.evaluate("() => document.querySelector('#contour-plot').data"
                          ".find((t) => t.meta?.run === 0).x[0]")  # fmt: skip
    assert float(page.get_attribute("#start-x", "placeholder")) == pytest.approx(began, rel=1e-5)

    # A box zoom: drag across the middle of the plot area.
    box = page.locator("#contour-plot .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.6 * box["width"], box["y"] + 0.7 * box["height"], steps=8)
    page.mouse.up()
    expect(page.locator("body")).to_have_attribute("data-grid", "ready")
    zoomed = page.evaluate(CONTOUR)
    assert zoomed["range"][0] != pytest.approx(shown["range"][0])
    assert flat(zoomed["grid"]) == pytest.approx(flat(zoomed["range"]), rel=1e-12, abs=1e-12)
    assert flat(spec_in(page.url)["surface"]["domain"]) == pytest.approx(flat(zoomed["range"]))

    again = context.new_page()
    again.goto(page.url)
    wait_done(again)
    reopened = again.evaluate(CONTOUR)
    assert flat(reopened["range"]) == pytest.approx(flat(zoomed["range"]))
    assert flat(reopened["grid"]) == pytest.approx(flat(zoomed["range"]))
    again.close()

    # Fit: the window the server fits to the data again.
    page.click("#fit-window")
    wait_done(page)
    settled(page)
    assert "domain" not in spec_in(page.url)["surface"]
    assert flat(page.evaluate(CONTOUR)["range"]) == pytest.approx(flat(shown["range"]))


def test_csv_with_a_header_and_more_columns_or_commas_and_spaces(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/?preset=line-fit")
    wait_done(page)
    page.select_option("#data-mode", "data")
    page.fill("#csv-input", "id,height,weight\n1,1.5,50\n2,1.6,58\n3,1.7,66\n4,1.8,70")
    expect(page.locator("#csv-status")).to_have_text("4 points read")
    expect(page.locator("#csv-columns")).to_be_visible()
    page.select_option('[name="csv-column-x"]', label="height")
    page.select_option('[name="csv-column-y"]', label="weight")
    wait_done(page)
    settled(page)
    data = spec_in(page.url)["surface"]["data"]
    assert data == {"x": [1.5, 1.6, 1.7, 1.8], "y": [50, 58, 66, 70]}

    for text, words in (
        ("x;t\n1;2\n1,5;3", ["line 3", "decimal comma", "1,5"]),
        ("x,t\n1,2\n3 .5,4", ["line 3", "space", "3 .5"]),
        ("x,t,u\n1,2,3\n4,,6", ["line 3", "empty"]),
        ("x,t\n0,1\n1,oops", ["line 3 is not two numbers"]),
    ):
        page.fill("#csv-input", text)
        for word in words:
            expect(page.locator("#csv-status")).to_contain_text(word)
        settled(page)
        assert page.evaluate("() => document.body.dataset.run") == "error"  # nothing ran
    page.fill("#csv-input", "1 2\n2 4.5\n3 6")  # spaces between numbers, no header
    expect(page.locator("#csv-status")).to_have_text("3 points read")
    expect(page.locator("#csv-columns")).to_be_hidden()


def test_a_zoom_past_the_apis_limit_moves_back_inside_it(page: Page, live_server: str) -> None:
    """Zooming out past ±1e6 (the largest window a spec may hold) draws the window moved
    back inside the limit and recomputed, instead of a silent 422."""
    page.goto(f"{live_server}/?preset=line-fit")
    wait_done(page)
    limit = page.evaluate("() => JSON.parse(document.querySelector('#catalog').textContent)"
                          ".limits.coordinate")  # fmt: skip
    assert limit == 1e6
    page.evaluate("""(limit) => Plotly.relayout(document.querySelector('#contour-plot'),
        {'xaxis.range': [-3 * limit, 5 * limit], 'yaxis.range': [0.5 * limit, 1.5 * limit]})""",
                  limit)  # fmt: skip
    expect(page.locator("body")).to_have_attribute("data-grid", "ready")
    zoomed = page.evaluate(CONTOUR)
    assert flat(zoomed["range"]) == pytest.approx([-limit, limit, 0.0, limit])
    assert flat(zoomed["grid"]) == pytest.approx(flat(zoomed["range"]))
    assert flat(spec_in(page.url)["surface"]["domain"]) == pytest.approx(flat(zoomed["range"]))


def test_a_links_start_and_window_are_kept_when_its_data_changes(
    page: Page, live_server: str
) -> None:
    """A link's start and window were chosen by whoever made it: new data keeps them (a
    lesson's are fitted again, as the test above shows)."""
    from gradtrail.app.urlspec import encode

    window, start = [[-3.0, 6.0], [-4.0, 5.0]], [4.5, -3.5]
    spec = {"surface": {"id": "regression", "domain": window}, "start": start, "steps": 30,
            "optimizers": [{"id": "gd", "params": {"lr": 0.01}}]}  # fmt: skip
    page.goto(f"{live_server}/#spec={encode(spec)}")
    wait_done(page)
    paste_far_data(page)
    kept = spec_in(page.evaluate("() => location.href"))
    assert kept["surface"]["domain"] == window and kept["start"] == start
    assert [page.input_value("#start-x"), page.input_value("#start-y")] == ["4.5", "-3.5"]
