"""The page in a real headless Chromium: drawing, presets, editing, errors, links, offline."""

from __future__ import annotations

import base64
import json
import re
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import BrowserContext, FrameLocator, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from gradtrail.app.urlspec import encode
from gradtrail.app.video import REPLAY_SECONDS
from tests.conftest import serving


def path_lengths(plot: str) -> str:
    """A script that reads the number of points of each run's trace in ``#{plot}``."""
    return f"""() => [...(document.querySelector('#{plot}').data || [])]
  .filter((t) => t.meta && Number.isInteger(t.meta.run)).map((t) => t.x.length)"""


PATHS = path_lengths("contour-plot")
LAST_POINTS = """() => [...(document.querySelector('#contour-plot').data || [])]
  .filter((t) => t.meta && Number.isInteger(t.meta.run)).map((t) => [t.x.at(-1), t.y.at(-1)])"""


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "file") or parsed.hostname in (
        "127.0.0.1",
        "localhost",
    )


def cut_network(context: BrowserContext, allowed: Callable[[str], bool] = is_local) -> list[str]:
    """Fail every request to another host (every one ``allowed`` refuses); return the list
    of those attempted."""
    attempted: list[str] = []

    def handle(route: Route) -> None:
        if allowed(route.request.url):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    context.route("**/*", handle)
    return attempted


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def played(player: Page | FrameLocator, context: BrowserContext) -> None:
    """Wait until a player (an embed, an exported file) has played its replay to the end,
    without waiting out the replay's seconds: ``context`` has its clock installed before
    the player loaded (``context.clock.install()``; time then runs as usual), and once the
    player plays, the clock jumps past the longest replay (1x speed). What is tested is the
    player's own end (its ``data-played``), reached by its own code."""
    expect(player.locator("body")).to_have_attribute("data-ready", "true")
    context.clock.fast_forward(int(REPLAY_SECONDS * 1000) + 1000)
    expect(player.locator("body")).to_have_attribute("data-played", "true")


def download(page: Page, button: str, saved: Path) -> Path:
    """Click ``button`` and save what it downloads as ``saved``."""
    with page.expect_download() as started:
        page.click(button)
    started.value.save_as(saved)
    return saved


def wait_done(page: Page) -> None:
    """Wait until the page's run is done (an edit still waiting out its debounce applied at
    once on a clocked page: :func:`edit_applied`)."""
    edit_applied(page)
    expect(page.locator("body")).to_have_attribute("data-run", "done")


def mark_stale(page: Page) -> None:
    """Mark the run shown as stale before an edit, so :func:`wait_done` waits for the new run."""
    page.evaluate("() => { document.body.dataset.run = 'edited'; }")


# The page's own signals: an edit waiting out its debounce, a run or a sweep computing.
SETTLED = """() => !document.body.dataset.edit && document.body.dataset.run !== 'streaming'
  && document.body.dataset.sweep !== 'running'"""


def settled(page: Page) -> None:
    """Wait until no edit is pending and nothing computes: what shows is the form's (on a
    clocked page, an edit waiting out its debounce is applied at once)."""
    edit_applied(page)
    page.wait_for_function(SETTLED, polling="raf")


# Farther than the wait an edit has before it applies (the page's debounce, DEBOUNCE_MS in
# static/js/controls.js): one jump fires its timer.
PAST_AN_EDITS_WAIT_MS = 1000
EDIT_PENDING = "() => document.body.dataset.edit === 'pending'"
# The contexts whose clock the tests control (see with_clock).
CLOCKED: weakref.WeakSet[BrowserContext] = weakref.WeakSet()


def with_clock(context: BrowserContext) -> BrowserContext:
    """``context`` with Playwright's clock installed before its pages load (time then runs
    as usual until a test moves it on), known to :func:`edit_applied`."""
    context.clock.install()
    CLOCKED.add(context)
    return context


def edit_applied(page: Page) -> None:
    """On a page of a context :func:`with_clock` made, an edit waiting out its debounce is
    applied at once: the clock jumps past the wait and the page's own timer applies it, so
    the suite's hundreds of edits wait for none of it (elsewhere, nothing is done)."""
    if page.context not in CLOCKED:
        return
    while edit_pending(page):
        page.clock.fast_forward(PAST_AN_EDITS_WAIT_MS)


