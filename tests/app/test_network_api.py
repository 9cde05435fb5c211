"""The network kind over HTTP: listed, run with its vectors recorded, its plane and
off-plane distances, the contour on its plane, and 422s naming the field for bad bounds.
Numbers are checked against torch (the loss at a plane point) and the definitions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

torch = pytest.importorskip("torch")

SURFACE = {"id": "network", "layers": [2, 5, 1], "generate": {"kind": "circles", "n": 60}}
SPEC = {
    "surface": SURFACE, "steps": 120, "record": ["parameters"],
    "optimizers": [{"id": "adam", "params": {"lr": 0.05}},
                   {"id": "momentum", "params": {"lr": 0.3}, "batch_size": 20}],
}  # fmt: skip


def torch_loss(vector: np.ndarray, x: np.ndarray, t: np.ndarray) -> float:
    """BCEWithLogitsLoss of nn.Sequential(Linear(2, 5), Tanh, Linear(5, 1)) holding ``vector``."""
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 5, dtype=torch.float64), torch.nn.Tanh(),
        torch.nn.Linear(5, 1, dtype=torch.float64),
    )  # fmt: skip
    torch.nn.utils.vector_to_parameters(torch.tensor(vector), model.parameters())
    output = model(torch.tensor(x))[:, 0]
    return torch.nn.BCEWithLogitsLoss()(output, torch.tensor(t)).item()


def test_it_is_listed_with_its_menus_and_slice_axes(client: TestClient) -> None:
    listed = {s["id"]: s for s in client.get("/api/surfaces?lang=ja").json()}["network"]
    assert listed["example"]["layers"] == [2, 4, 1] and listed["data"] is True
    assert "断面" in listed["axes"][0] and "断面" in listed["axes"][1]  # it says: a slice
    menus = {m["field"]: m for m in listed["menus"]}
    assert menus["loss"]["default"] == "cross_entropy"
    assert listed["plane"]["kind"] == "random" and len(listed["plane"]["directions"]) == 2


def test_a_run_carries_its_vectors_its_plane_and_off_plane_distances(
    client: TestClient,
) -> None:
    response = client.post("/api/runs", json=SPEC)
    assert response.status_code == 200, response.text
    body = response.json()
    plane = body["surface"]["plane"]
    origin, directions = np.array(plane["origin"]), np.array(plane["directions"])
    assert plane["kind"] == "pca" and 0.0 < plane["explained"] <= 1.0
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-12)
    for run in body["runs"]:
        vectors = np.array(run["parameters"])
        assert vectors.shape == (121, 21) and len(run["off_plane"]) == 121
        np.testing.assert_array_equal(vectors[0], origin)  # the plane passes through the start
        shifted = vectors - origin
        np.testing.assert_allclose(run["x"], shifted @ directions[0], atol=1e-12)
        np.testing.assert_allclose(run["y"], shifted @ directions[1], atol=1e-12)
        rest = shifted - np.outer(run["x"], directions[0]) - np.outer(run["y"], directions[1])
        np.testing.assert_allclose(run["off_plane"], np.linalg.norm(rest, axis=1), atol=1e-10)
    unrecorded = client.post("/api/runs", json={**SPEC, "record": []}).json()["runs"][0]
    assert "parameters" not in unrecorded and len(unrecorded["off_plane"]) == 121


def test_the_contour_on_the_result_plane_is_the_true_loss(client: TestClient) -> None:
    """The page asks for the grid of the plane a result carries: the torch loss at
    ``origin + a d₁ + b d₂``."""
    body = client.post("/api/runs", json=SPEC).json()
    plane = body["surface"]["plane"]
    stated = {**SURFACE, "plane": {"origin": plane["origin"], "directions": plane["directions"]}}
    grid = client.post(
        "/api/surfaces/grid",
        json={"surface": stated, "resolution": 5, "domain": body["surface"]["domain"]},
    ).json()
    from gradtrail.network_data import NetworkGenerate, generate_points

    x, t = generate_points(NetworkGenerate(**SURFACE["generate"]))
    origin, (d1, d2) = np.array(plane["origin"]), np.array(plane["directions"])
    for i, j in ((0, 0), (2, 3), (4, 1)):
        expected = torch_loss(origin + grid["x"][i] * d1 + grid["y"][j] * d2, x, t)
        assert grid["z"][j][i] == pytest.approx(expected, rel=1e-12)
    # The run's first loss is the loss at the start, the plane's origin.
    assert body["runs"][0]["loss"][0] == pytest.approx(torch_loss(origin, x, t), rel=1e-13)


BAD: list[tuple[dict[str, Any], str]] = [
    ({"surface": {**SURFACE, "layers": [2, 4, 4, 4, 4, 1]}}, "layers"),
    ({"surface": {**SURFACE, "layers": [2, 40, 1]}}, "layers"),
    ({"surface": {**SURFACE, "layers": [2, 32, 32, 32, 1]}}, "2,000"),
    ({"surface": {**SURFACE, "generate": {"kind": "spiral", "n": 6000}}}, "n"),
    ({"surface": {**SURFACE, "init": [0.0, 1.0]}}, "init"),
    ({"surface": {**SURFACE, "plane": {"kind": "tsne"}}}, "kind"),
    ({"start": [0.0, 0.0]}, "start"),
    ({"record": ["state"]}, "record"),
    (
        {
            "surface": {**SURFACE, "layers": [2, 30, 30, 1]},
            "record": [],
            "steps": 20_000,
            "optimizers": [{"id": "gd"}] * 16,
        },
        "values kept",
    ),
    ({"steps": 20_000, "optimizers": [{"id": "gd"}] * 16}, "answer would be"),
]


@pytest.mark.parametrize(("change", "said"), BAD)
def test_bad_bounds_are_a_422_naming_the_field(
    client: TestClient, change: dict[str, Any], said: str
) -> None:
    response = client.post("/api/runs", json={**SPEC, **change})
    assert response.status_code == 422, response.text
    assert said in response.text


def test_a_stated_plane_that_is_not_orthonormal_is_a_422(client: TestClient) -> None:
    count = 21
    plane = {"origin": [0.0] * count, "directions": [[1.0] + [0.0] * 20, [1.0] + [0.0] * 20]}
    response = client.post(
        "/api/surfaces/grid", json={"surface": {**SURFACE, "plane": plane}, "resolution": 5}
    )
    assert response.status_code == 422 and "orthonormal" in response.text


def test_a_stream_draws_on_the_provisional_plane_then_ends_on_the_final_one(
    client: TestClient,
) -> None:
    """The frames' points lie on the provisional (random) plane the ``meta`` surface
    states; ``done`` carries the final plane and every path on it, equal to the batch's."""
    from .test_streams import events

    spec = {**SPEC, "record": []}
    with client.stream("POST", "/api/runs/stream", json=spec) as response:
        assert response.status_code == 200
        collected = list(events(response))
    meta, done = collected[0][1], collected[-1][1]
    assert meta["surface"]["plane"]["kind"] == "random"
    batch = client.post("/api/runs", json=SPEC).json()
    vectors = np.array(batch["runs"][0]["parameters"])
    provisional = meta["surface"]["plane"]
    shifted = vectors - np.array(provisional["origin"])
    frames = [payload for name, payload in collected if name == "frame"]
    joined = [v for frame in frames for v in frame["runs"][0]["x"]]
    np.testing.assert_allclose(joined, shifted @ np.array(provisional["directions"][0]),
                               atol=1e-12)  # fmt: skip
    assert done["surface"] == batch["surface"]
    for ended, run in zip(done["runs"], batch["runs"], strict=True):
        for key in ("x", "y", "off_plane"):
            assert ended[key] == run[key], key


