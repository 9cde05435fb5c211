"""The vendored plotly.js bundles: the pinned version of the plotly package's, unaltered, served."""

from __future__ import annotations

import re
import subprocess
import sys

import plotly.offline
from fastapi.testclient import TestClient

from gradtrail import figures, run
from gradtrail.app.assets import PLOTLY_CARTESIAN_JS, PLOTLY_GL3D_JS, VENDOR
from gradtrail.app.static_files import plotly_urls

FETCH = VENDOR / "fetch.py"


def bundle_version(path: object) -> str:
    """The ``v4.1.1`` in a plotly.js bundle's banner."""
    with open(path, encoding="utf-8") as bundle:  # type: ignore[call-overload]
        banner = bundle.read(200)
    found = re.search(r"plotly\.js.* v(\d+\.\d+\.\d+)", banner)
    assert found, banner
    return found.group(1)


def test_both_bundles_are_the_plotly_packages_version() -> None:
    pinned = re.search(r'^VERSION = "(.+)"$', FETCH.read_text(), re.MULTILINE)
    assert pinned
    assert pinned.group(1) == plotly.offline.get_plotlyjs_version()
    assert bundle_version(PLOTLY_CARTESIAN_JS) == pinned.group(1)
    assert bundle_version(PLOTLY_GL3D_JS) == pinned.group(1)


# What each view draws (engine/figures.py): the 2-D figures and the 3-D one.
CARTESIAN_TRACES = ("contour", "heatmap", "scatter")
GL3D_TRACES = ("surface", "scatter3d")


def registered_traces(path: object) -> set[str]:
    """The trace types a plotly.js bundle registers."""
    with open(path, encoding="utf-8") as bundle:  # type: ignore[call-overload]
        return set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle.read()))


def test_each_bundle_holds_the_traces_of_its_views() -> None:
    """The gl3d bundle has no contour: the page keeps the cartesian one for the 2-D plots."""
    cartesian, gl3d = registered_traces(PLOTLY_CARTESIAN_JS), registered_traces(PLOTLY_GL3D_JS)
    assert set(CARTESIAN_TRACES) <= cartesian
    assert set(GL3D_TRACES) <= gl3d
    assert "contour" not in gl3d and "surface" not in cartesian


def test_each_view_draws_only_traces_of_its_bundle() -> None:
    result = run({"surface": {"id": "himmelblau"}, "steps": 5, "optimizers": [{"id": "gd"}]})
    types = {name: {trace.type for trace in build(result).data} for name, build in
             [("contour", figures.contour), ("convergence", figures.convergence),
              ("surface3d", figures.surface3d)]}  # fmt: skip
    assert types["contour"] | types["convergence"] <= set(CARTESIAN_TRACES)
    assert types["surface3d"] == set(GL3D_TRACES)


def test_the_vendored_files_match_their_checksums() -> None:
    done = subprocess.run(
        [sys.executable, str(FETCH), "--check"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_page_preloads_the_cartesian_bundle_and_serves_both(client: TestClient) -> None:
    page = client.get("/").text
    urls = plotly_urls()
    assert f'<link rel="preload" href="{urls["cartesian"]}" as="script">' in page
    assert page.count("plotly-gl3d.min.js") == 1  # in the bundle list: loaded when 3-D opens
    cartesian = client.get(urls["cartesian"])
    gl3d = client.get(urls["gl3d"])
    assert cartesian.status_code == gl3d.status_code == 200
    assert cartesian.content == PLOTLY_CARTESIAN_JS.read_bytes()
    assert gl3d.content == PLOTLY_GL3D_JS.read_bytes()
    assert client.get("/static/vendor/plotly.min.js").status_code == 404  # the full bundle


def test_docs_assets_come_from_this_server(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert sources, path
        assert all(source.startswith("/") for source in sources), sources
        for source in sources:
            assert client.get(source).status_code == 200, source
