"""The API reference pages load nothing from another host (#32); in Chromium, with the
network cut: ``tests/browser/test_offline.py``."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from gradtrail.app.routers.pages import REDOC_LOGO


def test_redoc_script_asks_no_cdn_for_its_logo(client: TestClient) -> None:
    page = client.get("/redoc").text
    (script,) = re.findall(r'<script src="([^"]+)"', page)
    answer = client.get(script)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert "immutable" in answer.headers["cache-control"]
    assert b"redocly logo" in answer.content  # the same ReDoc, its logo's source dropped
    assert REDOC_LOGO not in answer.content and b"cdn.redoc.ly" not in answer.content
