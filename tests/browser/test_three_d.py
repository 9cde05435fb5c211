"""The 3-D view as a newcomer sees it: every path shows, no label is cut, lecture mode's
type stays readable, and switching views and modes logs nothing."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gradtrail.figures import PALETTE
from tests.browser.test_layout import SCREENS
from tests.browser.test_page import painted, wait_done, watch_errors

# Counted in the page (no imaging library needed): per colour, the pixels within
# `tolerance` of it; and the dark (text) pixels on the picture's outer `edge` pixels.
COUNT_PIXELS = """async ([png, colours, tolerance, edge]) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = Object.assign(document.createElement('canvas'),
    { width: image.width, height: image.height });
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const { data, width, height } = context.getImageData(0, 0, image.width, image.height);
  const rgb = colours.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
  const counts = rgb.map(() => 0);
  let darkOnEdge = 0;
  for (let p = 0; p < width * height; p += 1) {
    const [r, g, b] = [data[4 * p], data[4 * p + 1], data[4 * p + 2]];
    rgb.forEach(([cr, cg, cb], k) => {
      if (Math.hypot(r - cr, g - cg, b - cb) < tolerance) counts[k] += 1;
    });
    const x = p % width, y = Math.floor(p / width);
    const onEdge = x < edge || y < edge || x >= width - edge || y >= height - edge;
    if (onEdge && 0.3 * r + 0.59 * g + 0.11 * b < 110) darkOnEdge += 1;
  }
  return { counts, darkOnEdge };
}"""
# Pixels of its own colour each path shows at least; which parts the surface hides is
# checked exactly in tests/engine/test_figures_3d.py.
SHOWN = 100


SCENE_BOX = """() => {
  const node = document.querySelector('#surface-plot'), r = node.getBoundingClientRect();
  const { _size: s, scene } = node._fullLayout;
  const [x0, x1] = scene.domain.x, [y0, y1] = scene.domain.y;
  return { x: r.x + s.l + x0 * s.w, y: r.y + s.t + (1 - y1) * s.h,
           width: (x1 - x0) * s.w, height: (y1 - y0) * s.h };
}"""


def scene_pixels(page: Page, colours: list[str]) -> dict:
    """The 3-D scene's box (inside the margins: no title, no legend), counted."""
    png = page.screenshot(clip=page.evaluate(SCENE_BOX))
    return page.evaluate(COUNT_PIXELS, [base64.b64encode(png).decode(), colours, 40, 2])


@pytest.mark.parametrize(("width", "height"), SCREENS)
@pytest.mark.parametrize("lesson", ["ravine", "himmelblau"])
def test_every_path_shows_on_the_surface_and_no_label_is_cut(
    page: Page, live_server: str, screenshots: Path, lesson: str, width: int, height: int
) -> None:
    """On the ravine only faint traces showed; on Himmelblau momentum hid behind a peak."""
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/?lang=en#preset={lesson}&view=3d")
    wait_done(page)
    painted(page)  # WebGL draws after plotly resolves
    runs = page.evaluate(
        "() => document.querySelector('#surface-plot').data.filter((t) => t.type === 'scatter3d')"
        ".map((t) => t.line.color)"
    )
    assert runs == list(PALETTE[: len(runs)]) and len(runs) >= 3
    found = scene_pixels(page, runs)
    shown = dict(zip(runs, found["counts"], strict=True))
    assert all(count >= SHOWN for count in shown.values()), shown
    assert found["darkOnEdge"] == 0  # no tick label or title runs off the scene's canvas
    page.screenshot(path=screenshots / f"3d-{lesson}-{width}x{height}.png")
    assert not [e for e in errors if "WebGL" not in e]


def test_lecture_mode_keeps_the_3d_axes_readable_and_logs_nothing(
    page: Page, live_server: str, screenshots: Path
) -> None:
    """Lecture type was 24 px on every 3-D tick (huge and overlapping), and switching back
    from 3-D before lecture mode logged an error."""
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#preset=himmelblau")
    wait_done(page)
    scene = "() => document.querySelector('#surface-plot')._fullLayout.scene"
    ticks = f"() => ['xaxis', 'yaxis', 'zaxis'].map((a) => ({scene})()[a].tickfont.size)"
    page.click("#toggle-3d")
    expect(page.locator("#surface-plot")).to_be_visible()
    page.wait_for_function(f"() => ({scene})()")
    own = page.evaluate(ticks)
    page.click("#toggle-3d")  # back to the contour, then lecture mode with 3-D hidden
    page.keyboard.press("l")
    expect(page.locator("body")).to_have_class(re.compile("lecture"))
    page.keyboard.press("Escape")
    page.click("#toggle-3d")
    page.keyboard.press("l")  # lecture mode on the 3-D view
    page.wait_for_function(f"() => ({ticks})()[0] !== {own[0]}")
    large = page.evaluate(ticks)
    assert all(own[0] < size <= 18 for size in large), (own, large)
    painted(page)
    page.screenshot(path=screenshots / "3d-lecture-1920x1080.png")
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => ({ticks})()[0] === {own[0]}")
    assert page.evaluate(ticks) == own  # back to the figure's own type
    assert not [e for e in errors if "WebGL" not in e]
