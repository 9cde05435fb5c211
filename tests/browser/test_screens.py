"""Every screen the page is shown on: projectors, laptops, a tablet, a phone, in English and
Japanese, with every lesson that opens a panel. One page per language: each lesson is
picked in the page (the gallery), then the window takes each size in turn, so a size is
also a test of the plots following their boxes."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.test_page import wait_done, watch_errors

SCREENS = [
    (1280, 720),
    (1366, 768),
    (1440, 900),
    (1536, 864),
    (1920, 1080),
    (1024, 768),
    (768, 1024),
    (390, 844),
]

PHOTOGRAPHED = {(1366, 768), (390, 844), (1920, 1080)}  # looked at by a person

# The page has drawn what it shows at this size: the run is done, no open panel is still
# asking, and every plot on screen has been resized to its box.
SETTLED_BOXES = """() => {
  if (document.body.dataset.run !== 'done' || 'resizing' in document.body.dataset) return false;
  if (document.querySelector('.backprop:not([hidden])[aria-busy]')) return false;
  return [...document.querySelectorAll('.js-plotly-plot')].every((node) => {
    if (!node.offsetParent || !node._fullLayout) return true;
    return Math.abs(node._fullLayout.width - node.clientWidth) <= 1
      && Math.abs(node._fullLayout.height - node.clientHeight) <= 1;
  });
}"""

# What a person would see wrong on this screen, as a list of sentences.
PROBLEMS = (Path(__file__).parent / "screens.js").read_text(encoding="utf-8")

PANEL_LESSONS = """() => JSON.parse(document.querySelector('#catalog').textContent).presets
  .filter((p) => p.panels.length).map((p) => p.id)"""


def pick_lesson(page: Page, lesson: str) -> None:
    """Pick ``lesson`` from the gallery, in the page, and wait for its run and panels."""
    page.evaluate("() => { document.body.dataset.run = 'picking'; }")
    page.click("#open-gallery")
    page.click(f"#gallery-cards .card[data-preset='{lesson}']")
    wait_done(page)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_screen_shows_every_panel_lesson_readably(
    page: Page, live_server: str, screenshots: Path, lang: str
) -> None:
    errors = watch_errors(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/?lang={lang}")
    wait_done(page)
    lessons = page.evaluate(PANEL_LESSONS)
    assert len(lessons) >= 5, lessons
    found: list[str] = []
    for lesson in lessons:
        pick_lesson(page, lesson)
        for width, height in SCREENS:
            page.set_viewport_size({"width": width, "height": height})
            try:  # polled every 100 ms: each frame's poll slowed the plots' own redraws
                page.wait_for_function(SETTLED_BOXES, polling=100)
            except Exception:  # reported with the rest below
                found.append(f"{lang} {lesson} {width}x{height}: a plot did not follow its box")
            # One round trip measures every text and plot of the screen, and scrolls back.
            found += [f"{lang} {lesson} {width}x{height}: {p}" for p in page.evaluate(PROBLEMS)]
            if (width, height) in PHOTOGRAPHED:
                shot = screenshots / f"screen-{lesson}-{lang}-{width}x{height}.png"
                page.screenshot(path=shot, full_page=width < 900)
    (screenshots / f"screens-problems-{lang}.txt").write_text("\n".join(found), encoding="utf-8")
    assert not errors, errors
    assert not found, "\n".join(found[:60]) + f"\n… {len(found)} in all"