def test_the_views_of_two_parameters_refuse_it_with_a_422(client: TestClient) -> None:
    """A sweep steps its cells over two parameters, the backward-pass graph and the data
    view draw a 2-D surface's: each says so, never a 500."""
    axis = {"name": "lr", "low": 0.01, "high": 1.0, "count": 3, "scale": "log"}
    for path, body in (
        ("/api/sweeps", {"surface": SURFACE, "steps": 50, "optimizer": {"id": "gd"},
                         "axes": [axis]}),
        ("/api/backprop", {"surface": SURFACE, "point": [0.1, 0.2], "sample": 0}),
        ("/api/data-view", {"surface": SURFACE, "point": [0.1, 0.2]}),
    ):  # fmt: skip
        response = client.post(path, json=body)
        assert response.status_code == 422, (path, response.text)


def test_a_streams_frames_carry_each_points_distance_from_the_plane_drawn_on(
    client: TestClient,
) -> None:
    """Every frame point's ``off_plane`` is its vector's distance from the provisional
    plane, √(‖θ − o‖² − a² − b²) with a = (θ − o)·d₁, b = (θ − o)·d₂ (d₁, d₂ orthonormal),
    the start's included; the start figure's paths hover it as their ``customdata``."""
    from gradtrail.texts import text

    from .test_streams import events

    with client.stream("POST", "/api/runs/stream", json={**SPEC, "record": []}) as response:
        collected = list(events(response))
    meta = collected[0][1]
    provisional = meta["surface"]["plane"]
    origin, (d1, d2) = np.array(provisional["origin"]), np.array(provisional["directions"])
    np.testing.assert_allclose([[d1 @ d1, d1 @ d2], [d2 @ d1, d2 @ d2]], np.eye(2), atol=1e-12)
    frames = [payload for name, payload in collected if name == "frame"]
    batch = client.post("/api/runs", json=SPEC).json()
    for index, run in enumerate(batch["runs"]):
        shifted = np.array(run["parameters"]) - origin
        a, b = shifted @ d1, shifted @ d2
        expected = np.sqrt(np.maximum(np.sum(shifted**2, axis=1) - a * a - b * b, 0.0))
        for key, along in (("x", a), ("y", b)):  # the coordinates the distance goes with
            drawn = [v for frame in frames for v in frame["runs"][index][key]]
            np.testing.assert_allclose(drawn, along, atol=1e-12)
        joined = [v for frame in frames for v in frame["runs"][index]["off_plane"]]
        assert len(joined) == len(expected) == 121
        np.testing.assert_allclose(joined, expected, atol=1e-6)
        assert np.max(expected) > 0.1  # training leaves the random plane: it hides something
    contour = meta["figures"]["contour"]
    paths = [trace for trace in contour["data"] if "run" in (trace.get("meta") or {})]
    assert len(paths) == 2
    for trace in paths:
        assert list(np.ravel(decoded(trace["customdata"]))) == [0.0]  # the start is on it
        assert text("figure.off_plane", "en") in trace["hovertemplate"]


def decoded(value: Any) -> Any:
    """plotly's {dtype, bdata} arrays as numpy; plain lists as they are."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return value
