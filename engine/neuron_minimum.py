"""Where the neuron's loss is least, or why it has no least point.

The cross-entropy of ``σ(w x + b)`` is convex; on one feature it has a minimum exactly
when the two classes overlap (no threshold puts every 1 on one side and every 0 on the
other, ties included), and Newton's method with a backtracking line search finds it to
full precision (this is unpenalised logistic regression fitted by IRLS). Without overlap
the loss keeps falling as ``|w|`` grows: there is no minimum to report. The mse loss is
not convex: a safeguarded Newton's method from the cross-entropy's minimum finds a point
where its gradient vanishes, reported only where its Hessian is positive definite, as a
local minimum found so.

Both are solved on standardized inputs ``u = (x − x̄)/s`` (a well-conditioned Hessian)
and mapped back: ``w = w_u / s``, ``b = b_u − w_u x̄ / s``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

NoMinimum = Literal["one_class", "separable", "flat"]
MAX_ITERATIONS = 200
ARMIJO = 1e-4  # the share of the predicted decrease a step must achieve
GRADIENT_ZERO = 1e-9  # |∇f| on standardized inputs below which a point is stationary


def why_no_minimum(x: np.ndarray, t: np.ndarray) -> NoMinimum | None:
    """Why the cross-entropy has no minimum (None: it has one). One class: the bias runs
    off to ±∞; separable classes: the weight does; every x equal: a whole line of
    ``(w, b)`` fits equally well."""
    ones, zeros = x[t == 1.0], x[t == 0.0]
    if ones.size == 0 or zeros.size == 0:
        return "one_class"
    if np.ptp(x) == 0.0:
        return "flat"
    if zeros.max() > ones.min() and ones.max() > zeros.min():
        return None
    return "separable"


def loss_terms(
    theta: np.ndarray, u: np.ndarray, t: np.ndarray, loss: str
) -> tuple[float, np.ndarray, np.ndarray]:
    """The mean loss at ``theta = (w, b)`` over inputs ``u``, its gradient and its exact
    Hessian ``mean(h_i [u_i, 1][u_i, 1]ᵀ)`` with ``h_i = ∂²ℓ_i/∂z²``."""
    z = theta[0] * u + theta[1]
    p = 0.5 * (1.0 + np.tanh(0.5 * z))
    q = p * (1.0 - p)  # σ'(z)
    if loss == "cross_entropy":
        value = np.logaddexp(0.0, z) - t * z
        delta, curvature = p - t, q
    else:
        value = (t - p) ** 2
        delta = -2.0 * (t - p) * q
        curvature = 2.0 * q * q - 2.0 * (t - p) * q * (1.0 - 2.0 * p)
    gradient = np.array([np.mean(delta * u), np.mean(delta)])
    hu = curvature * u
    hessian = np.array([[np.mean(hu * u), np.mean(hu)], [np.mean(hu), np.mean(curvature)]])
    return float(np.mean(value)), gradient, hessian


def positive_definite(hessian: np.ndarray) -> bool:
    """Both eigenvalues above rounding (a 2×2 test: positive trace and determinant)."""
    trace, det = hessian[0, 0] + hessian[1, 1], np.linalg.det(hessian)
    return bool(trace > 0.0 and det > 1e-14 * trace * trace)


def newton(
    theta: np.ndarray, u: np.ndarray, t: np.ndarray, loss: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Safeguarded Newton's method from ``theta``: the Newton step where the Hessian is
    positive definite (else the steepest descent), shortened until the loss falls by a
    share of what the step predicts; once the gradient is at rounding level, full steps
    polish the last digits. Returns the point, its gradient and its Hessian."""
    for _ in range(MAX_ITERATIONS):
        value, gradient, hessian = loss_terms(theta, u, t, loss)
        newton_step = positive_definite(hessian)
        direction = np.linalg.solve(hessian, -gradient) if newton_step else -gradient
        slope = float(gradient @ direction)
        if not np.all(np.isfinite(direction)) or slope >= 0.0:
            break
        step = 1.0
        if np.hypot(*gradient) > GRADIENT_ZERO:
            while step > 1e-12:
                trial = loss_terms(theta + step * direction, u, t, loss)[0]
                if trial <= value + ARMIJO * step * slope:
                    break
                step *= 0.5
            else:
                break  # no decrease to be had: as low as this method gets
        moved = step * direction
        theta = theta + moved
        if np.max(np.abs(moved)) <= 4.0 * np.finfo(float).eps * (1.0 + np.max(np.abs(theta))):
            break
    _, gradient, hessian = loss_terms(theta, u, t, loss)
    return theta, gradient, hessian


def standardized_minimum(u: np.ndarray, t: np.ndarray, loss: str) -> np.ndarray | None:
    """The minimum over ``(w, b)`` on standardized inputs ``u`` (None where there is none,
    or where the mse's search ends at no minimum)."""
    if why_no_minimum(u, t) is not None:
        return None
    share = float(np.mean(t))
    start = np.array([0.0, np.log(share / (1.0 - share))])  # the best constant model
    theta, gradient, hessian = newton(start, u, t, "cross_entropy")
    if loss != "cross_entropy":
        theta, gradient, hessian = newton(theta, u, t, loss)
    if np.hypot(*gradient) > GRADIENT_ZERO or not positive_definite(hessian):
        return None
    return theta


def minimum(x: np.ndarray, t: np.ndarray, loss: str) -> tuple[float, float] | None:
    """The neuron's minimum over ``(w, b)`` on inputs ``x`` (see the module's notes)."""
    mean, scale = float(np.mean(x)), float(np.std(x))
    if not scale > 0.0:
        return None
    theta = standardized_minimum((x - mean) / scale, t, loss)
    if theta is None:
        return None
    w_u, b_u = float(theta[0]), float(theta[1])
    return w_u / scale, b_u - w_u * mean / scale


def hessian_at(point: tuple[float, float], x: np.ndarray, t: np.ndarray, loss: str) -> np.ndarray:
    """The exact Hessian of the loss at ``point`` on inputs ``x``."""
    return loss_terms(np.asarray(point, dtype=np.float64), x, t, loss)[2]
