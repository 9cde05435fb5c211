"""Time from navigation to the first trajectory point drawn, measured in the browser.

Run: python tests/perf/bench_page.py   (needs Debian's chromium: apt-get install -y chromium)

The page sets the performance mark ``gradtrail:first-point`` once the first streamed
points are on the contour plot; its ``startTime`` counts from navigation start.
Target: <= 1.0 s median. A first visit (empty cache: plotly.js is 4.8 MB) and
repeat visits are reported apart, beside the time plotly.js alone takes to load and
run in a blank page on a first visit: no page that draws with it can beat that.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.browser.conftest import CHROMIUM, QUIET
from tests.perf.bench_api import free_port, start_server
from tests.perf.table import print_table

MARK = "() => performance.getEntriesByName('gradtrail:first-point')[0]?.startTime ?? null"
# The floor under a first visit: plotly.js alone, fetched and run by a page with nothing else.
PLOTLY_ALONE = """() => new Promise((resolve) => {
  const began = performance.now();
  const script = document.createElement("script");
  script.src = "/static/vendor/plotly.min.js";
  script.onload = () => resolve(performance.now() - began);
  document.head.append(script);
})"""


def main() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    cold, warm, plotly_alone = [], [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET)
            for _ in range(5):
                context = browser.new_context(viewport={"width": 1920, "height": 1080})
                page = context.new_page()
                for visit in range(4):
                    page.goto(f"{base}/?preset=rosenbrock")
                    page.wait_for_function(f"({MARK})() !== null", timeout=20_000)
                    (cold if visit == 0 else warm).append(page.evaluate(MARK))
                context.close()
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/api/health")  # same origin, no script of ours
                plotly_alone.append(page.evaluate(PLOTLY_ALONE))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait()
    rows = [
        (
            "first point drawn, first visit",
            f"{statistics.median(cold):.0f} ms median of {len(cold)}",
            "<= 1000 ms",
        ),
        (
            "first point drawn, repeat visit",
            f"{statistics.median(warm):.0f} ms median of {len(warm)}",
            "<= 1000 ms",
        ),
        ("  slowest of all", f"{max(cold + warm):.0f} ms", "-"),
        (
            "plotly.js alone, blank page, first visit",
            f"{statistics.median(plotly_alone):.0f} ms median of {len(plotly_alone)}",
            "-",
        ),
    ]
    print_table(rows)


if __name__ == "__main__":
    main()
