"""The chain network on the page: picked from the surface menu, its activation menu
switched and back, one of its lessons opened; one page, no console error."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from gradtrail.presets import PRESETS
from gradtrail.texts import text
from tests.browser.test_page import mark_stale, settled, url_spec, wait_done, watch_errors

# The titles as read (a long one is wrapped onto lines with <br> to fit a narrow plot).
AXIS_TITLES = """() => ['xaxis', 'yaxis'].map((axis) =>
  document.querySelector('#contour-plot').layout[axis].title.text.replaceAll('<br>', ' '))"""
LESSON = "chain-relu"  # a lesson about the signals: it opens the Backprop panel


def test_the_chain_is_picked_its_activation_switched_and_a_lesson_runs(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en")
    wait_done(page)
    mark_stale(page)
    page.select_option("#surface-select", "chain")
    activation = page.locator("[name='surface-menu-activation']")
    expect(activation).to_have_value("tanh")
    settled(page)
    wait_done(page)
    assert url_spec(page)["surface"]["id"] == "chain"
    titles = [text("figure.chain_w1"), text("figure.chain_w2")]
    assert page.evaluate(AXIS_TITLES) == titles

    for choice in ("relu", "tanh"):
        mark_stale(page)
        activation.select_option(choice)
        settled(page)
        wait_done(page)
        assert url_spec(page)["surface"].get("activation", "tanh") == choice
        expect(page.locator("#summary tbody tr")).to_have_count(len(url_spec(page)["optimizers"]))

    mark_stale(page)
    page.click("#open-gallery")
    page.click(f"#gallery-cards .card[data-preset='{LESSON}']")
    wait_done(page)
    lesson = PRESETS[LESSON]
    expect(page.locator("#caption")).to_contain_text(lesson.title())
    expect(page.locator("#summary tbody tr")).to_have_count(len(lesson.spec["optimizers"]))
    expect(page.locator("#backprop")).to_be_visible()
    expect(activation).to_have_value("relu")
    assert f"preset={LESSON}" in page.url
    assert page.evaluate(AXIS_TITLES) == titles
    # both runs stop at their start: the step anatomy says so, not that the run was long
    expect(page.locator("#anatomy .equations")).to_have_text(text("anatomy_stopped_at_start"))
    settled(page)
    page.screenshot(path=screenshots / f"chain-{LESSON}-1920x1080.png")
    assert not errors, errors
