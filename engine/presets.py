"""Lessons: each a run spec with a title, two sentences of explanation and the claims
those sentences make about the run.

The page's gallery, ``?preset=ID`` links, ``/embed`` and the command line all
read this one table; its order is the course's (data, model, loss, gradient,
computation graph, the backward pass through a hidden layer, gradient descent,
minibatches, momentum, RMSProp, Adam, then small networks trained whole) and a
lesson's number is its place in it. A lesson's title, caption and run labels are
texts of the catalogue (``lesson.ID.title``, ``lesson.ID.caption``,
``lesson.ID.runK``), in every language; :meth:`Preset.localized` puts them in.
Each run lesson's :class:`~gradtrail.claims.Claim` list checks its caption against
its own result (``tests/engine/test_lessons.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gradtrail.claims import (
    Claim,
    closest_approach,
    distance,
    ends_within,
    first,
    first_within,
    loss_rise_share,
    nearest_minimum,
    rounded_minima,
    signals_at,
    stationary,
    status,
    step_in_lr,
    step_length,
)
from gradtrail.kinds import SURFACE_KINDS
from gradtrail.network_claims import (
    LOG_2,
    boundary_is_a_line,
    first_hidden_rows,
    hidden_units_identical,
    network,
    off_plane,
    right_share,
    slice_loss,
    start_gradients,
    vectors,
)
from gradtrail.panels import PANELS  # the page's panels a lesson may open
from gradtrail.result import Result, Trajectory
from gradtrail.runner import run
from gradtrail.spec import RunSpec
from gradtrail.stopping import Status
from gradtrail.texts import DEFAULT_LANGUAGE, lesson_key, messages, text

# The course, in order: each lesson is about one of these, and the gallery follows them.
TOPICS = (
    "data",
    "model",
    "loss",
    "gradient",
    "graph",
    "layers",  # the backward pass through a hidden layer: δ₂ at the output, δ₁ below it
    "gradient-descent",
    "minibatch",
    "momentum",
    "rmsprop",
    "adam",
    "networks",  # a whole small network trained, its loss seen on a plane (gradtrail.plane)
)


@dataclass(frozen=True)
class Preset:
    """A lesson: a spec (a run, or a sweep) and what to look at, with the page's panels
    it opens (the backward pass, the data, the moving averages)."""

    id: str
    spec: dict[str, Any]
    panels: tuple[str, ...] = ()
    topic: str = "gradient-descent"
    claims: tuple[Claim, ...] = ()

    def __post_init__(self) -> None:
        assert set(self.panels) <= set(PANELS), self.panels
        assert self.topic in TOPICS, self.topic

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

    def result(self, lang: str = DEFAULT_LANGUAGE) -> Result:
        """The lesson's run with every step's state recorded (on a network, every step's
        parameter vector): what its claims check."""
        spec = self.run_spec(lang)
        many = SURFACE_KINDS[spec.surface.id].vector_size is not None
        return run(
            spec.model_copy(update={"record": ["parameters" if many else "state"]}), lang=lang
        )

    def sweep_spec(self) -> Any:
        """The validated sweep spec (for a sweep lesson)."""
        from gradtrail.sweep import SweepSpec  # the sweep module builds on this one's specs

        return SweepSpec.model_validate(self.spec)

    def sweep_result(self) -> Any:
        """The sweep lesson's map: what its claims check."""
        from gradtrail.sweep import run_sweep  # the sweep module builds on this one's specs

        return run_sweep(self.sweep_spec())

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


def momentum(lr: float, mu: float = 0.9) -> dict[str, Any]:
    return {"id": "momentum", "params": {"lr": lr, "momentum": mu}}


def minimum(result: Result) -> tuple[float, float]:
    return result.surface.minima[0]


def buffer_in_gradients(run: Trajectory) -> np.ndarray:
    """Per step, the momentum buffer along x in gradients: v_x / g_x."""
    assert run.state is not None, "claims read the recorded state"
    return run.state["velocity_x"] / run.state["gradient_x"]


def graph_and_tree_agree(result: Result) -> bool:
    """At the start, the graph (x one node) and the tree (x copied) give the run's gradient."""
    from gradtrail.backprop import backprop  # the graph modules build on the surfaces'

    path = result.runs[0]
    start = (float(path.x[0]), float(path.y[0]))
    graph, tree = backprop(result.surface, start), backprop(result.surface, start, shared=False)
    assert path.state is not None
    used = [path.state["gradient_x"][0], path.state["gradient_y"][0]]
    return (
        np.allclose(graph["gradient"], used, rtol=1e-12)
        and np.allclose(tree["gradient"], used, rtol=1e-12)
        and len(tree["nodes"]) > len(graph["nodes"])
    )


