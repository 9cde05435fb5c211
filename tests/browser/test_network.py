"""The network kind on the page: picked from the surface menu, it runs on its plane with
axes that say they are a slice, offers no start point to type (it starts from its own
vector), and leaves no console error; at 1366×768 in English and 1920×1080 in Japanese.
Once its runs are done the contour is the API's loss on the final plane, the paths the
API's projections on it, the plane is named, and each run's distance from it at the
cursor is the API's ``off_plane``; at 1366×768, 1920×1080 and on a phone."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
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
    # its runs moved; what it steps is the whole vector, no arrow on the slice (it had said
    # the run took no step)
    expect(page.locator("#anatomy .equations")).to_have_text(text("anatomy_on_a_slice", lang))
    page.click("#contour-plot", position={"x": 300, "y": 300})  # no start to choose there
    settled(page)
    assert "start" not in url_spec(page)
    page.screenshot(path=screenshots / f"network-{lang}-{width}x{height}.png")
    assert not errors, errors


SLICE = {
    "surface": {"id": "network", "layers": [2, 4, 1], "generate": {"kind": "circles", "n": 60}},
    "steps": 80,
    "optimizers": [{"id": "adam", "params": {"lr": 0.05}},
                   {"id": "momentum", "params": {"lr": 0.3}}],
}  # fmt: skip
CURSOR = 37  # a step inside every path, where the cursor is put

# The contour's grid and every run's path as drawn, and the line of off-plane distances.
DRAWN = """() => {
  const node = document.querySelector('#contour-plot');
  const grid = node.data.find((trace) => trace.type === 'contour');
  const runs = node.data.filter((trace) => Number.isInteger(trace.meta?.run))
    .sort((a, b) => a.meta.run - b.meta.run);
  const row = (v) => (v?.length !== undefined ? Array.from(v) : v);
  const plain = (values) => (values?.bdata || !values ? values : Array.from(values, row));
  return {
    x: plain(grid.x), y: plain(grid.y), f: plain(grid.customdata),
    paths: runs.map((t) => ({ x: plain(t.x), y: plain(t.y), off: plain(t.customdata) })),
    range: [node.layout.xaxis.range, node.layout.yaxis.range],
  };
}"""


# The 3-D view's surface grid (its first x, once drawn, is the window's edge) and paths' a.
SURFACE_DRAWN = """(edge) => {
  const data = document.querySelector('#surface-plot')._fullData;
  const grid = data?.find((trace) => trace.type === 'surface');
  return grid && Math.abs(grid.x[0] - edge) <= 1e-9 * Math.abs(edge);
}"""
CONTOUR_BACK = """([edge, points]) => {
  const data = document.querySelector('#contour-plot')._fullData;
  const grid = data?.find((trace) => trace.type === 'contour');
  const runs = data?.filter((trace) => Number.isInteger(trace.meta?.run)) ?? [];
  return grid && Math.abs(grid.x[0] - edge) <= 1e-9 * Math.abs(edge)
    && runs.length && runs.every((trace) => trace.x.length === points);
}"""
SURFACE = """() => {
  const data = document.querySelector('#surface-plot')._fullData;
  const grid = data.find((trace) => trace.type === 'surface');
  const runs = data.filter((trace) => Number.isInteger(trace.meta?.run))
    .sort((a, b) => a.meta.run - b.meta.run);
  return { x: Array.from(grid.x), y: Array.from(grid.y), paths: runs.map((t) => Array.from(t.x)) };
}"""


def numbers(value: Any) -> np.ndarray | None:
    """A drawn array as numpy: plotly's ``{dtype, bdata, shape}`` decoded, lists as they are."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return None if value is None else np.array(value, dtype=float)


def link(base: str, lang: str, spec: dict) -> str:
    """The page in ``lang`` showing ``spec`` (its fragment, as the page writes it)."""
    encoded = base64.urlsafe_b64encode(json.dumps(spec).encode()).decode().rstrip("=")
    return f"{base}/?lang={lang}#spec={encoded}"


def put_cursor(page: Page, step: int) -> None:
    """Move the time cursor to ``step`` as the scrubber does."""
    page.evaluate(
        """(step) => { const s = document.querySelector('#scrubber'); s.value = String(step);
        s.dispatchEvent(new Event('input')); }""",
        step,
    )


