"""A class on one server: 60 students and 10 hostile clients at once, on loopback only.

Run: python tests/perf/bench_classroom.py   (about two and a half minutes)

Starts ``gradtrail serve --workers 2``. Each student opens the page's assets, runs
two lessons over the stream and one small sweep; each hostile client, for the
same 40 s, sends maximal sweeps (whole and streamed), costly formulas, streams it never
reads, streams it reads a line a second, maximal exports, and backprop and data views
of the largest neuron at a late minibatch step.
Prints per role the time to the first frame and to ``done`` (p50/p95/p99),
errors and 503s; the health endpoint's p99 while loaded (timed from a process of its
own, and also from the load's event loop); the server's peak RSS
and its RSS a minute after the load. Targets (2-core machine): students 0 errors
and p95 first frame <= 1 s; hostile requests answered (503/422) or served within
their deadline; health p99 <= 50 ms; RSS back under 400 MB a minute after.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
from table import print_table  # run as a script, tests/perf/ is on the path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from gradtrail.presets import PRESETS
from tests.perf.bench_api import free_port

STUDENTS, HOSTILE, LOAD_SECONDS, SETTLE_SECONDS = 60, 10, 40, 60
ASSETS = [
    "/",
    "/static/js/main.js",
    "/static/css/app.css",
    "/static/vendor/plotly-cartesian.min.js",
]
LESSONS = ["rosenbrock", "ravine", "himmelblau", "saddle", "line-fit", "minibatch"]
SMALL_SWEEP = {"surface": {"id": "quadratic"}, "optimizer": {"id": "gd"}, "steps": 100,
               "axes": [{"name": "lr", "low": 0.01, "high": 0.2, "count": 30}]}  # fmt: skip
MAX_SWEEP = {"surface": {"id": "rosenbrock"}, "optimizer": {"id": "adam"}, "steps": 500,
             "axes": [{"name": "lr", "low": 0.001, "high": 0.1, "count": 200, "scale": "log"},
                      {"name": "betas[0]", "low": 0.5, "high": 0.99, "count": 200}]}  # fmt: skip
BIG_NEURON = {"id": "neuron", "classes": {"n": 10_000}}
LONG_RUN = {"surface": {"id": "rosenbrock"}, "steps": 20_000, "stop": {"grad_tol": 0},
            "optimizers": [{"id": "adam", "params": {"lr": 1e-4}}] * 16}  # fmt: skip
MINIBATCH = {"size": 10_000, "seed": 0, "run": 0, "step": 19_999}
HOSTILE_KINDS = ("sweep", "sweep_stream", "formula", "stall", "slow_reader", "export", "samples")
COSTLY = "+".join(f"sin({k}*x + cos({k}*y))*exp(-x^2/{k})" for k in range(1, 9))


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else (
        values[0] if values else float("nan"))  # fmt: skip


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
        )
        stack += [int(child) for child in children]
    return total / 1024


class Tally:
    """Per role: times to the first frame and to done, errors, 503s."""

    def __init__(self) -> None:
        self.first: list[float] = []
        self.done: list[float] = []
        self.errors: list[str] = []
        self.busy = 0
        self.refused = 0  # 422

    def row(self, role: str) -> list[tuple[str, str, str]]:
        def spread(values: list[float]) -> str:
            if not values:
                return "-"
            return " / ".join(f"{percentile(values, q) * 1000:.0f}" for q in (50, 95, 99)) + " ms"

        return [
            (
                f"{role}: first frame p50/p95/p99",
                spread(self.first),
                "p95 <= 1000 ms" if role == "students" else "-",
            ),
            (f"{role}: done p50/p95/p99", spread(self.done), "-"),
            (
                f"{role}: errors / 503 / 422",
                f"{len(self.errors)} / {self.busy} / {self.refused}",
                "0 errors" if role == "students" else "answered",
            ),
        ]


async def stream(client: httpx.AsyncClient, path: str, body: dict, tally: Tally) -> None:
    began = time.perf_counter()
    try:
        async with client.stream("POST", path, json=body, timeout=60) as response:
            if response.status_code == 503:
                tally.busy += 1
                return
            if response.status_code == 422:
                tally.refused += 1
                return
            if response.status_code != 200:
                tally.errors.append(f"{path} {response.status_code}")
                return
            first = True
            async for line in response.aiter_lines():
                if line.startswith("event: frame") or line.startswith("event: progress"):
                    if first:
                        tally.first.append(time.perf_counter() - began)
                        first = False
                elif line.startswith("event: error"):
                    tally.errors.append(f"{path} error event")
                elif line.startswith("event: done"):
                    tally.done.append(time.perf_counter() - began)
    except httpx.HTTPError as error:
        tally.errors.append(f"{path} {type(error).__name__}")


async def student(base: str, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, 5))  # a class does not click at the same instant
    async with httpx.AsyncClient(base_url=base) as client:
        for path in ASSETS:
            response = await client.get(path, timeout=30)
            if response.status_code != 200:
                tally.errors.append(f"GET {path} {response.status_code}")
        for lesson in rng.sample(LESSONS, 2):
            spec = PRESETS[lesson].run_spec().model_dump(mode="json", exclude_none=True)
            await stream(client, "/api/runs/stream", spec, tally)
        await stream(client, "/api/sweeps/stream", SMALL_SWEEP, tally)


async def hostile_request(
    client: httpx.AsyncClient, kind: str, readers: list[asyncio.Task], stalled: list
) -> httpx.Response:
    """One hostile request of ``kind``; streams it never reads stay open in ``stalled``,
    streams it reads slowly run on in ``readers``."""
    if kind == "sweep":
        return await client.post("/api/sweeps", json=MAX_SWEEP, timeout=60)
    if kind == "formula":
        body = {"surface": {"id": "custom", "expression": COSTLY}, "steps": 20_000,
                "stop": {"grad_tol": 0}, "optimizers": [{"id": "adam"}] * 16}  # fmt: skip
        return await client.post("/api/runs", json=body, timeout=60)
    if kind == "export":
        return await client.post("/export", json=LONG_RUN, timeout=60)
    if kind == "samples":
        path = random.choice(["/api/backprop", "/api/data-view"])
        body = {"surface": BIG_NEURON, "point": [1.0, -1.0], "minibatch": MINIBATCH}
        return await client.post(path, json=body, timeout=60)
    path, body = (
        ("/api/sweeps/stream", MAX_SWEEP)
        if kind == "sweep_stream"
        else ("/api/runs/stream", LONG_RUN)
    )
    answer = await client.send(client.build_request("POST", path, json=body), stream=True)
    if answer.status_code == 200 and kind == "slow_reader":
        readers.append(asyncio.create_task(read_slowly(answer)))
    elif answer.status_code == 200:
        stalled.append(answer)  # never read
    return answer


async def read_slowly(answer: httpx.Response) -> None:
    """A client on a bad link: a line a second, then it goes."""
    try:
        async for _ in answer.aiter_lines():
            await asyncio.sleep(1.0)
    except httpx.HTTPError:
        pass  # the server closed a stream that fell behind: what it should do
    finally:
        await answer.aclose()


async def hostile(base: str, tally: Tally, seed: int, until: float) -> None:
    rng = random.Random(seed)
    stalled: list[httpx.Response] = []
    readers: list[asyncio.Task] = []
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < until:
            kind = rng.choice(HOSTILE_KINDS)
            began = time.perf_counter()
            try:
                answer = await hostile_request(client, kind, readers, stalled)
            except httpx.HTTPError as error:
                tally.errors.append(f"{kind} {type(error).__name__}")
                continue
            elapsed = time.perf_counter() - began
            if answer.status_code == 503:
                tally.busy += 1
            elif answer.status_code == 422:
                tally.refused += 1
            elif answer.status_code == 200:
                tally.done.append(elapsed)
            else:
                tally.errors.append(f"{kind} {answer.status_code}")
            await asyncio.sleep(rng.uniform(0.1, 0.5))
        for answer in stalled:
            await answer.aclose()
        for reader in readers:
            reader.cancel()


async def health_watch(base: str, until: float, times: list[float]) -> None:
    """Health times seen from the load's own event loop (which the students' streams keep
    busy, so these include the client's delays too)."""
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < until:
            began = time.perf_counter()
            await client.get("/api/health", timeout=30)
            times.append(time.perf_counter() - began)
            await asyncio.sleep(0.2)


