"""The JSON API through HTTP: every endpoint, error shapes and bounds."""

from __future__ import annotations

import math

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient

from gradtrail.kinds import SURFACE_KINDS
from gradtrail.optimizers import OPTIMIZERS

SPEC = {
    "surface": {"id": "rosenbrock"},
    "steps": 200,
    "optimizers": [{"id": "adam", "params": {"lr": 0.05}}, {"id": "momentum"}],
}


def no_nan_or_infinity(text: str) -> bool:
    return "NaN" not in text and "Infinity" not in text


def test_health(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["version"]


def test_surfaces_lists_every_builtin(client: TestClient) -> None:
    listed = {item["id"]: item for item in client.get("/api/surfaces").json()}
    expected = {
        "quadratic",
        "rosenbrock",
        "beale",
        "himmelblau",
        "saddle",
        "rastrigin",
        "regression",
        "neuron",
        "chain",
        "network",
        "custom",
    }
    assert set(listed) == expected == set(SURFACE_KINDS)  # the registry is the only list
    rosenbrock = listed["rosenbrock"]
    assert rosenbrock["domain"] == [[-2.0, 2.0], [-1.0, 3.0]]
    assert rosenbrock["minima"] == [[1.0, 1.0]]
    assert {p["name"] for p in rosenbrock["params"]} == {"a", "b"}
    assert len(listed["himmelblau"]["minima"]) == 4


def test_optimizers_list_torch_names(client: TestClient) -> None:
    listed = {item["id"]: item for item in client.get("/api/optimizers").json()}
    assert set(listed) == set(OPTIMIZERS)  # the registry is the only list
    params = {p["name"]: p for p in listed["rmsprop"]["params"]}
    assert params["alpha"]["default"] == 0.99 and params["centered"]["kind"] == "bool"
    assert listed["adam"]["params"][1] | {"help": ""} == {
        "name": "betas", "default": [0.9, 0.999], "min": 0.0, "max": 1.0,
        "max_inclusive": False, "kind": "pair", "help": "", "label": "moment decay rates",
    }  # fmt: skip


def test_grid_follows_plotly_convention_and_writes_null(client: TestClient) -> None:
    body = client.post(
        "/api/surfaces/grid",
        json={"surface": {"id": "rosenbrock"}, "resolution": 5, "domain": [[-1, 1], [0, 2]]},
    ).json()
    x, y, z = body["x"], body["y"], body["z"]
    assert len(x) == len(y) == 5 and len(z) == 5 and len(z[0]) == 5
    assert z[1][3] == pytest.approx((1 - x[3]) ** 2 + 100 * (y[1] - x[3] ** 2) ** 2)
    huge = client.post(
        "/api/surfaces/grid",
        json={"surface": {"id": "quadratic"}, "resolution": 3, "domain": [[-1e6, 1e6], [-1, 1]]},
    )
    assert huge.status_code == 200
    overflow = client.post(
        "/api/surfaces/grid",
        json={"surface": {"id": "quadratic", "params": {"l1": 1e6}}, "resolution": 3},
    )
    assert no_nan_or_infinity(overflow.text)


def test_runs_returns_every_array_and_summary(client: TestClient) -> None:
    response = client.post("/api/runs", json=SPEC)
    assert response.status_code == 200
    body = response.json()
    assert body["surface"]["id"] == "rosenbrock"
    first, second = body["runs"]
    assert first["label"] == "Adam (lr=0.05)"
    assert first["params"] == {
        "lr": 0.05, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0,
        "amsgrad": False, "bias_correction": True,
    }  # fmt: skip
    assert second["params"]["momentum"] == 0.9
    for run in body["runs"]:
        n = run["steps_taken"] + 1
        assert len(run["x"]) == len(run["y"]) == len(run["loss"]) == len(run["grad_norm"]) == n
        assert run["x"][0] == -1.5 and run["y"][0] == 2.0
        assert run["status"] in {"converged", "max_steps", "diverged"}
        assert run["final_loss"] == run["loss"][-1]
        assert math.isfinite(run["distance_to_min"])


def test_divergence_is_a_result_not_an_error(client: TestClient) -> None:
    spec = {**SPEC, "optimizers": [{"id": "gd", "params": {"lr": 1e9}}]}
    response = client.post("/api/runs", json=spec)
    assert response.status_code == 200
    assert no_nan_or_infinity(response.text)
    assert response.json()["runs"][0]["status"] == "diverged"


def test_regression_with_data_and_minibatches(client: TestClient) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 300)
    t = 0.5 * x - 2 + rng.normal(0, 0.3, 300)
    spec = {
        "surface": {"id": "regression", "data": {"x": x.tolist(), "y": t.tolist()}},
        "steps": 400,
        "optimizers": [{"id": "gd", "params": {"lr": 0.1}}, {"id": "gd", "batch_size": 16}],
    }
    body = client.post("/api/runs", json=spec).json()
    w, b = body["surface"]["minima"][0]
    slope, intercept = np.polyfit(x, t, 1)
    assert (w, b) == pytest.approx((slope, intercept), abs=1e-9)
    assert body["runs"][1]["batch_size"] == 16


