"""Elementwise maths that works on Python floats and on numpy arrays alike.

The engine writes every optimizer and surface once, in terms of arithmetic
operators and the helpers below. A small spec runs them on Python floats (one
call per coordinate is ~20x cheaper than a numpy call on a tiny array); a large
batch runs the very same functions on ``(n, 2)`` arrays. Scalar helpers follow
IEEE semantics (NaN instead of an exception) so both paths agree.
"""

from __future__ import annotations

import math
from typing import TypeAlias

import numpy as np

Real: TypeAlias = "float | np.ndarray"


def is_scalar(a: object) -> bool:
    """True for a plain Python float (the per-coordinate path)."""
    return type(a) is float


def sqrt(a: Real) -> Real:
    """Square root; NaN for a negative argument, as numpy and torch give."""
    if type(a) is float:
        return math.sqrt(a) if a >= 0.0 else math.nan
    return np.sqrt(a)


def maximum(a: Real, b: Real) -> Real:
    """Elementwise maximum that propagates NaN, like ``torch.maximum``."""
    if type(a) is float and type(b) is float:
        if a != a or b != b:
            return math.nan
        return a if a >= b else b
    return np.maximum(a, b)


def absolute(a: Real) -> Real:
    """Elementwise absolute value."""
    return abs(a) if type(a) is float else np.abs(a)


def lerp(start: Real, end: Real, weight: Real) -> Real:
    """``torch.lerp``: ``start + w (end - start)``, written from the nearer end.

    torch evaluates ``end - (end - start)(1 - w)`` when ``w >= 0.5``; matching
    that choice keeps the moment estimates equal to torch's to the last bit.
    """
    if type(weight) is float:
        if weight < 0.5:
            return start + weight * (end - start)
        return end - (end - start) * (1.0 - weight)
    return np.where(
        weight < 0.5, start + weight * (end - start), end - (end - start) * (1.0 - weight)
    )


def cos(a: Real) -> Real:
    """Cosine of either kind of number."""
    return math.cos(a) if type(a) is float else np.cos(a)


def sin(a: Real) -> Real:
    """Sine of either kind of number."""
    return math.sin(a) if type(a) is float else np.sin(a)