def health_probe(base: str, seconds: float) -> list[float]:
    """Health times seen from a process of its own, which does nothing else: the server's
    answer time, not the load generator's."""
    times = []
    until = time.monotonic() + seconds
    with httpx.Client(base_url=base) as client:
        while time.monotonic() < until:
            began = time.perf_counter()
            client.get("/api/health", timeout=30)
            times.append(time.perf_counter() - began)
            time.sleep(0.2)
    return times


async def load(base: str, pid: int) -> tuple[Tally, Tally, list[float], list[float], float]:
    students, enemies, health = Tally(), Tally(), []
    until = time.monotonic() + LOAD_SECONDS
    peak = 0.0
    probe = ProcessPoolExecutor(1)
    probed = asyncio.get_running_loop().run_in_executor(probe, health_probe, base, LOAD_SECONDS)

    async def watch_memory() -> None:
        nonlocal peak
        while time.monotonic() < until + 5:
            peak = max(peak, rss_mb(pid))
            await asyncio.sleep(0.5)

    await asyncio.gather(
        *(student(base, students, seed) for seed in range(STUDENTS)),
        *(hostile(base, enemies, 1000 + seed, until) for seed in range(HOSTILE)),
        health_watch(base, until, health),
        watch_memory(),
    )
    alone = await probed
    probe.shutdown()
    return students, enemies, health, alone, peak


def main() -> None:
    """``bench_classroom.py [PYTHON]``: the server runs under ``PYTHON`` (another venv's, to
    compare two versions on one machine; this one's by default)."""
    import subprocess

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    python = sys.argv[1] if len(sys.argv) > 1 else sys.executable
    command = [python, "-m", "gradtrail", "serve", "--port", str(port), "--workers", "2"]
    env = {**os.environ, "GRADTRAIL_STREAM_WRITE_TIMEOUT": "5"}
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/api/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        idle = rss_mb(server.pid)
        students, enemies, health, alone, peak = asyncio.run(load(base, server.pid))
        time.sleep(SETTLE_SECONDS)
        after = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = [
        *students.row("students"),
        *enemies.row("hostile"),
        ("health p50 / p99 under load", f"{percentile(alone, 50) * 1000:.1f} / "
         f"{percentile(alone, 99) * 1000:.1f} ms", "p99 <= 50 ms"),
        ("  the same, seen from the load's event loop", f"{percentile(health, 50) * 1000:.1f}"
         f" / {percentile(health, 99) * 1000:.1f} ms", "-"),
        ("server RSS idle / peak", f"{idle:.0f} / {peak:.0f} MB", "-"),
        (f"server RSS {SETTLE_SECONDS} s after the load", f"{after:.0f} MB", "<= 400 MB"),
    ]  # fmt: skip
    print_table(rows)
    if students.errors:
        print("student errors:", json.dumps(students.errors[:10]))
    if enemies.errors:
        print("hostile errors:", json.dumps(enemies.errors[:10]))


if __name__ == "__main__":
    main()
