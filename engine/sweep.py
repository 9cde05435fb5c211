"""Sweeps: one optimizer over a grid of hyperparameters or start points, as one batch.

A sweep has one or two axes, each a hyperparameter (``lr``, ``momentum``,
``betas[0]``, ``batch_size``, …) or a start coordinate (``start.x``,
``start.y``: a grid over the domain), given as values or a linear or log range.
Every cell is the single run with those settings; the cells are stepped
together in shards small enough to stay in the CPU cache.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from gradtrail.axes import DATA_AXES, START_AXES, sweepable_axes
from gradtrail.batch import BatchResult, BatchStepper, Shards, shard
from gradtrail.catalog import SpecError, build_surface, describe_surface
from gradtrail.cost import (
    batch_check_work,
    batch_step,
    data_size,
    draw_cost,
    evaluation_cost,
    steps_per_check,
)
from gradtrail.kinds import SURFACE_KINDS, data_kinds
from gradtrail.optimizers import OPTIMIZERS
from gradtrail.regression import run_minibatches
from gradtrail.spec import (
    MAX_POINTS,
    Finite,
    OptimizerSpec,
    Seed,
    StopSpec,
    Strict,
    SurfaceSpec,
    check_range,
)
from gradtrail.stationary import StationaryWord, classify_plane, flat_curvature
from gradtrail.stopping import STATUS_WORDS, Status
from gradtrail.surfaces import Surface

MAX_CELLS = 40_000
MAX_SWEEP_STEPS = 5_000
MAX_WORK = 20_000_000  # cells × steps
MAX_AXIS = 400
PROGRESS_STEPS = 50  # steps between two progress reports


class AxisSpec(Strict):
    """One axis: listed ``values``, or ``count`` points from ``low`` to ``high`` (linear or log)."""

    name: Annotated[str, Field(max_length=32, examples=["lr", "betas[0]", "start.x"])]
    values: Annotated[list[Finite], Field(min_length=1, max_length=MAX_AXIS)] | None = None
    low: Finite | None = None
    high: Finite | None = None
    count: Annotated[int, Field(strict=True, ge=1, le=MAX_AXIS)] | None = None
    scale: Literal["linear", "log"] = "linear"

    @model_validator(mode="after")
    def values_or_range(self) -> AxisSpec:
        if self.values is None and self.count is None:
            raise ValueError(f"axis {self.name}: give values, or a count (with low and high)")
        if self.values is not None and self.count is not None:
            raise ValueError(f"axis {self.name}: give values or a range, not both")
        if self.count is not None and self.name not in START_AXES and None in (self.low, self.high):
            raise ValueError(f"axis {self.name}: a range needs low and high")
        if self.scale == "log":
            numbers = self.values or [self.low, self.high]
            if any(v is not None and v <= 0 for v in numbers):
                raise ValueError(f"axis {self.name}: a log axis needs values > 0")
        return self

    def resolve(self, domain: tuple[float, float]) -> np.ndarray:
        """The axis's values (a start axis ranges over the surface's domain by default)."""
        if self.values is not None:
            return np.array(self.values, dtype=np.float64)
        low = self.low if self.low is not None else domain[0]
        high = self.high if self.high is not None else domain[1]
        assert self.count is not None
        if self.scale == "log":
            return np.geomspace(low, high, self.count)
        return np.linspace(low, high, self.count)


class SweepSpec(Strict):
    """A sweep: a surface, one optimizer entry, one or two axes, the steps to take."""

    surface: SurfaceSpec
    optimizer: OptimizerSpec
    start: tuple[Finite, Finite] | None = None
    steps: Annotated[int, Field(strict=True, ge=1, le=MAX_SWEEP_STEPS)] = 500
    axes: Annotated[list[AxisSpec], Field(min_length=1, max_length=2)]
    loss_threshold: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0)] | None = None
    stop: StopSpec = Field(default_factory=StopSpec)
    seed: Seed = 0

    @field_validator("axes")
    @classmethod
    def distinct(cls, axes: list[AxisSpec]) -> list[AxisSpec]:
        names = [axis.name for axis in axes]
        if len(set(names)) != len(names):
            raise ValueError("the two axes must differ")
        return axes

    @model_validator(mode="after")
    def within_limits(self) -> SweepSpec:
        optimizer = OPTIMIZERS[self.optimizer.id]
        if SURFACE_KINDS[self.surface.id].vector_size is not None:
            raise ValueError(
                f"a sweep steps its cells over two parameters; the {self.surface.id} surface "
                "has many: compare its runs in one run spec instead"
            )
        if self.optimizer.batch_size is not None and self.surface.id not in data_kinds():
            surface = self.surface.id
            raise ValueError(f"optimizer.batch_size needs a surface with data, not {surface}")
        for axis in self.axes:
            check_axis(axis, optimizer.id, self.surface.id)
        cells = math.prod(axis_length(axis) for axis in self.axes)
        if cells > MAX_CELLS:
            raise ValueError(f"the sweep has {cells:,} cells; the limit is {MAX_CELLS:,}")
        if cells * self.steps > MAX_WORK:
            raise ValueError(
                f"cells × steps is {cells * self.steps:,}; the limit is {MAX_WORK:,} "
                "(fewer cells or fewer steps)"
            )
        cost = evaluation_cost(self.surface)  # a typed formula or the neuron costs more
        if cells * self.steps * cost > MAX_WORK:
            raise ValueError(
                f"cells × steps × the formula's cost ({cost:.1f}) is "
                f"{cells * self.steps * cost:,.0f}; the limit is {MAX_WORK:,} "
                "(fewer cells, fewer steps or a shorter formula)"
            )
        return self

    def work(self) -> float:
        """What the sweep will cost (:mod:`gradtrail.cost`), known from the spec before it
        is built: its steps times every cell's evaluation and a draw per batch size."""
        cells = math.prod(axis_length(axis) for axis in self.axes)
        samples = data_size(self.surface)
        sizes = next(
            (
                np.unique(np.round(a.resolve((0.0, 0.0))))
                for a in self.axes
                if a.name == "batch_size"
            ),
            [self.optimizer.batch_size or 0],
        )
        draws = sum(draw_cost(int(size) or None, samples) for size in sizes)
        return self.steps * (cells * evaluation_cost(self.surface) + draws)


