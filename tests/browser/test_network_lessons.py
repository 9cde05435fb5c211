"""Every network lesson opens from the gallery and runs on one page with no console error;
in lecture mode Page Up and Page Down walk between them (the keys reach the gallery's
last lessons); at 1366×768 in English and 1920×1080 in Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gradtrail.presets import NETWORK_LESSONS, PRESETS
from tests.browser.test_page import settled, wait_done, watch_errors

SWITCHING = "() => { document.body.dataset.run = 'switching'; }"  # wait_done waits anew


def opened(page: Page, lesson_id: str, lang: str) -> None:
    """Wait for ``lesson_id``'s run, then check it is the one shown: caption, address,
    one summary row per run."""
    wait_done(page)
    lesson = PRESETS[lesson_id]
    expect(page.locator("#caption")).to_contain_text(lesson.title(lang))
    expect(page.locator("#summary tbody tr")).to_have_count(len(lesson.spec["optimizers"]))
    assert f"preset={lesson_id}" in page.url


@pytest.mark.parametrize(("lang", "width", "height"), [("en", 1366, 768), ("ja", 1920, 1080)])
def test_every_network_lesson_opens_from_the_gallery_and_runs(
    page: Page, live_server: str, screenshots: Path, lang: str, width: int, height: int
) -> None:
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/?lang={lang}")
    wait_done(page)
    ids = [lesson.id for lesson in NETWORK_LESSONS]
    assert list(PRESETS)[-len(ids) :] == ids  # the gallery's last lessons, after Adam's
    for lesson_id in ids:
        page.evaluate(SWITCHING)
        page.click("#open-gallery")
        page.click(f"#gallery-cards .card[data-preset='{lesson_id}']")
        opened(page, lesson_id, lang)
        settled(page)
        page.screenshot(path=screenshots / f"lesson-{lesson_id}-{lang}-{width}x{height}.png")
        assert not errors, (lesson_id, errors)

    page.keyboard.press("l")  # lecture mode: Page Up and Page Down step through the lessons
    for key, lesson_id in (("PageUp", ids[-2]), ("PageDown", ids[-1])):
        page.evaluate(SWITCHING)
        page.keyboard.press(key)
        opened(page, lesson_id, lang)
    page.keyboard.press("Escape")
    assert not errors, errors
