"""The anatomy's lines are LaTeX: numbers as TeX writes them, words inside ``\\text``, and
no maths left in Unicode (β₁, √, m̂ were the plain-text lines'; KaTeX typesets these)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gradtrail.optimizers.latex import number, words
from gradtrail.runner import run
from gradtrail.texts import LANGUAGES
from tests.engine.test_anatomy import CASES

# Each hand-written: how a person types these numbers in TeX.
NUMBERS = [
    (0.9, "0.9"),
    (0.999, "0.999"),
    (10, "10"),
    (1e6, "1000000"),
    (1e-8, "10^{-8}"),
    (-1e-8, "-10^{-8}"),
    (2.5e-5, r"2.5\times10^{-5}"),
    (1e20, "10^{20}"),
]


@pytest.mark.parametrize(("value", "latex"), NUMBERS)
def test_a_hyperparameter_is_written_as_tex_writes_a_number(value: float, latex: str) -> None:
    assert number(value) == latex


def test_words_are_text_with_texs_special_characters_escaped() -> None:
    assert words("バイアス補正なし") == r"\text{バイアス補正なし}"
    assert words(r"50% of a_b {x} & #1 $ ~ ^ \ ") == (
        r"\text{50\% of a\_b \{x\} \& \#1 \$ \textasciitilde{} \textasciicircum{} "
        r"\textbackslash{} }"
    )


TEXT = re.compile(r"\\text\{(?:[^{}\\]|\\.|\\[a-z]+\{\})*\}")


def balanced(latex: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# The branches of the anatomy test, and Adam without bias correction (its words).
BRANCHES = [(case[0], case[1]) for case in CASES] + [("adam", {"bias_correction": False})]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("optimizer", "params"), BRANCHES)
def test_every_line_is_latex_with_its_words_in_text(
    optimizer: str, params: dict[str, Any], lang: str
) -> None:
    """Outside ``\\text{…}`` a line is ASCII: its symbols are TeX's commands (``\\beta_1``,
    ``\\hat m_t``), not Unicode letters that KaTeX would set without sub- or superscripts;
    and its braces balance (that each ``$name`` names what is recorded, and no more, the
    anatomy test checks)."""
    spec = {"surface": {"id": "rosenbrock"}, "steps": 1,
            "optimizers": [{"id": optimizer, "params": params}]}  # fmt: skip
    (item,) = run(spec, lang=lang).as_dict()["runs"]
    for line in item["anatomy"]:
        for form in (line["latex"], line.get("early")):
            if form is None:
                continue
            maths = TEXT.sub("", form)
            assert maths.isascii(), form
            assert balanced(form), form
