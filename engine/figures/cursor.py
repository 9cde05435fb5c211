"""A run at the time cursor: its point after a step and the minibatch that step drew."""

from __future__ import annotations

from gradtrail.result import Result
from gradtrail.spec import MinibatchStep


def point_of(result: Result, step: int, run: int) -> tuple[int, tuple[float, float]]:
    """Run ``run``'s point after ``step`` steps (its last one if it stopped earlier)."""
    trajectory = result.runs[run]
    k = min(step, trajectory.x.size - 1)
    return k, (float(trajectory.x[k]), float(trajectory.y[k]))


def minibatch_of(result: Result, step: int, run: int) -> MinibatchStep | None:
    """The minibatch run ``run`` drew for the step that leaves point ``step`` (None for a
    full-batch run, or at the path's last point, which no step leaves)."""
    trajectory = result.runs[run]
    size = trajectory.info.batch_size
    if size is None or step >= trajectory.x.size - 1:
        return None
    return MinibatchStep(size=size, seed=result.seed, run=run, step=step)
