r"""What work costs: one model for every run, stream, sweep, grid, data view and backprop.

The server admits work by this estimate (its lanes, :mod:`gradtrail.app.compute`), and
the engine's loops check their budget every :func:`steps_per_check` steps, a number
derived from the same estimate, so a request stops within a bounded time of its
deadline whatever its size: not every so many *steps* (a step with a million-sample
minibatch costs 125,000 plain ones).

The unit is one optimizer step of one run on a built-in surface. A surface's
evaluation costs :math:`c = \max(p, e/8)`: :math:`p` its Python work (1; a typed
formula's graph nodes / 12), :math:`e` the samples or points its numpy work visits (1 on
a built-in or on the line-fit bowl, whose sufficient statistics make it O(1); every
sample, :math:`n`, on the neuron), eight visited elements costing about one unit. With
:math:`m_r` run :math:`r`'s batch size (0 without minibatches, at most :math:`n`) and
:math:`S` steps:

.. math::
    \text{step}_r &= c + m_r / 8 &&\text{(its evaluation and its draw)}\\
    \text{run or stream} &= S \textstyle\sum_r \text{step}_r\\
    \text{sweep} &= S\,\big(C c + \textstyle\sum_g m_g / 8\big)
        &&(C\text{ cells; one draw per batch-size group }g)\\
    \text{grid} &= R^2 c &&(R\text{ points a side})\\
    \text{data view, backprop} &= 1 + (3n + m) / 8
        &&\text{(each sample's forward and reverse terms, the drawn batch)}

The batch is drawn in O(m) whatever the step (:mod:`gradtrail.epochs`), so a data view
of step 19,999 costs what step 0 does.

Checks: a unit of the float runner's (one run advanced on Python floats) took 13 µs on
the loaded 2-core machine, so :data:`CHECK_WORK` = 4,096 units is ~50 ms there. A
batch step does its cells' arithmetic in numpy, :data:`VECTORISED` = 64 times faster
per unit (a sweep's cell step took 200 ns there), so its cells count 1/64 towards the
interval (:func:`batch_check_work`); a draw is numpy in both and counts in full. One
step of one run (one draw) is the finest a check can go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gradtrail.spec import RunSpec, SurfaceSpec

SAMPLES_PER_UNIT = 8  # samples (or points) a vectorised evaluation visits per unit
CHECK_WORK = 4096.0  # units of the float runner between two budget checks: ~50 ms
VECTORISED = 64.0  # a batch's units are this much faster than the float runner's
DATA_VIEW_PASSES = 3  # elements per sample of a data view: prediction, loss, gradient
FIGURE_WORK = 4096.0  # a panel's plotly figure built and laid out: ~50 ms


def data_size(spec: SurfaceSpec) -> int:
    """The samples of a data surface's spec (0 for a surface without data)."""
    from gradtrail.kinds import SURFACE_KINDS

    return SURFACE_KINDS[spec.id].samples(spec)


def evaluation_cost(spec: SurfaceSpec) -> float:
    """One evaluation of the surface, ``c = max(p, e/8)``, by its kind: 1 for a built-in or
    the line-fit bowl, the graph's size next to a built-in's for a typed formula, the
    samples / 8 for the neuron. Cheap: a formula's graph is built in linear time and
    cached."""
    from gradtrail.kinds import SURFACE_KINDS

    return SURFACE_KINDS[spec.id].evaluation_cost(spec)


def samples_cost(count: int) -> float:
    """Visiting ``count`` samples (or points) in numpy."""
    return max(1.0, count / SAMPLES_PER_UNIT)


def draw_cost(batch_size: int | None, samples: int) -> float:
    """A minibatch step's draw (0: full gradients): the batch, O(batch) at any step."""
    return min(batch_size, samples) / SAMPLES_PER_UNIT if batch_size else 0.0


def run_step(spec: RunSpec) -> list[float]:
    """Each run's cost per step: its evaluation and its draw."""
    evaluation, samples = evaluation_cost(spec.surface), data_size(spec.surface)
    return [evaluation + draw_cost(entry.batch_size, samples) for entry in spec.optimizers]


def run_work(spec: RunSpec) -> float:
    """A run or a stream: its steps times every run's cost per step."""
    return spec.steps * sum(run_step(spec))


def batch_step(cells: int, evaluation: float, batch_size: int | None, samples: int) -> float:
    """One step of a batch of ``cells`` runs that share one minibatch draw."""
    return cells * evaluation + draw_cost(batch_size, samples)


def grid_work(resolution: int, evaluation: float) -> float:
    """A ``resolution`` × ``resolution`` grid of evaluations."""
    return resolution * resolution * evaluation


def data_view_work(samples: int, batch_size: int | None = None) -> float:
    """A data view or a backprop of a data surface: every sample's terms, and the batch a
    step drew."""
    return 1.0 + (DATA_VIEW_PASSES * samples) / SAMPLES_PER_UNIT + draw_cost(batch_size, samples)


def panels_work(frames: int, panels: int, samples: int) -> float:
    """``panels`` panels drawn at ``frames`` steps each (the player's): every frame a data
    view's or a backprop's terms and its figure."""
    return frames * panels * (data_view_work(samples) + FIGURE_WORK)


def batch_check_work(cells: int, evaluation: float, batch_size: int | None, samples: int) -> float:
    """A batch step in the float runner's time: its cells' arithmetic runs
    :data:`VECTORISED` times faster per unit; its draw does not (it is numpy already)."""
    return cells * evaluation / VECTORISED + draw_cost(batch_size, samples)


def steps_per_check(step_work: float, most: int | None = None) -> int:
    """Steps between two budget checks when each costs ``step_work`` of the float runner's
    time: at least one, about :data:`CHECK_WORK`, and at most ``most``."""
    steps = max(1, int(CHECK_WORK // max(step_work, 1e-12)))
    return steps if most is None else min(steps, most)
