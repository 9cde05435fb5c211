"""Adam and its relatives: AdamW, NAdam and Adamax."""

from __future__ import annotations

from typing import NamedTuple

from gradtrail.numeric import Real, absolute, maximum, sqrt
from gradtrail.optimizers.base import (
    BETAS,
    WEIGHT_DECAY,
    Equation,
    Hyper,
    HyperParam,
    Optimizer,
    Words,
    add_weight_decay,
    bias_correction,
    decay_weights,
    eps_param,
    first_moment,
    gradient_lines,
    lr_param,
    second_moment,
    zeros_like,
)
from gradtrail.optimizers.latex import given, number
from gradtrail.optimizers.latex import words as text


class AdamState(NamedTuple):
    """First and second moment estimates, AMSGrad's running max, step count."""

    m: Real
    v: Real
    v_max: Real
    t: int


def adam_init(p: Real, hp: Hyper) -> AdamState:
    """Moments start at zero, hence the bias correction."""
    return AdamState(zeros_like(p), zeros_like(p), zeros_like(p), 0)


def adam_update(
    p: Real, g: Real, state: AdamState, hp: Hyper, decoupled: bool
) -> tuple[Real, AdamState]:
    r"""The Adam update shared by ``adam`` and ``adamw`` (Kingma & Ba, 2015).

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        p_t = p_{t-1} - \frac{\eta}{1-\beta_1^t}\,
              \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1-\beta_2^t} + \epsilon}

    with :math:`\hat v_t = \max(\hat v_{t-1}, v_t)` under AMSGrad, else :math:`v_t`.
    ``bias_correction: false`` replaces both :math:`1-\beta^t` factors by 1.
    """
    beta1, beta2 = hp["betas"]
    lr, t = hp["lr"], state.t + 1
    if decoupled:
        p = decay_weights(p, lr, hp["weight_decay"])
    else:
        g = add_weight_decay(g, p, hp["weight_decay"])
    m = first_moment(state.m, g, beta1)
    v = second_moment(state.v, g, beta2)
    corrected = hp.get("bias_correction", True)
    step_size = lr / bias_correction(beta1, t, corrected)
    bias_correction2_sqrt = bias_correction(beta2, t, corrected) ** 0.5
    v_max = state.v_max
    if hp["amsgrad"]:
        v_max = maximum(v_max, v)
        denom = sqrt(v_max) / bias_correction2_sqrt + hp["eps"]
    else:
        denom = sqrt(v) / bias_correction2_sqrt + hp["eps"]
    return p + (-step_size) * m / denom, AdamState(m, v, v_max, t)


def adam_step(p: Real, g: Real, state: AdamState, hp: Hyper) -> tuple[Real, AdamState]:
    """``torch.optim.Adam``: weight decay enters the gradient (L2)."""
    return adam_update(p, g, state, hp, decoupled=False)


def adamw_step(p: Real, g: Real, state: AdamState, hp: Hyper) -> tuple[Real, AdamState]:
    """``torch.optim.AdamW``: weight decay shrinks the parameters (Loshchilov & Hutter, 2019)."""
    return adam_update(p, g, state, hp, decoupled=True)


def adam_inspect(state: AdamState, hp: Hyper) -> dict[str, Real]:
    r"""The moments and their bias corrections :math:`\hat m = m/(1-\beta_1^t)`,
    :math:`\hat v = v/(1-\beta_2^t)` (no correction when ``bias_correction`` is off)."""
    beta1, beta2 = hp["betas"]
    corrected = hp.get("bias_correction", True)
    named = {
        "m": state.m,
        "v": state.v,
        "m_hat": state.m / bias_correction(beta1, state.t, corrected),
        "v_hat": state.v / bias_correction(beta2, state.t, corrected),
    }
    if hp["amsgrad"]:
        named["v_max"] = state.v_max
    return named


def first_moment_line(beta1: float) -> Equation:
    """The running mean of ``g`` that Adam and its relatives keep."""
    return Equation(
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t = $m" + given(rf"\beta_1 = {number(beta1)}")
    )


def moment_lines(hp: Hyper) -> tuple[Equation, Equation]:
    """The running means of ``g`` and ``g²`` that Adam, NAdam and RAdam keep."""
    beta1, beta2 = hp["betas"]
    square = r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2 = $v"
    return first_moment_line(beta1), Equation(square + given(rf"\beta_2 = {number(beta2)}"))


def decoupled_decay(hp: Hyper) -> tuple[str, tuple[str, ...]]:
    """AdamW's shrinking of the parameters, ``θ ← θ(1 − ηλ)`` before the step, as a term of
    Δθ and the constant it names; nothing when there is no weight decay."""
    decay = hp["weight_decay"]
    if not decay:
        return "", ()
    return r" - \eta\lambda\,\theta_{t-1}", (rf"\lambda = {number(decay)}",)


