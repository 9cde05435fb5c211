"""Every surface: exact gradient against central finite differences, grids, minima."""

from __future__ import annotations

import numpy as np
import pytest

from gradtrail import BUILTIN_SURFACES, build_surface
from gradtrail.spec import SurfaceSpec
from gradtrail.surfaces import Surface


def all_surfaces() -> list[Surface]:
    built = [kind.make() for kind in BUILTIN_SURFACES.values()]
    built.append(BUILTIN_SURFACES["quadratic"].make(l1=2.0, l2=30.0, theta=35.0))
    built.append(BUILTIN_SURFACES["rosenbrock"].make(a=-0.5, b=20.0))
    noisy = {"generate": {"slope": -1.5, "intercept": 4.0, "noise": 2.0, "n": 500, "seed": 3}}
    built.append(build_surface(SurfaceSpec(id="regression", **noisy)))
    return built


SURFACES = all_surfaces()
IDS = [f"{s.id}-{i}" for i, s in enumerate(SURFACES)]


def central_difference(surface: Surface, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The gradient by finite differences: an independent reference."""
    columns = []
    for axis in range(2):
        step = np.zeros(2)
        step[axis] = h
        columns.append((surface.value(p + step) - surface.value(p - step)) / (2 * h))
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("surface", SURFACES, ids=IDS)
def test_gradient_matches_finite_differences(surface: Surface) -> None:
    rng = np.random.default_rng(42)
    (x0, x1), (y0, y1) = surface.domain
    p = np.column_stack([rng.uniform(x0, x1, 200), rng.uniform(y0, y1, 200)])
    exact, numeric = surface.grad(p), central_difference(surface, p)
    scale = np.maximum(np.abs(numeric), 1.0)  # relative where large, absolute near zero
    assert np.max(np.abs(exact - numeric) / scale) < 1e-6


@pytest.mark.parametrize("surface", SURFACES, ids=IDS)
def test_minima_are_stationary_and_lowest(surface: Surface) -> None:
    assert surface.minima
    minima = np.array(surface.minima)
    assert np.allclose(surface.grad(minima), 0.0, atol=1e-9)
    grid = surface.grid(60)
    assert surface.value(minima).min() <= np.nanmin(grid.z) + 1e-12


@pytest.mark.parametrize("surface", SURFACES, ids=IDS)
def test_float_and_array_paths_agree(surface: Surface) -> None:
    points = np.random.default_rng(7).uniform(-2, 2, (20, 2))
    for x, y in points:
        gx, gy = surface.grad_xy(float(x), float(y))
        assert [gx, gy] == pytest.approx(surface.grad(np.array([[x, y]]))[0], rel=1e-14, abs=1e-14)
        assert surface.value_xy(float(x), float(y)) == pytest.approx(
            surface.value(np.array([[x, y]]))[0], rel=1e-14, abs=1e-14
        )


def test_grid_follows_plotly_convention() -> None:
    surface = BUILTIN_SURFACES["rosenbrock"].make()
    grid = surface.grid(7, domain=((-1.0, 2.0), (0.0, 1.0)))
    assert grid.x.size == grid.y.size == 7
    j, i = 2, 5
    expected = surface.value(np.array([[grid.x[i], grid.y[j]]]))[0]
    assert grid.z[j, i] == expected


def test_grid_marks_undefined_points_nan() -> None:
    surface = BUILTIN_SURFACES["quadratic"].make()
    grid = surface.grid(5, domain=((-1e200, 1e200), (-1e200, 1e200)))
    assert np.isnan(grid.z).any()  # overflow to inf is reported as undefined, not inf
    assert not np.isinf(grid.z).any()


def test_himmelblau_has_four_minima_at_zero() -> None:
    surface = BUILTIN_SURFACES["himmelblau"].make()
    assert len(surface.minima) == 4
    assert np.allclose(surface.value(np.array(surface.minima)), 0.0, atol=1e-20)


@pytest.mark.parametrize(
    ("surface", "log", "shift", "title"),
    [
        ({"id": "saddle"}, True, -1.0, "f − f*"),  # its loss goes to −1: f − f* on a log axis
        ({"id": "rosenbrock"}, True, 0.0, "loss"),
        ({"id": "custom", "expression": "x*y + x^2/10"}, False, 0.0, "linear"),
        ({"id": "custom", "expression": "x^2 + y^2 + 1"}, True, 0.0, "loss"),
    ],
)
def test_the_loss_axis_shows_losses_that_reach_zero_or_below(
    surface: dict, log: bool, shift: float, title: str
) -> None:
    from gradtrail import figures, run

    result = run({"surface": surface, "steps": 200, "optimizers": [{"id": "gd"}]})
    layout = figures.convergence(result).layout
    assert (layout.yaxis.type == "log") is log
    assert layout.meta["loss_shift"] == pytest.approx(shift, abs=1e-12)
    assert title in layout.yaxis.title.text
    plotted = np.asarray(figures.convergence(result).data[0].y)
    if log:
        assert (plotted > 0).all()
