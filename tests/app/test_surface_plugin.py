"""A built-in surface added as a plug-in adds one (one registry entry and its texts, in
:mod:`tests.plugins.booth`) reaches the catalogue, runs, sweeps, the backward pass and
the figures with no other change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.plugins import booth

A = 2.0
SURFACE = {"id": booth.ID, "params": {"a": A}}


@pytest.fixture(scope="module", autouse=True)
def booth_added() -> Iterator[None]:
    booth.add()
    yield
    booth.remove()


def gradient_at(x: float, y: float) -> tuple[float, float]:
    """Booth's gradient worked by hand: u = x + 2y − 7, v = 2x + y − 5."""
    u, v = x + 2 * y - 7, 2 * x + y - 5
    return 2 * A * u + 4 * v, 4 * A * u + 2 * v


def test_the_catalogue_lists_it_with_its_parameter_in_both_languages(client: TestClient) -> None:
    listed = {s["id"]: s for s in client.get("/api/surfaces").json()}
    entry = listed[booth.ID]
    assert entry["name"] == "Booth (a plug-in)"
    assert entry["params"] == [
        {"name": "a", "default": 1.0, "min": 0.1, "max": 10.0, "help": "weight of the first term"}
    ]
    assert entry["minima"] == [[1.0, 3.0]] and entry["data"] is False
    japanese = {s["id"]: s for s in client.get("/api/surfaces?lang=ja").json()}[booth.ID]
    assert japanese["name"] == "Booth 関数（プラグイン）"
    assert booth.ID in client.get("/").text  # the page's catalogue: its menu
    refused = client.post("/api/runs", json={"surface": {"id": booth.ID, "params": {"a": 0}},
                                             "optimizers": [{"id": "gd"}]})  # fmt: skip
    assert refused.status_code == 422 and "a must be ≥ 0.1" in refused.text


def test_a_run_reaches_its_minimum(client: TestClient) -> None:
    runs = [{"id": "gd", "params": {"lr": 0.01}}, {"id": "adam", "params": {"lr": 0.1}}]
    spec = {"surface": SURFACE, "start": [-7.0, -8.0], "steps": 2000, "optimizers": runs}
    body = client.post("/api/runs", json=spec).json()
    for run in body["runs"]:
        assert run["distance_to_min"] < 1e-4, run["optimizer"]
    gx, gy = gradient_at(-7.0, -8.0)
    first = body["runs"][0]  # one step of gradient descent, by hand
    assert first["x"][1] == pytest.approx(-7.0 - 0.01 * gx, rel=1e-15)
    assert first["y"][1] == pytest.approx(-8.0 - 0.01 * gy, rel=1e-15)


def test_a_sweep_runs_over_it(client: TestClient) -> None:
    axis = {"name": "lr", "low": 0.001, "high": 0.1, "count": 5, "scale": "log"}
    spec = {"surface": SURFACE, "steps": 100, "optimizer": {"id": "gd"}, "axes": [axis]}
    body = client.post("/api/sweeps", json=spec).json()
    assert body["shape"] == [1, 5]
    assert "diverged" in body["status"][0] and "max_steps" in body["status"][0]


def test_its_backward_pass_gives_its_gradient(client: TestClient) -> None:
    body = client.post("/api/backprop", json={"surface": SURFACE, "point": [0.5, -1.0]}).json()
    assert body["gradient"] == pytest.approx(gradient_at(0.5, -1.0), rel=1e-14)


def test_its_figures_carry_its_name_and_axes(client: TestClient) -> None:
    spec = {"surface": SURFACE, "optimizers": [{"id": "gd"}]}
    figures = client.post("/api/figures?lang=ja", json=spec).json()
    contour = figures["contour"]
    assert "Booth 関数（プラグイン）" in contour["layout"]["title"]["text"]
    assert contour["layout"]["xaxis"]["title"]["text"] == "x"
