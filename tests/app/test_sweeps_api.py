"""Sweeps through HTTP: the whole result, the progress stream, limits, disconnects."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from gradtrail.presets import SWEEP_PRESETS
from tests.app.test_streams import events, frames_so_far, stream_ended

SPEC = {
    **SWEEP_PRESETS["ravine-lr-momentum"].spec,
    "steps": 200,
    "axes": [
        {"name": "lr", "low": 0.001, "high": 0.2, "count": 12, "scale": "log"},
        {"name": "momentum", "low": 0.0, "high": 0.9, "count": 7},
    ],
}
BIG = {
    "surface": {"id": "rosenbrock"},
    "steps": 500,
    "stop": {"grad_tol": 0.0},
    "optimizer": {"id": "adam"},
    "axes": [
        {"name": "lr", "low": 0.0001, "high": 1.0, "count": 200, "scale": "log"},
        {"name": "betas[0]", "low": 0.0, "high": 0.99, "count": 200},
    ],
}


def test_sweep_returns_grids(client: TestClient) -> None:
    body = client.post("/api/sweeps", json=SPEC).json()
    assert body["shape"] == [7, 12]
    assert [a["name"] for a in body["axes"]] == ["lr", "momentum"]
    assert body["axes"][0]["scale"] == "log" and len(body["axes"][0]["values"]) == 12
    for key in ("final_loss", "status", "steps_taken", "steps_to_threshold", "basin"):
        assert len(body[key]) == 7 and len(body[key][0]) == 12, key
    flat = [s for row in body["status"] for s in row]
    assert "diverged" in flat and "converged" in flat
    assert all(b in (0, None) for row in body["basin"] for b in row)


def test_limits_are_422_naming_the_limit(client: TestClient) -> None:
    response = client.post("/api/sweeps", json={**BIG, "steps": 1000})
    assert response.status_code == 422
    assert "limit is 20,000,000" in response.json()["detail"][0]["msg"]


def test_stream_reports_progress_then_the_same_result(live_server: str) -> None:
    with httpx.stream(
        "POST", f"{live_server}/api/sweeps/stream", json=SPEC, timeout=60
    ) as response:
        received = list(events(response))
    names = [name for name, _ in received]
    assert names[0] == "meta" and names[-1] == "done" and "progress" in names
    progress = [data["done"] for name, data in received if name == "progress"]
    assert progress == sorted(progress) and progress[-1] == received[0][1]["total"]
    whole = httpx.post(f"{live_server}/api/sweeps", json=SPEC, timeout=60).json()
    assert received[-1][1] == whole


def test_disconnect_stops_a_sweep(live_server: str) -> None:
    before = frames_so_far(live_server)
    with httpx.stream("POST", f"{live_server}/api/sweeps/stream", json=BIG, timeout=60) as response:
        for name, _ in events(response):
            if name == "progress":
                break
    # The whole sweep is 10 chunks; it stopped after a few.
    assert stream_ended(live_server) - before < 5
    assert httpx.get(f"{live_server}/api/health", timeout=5).status_code == 200
