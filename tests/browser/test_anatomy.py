"""Inside the step, in Chromium: the time cursor moves every panel and the equation numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gradtrail.app.urlspec import encode
from gradtrail.runner import run
from gradtrail.texts import LANGUAGES
from tests.browser.test_data_view import scrub_to
from tests.browser.test_page import download, wait_done, watch_errors
from tests.engine.test_anatomy import CASES

SPEC = {
    "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 40.0}},
    "start": [-4.5, 1.5],
    "steps": 80,
    "optimizers": [
        {"id": "adam", "params": {"lr": 0.3}},
        {"id": "momentum", "params": {"lr": 0.01, "momentum": 0.8},
         "schedule": {"kind": "cosine", "T_max": 80}},
    ],
}  # fmt: skip

CLICK_LOSS_POINT = """(k) => {
  const node = document.querySelector('#convergence-plot');
  const trace = node.data[0];
  const xa = node._fullLayout.xaxis, ya = node._fullLayout.yaxis;
  const box = node.getBoundingClientRect();
  return [box.left + xa._offset + xa.c2p(trace.x[k]), box.top + ya._offset + ya.c2p(trace.y[k])];
}"""


def cursor_marker(page: Page, run: int) -> list[float]:
    return page.evaluate(
        f"() => {{ const a = document.querySelector('#contour-plot').layout.annotations"
        f".filter((n) => n.text === '●')[{run}]; return [a.x, a.y]; }}"
    )


def test_cursor_on_the_loss_plot_moves_the_contour_marker_and_the_equations(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?spec={encode(SPEC)}")
    wait_done(page)
    # The lines' text holds each one's LaTeX (KaTeX keeps it in its MathML).
    expect(page.locator(".equations")).to_contain_text(r"\hat m_t = \frac{m_t}{1-\beta_1^{")
    before = page.text_content(".equations")
    x, y = page.evaluate(CLICK_LOSS_POINT, 12)
    page.mouse.click(x, y)
    expect(page.locator("body")).to_have_attribute("data-cursor", "12")
    paths = page.evaluate(
        "() => document.querySelector('#contour-plot').data.filter((t) => t.meta)"
        ".map((t) => [t.x.at(-1), t.y.at(-1)])"
    )
    assert cursor_marker(page, 0) == paths[0]  # the marker sits where the path now ends
    after = page.text_content(".equations") or ""
    assert after != before and r"t = 13,\quad" in after
    arrows = page.evaluate(
        "() => document.querySelector('#contour-plot').layout.annotations"
        ".filter((n) => n.showarrow).map((n) => n.arrowcolor)"
    )
    assert arrows == ["#b3261e", "#6a3d9a", "#111111"]  # −∇f, first moment, step taken
    page.screenshot(path=screenshots / "anatomy-adam-1920x1080.png")
    # The heavy-ball run: its velocity and its cosine schedule.
    page.select_option("#anatomy-run", "1")
    expect(page.locator(".equations")).to_contain_text(r"v_t = \mu v_{t-1} + (1-\tau)\,g_t")
    expect(page.locator(".equations")).to_contain_text(r"\text{heavy ball}")
    lr = page.evaluate("() => document.querySelector('#step-plot').data[2].y.slice(0, 3)")
    assert lr[0] == 0.01 and lr[2] < lr[1] < lr[0]  # the cosine schedule, as recorded
    page.screenshot(path=screenshots / "anatomy-momentum-1920x1080.png")
    assert not errors


def test_csv_download(page: Page, live_server: str, tmp_path: Path) -> None:
    page.goto(f"{live_server}/?preset=adam-bias")
    wait_done(page)
    lines = download(page, "#download-csv", tmp_path / "runs.csv").read_text().splitlines()
    assert lines[0].startswith("run,label,optimizer,step,x,y,loss,grad_norm,lr,gradient_x")
    assert len(lines) == 1 + 2 * 201


TINY = {
    "surface": {"id": "quadratic"},
    "start": [-4.0, 2.0],
    "steps": 40,
    "optimizers": [{"id": "gd", "params": {"lr": 1e-4}}],
}


def test_a_tiny_step_is_drawn_at_a_stated_scale_and_a_new_result_redraws_its_plot(
    page: Page, live_server: str, screenshots: Path
) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang=en#spec={encode(TINY)}")
    wait_done(page)
    k = int(page.get_attribute("body", "data-cursor") or "0")
    s = min(k, 39)  # the step the panel shows: from point s to s + 1
    expect(page.locator(".anatomy-step")).to_have_text(f"step t = {s + 1}: point {s} → {s + 1}")
    expect(page.locator(".equations")).to_contain_text(
        rf"t = {s + 1},\quad \eta = {{1.000\times10^{{-4}}}}"
    )
    scale = page.inner_text(".anatomy-scale")
    factor = float(re.fullmatch(r"arrows at (\S+)× the step's length \|Δθ\| = \S+", scale)[1])
    assert factor > 100  # a step of about 1e-3 on a plot 10 wide: far too short to see
    step_arrow = page.evaluate(
        "() => document.querySelector('#contour-plot').layout.annotations"
        ".find((n) => n.arrowcolor === '#111111')"
    )
    path = page.evaluate(
        "() => { const t = document.querySelector('#contour-plot').data.find((t) => t.meta);"
        " return [t.x, t.y]; }"
    )
    taken = [path[0][s + 1] - path[0][s], path[1][s + 1] - path[1][s]]
    drawn = [step_arrow["x"] - step_arrow["ax"], step_arrow["y"] - step_arrow["ay"]]
    assert [step_arrow["ax"], step_arrow["ay"]] == [path[0][s], path[1][s]]
    assert drawn == pytest.approx([factor * d for d in taken], rel=1e-3)  # fmt keeps 4 digits
    page.locator("#anatomy").screenshot(path=screenshots / "anatomy-tiny-step-en.png")

    # A new learning rate: a new result, and the step plot is of it (it kept the old one).
    page.evaluate("() => { document.body.dataset.run = 'edited'; }")
    page.fill("#optimizer-list [data-param=lr]", "0.05")
    wait_done(page)
    lr = page.evaluate("() => document.querySelector('#step-plot').data[2].y[0]")
    assert lr == 0.05
    scrub_to(page, 0)  # the first step, (0.2, −1.0): long enough to draw as it is
    expect(page.locator(".anatomy-step")).to_have_text("step t = 1: point 0 → 1")
    expect(page.locator(".anatomy-scale")).to_have_text("arrows to scale")
    assert not errors


# The optimizers whose anatomy draws a memory arrow (and RMSProp with momentum).
WITH_MEMORY = {"momentum", "nesterov", "adam", "adamw", "nadam", "adamax", "radam"}
# Every optimizer, and the branches its anatomy writes differently, in one page's runs
# (at most 16): weight decay in g, lr_decay, RMSProp centred with momentum and without
# either, Adam without bias correction and with AMSGrad, RAdam's decoupled decay.
TYPESET_RUNS = [
    {"id": "gd", "params": {"lr": 1e-4, "weight_decay": 0.1}},
    {"id": "momentum", "params": {"lr": 1e-4}},
    {"id": "nesterov", "params": {"lr": 1e-4}},
    {"id": "adagrad", "params": {"lr": 1e-4, "lr_decay": 0.5}},
    {"id": "adadelta", "params": {"lr": 1e-4}},
    {"id": "rmsprop", "params": {"lr": 1e-4, "momentum": 0.5, "centered": True}},
    {"id": "rmsprop", "params": {"lr": 1e-4}},
    {"id": "adam", "params": {"lr": 1e-4}},
    {"id": "adam", "params": {"lr": 1e-4, "amsgrad": True, "bias_correction": False}},
    {"id": "adamw", "params": {"lr": 1e-4}},
    {"id": "nadam", "params": {"lr": 1e-4}},
    {"id": "adamax", "params": {"lr": 1e-4}},
    {"id": "radam", "params": {"lr": 1e-4}},
    {"id": "radam", "params": {"lr": 1e-4, "decoupled_weight_decay": True, "weight_decay": 0.1}},
    {"id": "rprop", "params": {"lr": 1e-4}},
    {"id": "asgd", "params": {"lr": 1e-4}},
]
PLACEHOLDER = re.compile(r"\$(\w+)")
# A number as the page may write it in LaTeX: 0.5000, {-1.234\times10^{-5}}.
LATEX_NUMBER = re.compile(r"\{?(-?\d+(?:\.\d+)?)(?:\\times10\^\{(-?\d+)\}\})?")
EQUATIONS = """() => [...document.querySelectorAll('.equations > div')].map((line) => ({
  tex: line.querySelector('.katex-mathml annotation')?.textContent ?? null,
  html: Boolean(line.querySelector('.katex-html')),
  errors: line.querySelectorAll('.katex-error').length,
  subscripts: [...line.querySelectorAll('msub')]
    .map((sub) => [...sub.children].map((part) => part.textContent)),
}))"""
# Until the lines shown are typeset from these templates (the run just chosen, not the last).
TYPESET_FROM = """(patterns) => {
  const lines = [...document.querySelectorAll('.equations > div')];
  return lines.length === patterns.length && lines.every((line, i) => {
    const source = line.querySelector('.katex-mathml annotation');
    return source && new RegExp(patterns[i]).test(source.textContent);
  });
}"""


def template_pattern(template: str) -> str:
    """A regular expression (Python's and JavaScript's alike) that a line filled from
    ``template`` matches whole, each ``$name`` a group."""
    parts = PLACEHOLDER.split(template)
    literal = [re.escape(part) for part in parts[::2]]
    return "^" + "(.+?)".join(literal) + "$"


def read_number(latex: str) -> float:
    match = LATEX_NUMBER.fullmatch(latex.strip())
    assert match, latex
    mantissa, exponent = match.groups()
    return float(mantissa) * 10.0 ** int(exponent or 0)


def filled_values(template: str, tex: str) -> dict[str, str]:
    """What the page wrote for each ``$name`` of ``template`` in the line ``tex``."""
    match = re.fullmatch(template_pattern(template), tex)
    assert match, (template, tex)
    return dict(zip(PLACEHOLDER.findall(template), match.groups(), strict=True))


def recorded_value(state: dict[str, list[float]], name: str, s: int) -> list[float]:
    """What the API recorded for ``$name`` at step index ``s``: the step number, a scalar
    (η) or a vector's pair."""
    if name == "t":
        return [s + 1]
    if name in state:
        return [state[name][s]]
    return [state[f"{name}_x"][s], state[f"{name}_y"][s]]


