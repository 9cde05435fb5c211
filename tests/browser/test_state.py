"""The page's state is the spec: an edit changes one field and keeps every other one."""

from __future__ import annotations

import copy

import pytest
from playwright.sync_api import Page, expect

from gradtrail.presets import PRESETS
from tests.browser.test_page import settled, url_spec, wait_done, watch_errors


def edited(page: Page, selector: str, value: str) -> None:
    """Fill ``selector`` with ``value`` and wait for the run it starts."""
    page.evaluate("() => { document.body.dataset.run = 'edited'; }")
    page.fill(selector, value)
    wait_done(page)


# The lessons whose surface has parameters in the form: l2 (quadratic) or b (Rosenbrock).
SURFACE_PARAMETER = {"quadratic": "l2", "rosenbrock": "b"}


def an_edit_changes_only_its_field(page: Page, lesson: str, errors: list[str]) -> None:
    """On a lesson just opened (from the gallery), in English: it opened without a
    console error, with a summary row per optimizer and its caption; an lr edit changes
    only that lr (domain, data settings, stop, seed, labels kept); where the lesson's
    surface has parameters, an edit of one changes only that parameter.

    Every lesson is checked so inside the English walk over the lessons in
    ``tests/browser/test_language.py``, which opens each anyway: the three tests that
    checked this opened a page per lesson each, 37 loads beside its 16."""
    presets = page.evaluate("() => JSON.parse(document.querySelector('#catalog').textContent)"
                            ".presets")  # fmt: skip
    spec = next(p["spec"] for p in presets if p["id"] == lesson)
    expect(page.locator("#summary tbody tr")).to_have_count(len(PRESETS[lesson].spec["optimizers"]))
    expect(page.locator("#caption")).to_contain_text(PRESETS[lesson].title())
    assert errors == [], lesson
    edited(page, "#optimizer-list li:nth-child(1) [data-param=lr]", "0.0123")
    expected = copy.deepcopy(spec)
    expected["optimizers"][0].setdefault("params", {})["lr"] = 0.0123
    assert url_spec(page) == expected, lesson
    name = SURFACE_PARAMETER.get(spec["surface"]["id"])
    if name is not None:
        edited(page, f'[name="surface-param-{name}"]', "7")
        expected["surface"].setdefault("params", {})[name] = 7
        assert url_spec(page) == expected, lesson
    assert errors == [], lesson


@pytest.mark.parametrize("source", ["rosenbrock", "himmelblau", "saddle", "ravine"])
def test_any_surface_can_follow_any_other(page: Page, live_server: str, source: str) -> None:
    """Choosing a surface threw "Cannot read properties of null" and stalled the page."""
    errors = watch_errors(page)
    page.goto(f"{live_server}/#preset={source}")
    wait_done(page)
    for target in ("quadratic", "rosenbrock", "regression", "beale", "custom", "saddle"):
        page.evaluate("() => { document.body.dataset.run = 'switching'; }")
        page.select_option("#surface-select", target)
        wait_done(page)
        assert url_spec(page)["surface"]["id"] == target
    assert errors == []


def test_a_run_is_one_compute_request(page: Page, live_server: str) -> None:
    """The figures come in the stream's meta: no second request builds the run again."""
    page.goto(f"{live_server}/#preset=ravine")
    wait_done(page)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    edited(page, "#optimizer-list li:nth-child(1) [data-param=lr]", "0.02")
    assert [url.split(live_server)[1] for url in posts] == ["/api/runs/stream?lang=en"]


def test_a_lesson_picked_during_an_edits_debounce_stays_the_lesson(
    page: Page, live_server: str
) -> None:
    """The edit's debounce fired after the lesson had been put in: it read the lesson's
    settings back as an edit, so the page lost the lesson (no caption, ``#spec=`` in the
    URL) while showing its runs."""
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en")
    wait_done(page)
    page.click("#open-gallery")
    # In one task, so the lesson is surely picked while the edit waits out its debounce
    # (clicked one after the other, on a loaded machine the debounce could end first).
    pending = page.evaluate(
        """() => {
          const select = document.querySelector('#surface-select');
          select.value = 'beale';
          for (const kind of ['input', 'change']) {
            select.dispatchEvent(new Event(kind, { bubbles: true }));
          }
          const pending = document.body.dataset.edit;
          document.body.dataset.run = 'picked';
          document.querySelector("#gallery-cards .card[data-preset='minibatch']").click();
          return pending;
        }"""
    )
    assert pending == "pending"
    wait_done(page)
    settled(page)  # no edit waits out its debounce: nothing else runs
    assert page.evaluate("() => location.hash") == "#preset=minibatch&data=1"
    assert page.text_content("#caption").startswith("Minibatch noise")
    assert page.get_attribute("body", "data-run") == "done"
    assert errors == []


def test_a_link_pasted_into_an_open_tab_opens_its_view(page: Page, live_server: str) -> None:
    """Only the fragment differs, so the browser loads nothing: the page itself must open
    the view the new fragment names (a teacher pastes the next lesson's link)."""
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=ja#preset=perceptron")
    wait_done(page)
    page.evaluate("() => { location.hash = '#preset=momentum-forms'; }")
    expect(page.locator("#caption")).to_contain_text(PRESETS["momentum-forms"].title("ja"))
    wait_done(page)
    assert not errors
