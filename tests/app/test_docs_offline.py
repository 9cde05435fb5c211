"""The API reference pages load nothing from another host (#32)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gradtrail.app.routers.pages import REDOC_LOGO

CHROMIUM = "/usr/bin/chromium"


def test_redoc_script_asks_no_cdn_for_its_logo(client: TestClient) -> None:
    page = client.get("/redoc").text
    (script,) = re.findall(r'<script src="([^"]+)"', page)
    answer = client.get(script)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert "immutable" in answer.headers["cache-control"]
    assert b"redocly logo" in answer.content  # the same ReDoc, its logo's source dropped
    assert REDOC_LOGO not in answer.content and b"cdn.redoc.ly" not in answer.content


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_elsewhere(live_server: str, path: str) -> None:
    """In Chromium: every request stays on this server and the console has no error."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Chromium: apt-get install -y chromium")
        pytest.skip("needs Chromium: sudo apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{live_server}{path}")
            # Each is drawn once the API's schema is read: the operations are listed.
            page.get_by_text("/api/health").first.wait_for()
            page.wait_for_load_state("networkidle")
        finally:
            browser.close()
    elsewhere = [url for url in requests if not url.startswith((live_server, "data:", "blob:"))]
    assert elsewhere == []
    assert errors == []
