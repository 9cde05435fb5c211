"""The page shows a surface added as a plug-in (:mod:`tests.plugins.booth`): in its menu,
with its parameter's field, and runs it, with no change to the page."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_page import mark_stale, settled, url_spec, wait_done, watch_errors
from tests.conftest import free_port, wait_until_up
from tests.plugins import booth

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def booth_server() -> Iterator[str]:
    """A server of its own whose registry holds Booth."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "tests.plugins.serve_with_booth", str(port)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(base, process, log)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_the_menu_offers_it_with_its_field_and_it_runs(page: Page, booth_server: str) -> None:
    errors = watch_errors(page)
    page.goto(f"{booth_server}/?lang=ja")
    wait_done(page)
    option = page.locator(f"#surface-select option[value='{booth.ID}']")
    expect(option).to_have_text(booth.TEXTS["ja"][f"surface.{booth.ID}"])
    mark_stale(page)
    page.select_option("#surface-select", booth.ID)
    field = page.locator("[name='surface-param-a']")
    expect(field).to_have_value("1")
    wait_done(page)
    page.fill("[name='surface-param-a']", "2")
    settled(page)
    wait_done(page)
    assert url_spec(page)["surface"] == {"id": booth.ID, "params": {"a": 2}}
    expect(page.locator("#summary tbody tr")).to_have_count(len(url_spec(page)["optimizers"]))
    assert not errors