@pytest.mark.parametrize(
    ("lang", "width", "height"), [("en", 1366, 768), ("ja", 1920, 1080), ("en", 390, 844)]
)
def test_the_slice_moves_to_the_final_plane_and_shows_the_distance_off_it(
    page: Page, live_server: str, screenshots: Path, lang: str, width: int, height: int
) -> None:
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(link(live_server, lang, SLICE))
    wait_done(page)
    spec = url_spec(page)
    ended = httpx.post(f"{live_server}/api/runs", json=spec, timeout=60).json()
    plane, domain = ended["surface"]["plane"], ended["surface"]["domain"]
    drawn = {key: numbers(value) for key, value in page.evaluate(DRAWN).items() if key != "paths"}
    paths = [{k: numbers(v) for k, v in path.items()} for path in page.evaluate(DRAWN)["paths"]]
    stated = {**spec["surface"], "plane": {k: plane[k] for k in ("origin", "directions")}}
    asked = {"surface": stated, "resolution": len(drawn["x"]), "domain": domain}
    grid = httpx.post(f"{live_server}/api/surfaces/grid", json=asked, timeout=60).json()
    np.testing.assert_allclose(drawn["x"], grid["x"], rtol=1e-12)
    np.testing.assert_allclose(drawn["y"], grid["y"], rtol=1e-12)
    np.testing.assert_allclose(drawn["f"], grid["z"], rtol=1e-12)  # the true loss on it
    np.testing.assert_allclose(drawn["range"], domain, rtol=1e-12)
    assert len(paths) == len(ended["runs"]) == 2
    for path, run in zip(paths, ended["runs"], strict=True):
        np.testing.assert_allclose(path["x"], run["x"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(path["y"], run["y"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(path["off"], run["off_plane"], rtol=1e-12, atol=1e-15)
    note = page.locator("#plane-note")
    expect(note).to_have_attribute("data-plane", "final")
    kind = text(f"plane.kind.{plane['kind']}", lang)
    share = f"{100 * plane['explained']:.1f}%"
    expect(note).to_have_text(text("plane.final", lang, kind=kind, share=share))

    put_cursor(page, CURSOR)
    line = page.locator("#off-plane")
    expect(line).to_have_attribute("data-step", str(CURSOR))
    expect(line.locator(".off-plane-step")).to_have_text(text("off_plane.at", lang, step=CURSOR))
    expect(line.locator(".off-plane-run")).to_have_count(2)
    for index, run in enumerate(ended["runs"]):
        shown = line.locator(f".off-plane-run[data-run='{index}'] output")
        expected = run["off_plane"][CURSOR]
        assert float(shown.inner_text()) == pytest.approx(expected, rel=5e-4)
        exact = float(shown.get_attribute("data-value") or "nan")
        assert exact == pytest.approx(expected, rel=1e-12)
        expect(line.locator(f".off-plane-run[data-run='{index}']")).to_be_visible()
    page.click("#toggle-3d")  # the 3-D view of the slice is of the final plane too
    page.wait_for_function(SURFACE_DRAWN, arg=domain[0][0], polling="raf")
    surface = {key: np.array(value) for key, value in page.evaluate(SURFACE).items()}
    np.testing.assert_allclose(surface["x"][[0, -1]], domain[0], rtol=1e-12)
    np.testing.assert_allclose(surface["y"][[0, -1]], domain[1], rtol=1e-12)
    for path, run in zip(surface["paths"], ended["runs"], strict=True):
        np.testing.assert_allclose(path, run["x"][: CURSOR + 1], rtol=1e-12, atol=1e-15)
    page.click("#toggle-3d")  # back: the contour is the final plane's again, paths to the cursor
    page.wait_for_function(CONTOUR_BACK, arg=[domain[0][0], CURSOR + 1], polling="raf")
    # A zoom asks for the loss on the final plane, over the new window.
    window = [[low + (high - low) / 4, high - (high - low) / 4] for low, high in domain]
    page.evaluate(
        """(w) => window.Plotly.relayout(document.querySelector('#contour-plot'),
        { 'xaxis.range': w[0], 'yaxis.range': w[1] })""",
        window,
    )
    expect(page.locator("body")).to_have_attribute("data-grid", "ready")
    zoomed = {key: numbers(value) for key, value in page.evaluate(DRAWN).items() if key != "paths"}
    asked = {"surface": stated, "resolution": len(zoomed["x"]), "domain": window}
    grid = httpx.post(f"{live_server}/api/surfaces/grid", json=asked, timeout=60).json()
    np.testing.assert_allclose(zoomed["x"], grid["x"], rtol=1e-12)
    np.testing.assert_allclose(zoomed["f"], grid["z"], rtol=1e-12)
    box = page.locator("#plane-info").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    page.screenshot(path=screenshots / f"network-plane-{lang}-{width}x{height}.png")
    assert not errors, errors