PARAMS = ["body", "optimizers", 0, "params"]


def detail_of(response) -> list[dict]:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    return detail


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        ({**SPEC, "steps": 20_001}, ["body", "steps"], "20000"),
        ({**SPEC, "optimizers": [{"id": "adam"}] * 17}, ["body", "optimizers"], "16"),
        ({**SPEC, "optimizers": [{"id": "sgd"}]}, ["body", "optimizers", 0, "id"], ""),
        ({**SPEC, "optimizers": [{"id": "adam", "params": {"beta": 1}}]}, PARAMS, "beta"),
        ({**SPEC, "optimizers": [{"id": "adam", "params": {"eps": -1}}]}, PARAMS, "eps"),
        ({**SPEC, "start": [0, 1, 2]}, ["body", "start"], ""),
        ({**SPEC, "surface": {"id": "moon"}}, ["body", "surface", "id"], ""),
        ({**SPEC, "start": [1e300, 1e300]}, ["body", "start"], "beyond the divergence bound"),
        ({**SPEC, "start": [0, -2e8]}, ["body", "start"], "(±1e+08)"),
        # near the float limit, on a surface whose window widens to a start (found by the fuzz)
        ({**SPEC, "surface": {"id": "beale"}, "start": [0, 1.6e308]}, ["body", "start"], "bound"),
        ({**SPEC, "surface": {"id": "custom", "expression": "exp(x^2)"}, "start": [30, 0]},
         ["body", "start"], "not finite"),
        ({**SPEC, "optimizers": [{"id": "gd", "batch_size": 2}]}, ["body"], "batch_size"),
    ],
)  # fmt: skip
def test_bad_specs_are_422_naming_the_field(client: TestClient, spec, field, words) -> None:
    detail = detail_of(client.post("/api/runs", json=spec))
    assert detail[0]["loc"][: len(field)] == field
    assert words in detail[0]["msg"]
    assert "input" not in detail[0]  # the body is never echoed back


