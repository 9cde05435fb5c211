"""Elementwise maths that works on Python floats and on numpy arrays alike.

The engine writes every optimizer and surface once, in terms of arithmetic
operators and the helpers below. A small spec runs them on Python floats (one
call per coordinate is ~20x cheaper than a numpy call on a tiny array); a large
batch runs the very same functions on ``(2, n)`` arrays. Scalar helpers follow
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
    small = weight < 0.5
    if small.all():  # a batch usually lies on one side: compute that formula alone
        return start + weight * (end - start)
    if not small.any():
        return end - (end - start) * (1.0 - weight)
    return np.where(small, start + weight * (end - start), end - (end - start) * (1.0 - weight))


_DISTINCT: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def power(base: Real, exponent: float) -> Real:
    """``base ** exponent``; for an array, computed on its distinct values and gathered.

    A sweep's per-run column holds few distinct values (one per grid row), and
    elementwise ``pow`` is slow: this gives the same numbers for a fraction of
    the cost. The decomposition is cached per array (the cache keeps the array
    alive, so its id cannot be reused while cached).
    """
    if type(base) is float:
        return base**exponent
    entry = _DISTINCT.get(id(base))
    if entry is None or entry[0] is not base:
        if len(_DISTINCT) > 256:
            _DISTINCT.clear()
        distinct, index = np.unique(base, return_inverse=True)
        entry = _DISTINCT[id(base)] = (base, distinct, index)
    return np.power(entry[1], exponent)[entry[2]]


def cos(a: Real) -> Real:
    """Cosine of either kind of number."""
    return math.cos(a) if type(a) is float else np.cos(a)


def sin(a: Real) -> Real:
    """Sine of either kind of number."""
    return math.sin(a) if type(a) is float else np.sin(a)
