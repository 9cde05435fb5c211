"""Default windows that fit the data: the minimum and the start inside with room to spare,
at any scale; the line fit's box is the bowl's level set's, checked on a fine grid."""

from __future__ import annotations

import numpy as np
import pytest

from gradtrail import run
from gradtrail.catalog import build_surface
from gradtrail.presets import PRESETS
from gradtrail.regression import LineData, bowl_halves
from gradtrail.spec import SurfaceSpec

SCALES = [1e-3, 1.0, 1e3]
MARGIN = 0.05  # of the window's width, at least, between a point and an edge


def line_data(x_scale: float, t_scale: float) -> dict:
    rng = np.random.default_rng(7)
    x = x_scale * rng.uniform(2.0, 12.0, 150)  # off zero: a long, tilted bowl
    # The slope 0.3 t_scale / x_scale stays within the ±1e6 a window may reach.
    t = t_scale * (0.3 * x / x_scale - 2.0 + 0.3 * rng.standard_normal(x.size))
    return {"x": x.tolist(), "y": t.tolist()}


def class_data(x_scale: float) -> dict:
    rng = np.random.default_rng(8)
    t = (np.arange(400) % 2).astype(np.float64)
    x = x_scale * (15.0 + 2.0 * (t - 0.5) + 1.5 * rng.standard_normal(t.size))
    return {"x": x.tolist(), "y": t.tolist()}


def assert_inside_with_margin(domain, point) -> None:
    for (low, high), value in zip(domain, point, strict=True):
        room = MARGIN * (high - low)
        assert low + room <= value <= high - room, (domain, point)


SPECS = [
    *(
        pytest.param({"id": "regression", "data": line_data(a, b)}, id=f"line-x{a:g}-t{b:g}")
        for a in SCALES
        for b in SCALES
    ),
    *(
        pytest.param(
            {"id": "regression", "data": line_data(a, 1.0), "standardize": True},
            id=f"line-standardized-x{a:g}",
        )
        for a in SCALES
    ),
    *(
        pytest.param({"id": "neuron", "data": class_data(a), "loss": loss}, id=f"{loss}-x{a:g}")
        for a in SCALES
        for loss in ("cross_entropy", "mse")
    ),
    pytest.param({"id": "neuron", "data": class_data(1e3), "standardize": True}, id="neuron-std"),
]


@pytest.mark.parametrize("fields", SPECS)
def test_the_default_window_holds_the_minimum_and_the_start(fields: dict) -> None:
    surface = build_surface(SurfaceSpec.model_validate(fields))
    assert surface.minima, "generated so that a minimum exists"
    assert_inside_with_margin(surface.domain, surface.minima[0])
    assert_inside_with_margin(surface.domain, surface.default_start)
    # The start is somewhere else than the minimum, and higher.
    start, low = surface.default_start, surface.minima[0]
    assert surface.value_xy(*start) > surface.value_xy(*low)


@pytest.mark.parametrize("x_scale", SCALES)
def test_the_line_fits_box_is_where_the_loss_is_within_the_variance_of_t(x_scale: float) -> None:
    data = line_data(x_scale, 1.0)
    fit = LineData.from_points(np.array(data["x"]), np.array(data["y"]))
    surface = build_surface(SurfaceSpec(id="regression", data=data))
    half_w, half_b = bowl_halves(fit)
    (w_star, b_star), f_star = surface.minima[0], fit.min_loss
    # The level set f − f* ≤ var t, found by brute force on a fine grid 1.2 boxes wide.
    w = w_star + np.linspace(-1.2, 1.2, 1201) * half_w
    b = b_star + np.linspace(-1.2, 1.2, 1201) * half_b
    ww, bb = np.meshgrid(w, b)
    t, x = np.array(data["y"]), np.array(data["x"])
    inside = surface.value_xy(ww, bb) - f_star <= np.var(t)
    reach_w = np.abs(ww[inside] - w_star).max() / half_w
    reach_b = np.abs(bb[inside] - b_star).max() / half_b
    assert reach_w == pytest.approx(1.0, abs=0.003) and reach_b == pytest.approx(1.0, abs=0.003)
    # The mean of x far from 0 tilts the ellipse: b's extent is √(E x²)/σ_x (here > 2)
    # times what it would be on standardized x, where the bowl is round.
    assert half_b / half_w > 2.0 * np.std(x)
    (w0, w1), (b0, b1) = surface.domain
    assert w0 <= w_star - half_w and w1 >= w_star + half_w
    assert b0 <= b_star - half_b and b1 >= b_star + half_b


def test_a_start_given_outside_the_window_widens_it() -> None:
    spec = {
        "surface": {"id": "neuron", "data": class_data(1.0)},
        "start": [-40.0, 300.0],
        "steps": 1,
        "optimizers": [{"id": "gd"}],
    }
    result = run(spec)
    assert_inside_with_margin(result.surface.domain, (-40.0, 300.0))
    assert_inside_with_margin(result.surface.domain, result.surface.minima[0])
    # A window the spec gives is the window, start or not.
    spec["surface"]["domain"] = [[-1.0, 1.0], [-1.0, 1.0]]
    assert run(spec).surface.domain == ((-1.0, 1.0), (-1.0, 1.0))


def test_a_built_ins_window_widens_to_hold_a_start_given_outside_it() -> None:
    """Rosenbrock's window is [−2, 2] × [−1, 3]: a start at (6, −4) widens it, every
    minimum stays in it, and a given window stays as given."""
    spec = {"surface": {"id": "rosenbrock"}, "start": [6.0, -4.0], "steps": 1,
            "optimizers": [{"id": "gd", "params": {"lr": 1e-6}}]}  # fmt: skip
    result = run(spec)
    assert_inside_with_margin(result.surface.domain, (6.0, -4.0))
    assert_inside_with_margin(result.surface.domain, (1.0, 1.0))
    inside = {**spec, "start": [0.5, 0.5]}
    assert run(inside).surface.domain == ((-2.0, 2.0), (-1.0, 3.0))
    spec["surface"]["domain"] = [[-1.0, 1.0], [-1.0, 1.0]]
    assert run(spec).surface.domain == ((-1.0, 1.0), (-1.0, 1.0))


@pytest.mark.parametrize("lesson", PRESETS.values(), ids=list(PRESETS))
def test_each_lesson_shows_its_start(lesson) -> None:
    result = run(lesson.spec)
    run_start = (result.runs[0].x[0], result.runs[0].y[0])
    (x0, x1), (y0, y1) = result.surface.domain
    assert x0 <= run_start[0] <= x1 and y0 <= run_start[1] <= y1