def axis_length(axis: AxisSpec) -> int:
    return len(axis.values) if axis.values is not None else int(axis.count or 0)


def check_axis(axis: AxisSpec, optimizer_id: str, surface_id: str) -> None:
    """The axis names a hyperparameter of this optimizer (or a start axis), values in range."""
    if axis.name in START_AXES:
        return
    numbers = axis.values or [axis.low, axis.high]
    if axis.name in DATA_AXES:
        if surface_id not in data_kinds():
            kinds = ", ".join(data_kinds())
            raise ValueError(f"a batch_size axis needs a surface with data ({kinds})")
        if any(v is None or v < 1 or v > MAX_POINTS or v != int(v) for v in numbers):
            raise ValueError("batch_size values must be whole numbers ≥ 1")
        return
    name, part = parse_axis_name(axis.name)
    param = OPTIMIZERS[optimizer_id].param(name)
    valid = (param is not None and param.kind != "bool"
             and (param.kind == "pair") == (part is not None))  # fmt: skip
    if not valid:
        known = ", ".join(sweepable_axes(OPTIMIZERS[optimizer_id]))
        raise ValueError(f"{optimizer_id} cannot sweep '{axis.name}' (it can: {known})")
    assert param is not None
    for value in numbers:
        if value is not None:
            check_range(axis.name, float(value), param.min, param.max, param.max_inclusive)


def parse_axis_name(name: str) -> tuple[str, int | None]:
    """``betas[1]`` → ``("betas", 1)``; ``lr`` → ``("lr", None)``."""
    if name.endswith("]") and "[" in name:
        base, _, index = name[:-1].partition("[")
        if index in ("0", "1"):
            return base, int(index)
    return name, None


@dataclass(frozen=True)
class Axis:
    """A resolved axis: its name, values and scale."""

    name: str
    values: np.ndarray
    scale: str


