"""Inside the step, in Chromium: the time cursor moves every panel and the equation numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gradtrail.app.urlspec import encode
from gradtrail.optimizers import OPTIMIZERS
from tests.browser.test_data_view import scrub_to
from tests.browser.test_page import download, wait_done, watch_errors

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
    expect(page.locator(".equations")).to_contain_text("m̂ = m / (1 − β₁^")
    before = page.inner_text(".equations")
    x, y = page.evaluate(CLICK_LOSS_POINT, 12)
    page.mouse.click(x, y)
    expect(page.locator("body")).to_have_attribute("data-cursor", "12")
    paths = page.evaluate(
        "() => document.querySelector('#contour-plot').data.filter((t) => t.meta)"
        ".map((t) => [t.x.at(-1), t.y.at(-1)])"
    )
    assert cursor_marker(page, 0) == paths[0]  # the marker sits where the path now ends
    after = page.inner_text(".equations")
    assert after != before and "t = 13" in after
    arrows = page.evaluate(
        "() => document.querySelector('#contour-plot').layout.annotations"
        ".filter((n) => n.showarrow).map((n) => n.arrowcolor)"
    )
    assert arrows == ["#b3261e", "#6a3d9a", "#111111"]  # −∇f, first moment, step taken
    page.screenshot(path=screenshots / "anatomy-adam-1920x1080.png")
    # The heavy-ball run: its velocity and its cosine schedule.
    page.select_option("#anatomy-run", "1")
    expect(page.locator(".equations")).to_contain_text("v = μv + (1−τ)g")
    expect(page.locator(".equations")).to_contain_text("heavy ball")
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
    expect(page.locator(".equations")).to_contain_text(f"t = {s + 1}, η = 1.000e-4")
    scale = page.inner_text(".anatomy-scale")
    factor = float(re.fullmatch(r"arrows at (\S+)× the step's length \|Δp\| = \S+", scale)[1])
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


# The runs whose anatomy draws a memory arrow (RMSProp only with momentum, here 0).
WITH_MEMORY = {"momentum", "nesterov", "adam", "adamw", "nadam", "adamax", "radam"}


def test_every_optimizer_shows_its_own_equations_with_numbers_in_both_languages(
    page: Page, live_server: str, screenshots: Path
) -> None:
    """The page knows no optimizer: each run's equations come with it from the server, and
    every ``$name`` in them becomes that step's numbers (Rprop's step is no −η g)."""
    optimizers = [{"id": id_, "params": {"lr": 1e-4}} for id_ in OPTIMIZERS]
    spec = {"surface": {"id": "rosenbrock"}, "start": [-1.2, 1.4], "steps": 30,
            "optimizers": optimizers}  # fmt: skip
    errors = watch_errors(page)
    for lang, first_step in (("en", "the first step"), ("ja", "最初のステップ")):
        page.goto(f"{live_server}/?lang={lang}#spec={encode(spec)}")  # a new query: a load
        wait_done(page)
        scrub_to(page, 0)
        shown: dict[str, str] = {}
        for index, optimizer in enumerate(OPTIMIZERS.values()):
            page.select_option("#anatomy-run", str(index))
            first = "t = 1, s₀ = η = " if optimizer.id == "rprop" else "t = 1, η = "
            expect(page.locator(".equations div").first).to_have_text(f"{first}1.000e-4")
            lines = page.locator(".equations div").all_inner_texts()
            assert not [line for line in lines if "$" in line], (optimizer.id, lines)
            assert [line for line in lines if re.match(r"Δp = .* = \(\S+, \S+\)", line)], lines
            memory = expect(page.locator("#legend-memory"))
            memory.to_be_visible() if optimizer.id in WITH_MEMORY else memory.to_be_hidden()
            shown[optimizer.id] = "\n".join(lines)
        assert "Δp = −sign(g_prev) s = " in shown["rprop"]
        assert f"v = g ({first_step}) = " in shown["momentum"]  # the buffer, not the bias b
        assert "(ρ_t ≤ 5)" in shown["radam"]
        page.select_option("#anatomy-run", str(list(OPTIMIZERS).index("adam")))
        page.locator("#anatomy").screenshot(path=screenshots / f"anatomy-adam-{lang}.png")
    assert not errors


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