def test_nan_in_json_is_rejected(client: TestClient) -> None:
    raw = b'{"surface": {"id": "rosenbrock"}, "start": [NaN, 1], "optimizers": [{"id": "gd"}]}'
    response = client.post("/api/runs", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_invalid_json_is_422_with_detail(client: TestClient) -> None:
    response = client.post(
        "/api/runs", content=b'{"surface": ', headers={"content-type": "application/json"}
    )
    assert detail_of(response)[0]["type"] == "json_invalid"


def test_grid_resolution_is_bounded(client: TestClient) -> None:
    detail = detail_of(
        client.post("/api/surfaces/grid", json={"surface": {"id": "beale"}, "resolution": 401})
    )
    assert detail[0]["loc"] == ["body", "resolution"]


def test_oversized_body_is_413(client: TestClient) -> None:
    padding = b" " * (8 * 2**20 + 10)
    response = client.post(
        "/api/runs",
        content=padding + orjson.dumps(SPEC),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/api/health").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in headers


def test_cors_is_off_by_default_and_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradtrail.app.main import create_app
    from gradtrail.app.settings import get_settings

    origin = {"origin": "https://slides.example"}
    with TestClient(create_app()) as plain:
        assert "access-control-allow-origin" not in plain.get("/api/health", headers=origin).headers
    monkeypatch.setenv("GRADTRAIL_CORS_ORIGINS", "https://slides.example")
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as open_client:
            allowed = open_client.get("/api/health", headers=origin).headers
            assert allowed["access-control-allow-origin"] == "https://slides.example"
    finally:
        get_settings.cache_clear()


def test_docs_and_schema_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/runs", "/api/runs/stream", "/api/surfaces/grid"} <= set(schema["paths"])
    body = schema["paths"]["/api/runs"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["examples"][0]["surface"]["id"] == "rosenbrock"
    runs = schema["paths"]["/api/runs"]["post"]["responses"]["200"]["content"]["application/json"]
    assert runs["schema"] == {"$ref": "#/components/schemas/RunsResponse"}
    assert client.get("/docs").status_code == 200


def test_backprop_answers_the_graph_with_values_and_adjoints(client: TestClient) -> None:
    body = {"surface": {"id": "custom", "expression": "(x*y + x)^2"}, "point": [1.0, 2.0]}
    graph = client.post("/api/backprop", json=body).json()
    tree = client.post("/api/backprop", json={**body, "shared": False}).json()
    assert graph["gradient"] == tree["gradient"] == [18.0, 6.0]
    assert (graph["size"], len(tree["nodes"])) == ({"graph": 6, "tree": 7}, 7)
    output = graph["nodes"][graph["output"]]
    assert (output["value"], output["adjoint"]) == (9.0, 1.0)
    bowl = client.post(
        "/api/backprop", json={"surface": {"id": "regression"}, "point": [3.0, 2.0], "sample": 4}
    ).json()
    assert bowl["parameters"] == ["w", "b"] and bowl["samples"]["index"] == 4
    assert {n["label"]: n["kind"] for n in bowl["nodes"]}["x"] == "data"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"surface": {"id": "regression"}, "point": [0, 0], "sample": 100}, ["body", "sample"]),
        ({"surface": {"id": "saddle"}, "point": [0, 0], "sample": 0}, ["body", "sample"]),
        ({"surface": {"id": "saddle"}, "point": [0, 0], "sample": -1}, ["body", "sample"]),
        ({"surface": {"id": "saddle"}, "point": [1e300, 0]}, ["body", "point", 0]),
        ({"surface": {"id": "saddle"}, "point": [0]}, ["body", "point"]),
        (
            {"surface": {"id": "custom", "expression": "log(x)"}, "point": [-1, 0]},
            ["body", "point"],
        ),
        ({"surface": {"id": "custom", "expression": "x +"}, "point": [0, 0]}, ["body", "surface"]),
        ({"surface": {"id": "neuron"}, "point": [1e6, 0]}, ["body", "point"]),  # log(1 − 1)
    ],
)
def test_backprop_refuses_what_it_cannot_show_naming_the_field(
    client: TestClient, body: dict, field: list
) -> None:
    answer = client.post("/api/backprop", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][: len(field)] == field