def test_every_optimizers_anatomy_is_typeset_with_the_numbers_the_api_recorded(
    page: Page, live_server: str, screenshots: Path
) -> None:
    """One page of every optimizer (and the branches its lines take): at the first step
    (momentum's and RAdam's early forms) and at the tenth, each run's lines are typeset by
    KaTeX from the server's LaTeX, with subscripts (g_t, m_t, v_t), no KaTeX error, and in
    place of each ``$name`` the number the API recorded at that step; every line of every
    branch, in both languages, parses."""
    spec = {"surface": {"id": "rosenbrock"}, "start": [-1.2, 1.4], "steps": 30,
            "optimizers": TYPESET_RUNS}  # fmt: skip
    errors = watch_errors(page)
    answer = page.request.post(
        f"{live_server}/api/runs?lang=ja", data={**spec, "record": ["state"]}
    )
    assert answer.ok, answer.text()
    runs = answer.json()["runs"]
    page.goto(f"{live_server}/?lang=ja#spec={encode(spec)}")
    wait_done(page)
    for s in (0, 9):
        scrub_to(page, s)
        for index, item in enumerate(runs):
            page.select_option("#anatomy-run", str(index))
            templates = [
                line["early"] if s < (line.get("early_steps") or 0) else line["latex"]
                for line in item["anatomy"]
            ]
            page.wait_for_function(TYPESET_FROM, arg=[template_pattern(t) for t in templates])
            lines = page.evaluate(EQUATIONS)
            case = (item["optimizer"], item["params"], s)
            assert all(line["html"] and not line["errors"] for line in lines), case
            for template, line in zip(templates, lines, strict=True):
                for name, written in filled_values(template, line["tex"]).items():
                    values = [read_number(v) for v in written.strip("()").split(",")]
                    expected = recorded_value(item["state"], name, s)
                    assert values == pytest.approx(expected, rel=1e-3), (case, name)
            subscripts = [tuple(sub) for line in lines for sub in line["subscripts"]]
            assert ("g", "t") in subscripts, (case, subscripts)
            for name in ("m", "v"):
                if f"{name}_x" in item["state"]:
                    assert (name, "t") in subscripts, (case, name, subscripts)
            memory = expect(page.locator("#legend-memory"))
            has_memory = item["optimizer"] in WITH_MEMORY or (
                item["optimizer"] == "rmsprop" and item["params"]["momentum"] > 0
            )
            memory.to_be_visible() if has_memory else memory.to_be_hidden()
    page.select_option("#anatomy-run", "7")  # Adam
    page.locator("#anatomy").screenshot(path=screenshots / "anatomy-adam-ja.png")
    assert not errors
    every_branch_parses(page)


