"""The regression bowl: sufficient statistics agree with the data, the minimum with polyfit."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from gradtrail import RunSpec, build_surface, run
from gradtrail.regression import LineData, generate_line, regression
from gradtrail.spec import SurfaceSpec


def noisy_data(n: int = 1000, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    return generate_line(0.7, -3.0, 1.5, n, (-4.0, 9.0), seed)


def test_value_equals_direct_mean() -> None:
    x, t = noisy_data()
    surface = regression(LineData.from_points(x, t))
    points = np.random.default_rng(0).uniform(-10, 10, (50, 2))
    direct = np.array([np.mean((t - (w * x + b)) ** 2) for w, b in points])
    np.testing.assert_allclose(surface.value(points), direct, rtol=1e-12)


def test_gradient_equals_direct_mean() -> None:
    x, t = noisy_data()
    surface = regression(LineData.from_points(x, t))
    w, b = 1.3, 2.2
    residual = t - (w * x + b)
    direct = [-2 * np.mean(x * residual), -2 * np.mean(residual)]
    np.testing.assert_allclose(surface.grad(np.array([[w, b]]))[0], direct, rtol=1e-12)


def test_minimum_equals_polyfit() -> None:
    x, t = noisy_data()
    surface = regression(LineData.from_points(x, t))
    slope, intercept = np.polyfit(x, t, 1)
    (w_star, b_star),  = surface.minima  # fmt: skip
    assert w_star == pytest.approx(slope, abs=1e-9)
    assert b_star == pytest.approx(intercept, abs=1e-9)
    assert (
        surface.value(np.array([[w_star, b_star]]))[0]
        <= surface.value(np.array([[slope, intercept]]))[0] + 1e-12
    )


def test_default_bowl_is_the_lesson_of_t_equals_2x_plus_1() -> None:
    surface = build_surface(SurfaceSpec(id="regression"))
    assert surface.minima[0] == pytest.approx((2.0, 1.0), abs=1e-12)
    # Noiseless t = 2x + 1: var t = 4 var x, so the box where f − f* ≤ var t has
    # half-widths √(var t / var x) = 2 in w and √(var t + 4 x̄²) = 2 √(E x²) in b; the
    # start lies half-way to its corner (tests/engine/test_windows.py checks the box).
    x = surface.samples.x
    half_b = 2.0 * float(np.sqrt(np.mean(x * x)))
    assert surface.default_start[0] == pytest.approx(3.0, abs=0.05)
    assert surface.default_start[1] == pytest.approx(1.0 + half_b / 2, abs=0.1)
    (w0, w1), (b0, b1) = surface.domain
    assert w0 <= 0.0 and w1 >= 4.0 and b0 <= 1.0 - half_b and b1 >= 1.0 + half_b
    assert surface.value(np.array([[2.0, 1.0]]))[0] == pytest.approx(0.0, abs=1e-20)


def test_loss_is_never_negative_near_the_minimum() -> None:
    surface = build_surface(SurfaceSpec(id="regression"))
    w, b = surface.minima[0]
    near = np.array([[w + d, b - d] for d in np.linspace(-1e-9, 1e-9, 21)])
    assert (surface.value(near) >= 0).all()


def test_user_data_with_equal_x_is_rejected() -> None:
    with pytest.raises(ValueError, match="must not all be equal"):
        LineData.from_points(np.ones(5), np.arange(5.0))


def minibatch_spec(seed: int, batch_size: int = 8) -> dict:
    return {
        "surface": {"id": "regression", "generate": {"noise": 1.0, "n": 200}},
        "steps": 60,
        "seed": seed,
        "optimizers": [{"id": "gd", "params": {"lr": 0.02}, "batch_size": batch_size}],
    }


def test_minibatch_runs_are_reproducible_from_the_seed() -> None:
    first, again = run(minibatch_spec(5)).runs[0], run(minibatch_spec(5)).runs[0]
    np.testing.assert_array_equal(first.x, again.x)
    np.testing.assert_array_equal(first.y, again.y)


def test_minibatch_runs_differ_between_seeds() -> None:
    a, b = run(minibatch_spec(5)).runs[0], run(minibatch_spec(6)).runs[0]
    assert not np.array_equal(a.x, b.x)


def test_full_batch_equals_plain_gradient_descent() -> None:
    spec = minibatch_spec(0, batch_size=200)
    plain = {**spec, "optimizers": [{"id": "gd", "params": {"lr": 0.02}}]}
    np.testing.assert_allclose(run(spec).runs[0].x, run(plain).runs[0].x, rtol=1e-12)


def test_minibatch_records_the_full_data_loss() -> None:
    result = run(minibatch_spec(1))
    trajectory = result.runs[0]
    full = result.surface.value(np.column_stack([trajectory.x, trajectory.y]))
    np.testing.assert_allclose(trajectory.loss, full, rtol=1e-12)


def test_each_epoch_visits_every_point_once() -> None:
    from gradtrail.epochs import Batches
    from gradtrail.regression import MinibatchSampler

    x = np.arange(10.0)
    t = np.arange(10.0) * 3.0 + 100.0  # at (w, b) = (0, 0) a 1-point batch's db is -2 t_i
    sampler = MinibatchSampler(LineData.from_points(x, t), Batches(10, 1, seed=0, run=0))
    for _ in range(3):  # three epochs, each a permutation of all ten points
        drawn = sorted(-sampler.grad(0.0, 0.0)[1] / 2 for _ in range(10))
        assert drawn == pytest.approx(sorted(t))


def test_batch_size_without_data_names_the_field() -> None:
    spec = {"surface": {"id": "rosenbrock"}, "optimizers": [{"id": "gd", "batch_size": 4}]}
    with pytest.raises(ValidationError, match=r"optimizers\[0\]\.batch_size"):
        RunSpec.model_validate(spec)


def test_the_default_start_on_large_scale_data_is_inside_the_window() -> None:
    # A real data set's scale: a slope near 950 (the lesson's is 2).
    x = np.linspace(0.0, 10.0, 50)
    t = 950.0 * x + 150.0 + np.random.default_rng(3).normal(0.0, 20.0, x.size)
    surface = build_surface(SurfaceSpec(id="regression", data={"x": x.tolist(), "y": t.tolist()}))
    (w_lo, w_hi), (b_lo, b_hi) = surface.domain
    (w_star, b_star), (w0, b0) = surface.minima[0], surface.default_start
    assert w_lo < w_star < w0 < w_hi and b_lo < b_star < b0 < b_hi
    # Half-way from the minimum to the box's edge, the box a little inside the window.
    assert 0.15 < (w0 - w_star) / (w_hi - w_lo) < 0.3
    assert 0.15 < (b0 - b_star) / (b_hi - b_lo) < 0.3
