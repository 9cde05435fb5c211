"""Lessons: each a run spec with a title and two sentences of explanation.

The page's gallery, ``?preset=ID`` links, ``/embed`` and the command line all
read this one table. A lesson's title, caption and run labels are texts of the
catalogue (``lesson.ID.title``, ``lesson.ID.caption``, ``lesson.ID.runK``), in
every language; :meth:`Preset.localized` puts them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradtrail.spec import RunSpec
from gradtrail.texts import DEFAULT_LANGUAGE, lesson_key, messages, text

PANELS = ("backprop", "data", "averages")  # the page's panels a lesson may open


@dataclass(frozen=True)
class Preset:
    """A lesson: a spec (a run, or a sweep) and what to look at, with the page's panels
    it opens (the backward pass, the data, the moving averages)."""

    id: str
    spec: dict[str, Any]
    panels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        assert set(self.panels) <= set(PANELS), self.panels

    def title(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return text(lesson_key(self.id, "title"), lang)

    def caption(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return text(lesson_key(self.id, "caption"), lang)

    def localized(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        """The spec with the lesson's run labels in ``lang`` (runs without one keep theirs)."""
        catalogue = messages(lang)
        entries = self.spec.get("optimizers")
        if entries is None:
            return self.spec
        labelled = []
        for index, entry in enumerate(entries):
            key = lesson_key(self.id, f"run{index}")
            labelled.append({**entry, "label": catalogue[key]} if key in catalogue else entry)
        return {**self.spec, "optimizers": labelled}

    def run_spec(self, lang: str = DEFAULT_LANGUAGE) -> RunSpec:
        """The validated run spec."""
        return RunSpec.model_validate(self.localized(lang))

    def sweep_spec(self) -> Any:
        """The validated sweep spec (for a sweep lesson)."""
        from gradtrail.sweep import SweepSpec  # the sweep module builds on this one's specs

        return SweepSpec.model_validate(self.spec)

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        """JSON-ready, in ``lang``."""
        return {
            "id": self.id,
            "title": self.title(lang),
            "caption": self.caption(lang),
            "spec": self.localized(lang),
            "panels": list(self.panels),
        }


def gd(lr: float, **extra: Any) -> dict[str, Any]:
    return {"id": "gd", "params": {"lr": lr}, **extra}


