"""What a request will cost before it runs: its work (which lane) and its answer's size.

The app's only calls into the engine's cost estimates, so that one cost model serves
admission (see :func:`gradtrail.app.compute.admits`).
"""

from __future__ import annotations

from collections.abc import Sequence

from gradtrail import RunSpec
from gradtrail.cost import data_size, panels_work
from gradtrail.figures.panel_frames import CURSOR_PANELS, PANEL_FRAMES
from gradtrail.kinds import SURFACE_KINDS
from gradtrail.runner import work
from gradtrail.sweep import SweepSpec

# Bytes of JSON per recorded number ("-1.2345678901234567,"), and the columns per step:
# x, y, loss, grad_norm, and with the optimizer state at most sixteen more; a network's
# off_plane, and its parameter vector when recorded.
BYTES_PER_NUMBER = 20
COLUMNS, STATE_COLUMNS = 4, 16
# The page asks for the optimizer state only when runs × steps stay under this:
# beyond it the recorded state would swell the stream several times over.
RECORD_STEPS = 40_000
# A panel's frame in the player (the chain's backward pass, the largest, ~11 KB; the
# house template, ~7 KB, counted once), and the loss plot's bytes per recorded point.
PANEL_FRAME_BYTES, TEMPLATE_BYTES = 16_000, 8_000
# The data view's frame grows with the samples it draws (~6 bytes each, measured on
# 5,000 samples: 36 KB a frame).
SAMPLE_FRAME_BYTES = 16


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


def panels_run_work(spec: RunSpec, panels: Sequence[str]) -> float:
    """The player's panels that follow the cursor: each drawn at every frame's step."""
    cursor = sum(panel in CURSOR_PANELS for panel in panels)
    return panels_work(PANEL_FRAMES, cursor, data_size(spec.surface))


def panels_answer_bytes(spec: RunSpec, panels: Sequence[str]) -> float:
    """The panels' frames, the template they share and the loss plot (one more copy of
    every run's losses); the averages are the recorded state, counted in the runs."""
    cursor = sum(panel in CURSOR_PANELS for panel in panels)
    frames = PANEL_FRAMES * cursor * PANEL_FRAME_BYTES + (TEMPLATE_BYTES if cursor else 0)
    if "data" in panels:
        frames += PANEL_FRAMES * SAMPLE_FRAME_BYTES * data_size(spec.surface)
    return frames + TEMPLATE_BYTES + len(spec.optimizers) * (spec.steps + 1) * BYTES_PER_NUMBER
