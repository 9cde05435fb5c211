"""Per-coordinate adaptive step sizes: AdaGrad, Adadelta and RMSProp."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradtrail.numeric import Real, is_scalar, sqrt
from gradtrail.optimizers.base import (
    WEIGHT_DECAY,
    Equation,
    Hyper,
    HyperParam,
    Optimizer,
    Words,
    add_weight_decay,
    eps_param,
    first_moment,
    gradient_lines,
    is_zero,
    lr_param,
    second_moment,
    zeros_like,
)
from gradtrail.optimizers.latex import given, number


class AdagradState(NamedTuple):
    """The running sum of squared gradients and the step count."""

    sum: Real
    t: int


def adagrad_init(p: Real, hp: Hyper) -> AdagradState:
    """The accumulator starts at ``initial_accumulator_value``."""
    return AdagradState(sum=zeros_like(p) + hp["initial_accumulator_value"], t=0)


def adagrad_step(p: Real, g: Real, state: AdagradState, hp: Hyper) -> tuple[Real, AdagradState]:
    r"""One step of ``torch.optim.Adagrad`` (Duchi et al., 2011).

    .. math::
        \tilde\eta = \frac{\eta}{1 + (t-1)\,\text{lr\_decay}},\quad
        s \leftarrow s + g^2,\quad
        p \leftarrow p - \tilde\eta\, \frac{g}{\sqrt{s} + \epsilon}
    """
    t = state.t + 1
    g = add_weight_decay(g, p, hp["weight_decay"])
    clr = hp["lr"] / (1.0 + (t - 1) * hp["lr_decay"])
    total = state.sum + g * g
    std = sqrt(total) + hp["eps"]
    return p + (-clr) * g / std, AdagradState(total, t)


def adagrad_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    """The sum of squared gradients and the step it scales (η decays when lr_decay > 0)."""
    eps = rf"\epsilon = {number(hp['eps'])}"
    if hp["lr_decay"]:
        rate = rf"\tilde\eta_t = \eta / (1 + (t-1)\cdot {number(hp['lr_decay'])})"
        step = r"\Delta\theta_t = -\tilde\eta_t\,\frac{g_t}{\sqrt{s_t} + \epsilon} = $step"
        step += given(rate, eps)
    else:
        step = r"\Delta\theta_t = -\eta\,\frac{g_t}{\sqrt{s_t} + \epsilon} = $step" + given(eps)
    return (*gradient_lines(hp), Equation(r"s_t = s_{t-1} + g_t^2 = $sum"), Equation(step))


ADAGRAD = Optimizer(
    id="adagrad",
    torch="torch.optim.Adagrad(lr, lr_decay, weight_decay, initial_accumulator_value, eps)",
    rule=r"s_t = s_{t-1} + g_t^2,\quad p_t = p_{t-1} - \eta\,\frac{g_t}{\sqrt{s_t} + \epsilon}",
    params=(
        lr_param(0.5),
        HyperParam("lr_decay", 0.0, min=0.0),
        WEIGHT_DECAY,
        HyperParam("initial_accumulator_value", 0.0, min=0.0),
        eps_param(1e-10),
    ),
    init=adagrad_init,
    step=adagrad_step,
    anatomy=adagrad_anatomy,
    inspect=lambda state, hp: {"sum": state.sum},
)


class AdadeltaState(NamedTuple):
    """Running means of squared gradients and of squared updates."""

    square_avg: Real
    acc_delta: Real
    t: int


def adadelta_init(p: Real, hp: Hyper) -> AdadeltaState:
    """Both running means start at zero."""
    return AdadeltaState(zeros_like(p), zeros_like(p), 0)


def adadelta_step(p: Real, g: Real, state: AdadeltaState, hp: Hyper) -> tuple[Real, AdadeltaState]:
    r"""One step of ``torch.optim.Adadelta`` (Zeiler, 2012).

    .. math::
        v \leftarrow \rho v + (1-\rho) g^2,\quad
        \Delta = \frac{\sqrt{u + \epsilon}}{\sqrt{v + \epsilon}}\, g,\quad
        u \leftarrow \rho u + (1-\rho) \Delta^2,\quad
        p \leftarrow p - \eta \Delta
    """
    rho, eps = hp["rho"], hp["eps"]
    g = add_weight_decay(g, p, hp["weight_decay"])
    square_avg = second_moment(state.square_avg, g, rho)
    std = sqrt(square_avg + eps)
    delta = sqrt(state.acc_delta + eps) / std * g
    acc_delta = second_moment(state.acc_delta, delta, rho)
    return p + (-hp["lr"]) * delta, AdadeltaState(square_avg, acc_delta, state.t + 1)


def adadelta_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    """Running means of g² and of the squared updates; their ratio sets the step."""
    rho, eps = number(hp["rho"]), number(hp["eps"])
    return (
        *gradient_lines(hp),
        Equation(r"v_t = \rho v_{t-1} + (1-\rho)\,g_t^2 = $square_avg" + given(rf"\rho = {rho}")),
        Equation(
            r"\Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\,g_t"
            + given(rf"\epsilon = {eps}")
        ),
        Equation(r"u_t = \rho u_{t-1} + (1-\rho)\,\Delta_t^2 = $acc_delta"),
        Equation(r"\Delta\theta_t = -\eta\,\Delta_t = $step"),
    )


ADADELTA = Optimizer(
    id="adadelta",
    torch="torch.optim.Adadelta(lr, rho, eps, weight_decay)",
    rule=(
        r"v_t = \rho v_{t-1} + (1-\rho) g_t^2,\quad "
        r"\Delta_t = \frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}}\, g_t,\quad "
        r"p_t = p_{t-1} - \eta \Delta_t"
    ),
    params=(
        lr_param(1.0),
        HyperParam("rho", 0.9, min=0.0, max=1.0),
        eps_param(1e-6),
        WEIGHT_DECAY,
    ),
    init=adadelta_init,
    step=adadelta_step,
    anatomy=adadelta_anatomy,
    inspect=lambda state, hp: {"square_avg": state.square_avg, "acc_delta": state.acc_delta},
    averages=(("square_avg", "square"),),
)


class RMSpropState(NamedTuple):
    """Running square average, running mean (centered only), momentum buffer."""

    square_avg: Real
    grad_avg: Real
    buf: Real
    t: int


def rmsprop_init(p: Real, hp: Hyper) -> RMSpropState:
    """All averages and the buffer start at zero (torch's buffer does too)."""
    return RMSpropState(zeros_like(p), zeros_like(p), zeros_like(p), 0)


def rmsprop_step(p: Real, g: Real, state: RMSpropState, hp: Hyper) -> tuple[Real, RMSpropState]:
    r"""One step of ``torch.optim.RMSprop`` (Hinton, lecture 6e).

    .. math::
        v \leftarrow \alpha v + (1-\alpha) g^2,\quad
        \bar g \leftarrow \alpha \bar g + (1-\alpha) g \ (\text{centered}),\quad
        a = \sqrt{v - \bar g^2} + \epsilon,\quad
        b \leftarrow \mu b + g / a,\quad p \leftarrow p - \eta b
    """
    alpha, momentum, lr = hp["alpha"], hp["momentum"], hp["lr"]
    g = add_weight_decay(g, p, hp["weight_decay"])
    square_avg = second_moment(state.square_avg, g, alpha)
    grad_avg = state.grad_avg
    if hp["centered"]:
        grad_avg = first_moment(grad_avg, g, alpha)
        avg = sqrt(square_avg + (-1.0) * grad_avg * grad_avg) + hp["eps"]
    else:
        avg = sqrt(square_avg) + hp["eps"]
    if is_zero(momentum):
        return p + (-lr) * g / avg, RMSpropState(square_avg, grad_avg, state.buf, state.t + 1)
    buf = state.buf * momentum + g / avg
    p_next = p + (-lr) * buf
    if not is_scalar(momentum):
        # A batch may mix momentum 0 with momentum > 0, which skips the buffer.
        p_next = np.where(momentum > 0.0, p_next, p + (-lr) * g / avg)
    return p_next, RMSpropState(square_avg, grad_avg, buf, state.t + 1)


def rmsprop_inspect(state: RMSpropState, hp: Hyper) -> dict[str, Real]:
    """The square average, and the mean (centered) and velocity (momentum) when used."""
    named: dict[str, Real] = {"square_avg": state.square_avg}
    if hp["centered"]:
        named["grad_avg"] = state.grad_avg
    if not is_zero(hp["momentum"]):
        named["velocity"] = state.buf
    return named


def rmsprop_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    """The square average, the centred mean when used, the denominator a, then either the
    momentum buffer's step or the plain one."""
    alpha, eps = rf"\alpha = {number(hp['alpha'])}", rf"\epsilon = {number(hp['eps'])}"
    square = r"v_t = \alpha v_{t-1} + (1-\alpha)\,g_t^2 = $square_avg" + given(alpha)
    lines = [*gradient_lines(hp), Equation(square)]
    if hp["centered"]:
        lines.append(Equation(r"\bar g_t = \alpha\bar g_{t-1} + (1-\alpha)\,g_t = $grad_avg"))
        lines.append(Equation(r"a_t = \sqrt{v_t - \bar g_t^2} + \epsilon" + given(eps)))
    else:
        lines.append(Equation(r"a_t = \sqrt{v_t} + \epsilon" + given(eps)))
    if hp["momentum"]:
        mu = rf"\mu = {number(hp['momentum'])}"
        lines.append(Equation(r"u_t = \mu u_{t-1} + \frac{g_t}{a_t} = $velocity" + given(mu)))
        lines.append(Equation(r"\Delta\theta_t = -\eta\,u_t = $step"))
    else:
        lines.append(Equation(r"\Delta\theta_t = -\eta\,\frac{g_t}{a_t} = $step"))
    return tuple(lines)


RMSPROP = Optimizer(
    id="rmsprop",
    torch="torch.optim.RMSprop(lr, alpha, eps, weight_decay, momentum, centered)",
    rule=(
        r"v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\quad "
        r"p_t = p_{t-1} - \eta\,\frac{g_t}{\sqrt{v_t} + \epsilon}"
    ),
    params=(
        lr_param(0.01),
        HyperParam("alpha", 0.99, min=0.0, max=1.0),
        eps_param(1e-8),
        WEIGHT_DECAY,
        HyperParam("momentum", 0.0, min=0.0, max=1.0),
        HyperParam(
            "centered",
            False,
            kind="bool",
        ),
    ),
    init=rmsprop_init,
    step=rmsprop_step,
    anatomy=rmsprop_anatomy,
    inspect=rmsprop_inspect,
    averages=(("square_avg", "square"),),
    memory="velocity",
)
