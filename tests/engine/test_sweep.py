"""Sweeps: every cell is the single run with its settings; boundaries where theory puts them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from gradtrail import run
from gradtrail.presets import SWEEP_PRESETS
from gradtrail.sweep import SweepSpec, run_sweep


def single(spec: dict, optimizer: dict, start: list[float] | None = None) -> object:
    """The one run a cell stands for."""
    body = {
        "surface": spec["surface"],
        "steps": spec["steps"],
        "optimizers": [optimizer],
        "seed": spec.get("seed", 0),
    }
    if start or spec.get("start"):
        body["start"] = start or spec["start"]
    if "stop" in spec:
        body["stop"] = spec["stop"]
    return run(body).runs[0]


def assert_cell_matches(result, j: int, i: int, trajectory) -> None:
    assert result.status[j, i] == ["running", "converged", "max_steps", "diverged"].index(
        trajectory.summary.status
    )
    assert result.steps_taken[j, i] == trajectory.summary.steps_taken
    np.testing.assert_allclose(
        [result.final_x[j, i], result.final_y[j, i], result.final_loss[j, i]],
        [trajectory.x[-1], trajectory.y[-1], trajectory.loss[-1]],
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize(
    ("optimizer", "axes"),
    [
        ({"id": "momentum"}, [("lr", [0.001, 0.01, 0.05, 0.3]), ("momentum", [0.0, 0.5, 0.95])]),
        (
            {"id": "adam"},
            [
                ("lr", [0.001, 0.05, 0.5]),
                ("betas[0]", [0.0, 0.9]),
            ],
        ),
        ({"id": "rmsprop", "params": {"centered": True}}, [("alpha", [0.5, 0.9, 0.99])]),
        ({"id": "nadam"}, [("betas[1]", [0.9, 0.999]), ("lr", [0.01, 0.1])]),
    ],
)
def test_every_cell_equals_its_single_run(optimizer: dict, axes: list) -> None:
    spec = {
        "surface": {"id": "rosenbrock"},
        "start": [-1.2, 1.5],
        "steps": 300,
        "optimizer": optimizer,
        "axes": [{"name": name, "values": values} for name, values in axes],
        "stop": {"grad_tol": 1e-6},
    }
    result = run_sweep(spec)
    values1 = axes[1][1] if len(axes) > 1 else [None]
    for j, second in enumerate(values1):
        for i, first in enumerate(axes[0][1]):
            params = dict(optimizer.get("params", {}))
            for (name, _), value in zip(axes, (first, second), strict=False):
                if name.startswith("betas"):
                    betas = params.setdefault("betas", [0.9, 0.999])
                    betas[int(name[6])] = value
                else:
                    params[name] = value
            assert_cell_matches(result, j, i, single(spec, {**optimizer, "params": params}))


def test_batch_size_axis_cells_equal_single_minibatch_runs() -> None:
    spec = {
        "surface": {"id": "regression", "generate": {"noise": 1.0, "n": 50}},
        "start": [3.0, 2.0],
        "steps": 200,
        "seed": 7,
        "optimizer": {"id": "gd", "params": {"lr": 0.02}},
        "axes": [
            {"name": "batch_size", "values": [1, 4, 50]},
            {"name": "lr", "values": [0.01, 0.03]},
        ],
    }
    result = run_sweep(spec)
    for j, lr in enumerate([0.01, 0.03]):
        for i, size in enumerate([1, 4, 50]):
            trajectory = single(spec, {"id": "gd", "params": {"lr": lr}, "batch_size": size})
            assert_cell_matches(result, j, i, trajectory)


def test_gradient_descent_stops_converging_at_two_over_the_largest_curvature() -> None:
    l_max = 10.0
    rates = np.round(np.arange(0.01, 0.41, 0.01), 2)
    result = run_sweep(
        {
            "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": l_max}},
            "start": [-4.0, 2.0],
            "steps": 2000,
            "optimizer": {"id": "gd"},
            "axes": [{"name": "lr", "values": rates.tolist()}],
        }
    )
    statuses = result.status[0]
    diverged = statuses == 3
    boundary = rates[np.argmax(diverged)]  # the first learning rate that diverges
    assert not diverged[: np.argmax(diverged)].any()  # everything below it stays bounded
    assert abs(boundary - 2 / l_max) <= 0.01 + 1e-12


def test_basins_on_himmelblau_match_single_runs() -> None:
    spec = {
        "surface": {"id": "himmelblau"},
        "steps": 400,
        "optimizer": {"id": "gd", "params": {"lr": 0.01}},
        "axes": [{"name": "start.x", "count": 6}, {"name": "start.y", "count": 6}],
    }
    result = run_sweep(spec)
    xs = np.linspace(-5, 5, 6)
    minima = np.array(result.surface.minima)
    assert set(result.basin.ravel()) == {0, 1, 2, 3}
    for j, y in enumerate(xs):
        for i, x in enumerate(xs):
            trajectory = single(spec, spec["optimizer"], [float(x), float(y)])
            nearest = int(np.argmin(np.hypot(*(minima - [trajectory.x[-1], trajectory.y[-1]]).T)))
            assert result.basin[j, i] == nearest
            assert_cell_matches(result, j, i, trajectory)


def test_steps_to_threshold() -> None:
    result = run_sweep(
        {
            "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 1.0}},
            "start": [1.0, 0.0],
            "steps": 100,
            "optimizer": {"id": "gd"},
            "axes": [{"name": "lr", "values": [0.5, 0.0]}],
            "loss_threshold": 1e-6,
        }
    )
    # f_k = 0.5 (1 - lr)^(2k) ≤ 1e-6 first at k = ceil(log(2e-6) / (2 log 0.5)) = 10.
    expected = math.ceil(math.log(2e-6) / (2 * math.log(0.5)))
    assert result.steps_to_threshold[0].tolist() == [expected, -1]


def lr_axis(count: int) -> dict:
    return {"name": "lr", "count": count, "low": 0.1, "high": 1.0}


def momentum_axis(count: int) -> dict:
    return {"name": "momentum", "count": count, "low": 0.0, "high": 1.0}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"axes": [lr_axis(201), momentum_axis(200)]}, "limit is 40,000"),
        ({"steps": 5000, "axes": [lr_axis(100), momentum_axis(50)]}, "limit is 20,000,000"),
        ({"steps": 5001}, "5000"),
        ({"axes": [{"name": "betas[0]", "values": [0.5]}]}, "cannot sweep 'betas[0]'"),
        ({"axes": [{"name": "momentum", "values": [-1.0]}]}, "momentum must be ≥ 0"),
        ({"axes": [{**lr_axis(5), "low": 0.0, "scale": "log"}]}, "values > 0"),
        ({"axes": [lr_axis(2), lr_axis(3)]}, "must differ"),
        ({"axes": [{"name": "batch_size", "values": [2]}]}, "needs a surface with data"),
        ({"optimizer": {"id": "gd", "batch_size": 4}}, "batch_size needs a surface with data"),
    ],
)  # fmt: skip
def test_limits_and_bad_axes_are_validation_errors(change: dict, words: str) -> None:
    spec = {
        "surface": {"id": "quadratic"},
        "steps": 100,
        "optimizer": {"id": "momentum"},
        "axes": [{"name": "lr", "values": [0.1]}],
        **change,
    }
    with pytest.raises(ValidationError) as error:
        SweepSpec.model_validate(spec)
    assert words in str(error.value)


def test_sweep_presets_are_valid() -> None:
    for preset in SWEEP_PRESETS.values():
        spec = preset.sweep_spec()
        assert len(spec.axes) == 2
