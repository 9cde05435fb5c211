"""POST /api/backprop for a 300-character formula against a real uvicorn; prints a table.

Run: python tests/perf/bench_backprop.py

The target is a median answer of at most 20 ms over HTTP. Beside it, in the same run:
the engine alone (graph, forward, adjoints, JSON) for the same formula, the line-fit
bowl with its per-sample gradients, the tree (no sharing) of the same formula, and the
page's other cursor panels: the data view (with its figure and arrows, a step's
minibatch replayed) and the moving averages of the ``beta`` lesson.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time

import httpx
from table import print_table  # run as a script, tests/perf/ is on the path

from gradtrail.backprop import backprop
from gradtrail.catalog import build_surface
from gradtrail.formula import MAX_LENGTH
from gradtrail.presets import PRESETS
from gradtrail.spec import SurfaceSpec


def long_formula() -> str:
    """Distinct terms (no two merge into one node) up to the formula length limit."""
    terms: list[str] = []
    k = 1
    while True:
        term = f"sin({k}*x*y) + exp(-(x^2 + y^2)/{k})*cos({k}*x - y)"
        if len(" + ".join([*terms, term])) > MAX_LENGTH:
            return " + ".join(terms)
        terms.append(term)
        k += 1


FORMULA = long_formula()
REQUESTS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(call, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gradtrail", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    body = {"surface": {"id": "custom", "expression": FORMULA}, "point": [0.7, -0.4]}
    bowl = {"surface": {"id": "regression", "generate": {"n": 1000}}, "point": [3.0, 2.0],
            "sample": 10}  # fmt: skip
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(100):
                try:
                    client.get("/api/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            answer = client.post("/api/backprop", json=body)
            assert answer.status_code == 200, answer.text
            nodes = len(answer.json()["nodes"])
            post = lambda json: lambda: client.post("/api/backprop", json=json).raise_for_status()  # noqa: E731
            http = timed(post(body), REQUESTS)
            http_tree = timed(post({**body, "shared": False}), REQUESTS)
            http_bowl = timed(post(bowl), REQUESTS)
            data = {"point": [3.0, 2.0], "figure": True,
                    "minibatch": {"size": 16, "run": 0, "step": 5_000}}  # fmt: skip
            views = {
                n: timed(lambda n=n: client.post("/api/data-view", json={
                    **data, "surface": {"id": "regression", "generate": {"n": n}}
                }).raise_for_status(), 100)
                for n in (1_000, 100_000)
            }  # fmt: skip
            beta = PRESETS["beta"].spec
            averages = timed(
                lambda: client.post("/api/averages", json=beta).raise_for_status(), 100
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    surface = build_surface(SurfaceSpec(id="custom", expression=FORMULA))
    engine = timed(lambda: backprop(surface, (0.7, -0.4)), REQUESTS)
    ms = lambda times: f"{statistics.median(times) * 1000:.2f} ms"  # noqa: E731
    print(f"formula: {len(FORMULA)} characters, {nodes} graph nodes")
    print_table([
        ("POST /api/backprop, 300-char formula (median)", ms(http), "<= 20 ms"),
        ("  the same as a tree (shared: false)", ms(http_tree), "-"),
        ("  line-fit bowl, 1,000 samples", ms(http_bowl), "-"),
        ("engine alone, 300-char formula", ms(engine), "-"),
        ("POST /api/data-view, 1,000 samples, figure, step 5,000's batch", ms(views[1_000]), "-"),
        ("  the same, 100,000 samples", ms(views[100_000]), "-"),
        ("POST /api/averages, lesson beta (3 runs × 150 steps)", ms(averages), "-"),
    ])  # fmt: skip


if __name__ == "__main__":
    main()
