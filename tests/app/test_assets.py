"""The vendored plotly.js: the pinned version of the plotly package's, unaltered, served."""

from __future__ import annotations

import re
import subprocess
import sys

from fastapi.testclient import TestClient

from gradtrail.app.assets import PLOTLY_CARTESIAN_JS, PLOTLY_FULL_JS, VENDOR

FETCH = VENDOR / "fetch.py"


def bundle_version(path: object) -> str:
    """The ``v4.1.1`` in a plotly.js bundle's banner."""
    with open(path, encoding="utf-8") as bundle:  # type: ignore[call-overload]
        banner = bundle.read(200)
    found = re.search(r"plotly\.js.* v(\d+\.\d+\.\d+)", banner)
    assert found, banner
    return found.group(1)


def test_the_partial_bundle_is_the_full_bundles_version() -> None:
    pinned = re.search(r'^VERSION = "(.+)"$', FETCH.read_text(), re.MULTILINE)
    assert pinned
    assert bundle_version(PLOTLY_CARTESIAN_JS) == pinned.group(1)
    assert bundle_version(PLOTLY_FULL_JS) == pinned.group(1)


def test_the_vendored_files_match_their_checksums() -> None:
    done = subprocess.run(
        [sys.executable, str(FETCH), "--check"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_page_loads_the_partial_bundle_and_serves_both(client: TestClient) -> None:
    page = client.get("/").text
    assert '<link rel="preload" href="/static/vendor/plotly-cartesian.min.js"' in page
    assert "plotly.min.js" not in page
    partial = client.get("/static/vendor/plotly-cartesian.min.js")
    full = client.get("/static/vendor/plotly.min.js")
    assert partial.status_code == full.status_code == 200
    assert len(partial.content) < len(full.content) / 2


def test_docs_assets_come_from_this_server(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert sources, path
        assert all(source.startswith("/") for source in sources), sources
        for source in sources:
            assert client.get(source).status_code == 200, source
