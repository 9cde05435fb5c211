"""The sweep panel in Chromium: a heatmap with diverged cells, basins, a click opens a run."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gradtrail.app.urlspec import encode
from gradtrail.texts import text
from tests.browser.test_page import address, url_spec, wait_done, watch_errors


def wait_sweep(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-sweep", "done")


def sweep_lr_by_start_y(page: Page, live_server: str, columns: int, rows: int) -> None:
    """From the Rosenbrock lesson, run a sweep of lr (columns) against start.y (rows)."""
    page.goto(f"{live_server}/?preset=rosenbrock")
    wait_done(page)
    page.click("#toggle-sweep")
    page.select_option("#sweep-axes [data-axis='1'] [data-role='name']", "start.y")
    page.fill("#sweep-axes [data-axis='0'] [data-role='count']", str(columns))
    page.fill("#sweep-axes [data-axis='1'] [data-role='count']", str(rows))
    page.click("#run-sweep")


def test_sweep_heatmap_marks_divergence_and_opens_a_cell(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?preset=ravine")
    wait_done(page)
    page.click("#toggle-sweep")
    page.select_option("#sweep-preset", "ravine-lr-momentum")
    wait_sweep(page)
    traces = page.evaluate(
        "() => document.querySelector('#sweep-plot').data"
        ".map((t) => [t.type, t.z.length, t.z[0].length])"
    )
    assert traces == [["heatmap", 50, 60], ["heatmap", 50, 60]]
    diverged = page.evaluate(
        "() => document.querySelector('#sweep-plot').data[1].z.flat().filter((v) => v === 1).length"
    )
    assert 0 < diverged < 3000
    assert (
        page.evaluate("() => document.querySelector('#sweep-plot')._fullLayout.xaxis.type") == "log"
    )
    assert "view=sweep" in address(page) and "sweep=" in address(page)
    page.screenshot(path=screenshots / "sweep-1920x1080.png")
    # A click on a cell opens that run as an ordinary trajectory.
    page.evaluate("() => { document.body.dataset.run = 'waiting'; }")
    box = page.locator("#sweep-plot .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    wait_done(page)
    expect(page.locator("#contour-plot")).to_be_visible()
    lr = float(page.input_value("#optimizer-list li:nth-child(1) [data-param=lr]"))
    momentum = float(page.input_value("#optimizer-list li:nth-child(1) [data-param=momentum]"))
    assert 0.001 < lr < 0.2 and 0.0 <= momentum <= 0.98
    assert not errors


def test_basin_map_over_the_contour(page: Page, live_server: str, screenshots: Path) -> None:
    page.goto(f"{live_server}/?preset=himmelblau")
    wait_done(page)
    page.click("#toggle-sweep")
    page.select_option("#sweep-preset", "himmelblau-basins-gd")
    wait_sweep(page)
    kinds = page.evaluate("() => document.querySelector('#sweep-plot').data.map((t) => t.type)")
    assert kinds == ["heatmap", "contour", "scatter"]
    basins = page.evaluate(
        "() => [...new Set(document.querySelector('#sweep-plot').data[0].z.flat())].sort()"
    )
    assert basins == [0, 1, 2, 3]
    page.screenshot(path=screenshots / "basins-1920x1080.png")


def test_a_sweep_link_reopens_the_sweep(page: Page, live_server: str) -> None:
    sweep_lr_by_start_y(page, live_server, columns=12, rows=9)
    wait_sweep(page)
    page.reload()  # opens the link the address holds, in the same renderer
    wait_sweep(page)
    shape = page.evaluate(
        "() => { const z = document.querySelector('#sweep-plot').data[0].z;"
        " return [z.length, z[0].length]; }"
    )
    assert shape == [9, 12]


def test_an_oversized_sweep_shows_the_limit(page: Page, live_server: str) -> None:
    sweep_lr_by_start_y(page, live_server, columns=400, rows=400)
    expect(page.locator("#sweep-status")).to_contain_text("the limit is 40,000")


def test_opening_the_sweep_view_runs_the_forms_sweep(page: Page, live_server: str) -> None:
    """The view stood empty until a sweep was run by hand."""
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#preset=ravine")
    wait_done(page)
    page.click("#toggle-sweep")
    wait_sweep(page)
    shape = page.evaluate(
        "() => { const z = document.querySelector('#sweep-plot').data[0].z;"
        " return [z.length, z[0].length]; }"
    )
    counts = page.eval_on_selector_all(
        "#sweep-axes .axis",
        "boxes => boxes.filter((b) => b.querySelector('[data-role=name]').value)"
        ".map((b) => Number(b.querySelector('[data-role=count]').value))",
    )
    rows = counts[1] if len(counts) > 1 else 1
    assert shape == [rows, counts[0]], (shape, counts)  # the form's default axes
    assert "sweep=" in address(page)
    assert not errors


def test_a_sweep_lesson_says_it_replaced_the_run_settings_and_gives_them_back(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#preset=rosenbrock")
    wait_done(page)
    entries = page.locator("#optimizer-list li")
    mine = entries.count()
    assert mine > 1
    page.click("#toggle-sweep")
    wait_sweep(page)
    page.select_option("#sweep-preset", "ravine-lr-momentum")
    wait_sweep(page)
    notice = page.locator("#notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("This sweep lesson set the run settings to its own")
    assert entries.count() == 1
    page.screenshot(path=screenshots / "sweep-lesson-notice-1920x1080.png")
    page.evaluate("() => { document.body.dataset.run = 'edited'; }")
    page.click("#notice-undo")
    wait_done(page)
    wait_sweep(page)
    assert entries.count() == mine
    assert "preset=rosenbrock" in address(page)
    expect(page.locator("#sweep-optimizer")).to_contain_text("Rosenbrock")
    expect(notice).to_be_hidden()
    assert not errors


def test_a_cell_of_a_sweep_over_one_half_of_a_pair_opens_a_run_the_server_takes(
    page: Page, live_server: str
) -> None:
    """A sweep over Rprop's etas[0] filled the other half with Adam's β₂: a cell opened
    ``etas: [0.3, 0.999]``, which the server refused (etaplus must be > 1)."""
    errors = watch_errors(page)
    spec = {"surface": {"id": "rosenbrock"}, "optimizers": [{"id": "rprop"}], "steps": 100}
    page.goto(f"{live_server}/?lang=en#spec={encode(spec)}")
    wait_done(page)
    page.click("#toggle-sweep")
    wait_sweep(page)
    page.select_option("#sweep-axes [data-axis='0'] [data-role='name']", "etas[0]")
    page.select_option("#sweep-axes [data-axis='1'] [data-role='name']", "")
    page.fill("#sweep-axes [data-axis='0'] [data-role='low']", "0.2")
    page.fill("#sweep-axes [data-axis='0'] [data-role='high']", "0.8")
    page.fill("#sweep-axes [data-axis='0'] [data-role='count']", "7")
    page.evaluate("() => { document.body.dataset.sweep = 'asked'; }")
    page.click("#run-sweep")
    wait_sweep(page)
    page.evaluate("() => { document.body.dataset.run = 'waiting'; }")
    box = page.locator("#sweep-plot .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    wait_done(page)
    etas = url_spec(page)["optimizers"][0]["params"]["etas"]
    assert 0.2 <= etas[0] <= 0.8 and etas[1] == 1.2  # Rprop's own default etaplus
    assert not errors


WORDS = {  # the run form's labels, which the sweep's axes reuse
    "en": {"lr": "learning rate (lr)", "batch_size": "Batch size (batch_size)"},
    "ja": {"lr": "学習率 (lr)", "batch_size": "バッチサイズ (batch_size)"},
}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_axis_menus_name_each_axis_in_the_learners_words_with_torchs_beside_it(
    page: Page, live_server: str, screenshots: Path, lang: str
) -> None:
    """The menus offered ``lr`` and ``betas[0]``; now the catalogue's words, torch's name
    in brackets, and the value still torch's."""
    errors = watch_errors(page)
    spec = {
        "surface": {"id": "regression", "generate": {"noise": 2.0, "n": 50}},
        "optimizers": [{"id": "adam"}],
        "steps": 50,
        "seed": 0,
    }
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/?lang={lang}#spec={encode(spec)}")
    wait_done(page)
    page.click("#toggle-sweep")
    wait_sweep(page)
    menu = "#sweep-axes [data-axis='{}'] [data-role='name']"
    options = dict(
        page.eval_on_selector_all(
            f"{menu.format(0)} option", "options => options.map((o) => [o.value, o.text])"
        )
    )
    # The open menu reads the words, each with "words (name)" as its title; the closed one
    # shows the chosen axis's torch name beside its label, as the run form does.
    titles = dict(
        page.eval_on_selector_all(
            f"{menu.format(0)} option", "options => options.map((o) => [o.value, o.title])"
        )
    )
    assert titles["lr"] == WORDS[lang]["lr"]
    assert titles["batch_size"] == WORDS[lang]["batch_size"]  # a data axis
    half = text("hpname.betas[0]", lang)
    assert "β₁" in half and titles["betas[0]"] == f"{half} (betas[0])"
    assert titles["start.x"] == f"{text('start_x', lang)} (start.x)"
    assert all(
        name and words != name and titles[name] == f"{words} ({name})"
        for name, words in options.items()
    )
    chosen = page.locator("#sweep-axes [data-axis='0'] [data-role='torch-name']")
    expect(chosen).to_have_text(page.input_value(menu.format(0)))
    page.screenshot(path=screenshots / f"sweep-form-words-{lang}-1366x768.png")
    # Picking one runs the sweep over torch's name.
    page.select_option(menu.format(0), "lr")
    page.select_option(menu.format(1), "betas[1]")
    page.fill("#sweep-axes [data-axis='0'] [data-role='count']", "5")
    page.fill("#sweep-axes [data-axis='1'] [data-role='count']", "4")
    page.evaluate("() => { document.body.dataset.sweep = 'asked'; }")
    with page.expect_request("**/api/sweeps/stream") as asked:
        page.click("#run-sweep")
    wait_sweep(page)
    body = asked.value.post_data_json
    assert [axis["name"] for axis in body["axes"]] == ["lr", "betas[1]"]
    titles = page.evaluate(
        "() => { const l = document.querySelector('#sweep-plot')._fullLayout;"
        " return [l.xaxis.title.text, l.yaxis.title.text]; }"
    )
    assert titles == [WORDS[lang]["lr"], f"{text('hpname.betas[1]', lang)} (betas[1])"]
    assert not errors


