"""What a sweep may vary for an optimizer, and the first sweep the page offers for it.

The sweep's validation, the API's optimizer descriptions and the page's sweep form
all read these, so the names are written once.
"""

from __future__ import annotations

from typing import Any

from gradtrail.optimizers import Optimizer
from gradtrail.texts import DEFAULT_LANGUAGE, hyperparam_label_key, text

START_AXES = ("start.x", "start.y")  # a grid of start points over the surface's domain
DATA_AXES = ("batch_size",)  # on a surface fitted to samples only
# A first sweep: the learning rate on a log scale against the first of these the optimizer
# has (its momentum-like parameter) on a linear one.
MOMENTUM_LIKE = ("momentum", "betas[0]", "alpha", "rho")
FIRST_LR_AXIS = {"name": "lr", "low": 0.001, "high": 0.3, "count": 40, "scale": "log"}
FIRST_SECOND_AXIS = {"low": 0.0, "high": 0.95, "count": 30, "scale": "linear"}
AXIS_COUNT = FIRST_SECOND_AXIS["count"]  # the values of an axis a person adds
# The texts the run form labels these fields with, reused for the sweep's axes.
FIELD_WORDS = {"start.x": "start_x", "start.y": "start_y", "batch_size": "batch_size"}


def hyperparameter_axes(optimizer: Optimizer) -> list[str]:
    """The optimizer's numeric hyperparameters as axis names (a pair by halves: ``betas[0]``)."""
    names: list[str] = []
    for param in optimizer.params:
        if param.kind == "float":
            names.append(param.name)
        elif param.kind == "pair":
            names += [f"{param.name}[0]", f"{param.name}[1]"]
    return names


def sweepable_axes(optimizer: Optimizer) -> list[str]:
    """Every axis a sweep of ``optimizer`` may have on any surface (``DATA_AXES`` too on
    a surface with data)."""
    return [*hyperparameter_axes(optimizer), *START_AXES]


def first_axes(optimizer: Optimizer) -> list[dict[str, Any]]:
    """The sweep the page offers first for ``optimizer``."""
    names = hyperparameter_axes(optimizer)
    second = next((name for name in MOMENTUM_LIKE if name in names), None)
    axes: list[dict[str, Any]] = [dict(FIRST_LR_AXIS)]
    if second is not None:
        axes.append({"name": second, **FIRST_SECOND_AXIS})
    return axes


def axis_word_key(optimizer_id: str, name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The text naming axis ``name`` in the learner's words: the run form's own label for
    a start coordinate or the batch size, else the hyperparameter's (``hpname.lr``; a
    pair's half has its own, ``hpname.betas[0]``)."""
    return FIELD_WORDS.get(name) or hyperparam_label_key(optimizer_id, name, lang)


def axis_words(optimizer: Optimizer, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every axis a sweep of ``optimizer`` may have, named in the learner's words (the
    page shows torch's name beside it)."""
    names = [*sweepable_axes(optimizer), *DATA_AXES]
    return {name: text(axis_word_key(optimizer.id, name, lang), lang) for name in names}
