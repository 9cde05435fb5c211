"""The HTML pages over a real server: HEAD, and links too long to read."""

from __future__ import annotations

import base64
import html
import json
import socket
from urllib.parse import urlparse

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from gradtrail.app.routers.pages import whole_link
from gradtrail.app.urlspec import LinkTooLong, encode
from gradtrail.texts import messages
from tests.conftest import run_async


def exchange(base: str, request: bytes) -> bytes:
    """Send one raw request on a new connection and read the answer until the server
    closes it (the request asks it to)."""
    address = urlparse(base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("target", ["/", "/?lang=ja", "/embed", "/export?preset=ravine"])
def test_head_answers_a_page_with_its_headers_and_no_body(live_server: str, target: str) -> None:
    """``HEAD /`` was a 405."""
    request = f"HEAD {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    head, _, body = exchange(live_server, request).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), head
    assert b"content-type: text/html" in head.lower()
    assert body == b""


LONG_SPEC = "A" * 70_000  # about 70 KB of ?spec=: past the 65,535 bytes a link may have


@pytest.mark.parametrize("path", ["/", "/embed", "/export"])
@pytest.mark.parametrize(
    ("query", "headers", "language"),
    [
        (f"?spec={LONG_SPEC}", {}, "en"),
        (f"?spec={LONG_SPEC}&lang=ja", {}, "ja"),
        (f"?lang=ja&spec={LONG_SPEC}", {}, "ja"),
        (f"?spec={LONG_SPEC}", {"accept-language": "ja-JP,ja;q=0.9"}, "ja"),
    ],
)
def test_a_link_too_long_to_read_is_a_page_that_says_what_to_do(
    live_server: str, path: str, query: str, headers: dict[str, str], language: str
) -> None:
    """A ``?spec=`` link over 64 KB was uvicorn's bare 400 (or a 422 from the app)."""
    lines = [f"GET {path}{query} HTTP/1.1", "Host: x", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    head, _, body = exchange(live_server, request).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 "), head
    assert b"content-type: text/html" in head.lower()
    page = html.unescape(body.decode())
    assert f'<html lang="{language}">' in page
    catalogue = messages(language)
    for key in ("long_link.title", "long_link.fragment", "long_link.json"):
        assert catalogue[key] in page, key
    assert "65,535" in page and "#spec=" in page and "gradtrail export spec.json" in page


def test_the_app_applies_the_same_limit_behind_another_server() -> None:
    """A server that reads longer targets than uvicorn's parser lets them in whole."""
    request = Request({"type": "http", "method": "GET", "path": "/embed", "headers": []})
    with pytest.raises(LinkTooLong):
        run_async(whole_link(request, LONG_SPEC))
    assert run_async(whole_link(request, LONG_SPEC[:60_000])) == LONG_SPEC[:60_000]


@pytest.mark.parametrize("target", [f"/api/health?pad={LONG_SPEC}", f"/{'a' * 70_000}"])
def test_any_other_target_too_long_is_a_json_414(live_server: str, target: str) -> None:
    request = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    head, _, body = exchange(live_server, request).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 "), head
    assert json.loads(body)["detail"] == "the request's target is longer than 65,535 bytes"


def decoded(values: list | dict) -> list[float]:
    """A plotly JSON array as numbers (plotly writes numpy arrays as ``{dtype, bdata}``)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_an_export_and_an_embed_show_the_window_of_their_link(client: TestClient) -> None:
    """A zoomed view's window is in its spec, so in its link: the export and the embed
    draw the contour over that window, the axes showing exactly it."""
    window = [[0.25, 1.75], [-0.5, 0.5]]
    spec = {"surface": {"id": "rosenbrock", "domain": window}, "steps": 20,
            "optimizers": [{"id": "adam"}]}  # fmt: skip
    for path in ("/export", "/embed"):
        html = client.get(f"{path}?spec={encode(spec)}").text
        start = html.index('<script type="application/json" id="gradtrail-data">')
        body = html[html.index(">", start) + 1 : html.index("</script>", start)]
        contour = json.loads(body.replace("<\\/", "</"))["contour"]
        layout = contour["layout"]
        assert [layout["xaxis"]["range"], layout["yaxis"]["range"]] == window, path
        grid = next(trace for trace in contour["data"] if trace["type"] == "contour")
        x, y = (decoded(grid[axis]) for axis in "xy")
        assert [[x[0], x[-1]], [y[0], y[-1]]] == window, path
