"""The lecture kit: the command-line export, its images, and the example notebook."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

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
    assert gradtrail("export", "--preset", "ravine", "-o", str(tmp_path / "x.gif")).returncode == 2


def test_example_notebook_runs_top_to_bottom(tmp_path: Path) -> None:
    notebook = json.loads((ROOT / "examples" / "tour.ipynb").read_text())
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    script = tmp_path / "tour.py"
    script.write_text("\n\n".join(cells))
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "largest learning rate that converged" in done.stdout
