"""The lecture kit: the command-line export, its images, and the example notebook."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import traceback
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from gradtrail.presets import PRESETS
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
