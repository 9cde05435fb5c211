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
from dataclasses import dataclass

import numpy as np

from gradtrail.epochs import Batches
from gradtrail.numeric import Real
from gradtrail.spec import MinibatchStep
from gradtrail.surfaces import Minibatches, Surface

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
    return surface.sampler.minibatches(Batches(surface.sampler.x.size, batch_size, seed, run))


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

    half = max(10.0, 1.25 * max(abs(w_star), abs(b_star)))
    # The start lies as far from the minimum as (3, 2) from (2, 1) in the ±10 window of
    # t = 2x + 1: a tenth of the half-width in each coordinate, whatever the data's scale.
    offset = half / 10.0
    return Surface(
        id="regression",
        formula=REGRESSION_FORMULA,
        params={},
        domain=((-half, half), (-half, half)),
        minima=((w_star, b_star),),
        default_start=(round(w_star + offset, 1), round(b_star + offset, 1)),
        value_xy=value,
        grad_xy=grad,
        extra={"n": int(data.x.size), "slope": w_star, "intercept": b_star, "generated": generated},
        sampler=data,
    )
