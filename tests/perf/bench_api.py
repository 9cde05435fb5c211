"""API benchmarks against a real uvicorn (one worker); prints a table.

Run: python tests/perf/bench_api.py   (needs wrk: apt-get install -y wrk)

- time to the first ``frame`` event of a 16 runs x 20,000 steps stream (target <= 50 ms
  median) against that request's total time;
- POST /api/runs (4 optimizers x 500 steps on rosenbrock) with 64 concurrent clients
  for 10 s: rate, errors, p50/p99 latency, against the rate at which the engine alone
  computes the same spec in this process (target: HTTP >= 60 % of it). The 10 s run
  as five 2 s slices between timings of the engine alone (see ``paired_load``).
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from table import print_table  # run as a script, tests/perf/ is on the path

from gradtrail import RunSpec, Simulation, gather

LONG = {
    "surface": {"id": "rosenbrock"},
    "steps": 20_000,
    "stop": {"grad_tol": 0.0},
    "optimizers": [{"id": "adam"}] * 16,
}
LOAD = {
    "surface": {"id": "rosenbrock"},
    "steps": 500,
    "stop": {"grad_tol": 0.0},
    "optimizers": [{"id": "adam"}, {"id": "momentum"}, {"id": "rmsprop"}, {"id": "gd"}],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gradtrail", "serve", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the server did not start")


def first_frame(client: httpx.Client, base: str) -> tuple[float, float]:
    """Seconds to the first frame event, and to the end of the stream."""
    began = time.perf_counter()
    first = None
    with client.stream("POST", f"{base}/api/runs/stream", json=LONG, timeout=120) as response:
        for line in response.iter_lines():
            if first is None and line == "event: frame":
                first = time.perf_counter() - began
    total = time.perf_counter() - began
    assert first is not None
    return first, total


def engine_rate(seconds: float = 5.0) -> float:
    """Specs per second the engine computes alone, in this process."""
    spec = RunSpec.model_validate(LOAD)
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        gather(Simulation(spec))
        done += 1
    return done / (time.perf_counter() - began)


def wrk_load(base: str, seconds: int, connections: int = 64) -> dict[str, float]:
    """Drive POST /api/runs with wrk; parse requests, time, latency percentiles, errors."""
    script = Path(tempfile.mkdtemp()) / "post.lua"
    body = json.dumps(LOAD).replace("'", "\\'")
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = '{body}'\n"
    )
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s",
         "-s", str(script), f"{base}/api/runs"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": int(done.group(1)),
        "seconds": float(done.group(2)) / (1e3 if done.group(3) == "ms" else 1.0),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def paired_load(base: str, slices: int = 5, seconds: int = 2) -> tuple[float, dict]:
    """The engine-alone rate and the HTTP load, measured in alternating slices.

    The machine is shared and its speed drifts by tens of percent within seconds, so
    the 10 s of load run as ``slices`` slices, each between two 1 s timings of the
    engine alone: both rates see the same drift. Returns (engine rate, load figures).
    """
    alone = [engine_rate(1.0)]
    loads = []
    for _ in range(slices):
        loads.append(wrk_load(base, seconds))
        alone.append(engine_rate(1.0))
    load = {
        "rate": sum(x["requests"] for x in loads) / sum(x["seconds"] for x in loads),
        "p50": statistics.median(x["p50"] for x in loads),
        "p99": max(x["p99"] for x in loads),
        "errors": sum(x["errors"] for x in loads),
        "socket_errors": "; ".join(x["socket_errors"] for x in loads if x["socket_errors"]),
    }
    return statistics.mean(alone), load


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        with httpx.Client() as client:  # one keep-alive connection, as a page has
            first_frame(client, base)  # warm up
            streams = [first_frame(client, base) for _ in range(11)]
        firsts = [f for f, _ in streams]
        totals = [t for _, t in streams]
        alone, load = paired_load(base)
    finally:
        server.terminate()
        server.wait()
    rows = [
        ("first frame, 16 x 20,000 steps", f"{statistics.median(firsts) * 1e3:.1f} ms", "<= 50 ms"),
        ("whole stream, same request", f"{statistics.median(totals) * 1e3:.0f} ms median", "-"),
        ("engine alone, 4 x 500 steps", f"{alone:.1f} specs/s", "-"),
        ("POST /api/runs, 64 clients, 5 x 2 s", f"{load['rate']:.1f} req/s", "-"),
        ("  HTTP / engine alone", f"{load['rate'] / alone:.0%}", ">= 60 %"),
        ("  latency p50 (median) / p99 (max)", f"{load['p50']:.0f} ms / {load['p99']:.0f} ms", "-"),
        ("  errors (non-2xx, socket)", f"{load['errors']}, {load['socket_errors'] or 'none'}", "0"),
    ]  # fmt: skip
    print_table(rows)


if __name__ == "__main__":
    main()
