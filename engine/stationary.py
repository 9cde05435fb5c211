"""What a point with a (near-)zero gradient is: a minimum, a maximum, a saddle or flat.

A run that stops as ``converged`` (:mod:`gradtrail.stopping`) has only found a gradient
under ``grad_tol``. The curvature there tells what it found: the Hessian's eigenvalues,
all positive at a minimum, all negative at a maximum, of both signs at a saddle, all ~0
on a flat region; positive and ~0 on a valley floor that is flat along the valley (the
second-derivative test cannot tell more), negative and ~0 on such a ridge.

The Hessian comes from the surface's exact gradient by central differences: column j is
``(∇f(p + h e_j) − ∇f(p − h e_j)) / 2h``, symmetrised. With ``h`` the cube root of the
float epsilon (6e-6) of the window's width (or of ``|p_j|`` where that is larger), the
truncation error ``h² f‴ / 6`` and the rounding ``ε |∇f| / h`` are both about 1e-11
of the curvatures involved, and a quadratic's Hessian comes out exact.

**~0 at the scale of the surface.** An eigenvalue λ bends the loss by ``λ D² / 2``
across a window of diagonal ``D``. It counts as zero when that bend is under a
millionth (:data:`FLAT_SHARE`) of the loss's spread over the window — the 10th to
90th percentile of its values on a coarse grid, which a pole or a far corner does not
inflate — or when it is under 1e-8 (:data:`ROUNDING_SHARE`) of the largest |λ|, where
central differences' rounding could leave it. The smallest eigenvalue at any built-in
function's known minimum (Rosenbrock's 0.4, Beale's 0.3) is ~1,000 times the threshold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

import numpy as np

from gradtrail.surfaces import Surface

StationaryWord = Literal["minimum", "maximum", "saddle", "valley", "ridge", "flat"]
STATIONARY_WORDS: tuple[str, ...] = get_args(StationaryWord)
RELATIVE_STEP = float(np.finfo(np.float64).eps) ** (1 / 3)  # central differences' best h
FLAT_SHARE = 1e-6  # a bend across the window under this share of the loss's spread is ~0
ROUNDING_SHARE = 1e-8  # an eigenvalue under this share of the largest may be rounding
SCALE_GRID = 17  # points per side of the grid the loss's spread is read on
# A network's Hessian costs two gradients per parameter: beyond this many parameters
# (512 forward and backward passes, a fraction of a run's) it is not computed.
MOST_PARAMETERS = 256


def kind_of(eigenvalues: np.ndarray, tolerance: float) -> StationaryWord:
    """The kind of a stationary point with these Hessian eigenvalues, those within
    ``±tolerance`` counted as zero."""
    above = bool(np.any(eigenvalues > tolerance))
    below = bool(np.any(eigenvalues < -tolerance))
    flat = bool(np.any(np.abs(eigenvalues) <= tolerance))
    if above and below:
        return "saddle"
    if above:
        return "valley" if flat else "minimum"
    if below:
        return "ridge" if flat else "maximum"
    return "flat"


def hessian(
    gradient: Callable[[np.ndarray], np.ndarray], point: np.ndarray, steps: np.ndarray
) -> np.ndarray:
    """The symmetrised Hessian at ``point`` from ``gradient`` by central differences of
    ``steps`` (one per coordinate)."""
    columns = []
    for j, h in enumerate(steps):
        shift = np.zeros_like(point)
        shift[j] = h
        columns.append((gradient(point + shift) - gradient(point - shift)) / (2.0 * h))
    matrix = np.column_stack(columns)
    return 0.5 * (matrix + matrix.T)


def loss_spread(surface: Surface) -> float:
    """The loss's spread over the surface's window: its 10th to 90th percentile on a
    coarse grid (NaN where the grid has no finite value)."""
    values = surface.grid(SCALE_GRID).z
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    low, high = np.percentile(values, [10.0, 90.0])
    return float(high - low)


def flat_curvature(surface: Surface) -> float:
    """The curvature that counts as zero on ``surface`` at the scale of its window."""
    (x0, x1), (y0, y1) = surface.domain
    diagonal_square = (x1 - x0) ** 2 + (y1 - y0) ** 2
    flat = 2.0 * FLAT_SHARE * loss_spread(surface) / diagonal_square
    return flat if np.isfinite(flat) else 0.0


def kind_from(matrix: np.ndarray, flat: float) -> StationaryWord | None:
    """The kind a Hessian says, eigenvalues under ``flat`` (or rounding's share of the
    largest) counted as zero; None where it is not finite."""
    if not np.all(np.isfinite(matrix)):
        return None
    eigenvalues = np.linalg.eigvalsh(matrix)
    return kind_of(eigenvalues, max(flat, ROUNDING_SHARE * float(np.abs(eigenvalues).max())))


def classify(
    surface: Surface, point: np.ndarray, flat: float | None = None
) -> StationaryWord | None:
    """The kind of the stationary point ``point`` of ``surface`` (``(x, y)``, or a network's
    whole vector); ``flat`` is :func:`flat_curvature` if known. None where the Hessian
    is not finite, or a network has more than :data:`MOST_PARAMETERS` parameters."""
    point = np.asarray(point, dtype=np.float64)
    flat = flat_curvature(surface) if flat is None else flat
    if surface.vector is None:
        return classify_plane(surface, point[:1], point[1:], flat)[0]
    if point.size > MOST_PARAMETERS:
        return None
    (x0, x1), (y0, y1) = surface.domain
    steps = RELATIVE_STEP * np.maximum(np.abs(point), max(x1 - x0, y1 - y0))
    with np.errstate(all="ignore"):
        matrix = hessian(lambda p: surface.vector.both(p)[1], point, steps)
    return kind_from(matrix, flat)


def classify_plane(
    surface: Surface, x: np.ndarray, y: np.ndarray, flat: float
) -> list[StationaryWord | None]:
    """:func:`classify` for many points of a 2-D surface at once (a sweep's converged
    cells): four gradients of the whole batch."""
    (x0, x1), (y0, y1) = surface.domain
    hx = RELATIVE_STEP * np.maximum(np.abs(x), x1 - x0)
    hy = RELATIVE_STEP * np.maximum(np.abs(y), y1 - y0)
    with np.errstate(all="ignore"):
        right, left = surface.grad(np.c_[x + hx, y]), surface.grad(np.c_[x - hx, y])
        up, down = surface.grad(np.c_[x, y + hy]), surface.grad(np.c_[x, y - hy])
    # matrices[n, i, j] = ∂gᵢ/∂pⱼ
    columns = [(right - left) / (2.0 * hx[:, None]), (up - down) / (2.0 * hy[:, None])]
    matrices = np.stack(columns, axis=2)
    matrices = 0.5 * (matrices + np.swapaxes(matrices, 1, 2))
    finite = np.isfinite(matrices).all(axis=(1, 2))
    eigenvalues = np.zeros((x.size, 2))
    eigenvalues[finite] = np.linalg.eigvalsh(matrices[finite])  # one call for the batch
    tolerances = np.maximum(flat, ROUNDING_SHARE * np.abs(eigenvalues).max(axis=1))
    return [
        kind_of(values, tolerance) if ok else None
        for values, tolerance, ok in zip(eigenvalues, tolerances, finite, strict=True)
    ]