PRESETS: dict[str, Preset] = {
    preset.id: preset
    for preset in (
        Preset(
            "line-fit",
            {
                "surface": {"id": "regression", "domain": [[-1.0, 5.0], [-2.0, 4.0]]},
                "start": [3.0, 2.0],
                "steps": 150,
                "optimizers": [
                    gd(0.01),
                    {"id": "momentum", "params": {"lr": 0.01, "momentum": 0.9}},
                    {"id": "adam", "params": {"lr": 0.3}},
                ],
            },
        ),
        Preset(
            "ravine",
            {
                "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 40.0, "theta": 0.0}},
                "start": [-4.5, 1.5],
                "steps": 120,
                "optimizers": [
                    gd(0.045),
                    {"id": "momentum", "params": {"lr": 0.01, "momentum": 0.8}},
                    {"id": "rmsprop", "params": {"lr": 0.1}},
                ],
            },
        ),
        Preset(
            "rosenbrock",
            {
                "surface": {"id": "rosenbrock"},
                "start": [-1.5, 2.0],
                "steps": 1500,
                "optimizers": [
                    gd(0.001),
                    {"id": "momentum", "params": {"lr": 0.001, "momentum": 0.9}},
                    {"id": "adam", "params": {"lr": 0.05}},
                ],
            },
        ),
        Preset(
            "saddle",
            {
                "surface": {"id": "saddle"},
                "start": [-1.8, 0.001],
                "steps": 300,
                "optimizers": [
                    gd(0.05),
                    {"id": "momentum", "params": {"lr": 0.05, "momentum": 0.9}},
                    {"id": "adam", "params": {"lr": 0.05}},
                ],
            },
        ),
        Preset(
            "himmelblau",
            {
                "surface": {"id": "himmelblau"},
                "start": [0.0, -3.0],
                "steps": 400,
                "optimizers": [
                    gd(0.01),
                    {"id": "momentum", "params": {"lr": 0.01, "momentum": 0.9}},
                    {"id": "adam", "params": {"lr": 0.1}},
                    {"id": "rmsprop", "params": {"lr": 0.05}},
                ],
            },
        ),
        Preset(
            "minibatch",
            {
                "surface": {
                    "id": "regression",
                    "generate": {"noise": 2.0, "n": 200},
                    "domain": [[0.5, 3.5], [-0.5, 2.5]],
                },
                "start": [3.0, 2.0],
                "steps": 300,
                "seed": 0,
                "optimizers": [
                    gd(0.01, batch_size=1),
                    gd(0.01, batch_size=16),
                    gd(0.01),
                ],
            },
            panels=("data",),
        ),
        Preset(
            "adam-bias",
            {
                "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 10.0}},
                "start": [-4.0, 2.0],
                "steps": 200,
                "optimizers": [
                    {"id": "adam", "params": {"lr": 0.2}},
                    {"id": "adam", "params": {"lr": 0.2, "bias_correction": False}},
                ],
            },
        ),
        Preset(
            "scaling-raw",
            {
                "surface": {
                    "id": "regression",
                    "generate": {"x_range": [50.0, 80.0], "noise": 1.0},
                },
                "start": [0.0, 0.0],
                "steps": 300,
                "optimizers": [
                    gd(0.0002),
                    {"id": "adam", "params": {"lr": 0.5}},
                ],
            },
        ),
        Preset(
            "scaling-standardized",
            {
                "surface": {
                    "id": "regression",
                    "generate": {"x_range": [50.0, 80.0], "noise": 1.0},
                    "standardize": True,
                },
                "start": [0.0, 0.0],
                "steps": 300,
                "optimizers": [
                    gd(0.3),
                    {"id": "adam", "params": {"lr": 0.5}},
                ],
            },
        ),
        Preset(
            "too-large",
            {
                "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 10.0}},
                "start": [-4.0, 2.0],
                "steps": 100,
                "optimizers": [gd(0.15), gd(0.19), gd(0.21)],
            },
        ),
        Preset(
            "neuron",
            {
                "surface": {"id": "neuron", "loss": "cross_entropy"},
                "start": [-4.0, 4.0],
                "steps": 150,
                "optimizers": [
                    gd(1.0),
                    {"id": "momentum", "params": {"lr": 0.3, "momentum": 0.9}},
                    {"id": "adam", "params": {"lr": 0.1}},
                ],
            },
        ),
        Preset(
            "neuron-mse",
            {
                "surface": {"id": "neuron", "loss": "mse"},
                "start": [-4.0, 4.0],
                "steps": 400,
                "optimizers": [gd(1.0), {"id": "adam", "params": {"lr": 0.1}}],
            },
        ),
        Preset(
            "perceptron",
            {
                "surface": {
                    "id": "regression",
                    "generate": {"noise": 0.0, "n": 20, "x_range": [-2.0, 2.0]},
                    "domain": [[0.0, 4.0], [-1.0, 3.0]],
                },
                "start": [3.0, 2.0],
                "steps": 100,
                "optimizers": [gd(0.1)],
            },
            panels=("data",),
        ),
        Preset(
            "bias-input-one",
            {
                "surface": {
                    "id": "regression",
                    "generate": {"noise": 0.5, "n": 50, "x_range": [0.0, 4.0]},
                    "domain": [[-1.0, 5.0], [-3.0, 5.0]],
                },
                "start": [-0.5, 4.0],
                "steps": 200,
                "optimizers": [gd(0.05)],
            },
            panels=("backprop", "data"),
        ),
        Preset(
            "graph-reuse",
            {
                "surface": {"id": "custom", "expression": "(x*y + x)^2"},
                "start": [1.0, 0.5],
                "steps": 60,
                "optimizers": [gd(0.02)],
            },
            panels=("backprop",),
        ),
        Preset(
            "beta",
            {
                "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 10.0}},
                "start": [-4.0, 2.0],
                "steps": 150,
                "optimizers": [
                    {"id": "adam", "params": {"lr": 0.1}},
                    {"id": "adam", "params": {"lr": 0.1, "betas": [0.99, 0.999]}},
                    {
                        "id": "adam",
                        "params": {"lr": 0.1, "betas": [0.99, 0.999], "bias_correction": False},
                    },
                ],
            },
            panels=("averages",),
        ),
    )
}
DEFAULT_PRESET = "rosenbrock"
DEFAULT_OPTIMIZER = "adam"  # what "+ Add optimizer" adds


RAVINE = {"id": "quadratic", "params": {"l1": 1.0, "l2": 40.0}}
SWEEP_PRESETS: dict[str, Preset] = {
    preset.id: preset
    for preset in (
        Preset(
            "ravine-lr-momentum",
            {
                "surface": RAVINE,
                "start": [-4.5, 1.5],
                "steps": 300,
                "optimizer": {"id": "momentum"},
                "axes": [
                    {"name": "lr", "low": 0.001, "high": 0.2, "count": 60, "scale": "log"},
                    {"name": "momentum", "low": 0.0, "high": 0.98, "count": 50},
                ],
                "loss_threshold": 1e-6,
            },
        ),
        Preset(
            "rosenbrock-adam",
            {
                "surface": {"id": "rosenbrock"},
                "start": [-1.5, 2.0],
                "steps": 1000,
                "optimizer": {"id": "adam"},
                "axes": [
                    {"name": "lr", "low": 0.001, "high": 1.0, "count": 60, "scale": "log"},
                    {"name": "betas[0]", "low": 0.0, "high": 0.99, "count": 50},
                ],
                "loss_threshold": 1e-4,
            },
        ),
        Preset(
            "himmelblau-basins-gd",
            {
                "surface": {"id": "himmelblau"},
                "steps": 500,
                "optimizer": {"id": "gd", "params": {"lr": 0.01}},
                "axes": [{"name": "start.x", "count": 80}, {"name": "start.y", "count": 80}],
            },
        ),
        Preset(
            "himmelblau-basins-momentum",
            {
                "surface": {"id": "himmelblau"},
                "steps": 500,
                "optimizer": {"id": "momentum", "params": {"lr": 0.01, "momentum": 0.9}},
                "axes": [{"name": "start.x", "count": 80}, {"name": "start.y", "count": 80}],
            },
        ),
    )
}
