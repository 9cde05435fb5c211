"""The browser files travel gzipped at versioned URLs cached for good; nothing else is served
from /static/; pages and large JSON answers travel gzipped too, event streams never."""

from __future__ import annotations

import gzip
import json
import re
import tomllib
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from gradtrail.app.assets import PLOTLY_BUNDLES, STATIC
from gradtrail.app.routers.static import IMMUTABLE, REVALIDATE, accepts_gzip
from gradtrail.app.static_files import SHIPPED, folder_version
from tests.app.test_streams import LONG, events

ROOT = Path(__file__).resolve().parents[2]
BROWSER_ENCODINGS = {"accept-encoding": "gzip, deflate, br, zstd"}


def raw(client: TestClient, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    """The answer to a GET and its body as sent (not decompressed)."""
    with client.stream("GET", url, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def without_accept_encoding(client: TestClient, url: str) -> httpx.Response:
    request = client.build_request("GET", url)
    del request.headers["accept-encoding"]
    return client.send(request)


def page_urls(client: TestClient, path: str) -> list[str]:
    """Every /static/ URL a page names, in its attributes and in its bundle list."""
    page = client.get(path).text
    named = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    bundles = re.search(r'<script type="application/json" id="plotly-bundles">(.*?)</script>', page)
    return named + (list(json.loads(bundles.group(1)).values()) if bundles else [])


def bundle_urls(client: TestClient) -> dict[str, str]:
    page = client.get("/").text
    found = re.search(r'id="plotly-bundles">(.*?)</script>', page)
    assert found
    return json.loads(found.group(1))


@pytest.mark.parametrize("bundle", sorted(PLOTLY_BUNDLES))
def test_each_bundle_travels_gzipped_under_45_percent(client: TestClient, bundle: str) -> None:
    plain = (STATIC / PLOTLY_BUNDLES[bundle]).read_bytes()
    response, body = raw(client, bundle_urls(client)[bundle], {"accept-encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"].lower() == "accept-encoding"
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert len(body) < 0.45 * len(plain), (len(body), len(plain))
    assert int(response.headers["content-length"]) == len(body)
    assert gzip.decompress(body) == plain


@pytest.mark.parametrize("bundle", sorted(PLOTLY_BUNDLES))
def test_a_client_without_accept_encoding_gets_the_plain_file(
    client: TestClient, bundle: str
) -> None:
    response = without_accept_encoding(client, bundle_urls(client)[bundle])
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.headers["vary"].lower() == "accept-encoding"
    assert response.content == (STATIC / PLOTLY_BUNDLES[bundle]).read_bytes()
    refused = without_accept_encoding(client, "/")  # and gzip;q=0 refuses gzip
    assert "content-encoding" not in refused.headers
    assert not accepts_gzip("gzip;q=0, br") and accepts_gzip("br;q=1, gzip;q=0.5")
    assert accepts_gzip("*") and not accepts_gzip("identity") and not accepts_gzip("")


def test_every_url_the_pages_name_is_versioned_and_cached_for_good(client: TestClient) -> None:
    urls = {url for path in ("/", "/embed?preset=ravine") for url in page_urls(client, path)}
    assert len(urls) > 20  # the modules, the styles, plotly.js
    for url in urls:
        version, folder = url.split("/")[2:4]
        assert version == folder_version(folder), url
        response, body = raw(client, url, BROWSER_ENCODINGS)
        assert response.status_code == 200, url
        assert (
            response.headers["cache-control"]
            == IMMUTABLE
            == ("public, max-age=31536000, immutable")
        )
        assert response.headers["content-encoding"] == "gzip", url
        assert gzip.decompress(body) == (STATIC / url.split("/", 3)[3]).read_bytes(), url


def test_old_and_unknown_versions_still_work_but_are_revalidated(client: TestClient) -> None:
    main = (STATIC / "js" / "main.js").read_bytes()
    for url in ("/static/js/main.js", "/static/0123456789abcdef/js/main.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content == main
        assert response.headers["cache-control"] == REVALIDATE == "no-cache"
        again = client.get(url, headers={"if-none-match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


def test_only_the_shipped_browser_files_are_served(client: TestClient) -> None:
    version = folder_version("vendor")
    for url in (
        "/static/vendor/fetch.py",
        f"/static/{version}/vendor/fetch.py",
        "/static/vendor/SHA256SUMS",
        "/static/vendor/plotly.min.js",  # the plotly package's full bundle: not any more
        "/static/__init__.py",
        "/static/js/__init__.py",
        f"/static/{version}/templates/index.html",
        "/static/js/../vendor/fetch.py",
        "/static/js/%2e%2e%2fvendor%2ffetch.py",
    ):
        assert client.get(url).status_code == 404, url
    served = [
        f"/static/{folder}/{path.relative_to(STATIC / folder).as_posix()}"
        for folder, patterns in SHIPPED.items()
        for pattern in patterns
        for path in (STATIC / folder).glob(pattern)
    ]
    assert len(served) > 20
    fonts = [url for url in served if "/fonts/" in url]
    assert all(client.get(url).status_code == 200 for url in served if url not in fonts)
    for url in fonts:  # where KaTeX's stylesheet finds them: fonts/ beside it
        versioned = url.replace("/static/vendor/", f"/static/{version}/vendor/")
        font = client.get(versioned)
        assert font.status_code == 200 and font.headers["content-type"] == "font/woff2", url
    assert len(fonts) == 20
    for url in (f"/static/{version}/vendor/fonts/fetch.py", f"/static/{version}/js/fonts/x.woff2"):
        assert client.get(url).status_code == 404, url


def test_the_served_files_are_the_package_data() -> None:
    """What the wheel ships to browsers is what /static/ serves: one list, two spellings."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]["gradtrail.app.static"]
    assert sorted(package_data) == sorted(
        f"{folder}/{pattern}" for folder, patterns in SHIPPED.items() for pattern in patterns
    )


def test_pages_exports_and_large_json_travel_gzipped(client: TestClient) -> None:
    spec = {"surface": {"id": "rosenbrock"}, "steps": 500, "optimizers": [{"id": "adam"}]}
    answers = {
        "page": client.get("/"),
        "export": client.get("/export?preset=ravine"),
        "runs": client.post("/api/runs", json=spec),
        "catalogue": client.get("/api/optimizers"),
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert response.headers["content-encoding"] == "gzip", name
        assert "accept-encoding" in response.headers["vary"].lower(), name
    assert answers["export"].headers["content-disposition"].startswith("attachment")
    assert len(answers["runs"].json()["runs"][0]["x"]) == 501
    small = client.get("/api/health")  # a packet's worth: not worth compressing
    assert "content-encoding" not in small.headers


def test_event_streams_are_neither_compressed_nor_held_back(live_server: str) -> None:
    """A long run's first frame arrives, uncompressed, while the stream is still open."""
    headers = {"accept-encoding": "gzip"}
    url = f"{live_server}/api/runs/stream"
    with httpx.stream("POST", url, json=LONG, headers=headers, timeout=60) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers
        stream = events(response)  # kept: dropping the generator would close the response
        assert next(name for name, _ in stream if name == "frame") == "frame"
        health = httpx.get(f"{live_server}/api/health", timeout=10).json()
        assert health["open_streams"] >= 1  # the run is still computing
    sweep = {
        "surface": {"id": "quadratic"},
        "optimizer": {"id": "gd"},
        "steps": 20,
        "axes": [{"name": "lr", "low": 0.01, "high": 0.1, "count": 4}],
    }
    url = f"{live_server}/api/sweeps/stream"
    with httpx.stream("POST", url, json=sweep, headers=headers, timeout=60) as response:
        assert response.status_code == 200
        assert "content-encoding" not in response.headers
        assert [name for name, _ in events(response)][-1] == "done"
