"""RAdam: Adam whose adaptive step waits until the variance estimate is trustworthy."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradtrail.numeric import Real, is_scalar, power, sqrt
from gradtrail.optimizers.adam import decoupled_decay, moment_lines
from gradtrail.optimizers.base import (
    BETAS,
    WEIGHT_DECAY,
    Equation,
    Hyper,
    HyperParam,
    Optimizer,
    Words,
    add_weight_decay,
    decay_weights,
    eps_param,
    first_moment,
    gradient_lines,
    lr_param,
    second_moment,
    zeros_like,
)
from gradtrail.optimizers.latex import given, number


class RAdamState(NamedTuple):
    """First and second moment estimates and the step count."""

    m: Real
    v: Real
    t: int


def radam_init(p: Real, hp: Hyper) -> RAdamState:
    return RAdamState(zeros_like(p), zeros_like(p), 0)


def root(a: Real) -> Real:
    """``a ** 0.5`` as torch's Python code computes it (``pow``, not ``sqrt``)."""
    return a**0.5 if is_scalar(a) else np.power(a, 0.5)


def rho(beta2: Real, t: int) -> Real:
    r"""The length of the approximated moving average at step ``t``:
    :math:`\rho_t = \rho_\infty - 2 t \beta_2^t / (1-\beta_2^t)`."""
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    return rho_inf - 2.0 * t * power(beta2, t) / (1.0 - power(beta2, t))


def trusts_variance(beta2: float, t: int) -> bool:
    """Whether step ``t`` takes the adaptive form (ρ_t > 5)."""
    return bool(rho(beta2, t) > 5.0)


# Past this many plain steps the equations stop looking for the first adaptive one
# (β₂ just above 2/3 puts it far out; no run is that long).
PLAIN_STEPS_SHOWN = 1_000_000


def plain_steps(beta2: float) -> int:
    """How many first steps are plain momentum: those with ρ_t ≤ 5 (ρ_t grows with t)."""
    if 2.0 / (1.0 - beta2) - 1.0 <= 5.0:
        return PLAIN_STEPS_SHOWN
    low, high = 1, 1
    while not trusts_variance(beta2, high) and high < PLAIN_STEPS_SHOWN:
        low, high = high, high * 2
    if not trusts_variance(beta2, high):
        return PLAIN_STEPS_SHOWN
    while low < high:  # the first trusted step lies in (low, high]
        middle = (low + high) // 2
        if trusts_variance(beta2, middle):
            high = middle
        else:
            low = middle + 1
    return high - 1


def radam_step(p: Real, g: Real, state: RAdamState, hp: Hyper) -> tuple[Real, RAdamState]:
    r"""``torch.optim.RAdam`` (Liu et al., 2020).

    .. math::
        \rho_\infty = \frac{2}{1-\beta_2} - 1,\quad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t},\quad
        r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}} \\
        p_t = p_{t-1} - \eta\,\hat m_t \cdot
              \begin{cases} r_t \sqrt{1-\beta_2^t} / (\sqrt{v_t} + \epsilon) & \rho_t > 5 \\
                            1 & \text{otherwise (plain momentum)} \end{cases}
    """
    beta1, beta2 = hp["betas"]
    lr, t = hp["lr"], state.t + 1
    bias_correction1 = 1.0 - power(beta1, t)
    bias_correction2 = 1.0 - power(beta2, t)
    if hp["decoupled_weight_decay"]:
        p = decay_weights(p, lr, hp["weight_decay"])
    else:
        g = add_weight_decay(g, p, hp["weight_decay"])
    m = first_moment(state.m, g, beta1)
    v = second_moment(state.v, g, beta2)
    plain = m / bias_correction1 * lr
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho(beta2, t)
    trusted = rho_t > 5.0  # a bool, or a boolean array when beta2 is swept
    batch = isinstance(trusted, np.ndarray)
    if not batch and not trusted:
        return p - plain, RAdamState(m, v, t)
    with np.errstate(invalid="ignore"):  # r_t is NaN where rho_t <= 4; those cells take `plain`
        rect = root((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    adaptive = plain * (root(bias_correction2) / (sqrt(v) + hp["eps"])) * rect
    step = np.where(trusted, adaptive, plain) if batch else adaptive
    return p - step, RAdamState(m, v, t)


def radam_inspect(state: RAdamState, hp: Hyper) -> dict[str, Real]:
    r"""The moments and the bias-corrected first moment :math:`\hat m = m/(1-\beta_1^t)`."""
    beta1, _ = hp["betas"]
    return {"m": state.m, "v": state.v, "m_hat": state.m / (1.0 - power(beta1, state.t))}


def radam_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    """Adam's moments; the step is plain momentum until the variance estimate is trusted
    (ρ_t > 5), then Adam's step times the rectification r_t."""
    decoupled = hp["decoupled_weight_decay"]
    _, beta2 = hp["betas"]
    decay, constants = decoupled_decay(hp) if decoupled else ("", ())
    eps = rf"\epsilon = {number(hp['eps'])}"
    adaptive = r"r_t\,\frac{\sqrt{1-\beta_2^{$t}}}{\sqrt{v_t} + \epsilon}"
    return (
        *gradient_lines(hp, coupled=not decoupled),
        *moment_lines(hp),
        Equation(r"\hat m_t = \frac{m_t}{1-\beta_1^{$t}} = $m_hat"),
        Equation(
            rf"\Delta\theta_t = -\eta\,\hat m_t\,{adaptive}{decay} = $step"
            + given(r"\rho_t > 5", eps, *constants),
            early=rf"\Delta\theta_t = -\eta\,\hat m_t{decay} = $step"
            + given(r"\rho_t \le 5", *constants),
            early_steps=plain_steps(float(beta2)),
        ),
    )


RADAM = Optimizer(
    id="radam",
    torch="torch.optim.RAdam(lr, betas, eps, weight_decay, decoupled_weight_decay)",
    rule=(
        r"p_t = p_{t-1} - \eta\,\hat m_t\,"
        r"\begin{cases} r_t\,\sqrt{1-\beta_2^t}/(\sqrt{v_t}+\epsilon) & \rho_t > 5 \\"
        r" 1 & \text{otherwise} \end{cases}"
    ),
    params=(
        lr_param(0.001),  # torch's: the first steps are plain momentum on the raw gradient
        BETAS,
        eps_param(1e-8),
        WEIGHT_DECAY,
        HyperParam("decoupled_weight_decay", False, kind="bool"),
    ),
    init=radam_init,
    step=radam_step,
    anatomy=radam_anatomy,
    inspect=radam_inspect,
    averages=(("m", "average"), ("m_hat", "corrected"), ("v", "square")),
    memory="m",
)
