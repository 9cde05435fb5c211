r"""The pieces the anatomy's LaTeX lines are written with: a hyperparameter as a number,
a catalogue's words as text, and the note of constants that ends a line.

A line such as :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t = \$m \quad (\beta_1 = 0.9)`
is typeset by the page with KaTeX once its ``$name`` placeholders are filled.
"""

from __future__ import annotations

import re

from gradtrail.texts import written_number

# The characters TeX reads as commands in text, each as it is written to print itself.
TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
SPECIAL = re.compile("|".join(re.escape(char) for char in TEXT_ESCAPES))


def number(value: float) -> str:
    r"""A hyperparameter as people write it, in LaTeX: ``0.9``, ``10^{-8}``,
    ``2.5\times10^{-5}`` (Python's ``1e-08`` written as a power of ten)."""
    mantissa, marker, exponent = written_number(value).partition("e")
    if not marker:
        return mantissa
    power = f"10^{{{exponent}}}"
    if mantissa in ("1", "-1"):
        return power if mantissa == "1" else f"-{power}"
    return rf"{mantissa}\times{power}"


def words(text: str) -> str:
    r"""Words of the catalogue inside a line: ``\text{…}``, TeX's special characters escaped."""
    return r"\text{" + SPECIAL.sub(lambda match: TEXT_ESCAPES[match[0]], text) + "}"


def given(*constants: str) -> str:
    r"""The note that ends a line, spaced off: ``\quad (\beta_1 = 0.9,\ \epsilon = 10^{-8})``.

    A narrow panel may break the line before the note and between its constants, never
    inside one (KaTeX would break after its ``=``): each is a group of its own.
    """
    return r"\allowbreak\quad (" + r",\allowbreak\ ".join(f"{{{c}}}" for c in constants) + ")"
