"""Each built-in's hand-written f and ∇f (its fast path) equals the compiled form of its
own expression, the one source its backward-pass graph comes from; ``tests/perf/
bench_engine.py`` (d) measures what the fast path saves."""

from __future__ import annotations

import numpy as np
import pytest

from gradtrail.formula import compile_formula
from gradtrail.surfaces import BUILTIN_SURFACES

SETTINGS = [(builtin, {}) for builtin in BUILTIN_SURFACES] + [
    ("quadratic", {"l1": 2.0, "l2": 30.0, "theta": 35.0}),
    ("rosenbrock", {"a": -0.5, "b": 20.0}),
]


@pytest.mark.parametrize(("builtin", "params"), SETTINGS)
def test_the_fast_path_equals_the_compiled_expression(builtin: str, params: dict) -> None:
    surface = BUILTIN_SURFACES[builtin].make(**params)
    compiled = compile_formula(surface.expression)
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(7)
    x, y = rng.uniform(x0, x1, 500), rng.uniform(y0, y1, 500)
    fast_value, (fast_gx, fast_gy) = surface.both_xy(x, y)
    value, (gx, gy) = compiled.value_and_gradient(x, y)
    scale = np.max(np.abs(value))  # terms cancel near minima: compare at the surface's scale
    np.testing.assert_allclose(fast_value, value, rtol=1e-12, atol=1e-13 * scale)
    gscale = max(np.max(np.abs(gx)), np.max(np.abs(gy)))
    np.testing.assert_allclose(fast_gx, gx, rtol=1e-11, atol=1e-13 * gscale)
    np.testing.assert_allclose(fast_gy, gy, rtol=1e-11, atol=1e-13 * gscale)
    for point in zip(x[:20].tolist(), y[:20].tolist(), strict=True):  # floats: one run's path
        one, (ox, oy) = surface.both_xy(*point)
        assert one == pytest.approx(
            compiled.value_and_gradient(*point)[0], rel=1e-12, abs=1e-13 * scale
        )
        assert (ox, oy) == pytest.approx(
            compiled.value_and_gradient(*point)[1], rel=1e-11, abs=1e-13 * gscale
        )
