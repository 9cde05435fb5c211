"""Slides from disk and the API docs, with the network limited to this server."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.browser.test_page import cut_network, played, watch_errors


def test_an_embed_in_slides_opened_from_disk_plays(
    context: BrowserContext, live_server: str, tmp_path: Path, screenshots: Path
) -> None:
    """The README's reveal.js snippet in a file:// page: the embed must render there."""
    slides = tmp_path / "slides.html"
    slides.write_text(
        "<!doctype html><html><body><div class='reveal'><div class='slides'><section>"
        "<h2>Why momentum helps</h2>"
        f'<iframe src="{live_server}/embed?preset=ravine&theme=dark&speed=1.5" width="960"'
        ' height="540" style="border:0"></iframe>'
        "</section></div></div></body></html>",
        encoding="utf-8",
    )
    attempted = cut_network(context)
    context.clock.install()
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(slides.as_uri())
    frame = page.frame_locator("iframe")
    played(frame, context)
    assert frame.locator("#plot .main-svg").first.is_visible()
    page.screenshot(path=screenshots / "slides-from-disk.png")
    assert not attempted and not errors


def test_the_app_itself_may_not_be_framed_by_another_page(
    context: BrowserContext, live_server: str, tmp_path: Path
) -> None:
    slides = tmp_path / "frame-app.html"
    slides.write_text(f'<iframe src="{live_server}/" width="800" height="600"></iframe>')
    page = context.new_page()
    page.goto(slides.as_uri())  # waits for the frame's load too, refused or not
    assert page.frames[1].evaluate("() => document.querySelector('#spec-form')") is None


def test_the_api_docs_work_with_the_network_cut(context: BrowserContext, live_server: str) -> None:
    """/docs and /redoc (#32): each drawn from the API's schema, with no request to another
    host (each is refused and recorded) and no console error, once it has gone quiet."""
    attempted = cut_network(context)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{live_server}/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/runs" in paths and "/api/runs/stream" in paths and "/api/sweeps" in paths
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/redoc")
    expect(page.get_by_text("/api/runs").first).to_be_attached()
    expect(page.get_by_text("/api/health").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    assert not attempted
    assert errors == []
