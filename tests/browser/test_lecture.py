"""Slides and lectures: the embed's options and sizes, the export offline, lecture mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from gradtrail.presets import PRESETS
from tests.app.test_cli import gradtrail
from tests.browser.test_page import address, cut_network, played, wait_done, watch_errors

NO_SCROLLBARS = """() => {
  const root = document.documentElement;
  return root.scrollWidth <= root.clientWidth && root.scrollHeight <= root.clientHeight;
}"""


@pytest.mark.parametrize(("width", "height"), [(640, 360), (1920, 1080)])
def test_embed_fits_its_frame_without_scrollbars(
    browser: Browser, live_server: str, screenshots: Path, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    attempted = cut_network(context)
    context.clock.install()
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{live_server}/embed?preset=himmelblau&speed=4")
    played(page, context)
    assert page.evaluate(NO_SCROLLBARS)
    # Under the caption the contour and the loss plot fill the frame, the contour twice
    # the loss plot's size: under it, or beside it in a short frame.
    box = page.locator("#plot").bounding_box()
    loss = page.locator('[data-view="loss"]').bounding_box()
    parts = [page.locator(s).bounding_box() for s in ("#lesson", "#views", ".player-bar")]
    assert box and loss and all(parts)
    beside = height <= 480
    side = "width" if beside else "height"
    assert box[side] >= 1.9 * loss[side] and box[side] + loss[side] >= parts[1][side] - 2
    assert box["height"] >= 0.6 * height if beside else box["width"] >= width - 2
    assert sum(part["height"] for part in parts) >= height - 4
    page.screenshot(path=screenshots / f"embed-{width}x{height}.png")
    assert not attempted and not errors
    context.close()


def test_embed_options_dark_no_controls_no_autoplay(
    browser: Browser, live_server: str, screenshots: Path
) -> None:
    context = browser.new_context(viewport={"width": 960, "height": 540})
    page = context.new_page()
    page.goto(f"{live_server}/embed?preset=ravine&theme=dark&controls=0&autoplay=0")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    assert page.evaluate("() => document.body.classList.contains('dark')")
    expect(page.locator(".player-bar")).to_be_hidden()
    # Not playing: the whole path is shown at once and stays so (the button offers play).
    assert page.text_content("#play") == "▶"
    lengths = page.evaluate(
        "() => document.querySelector('#plot').data.filter((t) => t.meta).map((t) => t.x.length)"
    )
    assert lengths == [121, 121, 120]
    assert page.evaluate("() => document.body.dataset.played") is None
    background = page.evaluate("() => document.querySelector('#plot')._fullLayout.paper_bgcolor")
    assert background == "#0f1419"
    page.screenshot(path=screenshots / "embed-dark-960x540.png")
    context.close()


def test_reduced_motion_shows_the_whole_path_without_playing(
    browser: Browser, live_server: str
) -> None:
    """A system set to reduce motion gets the embed still, the whole path at once; the
    play button and ?autoplay=1 still play it."""
    context = browser.new_context(viewport={"width": 960, "height": 540}, reduced_motion="reduce")
    context.clock.install()
    page = context.new_page()
    page.goto(f"{live_server}/embed?preset=ravine")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    assert page.text_content("#play") == "▶"
    lengths = page.evaluate(
        "() => document.querySelector('#plot').data.filter((t) => t.meta).map((t) => t.x.length)"
    )
    assert lengths == [121, 121, 120]
    assert page.evaluate("() => document.body.dataset.played") is None
    page.goto(f"{live_server}/embed?preset=ravine&autoplay=1")
    played(page, context)
    context.close()


def only_files(url: str) -> bool:
    """What an exported file may load: files, and no server, not even this machine's."""
    return url.startswith("file:")


def test_cli_export_plays_offline_to_the_end(browser: Browser, tmp_path: Path) -> None:
    out = tmp_path / "saddle.html"
    assert gradtrail("export", "--preset", "saddle", "-o", str(out)).returncode == 0
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    attempted = cut_network(context, only_files)
    context.clock.install()
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(out.as_uri())
    played(page, context)
    lengths = page.evaluate(
        "() => document.querySelector('#plot').data.filter((t) => t.meta).map((t) => t.x.length)"
    )
    assert len(lengths) == 3 and min(lengths) > 100
    assert page.input_value("#scrubber") == page.get_attribute("#scrubber", "max")
    assert not attempted and not errors
    context.close()


