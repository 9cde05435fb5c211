"""The HTML pages over a real server: HEAD, and links too long to read."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import pytest


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