def edit_pending(page: Page) -> bool:
    """Whether an edit waits out its debounce (no: while a new document loads)."""
    try:
        return page.evaluate(EDIT_PENDING)
    except PlaywrightError as error:
        if "context was destroyed" in str(error):
            return False
        raise


def painted(page: Page, frames: int = 3) -> None:
    """Wait until the browser has painted ``frames`` more frames (WebGL draws in them)."""
    page.evaluate(
        """(n) => new Promise((done) => {
          const next = (left) => left ? requestAnimationFrame(() => next(left - 1)) : done();
          next(n);
        })""",
        frames,
    )


RECORD_GROWTH = f"""
window.__lengths = [];
(function watch() {{
  const node = document.querySelector('#contour-plot');
  if (node && node.data) {{
    const lengths = ({PATHS})();
    const last = window.__lengths.at(-1);
    if (String(lengths) !== String(last)) window.__lengths.push(lengths);
  }}
  requestAnimationFrame(watch);
}})();
"""


@pytest.fixture(scope="module")
def ten_step_frames() -> Iterator[str]:
    """A server that streams frames of 10 steps: the longest stream then lasts seconds, not
    the second or so that plotly.js may still need to start on a loaded machine (frames
    that come before the plot exists are drawn together with it, which is right, but shows
    no growth). One for the module's two tests that need it."""
    with serving(frame_steps="10") as base:
        yield base


def test_main_view_draws_a_contour_and_growing_paths(
    page: Page, ten_step_frames: str, screenshots: Path
) -> None:
    draws_growing_paths(page, ten_step_frames, screenshots)


SLOW_FIRST_DRAW = """
(() => {
  let plotly;
  Object.defineProperty(window, "Plotly", {
    configurable: true,
    get: () => plotly,
    set(value) {
      const react = value.react;
      let slowed = false;
      value.react = async (...args) => {
        if (!slowed) {
          slowed = true;
          await new Promise((resolve) => setTimeout(resolve, 800));
        }
        return react(...args);
      };
      plotly = value;
    },
  });
})();
"""


def test_frames_that_arrive_while_the_first_figure_draws_are_drawn(
    page: Page, ten_step_frames: str
) -> None:
    # The first draw is held for 0.8 s while a stream of 10-step frames goes on: every
    # frame that arrived during it must still be on the plot at the end.
    page.add_init_script(SLOW_FIRST_DRAW)
    run = {
        "surface": {"id": "rosenbrock"},
        "steps": 20_000,
        "stop": {"grad_tol": 0.0},
        "optimizers": [{"id": "adam"}, {"id": "momentum"}, {"id": "nadam"}] * 4,
    }
    page.goto(f"{ten_step_frames}/?spec={encode(run)}")
    wait_done(page)
    assert page.evaluate(PATHS) == [20_001] * 12
    # The loss plot, drawn after the contour, holds each point once.
    assert page.evaluate(path_lengths("convergence-plot")) == [20_001] * 12


def draws_growing_paths(page: Page, live_server: str, screenshots: Path) -> None:
    errors = watch_errors(page)
    long_run = {
        "surface": {"id": "rosenbrock"},
        "steps": 20_000,
        "stop": {"grad_tol": 0.0},
        "optimizers": [{"id": "adam"}, {"id": "momentum"}, {"id": "nadam"}, {"id": "rmsprop"}] * 4,
    }
    # A first visit fetches and compiles plotly.js while the stream runs, and on a busy
    # machine the stream can end first; the second visit is the one that must draw live.
    page.goto(f"{live_server}/?preset=rosenbrock")
    wait_done(page)
    page.add_init_script(RECORD_GROWTH)
    page.goto(f"{live_server}/?spec={encode(long_run)}")
    wait_done(page)
    assert page.evaluate("() => document.querySelector('#contour-plot').data[0].type") == "contour"
    seen = page.evaluate("() => window.__lengths")
    assert page.evaluate(PATHS) == [20_001] * 16  # the recorder may miss the last paint
    # Drawn while streaming: the paths were seen part-way before the end (how often
    # depends on the machine's load; once proves the drawing did not wait for the end).
    growing = [lengths[0] for lengths in seen if 1 < lengths[0] < 20_001]
    assert growing and growing == sorted(growing), seen
    page.goto(f"{live_server}/?preset=rosenbrock")
    wait_done(page)
    page.screenshot(path=screenshots / "main-1920x1080.png")
    assert not errors


