"""The lecture kit: the command-line export, its images, and the example notebook."""

from __future__ import annotations

import ast
import base64
import contextlib
import io
import json
import re
import traceback
from html.parser import HTMLParser
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from gradtrail import RunSpec
from gradtrail.app.jsonio import dumps
from gradtrail.app.player import player_data
from gradtrail.app.routers.pages import view_answer
from gradtrail.figures import number
from gradtrail.figures.panel_frames import PANEL_FRAMES
from gradtrail.presets import PRESETS
from gradtrail.texts import messages
from tests.app.test_cli import gradtrail

ROOT = Path(__file__).resolve().parents[2]


class Resources(HTMLParser):
    """Every URL the document itself would load: src/href/data attributes and CSS url()."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_style = tag == "style"
        for name, value in attrs:
            if name in ("src", "href", "data", "poster", "srcset") and value:
                self.urls.append(value)

    def handle_data(self, data: str) -> None:
        if self.in_style and "url(" in data:
            self.urls.extend(part.split(")")[0] for part in data.split("url(")[1:])


def payload(html: str) -> dict:
    start = html.index('<script type="application/json" id="gradtrail-data">')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body.replace("<\\/", "</"))


def test_cli_export_is_self_contained_html(tmp_path: Path) -> None:
    out = tmp_path / "ravine.html"
    done = gradtrail("export", "--preset", "ravine", "-o", str(out))
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    parser = Resources()
    parser.feed(html)
    assert not [url for url in parser.urls if url.startswith(("http:", "https:", "//"))]
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    data = payload(html)
    assert data["title"] == "A narrow ravine" and len(data["runs"]) == 3


def test_cli_and_page_exports_show_the_same_plot(tmp_path: Path, live_server: str) -> None:
    spec = {
        "surface": {"id": "beale"},
        "steps": 120,
        "optimizers": [{"id": "adam"}, {"id": "rmsprop"}],
    }
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    out = tmp_path / "beale.html"
    assert gradtrail("export", str(spec_file), "-o", str(out)).returncode == 0
    from gradtrail.app.urlspec import encode

    page = httpx.get(f"{live_server}/export?spec={encode(spec)}", timeout=30).text
    assert payload(out.read_text()) == payload(page)


@pytest.mark.browser  # the command line drives Debian's Chromium for its stills
@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_cli_still_images(tmp_path: Path, suffix: str) -> None:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs Chromium: sudo apt-get install -y chromium")
    out = tmp_path / f"ravine.{suffix}"
    done = gradtrail(
        "export", "--preset", "ravine", "-o", str(out), "--width", "800", "--height", "500"
    )
    assert done.returncode == 0, done.stderr
    content = out.read_bytes()
    if suffix == "png":
        assert content.startswith(b"\x89PNG") and len(content) > 10_000
    else:
        assert content.startswith(b"<svg") and b"A narrow ravine" in content


def test_cli_export_rejects_bad_input(tmp_path: Path) -> None:
    out = str(tmp_path / "x.html")
    assert gradtrail("export", "--preset", "nope", "-o", out).returncode == 2
    assert gradtrail("export", "-o", out).returncode == 2
    assert gradtrail("export", "--preset", "ravine", "-o", str(tmp_path / "x.avi")).returncode == 2


def whole_frame(panels: dict, panel: str, index: int) -> dict:
    """Frame ``index`` of a cursor panel as the player draws it: the shared template put
    back, a null trace the same trace of the frame before."""
    frames = panels["frames"][panel]
    data = frames[0]["data"]
    for frame in frames[1 : index + 1]:
        if len(frame["data"]) == len(data):
            data = [d if t is None else t for t, d in zip(frame["data"], data, strict=True)]
        else:
            data = frame["data"]
    return {"data": data, "layout": {**frames[index]["layout"], "template": panels["template"]}}


def values(array: dict | list) -> np.ndarray:
    """A trace's numbers as plotly's JSON writes them (a list, or base64 of a typed array)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array, dtype=np.float64)


