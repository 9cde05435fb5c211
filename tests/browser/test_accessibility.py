"""For every person: axe-core finds no WCAG 2.1 A or AA violation on the app (in English and
Japanese, its panels open) and the embed; the start point is set and the runs started
with the keyboard alone; each run's end is announced to screen readers."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_page import wait_done, watch_errors
from tests.browser.vendor.fetch import HERE as VENDOR
from tests.browser.vendor.fetch import verified

AXE = VENDOR / "axe.min.js"  # from the npm registry, version and digest pinned (fetch.py)
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIOLATIONS = f"""async () => (await axe.run(document, {{
  runOnly: {{ type: 'tag', values: {WCAG_A_AA} }}, resultTypes: ['violations'],
}})).violations.map((v) => `${{v.id}} (${{v.impact}}): ${{v.nodes.length}} × `
  + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '))"""


AXE_PATH = "/__tests__/axe.min.js"  # where the tests serve it, on the page's own origin


def violations(page: Page, base: str) -> list[str]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it stands. axe is
    served from the test folder at the page's origin, which its Content-Security-Policy
    allows (an inline script it rightly refuses)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.route(f"{base}{AXE_PATH}", lambda route: route.fulfill(path=AXE))
        page.add_script_tag(url=f"{base}{AXE_PATH}")
    return page.evaluate(VIOLATIONS)


def test_axe_core_finds_no_wcag_violation(page: Page, live_server: str) -> None:
    assert verified() == [], "tests/browser/vendor differs from its SHA256SUMS"
    found: list[str] = []
    for lang in ("en", "ja"):
        # every panel open: the backward pass, the data and the averages of a data lesson
        page.goto(f"{live_server}/?lang={lang}#preset=bias-input-one&averages=1")
        wait_done(page)
        expect(page.locator("#backprop")).not_to_have_attribute("aria-busy", "true")
        found += [f"/?lang={lang}: {v}" for v in violations(page, live_server)]
    # the embed of a lesson with two panels beside the contour and the loss plot
    page.goto(f"{live_server}/embed?preset=bias-input-one&autoplay=0&lang=ja")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    found += [f"/embed: {v}" for v in violations(page, live_server)]
    assert found == []


def test_the_keyboard_alone_sets_the_start_and_runs(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#preset=rosenbrock")
    wait_done(page)
    first = page.evaluate("() => [document.querySelector('#start-x').value]")
    plot = page.locator("#contour-plot")
    page.keyboard.press("Tab")
    # Tab through the page to the contour, as a keyboard user would (past each
    # hyperparameter's field and its ⓘ help button, in the settings before it)
    for _ in range(120):
        if page.evaluate("() => document.activeElement?.id") == "contour-plot":
            break
        page.keyboard.press("Tab")
    expect(plot).to_be_focused()
    expect(plot).to_have_attribute("aria-label", re.compile("Arrow keys"))
    crossed = plot.get_attribute("data-cross")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("ArrowUp")
    expect(plot).not_to_have_attribute("data-cross", crossed or "")
    expect(page.locator("#cross-position")).to_contain_text("Cross at")
    x, y = (float(v) for v in plot.get_attribute("data-cross").split(","))
    page.evaluate("() => { document.body.dataset.run = 'picking'; }")
    page.keyboard.press("Enter")
    wait_done(page)
    assert [float(page.input_value("#start-x")), float(page.input_value("#start-y"))] == [
        x,
        y,
    ] or abs(float(page.input_value("#start-x")) - x) < 1e-3 * max(1, abs(x))
    assert page.evaluate("() => [document.querySelector('#start-x').value]") != first
    first_point = page.evaluate(
        "() => { const t = document.querySelector('#contour-plot').data"
        ".find((d) => d.meta && d.meta.run === 0); return [t.x[0], t.y[0]]; }"
    )
    assert abs(first_point[0] - x) < 1e-3 * max(1, abs(x))
    assert abs(first_point[1] - y) < 1e-3 * max(1, abs(y))
    # the run's end, announced: optimizer, status, steps, final loss
    expect(page.locator("#announcement")).to_contain_text(re.compile(r"after \d+ steps"))
    page.screenshot(path=screenshots / "keyboard-start-en-1920x1080.png")
    assert errors == []
