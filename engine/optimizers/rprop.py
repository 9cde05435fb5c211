"""Rprop: each coordinate's step grows while its gradient keeps its sign, shrinks when it flips."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradtrail.numeric import Real, is_scalar
from gradtrail.optimizers.base import (
    Equation,
    Hyper,
    HyperParam,
    Optimizer,
    Words,
    lr_param,
    zeros_like,
)
from gradtrail.optimizers.latex import given, number


class RpropState(NamedTuple):
    """The previous gradient (zeroed after a sign flip) and each coordinate's step size."""

    prev: Real
    step_size: Real


def rprop_init(p: Real, hp: Hyper) -> RpropState:
    """Every step size starts at ``lr``."""
    return RpropState(zeros_like(p), zeros_like(p) + hp["lr"])


def sign(a: Real) -> Real:
    if is_scalar(a):
        return float(a > 0) - float(a < 0)
    return np.sign(a)


def rprop_step(p: Real, g: Real, state: RpropState, hp: Hyper) -> tuple[Real, RpropState]:
    r"""``torch.optim.Rprop`` (Riedmiller & Braun, 1993), as torch writes it.

    .. math::
        s_t = \operatorname{clip}\big(s_{t-1}\cdot
              \begin{cases} \eta_+ & g_t g_{t-1} > 0 \\ \eta_- & g_t g_{t-1} < 0 \\
              1 & \text{otherwise} \end{cases},\ s_{\min}, s_{\max}\big),\quad
        p_t = p_{t-1} - \operatorname{sign}(g_t)\, s_t

    and after a sign flip the gradient counts as zero: no step, and no flip next time.
    """
    eta_minus, eta_plus = hp["etas"]
    low, high = hp["step_sizes"]
    product = g * state.prev
    if is_scalar(product):
        factor = eta_plus if product > 0 else eta_minus if product < 0 else 1.0
        step_size = min(max(state.step_size * factor, low), high)
        if factor == eta_minus:
            g = 0.0
    else:
        factor = np.where(product > 0, eta_plus, np.where(product < 0, eta_minus, 1.0))
        step_size = np.clip(state.step_size * factor, low, high)
        g = np.where(factor == eta_minus, 0.0, g)
    return p - sign(g) * step_size, RpropState(g, step_size)


def rprop_inspect(state: RpropState, hp: Hyper) -> dict[str, Real]:
    return {"step_size": state.step_size, "prev": state.prev}


def rprop_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    r"""Each coordinate's step size grows or shrinks with the sign of :math:`g_t \tilde g_{t-1}`
    (:math:`\tilde g` the gradient kept, zero after a flip); the step is the size with the
    kept gradient's sign. There is no η in the step: ``lr`` is only the first step size."""
    eta_minus, eta_plus = hp["etas"]
    low, high = hp["step_sizes"]
    constants = (
        rf"\eta_+ = {number(eta_plus)}\colon g_t\tilde g_{{t-1}} > 0",
        rf"\eta_- = {number(eta_minus)}\colon g_t\tilde g_{{t-1}} < 0",
        rf"[s_{{\min}}, s_{{\max}}] = [{number(low)}, {number(high)}]",
    )
    size = r"s_t = \operatorname{clip}(s_{t-1}\,\eta_\pm,\ s_{\min},\ s_{\max}) = $step_size"
    return (
        Equation(r"t = $t,\quad s_0 = \eta = $lr"),
        Equation(r"g_t = \nabla f(\theta_{t-1}) = $gradient"),
        Equation(size + given(*constants)),
        Equation(r"\tilde g_t = g_t\,[g_t\tilde g_{t-1} \ge 0] = $prev"),
        Equation(r"\Delta\theta_t = -\operatorname{sign}(\tilde g_t)\,s_t = $step"),
    )


def check_rprop(hp: Hyper) -> None:
    """torch's rules: 0 < η₋ < 1 < η₊, and the smallest step no larger than the largest."""
    eta_minus, eta_plus = hp["etas"]
    if not 0.0 < eta_minus < 1.0 < eta_plus:
        raise ValueError("etas must be (η₋, η₊) with 0 < η₋ < 1 < η₊")
    low, high = hp["step_sizes"]
    if low > high:
        raise ValueError("step_sizes must be (smallest, largest) with smallest ≤ largest")


RPROP = Optimizer(
    id="rprop",
    torch="torch.optim.Rprop(lr, etas, step_sizes)",
    rule=(
        r"s_t = \operatorname{clip}(s_{t-1}\,\eta_\pm,\ s_{\min}, s_{\max}),\quad "
        r"p_t = p_{t-1} - \operatorname{sign}(g_t)\,s_t"
    ),
    params=(
        lr_param(0.01),
        HyperParam(
            "etas",
            (0.5, 1.2),
            min=0.0,
            kind="pair",
        ),
        HyperParam(
            "step_sizes",
            (1e-6, 50.0),
            min=0.0,
            kind="pair",
        ),
    ),
    init=rprop_init,
    step=rprop_step,
    anatomy=rprop_anatomy,
    inspect=rprop_inspect,
    check=check_rprop,
)
