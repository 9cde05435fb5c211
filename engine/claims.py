"""What a lesson's caption says about its own runs, written as checks on its result.

A lesson (:mod:`gradtrail.presets`) declares its claims beside its spec; a test runs
every lesson in every language and checks each one, so a caption that says
"converges", "first" or "too large" is held to what its runs do. The measures
below read a :class:`~gradtrail.result.Result` made with ``record: ["state"]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradtrail.result import Result, Trajectory


@dataclass(frozen=True)
class Claim:
    """One thing a caption says, and the check on the lesson's result that shows it.

    ``says`` is for the developer reading a failed test (the page shows the caption,
    from the catalogue); ``quotes`` are the numbers the caption prints, which must
    appear in its text in every language.
    """

    says: str
    holds: Callable[[Result], bool]
    quotes: tuple[str, ...] = ()


def distance(run: Trajectory) -> float:
    """How far the run ends from the nearest known minimum."""
    assert run.summary is not None and run.summary.distance_to_min is not None
    return run.summary.distance_to_min


def status(result: Result) -> list[str]:
    """Each run's status word, in order."""
    return [run.summary.status for run in result.runs if run.summary is not None]


def stationary(result: Result) -> list[str | None]:
    """Each run's kind of stopping point where it converged (minimum, saddle, flat…), in order."""
    return [run.summary.stationary for run in result.runs if run.summary is not None]


def step_in_lr(run: Trajectory) -> np.ndarray:
    """Per step, the larger coordinate of the step taken, in learning rates (η)."""
    assert run.state is not None, "claims read the recorded state"
    steps = np.maximum(np.abs(run.state["step_x"]), np.abs(run.state["step_y"]))
    return steps / run.state["lr"]


def step_length(run: Trajectory) -> np.ndarray:
    """Per step, the length of the step taken."""
    assert run.state is not None, "claims read the recorded state"
    return np.hypot(run.state["step_x"], run.state["step_y"])


def first(mask: np.ndarray) -> int:
    """The index of the first true entry (−1 when none is)."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else -1


def distances_to(run: Trajectory, point: tuple[float, float]) -> np.ndarray:
    """The run's distance to ``point`` at every recorded point."""
    return np.hypot(run.x - point[0], run.y - point[1])


def first_within(run: Trajectory, point: tuple[float, float], radius: float) -> int:
    """The first step at which the run is within ``radius`` of ``point`` (−1: never)."""
    return first(distances_to(run, point) < radius)


def loss_rise_share(run: Trajectory) -> float:
    """The share of steps after which the loss is higher than before."""
    return float(np.mean(np.diff(run.loss) > 0))


def nearest_minimum(result: Result, run: Trajectory) -> int:
    """The index of the known minimum nearest to where the run ends."""
    ends = [distances_to(run, tuple(m))[-1] for m in result.surface.minima]
    return int(np.argmin(ends))


def closest_approach(run: Trajectory, point: tuple[float, float]) -> tuple[int, float]:
    """The step at which the run comes nearest to ``point``, and how near."""
    distances = distances_to(run, point)
    step = int(np.argmin(distances))
    return step, float(distances[step])


def ends_within(run: Trajectory, point: tuple[float, float], radius: float) -> bool:
    """The run's last point lies within ``radius`` of ``point``."""
    return bool(distances_to(run, point)[-1] < radius)


def rounded_minima(result: Result, digits: int = 2) -> set[tuple[float, float]]:
    """The surface's known minima as a caption writes them (``digits`` decimals)."""
    return {(round(x, digits), round(y, digits)) for x, y in result.surface.minima}


def signals_at(result: Result, point: tuple[float, float], sample: int) -> dict[str, float]:
    """What the Backprop panel labels at ``point`` for ``sample``: each error signal's
    adjoint, by its text key order (δ₂, then δ₁ for the chain)."""
    from gradtrail.backprop import backprop, loss_graph  # the graph modules build on these

    shown = backprop(result.surface, point, sample=sample)
    keys = [signal.text for signal in loss_graph(result.surface).signals]
    adjoints = [shown["nodes"][signal["node"]]["adjoint"] for signal in shown["signals"]]
    return dict(zip(keys, adjoints, strict=True))