@dataclass(frozen=True)
class SweepResult:
    """Per cell, in grid shape ``(len(axis 1), len(axis 0))`` (Plotly's ``z[j][i]``)."""

    surface: Surface
    axes: list[Axis]
    final_loss: np.ndarray
    status: np.ndarray
    steps_taken: np.ndarray
    steps_to_threshold: np.ndarray  # -1 where never reached (or no threshold)
    basin: np.ndarray  # index of the minimum reached, -1 where none
    final_x: np.ndarray
    final_y: np.ndarray
    # A converged cell's kind of point (gradtrail.stationary), None for the rest.
    stationary: list[list[StationaryWord | None]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with null where a cell has no value."""

        def nullable(grid: np.ndarray) -> list:
            return [[None if v < 0 else int(v) for v in row] for row in grid.tolist()]

        return {
            "surface": describe_surface(self.surface),
            "axes": [{"name": a.name, "values": a.values, "scale": a.scale} for a in self.axes],
            "shape": list(self.final_loss.shape),
            "final_loss": self.final_loss,
            "status": [[STATUS_WORDS[int(code)] for code in row] for row in self.status],
            "steps_taken": self.steps_taken,
            "steps_to_threshold": nullable(self.steps_to_threshold),
            "basin": nullable(self.basin),
            "final_x": self.final_x,
            "final_y": self.final_y,
            "stationary": self.stationary,
        }


class Sweep:
    """A validated sweep, ready to step: cells grouped by batch size, cut into shards."""

    def __init__(self, spec: SweepSpec) -> None:
        self.spec = spec
        self.surface = build_surface(spec.surface)
        (x0, x1), (y0, y1) = self.surface.domain
        ranges = {"start.x": (x0, x1), "start.y": (y0, y1)}
        self.axes = [
            Axis(axis.name, axis.resolve(ranges.get(axis.name, (0.0, 1.0))), axis.scale)
            for axis in spec.axes
        ]
        # Grids of shape (n1, n0): z[j][i], Plotly's way; one axis gives a single row.
        grids = [grid.reshape(-1, self.axes[0].values.size)
                 for grid in np.meshgrid(*(axis.values for axis in self.axes))]  # fmt: skip
        self.shape = grids[0].shape
        self.columns = {
            axis.name: grid.ravel() for axis, grid in zip(self.axes, grids, strict=True)
        }
        self.cells = grids[0].size
        self.total = self.cells * spec.steps
        self.starts = self.start_points()
        self.groups = self.shards()

    def start_points(self) -> np.ndarray:
        """Each cell's start: the sweep's start (or the surface's), with any start axis applied."""
        start = self.spec.start or self.surface.default_start
        starts = np.tile(np.array(start, dtype=np.float64), (self.cells, 1))
        for column, name in enumerate(START_AXES):
            if name in self.columns:
                starts[:, column] = self.columns[name]
        values = self.surface.value(starts)
        if not np.isfinite(values).all():
            raise SpecError("start", "the surface is not defined at some start points")
        return starts

    def hyperparameters(self, cells: np.ndarray) -> dict[str, Any]:
        """The optimizer's hyperparameters for ``cells``: per-run arrays along swept axes."""
        hp: dict[str, Any] = dict(self.spec.optimizer.params)
        for name, values in self.columns.items():
            base, part = parse_axis_name(name)
            if name in START_AXES or name in DATA_AXES:
                continue
            if part is None:
                hp[base] = values[cells]
            else:
                pair = list(hp[base])
                pair[part] = values[cells]
                hp[base] = tuple(pair)
        return hp

    def shards(self) -> Shards:
        """The cells grouped by batch size (one draw per step serves a group), each group
        cut into shards."""
        spec = self.spec
        sizes = self.columns.get("batch_size")
        fixed = spec.optimizer.batch_size
        keys = sizes if sizes is not None else np.full(self.cells, fixed or 0, dtype=np.float64)
        pieces, chunks, self.step_work = [], [], 0.0
        evaluation, samples = evaluation_cost(spec.surface), data_size(spec.surface)
        for size in np.unique(keys):
            for cells in shard(np.flatnonzero(keys == size)):
                batch = int(size) or None
                self.step_work += batch_step(cells.size, evaluation, batch, samples)
                between = batch_check_work(cells.size, evaluation, batch, samples)
                chunks.append(steps_per_check(between, most=PROGRESS_STEPS))
                make = partial(
                    BatchStepper, self.surface, spec.optimizer.id, self.hyperparameters(cells),
                    self.starts[cells], spec.steps, spec.stop,
                    minibatch=run_minibatches(self.surface, int(size) or None, spec.seed, 0),
                    loss_threshold=spec.loss_threshold, schedule=spec.optimizer.schedule,
                )  # fmt: skip
                pieces.append((cells, make))
        return Shards(pieces, self.cells, chunks)

    def work(self) -> float:
        """What the sweep costs (:mod:`gradtrail.cost`): its steps times each shard's cells'
        evaluations and its minibatch draw."""
        return self.spec.steps * self.step_work

    def progress(self) -> Iterator[int]:
        """Step every shard a chunk at a time (at most :data:`PROGRESS_STEPS`, fewer when its
        steps cost more: a check every bounded amount of work); yield the optimizer steps
        done so far."""
        yield from self.groups.progress(PROGRESS_STEPS)
        yield self.total

    def result(self) -> SweepResult:
        """Every cell's outcome, in grid shape."""

        def gather(column: Callable[[BatchResult], Any], fill: float = 0.0) -> np.ndarray:
            return self.groups.gather(column, fill).reshape(self.shape)

        final_x = gather(lambda r: r.p[:, 0])
        final_y = gather(lambda r: r.p[:, 1])
        status = gather(lambda r: r.status)
        return SweepResult(
            surface=self.surface,
            axes=self.axes,
            final_loss=gather(lambda r: r.loss),
            status=status,
            steps_taken=gather(lambda r: r.steps_taken),
            steps_to_threshold=gather(lambda r: r.first_below, fill=-1).astype(np.int64),
            basin=basins(self.surface, final_x, final_y, status),
            final_x=final_x,
            final_y=final_y,
            stationary=stationary_cells(self.surface, final_x, final_y, status),
        )

    def run(self, check: Callable[[], None] | None = None) -> SweepResult:
        """Step to the end and return the result; ``check()`` runs between chunks and may
        raise to stop the sweep (a deadline, a client that left)."""
        for _ in self.progress():
            if check is not None:
                check()
        return self.result()


def stationary_cells(
    surface: Surface, x: np.ndarray, y: np.ndarray, status: np.ndarray
) -> list[list[StationaryWord | None]]:
    """Per cell, what a converged one stopped at (:mod:`gradtrail.stationary`); None else."""
    kinds: np.ndarray = np.full(x.shape, None, dtype=object)
    converged = status == Status.CONVERGED
    if converged.any():
        flat = flat_curvature(surface)
        found = classify_plane(surface, x[converged], y[converged], flat)
        kinds[converged] = np.array(found, dtype=object)
    return kinds.tolist()


def basins(surface: Surface, x: np.ndarray, y: np.ndarray, status: np.ndarray) -> np.ndarray:
    """Index of the known minimum each cell ended at (within 1 % of the domain), else -1."""
    out = np.full(x.shape, -1, dtype=np.int64)
    if not surface.minima:
        return out
    (x0, x1), (y0, y1) = surface.domain
    reach = 0.01 * math.hypot(x1 - x0, y1 - y0)
    minima = np.array(surface.minima)
    distances = np.hypot(x[..., None] - minima[:, 0], y[..., None] - minima[:, 1])
    nearest = distances.argmin(axis=-1)
    close = np.take_along_axis(distances, nearest[..., None], axis=-1)[..., 0] <= reach
    ok = close & (status != Status.DIVERGED)
    out[ok] = nearest[ok]
    return out


def run_sweep(spec: SweepSpec | dict[str, Any]) -> SweepResult:
    """Validate and run a sweep (a dict is fine): the notebook's one-liner."""
    if not isinstance(spec, SweepSpec):
        spec = SweepSpec.model_validate(spec)
    return Sweep(spec).run()