def adam_anatomy(hp: Hyper, words: Words, decoupled: bool = False) -> tuple[Equation, ...]:
    """Moments, their bias corrections (or none), AMSGrad's running maximum, the step."""
    corrected = hp.get("bias_correction", True)
    if corrected:
        m_hat = Equation(r"\hat m_t = \frac{m_t}{1-\beta_1^{$t}} = $m_hat")
        v_hat = Equation(r"\hat v_t = \frac{v_t}{1-\beta_2^{$t}} = $v_hat")
    else:
        off = text(words("anatomy_no_correction"))
        m_hat = Equation(rf"\hat m_t = m_t\ ({off}) = $m_hat")
        v_hat = Equation(rf"\hat v_t = v_t\ ({off}) = $v_hat")
    lines = [*gradient_lines(hp, coupled=not decoupled), *moment_lines(hp), m_hat, v_hat]
    if hp["amsgrad"]:
        lines.append(Equation(r"v^{\max}_t = \max(v^{\max}_{t-1}, v_t) = $v_max"))
        largest = r"v^{\max}_t / (1-\beta_2^{$t})" if corrected else r"v^{\max}_t"
        denominator = rf"\sqrt{{{largest}}}"
    else:
        denominator = r"\sqrt{\hat v_t}"
    decay, constants = decoupled_decay(hp) if decoupled else ("", ())
    step = rf"\Delta\theta_t = -\eta\,\frac{{\hat m_t}}{{{denominator} + \epsilon}}{decay} = $step"
    lines.append(Equation(step + given(rf"\epsilon = {number(hp['eps'])}", *constants)))
    return tuple(lines)


def adamw_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    return adam_anatomy(hp, words, decoupled=True)


AMSGRAD = HyperParam("amsgrad", False, kind="bool")

ADAM = Optimizer(
    id="adam",
    torch="torch.optim.Adam(lr, betas, eps, weight_decay, amsgrad)",
    rule=(
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad "
        r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad "
        r"p_t = p_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}"
    ),
    params=(
        lr_param(0.05),
        BETAS,
        eps_param(1e-8),
        WEIGHT_DECAY,
        AMSGRAD,
        HyperParam(
            "bias_correction",
            True,
            kind="bool",
        ),
    ),
    init=adam_init,
    step=adam_step,
    anatomy=adam_anatomy,
    inspect=adam_inspect,
    averages=(
        ("m", "average"),
        ("m_hat", "corrected"),
        ("v", "square"),
        ("v_hat", "square_corrected"),
    ),
    memory="m",
)

ADAMW = Optimizer(
    id="adamw",
    torch="torch.optim.AdamW(lr, betas, eps, weight_decay, amsgrad)",
    rule=(
        r"p \leftarrow p\,(1 - \eta\lambda),\quad "
        r"p_t = p_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}"
    ),
    params=(
        lr_param(0.05),
        BETAS,
        eps_param(1e-8),
        HyperParam("weight_decay", 0.01, min=0.0),
        AMSGRAD,
    ),
    init=adam_init,
    step=adamw_step,
    anatomy=adamw_anatomy,
    inspect=adam_inspect,
    averages=(
        ("m", "average"),
        ("m_hat", "corrected"),
        ("v", "square"),
        ("v_hat", "square_corrected"),
    ),
    memory="m",
)


class NAdamState(NamedTuple):
    """Moment estimates, the running product of momentum coefficients, step count."""

    m: Real
    v: Real
    mu_product: Real
    t: int


def nadam_init(p: Real, hp: Hyper) -> NAdamState:
    """Moments at zero; the product of the μ's starts at one."""
    return NAdamState(zeros_like(p), zeros_like(p), 1.0, 0)


def nadam_step(p: Real, g: Real, state: NAdamState, hp: Hyper) -> tuple[Real, NAdamState]:
    r"""One step of ``torch.optim.NAdam`` (Dozat, 2016).

    .. math::
        \mu_t = \beta_1 (1 - \tfrac12\, 0.96^{t \psi}),\quad
        p_t = p_{t-1} - \eta \frac{(1-\mu_t)}{1 - \prod_{i\le t}\mu_i} \frac{g_t}{d_t}
                      - \eta \frac{\mu_{t+1}}{1 - \prod_{i\le t+1}\mu_i} \frac{m_t}{d_t},\quad
        d_t = \sqrt{v_t / (1-\beta_2^t)} + \epsilon
    """
    beta1, beta2 = hp["betas"]
    lr, psi, t = hp["lr"], hp["momentum_decay"], state.t + 1
    g = add_weight_decay(g, p, hp["weight_decay"])
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
    mu_product = state.mu_product * mu
    mu_product_next = mu_product * mu_next
    m = first_moment(state.m, g, beta1)
    v = second_moment(state.v, g, beta2)
    denom = sqrt(v / bias_correction(beta2, t)) + hp["eps"]
    p = p + (-lr * (1.0 - mu) / (1.0 - mu_product)) * g / denom
    p = p + ((-lr * mu_next) / (1.0 - mu_product_next)) * m / denom
    return p, NAdamState(m, v, mu_product, t)