# Each line of the heatmap's title and each tick label, and the plot's box, in page pixels.
TITLE_AND_TICKS = """() => { const n = document.querySelector('#sweep-plot');
  const box = (e) => { const r = e.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
  return { plot: box(n), title: [...n.querySelectorAll('.gtitle')].map(box),
    lines: [...n.querySelectorAll('.gtitle tspan.line')].length,
    ticks: [...n.querySelectorAll('.xtick text')].filter((t) => t.textContent).map(box) }; }"""


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_on_a_phone_the_heatmaps_title_wraps_and_its_log_ticks_stand_apart(
    page: Page, live_server: str, lang: str
) -> None:
    """At 390 px the title ran past the plot's right edge and the log axis's minor labels
    (2, 5 between decades) stood on each other."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/?lang={lang}#preset=line-fit")
    wait_done(page)
    page.click("#toggle-sweep")
    wait_sweep(page)
    drawn = page.evaluate(TITLE_AND_TICKS)
    plot = drawn["plot"]
    assert drawn["lines"] >= 2, drawn  # wrapped: it does not fit one line at this width
    assert all(plot["left"] <= t["left"] and t["right"] <= plot["right"] for t in drawn["title"])
    ticks = sorted(drawn["ticks"], key=lambda t: t["left"])
    assert len(ticks) >= 2, ticks
    assert all(a["right"] < b["left"] for a, b in itertools.pairwise(ticks)), ticks


# Each shown field of the sweep form: its text (value, placeholder or chosen option), the
# width that text takes in the field's font, and the room the field gives it.
FIELD_TEXTS = """() => [...document.querySelectorAll('#sweep-form input, #sweep-form select')]
  .filter((e) => e.offsetParent).map((e) => {
    const context = document.createElement('canvas').getContext('2d');
    const style = getComputedStyle(e);
    context.font = `${style.fontSize} ${style.fontFamily}`;
    const select = e.tagName === 'SELECT';
    const text = select ? e.selectedOptions[0]?.textContent ?? '' : e.value || e.placeholder;
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    return [text, context.measureText(text).width, e.clientWidth - padding - (select ? 20 : 0)];
  })"""


TORCH_NAME = """(k) => {
  const code = document.querySelector(`#sweep-axes [data-axis='${k}'] [data-role='torch-name']`);
  return code && code.offsetParent ? code.textContent : "";
}"""


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("optimizer", [None, "nadam", "adagrad"])
def test_the_sweep_form_shows_each_fields_whole_text_at_1366(
    page: Page, live_server: str, screenshots: Path, lang: str, optimizer: str | None
) -> None:
    """Four fields a row cut the scale menu's "linear" to "linea" at 1366x768; a closed axis
    menu cut "momentum decay ψ (momentum_decay)" (NAdam) and "starting sum
    (initial_accumulator_value)" (AdaGrad). Every axis of the optimizer, in either menu."""
    page.set_viewport_size({"width": 1366, "height": 768})
    if optimizer is None:
        page.goto(f"{live_server}/?lang={lang}#preset=line-fit")
    else:
        spec = {"surface": {"id": "rosenbrock"}, "steps": 50, "optimizers": [{"id": optimizer}]}
        page.goto(f"{live_server}/?lang={lang}#spec={encode(spec)}")
    wait_done(page)
    page.click("#toggle-sweep")
    wait_sweep(page)
    page.select_option("#sweep-axes .axis >> nth=1 >> [data-role=scale]", "linear")
    fields = page.evaluate(FIELD_TEXTS)
    assert len(fields) >= 10, fields
    cut = [f for f in fields if f[1] > f[2]]
    menu = "#sweep-axes [data-axis='{}'] [data-role='name']"
    beside = []  # each chosen axis, and torch's name shown beside its menu ("" for none)
    for k in (0, 1) if optimizer else ():
        names = page.eval_on_selector_all(f"{menu.format(k)} option", "o => o.map((e) => e.value)")
        for name in names:
            page.select_option(menu.format(k), name)
            cut += [f for f in page.evaluate(FIELD_TEXTS) if f[1] > f[2]]
            beside.append((name, page.evaluate(TORCH_NAME, k)))
    assert cut == [], cut
    assert all(name == shown for name, shown in beside), beside
    if optimizer:
        page.select_option(menu.format(0), "momentum_decay" if optimizer == "nadam" else "lr")
        page.select_option(menu.format(1), names[-1])
        page.locator("#sweep-form").screenshot(
            path=screenshots / f"sweep-form-{optimizer}-{lang}-1366x768.png"
        )
