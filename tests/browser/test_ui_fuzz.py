"""The page under random use: seeded sequences of what a person can do, checked after each.

After every action: no console error and no uncaught exception; once the page has
settled, what it draws belongs to the spec in its address (the summary has a row
per optimizer, the contour's title names the surface, no path is longer than the
steps). A failure prints the seed and the actions so far, so it replays:

    GRADTRAIL_FUZZ_SEQUENCES=300 pytest tests/browser/test_ui_fuzz.py   # more sequences
    GRADTRAIL_FUZZ_SEED=17 pytest tests/browser/test_ui_fuzz.py         # one sequence
    GRADTRAIL_FUZZ_SEQUENCES=150 GRADTRAIL_FUZZ_FIRST=150 pytest ...    # seeds 150-299
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.test_page import settled, spec_in, watch_errors

# Each action waits only for what it started (no fixed pause): the suite plays 5 new
# sequences and the ones that once failed, 10 x 40 actions in a few minutes.
SEQUENCES = int(os.environ.get("GRADTRAIL_FUZZ_SEQUENCES", "5"))
ONE_SEED = os.environ.get("GRADTRAIL_FUZZ_SEED")
FIRST_SEED = int(os.environ.get("GRADTRAIL_FUZZ_FIRST", "0"))
# Seeds that once failed, replayed in every run: 85, 145, 196 and 296 typed a start of 1e300
# (drawn at translate(9.8e+301, …)); 203 left cursor lines on another figure's axes.
FOUND = [85, 145, 196, 203, 296]
if ONE_SEED:
    SEEDS = [int(ONE_SEED)]
else:
    SEEDS = sorted({*range(FIRST_SEED, FIRST_SEED + SEQUENCES), *FOUND})
ACTIONS_PER_SEQUENCE = 40
LR_VALUES = ["0.01", "0.001", "0.2", "-1", "", "1e9"]
FORMULAS = ["x^2 + 3*y^2", "sin(x)*cos(y)", "x +* y", "log(x) + y^2", "(1-x)^2+100*(y-x^2)^2"]

Action = Callable[[Page, random.Random], str]
# Invalid input is answered with a 422 the page shows by its field; Chromium logs the
# response too. That line is the only console error expected.
EXPECTED_422 = "status of 422 (Unprocessable Entity)"


def choose_surface(page: Page, rng: random.Random) -> str:
    surface = rng.choice(
        page.eval_on_selector_all("#surface-select option", "os => os.map((o) => o.value)")
    )
    page.select_option("#surface-select", surface)
    return f"surface {surface}"


def choose_lesson(page: Page, rng: random.Random) -> str:
    page.click("#open-gallery")
    cards = page.locator("#gallery-cards .card")
    index = rng.randrange(cards.count())
    cards.nth(index).click()
    return f"lesson {index}"


def edit_lr(page: Page, rng: random.Random) -> str:
    fields = page.locator("#optimizer-list [data-param=lr]")
    index, value = rng.randrange(fields.count()), rng.choice(LR_VALUES)
    fields.nth(index).fill(value)
    return f"lr[{index}] = {value!r}"


def edit_steps(page: Page, rng: random.Random) -> str:
    value = rng.choice(["50", "300", "0", "999999", "120"])
    page.fill("#steps", value)
    return f"steps = {value}"


def edit_start(page: Page, rng: random.Random) -> str:
    value = rng.choice(["0.5", "-1.5", "1e300", "", "2"])
    if not page.is_visible("#start-x"):
        return "start x: none to type (a network starts from its vector)"
    page.fill("#start-x", value)
    return f"start x = {value!r}"


def change_list(page: Page, rng: random.Random) -> str:
    kind = rng.choice(["duplicate", "remove", "add"])
    entries = page.locator("#optimizer-list li")
    if kind == "add" or entries.count() == 1:
        if page.locator("#add-optimizer").is_disabled():
            return "add (disabled)"
        page.click("#add-optimizer")
        return "add optimizer"
    index = rng.randrange(entries.count())
    entries.nth(index).locator(f"button[data-action={kind}]").click()
    return f"{kind} optimizer {index}"


def change_optimizer(page: Page, rng: random.Random) -> str:
    selects = page.locator('#optimizer-list [data-role="optimizer"]')
    index = rng.randrange(selects.count())
    options = selects.nth(index).locator("option").all_inner_texts()
    value = selects.nth(index).locator("option").nth(rng.randrange(len(options)))
    chosen = value.get_attribute("value") or ""
    selects.nth(index).select_option(chosen)
    return f"optimizer {index} = {chosen}"


def click_contour(page: Page, rng: random.Random) -> str:
    if page.locator("#contour-plot").is_hidden():
        return "contour hidden"
    box = page.locator("#contour-plot .nsewdrag").first.bounding_box()
    if box is None:
        return "contour not drawn"
    x, y = (
        box["x"] + box["width"] * rng.uniform(0.1, 0.9),
        box["y"] + box["height"] * rng.uniform(0.1, 0.9),
    )
    page.mouse.click(x, y)
    return "click contour"


def toggle(selector: str) -> Action:
    def act(page: Page, rng: random.Random) -> str:
        page.click(selector)
        return f"toggle {selector}"

    return act


def lecture(page: Page, rng: random.Random) -> str:
    page.keyboard.press("Escape" if rng.random() < 0.5 else "l")
    return "lecture key"


def playback(page: Page, rng: random.Random) -> str:
    if page.locator("#play").is_hidden():
        return "no playback"
    kind = rng.choice(["play", "right", "left", "scrub"])
    if kind == "play":
        page.click("#play")
    elif kind == "scrub":
        page.evaluate(
            "(f) => { const s = document.querySelector('#scrubber');"
            " s.value = String(Math.round(Number(s.max) * f));"
            " s.dispatchEvent(new Event('input', { bubbles: true })); }",
            rng.random(),
        )
    else:
        page.locator("body").press("ArrowRight" if kind == "right" else "ArrowLeft")
    return f"playback {kind}"


def data_mode(page: Page, rng: random.Random) -> str:
    if page.locator("#data-mode").is_hidden():
        return "no data mode"
    mode = rng.choice(["data", "generate"])
    page.select_option("#data-mode", mode)
    if mode == "data":
        pasted = ["1,3\n2,5\n3,7", "", "x,t\n0,1\n1,2\n2,2.5", "1,a", "x,t\n-1,0\n1,1\n2,1"]
        page.fill("#csv-input", rng.choice(pasted))
    return f"data mode {mode}"


def neuron_loss(page: Page, rng: random.Random) -> str:
    menu = page.locator("[name=surface-menu-loss]")
    if menu.count() == 0:
        return "no loss to choose"
    loss = rng.choice(["cross_entropy", "mse"])
    menu.select_option(loss)
    return f"loss {loss}"


def type_formula(page: Page, rng: random.Random) -> str:
    if page.locator("#formula-input").is_hidden():
        page.select_option("#surface-select", "custom")
        settled(page)
    formula = rng.choice(FORMULAS)
    page.fill("#formula-input", formula)
    return f"formula {formula!r}"


ACTIONS: list[Action] = [
    choose_surface, choose_lesson, edit_lr, edit_lr, edit_steps, edit_start, change_list,
    change_optimizer, click_contour, toggle("#toggle-3d"), toggle("#toggle-sweep"), lecture,
    toggle("#toggle-backprop"),
    playback, playback, data_mode, neuron_loss, type_formula,
]  # fmt: skip


# What the settled page draws, read in one round trip (a question each, with the whole
# catalogue carried back after every action, took a tenth of the fuzz's time; parsing the
# catalogue after each action, 45 ms: it is read once per document): null while no
# finished run shows on the contour.
DRAWING = """() => {
  const contour = document.querySelector('#contour-plot');
  if (document.body.dataset.run !== 'done' || contour.hidden) return null;
  const catalog = (window.__fuzzCatalog ??= JSON.parse(
    document.querySelector('#catalog').textContent));
  return {
    href: location.href,
    rows: document.querySelectorAll('#summary tbody tr').length,
    title: (contour._fullLayout?.title?.text ?? '').replaceAll('<br>', ' '),  // wrapped to fit
    names: Object.fromEntries(catalog.surfaces.map((s) => [s.id, s.name])),
    defaultSteps: catalog.defaults.steps,
    longest: Math.max(...contour.data
      .filter((t) => t.meta && Number.isInteger(t.meta.run)).map((t) => t.x.length)),
  };
}"""


def check_drawing(page: Page) -> None:
    """What the settled page shows belongs to the spec in its address."""
    drawn = page.evaluate(DRAWING)
    if drawn is None or "spec=" not in drawn["href"]:
        return  # nothing finished drawn, or a lesson: its spec is the catalogue's (state tests)
    spec = spec_in(drawn["href"])
    assert drawn["rows"] == len(spec["optimizers"]), (drawn["rows"], spec["optimizers"])
    if spec["surface"]["id"] in drawn["names"]:
        name = drawn["names"][spec["surface"]["id"]]
        assert drawn["title"].startswith(name), (drawn["title"], spec["surface"])
    assert drawn["longest"] <= spec.get("steps", drawn["defaultSteps"]) + 1


# Before each action, in one round trip: whether a dialog is open, and whether the form is
# hidden as Playwright's is_hidden() says it (no box, or visibility: hidden).
BEFORE_ACTION = """() => {
  const form = document.querySelector('#spec-form');
  const box = form?.getBoundingClientRect();
  const shown = form && box.width > 0 && box.height > 0
    && getComputedStyle(form).visibility !== 'hidden';
  return [document.querySelector('dialog[open]') !== null, !shown];
}"""


@pytest.mark.parametrize("seed", SEEDS)
def test_random_use_leaves_no_error_and_a_consistent_page(
    page: Page, live_server: str, seed: int
) -> None:
    """Each action's edit is applied at once (its debounce skipped on the tests' clock,
    see ``settled``): 400 actions waited 350 ms each for it."""
    rng = random.Random(seed)
    errors = watch_errors(page)
    page.goto(f"{live_server}/#preset={rng.choice(['rosenbrock', 'ravine', 'line-fit'])}")
    settled(page)
    done: list[str] = []
    for _ in range(ACTIONS_PER_SEQUENCE):
        dialog_open, form_hidden = page.evaluate(BEFORE_ACTION)
        if dialog_open:
            page.keyboard.press("Escape")
            form_hidden = page.locator("#spec-form").is_hidden()
        action = rng.choice(ACTIONS)
        try:
            if action not in (lecture, playback) and form_hidden:
                page.keyboard.press("Escape")  # a person leaves lecture mode to edit
                done.append("leave lecture")
                continue
            done.append(action(page, rng))
            settled(page)
            real = [e for e in errors if "WebGL" not in e and EXPECTED_422 not in e]
            assert not real, real
            check_drawing(page)
        except Exception as error:
            raise AssertionError(f"seed {seed}, after {done}: {error}") from error
