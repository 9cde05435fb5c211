"""Every page and panel in Japanese and in English, read as a person sees it: with
?lang=ja no English word is left outside names, symbols and units, with ?lang=en no
Japanese; screenshots in Japanese for a person to look at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from gradtrail.optimizers import OPTIMIZERS
from gradtrail.presets import PRESETS
from gradtrail.surfaces import BUILTIN_SURFACES
from gradtrail.texts import messages
from tests.browser.test_page import download, played, wait_done, watch_errors
from tests.browser.test_state import an_edit_changes_only_its_field
from tests.browser.test_sweep import wait_sweep

# The visible text: every text node whose element is shown (an unopened menu shows its
# choice only), Plotly's SVG text included; under `root` (a selector) when given. Read
# node by node: typeset maths sets x and cos in nodes of their own (x cos θ, not "xcos").
VISIBLE_TEXT = """(root) => {
  const texts = [];
  const top = document.querySelector(root ?? "body");
  const walker = document.createTreeWalker(top, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || !element || element.closest("script, style, textarea")) continue;
    if (element.closest("option") && !element.closest("option").selected) continue;
    if (!element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    texts.push(text);
  }
  return texts;
}"""
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Kept as they are in Japanese: torch's names (optimizers, hyperparameters, schedulers),
# people's names of test functions, file formats, maths, and the product's name.
NAMES = {
    "AdaGrad", "Adadelta", "RMSProp", "Adam", "AdamW", "NAdam", "Adamax", "RAdam", "Rprop",
    "SGD", "ASGD", "AMSGrad", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
    "Rosenbrock", "Beale", "Himmelblau", "Rastrigin",
    "CSV", "JSON", "PNG", "SVG", "HTML",
    "gradtrail", "grad", "trail", "English", "log", "exp", "sin", "cos", "min", "max",
    "tanh", "ReLU",  # activation functions, written so in Japanese course material too
    "PyTorch",
    "XOR",  # the data set, named so in Japanese course material (XOR ゲート)
    "Li",  # Li et al. 2018, whose random plane the slice lesson draws on
}  # fmt: skip
ALLOWED = (
    NAMES
    | {hp.name for o in OPTIMIZERS.values() for hp in o.params}
    | {p.name for kind in BUILTIN_SURFACES.values() for p in kind.params}
    | set(OPTIMIZERS)
)


def english_words(texts: list[str]) -> list[str]:
    return sorted({w for text in texts for w in WORD.findall(text) if w not in ALLOWED})


def japanese_texts(texts: list[str]) -> list[str]:
    return sorted({text for text in texts if JAPANESE.search(text) and text != "日本語"})


def read(page: Page) -> list[str]:
    return page.evaluate(VISIBLE_TEXT)


def views(
    page: Page,
    live_server: str,
    lang: str,
    shots: Path | None,
    each_lesson: Callable[[str], None] | None = None,
) -> dict[str, list[str]]:
    """Open every page and panel in ``lang``; the visible text of each, by name. Each
    lesson is opened from its link in Japanese, from the gallery in English (one page
    then walks them all, as a person does; both ways are so checked on every lesson);
    ``each_lesson(id)`` then checks more on it."""
    seen: dict[str, list[str]] = {}

    def open_page(path: str) -> None:
        # The state in the query: a load of its own, where a new fragment alone is not.
        page.goto(f"{live_server}{path}")
        wait_done(page)

    def shot(name: str) -> None:
        if shots is not None:
            page.screenshot(path=shots / f"{name}-{lang}-1920x1080.png")

    page.goto(f"{live_server}/?lang={lang}")
    wait_done(page)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    seen["main"] = read(page)
    shot("main")
    page.click("#open-gallery")
    seen["lessons gallery"] = read(page)
    page.keyboard.press("Escape")
    for preset in PRESETS:
        if lang == "ja":
            open_page(f"/?lang={lang}&preset={preset}")
        else:
            page.evaluate("() => { document.body.dataset.run = 'opening'; }")
            page.click("#open-gallery")
            page.click(f"#gallery-cards .card[data-preset='{preset}']")
            wait_done(page)
        expect(page.locator("#caption")).to_contain_text(messages(lang)[f"lesson.{preset}.title"])
        seen[f"lesson {preset}"] = read(page)
        if preset == "adam-bias":
            shot("lesson-caption")  # its caption and the step anatomy of Adam
            seen["step anatomy"] = page.evaluate(VISIBLE_TEXT, "#anatomy")
            page.locator("#anatomy").screenshot(
                path=shots / f"anatomy-{lang}.png"
            ) if shots else None
        if each_lesson is not None:
            each_lesson(preset)
    page.click("#toggle-3d")
    expect(page.locator("#surface-plot .main-svg").first).to_be_visible()
    seen["3-D"] = read(page)
    page.click("#toggle-3d")
    open_page(f"/?lang={lang}&preset=ravine")
    page.keyboard.press("l")
    expect(page.locator("body")).to_have_class(re.compile("lecture"))
    seen["lecture"] = read(page)
    shot("lecture")
    page.keyboard.press("Escape")
    # A bad learning rate: the message next to its field.
    field = page.locator("#optimizer-list [data-param='lr']").first
    field.fill("-1")
    field.dispatch_event("change")
    expect(page.locator(".field-error").first).to_be_visible()
    seen["error"] = [page.inner_text(".field-error")]
    open_page(f"/?lang={lang}&preset=ravine")
    page.click("#toggle-sweep")
    page.select_option("#sweep-preset", "ravine-lr-momentum")
    wait_sweep(page)
    seen["sweep"] = read(page)
    shot("sweep")
    with player_page(page) as (player, errors):
        player.goto(f"{live_server}/embed?lang={lang}&preset=ravine")
        played(player, player.context)
        seen["embed"] = read(player)
        assert errors == []
    return seen


@contextmanager
def player_page(page: Page) -> Iterator[tuple[Page, list[str]]]:
    """A page beside ``page`` (its size) for a player, in a context of its own with the
    clock installed (see :func:`played`), and the errors it logs."""
    context = page.context.browser.new_context(viewport=page.viewport_size)
    context.clock.install()
    try:
        player = context.new_page()
        yield player, watch_errors(player)
    finally:
        context.close()


def test_every_view_in_japanese_has_no_english_word(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    seen = views(page, live_server, "ja", screenshots)
    leftover = {name: english_words(texts) for name, texts in seen.items()}
    assert {name: words for name, words in leftover.items() if words} == {}
    assert all(any(JAPANESE.search(text) for text in texts) for texts in seen.values()), seen
    assert messages("ja")["lesson.ravine.title"] in " ".join(seen["lecture"])
    assert seen["error"] == [
        messages("ja")["error.param_range"].format(name="lr", min="0", max="∞")
    ]
    assert [e for e in errors if "422" not in e] == []  # the bad lr is a 422, on purpose


def test_every_view_in_english_has_no_japanese_and_every_lesson_takes_an_edit(
    page: Page, live_server: str
) -> None:
    """The English walk over the lessons also checks, on each, what
    :func:`an_edit_changes_only_its_field` says (its edits applied at once on the tests'
    clock)."""
    errors = watch_errors(page)
    seen = views(page, live_server, "en", None, lambda lesson: an_edit_changes_only_its_field(
        page, lesson, errors
    ))  # fmt: skip
    assert {name: japanese_texts(t) for name, t in seen.items() if japanese_texts(t)} == {}
    assert seen["error"] == ["lr must be ≥ 0, got -1"]
    assert [e for e in errors if "422" not in e] == []  # the bad lr is a 422, on purpose


def test_the_export_plays_in_japanese(page: Page, live_server: str, tmp_path: Path) -> None:
    page.goto(f"{live_server}/?lang=ja#preset=minibatch")
    wait_done(page)
    exported = download(page, "#export", tmp_path / "export.html")
    with player_page(page) as (player, errors):
        player.goto(exported.as_uri())
        played(player, player.context)
        texts = read(player)
        assert english_words(texts) == [] and "ミニバッチのノイズ" in " ".join(texts)
        expect(player.locator("html")).to_have_attribute("lang", "ja")
        assert errors == []


def test_the_language_menu_switches_and_keeps_the_view(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/#preset=ravine")
    wait_done(page)
    page.select_option("#language", "ja")
    wait_done(page)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#caption")).to_contain_text("細い谷")
    assert page.evaluate("() => location.href").endswith("?lang=ja#preset=ravine")


def test_a_japanese_browser_gets_japanese(browser: Browser, live_server: str) -> None:
    """A browser set to Japanese (its Accept-Language and navigator.language, which a
    context's locale sets) gets the page in Japanese: a context of the session's browser,
    not a second Chromium."""
    japanese = browser.new_context(locale="ja-JP")
    try:
        page = japanese.new_page()
        page.goto(live_server)
        wait_done(page)
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.locator("#run-sweep")).to_have_text(messages("ja")["run_sweep"])
    finally:
        japanese.close()


def test_a_cjk_font_is_installed_for_the_screenshots() -> None:
    """Japanese glyphs in screenshots need a CJK font (Debian's fonts-noto-cjk)."""
    listing = shutil.which("fc-list")
    found = (
        listing
        and subprocess.run(
            [listing, ":lang=ja"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    if not found and os.environ.get("CI") != "true":
        pytest.skip("needs a CJK font: sudo apt-get install -y fonts-noto-cjk")
    assert found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_hyperparameters_read_in_the_learners_words_with_help_by_keyboard(
    page: Page, live_server: str, screenshots: Path, lang: str
) -> None:
    """The card reads 学習率 lr / learning rate lr; the ⓘ beside it is a button that Tab
    reaches and Enter opens, showing the catalogue's help under the field (not hover)."""
    catalogue = messages(lang)
    errors = watch_errors(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/?lang={lang}&preset=ravine")
    wait_done(page)
    card = page.locator("#optimizer-list > li").nth(1)  # momentum
    lr = card.locator("[data-param-field=lr]")
    expect(lr.locator(".param-name")).to_have_text(f"{catalogue['hpname.lr']} lr")
    expect(card.locator("[data-param-field=momentum] .param-name")).to_have_text(
        f"{catalogue['hpname.momentum']} momentum"
    )
    expect(card.locator(".param-heading")).to_have_text(catalogue["hyperparameters"])
    assert lr.locator("label").get_attribute("title") is None  # not on hover alone
    help_text = lr.locator(".param-help")
    expect(help_text).to_be_hidden()
    lr.locator("[data-param=lr]").focus()
    page.keyboard.press("Tab")  # from the input to its ⓘ
    toggle = lr.locator(".help-toggle")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(help_text).to_be_visible()
    expect(help_text).to_have_text(catalogue["hp.lr"])
    expect(toggle).to_have_attribute("aria-expanded", "true")
    described = lr.locator("[data-param=lr]").get_attribute("aria-describedby")
    assert described == help_text.get_attribute("id")
    card.screenshot(path=screenshots / f"hyperparameters-{lang}-1366x768.png")
    page.set_viewport_size({"width": 390, "height": 844})
    card.scroll_into_view_if_needed()
    toggle.click()  # a touch on the button closes it again
    expect(help_text).to_be_hidden()
    card.screenshot(path=screenshots / f"hyperparameters-{lang}-390x844.png")
    assert errors == []
