r"""The formulas the page typesets, written here in LaTeX: the loss, and each parameter's
update by the run's optimizer (the browser only renders them, with KaTeX).

A surface's loss is its formula, named by its parameters: :math:`L(w, b) = \dots` on the
line fit, :math:`f(x, y) = \dots` on a test function. Each parameter's update is the
optimizer's rule (``Optimizer.rule``, written for one parameter :math:`p` and its
gradient :math:`g_t`) with that parameter in place of :math:`p` and its partial
derivative as the gradient: gradient descent on the line fit reads
:math:`w_t = w_{t-1} - \eta\, g_{w,t},\ g_{w,t} = \partial L/\partial w`.
"""

from __future__ import annotations

import re

from gradtrail.kinds import SURFACE_KINDS
from gradtrail.surfaces import Surface

# The rule's parameter p and its gradient g_t: letters of their own, not the p in \prod
# or \epsilon, nor the g of a longer name.
PARAMETER = re.compile(r"(?<![\\A-Za-z])p(?![A-Za-z])")
GRADIENT = re.compile(r"(?<![\\A-Za-z])g_t(?![A-Za-z])")


def symbols(surface: Surface) -> tuple[str, str]:
    """The surface's two parameters as its formula writes them (``x``, ``y`` unless its
    kind names them: ``w``, ``b`` for a line or a neuron)."""
    kind = SURFACE_KINDS.get(surface.id)
    return kind.symbols if kind is not None else ("x", "y")


def loss_name(surface: Surface) -> str:
    """``L`` for a loss fitted to data, ``f`` for a function of its two variables."""
    return "L" if surface.samples is not None else "f"


def loss_latex(surface: Surface) -> str:
    """The loss, named by its parameters: ``L(w, b) = \\frac1n \\sum_i …``."""
    first, second = symbols(surface)
    return rf"{loss_name(surface)}({first}, {second}) = {surface.formula}"


def update_latex(surface: Surface, rule: str) -> tuple[str, ...]:
    """Each parameter's update: the optimizer's ``rule`` (written for a parameter ``p`` and
    its gradient ``g_t``) for that parameter, and its gradient as a partial derivative."""
    name = loss_name(surface)
    kind = SURFACE_KINDS.get(surface.id)
    if kind is not None and kind.vector_size is not None:
        # a network: the optimizer steps its whole parameter vector θ, not the slice's a, b
        return (written_for(rule, r"\theta", rf"\nabla_{{\theta}} {name}"),)
    return tuple(
        written_for(rule, symbol, rf"\frac{{\partial {name}}}{{\partial {symbol}}}")
        for symbol in symbols(surface)
    )


def written_for(rule: str, symbol: str, derivative: str) -> str:
    """``rule`` for the parameter ``symbol``, its gradient ``g_{symbol,t}`` = ``derivative``."""
    gradient = rf"g_{{{symbol},t}}"
    # Replacements as functions: a symbol's backslashes are not read as escapes.
    with_gradient = GRADIENT.sub(lambda _, g=gradient: g, rule)
    written = PARAMETER.sub(lambda _, p=f"{{{symbol}}}": p, with_gradient)
    return rf"{written},\quad {gradient} = {derivative}"
