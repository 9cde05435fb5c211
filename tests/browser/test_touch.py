"""A phone (390×844, a touch screen): a tap on the contour sets the start point and runs
from it, and every control a finger meets is at least 44 px each way."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.test_page import wait_done, watch_errors

# Every control shown (a check box's label is its target, so the label is measured).
TARGETS = """() => [...document.querySelectorAll(
    'button, .button, select, input:not([type=checkbox]):not([type=radio]):not([type=range]),'
    + ' textarea, label.check, label.field.check, [role=tab]')]
  .filter((n) => n.offsetParent && getComputedStyle(n).visibility !== 'hidden')
  .map((n) => { const r = n.getBoundingClientRect();
    return [n.id || n.textContent.trim().slice(0, 20) || n.tagName, r.width, r.height]; })
  .filter(([, w, h]) => w > 0 && h > 0)"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_tap_on_the_contour_sets_the_start_and_targets_fit_a_finger(
    browser: Browser, live_server: str, screenshots: Path, lang: str
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    try:
        errors = watch_errors(page)
        page.goto(f"{live_server}/?lang={lang}#preset=himmelblau")
        wait_done(page)
        small = [t for t in page.evaluate(TARGETS) if t[2] < 44 or t[1] < 44]
        assert small == [], small
        before = [page.input_value("#start-x"), page.input_value("#start-y")]
        area = page.locator("#contour-plot .nsewdrag").bounding_box()
        assert area is not None
        x = page.evaluate(
            "(px) => document.querySelector('#contour-plot')._fullLayout.xaxis.p2d(px)",
            area["width"] * 0.3,
        )
        y = page.evaluate(
            "(py) => document.querySelector('#contour-plot')._fullLayout.yaxis.p2d(py)",
            area["height"] * 0.3,
        )
        page.evaluate("() => { document.body.dataset.run = 'picking'; }")
        page.touchscreen.tap(area["x"] + area["width"] * 0.3, area["y"] + area["height"] * 0.3)
        wait_done(page)
        start = [float(page.input_value("#start-x")), float(page.input_value("#start-y"))]
        assert [str(v) for v in start] != before
        span = [abs(r[1] - r[0]) for r in page.evaluate(
            "() => { const l = document.querySelector('#contour-plot')._fullLayout;"
            " return [l.xaxis.range, l.yaxis.range]; }"
        )]  # fmt: skip
        # where the finger was, to within a hundredth of the window
        assert abs(start[0] - x) < span[0] / 100 and abs(start[1] - y) < span[1] / 100
        first = page.evaluate(
            "() => { const t = document.querySelector('#contour-plot').data"
            ".find((d) => d.meta && d.meta.run === 0); return [t.x[0], t.y[0]]; }"
        )
        assert first == pytest.approx(start, rel=1e-3, abs=1e-3)
        page.screenshot(path=screenshots / f"touch-start-{lang}-390x844.png", full_page=True)
        assert errors == []
    finally:
        context.close()
