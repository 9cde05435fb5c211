"""What a request will cost before it runs: its work (which lane) and its answer's size.

The app's only calls into the engine's cost estimates, so that one cost model serves
admission (see :func:`gradtrail.app.compute.admits`).
"""

from __future__ import annotations

from gradtrail import RunSpec
from gradtrail.kinds import SURFACE_KINDS
from gradtrail.runner import work
from gradtrail.sweep import SweepSpec

# Bytes of JSON per recorded number ("-1.2345678901234567,"), and the columns per step:
# x, y, loss, grad_norm, and with the optimizer state at most sixteen more; a network's
# off_plane, and its parameter vector when recorded.
BYTES_PER_NUMBER = 20
COLUMNS, STATE_COLUMNS = 4, 16


def run_work(spec: RunSpec | None) -> float:
    """Optimizer steps of a run spec, weighted by the surface's evaluation cost."""
    return work(spec) if spec is not None else 0.0


def sweep_work(spec: SweepSpec) -> float:
    """A whole sweep: every cell's steps and every minibatch draw, from its spec."""
    return spec.work()


def run_answer_bytes(spec: RunSpec | None) -> float:
    """The size of every run's recorded arrays as JSON: points × runs × bytes per point
    (what ``/api/runs``, the player's data, an embed and an export all carry)."""
    if spec is None:
        return 0.0
    columns = COLUMNS + (STATE_COLUMNS if "state" in spec.record else 0)
    vector_size = SURFACE_KINDS[spec.surface.id].vector_size
    if vector_size is not None:  # a network: off_plane, and its vectors if recorded
        columns += 1 + (vector_size(spec.surface) if "parameters" in spec.record else 0)
    return len(spec.optimizers) * (spec.steps + 1) * columns * BYTES_PER_NUMBER
