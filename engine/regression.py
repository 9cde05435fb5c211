"""The MSE bowl of a straight-line fit, from data or generated.

``f(w, b) = mean((t_i - (w x_i + b))^2)``. One pass over the data yields the
centred moments; after that the loss and gradient cost O(1) per point through

.. math::
    f(w, b) = f^* + S_{xx} (w - w^*)^2 + (\bar t - w \bar x - b)^2,

where :math:`w^* = S_{xt}/S_{xx}` and :math:`f^* = S_{tt} - S_{xt}^2/S_{xx}`,
which is never negative and exact near the minimum (no cancellation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
from pydantic import ConfigDict, Field, StrictBool, field_validator

from gradtrail.epochs import Batches
from gradtrail.fields import MAX_POINTS, Bounded, LineDataSpec, Seed, Strict
from gradtrail.numeric import Real
from gradtrail.surfaces import DataForm, Minibatches, Surface, SurfaceKind
from gradtrail.windows import fitting_window, start_in_box

if TYPE_CHECKING:
    from gradtrail.spec import MinibatchStep

REGRESSION_FORMULA = r"\frac1n \sum_i \big(t_i - (w x_i + b)\big)^2"


def as_samples(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets as float64 arrays of one length, at least 2 (any data surface's)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    t = np.ascontiguousarray(t, dtype=np.float64)
    if x.shape != t.shape or x.ndim != 1 or x.size < 2:
        raise ValueError("x and t must be equal-length lists of at least 2 numbers")
    return x, t


@dataclass(frozen=True)
class LineData:
    """Points ``(x_i, t_i)`` and their centred moments, computed once."""

    x: np.ndarray
    t: np.ndarray
    mean_x: float
    mean_t: float
    var_x: float
    cov_xt: float
    var_t: float

    @classmethod
    def from_points(cls, x: np.ndarray, t: np.ndarray) -> LineData:
        """Centre the data (two cheap passes) and keep the moments."""
        x, t = as_samples(x, t)
        with np.errstate(all="ignore"):
            mean_x, mean_t = float(x.mean()), float(t.mean())
            dx, dt = x - mean_x, t - mean_t
            var_x = float(dx @ dx) / x.size
            moments = (mean_x, mean_t, var_x, float(dx @ dt) / x.size, float(dt @ dt) / x.size)
        if not all(math.isfinite(m) for m in moments):
            raise ValueError("the numbers are too large: their squares overflow (rescale them)")
        if not var_x > 0.0:
            raise ValueError(
                "the x values must not all be equal (the fit has no unique line), nor differ"
                " by less than floating point can resolve"
            )
        return cls(x, t, *moments)

    def minibatches(self, batches: Batches) -> MinibatchSampler:
        """Gradients over ``batches``: shuffled epochs cut into batches, as a DataLoader
        draws them."""
        return MinibatchSampler(self, batches)

    @property
    def slope(self) -> float:
        """Least-squares slope ``w*``."""
        return self.cov_xt / self.var_x

    @property
    def intercept(self) -> float:
        """Least-squares intercept ``b*``."""
        return self.mean_t - self.slope * self.mean_x

    @property
    def min_loss(self) -> float:
        """The residual mean square at the least-squares line, ``f*``."""
        return max(self.var_t - self.cov_xt * self.slope, 0.0)


def generate_line(
    slope: float, intercept: float, noise: float, n: int, x_range: tuple[float, float], seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Points ``t = slope x + intercept + noise·N(0, 1)`` with x uniform in ``x_range``."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(x_range[0], x_range[1], n)
    t = slope * x + intercept
    if noise > 0.0:
        t = t + noise * rng.standard_normal(n)
    return x, t


def run_minibatches(
    surface: Surface, batch_size: int | None, seed: int, run: int
) -> Minibatches | None:
    """The minibatches run ``run`` of a spec draws under ``seed`` (None: full gradients).
    A single run, a sweep's cells (as run 0) and the data view draw the same batches."""
    if batch_size is None:
        return None
    return surface.samples.minibatches(Batches(len(surface.samples.x), batch_size, seed, run))


def minibatch_indices(count: int, batch: MinibatchStep) -> np.ndarray:
    """The samples of ``batch``, straight from its seed, run and step: O(batch), however
    late the step (:mod:`gradtrail.epochs`)."""
    return Batches(count, batch.size, batch.seed, batch.run).indices(batch.step)


class MinibatchSampler:
    """Minibatch gradients of the bowl, over one run's :class:`~gradtrail.epochs.Batches`."""

    def __init__(self, data: LineData, batches: Batches) -> None:
        self.data = data
        self.epochs = batches.draws()

    def grad(self, w: Real, b: Real) -> tuple[Real, Real]:
        """Gradient of the mean squared error over the next minibatch, at one or many (w, b).

        From the batch's sums, so one draw serves a whole batch of runs: with
        ``r = t - (w x + b)``, ``∂/∂w = -2/m Σ x r`` and ``∂/∂b = -2/m Σ r``.
        """
        m, sx, sxx, st, sxt = self.next_batch()
        return -2.0 * (sxt - w * sxx - b * sx) / m, -2.0 * (st - w * sx - b * m) / m

    def next_batch(self) -> tuple[float, float, float, float, float]:
        """Size and sums (Σx, Σx², Σt, Σxt) of the next minibatch."""
        index = self.epochs.next()
        x, t = self.data.x[index], self.data.t[index]
        return float(x.size), float(x.sum()), float(x @ x), float(t.sum()), float(x @ t)