def test_an_export_shows_the_data_view_at_the_cursor(client: TestClient) -> None:
    """The perceptron lesson opens the data view: the export carries it at steps from the
    first to the last, each frame's model line the run's (w, b) at that step."""
    data = payload(client.get("/export?preset=perceptron").text)
    assert data["caption"] == PRESETS["perceptron"].caption()
    panels = data["panels"]
    assert panels["ids"] == ["data"] and "averages" not in panels
    run = data["runs"][0]
    last = len(run["x"]) - 1
    steps = panels["steps"]
    assert steps[0] == 0 and steps[-1] == last and steps == sorted(set(steps))
    assert 20 <= len(steps) <= 24 and len(panels["frames"]["data"]) == len(steps)
    assert any(t is None for frame in panels["frames"]["data"] for t in frame["data"])
    for index, step in enumerate(steps):
        frame = whole_frame(panels, "data", index)
        (model,) = [t for t in frame["data"] if (t.get("meta") or {}).get("role") == "model"]
        w, b = run["x"][step], run["y"][step]
        x, y = values(model["x"]), values(model["y"])
        np.testing.assert_allclose(y, w * x + b, rtol=1e-12, atol=1e-12)
    # the loss plot: every run's losses, against the step
    (loss,) = panels["loss"]["data"]
    np.testing.assert_allclose(values(loss["y"]), run["loss"], rtol=1e-12)