def test_data_view_answers_samples_model_and_the_steps_minibatch(client: TestClient) -> None:
    body = {"surface": {"id": "regression", "generate": {"n": 2000, "noise": 1.0}},
            "point": [3.0, 2.0], "minibatch": {"size": 32, "seed": 1, "run": 0, "step": 7},
            "figure": True}  # fmt: skip
    view = client.post("/api/data-view?lang=ja", json=body).json()
    assert view["kind"] == "line" and view["count"] == 2000
    assert len(view["samples"]["x"]) == 500  # listed: bounded; summed: all 2,000
    assert sum(view["samples"]["in_batch"]) == view["minibatch"]["size"] == 32
    title = view["figure"]["layout"]["title"]["text"]
    assert title.startswith("(w, b) = (3, 2) でのデータとモデル")
    assert len(view["arrow_traces"]) == 3
    spec = {"surface": body["surface"], "start": [3.0, 2.0], "steps": 10, "seed": 1,
            "record": ["state"], "optimizers": [{"id": "gd", "batch_size": 32}]}  # fmt: skip
    runs = client.post("/api/runs", json=spec).json()["runs"][0]
    at = {**body, "point": [runs["x"][7], runs["y"][7]], "figure": False}
    used = client.post("/api/data-view", json=at).json()["minibatch"]["gradient"]
    recorded = [runs["state"]["gradient_x"][7], runs["state"]["gradient_y"][7]]
    assert used == pytest.approx(recorded, rel=1e-12)
    shown = client.post("/api/backprop", json={**at, "sample": 3}).json()["samples"]
    assert shown["minibatch"]["mean_gradient"] == pytest.approx(recorded, rel=1e-12)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"surface": {"id": "saddle"}, "point": [0, 0]}, ["body", "surface"]),
        ({"surface": {"id": "neuron"}, "point": [1e300, 0]}, ["body", "point", 0]),
        ({"surface": {"id": "neuron"}, "point": [0, 0], "minibatch": {"size": 0, "step": 0}},
         ["body", "minibatch", "size"]),
        ({"surface": {"id": "neuron"}, "point": [0, 0], "minibatch": {"size": 4, "step": 20_000}},
         ["body", "minibatch", "step"]),
        ({"surface": {"id": "neuron"}, "point": [0, 0], "minibatch": {"size": 4, "run": 16,
          "step": 0}}, ["body", "minibatch", "run"]),
    ],
)  # fmt: skip
def test_data_view_refuses_what_it_cannot_show_naming_the_field(
    client: TestClient, body: dict, field: list
) -> None:
    answer = client.post("/api/data-view", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][: len(field)] == field


def test_averages_runs_the_spec_with_its_state_and_bounds_it(client: TestClient) -> None:
    spec = {"surface": {"id": "quadratic"}, "steps": 50,
            "optimizers": [{"id": "adam"}, {"id": "rmsprop"}]}  # fmt: skip
    figure = client.post("/api/averages?lang=ja", json=spec).json()["figure"]
    assert figure["layout"]["title"]["text"].startswith("勾配の移動平均")
    assert {t.get("legendgroup") for t in figure["data"]} == {"run0", "run1"}
    too_many = {**spec, "steps": 20_000, "optimizers": [{"id": "adam"}] * 3}
    answer = client.post("/api/averages", json=too_many)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "steps"]


def test_the_averages_outline_is_drawn_without_running_the_spec(client: TestClient) -> None:
    """The page's averages figure: every trace empty, naming the state the stream sends."""
    spec = {"surface": {"id": "quadratic"}, "steps": 50, "record": ["state"],
            "optimizers": [{"id": "adam"}, {"id": "gd"}]}  # fmt: skip
    figure = client.post("/api/figures/averages?lang=ja", json=spec).json()["figure"]
    assert figure["layout"]["title"]["text"].startswith("勾配の移動平均")
    drawn = [t for t in figure["data"] if "averages" in t.get("meta", {})]
    assert drawn and all(t["meta"]["averages"]["run"] == 0 for t in drawn)  # gd keeps none
    assert all(not t.get("y") or not t["y"].get("bdata") for t in drawn)  # nothing computed
    states = {t["meta"]["averages"]["state"] for t in drawn}
    assert states == {f"{n}_{a}" for n in ("gradient", "m", "m_hat", "v", "v_hat") for a in "xy"}
    bad = client.post("/api/figures/averages", json={**spec, "steps": 0})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "steps"]


