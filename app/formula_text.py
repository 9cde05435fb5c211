"""A surface's LaTeX formula as text a terminal shows: ``(a - x)² + b (y - x²)²``.

The catalogue keeps one formula per surface, in LaTeX for the page's typesetting; the
command line reads it through this table rather than keeping a second copy.
"""

from __future__ import annotations

import re

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ", "phi": "φ",
}  # fmt: skip
FUNCTIONS = ("cos", "sin", "tan", "tanh", "log", "exp", "max", "min")
SUPERSCRIPTS = str.maketrans("0123456789+-n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿ")
SUBSCRIPTS = str.maketrans("0123456789ijkn", "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₙ")
# In order: each rule sees what the ones before it left.
RULES: tuple[tuple[str, str], ...] = (
    (r"\\(?:big|Big|bigg|left|right)(?=[()\[\]|.])", ""),  # sized delimiters: the delimiter
    (r"\\t?d?frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)"),
    (r"\\t?d?frac(\w)(\w)", r"\1/\2"),
    (r"\\sqrt\{([^{}]*)\}", r"√(\1)"),
    (r"\\sum_(\w)", r"Σ_\1 "),
    (r"\\sum", "Σ "),
    (r"\\(?:,|;|:|!| )", " "),
    (r"\\operatorname\{([^{}]*)\}", r"\1"),
    (r"\\hat\s*\{?(\w)\}?", "\\1\u0302"),  # ŷ: the letter and a combining circumflex
    (r"\\cdot", "·"),
    (r"\\times", "×"),
)


def plain_formula(latex: str) -> str:
    """``latex`` with its commands, sub- and superscripts written as Unicode text."""
    text = latex
    for pattern, replacement in RULES:
        text = re.sub(pattern, replacement, text)
    for name in FUNCTIONS:  # a space between a function and what it multiplies
        text = re.sub(rf"(?<=[\w)])\\{name}(?![a-z])", f" {name}", text)
        text = re.sub(rf"\\{name}(?![a-z])", name, text)
    for name, letter in GREEK.items():
        text = re.sub(rf"\\{name}(?![a-z])", letter, text)
    text = re.sub(r"\b(cos|sin|tanh|tan|log|exp)(?=[^\s(a-z])", r"\1 ", text)
    text = re.sub(r"\^\{?([0-9n+-]+)\}?", lambda m: m.group(1).translate(SUPERSCRIPTS), text)
    text = re.sub(r"_\{?([0-9ijkn])\}?", lambda m: m.group(1).translate(SUBSCRIPTS), text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)  # any other command: its name
    text = text.replace("{", "").replace("}", "")
    return re.sub(r" {2,}", " ", text).strip()