def nadam_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    """The moments, the momentum schedule μ_t, the denominator d_t, and the step that
    mixes g and m (two terms, as torch adds them)."""
    psi, eps = rf"\psi = {number(hp['momentum_decay'])}", rf"\epsilon = {number(hp['eps'])}"
    step = (
        r"\Delta\theta_t = -\eta\,\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i}\,\frac{g_t}{d_t}"
        r" - \eta\,\frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i}\,\frac{m_t}{d_t} = $step"
    )
    return (
        *gradient_lines(hp),
        *moment_lines(hp),
        Equation(r"\mu_t = \beta_1\left(1 - \tfrac12\cdot 0.96^{t\psi}\right)" + given(psi)),
        Equation(r"d_t = \sqrt{\frac{v_t}{1-\beta_2^{$t}}} + \epsilon" + given(eps)),
        Equation(step),
    )


NADAM = Optimizer(
    id="nadam",
    torch="torch.optim.NAdam(lr, betas, eps, weight_decay, momentum_decay)",
    rule=(
        r"p_t = p_{t-1} - \eta\left(\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i} g_t "
        r"+ \frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i} m_t\right) "
        r"\Big/ \left(\sqrt{\hat v_t} + \epsilon\right)"
    ),
    params=(
        lr_param(0.05),
        BETAS,
        eps_param(1e-8),
        WEIGHT_DECAY,
        HyperParam("momentum_decay", 4e-3, min=0.0),
    ),
    init=nadam_init,
    step=nadam_step,
    anatomy=nadam_anatomy,
    inspect=lambda state, hp: {"m": state.m, "v": state.v},
    averages=(("m", "average"), ("v", "square")),
    memory="m",
)


class AdamaxState(NamedTuple):
    """First moment, exponentially weighted infinity norm, step count."""

    m: Real
    u: Real
    t: int


def adamax_init(p: Real, hp: Hyper) -> AdamaxState:
    """Both estimates start at zero."""
    return AdamaxState(zeros_like(p), zeros_like(p), 0)


def adamax_step(p: Real, g: Real, state: AdamaxState, hp: Hyper) -> tuple[Real, AdamaxState]:
    r"""One step of ``torch.optim.Adamax`` (Kingma & Ba, 2015, section 7).

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\quad
        p_t = p_{t-1} - \frac{\eta}{1-\beta_1^t} \frac{m_t}{u_t}
    """
    beta1, beta2 = hp["betas"]
    t = state.t + 1
    g = add_weight_decay(g, p, hp["weight_decay"])
    m = first_moment(state.m, g, beta1)
    u = maximum(state.u * beta2, absolute(g) + hp["eps"])
    clr = hp["lr"] / bias_correction(beta1, t)
    return p + (-clr) * m / u, AdamaxState(m, u, t)


def adamax_anatomy(hp: Hyper, words: Words) -> tuple[Equation, ...]:
    """The first moment, the decaying infinity norm u, the bias-corrected step."""
    beta1, beta2 = hp["betas"]
    constants = rf"\beta_2 = {number(beta2)}", rf"\epsilon = {number(hp['eps'])}"
    return (
        *gradient_lines(hp),
        first_moment_line(beta1),
        Equation(r"u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon) = $u" + given(*constants)),
        Equation(r"\Delta\theta_t = -\frac{\eta}{1-\beta_1^{$t}}\,\frac{m_t}{u_t} = $step"),
    )


ADAMAX = Optimizer(
    id="adamax",
    torch="torch.optim.Adamax(lr, betas, eps, weight_decay)",
    rule=(
        r"u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\quad "
        r"p_t = p_{t-1} - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}"
    ),
    params=(lr_param(0.05), BETAS, eps_param(1e-8), WEIGHT_DECAY),
    init=adamax_init,
    step=adamax_step,
    anatomy=adamax_anatomy,
    inspect=lambda state, hp: {"m": state.m, "u": state.u},
    averages=(("m", "average"),),
    memory="m",
)
