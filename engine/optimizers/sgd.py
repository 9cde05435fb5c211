"""Stochastic gradient descent with optional heavy-ball or Nesterov momentum."""

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
    is_zero,
    lr_param,
    zeros_like,
)
from gradtrail.optimizers.latex import given, number
from gradtrail.optimizers.latex import words as text


class SGDState(NamedTuple):
    """The momentum buffer ``buf`` and the number of steps taken ``t``."""

    buf: Real
    t: int


def sgd_init(p: Real, hp: Hyper) -> SGDState:
    """No buffer yet: torch creates it from the first gradient."""
    return SGDState(buf=zeros_like(p), t=0)


def sgd_step(
    p: Real, g: Real, state: SGDState, hp: Hyper, nesterov: bool = False
) -> tuple[Real, SGDState]:
    r"""One step of ``torch.optim.SGD``.

    .. math::
        g &\leftarrow g + \lambda p \\
        b &\leftarrow \begin{cases} g & t = 1 \\ \mu b + (1-\tau) g & t > 1 \end{cases} \\
        d &= \begin{cases} g + \mu b & \text{nesterov} \\ b & \text{otherwise} \end{cases} \\
        p &\leftarrow p - \eta d
    """
    lr, momentum = hp["lr"], hp.get("momentum", 0.0)
    g = add_weight_decay(g, p, hp.get("weight_decay", 0.0))
    if is_zero(momentum):
        return p - lr * g, SGDState(state.buf, state.t + 1)
    dampening = hp.get("dampening", 0.0)
    buf = g if state.t == 0 else state.buf * momentum + (1.0 - dampening) * g
    direction = g + momentum * buf if nesterov else buf
    if not is_scalar(momentum):
        # A batch may mix momentum 0 with momentum > 0; torch uses g itself at 0.
        direction = np.where(momentum == 0.0, g, direction)
    return p - lr * direction, SGDState(buf, state.t + 1)


def nesterov_step(p: Real, g: Real, state: SGDState, hp: Hyper) -> tuple[Real, SGDState]:
    """``torch.optim.SGD(..., nesterov=True)``: the look-ahead form of :func:`sgd_step`."""
    return sgd_step(p, g, state, hp, nesterov=True)


def sgd_inspect(state: SGDState, hp: Hyper) -> dict[str, Real]:
    """The momentum buffer, when there is one."""
    return {} if is_zero(hp.get("momentum", 0.0)) else {"velocity": state.buf}


def gd_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    return (*gradient_lines(hp), Equation(r"\Delta\theta_t = -\eta\,g_t = $step"))


def momentum_anatomy(hp: Hyper, words: Words, nesterov: bool = False) -> tuple[Equation, ...]:
    """The buffer starts as ``g``, then ``v = μv + (1−τ)g``: with τ = μ an average of the
    gradients, with τ = 0 the heavy ball (Nesterov's has no τ)."""
    mu, tau = hp["momentum"], hp.get("dampening", 0.0)
    kind = words("anatomy_averaged") if tau == mu else words("anatomy_heavy_ball")
    if nesterov:
        later = r"v_t = \mu v_{t-1} + g_t = $velocity" + given(rf"\mu = {number(mu)}")
    else:
        constants = rf"\mu = {number(mu)}", rf"\tau = {number(tau)}\colon {text(kind)}"
        later = r"v_t = \mu v_{t-1} + (1-\tau)\,g_t = $velocity" + given(*constants)
    first = text(words("anatomy_first_step"))
    buffer = Equation(later, early=rf"v_1 = g_1\ ({first}) = $velocity", early_steps=1)
    update = r"-\eta\,(g_t + \mu v_t)" if nesterov else r"-\eta\,v_t"
    return (*gradient_lines(hp), buffer, Equation(rf"\Delta\theta_t = {update} = $step"))


def nesterov_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    return momentum_anatomy(hp, words, nesterov=True)


MOMENTUM = HyperParam("momentum", 0.9, min=0.0, max=1.0)
DAMPENING = HyperParam(
    "dampening",
    0.0,
    min=0.0,
    max=1.0,
)

GD = Optimizer(
    id="gd",
    torch="torch.optim.SGD(lr)",
    rule=r"p_{t} = p_{t-1} - \eta\, g_t",
    params=(lr_param(0.001), WEIGHT_DECAY),
    init=sgd_init,
    step=sgd_step,
    anatomy=gd_anatomy,
)

MOMENTUM_SGD = Optimizer(
    id="momentum",
    torch="torch.optim.SGD(lr, momentum, dampening, weight_decay)",
    rule=r"v_t = \mu v_{t-1} + (1-\tau) g_t,\quad p_t = p_{t-1} - \eta\, v_t",
    params=(lr_param(0.001), MOMENTUM, DAMPENING, WEIGHT_DECAY),
    init=sgd_init,
    step=sgd_step,
    anatomy=momentum_anatomy,
    inspect=sgd_inspect,
    averages=(("velocity", "average"),),
    memory="velocity",
)


def needs_momentum(hp: Hyper) -> None:
    """torch refuses Nesterov momentum without momentum."""
    if hp["momentum"] <= 0.0:
        raise ValueError("nesterov needs momentum > 0")


NESTEROV = Optimizer(
    id="nesterov",
    torch="torch.optim.SGD(lr, momentum, nesterov=True)",
    rule=r"v_t = \mu v_{t-1} + g_t,\quad p_t = p_{t-1} - \eta\,(g_t + \mu v_t)",
    params=(lr_param(0.001), MOMENTUM, WEIGHT_DECAY),
    init=sgd_init,
    step=nesterov_step,
    anatomy=nesterov_anatomy,
    inspect=sgd_inspect,
    check=needs_momentum,
    averages=(("velocity", "average"),),
    memory="velocity",
)