def test_an_export_shows_the_backward_pass_at_the_cursor(client: TestClient) -> None:
    """The chain lesson opens the backward pass: each frame is the graph at the run's
    point of its step (the parameters' forward values under their nodes)."""
    data = payload(client.get("/export?preset=chain-tanh&lang=ja").text)
    panels = data["panels"]
    assert panels["ids"] == ["backprop"] and data["lang"] == "ja"
    run = data["runs"][0]
    for index in (0, len(panels["steps"]) // 2, len(panels["steps"]) - 1):
        step = panels["steps"][index]
        frame = whole_frame(panels, "backprop", index)
        labels = [a["text"] for a in frame["layout"]["annotations"]]
        for value in (run["x"][step], run["y"][step]):
            assert any(label.startswith(number(value)) for label in labels), (value, labels)
        assert frame["layout"]["meta"]["least_width"] > 0
        # the error signals' tags in the export's language, as the page's panel has them
        update = messages("ja")["backprop.chain_update_w2"].split("{value}")[0]
        assert any(label.replace("<br>", " ").startswith(update) for label in labels), labels


def test_an_export_shows_the_moving_averages(client: TestClient) -> None:
    """The β lesson opens the averages: Adam's first moment over every step, as the
    recurrence m = β₁ m + (1 − β₁) g and m̂ = m / (1 − β₁ᵗ) give it from the same g."""
    data = payload(client.get("/export?preset=beta").text)
    panels = data["panels"]
    assert panels["ids"] == ["averages"] and panels["frames"] == {}
    assert all("state" not in run for run in data["runs"])  # the panel carries what it draws
    spec = PRESETS["beta"].run_spec()
    for index, entry in enumerate(spec.optimizers):
        beta = entry.params["betas"][0]
        traces = {
            t["meta"]["averages"]["state"]: values(t["y"])
            for t in panels["averages"]["data"]
            if t["meta"]["averages"]["run"] == index and t["meta"]["averages"]["show"] == "value"
        }
        g, m = traces["gradient_x"], np.zeros_like(traces["gradient_x"])
        for t in range(g.size):
            m[t] = beta * (m[t - 1] if t else 0.0) + (1 - beta) * g[t]
        np.testing.assert_allclose(traces["m_x"], m, rtol=1e-12, atol=1e-15)
        corrected = m / (1 - beta ** np.arange(1, g.size + 1))
        expected = corrected if entry.params["bias_correction"] else m
        np.testing.assert_allclose(traces["m_hat_x"], expected, rtol=1e-10, atol=1e-15)


def test_panels_chosen_in_the_address(client: TestClient) -> None:
    """``panels=`` overrides the lesson's (empty: none), on the export, the embed and the
    player's data; an id that is no panel, or the data view of a surface without data,
    is a 422 naming panels."""
    assert payload(client.get("/export?preset=ravine").text)["panels"]["ids"] == []
    chosen = payload(client.get("/embed?preset=ravine&panels=averages,backprop").text)
    assert chosen["panels"]["ids"] == ["backprop", "averages"]  # in the page's order
    assert payload(client.get("/export?preset=perceptron&panels=").text)["panels"]["ids"] == []
    player = client.get("/api/player?preset=perceptron&panels=backprop").json()
    assert player["panels"]["ids"] == ["backprop"]
    spec = {"surface": {"id": "regression"}, "steps": 20, "optimizers": [{"id": "gd"}]}
    posted = client.post("/export?panels=data", json=spec)
    assert payload(posted.text)["panels"]["ids"] == ["data"]
    assert client.post("/api/player?panels=data", json=spec).json()["panels"]["ids"] == ["data"]
    for address, message in [
        ("/export?preset=ravine&panels=loss", "unknown panel 'loss'"),
        ("/embed?preset=ravine&panels=data", "the data panel needs a surface with data"),
        ("/api/player?preset=ravine&panels=data,x", "unknown panel 'x'"),
    ]:
        answer = client.get(address)
        assert answer.status_code == 422, address
        (item,) = answer.json()["detail"]
        assert item["loc"] == ["query", "panels"] and message in item["msg"]
    saddle = {**spec, "surface": {"id": "saddle"}}
    for path in ("/export", "/api/player"):
        answer = client.post(f"{path}?panels=data", json=saddle)
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["query", "panels"]


def test_a_lesson_with_two_panels_exports_within_its_budget(client: TestClient) -> None:
    """The backward pass and the data view together (the heaviest lesson): the file under
    2.5 MB, and the admission's estimate of its data not below what it is."""
    html = client.get("/export?preset=bias-input-one").text
    data = payload(html)
    assert data["panels"]["ids"] == ["backprop", "data"]
    assert len(html.encode()) <= 2.5 * 2**20
    spec = PRESETS["bias-input-one"].run_spec()
    assert view_answer(spec, ("backprop", "data")) >= len(json.dumps(data).encode())
    # 5,000 samples: each data view frame draws them all (and its estimate says so)
    x = [round(-5 + 10 * i / 4999, 6) for i in range(5000)]
    large = RunSpec.model_validate({
        "surface": {"id": "regression", "data": {"x": x, "y": [2 * v + 1 for v in x]}},
        "steps": 60, "optimizers": [{"id": "gd"}, {"id": "gd", "batch_size": 10}],
    })  # fmt: skip
    drawn = player_data(large, panels=("data",))
    assert len(drawn["panels"]["frames"]["data"]) == PANEL_FRAMES
    assert view_answer(large, ("data",)) >= len(dumps(drawn))


def test_cli_export_panels(tmp_path: Path) -> None:
    """--panels chooses the panels; one that cannot be shown is one line and status 2."""
    out = tmp_path / "ravine.html"
    done = gradtrail("export", "--preset", "ravine", "--panels", "averages", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert payload(out.read_text())["panels"]["ids"] == ["averages"]
    for wrong, message in [("loss", "unknown panel 'loss'"), ("data", "needs a surface")]:
        done = gradtrail("export", "--preset", "ravine", "--panels", wrong, "-o", str(out))
        assert done.returncode == 2 and message in done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def run_notebook(path: Path) -> list[tuple[str, str]]:
    """Each code cell's outputs as ``(kind, text)``, run as Jupyter runs them (one
    namespace, top to bottom, the last expression displayed) without Jupyter: a figure
    displays as a figure, anything else as its repr; an error becomes its traceback."""
    notebook = json.loads(path.read_text())
    namespace: dict[str, object] = {"__name__": "__main__"}
    outputs: list[tuple[str, str]] = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(tree, "<cell>", "exec"), namespace)
                if last is not None:
                    value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
                    if hasattr(value, "_repr_mimebundle_") or hasattr(value, "_repr_html_"):
                        outputs.append(("display", type(value).__name__))
                    elif value is not None:
                        outputs.append(("repr", repr(value)))
        except Exception:
            outputs.append(("error", traceback.format_exc()))
        if printed.getvalue():
            outputs.append(("stream", printed.getvalue()))
    return outputs


PYTHON_REPR = re.compile(r"<[\w.]+ (?:object|method|function|bound method)\b|<bound method")


@pytest.mark.slow  # the tour runs a 200-run sweep
def test_example_notebook_shows_what_a_reader_should_see() -> None:
    outputs = run_notebook(ROOT / "examples" / "tour.ipynb")
    errors = [text for kind, text in outputs if kind == "error"]
    assert not errors, errors[0]
    # What Jupyter would show as a bare repr (a list of tuples, a dict) is not for readers.
    assert [text for kind, text in outputs if kind == "repr"] == []
    shown = "\n".join(text for _, text in outputs)
    assert not PYTHON_REPR.search(shown), PYTHON_REPR.search(shown)
    assert "Traceback" not in shown
    assert shown.startswith("A narrow ravine\n")  # the lesson's title, then its caption
    assert PRESETS["ravine"].caption() in shown
    assert [kind for kind, _ in outputs].count("display") == 2  # contour and loss figures
    assert "largest learning rate that converged: 0.04" in shown


def test_notebook_check_sees_what_the_old_tour_printed(tmp_path: Path) -> None:
    """The check above fails on the tour's old first cell, a method printed as a repr."""
    cell = "from gradtrail.presets import PRESETS\nprint(PRESETS['ravine'].title)"
    notebook = {"cells": [{"cell_type": "code", "source": [cell]}]}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(notebook))
    ((kind, text),) = run_notebook(path)
    assert kind == "stream" and PYTHON_REPR.search(text)
