"""Streams through a real uvicorn server: frames, equality with /api/runs, disconnects."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest

from tests.conftest import SERVED, computing, eventually, health

SPEC = {
    "surface": {"id": "himmelblau"},
    "start": [0.5, -0.5],
    "steps": 777,
    "optimizers": [
        {"id": "adam", "params": {"lr": 0.05}},
        {"id": "gd", "params": {"lr": 0.01}},
        {"id": "gd", "params": {"lr": 10.0}},
        {"id": "nadam", "params": {"lr": 0.02}},
    ],
}
LONG = {
    "surface": {"id": "rosenbrock"},
    "steps": 20_000,
    "stop": {"grad_tol": 0.0},
    "optimizers": [{"id": "adam"}] * 16,
}


def events(response: httpx.Response) -> Iterator[tuple[str, dict]]:
    """Parse ``event:``/``data:`` pairs from an SSE response."""
    name = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: ") and name:
            yield name, orjson.loads(line.removeprefix("data: "))
            name = None


def test_stream_concatenates_to_the_batch_result(live_server: str) -> None:
    collected: list[tuple[str, dict]] = []
    with httpx.stream("POST", f"{live_server}/api/runs/stream", json=SPEC, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        collected = list(events(response))
    names = [name for name, _ in collected]
    assert names[0] == "meta" and names[-1] == "done" and names.count("frame") >= 2
    batch = httpx.post(f"{live_server}/api/runs", json=SPEC, timeout=30).json()
    meta = collected[0][1]
    assert meta["surface"] == batch["surface"]
    frames = [payload for name, payload in collected if name == "frame"]
    assert frames[0]["step"] == 0
    for index, run in enumerate(batch["runs"]):
        assert meta["runs"][index]["label"] == run["label"]
        for key in ("x", "y", "loss", "grad_norm"):
            joined = [v for frame in frames for v in frame["runs"][index][key]]
            assert joined == run[key], (index, key)
    done = collected[-1][1]["runs"]
    assert [d["status"] for d in done] == [r["status"] for r in batch["runs"]]
    assert "diverged" in [d["status"] for d in done]


def test_invalid_spec_is_422_before_streaming(live_server: str) -> None:
    bad = {**SPEC, "steps": 0}
    response = httpx.post(f"{live_server}/api/runs/stream", json=bad, timeout=10)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "steps"]


def test_first_frame_arrives_long_before_the_run_ends(live_server: str) -> None:
    began = time.perf_counter()
    with httpx.stream("POST", f"{live_server}/api/runs/stream", json=LONG, timeout=60) as response:
        for name, payload in events(response):
            if name == "frame":
                first_frame = time.perf_counter() - began
                assert len(payload["runs"][0]["x"]) > 1
                break
    assert first_frame < 2.0


def frames_so_far(base: str) -> int:
    return health(base)["frames_computed"]


def stream_ended(base: str) -> int:
    """Wait until the server has closed every stream (it notices a reader that left); then
    no stream computes, and the frame count it reports is final."""
    assert eventually(lambda: health(base)["open_streams"] == 0), "a stream is still open"
    settled = frames_so_far(base)
    assert all(frames_so_far(base) == settled for _ in range(5))
    return settled


def test_disconnect_stops_the_computation_and_the_server_still_answers(live_server: str) -> None:
    before = frames_so_far(live_server)
    with httpx.stream("POST", f"{live_server}/api/runs/stream", json=LONG, timeout=60) as response:
        frames = 0
        for name, _ in events(response):
            frames += name == "frame"
            if frames == 3:
                break
    # The whole run is 200 frames; after the disconnect the count must freeze early.
    assert stream_ended(live_server) - before < 50
    assert httpx.post(f"{live_server}/api/runs", json=SPEC, timeout=10).status_code == 200


def test_health_stays_fast_while_a_long_run_computes(live_server: str) -> None:
    """Health answers while a run computes in a worker thread, in a small share of the
    run's own time (measured here, so a slower machine does not fail it). A run that ended
    before health was first asked (seen once in a loaded CI run) is followed by a longer one."""
    for steps in (8000, LONG["steps"]):
        answers, took, latencies = health_during_a_run(live_server, steps)
        if latencies:
            break
    state = (
        f"run answered {[(a.status_code, a.text[:300]) for a in answers]},"
        f" health: {health(live_server)}, log: {SERVED[live_server].output()[-2000:]}"
    )
    assert answers and answers[0].status_code == 200, state
    assert latencies, f"the run ended before health was asked: {state}"
    assert sorted(latencies)[len(latencies) // 2] < max(0.25, took[0] / 10), (latencies, took)


def health_during_a_run(
    base: str, steps: int
) -> tuple[list[httpx.Response], list[float], list[float]]:
    """Post a run of 16 x ``steps`` in a thread; ask health while it computes. The run's
    answer and seconds, and health's latencies."""
    took: list[float] = []
    answers: list[httpx.Response] = []

    def long_run() -> None:
        began = time.perf_counter()
        answers.append(httpx.post(f"{base}/api/runs", json={**LONG, "steps": steps}, timeout=120))
        took.append(time.perf_counter() - began)

    worker = threading.Thread(target=long_run)
    worker.start()
    eventually(lambda: computing(base) or not worker.is_alive())
    latencies = []
    while worker.is_alive() and len(latencies) < 10:  # asked while the run computes
        began = time.perf_counter()
        assert httpx.get(f"{base}/api/health", timeout=5).status_code == 200
        latencies.append(time.perf_counter() - began)
    worker.join()
    return answers, took, latencies


@pytest.mark.parametrize("path", ["/api/runs", "/api/runs/stream"])
def test_no_nan_on_the_wire_for_diverging_runs(live_server: str, path: str) -> None:
    spec = {
        **SPEC,
        "optimizers": [{"id": "gd", "params": {"lr": 1e300}}],
        "stop": {"divergence_bound": 1e300},
    }
    text = httpx.post(f"{live_server}{path}", json=spec, timeout=10).text
    # Parsed strictly: a NaN or Infinity token fails (base64 figure data may spell "NaN").
    documents = [line[5:] for line in text.splitlines() if line.startswith("data:")] or [text]
    for document in documents:
        json.loads(document, parse_constant=reject_constant)


def reject_constant(name: str) -> None:
    raise AssertionError(f"{name} on the wire")