def curvature_ratio(result: Result) -> float:
    """∂²L/∂w² over ∂²L/∂b² (the bowl is quadratic: differences of gradients are exact)."""
    gradients = result.surface.grad(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    return float((gradients[1, 0] - gradients[0, 0]) / (gradients[2, 1] - gradients[0, 1]))


def straight(path: Trajectory) -> bool:
    """The path stays on the line from its start to its end (to rounding)."""
    points = np.stack([path.x - path.x[0], path.y - path.y[0]], axis=1)
    chord = points[-1]
    across = np.abs(points @ np.array([-chord[1], chord[0]])) / np.hypot(*chord)
    return bool(across.max() < 1e-9 * np.hypot(*chord))


BETA_CLAIMS = (
    Claim(
        "β₁ = 0.99 follows the gradient late and overshoots: past x = 0 by more than 1, "
        "where β₁ = 0.9 goes less than 0.2 past it",
        lambda r: r.runs[1].x.max() > 1 and r.runs[0].x.max() < 0.2,
    ),
    Claim(
        "without bias correction (β₂ = 0.999) the first step is 0.32·η: m = 0.01 g but "
        "√v = 0.032 |g|; the first steps are too small, not too large",
        lambda r: 0.31 < step_in_lr(r.runs[2])[0] < 0.32,
        quotes=("0.01 g", "0.032 |g|", "0.32·η"),
    ),
    Claim(
        "its steps stay below η for 11 steps, then grow past it (up to 1.4·η) and past the "
        "corrected run's, and the path overshoots far more",
        lambda r: (
            first(step_in_lr(r.runs[2]) >= 1) == 11
            and 1.35 < step_in_lr(r.runs[2]).max() < 1.45
            and bool(np.all(step_length(r.runs[2])[11:60] > step_length(r.runs[1])[11:60]))
            and r.runs[2].x.max() > r.runs[1].x.max()
        ),
        quotes=("11", "1.4·η"),
    ),
)


HEAVY_BALL = Claim(  # every lesson with momentum μ = 0.9 says how torch's form compares
    "momentum is the heavy ball (dampening 0), μ = 0.9: 1/(1 − μ) = 10",
    lambda r: all(
        run.info.params["dampening"] == 0 and run.info.params["momentum"] == 0.9
        for run in r.runs
        if run.info.optimizer == "momentum"
    ),
    quotes=("v = μv + g", "v = βv + (1 − β)g", "1/(1 − μ) = 10"),
)

TANH_START = (-1.01, 1.76)  # the tanh chain's default start, beside the path into the saddle
MINIMUM, MIRROR = (1.47, 1.99), (-1.47, -1.99)  # the tanh chain's minima, as captions write them
TANH_RUNS = [gd(0.1), gd(0.3)]


def mirrored_exactly(result: Result) -> bool:
    """Each run is the ``chain-tanh`` lesson's run mirrored through the origin, step for
    step, at the same losses (tanh is odd: L(−w₁, −w₂) = L(w₁, w₂))."""
    other = PRESETS["chain-tanh"].result(result.lang)
    return all(
        mine.x.size == theirs.x.size
        and np.allclose(mine.x, -theirs.x, rtol=0, atol=1e-12)
        and np.allclose(mine.y, -theirs.y, rtol=0, atol=1e-12)
        and np.allclose(mine.loss, theirs.loss, rtol=1e-12)
        for mine, theirs in zip(result.runs, other.runs, strict=True)
    )


def small_hidden_signals(result: Result, step: int) -> bool:
    """At the first run's point ``step``, for every sample, |δ₁| < |δ₂|/10 in the panel."""
    run, data = result.runs[0], result.surface.samples
    point = (float(run.x[step]), float(run.y[step]))
    output, hidden = "backprop.chain_delta_output", "backprop.chain_delta_hidden"
    signals = [signals_at(result, point, i) for i in range(data.x.size)]
    return all(abs(s[hidden]) < 0.1 * abs(s[output]) for s in signals)


def sigmoid_slopes(result: Result) -> np.ndarray:
    """φ′(z₁) = σ(z₁)(1 − σ(z₁)) of every sample at the start, written out."""
    data, start = result.surface.samples, result.runs[0]
    sigma = 1.0 / (1.0 + np.exp(-start.x[0] * data.x))
    return sigma * (1.0 - sigma)


def dead_at_start(result: Result) -> bool:
    """At the start, for every sample, the panel's δ₂ is not 0 and its δ₁ is 0."""
    start = (float(result.runs[0].x[0]), float(result.runs[0].y[0]))
    signals = [signals_at(result, start, i) for i in range(result.surface.samples.x.size)]
    output, hidden = "backprop.chain_delta_output", "backprop.chain_delta_hidden"
    return all(s[output] != 0.0 and s[hidden] == 0.0 for s in signals)


CHAIN_LESSONS = (
    Preset(
        "chain-tanh",
        {
            "surface": {"id": "chain"},
            "start": list(TANH_START),
            "steps": 500,
            "optimizers": TANH_RUNS,
        },
        panels=("backprop",),
        topic="layers",
        claims=(
            Claim(
                "tanh's two minima are mirror images, (1.47, 1.99) and (−1.47, −1.99), with "
                "the saddle at the origin between them",
                lambda r: (
                    rounded_minima(r) == {MINIMUM, MIRROR}
                    and r.surface.extra["saddles"] == ((0.0, 0.0),)
                ),
                quotes=("(1.47, 1.99)", "(−1.47, −1.99)"),
            ),
            Claim(
                "learning rate 0.1 comes nearest the saddle at step 6, within 0.08, where the "
                "gradient is less than a tenth of the start's",
                lambda r: (
                    r.runs[0].info.params["lr"] == 0.1
                    and closest_approach(r.runs[0], (0.0, 0.0))[0] == 6
                    and closest_approach(r.runs[0], (0.0, 0.0))[1] < 0.08
                    and r.runs[0].grad_norm[6] < 0.1 * r.runs[0].grad_norm[0]
                ),
                quotes=("0.1", "0.08", "6"),
            ),
            Claim(
                "there w₂ ≈ 0, so the panel's δ₁ = δ₂·w₂·φ′(z₁) is under a tenth of δ₂ for "
                "every sample",
                lambda r: small_hidden_signals(r, step=6),
            ),
            Claim(
                "it then turns off to (1.47, 1.99) and is within 0.001 of it after 500 steps",
                lambda r: (
                    status(r)[0] == "max_steps"
                    and r.runs[0].x.size == 501
                    and ends_within(r.runs[0], r.surface.minima[0], 0.001)
                    and np.allclose(r.surface.minima[0], MINIMUM, atol=0.005)
                ),
                quotes=("0.001", "500"),
            ),
            Claim(
                "learning rate 0.3 from the same start converges to the mirror minimum",
                lambda r: (
                    r.runs[1].info.params["lr"] == 0.3
                    and status(r)[1] == "converged"
                    and ends_within(r.runs[1], r.surface.minima[1], 1e-6)
                    and np.allclose(r.surface.minima[1], MIRROR, atol=0.005)
                ),
                quotes=("0.3",),
            ),
        ),
    ),
    Preset(
        "chain-tanh-mirror",
        {
            "surface": {"id": "chain"},
            "start": [-TANH_START[0], -TANH_START[1]],
            "steps": 500,
            "optimizers": TANH_RUNS,
        },
        topic="layers",
        claims=(
            Claim(
                "the start (1.01, −1.76) mirrors the previous lesson's",
                lambda r: (
                    (r.runs[0].x[0], r.runs[0].y[0]) == (1.01, -1.76)
                    and PRESETS["chain-tanh"].spec["start"] == [-1.01, 1.76]
                ),
                quotes=("(1.01, −1.76)",),
            ),
            Claim(
                "each path is the previous lesson's mirrored through the origin, step for step, "
                "at the same losses",
                mirrored_exactly,
            ),
            Claim(
                "learning rate 0.1 ends within 0.001 of (−1.47, −1.99); 0.3 converges to "
                "(1.47, 1.99)",
                lambda r: (
                    [run.info.params["lr"] for run in r.runs] == [0.1, 0.3]
                    and ends_within(r.runs[0], r.surface.minima[1], 0.001)
                    and status(r)[1] == "converged"
                    and ends_within(r.runs[1], r.surface.minima[0], 1e-6)
                    and rounded_minima(r) == {MINIMUM, MIRROR}
                ),
                quotes=("0.1", "0.001", "(−1.47, −1.99)", "0.3", "(1.47, 1.99)"),
            ),
        ),
    ),
    Preset(
        "chain-sigmoid",
        {
            "surface": {"id": "chain", "activation": "sigmoid"},
            "start": [-4.0, 0.7],
            "steps": 300,
            "optimizers": [gd(0.1), {"id": "adam", "params": {"lr": 0.05}}],
        },
        panels=("backprop",),
        topic="layers",
        claims=(
            Claim(
                "at w₁ = −4 the sigmoid's slope φ′(z₁) is below 0.01 for 62% of the samples",
                lambda r: (
                    r.runs[0].x[0] == -4.0 and 0.615 < np.mean(sigmoid_slopes(r) < 0.01) < 0.625
                ),
                quotes=("−4", "0.01", "62%"),
            ),
            Claim(
                "so ∂L/∂w₁ starts about 20 times smaller than ∂L/∂w₂",
                lambda r: (
                    19.5
                    < abs(r.runs[0].state["gradient_y"][0] / r.runs[0].state["gradient_x"][0])
                    < 21.0
                ),
                quotes=("20",),
            ),
            Claim(
                "gradient descent crawls: after 300 steps its loss is only 2.5% below the start's",
                lambda r: (
                    status(r)[0] == "max_steps"
                    and r.runs[0].x.size == 301
                    and 0.024 < 1.0 - r.runs[0].loss[-1] / r.runs[0].loss[0] < 0.026
                ),
                quotes=("300", "2.5%"),
            ),
            Claim(
                "Adam halves the loss by step 63 and ends within 0.002 of the minimum",
                lambda r: (
                    first(r.runs[1].loss < 0.5 * r.runs[1].loss[0]) == 63
                    and distance(r.runs[1]) < 0.002
                ),
                quotes=("63", "0.002"),
            ),
        ),
    ),
    Preset(
        "chain-relu",
        {
            "surface": {"id": "chain", "activation": "relu"},
            "start": [-1.0, 1.5],
            "steps": 100,
            "optimizers": [gd(0.1), {"id": "adam", "params": {"lr": 0.05}}],
        },
        panels=("backprop",),
        topic="layers",
        claims=(
            Claim(
                "every input is positive, so at w₁ = −1 every hidden sum w₁x is negative",
                lambda r: r.runs[0].x[0] == -1.0 and bool(np.all(r.surface.samples.x > 0.0)),
                quotes=("−1",),
            ),
            Claim(
                "the backward pass carries δ₂ ≠ 0 to the output but δ₁ = 0 to the hidden sum, "
                "for every sample",
                dead_at_start,
            ),
            Claim(
                "both runs stop where they start, at step 0, at the loss of predicting 0, "
                "mean(t²) = 31.7; no minimum: a flat region (the table's 'stopped: flat "
                "region', its curvature zero too)",
                lambda r: (
                    status(r) == ["converged", "converged"]
                    and stationary(r) == ["flat", "flat"]
                    and all(run.x.size == 1 for run in r.runs)
                    and np.isclose(r.runs[0].loss[0], np.mean(r.surface.samples.t**2), rtol=1e-12)
                    and round(float(r.runs[0].loss[0]), 1) == 31.7
                ),
                quotes=("31.7",),
            ),
        ),
    ),
)


def adam(lr: float) -> dict[str, Any]:
    return {"id": "adam", "params": {"lr": lr}}


def net(layers: list[int], activation: str, kind: str, **extra: Any) -> dict[str, Any]:
    """A network surface on generated points (200, noise 0.1, seed 0: the defaults)."""
    return {
        "id": "network",
        "layers": layers,
        "activation": activation,
        "generate": {"kind": kind},
        **extra,
    }


XOR_RUNS = [gd(1.0), adam(0.05)]
CIRCLES = net([2, 4, 1], "tanh", "circles", init_seed=0)
DEEP = [2, 8, 8, 8, 1]  # three hidden layers of 8: 201 parameters


def same_but_activation(lesson: str, other: str) -> bool:
    """Two lessons' specs differ in the surface's activation alone."""
    mine, theirs = PRESETS[lesson].spec, PRESETS[other].spec
    plain = {**mine["surface"], "activation": None}
    return {**mine, "surface": plain} == {
        **theirs,
        "surface": {**theirs["surface"], "activation": None},
    }


NETWORK_LESSONS = (
    Preset(
        "xor-linear",
        {"surface": net([2, 1], "tanh", "xor", init_seed=0), "steps": 500, "optimizers": XOR_RUNS},
        topic="networks",
        claims=(
            Claim(
                "with no hidden layer both runs stop with a zero gradient ('converged') at "
                "loss 0.692, within 0.002 of log 2 ≈ 0.693",
                lambda r: (
                    network(r).layout.layers == (2, 1)
                    and status(r) == ["converged", "converged"]
                    and all(abs(run.loss[-1] - LOG_2) < 0.002 for run in r.runs)
                    and all(round(float(run.loss[-1]), 3) == 0.692 for run in r.runs)
                ),
                quotes=("0.692", "log 2 ≈ 0.693"),
            ),
            Claim(
                "the line they end with puts 53% of the points on the right side",
                lambda r: all(round(right_share(r, run), 2) == 0.53 for run in r.runs),
                quotes=("53%",),
            ),
        ),
    ),
    Preset(
        "xor-hidden",
        {
            "surface": net([2, 4, 1], "tanh", "xor", init_seed=0),
            "steps": 500,
            "optimizers": XOR_RUNS,
        },
        topic="networks",
        claims=(
            Claim(
                "the same points and optimizers as the previous lesson, with a hidden layer of "
                "4 tanh units",
                lambda r: (
                    network(r).layout.layers == (2, 4, 1)
                    and PRESETS["xor-linear"].spec["optimizers"]
                    == PRESETS["xor-hidden"].spec["optimizers"]
                    and PRESETS["xor-linear"].spec["surface"]["generate"]
                    == PRESETS["xor-hidden"].spec["surface"]["generate"]
                ),
                quotes=("4",),
            ),
            Claim(
                "both runs get below 0.3: gradient descent at step 144, Adam at step 44; after "
                "500 steps they end at 0.19 and 0.15",
                lambda r: (
                    [first(run.loss < 0.3) for run in r.runs] == [144, 44]
                    and [round(float(run.loss[-1]), 2) for run in r.runs] == [0.19, 0.15]
                    and status(r) == ["max_steps", "max_steps"]
                ),
                quotes=("0.3", "144", "44", "500", "0.19", "0.15"),
            ),
            Claim(
                "their regions put at least 90% of the points on the right side",
                lambda r: all(right_share(r, run) >= 0.9 for run in r.runs),
                quotes=("90%",),
            ),
        ),
    ),
    Preset(
        "circles-adam",
        {"surface": CIRCLES, "steps": 500, "optimizers": [momentum(0.1), adam(0.05)]},
        topic="networks",
        claims=(
            Claim(
                "Adam gets the loss below 0.1 at step 150, momentum at step 454",
                lambda r: [first(run.loss < 0.1) for run in r.runs] == [454, 150],
                quotes=("0.1", "150", "454"),
            ),
            Claim(
                "in the first 100 steps momentum's loss falls less than 0.2, Adam's more than 0.5",
                lambda r: (
                    r.runs[0].loss[0] - r.runs[0].loss[100] < 0.2
                    and r.runs[1].loss[0] - r.runs[1].loss[100] > 0.5
                ),
                quotes=("100", "0.2", "0.5"),
            ),
            Claim(
                "both end with at least 98% of the points on the right side",
                lambda r: all(right_share(r, run) >= 0.98 for run in r.runs),
                quotes=("98%",),
            ),
            HEAVY_BALL,
        ),
    ),
    Preset(
        "slice-hides",
        {
            "surface": {**CIRCLES, "plane": {"kind": "random"}},
            "steps": 500,
            "optimizers": [adam(0.05)],
        },
        topic="networks",
        claims=(
            Claim(
                "the previous lesson's Adam run, on a random plane through the start; the "
                "network has 17 parameters",
                lambda r: (
                    network(r).layout.count == 17
                    and PRESETS["circles-adam"].spec["surface"] == CIRCLES
                    and PRESETS["circles-adam"].spec["optimizers"][1] == adam(0.05)
                    and r.surface.plane is not None
                    and r.surface.plane.kind == "random"
                ),
                quotes=("17",),
            ),
            Claim(
                "its distance from the plane grows at every step, to 20 after 500 steps; the "
                "plane holds 8% of the path",
                lambda r: (
                    bool(np.all(np.diff(off_plane(r.runs[0])) > 0))
                    and round(float(off_plane(r.runs[0])[-1])) == 20
                    and round(100 * r.surface.plane.explained) == 8
                ),
                quotes=("20", "500", "8%"),
            ),
            Claim(
                "under the drawn end the contour reads 1.24, above the start's 0.73, while "
                "the network's own loss there is 0.037",
                lambda r: (
                    round(slice_loss(r, r.runs[0]), 2) == 1.24
                    and round(float(r.runs[0].loss[0]), 2) == 0.73
                    and round(float(r.runs[0].loss[-1]), 3) == 0.037
                ),
                quotes=("1.24", "0.73", "0.037"),
            ),
        ),
    ),
    Preset(
        "zero-init",
        {
            "surface": net([2, 4, 1], "sigmoid", "circles", loss="mse", init=[0.0] * 17),
            "steps": 500,
            "optimizers": [gd(0.5), adam(0.05)],
        },
        topic="networks",
        claims=(
            Claim(
                "every weight and bias starts at 0 and the loss at 0.5 (the output is 0 and "
                "half the targets are 1)",
                lambda r: not np.any(vectors(r.runs[0])[0]) and float(r.runs[0].loss[0]) == 0.5,
                quotes=("0", "0.5"),
            ),
            Claim(
                "in both runs the 4 hidden units keep equal weights at every step, though "
                "the weights move",
                lambda r: all(
                    hidden_units_identical(r, run)
                    and np.abs(first_hidden_rows(r, run)[0][-1]).max() > 0.1
                    for run in r.runs
                ),
                quotes=("4",),
            ),
            Claim(
                "so the boundary is a straight line",
                lambda r: all(boundary_is_a_line(r, run) for run in r.runs),
            ),
            Claim(
                "gradient descent stalls at 0.249 (within 0.001 of it from step 200 on); "
                "Adam ends at 0.21 with under two thirds of the points on the right side",
                lambda r: (
                    round(float(r.runs[0].loss[-1]), 3) == 0.249
                    and bool(np.all(np.abs(r.runs[0].loss[200:] - r.runs[0].loss[-1]) < 0.001))
                    and round(float(r.runs[1].loss[-1]), 2) == 0.21
                    and 0.6 < right_share(r, r.runs[1]) < 2 / 3
                ),
                quotes=("0.249", "0.001", "200", "0.21"),
            ),
        ),
    ),
    Preset(
        "deep-sigmoid",
        {
            "surface": net(DEEP, "sigmoid", "xor", init_seed=0),
            "steps": 300,
            "optimizers": [gd(0.5), adam(0.01)],
        },
        topic="networks",
        claims=(
            Claim(
                "at the start the first layer's weight gradient is more than 2,000 times "
                "smaller than the last layer's",
                lambda r: start_gradients(r)[-1] > 2000 * start_gradients(r)[0],
                quotes=("2,000",),
            ),
            Claim(
                "gradient descent's loss is still 0.693 after 300 steps",
                lambda r: (
                    round(float(r.runs[0].loss[-1]), 3) == 0.693 and r.runs[0].loss.size == 301
                ),
                quotes=("0.693", "300"),
            ),
            Claim(
                "Adam gets below 0.3 at step 214",
                lambda r: first(r.runs[1].loss < 0.3) == 214,
                quotes=("0.3", "214"),
            ),
        ),
    ),
    Preset(
        "deep-tanh",
        {
            "surface": net(DEEP, "tanh", "xor", init_seed=0),
            "steps": 300,
            "optimizers": [gd(0.5), adam(0.01)],
        },
        topic="networks",
        claims=(
            Claim(
                "the previous lesson's network and runs with tanh",
                lambda r: same_but_activation("deep-tanh", "deep-sigmoid"),
            ),
            Claim(
                "the first layer's weight gradient starts only about 7 times smaller than the "
                "last layer's",
                lambda r: 6.5 < start_gradients(r)[-1] / start_gradients(r)[0] < 7.0,
                quotes=("7",),
            ),
            Claim(
                "gradient descent gets below 0.3 at step 94, Adam at step 43",
                lambda r: [first(run.loss < 0.3) for run in r.runs] == [94, 43],
                quotes=("0.3", "94", "43"),
            ),
        ),
    ),
)


PRESETS: dict[str, Preset] = {
    preset.id: preset
    for preset in (
        Preset(
            "line-fit",
            {
                "surface": {"id": "regression", "domain": [[-1.0, 5.0], [-2.0, 4.0]]},
                "start": [3.0, 2.0],
                "steps": 150,
                "optimizers": [gd(0.01), momentum(0.01), {"id": "adam", "params": {"lr": 0.3}}],
            },
            topic="data",
            claims=(
                Claim(
                    "every run walks downhill: its loss falls below 1% of the start's",
                    lambda r: all(run.loss[-1] < 0.01 * run.loss[0] for run in r.runs),
                ),
                Claim(
                    "momentum and Adam end within 0.001 of (2, 1)",
                    lambda r: max(distance(r.runs[1]), distance(r.runs[2])) < 0.001,
                    quotes=("0.001",),
                ),
                Claim(
                    "gradient descent hits its step limit still about 0.05 from (2, 1)",
                    lambda r: status(r)[0] == "max_steps" and 0.045 < distance(r.runs[0]) < 0.055,
                    quotes=("0.05",),
                ),
                HEAVY_BALL,
            ),
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
            topic="model",
            claims=(
                Claim(
                    "gradient descent walks from (3, 2) down to (2, 1) and converges",
                    lambda r: (
                        (r.runs[0].x[0], r.runs[0].y[0]) == (3.0, 2.0)
                        and status(r) == ["converged"]
                        and distance(r.runs[0]) < 1e-8
                        and np.allclose(minimum(r), (2.0, 1.0))
                    ),
                ),
                Claim(
                    "the residuals shrink: the loss falls at every step",
                    lambda r: bool(np.all(np.diff(r.runs[0].loss) < 0)),
                ),
            ),
        ),
        Preset(
            "neuron",
            {
                "surface": {"id": "neuron", "loss": "cross_entropy"},
                "start": [-4.0, 4.0],
                "steps": 150,
                "optimizers": [gd(1.0), momentum(0.3), {"id": "adam", "params": {"lr": 0.1}}],
            },
            topic="loss",
            claims=(
                Claim(
                    "gradient descent follows the gradient downhill: its loss falls at every step",
                    lambda r: bool(np.all(np.diff(r.runs[0].loss) <= 0)),
                ),
                Claim(
                    "gradient descent is within 10% of its final loss in about 20 steps",
                    lambda r: 15 <= first(r.runs[0].loss < 1.1 * r.runs[0].loss[-1]) <= 25,
                    quotes=("10%", "20"),
                ),
                HEAVY_BALL,
            ),
        ),
        Preset(
            "neuron-mse",
            {
                "surface": {"id": "neuron", "loss": "mse"},
                "start": [-4.0, 4.0],
                "steps": 400,
                "optimizers": [gd(1.0), {"id": "adam", "params": {"lr": 0.1}}],
            },
            topic="loss",
            claims=(
                Claim(
                    "gradient descent crawls on a plateau for hundreds of steps: at step 300 its "
                    "loss is still above 60% of the start's",
                    lambda r: r.runs[0].loss[300] > 0.6 * r.runs[0].loss[0],
                ),
                Claim(
                    "Adam gets off the plateau sooner: it halves the loss before gradient descent",
                    lambda r: (
                        0
                        < first(r.runs[1].loss < 0.5 * r.runs[1].loss[0])
                        < first(r.runs[0].loss < 0.5 * r.runs[0].loss[0])
                    ),
                ),
                Claim(
                    "the cross-entropy lesson starts where this one does (its “about 20 steps”)",
                    lambda r: (r.runs[0].x[0], r.runs[0].y[0]) == (-4.0, 4.0),
                    quotes=("20",),
                ),
            ),
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
            topic="gradient",
            claims=(
                Claim(
                    "inputs in [0, 4]: w gets the larger push, |∂L/∂w| > 3 |∂L/∂b| at the start",
                    lambda r: (
                        abs(r.runs[0].state["gradient_x"][0])
                        > 3 * abs(r.runs[0].state["gradient_y"][0])
                    ),
                ),
                Claim(
                    "w moves first, b follows more slowly: over 10 steps |Δw| > 3 |Δb|",
                    lambda r: (
                        abs(r.runs[0].x[10] - r.runs[0].x[0])
                        > 3 * abs(r.runs[0].y[10] - r.runs[0].y[0])
                    ),
                ),
            ),
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
            topic="graph",
            claims=(
                Claim(
                    "graph and tree give the gradient the run used, the tree with more nodes",
                    graph_and_tree_agree,
                ),
            ),
        ),
        *CHAIN_LESSONS,
        Preset(
            "too-large",
            {
                "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 10.0}},
                "start": [-4.0, 2.0],
                "steps": 100,
                "optimizers": [gd(0.15), gd(0.19), gd(0.21)],
            },
            claims=(
                Claim(
                    "each step multiplies the distance across the valley by 1 − 10η",
                    lambda r: all(
                        np.allclose(run.y[1:11] / run.y[:10], 1 - 10 * run.info.params["lr"])
                        for run in r.runs
                    ),
                    quotes=("1 − 10η", "−0.5", "−0.9", "−1.1"),
                ),
                Claim(
                    "0.15 and 0.19 hit the step limit 3.5e-7 and 5e-5 from the minimum; "
                    "0.21 diverges",
                    lambda r: (
                        status(r) == ["max_steps", "max_steps", "diverged"]
                        and 3.4e-7 < distance(r.runs[0]) < 3.6e-7
                        and 4.5e-5 < distance(r.runs[1]) < 5.5e-5
                    ),
                    quotes=("3.5e-7", "5e-5"),
                ),
            ),
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
                "optimizers": [gd(0.0002), {"id": "adam", "params": {"lr": 0.5}}],
            },
            claims=(
                Claim(
                    "the bowl is thousands of times steeper along w than along b",
                    lambda r: 1000 < curvature_ratio(r) < 10_000,
                ),
                Claim(
                    "gradient descent barely moves along b: less than 0.05 of the 1.2 to go",
                    lambda r: abs(r.runs[0].y[-1] - r.runs[0].y[0]) < 0.05 and minimum(r)[1] > 1.0,
                ),
            ),
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
                "optimizers": [gd(0.3), {"id": "adam", "params": {"lr": 0.5}}],
            },
            claims=(
                Claim(
                    "gradient descent walks straight to the minimum and converges",
                    lambda r: status(r)[0] == "converged" and straight(r.runs[0]),
                ),
                Claim(
                    "Adam, at lr = 0.5, is still 27 short of the intercept after 300 steps",
                    lambda r: (
                        status(r)[1] == "max_steps"
                        and 26.5 < minimum(r)[1] - r.runs[1].y[-1] < 27.5
                    ),
                    quotes=("0.5", "27", "300"),
                ),
            ),
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
                "optimizers": [gd(0.01, batch_size=1), gd(0.01, batch_size=16), gd(0.01)],
            },
            panels=("data",),
            topic="minibatch",
            # The minibatches a seed draws may change: these hold with margins of 2 or more.
            claims=(
                Claim(
                    "the full batch does not jitter: its loss never rises",
                    lambda r: loss_rise_share(r.runs[2]) == 0,
                ),
                Claim(
                    "minibatch paths jitter: their loss rises after at least a fifth of the steps",
                    lambda r: min(loss_rise_share(r.runs[0]), loss_rise_share(r.runs[1])) > 0.2,
                ),
                Claim(
                    "in 300 steps batch 1 passes over the 200 points 1.5 times, batch 16 24 times",
                    lambda r: (
                        r.surface.samples.x.size == 200
                        and [run.x.size - 1 for run in r.runs] == [300, 300, 300]
                        and [run.info.batch_size for run in r.runs[:2]] == [1, 16]
                        and [300 * b / 200 for b in (1, 16)] == [1.5, 24.0]
                    ),
                    quotes=("300", "200", "1.5", "24"),
                ),
            ),
        ),
        Preset(
            "ravine",
            {
                "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 40.0, "theta": 0.0}},
                "start": [-4.5, 1.5],
                "steps": 120,
                "optimizers": [
                    gd(0.045),
                    momentum(0.01, 0.8),
                    {"id": "rmsprop", "params": {"lr": 0.1}},
                ],
            },
            topic="momentum",
            claims=(
                Claim(
                    "gradient descent bounces from wall to wall: y changes sign at every step",
                    lambda r: bool(np.all(r.runs[0].y[1:21] * r.runs[0].y[:20] < 0)),
                ),
                Claim(
                    "within 0.05 of the bottom: RMSProp at step 30, momentum 69, "
                    "gradient descent 98; RMSProp converges, the others hit the step limit",
                    lambda r: (
                        [first_within(run, (0.0, 0.0), 0.05) for run in r.runs] == [98, 69, 30]
                        and status(r) == ["max_steps", "max_steps", "converged"]
                    ),
                    quotes=("0.05", "30", "69", "98"),
                ),
                Claim(
                    "along the floor, the heavy ball's buffer grows to about 1/(1 − μ) = 5 "
                    "gradients (4 to 7 of them from step 10 to 30)",
                    lambda r: (
                        bool(
                            np.all(
                                np.abs(
                                    r.runs[1].state["velocity_x"][9:30]
                                    / r.runs[1].state["gradient_x"][9:30]
                                    - 5.5
                                )
                                < 1.5
                            )
                        )
                        and r.runs[1].info.params["dampening"] == 0
                    ),
                    quotes=("v = μv + g", "v = βv + (1 − β)g", "1/(1 − μ) = 5"),
                ),
            ),
        ),
        Preset(
            "momentum-forms",
            {
                "surface": {"id": "quadratic", "params": {"l1": 0.02, "l2": 0.05}},
                "start": [-4.0, 2.0],
                "steps": 150,
                "optimizers": [
                    momentum(0.1),
                    {"id": "momentum", "params": {"lr": 0.1, "momentum": 0.9, "dampening": 0.9}},
                    {"id": "momentum", "params": {"lr": 1.0, "momentum": 0.9, "dampening": 0.9}},
                ],
            },
            topic="momentum",
            claims=(
                Claim(
                    "the heavy ball's buffer (dampening 0) grows to about 1/(1 − μ) = 10 "
                    "gradients by step 20; the averaged form's (dampening = μ) stays near one",
                    lambda r: (
                        [run.info.params["dampening"] for run in r.runs] == [0.0, 0.9, 0.9]
                        and 9 < buffer_in_gradients(r.runs[0])[20] < 11
                        and bool(np.all(np.abs(buffer_in_gradients(r.runs[1])[:31] - 1) < 0.05))
                    ),
                    quotes=("v = μv + g", "v = βv + (1 − β)g", "1/(1 − μ) = 10", "20"),
                ),
                Claim(
                    "at the same learning rate the averaged form's steps are under a fifth of "
                    "the heavy ball's from step 10 to 30, and after 150 steps it is 3.1 from "
                    "the minimum where the heavy ball is 0.11",
                    lambda r: (
                        bool(
                            np.all(
                                step_length(r.runs[1])[10:31] < 0.2 * step_length(r.runs[0])[10:31]
                            )
                        )
                        and round(distance(r.runs[1]), 1) == 3.1
                        and round(distance(r.runs[0]), 2) == 0.11
                        and status(r)[:2] == ["max_steps", "max_steps"]
                    ),
                    quotes=("3.1", "0.11", "150"),
                ),
                Claim(
                    "with the learning rate times 10 the averaged form ends 0.08 from the "
                    "minimum; its first step is 10 times the heavy ball's (the buffer starts at g)",
                    lambda r: (
                        r.runs[2].info.params["lr"] == 10 * r.runs[0].info.params["lr"]
                        and round(distance(r.runs[2]), 2) == 0.08
                        and np.isclose(step_length(r.runs[2])[0], 10 * step_length(r.runs[0])[0])
                    ),
                    quotes=("0.08",),
                ),
            ),
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
            topic="adam",
            claims=(
                Claim(
                    "without the correction the first step is 3.2 times the learning rate "
                    "(m = 0.1 g, √v = 0.032 |g|); with it, 1 time",
                    lambda r: (
                        3.1 < step_in_lr(r.runs[1])[0] < 3.2
                        and abs(step_in_lr(r.runs[0])[0] - 1) < 1e-6
                    ),
                    quotes=("3.2",),
                ),
                Claim(
                    "without the correction the path overshoots: past x = 0 sooner and farther",
                    lambda r: (
                        first(r.runs[1].x > 0) < first(r.runs[0].x > 0)
                        and r.runs[1].x.max() > 2 * r.runs[0].x.max()
                    ),
                ),
            ),
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
            topic="adam",
            claims=BETA_CLAIMS,
        ),
        Preset(
            "rosenbrock",
            {
                "surface": {"id": "rosenbrock"},
                "start": [-1.5, 2.0],
                "steps": 1500,
                "optimizers": [gd(0.001), momentum(0.001), {"id": "adam", "params": {"lr": 0.05}}],
            },
            topic="adam",
            claims=(
                Claim(
                    "finding the valley is easy: every run halves its loss within 20 steps",
                    lambda r: all(run.loss[20] < 0.5 * run.loss[0] for run in r.runs),
                    quotes=("20",),
                ),
                Claim(
                    "after 1,500 steps gradient descent is still 1.25 from (1, 1); "
                    "momentum and Adam end within 0.01",
                    lambda r: (
                        1.2 < distance(r.runs[0]) < 1.3
                        and max(distance(r.runs[1]), distance(r.runs[2])) < 0.01
                    ),
                    quotes=("1.25", "0.01"),
                ),
                HEAVY_BALL,
            ),
        ),
        Preset(
            "saddle",
            {
                "surface": {"id": "saddle"},
                "start": [-1.8, 0.001],
                "steps": 300,
                "optimizers": [gd(0.05), momentum(0.05), {"id": "adam", "params": {"lr": 0.05}}],
            },
            topic="adam",
            claims=(
                Claim(
                    "0.5 off the ridge: gradient descent at step 66, momentum 25, Adam 11",
                    lambda r: [first(np.abs(run.y) > 0.5) for run in r.runs] == [66, 25, 11],
                    quotes=("0.5", "66", "25", "11"),
                ),
                Claim(
                    "gradient descent settles first; momentum and Adam hit the step limit "
                    "still circling within 1e-6 of the minimum",
                    lambda r: (
                        status(r) == ["converged", "max_steps", "max_steps"]
                        and max(distance(r.runs[1]), distance(r.runs[2])) < 1e-6
                    ),
                    quotes=("1e-6",),
                ),
                HEAVY_BALL,
            ),
        ),
        Preset(
            "himmelblau",
            {
                "surface": {"id": "himmelblau"},
                "start": [0.0, -3.0],
                "steps": 400,
                "optimizers": [
                    gd(0.01),
                    momentum(0.01),
                    {"id": "adam", "params": {"lr": 0.1}},
                    {"id": "rmsprop", "params": {"lr": 0.05}},
                ],
            },
            topic="adam",
            claims=(
                Claim(
                    "every run settles within 1e-6 of a minimum, the four at three different ones",
                    lambda r: (
                        max(distance(run) for run in r.runs) < 1e-6
                        and len({nearest_minimum(r, run) for run in r.runs}) == 3
                    ),
                ),
                HEAVY_BALL,
            ),
        ),
    )
}
PRESETS.update((lesson.id, lesson) for lesson in NETWORK_LESSONS)  # last: after Adam
DEFAULT_PRESET = "rosenbrock"
DEFAULT_OPTIMIZER = "adam"  # what "+ Add optimizer" adds


