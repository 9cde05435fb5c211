"""Slow and broken clients against a real server: read timeouts, the cap on open
connections, a client that leaves mid-body, and an answer given before the body ends.

Each test starts ``gradtrail serve`` with short timeouts and talks to it over raw
loopback sockets, as a stalled phone or a slow-loris script would.
"""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import httpx

from tests.conftest import SERVED, serving

POST_PATHS = ["/api/runs", "/api/runs/stream", "/api/sweeps", "/export", "/api/player"]


def connect(base: str) -> socket.socket:
    address = urlparse(base)
    return socket.create_connection((address.hostname, address.port), timeout=30)


def post_head(path: str, length: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_a_client_that_leaves_mid_body_ends_quietly() -> None:
    """Each client that dropped mid-body logged a ClientDisconnect traceback."""
    with serving() as base:
        for path in POST_PATHS:
            with connect(base) as connection:
                connection.sendall(post_head(path, 5000) + b'{"surface": {"id": ')
        for _ in POST_PATHS:  # the server has moved on past each departure
            assert httpx.get(f"{base}/api/health", timeout=10).status_code == 200
        output = SERVED[base].output()
        assert "Traceback" not in output and "Exception" not in output, output
