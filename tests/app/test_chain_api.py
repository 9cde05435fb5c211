"""The chain network y = w₂·φ(w₁x) over HTTP: listed with its menus, run, swept, its
backward pass through the hidden layer and its data view, each checked against numbers
worked independently (finite differences of the mean loss, the generating weights)."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

DATA = {"x": [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0], "y": [-1.9, -1.5, -0.9, 0.9, 1.5, 1.9]}
SURFACE = {"id": "chain", "activation": "tanh", "data": DATA}


def mean_loss(w1: float, w2: float) -> float:
    """The chain's mse worked by hand: mean of (w₂ tanh(w₁ x) − t)²."""
    x, t = np.array(DATA["x"]), np.array(DATA["y"])
    return float(np.mean((w2 * np.tanh(w1 * x) - t) ** 2))


def test_it_is_listed_with_its_menus_and_axes(client: TestClient) -> None:
    chain = {s["id"]: s for s in client.get("/api/surfaces?lang=ja").json()}["chain"]
    menus = {m["field"]: m for m in chain["menus"]}
    assert [c["id"] for c in menus["activation"]["choices"]] == ["tanh", "sigmoid", "relu"]
    assert menus["activation"]["label"] == "活性化関数" and menus["loss"]["default"] == "mse"
    assert chain["axes"][0].startswith("w₁") and chain["data"] is True
    assert len(chain["minima"]) == 2  # tanh's mirror pair


def test_a_run_finds_a_minimum_and_the_menus_shape_the_surface(client: TestClient) -> None:
    spec = {"surface": SURFACE, "start": [0.3, 0.4], "steps": 3000,
            "optimizers": [{"id": "adam", "params": {"lr": 0.05}}]}  # fmt: skip
    run = client.post("/api/runs", json=spec).json()["runs"][0]
    assert run["distance_to_min"] < 1e-3
    assert run["loss"][0] == pytest.approx(mean_loss(0.3, 0.4), rel=1e-13)
    relu = {**SURFACE, "activation": "relu"}
    body = client.post("/api/runs", json={**spec, "surface": relu, "steps": 5}).json()
    assert body["surface"]["name"].endswith("ReLU, squared error")
    refused = client.post("/api/runs", json={**spec, "surface": {**SURFACE, "classes": {}}})
    assert refused.status_code == 422 and "classes belongs to the neuron" in refused.text
    wrong = client.post(
        "/api/runs", json={**spec, "surface": {"id": "chain", "generate": {"slope": 1}}}
    )
    assert wrong.status_code == 422 and "slope" in wrong.text  # the chain's own generate


def test_minibatches_and_a_sweep_run_on_it(client: TestClient) -> None:
    spec = {"surface": SURFACE, "steps": 50, "optimizers": [{"id": "gd", "batch_size": 2}]}
    assert client.post("/api/runs", json=spec).status_code == 200
    axis = {"name": "lr", "low": 0.01, "high": 1.0, "count": 4, "scale": "log"}
    sweep = {"surface": SURFACE, "steps": 100, "optimizer": {"id": "gd"}, "axes": [axis]}
    assert client.post("/api/sweeps", json=sweep).json()["shape"] == [1, 4]


def test_the_backward_pass_averages_to_the_gradient(client: TestClient) -> None:
    w1, w2, h = 0.7, -1.2, 1e-6
    body = client.post("/api/backprop", json={"surface": SURFACE, "point": [w1, w2], "sample": 2})
    shown = body.json()
    assert shown["parameters"] == ["w1", "w2"]
    central = [
        (mean_loss(w1 + h, w2) - mean_loss(w1 - h, w2)) / (2 * h),
        (mean_loss(w1, w2 + h) - mean_loss(w1, w2 - h)) / (2 * h),
    ]
    assert shown["samples"]["mean_gradient"] == pytest.approx(central, rel=1e-7)
    x, t = DATA["x"][2], DATA["y"][2]  # sample 2 by hand: δ₂ = 2(ŷ − t)
    assert shown["samples"]["error_signal"] == pytest.approx(2 * (w2 * np.tanh(w1 * x) - t))


