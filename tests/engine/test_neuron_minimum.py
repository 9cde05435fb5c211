"""The neuron's minimum: scikit-learn's unpenalised logistic regression for the
cross-entropy, finite differences and scipy for the mse, and "no minimum" where the
classes do not overlap."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradtrail import figures, run
from gradtrail.catalog import build_surface
from gradtrail.spec import SurfaceSpec

LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression


def overlapping(seed: int, scale: float, n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Two normal classes one spread apart (they overlap), about ``5·scale`` off zero."""
    rng = np.random.default_rng(seed)
    t = (np.arange(n) % 2).astype(np.float64)
    x = scale * (5.0 + (t - 0.5) * 1.5 + rng.standard_normal(n))
    return x, t


def sklearn_fit(x: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """Unpenalised logistic regression by scikit-learn's Newton solver, to its precision."""
    model = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its line search reports rounding at this tolerance
        model.fit(x[:, None], t)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def neuron_of(x: np.ndarray, t: np.ndarray, **fields: object) -> SurfaceSpec:
    return SurfaceSpec(id="neuron", data={"x": x.tolist(), "y": t.tolist()}, **fields)


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
@pytest.mark.parametrize("seed", [0, 1])
def test_the_cross_entropy_minimum_is_scikit_learns(seed: int, scale: float) -> None:
    x, t = overlapping(seed, scale)
    surface = build_surface(neuron_of(x, t))
    (w, b), (w_ref, b_ref) = surface.minima[0], sklearn_fit(x, t)
    assert w == pytest.approx(w_ref, rel=1e-8)
    assert b == pytest.approx(b_ref, rel=1e-8, abs=1e-8)
    assert surface.extra["minimum"] == "exact" and "no_minimum" not in surface.extra


def test_a_run_reports_its_distance_to_the_minimum() -> None:
    x, t = overlapping(2, 1.0)
    w_ref, b_ref = sklearn_fit(x, t)
    spec = {
        "surface": {"id": "neuron", "data": {"x": x.tolist(), "y": t.tolist()}},
        "start": [w_ref + 0.5, b_ref - 1.0],
        "steps": 1,
        "optimizers": [{"id": "gd", "params": {"lr": 0.0}}],  # stays at its start
    }
    final = run(spec).runs[0]
    assert final.summary.distance_to_min == pytest.approx(np.hypot(0.5, 1.0), rel=1e-8)


@pytest.mark.parametrize(
    ("x", "t", "reason"),
    [
        ([-2.0, -1.0, 1.0, 2.0], [0, 0, 1, 1], "separable"),
        ([-2.0, -1.0, 1.0, 2.0], [1, 1, 0, 0], "separable"),  # the other way round
        ([-2.0, 0.0, 0.0, 2.0], [0, 0, 1, 1], "separable"),  # quasi-separable: a tie at 0
        ([-2.0, -1.0, 1.0, 2.0], [1, 1, 1, 1], "one_class"),
        ([3.0, 3.0, 3.0, 3.0], [0, 1, 0, 1], "flat"),
    ],
)
def test_without_overlap_there_is_no_minimum_and_the_figure_says_so(
    x: list[float], t: list[int], reason: str
) -> None:
    spec = {
        "surface": {"id": "neuron", "data": {"x": x, "y": [float(v) for v in t]}},
        "steps": 5,
        "optimizers": [{"id": "gd"}],
    }
    result = run(spec)
    assert result.surface.minima == () and result.surface.extra["no_minimum"] == reason
    assert result.runs[0].summary.distance_to_min is None
    # The loss keeps falling along the separating direction: no point is least.
    if reason == "separable":
        w = 1.0 if t[-1] == 1 else -1.0
        values = [result.surface.value_xy(k * w, 0.0) for k in (1.0, 10.0, 100.0)]
        assert values[0] > values[1] > values[2] > 0.0
    for lang, words in (("en", "minimum"), ("ja", "最小値")):
        title = figures.contour(run(spec, lang=lang)).layout.title.text
        assert words in title.split("<br>", 1)[1]


def central_gradient_and_hessian(surface, point, h):
    """∇f and ∇²f at ``point`` by central differences of the value (no code under test
    beyond the loss itself)."""
    f = lambda w, b: surface.value_xy(w, b)  # noqa: E731
    w, b = point
    gw = (f(w + h[0], b) - f(w - h[0], b)) / (2 * h[0])
    gb = (f(w, b + h[1]) - f(w, b - h[1])) / (2 * h[1])
    hww = (f(w + h[0], b) - 2 * f(w, b) + f(w - h[0], b)) / h[0] ** 2
    hbb = (f(w, b + h[1]) - 2 * f(w, b) + f(w, b - h[1])) / h[1] ** 2
    hwb = (
        f(w + h[0], b + h[1]) - f(w + h[0], b - h[1]) - f(w - h[0], b + h[1])
        + f(w - h[0], b - h[1])
    ) / (4 * h[0] * h[1])  # fmt: skip
    return np.array([gw, gb]), np.array([[hww, hwb], [hwb, hbb]])


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_the_mse_minimum_is_stationary_and_curves_up_and_scipy_agrees(scale: float) -> None:
    minimize = pytest.importorskip("scipy.optimize").minimize
    x, t = overlapping(3, scale)
    surface = build_surface(neuron_of(x, t, loss="mse"))
    point = surface.minima[0]
    assert surface.extra["minimum"] == "local"
    gradient, hessian = central_gradient_and_hessian(surface, point, (1e-4 / scale, 1e-4))
    assert np.abs(gradient * (1.0 / scale, 1.0)).max() < 1e-8
    assert np.all(np.linalg.eigvalsh(hessian) > 0.0)
    # scipy's BFGS on the same loss, from the cross-entropy's minimum (its own gradient by
    # differences), ends at the same point.
    start = build_surface(neuron_of(x, t)).minima[0]
    found = minimize(
        lambda p: surface.value_xy(p[0] / scale, p[1]), np.array([start[0] * scale, start[1]]),
        method="BFGS", options={"gtol": 1e-11, "xrtol": 1e-14},
    )  # fmt: skip
    assert point[0] * scale == pytest.approx(found.x[0], rel=1e-5)
    assert point[1] == pytest.approx(found.x[1], rel=1e-5)


def test_standardized_the_minimum_is_reported_in_both_scales() -> None:
    x, t = overlapping(4, 1e3)
    surface = build_surface(neuron_of(x, t, standardize=True))
    scaled = (x - x.mean()) / x.std()
    assert surface.minima[0] == pytest.approx(sklearn_fit(scaled, t), rel=1e-8)
    assert surface.extra["raw_minimum"] == pytest.approx(sklearn_fit(x, t), rel=1e-8)
    assert surface.extra["standardized"] is True
    title = figures.contour(
        run({"surface": neuron_of(x, t, standardize=True).model_dump(exclude_defaults=True),
             "steps": 2, "optimizers": [{"id": "gd"}]})
    ).layout.title.text  # fmt: skip
    assert "on the raw x" in title