RAVINE = {"id": "quadratic", "params": {"l1": 1.0, "l2": 40.0}}
# The heavy ball's classical optimum on curvatures l = 1 and L = 40 (Polyak, 1964):
# η* = 4/(√L + √l)², μ* = ((√L − √l)/(√L + √l))².
BEST_LR = 4 / (np.sqrt(40.0) + 1) ** 2
BEST_MOMENTUM = ((np.sqrt(40.0) - 1) / (np.sqrt(40.0) + 1)) ** 2


def cell_axes(result: Any) -> tuple[np.ndarray, np.ndarray]:
    """A two-axis sweep's values in the grid's shape: axis 0 along rows, axis 1 down them."""
    first_axis, second_axis = (axis.values for axis in result.axes)
    return np.broadcast_to(first_axis[None, :], result.status.shape), np.broadcast_to(
        second_axis[:, None], result.status.shape
    )


def fastest_cells(result: Any, count: int) -> list[tuple[float, float]]:
    """The ``count`` cells that reach the loss threshold in the fewest steps."""
    steps = np.where(result.steps_to_threshold < 0, np.inf, result.steps_to_threshold)
    first_axis, second_axis = cell_axes(result)
    order = np.argsort(steps, axis=None, kind="stable")[:count]
    return [(float(first_axis.flat[k]), float(second_axis.flat[k])) for k in order]