def test_lessons_say_which_panels_they_open(client: TestClient) -> None:
    lessons = {p["id"]: p for p in client.get("/api/presets").json()}
    assert lessons["beta"]["panels"] == ["averages"]
    assert lessons["perceptron"]["panels"] == ["data"]
    assert lessons["graph-reuse"]["spec"]["surface"]["expression"] == "(x*y + x)^2"
    assert {p for lesson in lessons.values() for p in lesson["panels"]} == {
        "backprop",
        "data",
        "averages",
    }


@pytest.mark.parametrize("path", ["/api/runs", "/api/runs/stream", "/export", "/api/player"])
def test_a_fault_in_the_body_is_reported_once(client: TestClient, path: str) -> None:
    """The route and its admission's estimates each read the body: a bad value was listed
    three times, and the page showed its message three times under the field."""
    spec = {"surface": {"id": "beale"},
            "optimizers": [{"id": "momentum", "params": {"momentum": -0.5}}]}  # fmt: skip
    detail = client.post(path, json=spec).json()["detail"]
    assert len(detail) == 1 and detail[0]["loc"] == ["body", "optimizers", 0, "params"], detail


SADDLE_RUN = {
    "surface": {"id": "custom", "expression": "x^2 - y^2"},
    "start": [0.0, 0.0],
    "steps": 10,
    "optimizers": [{"id": "gd", "params": {"lr": 0.1}}],
}


def stream_done(client: TestClient, spec: dict) -> dict:
    """The ``done`` event of a run's stream."""
    with client.stream("POST", "/api/runs/stream", json=spec) as response:
        lines = list(response.iter_lines())
    at = lines.index("event: done")
    return orjson.loads(lines[at + 1].removeprefix("data: "))


def test_a_run_says_what_its_zero_gradient_point_is(client: TestClient) -> None:
    """x² − y² started at its critical point, the origin: ∇f = (2x, −2y) = 0 and
    H = diag(2, −2), a saddle. The status word stays "converged" (the contract); the new
    field says what was found, in /api/runs and in the stream's done event alike; a run
    that did not converge has null."""
    body = client.post("/api/runs", json=SADDLE_RUN).json()
    assert [(r["status"], r["stationary"]) for r in body["runs"]] == [("converged", "saddle")]
    done = stream_done(client, SADDLE_RUN)["runs"]
    assert [(r["status"], r["stationary"]) for r in done] == [("converged", "saddle")]
    bowl = {**SADDLE_RUN, "surface": {"id": "custom", "expression": "x^2 + y^2"}}
    bowl |= {"start": [1.0, 1.0], "steps": 500}
    assert client.post("/api/runs", json=bowl).json()["runs"][0]["stationary"] == "minimum"
    short = {**bowl, "steps": 3}
    assert client.post("/api/runs", json=short).json()["runs"][0]["stationary"] is None


def test_the_schema_names_the_kinds_of_stationary_point(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    field = schemas["RunItem"]["properties"]["stationary"]
    kinds = next(option["enum"] for option in field["anyOf"] if "enum" in option)
    assert set(kinds) == {"minimum", "maximum", "saddle", "valley", "ridge", "flat"}
    assert "curvature" in field["description"]
    assert "stationary" in schemas["SweepResponse"]["required"]


def test_a_sweep_says_what_each_converged_cell_stopped_at(client: TestClient) -> None:
    sweep = {
        "surface": {"id": "saddle"},
        "optimizer": {"id": "gd", "params": {"lr": 0.1}},
        "steps": 500,
        "axes": [{"name": "start.y", "low": -1, "high": 1, "count": 3}],
    }
    body = client.post("/api/sweeps", json=sweep).json()
    assert body["stationary"] == [["minimum", "saddle", "minimum"]]  # y = 0 is the ridge