def test_editing_a_hyperparameter_reruns_and_changes_the_path(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/?preset=too-large")
    wait_done(page)
    before = page.evaluate(LAST_POINTS)
    page.evaluate("() => { document.body.dataset.run = 'edited'; }")
    page.fill("#optimizer-list li:nth-child(1) [data-param=lr]", "0.05")
    wait_done(page)
    after = page.evaluate(LAST_POINTS)
    assert after[0] != before[0] and after[1:] == before[1:]
    assert "#spec=" in address(page) and "preset=" not in address(page)


def address(page: Page) -> str:
    """The address now (``page.url`` does not follow ``history.replaceState``)."""
    return page.evaluate("() => location.href")


def url_spec(page: Page) -> dict:
    """The spec the page's address holds now (in its fragment)."""
    return spec_in(address(page))


def spec_in(href: str) -> dict:
    """The spec an address holds in its fragment."""
    value = parse_qs(urlparse(href).fragment)["spec"][0]
    return json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


def test_optimizer_entries_are_duplicated_removed_added_and_scheduled(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/?preset=minibatch")
    wait_done(page)
    entries = page.locator("#optimizer-list > li")
    expect(entries).to_have_count(3)
    assert entries.nth(0).locator("[data-role=batch]").input_value() == "1"  # a data surface

    def edited(action: Callable[[], None]) -> dict:
        page.evaluate("() => { document.body.dataset.run = 'edited'; }")
        action()
        wait_done(page)
        return url_spec(page)

    spec = edited(lambda: entries.nth(0).locator("[data-action=duplicate]").click())
    assert [entry.get("batch_size") for entry in spec["optimizers"]] == [1, 1, 16, None]
    spec = edited(lambda: entries.nth(2).locator("[data-action=remove]").click())
    assert [entry.get("batch_size") for entry in spec["optimizers"]] == [1, 1, None]
    spec = edited(lambda: page.click("#add-optimizer"))
    assert spec["optimizers"][-1] == {"id": "adam", "params": {}}
    spec = edited(lambda: entries.nth(3).locator("[data-role=schedule-kind]").select_option("step"))
    assert spec["optimizers"][3]["schedule"] == {"kind": "step"}
    expect(entries.nth(3).locator("[data-schedule=step_size]")).to_have_value("10")
    spec = edited(lambda: entries.nth(3).locator("[data-schedule=gamma]").fill("0.5"))
    assert spec["optimizers"][3]["schedule"] == {"kind": "step", "gamma": 0.5}
    expect(page.locator("#summary tbody tr")).to_have_count(4)


def test_an_invalid_value_shows_the_servers_message(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/?preset=ravine")
    wait_done(page)
    page.fill("#optimizer-list li:nth-child(2) [data-param=momentum]", "-0.5")
    message = page.locator("#optimizer-list li:nth-child(2) .field-error")
    expect(message).to_have_text("momentum must be ≥ 0, got -0.5")
    page.fill("#optimizer-list li:nth-child(2) [data-param=momentum]", "0.5")
    wait_done(page)
    expect(page.locator(".field-error")).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_start_past_the_divergence_bound_is_refused_not_drawn(
    page: Page, live_server: str, lang: str
) -> None:
    """UI fuzz seed 196 (sin(x)·cos(y) is finite at x = 1e300): the run diverged at its
    start and the page drew a marker at translate(5.28e+301, …), which Chromium refuses."""
    errors = watch_errors(page)
    page.goto(f"{live_server}/?lang={lang}#spec=" + encode(
        {"surface": {"id": "custom", "expression": "sin(x)*cos(y)"}, "optimizers": [{"id": "adam"}]}
    ))  # fmt: skip
    wait_done(page)
    page.fill("#start-y", "0.5")  # a start is both coordinates
    wait_done(page)
    page.fill("#start-x", "1e300")
    words = "divergence bound (±1e+08)" if lang == "en" else "発散判定の範囲（±1e+08）"
    expect(page.locator(".field-error")).to_contain_text(words)
    settled(page)
    painted(page)
    assert not [e for e in errors if "WebGL" not in e and "status of 422" not in e], errors
    markers = page.evaluate(
        "() => document.querySelector('#contour-plot').data.filter((t) => t.meta)"
        ".map((t) => Math.max(...Array.from(t.x).map(Math.abs)))"
    )
    assert max(markers) < 1e8


def test_a_custom_formula_shows_its_gradient_and_runs(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/?preset=ravine")
    wait_done(page)
    page.select_option("#surface-select", "custom")
    page.fill("#formula-input", "x^2 + 3*y^2 + sin(x)")
    expect(page.locator("#formula-preview")).to_contain_text("∂f/∂x = 2*x + cos(x)")
    wait_done(page)
    page.fill("#formula-input", "x^2 + z")
    expect(page.locator("#formula-preview")).to_contain_text("unknown name 'z' at column 7")


def test_a_failed_run_marks_the_old_results_stale_and_says_why_once(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/?preset=ravine")
    wait_done(page)
    stale = page.locator("#stale")
    expect(stale).to_be_hidden()
    page.select_option("#surface-select", "custom")
    wait_done(page)
    page.fill("#formula-input", "x^2 + z")
    expect(page.locator("body")).to_have_attribute("data-run", "error")
    expect(stale).to_be_visible()
    expect(page.locator("#formula-preview")).to_contain_text("unknown name 'z' at column 7")
    assert page.locator("body").inner_text().count("unknown name 'z'") == 1
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('.plot-main')).opacity")
        == "0.3"
    )
    page.fill("#formula-input", "x^2 + y^2")
    wait_done(page)
    expect(stale).to_be_hidden()
    # A bad learning rate: the same, its message next to its field.
    field = page.locator("#optimizer-list [data-param='lr']").first
    field.fill("-1")
    field.dispatch_event("change")
    expect(stale).to_be_visible()
    expect(page.locator(".field-error")).to_have_count(1)


def test_csv_mode_shows_its_own_fields_and_an_empty_box_runs_nothing(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/?preset=line-fit")
    wait_done(page)
    expect(page.locator("#generate-params")).to_be_visible()
    page.select_option("#data-mode", "data")
    expect(page.locator("#generate-params")).to_be_hidden()
    expect(page.locator("#csv-box")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-run", "error")  # no data yet
    expect(page.locator("#stale")).to_be_visible()
    expect(page.locator("#csv-status")).to_have_class(re.compile("error"))
    page.fill("#csv-input", "x,t\n0,1\n1,3\n2,5.1")
    wait_done(page)
    expect(page.locator("#stale")).to_be_hidden()
    expect(page.locator("#csv-status")).to_have_text("3 points read")
    page.fill("#csv-input", "")
    expect(page.locator("body")).to_have_attribute("data-run", "error")
    expect(page.locator("#csv-status")).to_have_text("at least 2 points are needed")


def test_a_copied_link_reopens_the_same_view(
    page: Page, context: BrowserContext, live_server: str
) -> None:
    page.goto(f"{live_server}/?preset=saddle")
    wait_done(page)
    page.fill("#steps", "77")
    page.fill("#start-x", "-1.2")
    page.evaluate("() => { document.body.dataset.run = 'edited'; }")
    wait_done(page)
    page.click("#share")
    link = page.input_value("#share-text")
    assert link.startswith(f"{live_server}/?lang=en#spec=")
    points = page.evaluate(LAST_POINTS)
    again = context.new_page()
    again.goto(link)
    wait_done(again)
    assert again.evaluate(LAST_POINTS) == points
    assert again.input_value("#steps") == "77" and again.input_value("#start-x") == "-1.2"
    page.keyboard.press("Escape")
    page.click("#embed")
    snippet = page.input_value("#share-text")
    assert snippet.startswith(f'<iframe src="{live_server}/embed?lang=en#spec=')
    context.clock.install()
    embedded = context.new_page()
    embedded.goto(snippet.split('"')[1])
    played(embedded, context)
    embedded_last = embedded.evaluate(
        "() => document.querySelector('#plot').data.filter((t) => t.meta && Number.isInteger("
        "t.meta.run)).map((t) => [t.x.at(-1), t.y.at(-1)])"
    )
    assert embedded_last == points  # the embed plays the same runs, read from its fragment


def test_three_d_view(page: Page, live_server: str, screenshots: Path) -> None:
    errors = watch_errors(page)
    page.goto(f"{live_server}/?preset=himmelblau&view=3d")
    wait_done(page)
    expect(page.locator("#surface-plot")).to_be_visible()
    kinds = page.evaluate("() => document.querySelector('#surface-plot').data.map((t) => t.type)")
    assert kinds[0] == "surface" and kinds.count("scatter3d") == 4
    painted(page)
    page.screenshot(path=screenshots / "3d-1920x1080.png")
    assert not [e for e in errors if "WebGL" not in e]


def test_playback_replays_with_keyboard_and_scrubber(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/?preset=too-large")
    wait_done(page)
    page.evaluate(
        "() => { const s = document.querySelector('#scrubber'); s.value = '10';"
        " s.dispatchEvent(new Event('input', { bubbles: true })); }"
    )
    page.wait_for_function(f"({PATHS})()[0] === 11")
    assert page.evaluate(PATHS) == [11, 11, 11]
    assert page.input_value("#scrubber") == "10"
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"({PATHS})()[0] === 12")
    assert page.evaluate(PATHS) == [12, 12, 12]
    page.keyboard.press("Space")
    page.wait_for_function(f"({PATHS})()[0] > 30")
    page.keyboard.press("Space")


LOSS_AXES = """() => { const l = document.querySelector('#convergence-plot')._fullLayout;
  return [l.xaxis.range, l.yaxis.range].map((r) => r.map((v) => Number(v).toPrecision(8))); }"""
LOSS_POINTS = "() => document.querySelector('#convergence-plot').data.at(-1).x.length"


def test_scrubbing_and_clicking_the_loss_plot_keep_its_axes(page: Page, live_server: str) -> None:
    """Scrubbing shrank the loss plot's axes to the steps so far; a click did not."""
    page.goto(f"{live_server}/#preset=ravine")
    wait_done(page)
    whole = page.evaluate(LOSS_AXES)
    page.evaluate(
        "() => { const s = document.querySelector('#scrubber'); s.value = '20';"
        " s.dispatchEvent(new Event('input', { bubbles: true })); }"
    )
    page.wait_for_function(f"({LOSS_POINTS})() === 21")
    assert page.evaluate(LOSS_AXES) == whole
    page.evaluate(  # the whole paths drawn: then click the last run's point 100
        "() => { const s = document.querySelector('#scrubber'); s.value = s.max;"
        " s.dispatchEvent(new Event('input', { bubbles: true })); }"
    )
    page.wait_for_function(f"({LOSS_POINTS})() > 100")
    x, y = page.evaluate(
        "() => { const n = document.querySelector('#convergence-plot'), l = n._fullLayout;"
        " const t = n.data.at(-1), r = n.getBoundingClientRect();"
        " return [r.x + l.xaxis._offset + l.xaxis.c2p(t.x[100]),"
        " r.y + l.yaxis._offset + l.yaxis.c2p(t.y[100])]; }"
    )
    page.mouse.click(x, y)
    page.wait_for_function(f"({LOSS_POINTS})() === 101")
    assert page.evaluate(LOSS_AXES) == whole
    page.evaluate("() => { document.body.dataset.run = 'edited'; }")
    page.fill("#steps", "60")  # a new run: its own axes again
    wait_done(page)
    assert page.evaluate(LOSS_AXES)[0] != whole[0]


def test_embed_renders_and_autoplays_with_the_network_cut(
    context: BrowserContext, live_server: str, screenshots: Path
) -> None:
    attempted = cut_network(context)
    context.clock.install()
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{live_server}/embed?preset=ravine")
    played(page, context)
    kinds = page.evaluate("() => document.querySelector('#plot').data.map((t) => t.type)")
    assert kinds[0] == "contour"
    page.screenshot(path=screenshots / "embed-1920x1080.png")
    assert not attempted and not errors


def test_exported_file_plays_offline(
    context: BrowserContext, live_server: str, tmp_path: Path, screenshots: Path
) -> None:
    response = httpx.get(f"{live_server}/export?preset=minibatch", timeout=30)
    assert response.headers["content-disposition"].startswith("attachment")
    exported = tmp_path / "minibatch.html"
    exported.write_bytes(response.content)
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    context.clock.install()
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(exported.as_uri())
    played(page, context)
    data = json.loads(page.text_content("#gradtrail-data"))
    lengths = page.evaluate(
        "() => document.querySelector('#plot').data.filter((t) => t.meta).map((t) => t.x.length)"
    )
    assert lengths == [len(run["x"]) for run in data["runs"]]
    page.screenshot(path=screenshots / "export-1920x1080.png")
    assert not errors


def test_pasted_csv_data_fits_its_own_line(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/?preset=line-fit")
    wait_done(page)
    page.select_option("#data-mode", "data")
    page.fill("#csv-input", "x,t\n0,1.1\n1,2.9\n2,5.2\n3,6.8\n4,9.1")
    expect(page.locator("#csv-status")).to_have_text("5 points read")
    wait_done(page)
    page.wait_for_function(
        "() => document.querySelector('#contour-plot').data.some((t) => t.name === 'minimum')"
    )
    minimum = page.evaluate(
        "() => { const m = document.querySelector('#contour-plot').data.find("
        "(t) => t.name === 'minimum'); return [m.x[0], m.y[0]]; }"
    )
    assert minimum == pytest.approx([1.99, 1.04], abs=1e-9)  # numpy.polyfit of these points
    page.fill("#csv-input", "x,t\n0,1\n1,oops")
    expect(page.locator("#csv-status")).to_contain_text("line 3 is not two numbers")


def test_png_and_svg_downloads(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/?preset=ravine")
    wait_done(page)
    for button, suffix in (("#download-png", ".png"), ("#download-svg", ".svg")):
        with page.expect_download() as download:
            page.click(button)
        assert download.value.suggested_filename == f"gradtrail{suffix}"


def test_laptop_screen_fits(page: Page, live_server: str, screenshots: Path) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/?preset=minibatch")
    wait_done(page)
    assert page.evaluate("() => document.documentElement.scrollHeight") <= 768
    page.screenshot(path=screenshots / "main-1366x768.png")


def test_a_page_without_plotly_says_so(page: Page, live_server: str) -> None:
    errors = watch_errors(page)
    page.route("**/plotly-cartesian.min.js", lambda route: route.abort())
    page.goto(f"{live_server}/?preset=rosenbrock")
    expect(page.locator("#notice")).to_contain_text("plotly.js did not load")
    placeholder = "getComputedStyle(document.querySelector('#contour-plot'), '::before').content"
    assert page.evaluate(placeholder) == '"Drawing…"'
    assert [e for e in errors if "plotly-cartesian" not in e and "ERR_FAILED" not in e] == []


SURFACE_KINDS = "() => (document.querySelector('#surface-plot').data || []).map((t) => t.type)"


# Whether the plotly.js that drew a plot knows each of its traces: a bundle without a trace
# type draws it as an invisible scatter (the gl3d one has no contour, the cartesian one no
# surface).
TYPES_KNOWN = """(selector) => {
  const node = document.querySelector(selector);
  return node._fullData.every((full) => full.type === (node.data[full.index].type ?? 'scatter'));
}"""


def test_the_3d_toggle_loads_the_gl3d_bundle_offline_beside_the_cartesian_one(
    context: BrowserContext, live_server: str
) -> None:
    """The page starts with the cartesian bundle; 3-D fetches the gl3d one from this server,
    which draws the 3-D plot while the cartesian one keeps drawing the contour."""
    attempted = cut_network(context)
    page = context.new_page()
    errors = watch_errors(page)
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if "/vendor/plotly" in r.url else None)
    page.goto(f"{live_server}/?preset=himmelblau")
    wait_done(page)
    assert [url.rsplit("/", 1)[1] for url in scripts] == ["plotly-cartesian.min.js"]
    page.click("#toggle-3d")
    page.wait_for_function(f"({SURFACE_KINDS})()[0] === 'surface'")
    assert page.evaluate(SURFACE_KINDS).count("scatter3d") == 4
    assert [url.rsplit("/", 1)[1] for url in scripts[1:]] == ["plotly-gl3d.min.js"]
    assert page.evaluate(TYPES_KNOWN, "#surface-plot")
    assert page.evaluate("() => Boolean(window.Plotly.PlotSchema.get().traces.contour)")
    assert page.evaluate("() => Boolean(window.PlotlyGl3d.PlotSchema.get().traces.surface)")
    page.click("#toggle-3d")  # back to the contour, still drawn by the cartesian bundle
    before = page.evaluate(LAST_POINTS)
    page.evaluate("() => { document.body.dataset.run = 'edited'; }")
    page.fill("#optimizer-list li:nth-child(1) [data-param=lr]", "0.002")
    wait_done(page)
    assert page.evaluate(LAST_POINTS)[0] != before[0]
    assert page.evaluate(TYPES_KNOWN, "#contour-plot")
    assert "contour" in page.evaluate(
        "() => document.querySelector('#contour-plot')._fullData.map((t) => t.type)"
    )
    assert len(scripts) == 2
    assert not attempted
    assert not [e for e in errors if "WebGL" not in e]


def test_a_3d_view_without_its_bundle_says_so_and_stays_2d(page: Page, live_server: str) -> None:
    page.route("**/plotly-gl3d.min.js", lambda route: route.abort())
    page.goto(f"{live_server}/?preset=himmelblau")
    wait_done(page)
    page.click("#toggle-3d")
    expect(page.locator("#notice")).to_contain_text("3-D view could not load")
    expect(page.locator("#contour-plot")).to_be_visible()
    assert "view=3d" not in page.evaluate("() => location.href")


def test_a_view_with_5000_points_of_data_shares_embeds_and_exports(
    page: Page, context: BrowserContext, live_server: str, tmp_path: Path
) -> None:
    """A ?spec= of this size made an 81,622-character URL, which the server refused (400)."""
    x = [round(-5 + 10 * i / 4999, 6) for i in range(5000)]
    spec = {
        "surface": {"id": "regression", "data": {"x": x, "y": [2 * v + 1 for v in x]}},
        "start": [3.0, 2.0],
        "steps": 60,
        "optimizers": [{"id": "gd", "params": {"lr": 0.02}}],
    }
    errors = watch_errors(page)
    page.goto(f"{live_server}/#spec={encode(spec)}")
    wait_done(page)
    page.click("#share")
    link = page.input_value("#share-text")
    assert link.startswith(f"{live_server}/?lang=en#spec=") and len(link) > 80_000
    page.keyboard.press("Escape")
    page.click("#embed")
    embed = page.input_value("#share-text").split('"')[1]
    page.keyboard.press("Escape")
    context.clock.install()
    opened = context.new_page()
    opened.goto(embed)
    played(opened, context)
    saved = download(page, "#export", tmp_path / "export.html")
    assert saved.stat().st_size > 100_000 and "gradtrail-data" in saved.read_text()
    assert errors == []


def test_a_spec_too_large_for_a_link_is_offered_as_a_file(page: Page) -> None:
    with serving(max_link_characters="5000") as base:
        x = [i / 100 for i in range(600)]
        spec = {"surface": {"id": "regression", "data": {"x": x, "y": [3 * v for v in x]}},
                "steps": 20, "optimizers": [{"id": "gd"}]}  # fmt: skip
        page.goto(f"{base}/#spec={encode(spec)}")
        wait_done(page)
        with page.expect_download() as download:
            page.click("#share")
        expect(page.locator("#notice")).to_contain_text("too long")
        assert json.loads(Path(download.value.path()).read_text()) == spec


def test_the_saddle_lessons_loss_plot_has_a_sane_log_axis(
    page: Page, live_server: str, screenshots: Path
) -> None:
    """Its loss goes to −1: the log axis ran 1, 10⁻⁴⁹ … 10⁻²⁹⁴; now it plots f − f*."""
    page.goto(f"{live_server}/#preset=saddle")
    wait_done(page)
    axis = page.evaluate(
        "() => { const a = document.querySelector('#convergence-plot')._fullLayout.yaxis;"
        " return {type: a.type, range: a.range, title: a.title.text}; }"
    )
    assert axis["type"] == "log" and "f*" in axis["title"]
    assert -20 < axis["range"][0] < axis["range"][1] < 5  # log10 units: no 10⁻²⁹⁴
    page.screenshot(path=screenshots / "saddle-loss-1920x1080.png")
    wide = page.evaluate("() => document.querySelector('#convergence-plot')._fullLayout.width")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.wait_for_function(  # plotly follows the window's size
        "(wide) => document.querySelector('#convergence-plot')._fullLayout.width < wide", arg=wide
    )
    page.screenshot(path=screenshots / "saddle-loss-1366x768.png")