def basin_changes(result: Any) -> np.ndarray:
    """Per row and per column of the map, how often the basin changes from cell to cell."""
    basin = result.basin
    return np.concatenate(
        [np.sum(basin[:, 1:] != basin[:, :-1], axis=1), np.sum(basin[1:] != basin[:-1], axis=0)]
    )


def heavy_edge(result: Any) -> np.ndarray:
    """Per cell, the heavy ball's stability edge 2(1 + μ)/L on the ravine (L = 40)."""
    return 2 * (1 + cell_axes(result)[1]) / 40.0


def band(result: Any, low: float, high: float) -> np.ndarray:
    """The cells with β₁ (the second axis) in [low, high] and a learning rate of 0.08 or more."""
    learning_rate, beta1 = cell_axes(result)
    return (beta1 >= low) & (beta1 <= high) & (learning_rate >= 0.08)


def beta_row(result: Any, beta1: float) -> int:
    """The map's row nearest ``beta1`` (the second axis)."""
    return int(np.argmin(np.abs(result.axes[1].values - beta1)))


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
            claims=(
                Claim(
                    "no cell below η = 2(1 + μ)/L diverges and every cell 5% above it does "
                    "(L = 40): the heavy ball's stable region",
                    lambda r: (
                        not np.any(
                            (r.status == Status.DIVERGED) & (cell_axes(r)[0] < heavy_edge(r))
                        )
                        and bool(
                            np.all(
                                r.status[cell_axes(r)[0] > 1.05 * heavy_edge(r)] == Status.DIVERGED
                            )
                        )
                    ),
                    quotes=("2(1 + μ)/L", "5%", "40"),
                ),
                Claim(
                    "the five fastest cells lie within a factor 1.5 of η* = 0.075 and within "
                    "0.1 of μ* = 0.53",
                    lambda r: (
                        round(BEST_LR, 3) == 0.075
                        and round(BEST_MOMENTUM, 2) == 0.53
                        and all(
                            1 / 1.5 < lr / BEST_LR < 1.5 and abs(mu - BEST_MOMENTUM) < 0.1
                            for lr, mu in fastest_cells(r, 5)
                        )
                    ),
                    quotes=("0.075", "0.53"),
                ),
            ),
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
            claims=(
                Claim(
                    "below β₁ = 0.7 no learning rate gets the loss under 1e-4 within 1,000 steps",
                    lambda r: (
                        r.steps_taken.max() == 1000
                        and bool(np.all(r.steps_to_threshold[cell_axes(r)[1] < 0.7] < 0))
                    ),
                    quotes=("0.7", "1e-4", "1,000"),
                ),
                Claim(
                    "below a learning rate of 0.04 none gets there at any β₁",
                    lambda r: bool(np.all(r.steps_to_threshold[cell_axes(r)[0] < 0.04] < 0)),
                    quotes=("0.04",),
                ),
                Claim(
                    "at β₁ = 0.73 and 0.79 a band reaches it, but learning rate 1 ends above "
                    "1e-4, still bouncing",
                    lambda r: all(
                        np.any(r.final_loss[beta_row(r, b)] < 1e-4)
                        and r.final_loss[beta_row(r, b), -1] > 1e-4
                        for b in (0.73, 0.79)
                    ),
                    quotes=("0.73", "0.79"),
                ),
                Claim(
                    "from β₁ = 0.87 to 0.97 every learning rate from 0.08 to 1 ends below 1e-4; "
                    "at 0.99 most of them end above it again",
                    lambda r: (
                        bool(np.all(r.final_loss[band(r, 0.865, 0.975)] < 1e-4))
                        and np.mean(r.final_loss[band(r, 0.985, 1.0)] >= 1e-4) > 0.5
                    ),
                    quotes=("0.87", "0.97", "0.08", "0.99"),
                ),
            ),
        ),
        Preset(
            "himmelblau-basins-gd",
            {
                "surface": {"id": "himmelblau"},
                "steps": 500,
                "optimizer": {"id": "gd", "params": {"lr": 0.01}},
                "axes": [{"name": "start.x", "count": 80}, {"name": "start.y", "count": 80}],
            },
            claims=(
                Claim(
                    "every start converges to one of the four minima, and each row and column "
                    "of the map crosses at most three borders: whole basins, split along ridges",
                    lambda r: (
                        bool(np.all(r.status == Status.CONVERGED))
                        and set(np.unique(r.basin)) == {0, 1, 2, 3}
                        and basin_changes(r).max() <= 3
                    ),
                ),
            ),
        ),
        Preset(
            "chain-tanh-basins",
            {
                "surface": {"id": "chain"},
                "steps": 300,
                "optimizer": {"id": "gd", "params": {"lr": 0.1}},
                # An even count: no start falls on the saddle itself, where a run never moves.
                "axes": [{"name": "start.x", "count": 26}, {"name": "start.y", "count": 26}],
            },
            topic="layers",
            claims=(
                Claim(
                    "two basins, each the other's mirror image through the origin",
                    lambda r: (
                        set(np.unique(r.basin)) == {0, 1}
                        and all(np.allclose(a.values, -a.values[::-1]) for a in r.axes)
                        and bool(np.all(r.basin == 1 - r.basin[::-1, ::-1]))
                    ),
                ),
            ),
        ),
        Preset(
            "himmelblau-basins-momentum",
            {
                "surface": {"id": "himmelblau"},
                "steps": 500,
                "optimizer": {"id": "momentum", "params": {"lr": 0.01, "momentum": 0.9}},
                "axes": [{"name": "start.x", "count": 80}, {"name": "start.y", "count": 80}],
            },
            claims=(
                Claim(
                    "the basins break into bands: a row or column of the map changes basin "
                    "more than five times as often as under gradient descent",
                    lambda r: (
                        basin_changes(r).mean()
                        > 5
                        * basin_changes(SWEEP_PRESETS["himmelblau-basins-gd"].sweep_result()).mean()
                    ),
                ),
            ),
        ),
    )
}
