"""Inside the step, in Chromium: the time cursor moves every panel and the equation numbers."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from gradtrail.app.urlspec import encode
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
    expect(page.locator(".equations")).to_contain_text("b = μb + (1−τ)g")
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
