r"""The finite-difference check at a point: the central-difference estimate
:math:`\partial L/\partial p_i \approx (L(p + h e_i) - L(p - h e_i)) / 2h` of each partial
derivative beside the exact gradient, what it cost (2 loss evaluations per parameter) and
how its error depends on h: truncation (∝ h²) for a large h, rounding (∝ ε|L|/h) for a
tiny one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gradtrail.surfaces import Surface

MIN_STEP = 1e-15  # the least h asked for: below it, p ± h is p itself for most points
MAX_STEP = 1.0  # the largest: far past where truncation swamps the estimate
DEFAULT_STEP = 1e-5  # near the best for float64: ∛ε ≈ 6e-6 at a unit scale
SWEPT_STEPS = tuple(10.0**-k for k in range(1, 14))  # the error against h, 1e-1 … 1e-13
EVALUATIONS_PER_PARAMETER = 2
MANY_PARAMETERS = 1_000_000  # a network's size, to say how the count grows
# Every evaluation one check makes: at h and at each swept h, two per parameter (of 2).
CHECK_EVALUATIONS = EVALUATIONS_PER_PARAMETER * 2 * (1 + len(SWEPT_STEPS))


def estimates(surface: Surface, point: tuple[float, float], steps: np.ndarray) -> np.ndarray:
    """The central differences at ``point`` for each of ``steps``, shape ``(len(steps), 2)``:
    all probes in one vectorised call. The divisor is the probes' actual distance, as
    represented in floating point, so what remains is the loss's own rounding."""
    p = np.asarray(point, dtype=np.float64)
    unit = np.eye(2)
    ahead = p + steps[:, None, None] * unit  # (steps, parameter, 2)
    behind = p - steps[:, None, None] * unit
    values = surface.value(np.concatenate([ahead, behind]).reshape(-1, 2))
    count = steps.size * 2
    plus, minus = values[:count].reshape(-1, 2), values[count:].reshape(-1, 2)
    spacing = np.einsum("spk,pk->sp", ahead - behind, unit)
    with np.errstate(all="ignore"):
        return (plus - minus) / spacing


def relative_error(estimate: np.ndarray, exact: np.ndarray) -> float | None:
    """‖estimate − exact‖ / ‖exact‖; None where the gradient is zero or not finite."""
    scale = float(np.linalg.norm(exact))
    if not math.isfinite(scale) or scale == 0.0:
        return None
    error = float(np.linalg.norm(estimate - exact)) / scale
    return error if math.isfinite(error) else None


def finite_differences(
    surface: Surface, point: tuple[float, float], step: float = DEFAULT_STEP
) -> dict[str, Any]:
    """The central-difference check of the loss's gradient at ``point`` with ``h = step``:
    each estimate, the exact partial and their difference, the evaluations it took, and the
    relative error at each h of :data:`SWEPT_STEPS` (the truncation/rounding trade-off)."""
    exact = surface.grad(np.asarray([point], dtype=np.float64))[0]
    estimate = estimates(surface, point, np.asarray([step]))[0]
    swept = estimates(surface, point, np.asarray(SWEPT_STEPS))
    count = exact.size
    return {
        "h": step,
        "estimate": estimate,
        "exact": exact,
        "error": np.abs(estimate - exact),
        "relative_error": relative_error(estimate, exact),
        "evaluations": EVALUATIONS_PER_PARAMETER * count,
        "per_parameter": EVALUATIONS_PER_PARAMETER,
        "parameters": count,
        "many": {
            "parameters": MANY_PARAMETERS,
            "evaluations": EVALUATIONS_PER_PARAMETER * MANY_PARAMETERS,
        },
        "sweep": [
            {"h": h, "relative_error": relative_error(row, exact)}
            for h, row in zip(SWEPT_STEPS, swept, strict=True)
        ],
    }
