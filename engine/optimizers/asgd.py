"""ASGD: gradient descent with a decaying rate and a running average of the iterates."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradtrail.numeric import Real, is_scalar
from gradtrail.optimizers.base import (
    WEIGHT_DECAY,
    Equation,
    Hyper,
    HyperParam,
    Optimizer,
    Words,
    add_weight_decay,
    gradient_lines,
    lr_param,
    zeros_like,
)
from gradtrail.optimizers.latex import given, number


class ASGDState(NamedTuple):
    """The current rate η, the averaging weight μ, the average of the iterates, the step."""

    eta: Real
    mu: Real
    ax: Real
    t: int


def asgd_init(p: Real, hp: Hyper) -> ASGDState:
    return ASGDState(zeros_like(p) + hp["lr"], zeros_like(p) + 1.0, zeros_like(p), 0)


def asgd_step(p: Real, g: Real, state: ASGDState, hp: Hyper) -> tuple[Real, ASGDState]:
    r"""``torch.optim.ASGD`` (Polyak & Juditsky, 1992); the path is the iterate, not the average.

    .. math::
        p_t = p_{t-1}(1 - \lambda\eta_t) - \eta_t g_t,\quad
        \bar p_t = \bar p_{t-1} + \mu_t (p_t - \bar p_{t-1}) \\
        \eta_{t+1} = \frac{\eta}{(1 + \lambda \eta t)^\alpha},\quad
        \mu_{t+1} = \frac{1}{\max(1, t - t_0)}
    """
    lr, lambd, t = hp["lr"], hp["lambd"], state.t + 1
    g = add_weight_decay(g, p, hp["weight_decay"])
    eta, mu = state.eta, state.mu
    p = p * (1.0 - lambd * eta)
    p = p + (-eta) * g
    if is_scalar(mu):
        ax = p if mu == 1.0 else state.ax + (p - state.ax) * mu
    else:
        ax = np.where(mu == 1.0, p, state.ax + (p - state.ax) * mu)
    eta = lr / ((1.0 + lambd * lr * float(t)) ** hp["alpha"])
    steps_past = float(t) - hp["t0"]
    mu = 1.0 / (max(1.0, steps_past) if is_scalar(steps_past) else np.maximum(1.0, steps_past))
    return p, ASGDState(eta, mu, ax, t)


def asgd_inspect(state: ASGDState, hp: Hyper) -> dict[str, Real]:
    """The average of the iterates ``ax`` and the rate the next step takes."""
    return {"ax": state.ax, "eta": state.eta}


def asgd_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    """The step at the current rate η_t, the average of the iterates, and the rate and
    averaging weight the next step takes."""
    lambd, alpha, t0 = (number(hp[name]) for name in ("lambd", "alpha", "t0"))
    weight = r"\mu_t = 1 / \max(1, t - t_0)"
    return (
        *gradient_lines(hp),
        Equation(
            r"\Delta\theta_t = -\eta_t\,(g_t + \lambda\theta_{t-1}) = $step"
            + given(rf"\lambda = {lambd}")
        ),
        Equation(
            r"\bar\theta_t = \bar\theta_{t-1} + \mu_t\,(\theta_t - \bar\theta_{t-1}) = $ax"
            + given(weight, rf"t_0 = {t0}")
        ),
        Equation(
            r"\eta_{t+1} = \eta / (1 + \lambda\eta t)^{\alpha} = $eta" + given(rf"\alpha = {alpha}")
        ),
    )


ASGD = Optimizer(
    id="asgd",
    torch="torch.optim.ASGD(lr, lambd, alpha, t0, weight_decay)",
    rule=(
        r"p_t = p_{t-1}(1-\lambda\eta_t) - \eta_t g_t,\quad "
        r"\eta_{t+1} = \eta / (1+\lambda\eta t)^{\alpha}"
    ),
    params=(
        lr_param(0.001),
        HyperParam("lambd", 1e-4, min=0.0),
        HyperParam("alpha", 0.75, min=0.0),
        HyperParam("t0", 1e6, min=0.0),
        WEIGHT_DECAY,
    ),
    init=asgd_init,
    step=asgd_step,
    anatomy=asgd_anatomy,
    inspect=asgd_inspect,
)
