"""Lessons: each a run spec with a title and two sentences of explanation.

The page's gallery, ``?preset=ID`` links, ``/embed`` and the command line all
read this one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradtrail.spec import RunSpec


@dataclass(frozen=True)
class Preset:
    """A lesson: a spec (a run, or a sweep) and what to look at."""

    id: str
    title: str
    caption: str
    spec: dict[str, Any]

    def run_spec(self) -> RunSpec:
        """The validated run spec."""
        return RunSpec.model_validate(self.spec)

    def sweep_spec(self) -> Any:
        """The validated sweep spec (for a sweep lesson)."""
        from gradtrail.sweep import SweepSpec  # the sweep module builds on this one's specs

        return SweepSpec.model_validate(self.spec)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"id": self.id, "title": self.title, "caption": self.caption, "spec": self.spec}


def gd(lr: float, **extra: Any) -> dict[str, Any]:
    return {"id": "gd", "params": {"lr": lr}, **extra}


PRESETS: dict[str, Preset] = {
    preset.id: preset
    for preset in (
        Preset(
            "line-fit",
            "Fit a line to t = 2x + 1",
            "Each point of this bowl is a line (slope w, intercept b) and its height is the "
            "mean squared error on the data. Starting from (3, 2), every optimizer walks "
            "downhill to the least-squares line (2, 1), each in its own way.",
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
            "A narrow ravine",
            "The bowl is 40 times steeper across than along, so gradient descent bounces from "
            "wall to wall while it crawls along the floor. Momentum averages the bounces away "
            "and RMSProp rescales each direction, and both reach the bottom far sooner.",
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
            "Rosenbrock's valley",
            "Finding the curved valley is easy; following it to the minimum at (1, 1) is hard. "
            "Plain gradient descent stalls on the flat floor, while momentum and Adam keep going.",
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
            "Escaping a saddle",
            "Started almost exactly on the ridge, the gradient across it is tiny, so gradient "
            "descent lingers near the saddle point. Momentum builds up speed and Adam rescales "
            "the tiny gradient, so both escape much sooner.",
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
            "Many minima: which basin?",
            "Himmelblau's function has four equally deep minima. From the same start, optimizers "
            "with different step sizes and momentum can settle in different basins.",
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
            "Minibatch noise",
            "With noisy data, a minibatch gradient only estimates the true one, so the path "
            "jitters: most with one point per step, less with 16, not at all with the full "
            "batch. The noise also keeps small batches wandering near the minimum.",
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
                    gd(0.01, batch_size=1, label="SGD, batch 1"),
                    gd(0.01, batch_size=16, label="SGD, batch 16"),
                    gd(0.01, label="Full batch"),
                ],
            },
        ),
        Preset(
            "adam-bias",
            "Adam with and without bias correction",
            "Adam's moment estimates start at zero, so early on they are biased; the correction "
            "divides by 1 − βᵗ. Without it the first steps are several times larger than the "
            "learning rate, and the path overshoots.",
            {
                "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 10.0}},
                "start": [-4.0, 2.0],
                "steps": 200,
                "optimizers": [
                    {"id": "adam", "params": {"lr": 0.2}, "label": "Adam"},
                    {
                        "id": "adam",
                        "params": {"lr": 0.2, "bias_correction": False},
                        "label": "Adam, no bias correction",
                    },
                ],
            },
        ),
        Preset(
            "scaling-raw",
            "Feature scaling: raw inputs",
            "With inputs between 50 and 80, the bowl is thousands of times steeper along w "
            "than along b, so gradient descent must take tiny steps and barely moves along b. "
            "Compare the lesson with standardized inputs.",
            {
                "surface": {
                    "id": "regression",
                    "generate": {"x_range": [50.0, 80.0], "noise": 1.0},
                },
                "start": [0.0, 0.0],
                "steps": 300,
                "optimizers": [
                    gd(0.0002, label="GD, raw x"),
                    {"id": "adam", "params": {"lr": 0.5}},
                ],
            },
        ),
        Preset(
            "scaling-standardized",
            "Feature scaling: standardized inputs",
            "The same data with x standardized to mean 0 and spread 1: the bowl is round, one "
            "learning rate suits both directions and gradient descent walks straight to the "
            "minimum (reported in both scales).",
            {
                "surface": {
                    "id": "regression",
                    "generate": {"x_range": [50.0, 80.0], "noise": 1.0},
                    "standardize": True,
                },
                "start": [0.0, 0.0],
                "steps": 300,
                "optimizers": [
                    gd(0.3, label="GD, standardized x"),
                    {"id": "adam", "params": {"lr": 0.5}},
                ],
            },
        ),
        Preset(
            "too-large",
            "A learning rate too large",
            "On this bowl the steepest curvature is 10, so gradient descent converges only while "
            "the learning rate stays below 2/10. At 0.15 it converges, at 0.19 it zig-zags and "
            "at 0.21 every step overshoots further: it diverges.",
            {
                "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 10.0}},
                "start": [-4.0, 2.0],
                "steps": 100,
                "optimizers": [gd(0.15), gd(0.19), gd(0.21)],
            },
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
            "Learning rate × momentum on the ravine",
            "Heavy-ball momentum converges on a bowl of largest curvature L exactly when "
            "η < 2(1 + μ)/L, so the stable region bends upward as momentum grows; "
            "the fastest cells sit near the classical optimum.",
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
            "Adam's learning rate × β₁ on Rosenbrock",
            "Too small a learning rate never reaches the minimum in time, too large a one "
            "keeps bouncing in the valley; β₁ shifts where the good band lies.",
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
            "Himmelblau's basins: gradient descent",
            "Each pixel is a start point, coloured by the minimum gradient descent reaches "
            "from it: the basins are split along the ridges between the minima.",
            {
                "surface": {"id": "himmelblau"},
                "steps": 500,
                "optimizer": {"id": "gd", "params": {"lr": 0.01}},
                "axes": [{"name": "start.x", "count": 80}, {"name": "start.y", "count": 80}],
            },
        ),
        Preset(
            "himmelblau-basins-momentum",
            "Himmelblau's basins: momentum",
            "The same map with momentum 0.9: a run carries speed across ridges, so the basins "
            "break into interleaved bands and a start no longer decides the minimum by its slope.",
            {
                "surface": {"id": "himmelblau"},
                "steps": 500,
                "optimizer": {"id": "momentum", "params": {"lr": 0.01, "momentum": 0.9}},
                "axes": [{"name": "start.x", "count": 80}, {"name": "start.y", "count": 80}],
            },
        ),
    )
}