# The branches the engine's anatomy test checks, and Adam without bias correction.
BRANCHES = [(case[0], case[1]) for case in CASES] + [("adam", {"bias_correction": False})]


def every_branch_parses(page: Page) -> None:
    """Every line (and early form) of every branch, in each language, its ``$name`` in a
    number's LaTeX forms, parsed by the page's KaTeX with errors thrown."""
    sources = []
    for lang in LANGUAGES:
        for optimizer, params in BRANCHES:
            spec = {"surface": {"id": "rosenbrock"}, "steps": 1,
                    "optimizers": [{"id": optimizer, "params": params}]}  # fmt: skip
            for line in run(spec, lang=lang).as_dict()["runs"][0]["anatomy"]:
                for form in (line["latex"], line.get("early")):
                    if form:
                        sources.append(PLACEHOLDER.sub(sample_value, form))
    refused = page.evaluate(
        """(sources) => sources.flatMap((source) => {
          try { katex.renderToString(source, { throwOnError: true, strict: "error" }); return []; }
          catch (error) { return [`${source}: ${error.message}`]; }
        })""",
        sources,
    )
    assert refused == []


def sample_value(match: re.Match[str]) -> str:
    """A stand-in for what ``$name`` becomes: a step number, or a pair as the page writes it."""
    return "12" if match[1] == "t" else r"({-1.234\times10^{-5}}, 0.5000)"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_loss_and_each_update_are_typeset_by_katex_from_this_server(
    page: Page, live_server: str, screenshots: Path, lang: str
) -> None:
    """The line fit's loss L(w, b) and the w and b updates of each run, typeset by the
    vendored KaTeX from the server's LaTeX (its fonts too): no console error, no request
    to another host; another run shows its own optimizer's updates."""
    from gradtrail import run
    from gradtrail.presets import PRESETS

    errors = watch_errors(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server}/?lang={lang}&preset=line-fit")
    wait_done(page)
    result = run(PRESETS["line-fit"].run_spec(lang)).as_dict()
    typeset = page.locator("#anatomy .formulas .formula")
    expect(typeset).to_have_count(3)
    expect(typeset.locator(".katex-html").first).to_be_visible()
    sources = typeset.locator("annotation").evaluate_all(  # KaTeX's MathML keeps the TeX
        "(nodes) => nodes.map((n) => n.textContent)"
    )
    assert sources == [result["surface"]["loss_latex"], *result["runs"][0]["latex"]]
    assert sources[1].startswith("{w}_{t} = {w}_{t-1} - \\eta\\, g_{w,t}")
    page.select_option("#anatomy-run", "2")  # Adam: its m and v in each parameter's update
    expect(typeset.nth(1).locator("annotation")).to_have_text(
        result["runs"][2]["latex"][0], use_inner_text=False
    )
    font = page.evaluate("() => document.fonts.check('16px KaTeX_Main')")
    assert font, "KaTeX's fonts did not load"
    assert requests and all(
        url.startswith(live_server) or url.startswith("data:") for url in requests
    )
    assert any("/vendor/fonts/KaTeX_" in url for url in requests)
    page.locator("#anatomy").screenshot(path=screenshots / f"formulas-{lang}.png")
    assert errors == []
