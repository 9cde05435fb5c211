"""Windows that fit a data surface: its minimum, its start, and the bowl around them.

Near a minimum a loss is ``f ≈ f* + ½ dᵀHd``; the points where the excess stays within
``Δ`` form an ellipse whose bounding box has half-widths ``√(2Δ (H⁻¹)_ii)`` per axis (the
line fit's bowl is exactly quadratic, ``H = 2Q``). So an ill-conditioned bowl is drawn as
the long, thin ellipse it is, whatever the scale of the data. ``Δ`` is the loss of the
best constant model (the variance of the targets; the entropy of the classes): the
window shows where the model does better than ignoring x, or about that much worse.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from gradtrail.fields import COORDINATE_LIMIT as LIMIT  # every coordinate of a window
from gradtrail.surfaces import Domain, Point

PAD = 0.1  # the share of a window's width kept beyond a point that widens it
START_SHARE = 0.5  # the default start lies this share of the box's half-widths from the minimum


def level_box(hessian: np.ndarray, excess: float) -> tuple[float, float]:
    """Half-widths of the box around ``{d : ½ dᵀHd ≤ excess}`` (``H`` positive definite)."""
    inverse = np.linalg.inv(hessian)
    return (
        math.sqrt(max(2.0 * excess * float(inverse[0, 0]), 0.0)),
        math.sqrt(max(2.0 * excess * float(inverse[1, 1]), 0.0)),
    )


def nice_step(width: float) -> float:
    """A round step of about a fiftieth of ``width``: 1, 2 or 5 times a power of ten."""
    rough = width / 50.0
    power = 10.0 ** math.floor(math.log10(rough))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= rough)


def rounded(value: float, step: float) -> float:
    """``value`` to the nearest multiple of ``step``, written as briefly as it reads."""
    digits = max(0, -math.floor(math.log10(step)) + 1)
    return round(round(value / step) * step, digits)


def axis_range(centre: float, half: float, points: Iterable[float]) -> tuple[float, float]:
    """``centre ± half``, widened to hold each point with :data:`PAD` of the final width
    to spare, rounded outwards, within ±:data:`LIMIT`."""
    if not (math.isfinite(half) and half > 0.0):
        half = max(abs(centre), 1.0)
    points = list(points)
    low, high = min([centre - half, *points]), max([centre + half, *points])
    if low < centre - half or high > centre + half:
        # A point beyond the box sets an edge: room beside it, and as much at the other
        # edge (the box's own margin is small beside the widened window), PAD each.
        pad = PAD / (1.0 - 2.0 * PAD) * (high - low)
        low, high = low - pad, high + pad
    step = nice_step(high - low)
    low = max(math.floor(low / step) * step, -LIMIT)
    high = min(math.ceil(high / step) * step, LIMIT)
    if not low < high:  # a minimum beyond the limit: the window at the limit's edge
        low, high = (LIMIT - 2.0 * half, LIMIT) if low >= LIMIT else (-LIMIT, -LIMIT + 2.0 * half)
    return rounded(low, step), rounded(high, step)


def fitting_window(centre: Point, halves: tuple[float, float], points: Iterable[Point]) -> Domain:
    """The box ``centre ± halves`` widened to hold ``points`` (the start, other minima)."""
    points = list(points)
    return (
        axis_range(centre[0], halves[0], (p[0] for p in points)),
        axis_range(centre[1], halves[1], (p[1] for p in points)),
    )


def start_in_box(centre: Point, halves: tuple[float, float]) -> Point:
    """A start off both axes of the bowl, :data:`START_SHARE` of the way to the box's
    corner, rounded to the box's scale."""
    (w, b), (half_w, half_b) = centre, halves
    return (
        rounded(w + START_SHARE * half_w, nice_step(2.0 * half_w)),
        rounded(b + START_SHARE * half_b, nice_step(2.0 * half_b)),
    )


def holding(domain: Domain, point: Point) -> Domain:
    """``domain`` widened, where needed, to hold ``point`` with a margin (a given start
    outside a surface's default window)."""
    (x0, x1), (y0, y1) = domain
    if x0 < point[0] < x1 and y0 < point[1] < y1:
        return domain
    return (
        axis_range((x0 + x1) / 2.0, (x1 - x0) / 2.0, (point[0],)),
        axis_range((y0 + y1) / 2.0, (y1 - y0) / 2.0, (point[1],)),
    )
