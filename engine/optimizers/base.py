"""What an optimizer is, and the building blocks the named ones share.

An optimizer is a pair of pure functions over batches (optax's shape):
``init(p, hp) -> state`` and ``step(p, g, state, hp) -> (p_next, state)``.
``p`` and ``g`` are ``(2, n)`` float64 arrays (a row per coordinate) or, on the
per-coordinate path, Python floats; every rule here is elementwise, so both give the
same numbers. Hyperparameters ``hp`` are scalars or ``(n,)`` arrays (a sweep is a batch).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from gradtrail.numeric import Real, is_scalar, lerp, power
from gradtrail.optimizers.latex import given, number

Hyper = Mapping[str, Any]
ParamKind = Literal["float", "bool", "pair"]
Words = Callable[[str], str]  # a text of the catalogue by its key, in the reader's language


@dataclass(frozen=True)
class Equation:
    r"""One line of the step's anatomy in LaTeX, as the page typesets it at step ``t``.

    ``$name`` stands for what was recorded at that step, which the page writes in as
    numbers before it typesets the line: a vector of the optimizer's state as the pair
    ``(name_x, name_y)`` (``$m``, ``$velocity``; ``$gradient`` and ``$step`` too), ``$lr``
    for :math:`\eta` and ``$t`` for the step number. Hyperparameters are written in as
    numbers, words as ``\text{…}`` from the catalogue. While ``t <= early_steps`` the line
    reads ``early`` instead (momentum's buffer starts as :math:`g_1`; RAdam steps plainly
    until :math:`\rho_t > 5`).
    """

    latex: str
    early: str | None = None
    early_steps: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``latex``, plus ``early`` and ``early_steps`` when there is an early form."""
        if self.early is None:
            return {"latex": self.latex}
        return {"latex": self.latex, "early": self.early, "early_steps": self.early_steps}


Anatomy = Callable[[Hyper, Words], tuple[Equation, ...]]


def gradient_lines(hp: Hyper, coupled: bool = True) -> tuple[Equation, ...]:
    """The lines every anatomy opens with: the step number and η, then the gradient the
    rule uses (``∇f`` plus the L2 term when weight decay enters the gradient)."""
    head = Equation(r"t = $t,\quad \eta = $lr")
    decay = hp.get("weight_decay", 0.0)
    if coupled and decay:
        note = given(r"\nabla f = $gradient", rf"\lambda = {number(decay)}")
        return head, Equation(rf"g_t = \nabla f(\theta_{{t-1}}) + \lambda\theta_{{t-1}}{note}")
    return head, Equation(r"g_t = \nabla f(\theta_{t-1}) = $gradient")


@dataclass(frozen=True)
class HyperParam:
    """One hyperparameter: torch's name and default and its valid range (its help text is
    in the catalogue, :mod:`gradtrail.texts`)."""

    name: str
    default: float | bool | tuple[float, float]
    min: float | None = None
    max: float | None = None
    max_inclusive: bool = True
    kind: ParamKind = "float"


@dataclass(frozen=True)
class Optimizer:
    """An optimizer: metadata plus its ``init``/``step`` pair (its name for people is in
    the catalogue, :mod:`gradtrail.texts`).

    ``inspect(state, hp)`` names the internal vectors after a step as the update
    rule names them (``velocity``, ``m``, ``v_hat``, …), for people to look at;
    ``anatomy(hp, words)`` writes the update rule with those names (:class:`Equation`).
    """

    id: str
    torch: str
    rule: str
    params: tuple[HyperParam, ...]
    init: Callable[[Real, Hyper], Any]
    step: Callable[[Real, Real, Any, Hyper], tuple[Real, Any]]
    anatomy: Anatomy
    inspect: Callable[[Any, Hyper], dict[str, Real]] = lambda state, hp: {}
    # Rules across hyperparameters (Nesterov needs momentum > 0): raise ValueError.
    check: Callable[[Hyper], None] | None = None
    # Which inspected vectors are running averages of the gradient, by role: "average"
    # (of g, as the optimizer keeps it), "corrected" (bias-corrected), "square" (of g²)
    # and "square_corrected"; the moving-averages figure draws them.
    averages: tuple[tuple[str, str], ...] = ()
    # The inspected vector that carries the direction of past steps (momentum's velocity,
    # Adam's m): the step anatomy draws it as an arrow.
    memory: str | None = None

    def param(self, name: str) -> HyperParam | None:
        """The hyperparameter called ``name``, or None."""
        return next((hp for hp in self.params if hp.name == name), None)

    def defaults(self) -> dict[str, Any]:
        """Every hyperparameter at its default."""
        return {hp.name: hp.default for hp in self.params}


def zeros_like(p: Real) -> Real:
    """A zero of the same kind as ``p`` (float or array)."""
    return 0.0 if is_scalar(p) else p * 0.0


def is_zero(a: Real) -> bool:
    """True when a scalar hyperparameter is exactly zero (torch skips the term)."""
    return is_scalar(a) and a == 0.0


def add_weight_decay(g: Real, p: Real, weight_decay: Real) -> Real:
    r"""L2 penalty folded into the gradient: :math:`g \leftarrow g + \lambda p`."""
    if is_zero(weight_decay):
        return g
    return g + weight_decay * p


def decay_weights(p: Real, lr: Real, weight_decay: Real) -> Real:
    r"""Decoupled weight decay (AdamW): :math:`p \leftarrow p (1 - \eta\lambda)`."""
    if is_zero(weight_decay):
        return p
    return p * (1.0 - lr * weight_decay)


def first_moment(m: Real, g: Real, beta1: Real) -> Real:
    r"""Running mean of gradients: :math:`m \leftarrow \beta_1 m + (1-\beta_1) g` (torch's lerp)."""
    return lerp(m, g, 1.0 - beta1)


def second_moment(v: Real, g: Real, beta2: Real) -> Real:
    r"""Running mean of squared gradients: :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`."""
    return v * beta2 + (1.0 - beta2) * g * g


def bias_correction(beta: Real, t: int, enabled: bool = True) -> Real:
    r"""Adam's correction factor :math:`1 - \beta^t` (1 when switched off)."""
    return 1.0 - power(beta, t) if enabled else 1.0


# Hyperparameters several optimizers share, declared once.
def lr_param(default: float) -> HyperParam:
    """The learning rate: any finite number >= 0 (a huge one is a lesson)."""
    return HyperParam("lr", default, min=0.0)


WEIGHT_DECAY = HyperParam("weight_decay", 0.0, min=0.0)
BETAS = HyperParam(
    "betas",
    (0.9, 0.999),
    min=0.0,
    max=1.0,
    max_inclusive=False,
    kind="pair",
)


def eps_param(default: float) -> HyperParam:
    """The term added for numerical stability."""
    return HyperParam("eps", default, min=0.0)
