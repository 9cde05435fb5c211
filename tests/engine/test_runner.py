"""The runner: statuses, frames, and convergence rates the classical analysis predicts."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from gradtrail import RunSpec, Simulation, SpecError, gather, run


def spec(**overrides: object) -> dict:
    base = {
        "surface": {"id": "rosenbrock"},
        "steps": 300,
        "optimizers": [{"id": "adam"}, {"id": "momentum"}, {"id": "gd", "params": {"lr": 1e-4}}],
    }
    return {**base, **overrides}


def test_arrays_start_at_the_start_and_match_steps_taken() -> None:
    result = run(spec(start=[-1.0, 2.5]))
    for trajectory in result.runs:
        assert (trajectory.x[0], trajectory.y[0]) == (-1.0, 2.5)
        n = trajectory.summary.steps_taken + 1
        assert trajectory.x.size == trajectory.y.size == trajectory.loss.size == n
        assert trajectory.grad_norm.size == n
        assert trajectory.loss[-1] == trajectory.summary.final_loss


def test_loss_and_grad_norm_are_the_surfaces() -> None:
    result = run(spec())
    trajectory = result.runs[0]
    points = np.column_stack([trajectory.x, trajectory.y])
    np.testing.assert_allclose(trajectory.loss, result.surface.value(points), rtol=1e-14)
    norms = np.linalg.norm(result.surface.grad(points), axis=1)
    np.testing.assert_allclose(trajectory.grad_norm, norms, rtol=1e-14)


def test_huge_learning_rate_diverges_with_finite_arrays() -> None:
    result = run(spec(optimizers=[{"id": "gd", "params": {"lr": 1e6}}]))
    trajectory = result.runs[0]
    assert trajectory.summary.status == "diverged"
    assert trajectory.summary.steps_taken < 300
    for array in (trajectory.x, trajectory.y, trajectory.loss, trajectory.grad_norm):
        assert np.isfinite(array).all()
        assert (np.abs(array) <= 1e8).all()


def test_overflow_to_infinity_is_divergence_not_an_error() -> None:
    huge = spec(
        optimizers=[{"id": "gd", "params": {"lr": 1e300}}],
        stop={"divergence_bound": 1e300},
    )
    trajectory = run(huge).runs[0]
    assert trajectory.summary.status == "diverged"
    assert np.isfinite(trajectory.loss).all()


def test_convergence_stops_the_run() -> None:
    bowl = {"id": "quadratic", "params": {"l1": 1.0, "l2": 1.0}}
    result = run(
        spec(
            surface=bowl, optimizers=[{"id": "gd", "params": {"lr": 0.5}}], stop={"grad_tol": 1e-6}
        )
    )
    trajectory = result.runs[0]
    assert trajectory.summary.status == "converged"
    assert trajectory.grad_norm[-1] < 1e-6 <= trajectory.grad_norm[-2]
    assert trajectory.summary.distance_to_min == pytest.approx(trajectory.grad_norm[-1])


def test_grad_tol_zero_never_stops_early() -> None:
    result = run(spec(steps=50, stop={"grad_tol": 0.0}))
    assert all(t.summary.status == "max_steps" for t in result.runs)
    assert all(t.summary.steps_taken == 50 for t in result.runs)


def test_start_at_the_minimum_converges_in_zero_steps() -> None:
    trajectory = run(spec(start=[1.0, 1.0])).runs[0]
    assert trajectory.summary.status == "converged"
    assert trajectory.summary.steps_taken == 0
    assert trajectory.x.tolist() == [1.0]


def test_frames_concatenate_to_the_gathered_result() -> None:
    validated = RunSpec.model_validate(spec(steps=1234))
    simulation = Simulation(validated)
    frames = list(simulation.frames(frame_steps=100))
    assert frames[0].step == 0
    assert [f.step for f in frames[1:]] == [101 + 100 * k for k in range(len(frames) - 1)]
    whole = run(validated)
    for index, trajectory in enumerate(whole.runs):
        joined = [v for frame in frames for v in frame.runs[index].x]
        assert joined == trajectory.x.tolist()
    short_first = list(Simulation(validated).frames(frame_steps=100, first_steps=10))
    assert [f.step for f in short_first[:3]] == [0, 11, 111]
    again = gather(Simulation(validated), Simulation(validated).frames(frame_steps=7))
    assert again.runs[0].x.tolist() == whole.runs[0].x.tolist()


def test_stopped_runs_send_empty_chunks() -> None:
    validated = RunSpec.model_validate(
        spec(optimizers=[{"id": "gd", "params": {"lr": 1e6}}, {"id": "adam"}], steps=500)
    )
    frames = list(Simulation(validated).frames(frame_steps=50))
    assert frames[-1].runs[0].x == []
    assert len(frames[-1].runs[1].x) == 50


def test_labels_default_to_name_and_learning_rate() -> None:
    result = run(
        spec(optimizers=[{"id": "adam", "params": {"lr": 0.05}}, {"id": "gd", "label": "Mine"}])
    )
    assert [t.info.label for t in result.runs] == ["Adam (lr=0.05)", "Mine"]
    assert result.runs[0].info.params["eps"] == 1e-8


def test_start_where_the_surface_is_undefined_is_a_spec_error() -> None:
    far = spec(start=[1e200, 1e200])
    with pytest.raises(SpecError) as error:
        run(far)
    assert error.value.field == "start"


def distances(trajectory, minimum=(0.0, 0.0)) -> np.ndarray:
    return np.hypot(trajectory.x - minimum[0], trajectory.y - minimum[1])


def test_gradient_descent_contracts_at_the_condition_number_rate() -> None:
    l1, l2 = 1.0, 100.0
    kappa = l2 / l1
    result = run(
        {
            "surface": {"id": "quadratic", "params": {"l1": l1, "l2": l2}},
            "start": [3.0, 2.0],
            "steps": 200,
            "stop": {"grad_tol": 0.0},
            "optimizers": [{"id": "gd", "params": {"lr": 2 / (l1 + l2)}}],
        }
    )
    d = distances(result.runs[0])
    np.testing.assert_allclose(d[1:] / d[:-1], (kappa - 1) / (kappa + 1), rtol=1e-9)


def test_heavy_ball_contracts_at_the_square_root_rate() -> None:
    l1, l2 = 1.0, 100.0
    root = math.sqrt(l2 / l1)
    lr = 4 / (math.sqrt(l1) + math.sqrt(l2)) ** 2
    momentum = ((root - 1) / (root + 1)) ** 2
    result = run(
        {
            "surface": {"id": "quadratic", "params": {"l1": l1, "l2": l2}},
            "start": [3.0, 2.0],
            "steps": 200,
            "stop": {"grad_tol": 0.0},
            "optimizers": [{"id": "momentum", "params": {"lr": lr, "momentum": momentum}}],
        }
    )
    d = distances(result.runs[0])
    rate = (d[150] / d[50]) ** (1 / 100)
    predicted = (root - 1) / (root + 1)
    # The optimal tuning is critically damped, so d_k ~ k ρ^k: (150/50)^(1/100) ≈ 1.011 above ρ.
    assert predicted <= rate <= predicted * 1.015
    gd_rate = (l2 / l1 - 1) / (l2 / l1 + 1)
    assert rate < gd_rate - 0.15


def gathered(steps: int, record: list) -> tuple[int, int]:
    """The peak of memory traced while 4 Adam runs of ``steps`` steps are gathered, and
    the bytes of the result's arrays (16 runs showed the same ratio, in four times as long:
    tracemalloc slows every allocation)."""
    spec = {
        "surface": {"id": "rosenbrock"},
        "steps": steps,
        "stop": {"grad_tol": 0.0},
        "optimizers": [{"id": "adam", "params": {"lr": 1e-4}}] * 4,
        "record": record,
    }
    tracemalloc.start()
    try:
        result = run(spec)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.runs[0].x.size == steps + 1
    arrays = sum(
        sum(a.nbytes for a in (t.x, t.y, t.loss, t.grad_norm, *(t.state or {}).values()))
        for t in result.runs
    )
    return peak, arrays


@pytest.mark.parametrize("record", [[], ["state"]])
def test_a_long_run_is_gathered_into_arrays_not_a_float_object_per_step(record: list) -> None:
    """Each step a run gathers adds the bytes of its arrays to the peak, where lists of
    Python floats took five times that, in small blocks the interpreter keeps after the
    run (a server's memory stayed up after a load). Measured as the growth from 500 to
    1,000 steps, so a frame's fixed working memory does not count."""
    run({"surface": {"id": "rosenbrock"}, "steps": 10, "optimizers": [{"id": "adam"}]})
    short, long = gathered(500, record), gathered(1_000, record)
    grown, added = long[0] - short[0], long[1] - short[1]
    assert grown < 1.3 * added, (short, long)
