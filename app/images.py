"""Still images (PNG, SVG) of an exported player, drawn by Debian's Chromium.

Plotly's own exporter needs a Chrome build of its own, which cannot be
downloaded here; Playwright drives the system's ``/usr/bin/chromium`` instead
and asks plotly.js for the image, so the picture is exactly what the page draws.
"""

from __future__ import annotations

import base64
import tempfile
import urllib.parse
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
QUIET = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
MISSING = (
    "PNG and SVG need Playwright and Chromium: pip install 'gradtrail[images]' "
    "and apt-get install -y chromium (or use the HTML export and the page's PNG button)"
)


class ImageUnavailable(RuntimeError):
    """Playwright or Chromium is not installed."""


def still_image(html: str, image_format: str, width: int, height: int) -> bytes:
    """The final state of an exported player as PNG or SVG bytes."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ImageUnavailable(MISSING) from None
    if not Path(CHROMIUM).exists():
        raise ImageUnavailable(MISSING)
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "export.html"
        page_file.write_text(html, encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET)
            try:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.route(
                    "**/*",
                    lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
                )
                page.goto(f"{page_file.as_uri()}?autoplay=0&controls=0")
                page.wait_for_function("() => document.body.dataset.ready === 'true'")
                url = page.evaluate(
                    "([format, width, height]) => Plotly.toImage(document.getElementById('plot'),"
                    " {format, width, height})",
                    [image_format, width, height],
                )
            finally:
                browser.close()
    header, _, body = url.partition(",")
    if header.endswith(";base64"):
        return base64.b64decode(body)
    return urllib.parse.unquote(body).encode()
