r"""A plane through parameter space, and the 2-D slice of a loss on it.

A network has hundreds of parameters; what a contour can show is the loss on a plane
:math:`θ(a, b) = o + a\,d_1 + b\,d_2` with orthonormal :math:`d_1, d_2`, so ``a`` and
``b`` are distances in parameter space. A vector :math:`θ` is drawn at its projection
:math:`(a, b) = ((θ - o)·d_1, (θ - o)·d_2)`, and the distance it has from the plane,
:math:`\lVert θ - o - a d_1 - b d_2 \rVert` (``off_plane``), says how much the picture
hides. Two planes, one shared by every run of a view so their paths compare:

- ``pca``: through the runs' common start, spanned by the first two principal directions
  of every run's displacements from it (the top right singular vectors of all
  :math:`θ_t - o` stacked): of all planes through the start, the one that holds the
  largest share of the paths' squared length. The start is the origin because every run
  begins there: every path's first point lies exactly on the plane, and the picture
  begins where training did.
- ``random``: through the start, two Gaussian directions normalised per filter as in Li
  et al. 2018 ("Visualizing the loss landscape of neural nets"): each weight row (one
  unit's incoming weights) scaled to the norm of that row of the origin, the biases'
  components zero, so every unit is moved in proportion to its own size; then made
  orthonormal (Gram–Schmidt) so the projection is a dot product.

``explained`` is the share of the paths' squared distance from the origin that the plane
holds, :math:`\sum (a^2 + b^2) / \sum \lVert θ - o \rVert^2` over every recorded point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from gradtrail.numeric import Real

PlaneKind = Literal["pca", "random", "given"]  # given: a plane a spec states
VECTORS_PER_BLOCK = 1 << 20  # parameter values a grid's block of vectors holds at once


@dataclass(frozen=True)
class Plane:
    """``origin`` ``(P,)`` and orthonormal ``directions`` ``(2, P)``; ``explained`` once
    paths are known."""

    kind: PlaneKind
    origin: np.ndarray
    directions: np.ndarray
    explained: float | None = None

    def at(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The vectors ``origin + a d₁ + b d₂`` for arrays ``a``, ``b`` of one shape: ``(…, P)``."""
        d1, d2 = self.directions
        return self.origin + np.multiply.outer(a, d1) + np.multiply.outer(b, d2)

    def coordinates(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each row of ``points`` ``(T, P)``: its ``a``, ``b`` and distance from the plane."""
        shifted = points - self.origin
        a, b = shifted @ self.directions[0], shifted @ self.directions[1]
        off = np.linalg.norm(
            shifted - np.outer(a, self.directions[0]) - np.outer(b, self.directions[1]), axis=1
        )
        return a, b, off

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: kind, origin, directions and the share the plane holds."""
        return {
            "kind": self.kind,
            "origin": self.origin,
            "directions": self.directions,
            "explained": self.explained,
        }


def orthonormal(vectors: Sequence[np.ndarray], fallback: Callable[[], np.ndarray]) -> np.ndarray:
    """Two orthonormal directions from ``vectors`` in order (Gram–Schmidt), each too small
    to keep replaced by the next of ``fallback()``'s draws."""
    found: list[np.ndarray] = []
    candidates = list(vectors)
    while len(found) < 2:
        v = candidates.pop(0) if candidates else fallback()
        size = float(np.linalg.norm(v))
        for u in found:
            v = v - (v @ u) * u
        norm = float(np.linalg.norm(v))
        if norm > 1e-9 * size:  # not (nearly) along a direction found already
            found.append(v / norm)
    return np.array(found)


def filter_normalised(
    rng: np.random.Generator, origin: np.ndarray, filters: list[slice], biases: list[slice]
) -> np.ndarray:
    """One Gaussian direction with each filter scaled to the origin's filter's norm and the
    biases' part zero (Li et al. 2018); plain Gaussian where the origin's filter is zero."""
    d = rng.standard_normal(origin.size)
    for rows in filters:
        size, own = np.linalg.norm(d[rows]), np.linalg.norm(origin[rows])
        if own > 0.0 and size > 0.0:
            d[rows] *= own / size
    for rows in biases:
        d[rows] = 0.0
    return d


def random_plane(origin: np.ndarray, filters: list[slice], biases: list[slice], seed: int) -> Plane:
    """Li et al.'s plane through ``origin`` from ``seed``, made orthonormal."""
    rng = np.random.default_rng(seed)
    draws = [filter_normalised(rng, origin, filters, biases) for _ in range(2)]
    return Plane("random", origin, orthonormal(draws, lambda: rng.standard_normal(origin.size)))


def pca_plane(origin: np.ndarray, paths: Sequence[np.ndarray], fallback: Plane) -> Plane:
    """The plane through ``origin`` of the first two principal directions of every path's
    displacements from it; where the paths span less than two directions (every run stood
    still, or moved along one line), ``fallback``'s directions complete it. Each direction
    points so that the paths' last points lie on its positive side, on the whole."""
    shifted = np.concatenate([path - origin for path in paths])
    _, singular, right = np.linalg.svd(shifted, full_matrices=False)
    kept = [right[k] for k in range(min(2, singular.size)) if singular[k] > 1e-12 * singular[0]]
    spare = iter(fallback.directions)
    directions = orthonormal(kept, lambda: next(spare, np.ones(origin.size)))
    ends = np.sum([path[-1] - origin for path in paths], axis=0)
    signs = np.where(directions @ ends < 0.0, -1.0, 1.0)
    return Plane("pca", origin, directions * signs[:, None])


def explained(plane: Plane, paths: Sequence[np.ndarray]) -> Plane:
    """``plane`` with the share of the paths' squared length it holds (1 when they never moved)."""
    total = held = 0.0
    for path in paths:
        a, b, off = plane.coordinates(path)
        held += float(np.sum(a * a + b * b))
        total += float(np.sum(a * a + b * b + off * off))
    share = held / total if total > 0.0 else 1.0
    return Plane(plane.kind, plane.origin, plane.directions, min(1.0, share))


def slice_functions(
    plane: Plane,
    both: Callable[[np.ndarray], tuple[float, np.ndarray]],
    values: Callable[[np.ndarray], np.ndarray],
) -> dict[str, Any]:
    """A :class:`~gradtrail.surfaces.Surface`'s functions for the loss on ``plane``: at one
    point the loss and its gradient within the plane (``∇L·d₁``, ``∇L·d₂``); on arrays (a
    grid) the loss alone, in blocks of bounded memory."""
    d1, d2 = plane.directions

    def at(a: Real, b: Real) -> tuple[Real, tuple[Real, Real]]:
        if type(a) is float and type(b) is float:
            value, gradient = both(plane.origin + a * d1 + b * d2)
            return value, (float(gradient @ d1), float(gradient @ d2))
        raise TypeError("the slice's gradient is taken one point at a time")

    def value(a: Real, b: Real) -> Real:
        if type(a) is float and type(b) is float:
            return at(a, b)[0]
        flat_a, flat_b = (np.ravel(v) for v in np.broadcast_arrays(a, b))
        rows = max(1, VECTORS_PER_BLOCK // plane.origin.size)
        found = np.empty(flat_a.size)
        for first in range(0, flat_a.size, rows):
            part = slice(first, first + rows)
            found[part] = values(plane.at(flat_a[part], flat_b[part]))
        return found.reshape(np.shape(np.broadcast_arrays(a, b)[0]))

    def grad(a: Real, b: Real) -> tuple[Real, Real]:
        return at(a, b)[1]

    return {"value_xy": value, "grad_xy": grad, "value_and_grad_xy": at}


def window(a: np.ndarray, b: np.ndarray, least: float) -> tuple[tuple[float, float], ...]:
    """A window holding every point ``(a, b)`` with a quarter to spare on each side, each
    side at least ``least`` wide, centred on the points."""
    sides = []
    for values in (a, b):
        low, high = float(np.min(values)), float(np.max(values))
        half = max(0.75 * (high - low), 0.5 * least)
        middle = 0.5 * (low + high)
        sides.append((middle - half, middle + half))
    return tuple(sides)
