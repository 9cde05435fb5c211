"""Inside the step: recorded state, schedules against torch, feature scaling, numbers out."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from gradtrail import RunSpec, Simulation, run
from gradtrail.regression import generate_line

torch = pytest.importorskip("torch")

RECORDED = {
    "surface": {"id": "rosenbrock"},
    "start": [-1.5, 2.0],
    "steps": 400,
    "record": ["state"],
    "optimizers": [
        {"id": "adam", "params": {"lr": 0.05}},
        {"id": "adam", "params": {"lr": 0.05, "bias_correction": False, "amsgrad": True}},
        {"id": "momentum", "params": {"momentum": 0.9, "dampening": 0.9}},
        {"id": "nesterov"},
        {"id": "rmsprop", "params": {"centered": True, "momentum": 0.5, "lr": 0.001}},
        {"id": "adagrad"},
        {"id": "adadelta"},
        {"id": "adamw"},
        {"id": "nadam"},
        {"id": "adamax"},
        {"id": "gd", "schedule": {"kind": "step", "step_size": 50, "gamma": 0.5}},
    ],
}


# torch applies two updates in one step here (decoupled decay, then Adam; NAdam's two
# addcdiv_), so no single float step need reproduce the rounding of both: within one ulp.
TWO_UPDATES = {"adamw", "nadam"}


def test_replaying_each_recorded_step_gives_the_next_point_exactly() -> None:
    for trajectory in run(RECORDED).runs:
        state = trajectory.state
        assert state is not None and len(state["lr"]) == trajectory.x.size - 1
        for axis in ("x", "y"):
            points = getattr(trajectory, axis)
            replayed = points[:-1] + state[f"step_{axis}"]
            if trajectory.info.optimizer in TWO_UPDATES:
                larger = np.maximum(np.abs(points[:-1]), np.abs(points[1:]))
                assert (np.abs(replayed - points[1:]) <= np.spacing(larger)).all()
            else:
                np.testing.assert_array_equal(replayed, points[1:])


def test_recorded_gradient_is_the_surfaces() -> None:
    result = run(RECORDED)
    for trajectory in result.runs:
        points = np.column_stack([trajectory.x[:-1], trajectory.y[:-1]])
        gradient = result.surface.grad(points)
        np.testing.assert_allclose(trajectory.state["gradient_x"], gradient[:, 0], rtol=1e-14)
        np.testing.assert_allclose(trajectory.state["gradient_y"], gradient[:, 1], rtol=1e-14)


def test_adam_m_hat_and_v_hat_are_the_bias_corrections() -> None:
    adam, uncorrected = run(RECORDED).runs[:2]
    t = np.arange(1, adam.x.size)
    for axis in ("x", "y"):
        state = adam.state
        np.testing.assert_allclose(
            state[f"m_hat_{axis}"], state[f"m_{axis}"] / (1 - 0.9**t), rtol=1e-12
        )
        np.testing.assert_allclose(
            state[f"v_hat_{axis}"], state[f"v_{axis}"] / (1 - 0.999**t), rtol=1e-12
        )
        # Without bias correction, the "corrected" moments are the moments themselves.
        off = uncorrected.state
        np.testing.assert_array_equal(off[f"m_hat_{axis}"], off[f"m_{axis}"])
        assert (off[f"v_max_{axis}"] >= off[f"v_{axis}"]).all()


def test_momentum_velocity_follows_the_dampened_rule() -> None:
    momentum = run(RECORDED).runs[2].state
    g, v = momentum["gradient_x"], momentum["velocity_x"]
    assert v[0] == g[0]  # torch's buffer starts as the first gradient
    np.testing.assert_allclose(v[1:], 0.9 * v[:-1] + 0.1 * g[1:], rtol=1e-12)


SCHEDULES = [
    ({"kind": "step", "step_size": 7, "gamma": 0.5}, "StepLR", {"step_size": 7, "gamma": 0.5}),
    ({"kind": "exponential", "gamma": 0.93}, "ExponentialLR", {"gamma": 0.93}),
    (
        {"kind": "cosine", "T_max": 20, "eta_min": 0.001},
        "CosineAnnealingLR",
        {"T_max": 20, "eta_min": 0.001},
    ),
    (
        {"kind": "linear", "start_factor": 0.25, "total_iters": 10},
        "LinearLR",
        {"start_factor": 0.25, "total_iters": 10},
    ),
]


@pytest.mark.parametrize(
    ("schedule", "torch_name", "torch_args"), SCHEDULES, ids=[s[1] for s in SCHEDULES]
)
def test_schedule_lr_sequence_equals_torchs(
    schedule: dict, torch_name: str, torch_args: dict
) -> None:
    spec = {
        "surface": {"id": "quadratic"},
        "steps": 50,
        "stop": {"grad_tol": 0.0},
        "record": ["state"],
        "optimizers": [{"id": "gd", "params": {"lr": 0.1}, "schedule": schedule}],
    }
    ours = run(spec).runs[0].state["lr"]
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    scheduler = getattr(torch.optim.lr_scheduler, torch_name)(optimizer, **torch_args)
    expected = []
    for _ in range(50):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-15)


def test_a_schedule_changes_the_path_as_its_lr_says() -> None:
    spec = {
        "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 1.0}},
        "start": [1.0, 0.0],
        "steps": 10,
        "stop": {"grad_tol": 0.0},
        "optimizers": [
            {"id": "gd", "params": {"lr": 0.5}, "schedule": {"kind": "exponential", "gamma": 0.5}}
        ],
    }
    x = run(spec).runs[0].x
    expected = [1.0]
    for t in range(10):
        expected.append(expected[-1] * (1 - 0.5 * 0.5**t))
    np.testing.assert_allclose(x, expected, rtol=1e-14)


def test_standardized_bowl_minimum_maps_back_to_the_raw_line() -> None:
    x, t = generate_line(3.0, -20.0, 2.0, 300, (50.0, 80.0), 4)
    spec = {
        "surface": {
            "id": "regression",
            "data": {"x": x.tolist(), "y": t.tolist()},
            "standardize": True,
        },
        "steps": 5,
        "optimizers": [{"id": "gd"}],
    }
    result = run(spec)
    info = result.as_dict()["surface"]["info"]
    slope, intercept = np.polyfit(x, t, 1)
    assert info["raw_minimum"] == pytest.approx([slope, intercept], abs=1e-8)
    assert info["x_mean"] == pytest.approx(x.mean()) and info["x_std"] == pytest.approx(x.std())
    w_scaled = result.surface.minima[0][0]
    assert w_scaled == pytest.approx(slope * x.std(), rel=1e-10)
    # Round: equal curvature in w' and b', where the raw bowl is stretched by var(x) + mean².
    hessian = result.surface.grad(np.array([[1.0, 0.0], [0.0, 1.0]])) - result.surface.grad(
        np.zeros((2, 2))
    )
    assert hessian[0, 0] == pytest.approx(hessian[1, 1])


def test_csv_parses_back_to_the_json_numbers() -> None:
    result = run({**RECORDED, "steps": 30})
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert len(rows) == sum(t.x.size for t in result.runs)
    first = result.runs[0]
    mine = [row for row in rows if row["run"] == "0"]
    assert [float(row["x"]) for row in mine] == first.x.tolist()
    assert [float(row["loss"]) for row in mine] == first.loss.tolist()
    assert (
        mine[0]["m_x"] == ""
        and [float(row["m_x"]) for row in mine[1:]] == first.state["m_x"].tolist()
    )


def test_frames_carry_the_state_and_concatenate_to_the_result() -> None:
    spec = RunSpec.model_validate({**RECORDED, "steps": 250})
    frames = list(Simulation(spec).frames(frame_steps=40, first_steps=10))
    whole = run(spec)
    for index, trajectory in enumerate(whole.runs):
        joined = [v for frame in frames for v in (frame.runs[index].state or {}).get("m_x", [])]
        if "m_x" in trajectory.state:
            assert joined == trajectory.state["m_x"].tolist()