def test_the_data_view_draws_the_network(client: TestClient) -> None:
    view = client.post("/api/data-view", json={"surface": SURFACE, "point": [1.0, 2.0]}).json()
    assert view["kind"] == "chain" and view["count"] == 6
    curve = view["curve"]
    np.testing.assert_allclose(curve["y"], 2.0 * np.tanh(np.array(curve["x"])), rtol=1e-13)
    figures = client.post("/api/figures", json={"surface": SURFACE, "optimizers": [{"id": "gd"}]})
    assert figures.json()["contour"]["layout"]["xaxis"]["title"]["text"].startswith("w₁")


def test_the_backward_pass_names_its_error_signals_in_the_asked_language(
    client: TestClient,
) -> None:
    w1, w2 = 0.7, -1.2
    request = {"surface": SURFACE, "point": [w1, w2], "sample": 2}
    shown = client.post("/api/backprop?lang=ja", json=request).json()
    nodes = {node["id"]: node for node in shown["nodes"]}
    (output, delta_2), (hidden, delta_1) = (
        (nodes[s["node"]], s["label"]) for s in shown["signals"][:2]
    )
    assert delta_2.startswith("δ₂ = ∂ℓ/∂ŷ = ") and "（出力層" in delta_2
    assert delta_1.startswith("δ₁ = δ₂·w₂·φ′(z₁) = ")
    x, t = DATA["x"][2], DATA["y"][2]  # by hand: z₁ = w₁x, δ₂ = 2(ŷ − t), δ₁ = δ₂ w₂ (1 − tanh²)
    y_hat = w2 * np.tanh(w1 * x)
    assert hidden["value"] == pytest.approx(w1 * x) and output["value"] == pytest.approx(y_hat)
    assert output["adjoint"] == pytest.approx(2 * (y_hat - t), rel=1e-12)
    expected = 2 * (y_hat - t) * w2 * (1 - np.tanh(w1 * x) ** 2)
    assert hidden["adjoint"] == pytest.approx(expected, rel=1e-12)
    english = client.post("/api/backprop", json=request).json()["signals"]
    delta = f"{2 * (y_hat - t):.4g}"
    assert english[0]["label"] == f"δ₂ = ∂ℓ/∂ŷ = {delta}, the output's error signal"
    formula = {"surface": {"id": "custom", "expression": "x*y"}, "point": [1.0, 2.0]}
    assert client.post("/api/backprop", json=formula).json()["signals"] == []


def test_the_layers_updates_are_labelled_after_their_signals_with_their_means(
    client: TestClient,
) -> None:
    w1, w2 = 0.7, -1.2
    shown = client.post(
        "/api/backprop", json={"surface": SURFACE, "point": [w1, w2], "sample": 2}
    ).json()
    # every sample by hand: h = tanh(w₁x), δ₂ = 2(w₂h − t), δ₁ = δ₂ w₂ (1 − h²)
    x, t = np.array(DATA["x"]), np.array(DATA["y"])
    h = np.tanh(w1 * x)
    delta_2 = 2 * (w2 * h - t)
    delta_1 = delta_2 * w2 * (1 - h**2)
    labels = {n["id"]: n["label"] for n in shown["nodes"]}
    signals = shown["signals"]
    assert [labels[s["node"]] for s in signals[2:]] == ["w2", "w1"]
    assert [s["update"] for s in signals] == [False, False, True, True]
    assert signals[2]["value"] == pytest.approx(np.mean(delta_2 * h), rel=1e-12)
    assert signals[3]["value"] == pytest.approx(np.mean(delta_1 * x), rel=1e-12)
    mean_w2 = f"{np.mean(delta_2 * h):.4g}"
    assert signals[2]["label"].startswith(f"∂L/∂w₂ = mean(δ₂·h) = {mean_w2} over the 6 samples")
    assert signals[3]["label"].startswith("∂L/∂w₁ = mean(δ₁·x) = ")
    # the walk of the backward pass meets δ₂, δ₁ and the two updates in that order
    place = {node: k for k, node in enumerate(shown["backward_order"])}
    assert [place[s["node"]] for s in signals] == sorted(place[s["node"]] for s in signals)
    # the labels, with their numbers, are drawn beside their nodes
    figure = client.post(
        "/api/backprop?lang=ja",
        json={"surface": SURFACE, "point": [w1, w2], "sample": 2, "figure": True},
    ).json()["figure"]
    tags = [a["text"].replace("<br>", " ") for a in figure["layout"]["annotations"]]
    assert any(tag.startswith(f"∂L/∂w₂ = 平均(δ₂·h) = {mean_w2}") for tag in tags)