def test_lecture_mode(page: Page, live_server: str, screenshots: Path) -> None:
    page.goto(f"{live_server}/?preset=ravine&lecture=1")
    wait_done(page)
    for hidden in (".controls", ".topbar", ".playback", "#summary"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#caption")).to_contain_text("A narrow ravine")
    widths = page.evaluate(
        "() => document.querySelector('#contour-plot').data"
        ".filter((t) => t.meta).map((t) => t.line.width)"
    )
    assert widths == [5.4, 5.4, 5.4]
    assert (
        page.evaluate("() => document.querySelector('#contour-plot')._fullLayout.font.size") == 24
    )
    page.screenshot(path=screenshots / "lecture-1920x1080.png")
    lessons = [lesson.id for lesson in PRESETS.values()]  # the gallery's order, numbered from 1
    first_card = page.text_content("#gallery-cards .card strong")
    assert first_card == f"1. {PRESETS[lessons[0]].title()}"
    page.evaluate("() => { document.body.dataset.run = 'switching'; }")
    page.keyboard.press("3")  # the third lesson
    wait_done(page)
    expect(page.locator("#caption")).to_contain_text(PRESETS[lessons[2]].title())
    assert f"preset={lessons[2]}" in address(page) and "lecture=1" in address(page)
    page.evaluate("() => { document.body.dataset.run = 'switching'; }")
    page.keyboard.press("PageDown")  # past 9 too: the next lesson, as a clicker sends it
    wait_done(page)
    assert f"preset={lessons[3]}" in address(page)
    page.keyboard.press("Escape")
    expect(page.locator(".controls")).to_be_visible()
    assert "lecture=1" not in address(page)


# A lesson of each panel: the data view, the backward pass, the moving averages.
LESSON_PANELS = {"perceptron": "data", "chain-tanh": "backprop", "beta": "averages"}
PANEL_TITLE = (
    "(name) => document.querySelector(`[data-view=${name}] .player-box-plot`).layout.title.text"
)
CURSOR_LINES = """(name) => document.querySelector(`[data-view=${name}] .player-box-plot`)
  .layout.shapes.map((shape) => shape.x0)"""
CONTOUR_LENGTHS = (
    "() => document.querySelector('#plot').data.filter((t) => t.meta).map((t) => t.x.length)"
)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_lesson_exports_show_their_panels_offline(
    browser: Browser, tmp_path: Path, screenshots: Path, lang: str
) -> None:
    """Each lesson's export, opened from a file with the network cut, shows its caption
    and the panel it opens beside the contour and the loss plot; it plays to the end,
    and the panel follows the scrubber; nothing is asked of another host."""
    from gradtrail.app.player import player_page

    # the chain on a projector in English and on a phone in Japanese, the others at 1366x768
    chain_size = {"en": (1920, 1080), "ja": (390, 844)}[lang]
    for preset, panel in LESSON_PANELS.items():
        lesson = PRESETS[preset]
        html = player_page(lesson.run_spec(lang), preset, lang, True, panels=lesson.panels)
        assert len(html.encode()) <= 2.5 * 2**20, (preset, len(html.encode()))
        exported = tmp_path / f"{preset}-{lang}.html"
        exported.write_text(html, encoding="utf-8")
        width, height = chain_size if preset == "chain-tanh" else (1366, 768)
        context = browser.new_context(viewport={"width": width, "height": height})
        attempted = cut_network(context, only_files)
        context.clock.install()
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(exported.as_uri())
        expect(page.locator("#lesson-caption")).to_have_text(lesson.caption(lang))
        expect(page.locator("#lesson-title")).to_have_text(lesson.title(lang))
        played(page, context)
        shown = page.locator(f"[data-view={panel}]")
        expect(shown).to_be_visible()
        expect(page.locator("[data-view=loss]")).to_be_visible()
        box = shown.bounding_box()
        assert box and box["width"] >= 150 and box["height"] >= 150
        last = int(page.get_attribute("#scrubber", "max") or 0)
        assert page.input_value("#scrubber") == str(last)
        at_end = page.evaluate(PANEL_TITLE, panel)
        page.locator("#scrubber").fill("0")
        page.wait_for_function(f"() => {CONTOUR_LENGTHS}().every((n) => n === 1)")
        if panel == "averages":
            assert page.evaluate(CURSOR_LINES, panel)[-1] == 0
        else:  # its frame at the start, not the end's
            assert page.evaluate(PANEL_TITLE, panel) != at_end
        page.locator("#scrubber").fill(str(last // 3))
        page.wait_for_function(f"() => {CONTOUR_LENGTHS}().some((n) => n === {last // 3 + 1})")
        assert page.evaluate("() => document.querySelector('[data-view=loss] .player-box-plot')"
                             ".layout.shapes.map((s) => s.x0)") == [last // 3]  # fmt: skip
        page.screenshot(path=screenshots / f"export-{preset}-{lang}-{width}x{height}.png")
        assert not attempted and not errors, (attempted, errors)
        context.close()


def test_an_embed_reads_its_panels_from_the_fragment(
    browser: Browser, live_server: str, screenshots: Path
) -> None:
    """``#preset=…&panels=…`` (what the page's Embed writes): the embed asks for those
    panels instead of the lesson's."""
    context = browser.new_context(viewport={"width": 960, "height": 540})
    attempted = cut_network(context)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{live_server}/embed?lang=ja#preset=perceptron&panels=backprop&autoplay=0")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(page.locator("[data-view=backprop]")).to_be_visible()
    assert page.locator("[data-view=data]").count() == 0
    expect(page.locator("#lesson-caption")).to_have_text(PRESETS["perceptron"].caption("ja"))
    page.screenshot(path=screenshots / "embed-panels-ja-960x540.png")
    assert not attempted and not errors
    context.close()