def bowl_halves(data: LineData) -> tuple[float, float]:
    r"""Half-widths of the box around the bowl's points within ``Δ`` of its minimum.

    With :math:`d = (w - w^*, b - b^*)` the bowl is exactly :math:`f - f^* = d^T Q d`,
    :math:`Q = [[s_x^2 + \bar x^2, \bar x], [\bar x, 1]]`, and the box's half-widths are
    :math:`\sqrt{Δ (Q^{-1})_{ii}}`: :math:`\sqrt{Δ / s_x^2}` and
    :math:`\sqrt{Δ (1 + \bar x^2 / s_x^2)}`. ``Δ`` is the variance of t (the loss of the
    best flat line), or, when every t is equal, a level giving ``w`` a half-width of 1.
    """
    level = data.var_t if data.var_t > 0.0 else data.var_x
    return (
        math.sqrt(level / data.var_x),
        math.sqrt(level * (1.0 + data.mean_x**2 / data.var_x)),
    )


def regression(data: LineData, *, generated: bool = False) -> Surface:
    """The bowl over ``(w, b)``, plotted as ``x = w``, ``y = b``."""
    w_star, b_star, f_star = data.slope, data.intercept, data.min_loss
    var_x, mean_x, mean_t = data.var_x, data.mean_x, data.mean_t

    def value(w: Real, b: Real) -> Real:
        dw, c = w - w_star, mean_t - w * mean_x - b
        return f_star + var_x * dw * dw + c * c

    def grad(w: Real, b: Real) -> tuple[Real, Real]:
        c = mean_t - w * mean_x - b
        return 2.0 * var_x * (w - w_star) - 2.0 * mean_x * c, -2.0 * c

    halves = bowl_halves(data)
    minimum = (w_star, b_star)
    return Surface(
        id="regression",
        formula=REGRESSION_FORMULA,
        params={},
        domain=fitting_window(minimum, halves, [start_in_box(minimum, halves)]),
        minima=(minimum,),
        default_start=start_in_box(minimum, halves),
        value_xy=value,
        grad_xy=grad,
        extra={"n": int(data.x.size), "slope": w_star, "intercept": b_star, "generated": generated},
        samples=data,
    )


class GenerateSpec(Strict):
    """Synthetic line data ``t = slope·x + intercept + noise·N(0, 1)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # hashable: a cache key

    slope: Bounded = 2.0
    intercept: Bounded = 1.0
    noise: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0.0, le=1e6)] = 0.0
    n: Annotated[int, Field(strict=True, ge=2, le=MAX_POINTS)] = 100
    x_range: tuple[Bounded, Bounded] = (-5.0, 5.0)
    seed: Seed = 0

    @field_validator("x_range")
    @classmethod
    def ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not value[0] < value[1]:
            raise ValueError("x_range must be [low, high] with low < high")
        return value


class LineFitFields(Strict):
    """The line fit's spec fields: pasted points or generated ones, the x standardized."""

    data: LineDataSpec | None = None
    generate: GenerateSpec | None = None
    standardize: StrictBool = False


@lru_cache(maxsize=8)
def generated_data(generate: GenerateSpec) -> LineData:
    """Generated points and their moments; cached, since a slider drag repeats the spec."""
    x, t = generate_line(
        generate.slope, generate.intercept, generate.noise, generate.n, generate.x_range,
        generate.seed,
    )  # fmt: skip
    return LineData.from_points(x, t)


def standardized(data: LineData) -> Surface:
    r"""The bowl of the fit on standardized inputs :math:`x' = (x - \bar x)/s_x`.

    Its curvature is the same in both directions (a round bowl), and its minimum
    :math:`(w', b')` maps back to the raw line as :math:`w = w'/s_x`,
    :math:`b = b' - w'\bar x / s_x`; both are reported.
    """
    scale = float(np.sqrt(data.var_x))
    scaled = LineData.from_points((data.x - data.mean_x) / scale, data.t)
    surface = regression(scaled)
    w_scaled, b_scaled = surface.minima[0]
    info = {
        **surface.extra,
        "standardized": True,
        "x_mean": data.mean_x,
        "x_std": scale,
        "raw_minimum": [w_scaled / scale, b_scaled - w_scaled * data.mean_x / scale],
    }
    return replace(surface, extra=info)


def line_fit_surface(spec: Any) -> Surface:
    """The bowl of the spec's points (or generated ones), standardized if asked."""
    from gradtrail.catalog import SpecError

    field = "surface.data" if spec.data is not None else "surface.generate"
    try:
        if spec.data is not None:
            data = LineData.from_points(np.array(spec.data.x), np.array(spec.data.y))
        else:
            data = generated_data(spec.generate or GenerateSpec())
        return standardized(data) if spec.standardize else regression(data)
    except ValueError as error:
        raise SpecError(field, str(error), "data") from None


def line_fit_rules(spec: Any) -> None:
    """Points are pasted or generated, not both."""
    if spec.data and spec.generate:
        raise ValueError("give either data or generate, not both")


def line_fit_graph(surface: Surface) -> Any:
    """One sample's squared error, ``(t - (w x + b))²``: the backward pass's graph."""
    from gradtrail.backprop import sample_graph

    return replace(sample_graph(None), data=surface.samples)


LINE_FIT = SurfaceKind(
    "regression",
    LineFitFields,
    line_fit_surface,
    check=line_fit_rules,
    data=DataForm(
        generator="generate", settings=GenerateSpec, view="line", standardize=True,
        csv_label="csv_label", generated="data_generated", example="x,t\n0.5,2.1\n1.0,2.9",
    ),
    graph=line_fit_graph,
    axes=("figure.slope", "figure.intercept"),
    symbols=("w", "b"),
)  # fmt: skip
