"""Still images (PNG, SVG) of an exported player, drawn by Debian's Chromium.

Plotly's own exporter needs a Chrome build of its own, which cannot be
downloaded here; Playwright drives the system's ``/usr/bin/chromium`` instead
and asks plotly.js for the image, so the picture is exactly what the page draws.
"""

from __future__ import annotations

import base64
import tempfile
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
QUIET = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
MISSING = (
    "PNG and SVG need Playwright and Chromium: pip install 'gradtrail[images]' "
    "and apt-get install -y chromium (or use the HTML export and the page's PNG button)"
)


# The contour as plotly draws it, titled with the lesson's title where the player shows
# one above the plot (a still for a slide has no page around it to carry it).
STILL = """([format, width, height]) => {
  const plot = document.getElementById('plot');
  const lesson = document.getElementById('lesson');
  const title = lesson && !lesson.hidden ? document.getElementById('lesson-title').textContent : '';
  const layout = title ? {...plot.layout, title: {text: title, x: 0.02}} : plot.layout;
  return Plotly.toImage({data: plot.data, layout}, {format, width, height});
}"""


class ImageUnavailable(RuntimeError):
    """Playwright or Chromium is not installed."""


@contextmanager
def offline_player(html: str, width: int, height: int) -> Iterator[Any]:
    """A Chromium page of ``width`` × ``height`` showing the exported player ``html`` from
    a file, every request to another place refused, once it says it is ready (paused, no
    controls): what stills and videos are taken from."""
    from playwright.sync_api import sync_playwright

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
                yield page
            finally:
                browser.close()


def still_image(html: str, image_format: str, width: int, height: int) -> bytes:
    """The final state of an exported player as PNG or SVG bytes."""
    try:
        import playwright.sync_api  # noqa: F401  (offline_player drives it)
    except ImportError:
        raise ImageUnavailable(MISSING) from None
    if not Path(CHROMIUM).exists():
        raise ImageUnavailable(MISSING)
    with offline_player(html, width, height) as page:
        url = page.evaluate(STILL, [image_format, width, height])
    header, _, body = url.partition(",")
    if header.endswith(";base64"):
        return base64.b64decode(body)
    return urllib.parse.unquote(body).encode()
