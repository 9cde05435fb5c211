"""The runner: step every run of a spec and yield frames of trajectory.

A spec holds at most 16 runs, so each run advances on Python floats, one
coordinate at a time, through the same ``init``/``step`` functions a batch
uses on arrays (see :mod:`gradtrail.numeric`); that is ~20x faster than numpy on
tiny arrays. Runs advance in lockstep, one frame of ``frame_steps`` steps at a
time, so a stream can send each frame as soon as it exists.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from gradtrail.catalog import (
    SpecError,
    build_surface,
    describe_surface,
    optimizer_name,
)
from gradtrail.cost import run_step, run_work, steps_per_check
from gradtrail.equation_latex import update_latex
from gradtrail.optimizers import OPTIMIZERS
from gradtrail.regression import run_minibatches
from gradtrail.result import Result, RunInfo, Summary, Trajectory
from gradtrail.schedules import ScheduleSpec
from gradtrail.spec import RunSpec
from gradtrail.stationary import StationaryWord, classify, flat_curvature
from gradtrail.stopping import Status, StopRules
from gradtrail.surfaces import Minibatches, Surface
from gradtrail.texts import DEFAULT_LANGUAGE, text
from gradtrail.vector_run import VectorRun, final_slice, on_final_plane
from gradtrail.windows import holding

FRAME_STEPS = 100


@dataclass
class RunPoints:
    """One run's new points in a frame (empty once the run has stopped)."""

    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    # With ``record: ["state"]``: per step, the lr, the gradient used, the step taken
    # (``step_x``: next x minus this x) and the optimizer's named vectors, as ``<name>_x``.
    state: dict[str, list[float]] | None = None
    # On a surface of many parameters: each new point's distance from the plane x, y lie on.
    off_plane: list[float] | None = None


@dataclass(frozen=True)
class Frame:
    """Points ``step, step+1, …`` of every run; ``step`` is the index of the first."""

    step: int
    runs: list[RunPoints]


class Run:
    """One optimizer on one surface, advanced on Python floats."""

    def __init__(
        self,
        surface: Surface,
        optimizer_id: str,
        hp: dict[str, Any],
        start: tuple[float, float],
        minibatches: Minibatches | None,
        schedule: ScheduleSpec | None = None,
        record: bool = False,
    ) -> None:
        optimizer = OPTIMIZERS[optimizer_id]
        self.hp, self.minibatches = dict(hp), minibatches  # a copy: a schedule rewrites hp["lr"]
        self.surface = surface
        self.step_fn, self.inspect = optimizer.step, optimizer.inspect
        self.schedule, self.base_lr, self.record = schedule, hp["lr"], record
        self.x, self.y = float(start[0]), float(start[1])
        self.state_x = optimizer.init(self.x, hp)
        self.state_y = optimizer.init(self.y, hp)
        loss, gradient = surface.both_xy(self.x, self.y)
        self.loss, (self.gx, self.gy) = float(loss), (float(g) for g in gradient)
        self.steps_taken = 0
        self.status = Status.RUNNING

    def stop_at_start(self, rules: StopRules) -> None:
        """A start beyond the bound, or already a minimum, ends the run there."""
        norm = math.hypot(self.gx, self.gy)
        self.status = Status(int(rules.at_start(norm, self.x, self.y, self.loss, self.gx, self.gy)))

    def advance(self, steps: int, rules: StopRules, chunk: RunPoints) -> None:
        """Take up to ``steps`` steps into ``chunk``; stop early on convergence or divergence
        (:mod:`gradtrail.stopping`)."""
        if self.status is not Status.RUNNING:
            return
        x, y, gx, gy, loss = self.x, self.y, self.gx, self.gy, self.loss
        state_x, state_y, hp, step = self.state_x, self.state_y, self.hp, self.step_fn
        both, minibatches = self.surface.both_xy, self.minibatches
        xs, ys, losses, norms = chunk.x, chunk.y, chunk.loss, chunk.grad_norm
        schedule, base_lr = self.schedule, self.base_lr
        norm_if_inside, grad_tol = rules.float_check(), rules.grad_tol
        log = self.state_log(chunk)
        taken = 0
        while taken < steps:
            if schedule is not None:
                hp["lr"] = schedule.lr(base_lr, self.steps_taken + taken)
            try:
                if minibatches is not None:
                    gx, gy = minibatches.grad(x, y)
                nx, state_x = step(x, gx, state_x, hp)
                ny, state_y = step(y, gy, state_y, hp)
                new_loss, (ngx, ngy) = both(nx, ny)
                new_loss, ngx, ngy = float(new_loss), float(ngx), float(ngy)
            except (ArithmeticError, ValueError, TypeError):
                # Overflow, or a point outside a formula's domain (log of a negative, a
                # negative base to a fractional power, which Python makes complex).
                self.status = Status.DIVERGED
                break
            norm = norm_if_inside(nx, ny, new_loss, ngx, ngy)
            if norm is None:
                self.status = Status.DIVERGED  # NaN fails every comparison, so it lands here too
                break
            if log is not None:
                step_taken = (displacement(x, nx), displacement(y, ny))
                self.log_step(log, (gx, gy), step_taken, state_x, state_y)
            x, y, gx, gy, loss = nx, ny, ngx, ngy, new_loss
            xs.append(x)
            ys.append(y)
            losses.append(loss)
            norms.append(norm)
            taken += 1
            if norm < grad_tol:  # rules.converged, inline: it runs every step
                self.status = Status.CONVERGED
                break
        self.x, self.y, self.gx, self.gy, self.loss = x, y, gx, gy, loss
        self.state_x, self.state_y = state_x, state_y
        self.steps_taken += taken

    def state_log(self, chunk: RunPoints) -> dict[str, list[float]] | None:
        """The chunk's per-step state columns, created on first use (None: not recording)."""
        if not self.record:
            return None
        if chunk.state is None:
            chunk.state = {}
        return chunk.state

    def log_step(
        self,
        log: dict[str, list[float]],
        gradient: tuple[float, float],
        step: tuple[float, float],
        state_x: Any,
        state_y: Any,
    ) -> None:
        """Append one step's lr, gradient, step and named optimizer vectors to ``log``."""
        values = {"lr": float(self.hp["lr"])}
        for axis, g, d, state in (
            ("x", gradient[0], step[0], state_x),
            ("y", gradient[1], step[1], state_y),
        ):
            values[f"gradient_{axis}"] = float(g)
            values[f"step_{axis}"] = float(d)
            for name, value in self.inspect(state, self.hp).items():
                values[f"{name}_{axis}"] = float(value)
        for name, value in values.items():
            log.setdefault(name, []).append(value)

    def start_points(self) -> RunPoints:
        """The start point, the first entry of every array."""
        return RunPoints([self.x], [self.y], [self.loss], [math.hypot(self.gx, self.gy)])


def displacement(before: float, after: float) -> float:
    """The float ``d`` with ``before + d == after`` exactly: the step as it was taken.

    ``after - before`` is exact in most cases; where rounding loses the last bit,
    the nearest neighbour that replays exactly is taken instead.
    """
    d = after - before
    for _ in range(4):
        replayed = before + d
        if replayed == after:
            return d
        d = math.nextafter(d, math.inf if replayed < after else -math.inf)
    return after - before


def refuse_unusable_start(surface: Surface, start: tuple[float, float], rules: StopRules) -> None:
    """``start`` lies within the rules' bound and f and ∇f are finite there, or a
    :class:`SpecError` on ``start`` says why. (A start past the bound could only be
    reported as diverged, and no plot can draw a point at, say, 1e300.)"""
    x, y = float(start[0]), float(start[1])
    if not rules.inside(x, y):
        bound = f"{rules.bound:g}"
        message = (
            f"the start point is beyond the divergence bound (±{bound}): choose a start inside it"
        )
        raise SpecError("start", message, "start_bound", {"bound": bound})
    try:
        loss, gradient = surface.both_xy(x, y)
        values = (loss, *gradient)
    except ZeroDivisionError:
        raise SpecError(
            "start", "the surface divides by zero at the start point", "start"
        ) from None
    except OverflowError:
        raise SpecError("start", "the surface overflows at the start point", "start") from None
    except (ArithmeticError, ValueError):
        raise SpecError(
            "start",
            "the start point is outside the surface's domain"
            " (a log or square root of a negative number, or an arcsin beyond ±1?)",
            "start",
        ) from None
    if not all(math.isfinite(float(v)) for v in values):
        raise SpecError(
            "start",
            "the surface is not finite at the start point (an overflow, or a point outside"
            " its domain)",
            "start",
        )


class Simulation:
    """A validated spec, ready to run: the surface, the runs and how to step them."""

    def __init__(self, spec: RunSpec, lang: str = DEFAULT_LANGUAGE) -> None:
        self.spec = spec
        self.lang = lang
        self.surface = build_surface(spec.surface)
        self.start = spec.start or self.surface.default_start
        self.rules = StopRules.of(spec.stop)
        # Before the window is widened to hold the start: a start near the float limit,
        # past the bound, made that window's width infinite (an OverflowError, a 500).
        refuse_unusable_start(self.surface, self.start, self.rules)
        if spec.surface.domain is None:
            # A surface's own window (a data surface's fits its data) widens to hold a start
            # given outside it, so every path is drawn from its first point; a window the
            # spec gives is drawn as given.
            self.surface = replace(self.surface, domain=holding(self.surface.domain, self.start))
        self.flat_curvature: float | None = None  # read once, when a run converges
        self.infos = [run_info(entry, lang, self.surface) for entry in spec.optimizers]
        recording = "state" in spec.record
        self.step_work = run_step(spec)  # each run's cost per step (gradtrail.cost)
        self.runs: list[Any] = [
            Run(self.surface, info.optimizer, info.params, self.start,
                run_minibatches(self.surface, info.batch_size, spec.seed, index),
                info.schedule, recording)
            if self.surface.vector is None else
            VectorRun(self.surface, info.optimizer, info.params,
                      run_minibatches(self.surface, info.batch_size, spec.seed, index),
                      info.schedule)
            for index, info in enumerate(self.infos)
        ]  # fmt: skip

    def frames(
        self,
        frame_steps: int = FRAME_STEPS,
        first_steps: int | None = None,
        check: Callable[[], None] | None = None,
    ) -> Iterator[Frame]:
        """Frames until every run has stopped; the first one starts with the start point.

        ``first_steps`` makes the first frame shorter, so a viewer sees the paths
        begin at once while later frames carry ``frame_steps`` steps each. A frame holds
        at most :data:`gradtrail.cost.CHECK_WORK` of work (a step with a large minibatch
        costs thousands of plain ones), so whoever checks a budget between frames checks
        it at bounded intervals of work; ``check()``, if given, also runs before each
        run's part of a frame and may raise to stop.
        """
        rules, steps = self.rules, self.spec.steps
        chunks = [run.start_points() for run in self.runs]
        for run in self.runs:
            run.stop_at_start(rules)
        first_index = done = 0
        bounded = steps_per_check(sum(self.step_work))
        budget_steps = min(first_steps or frame_steps, bounded)
        frame_steps = min(frame_steps, bounded)
        while True:
            budget = min(budget_steps, steps - done)
            budget_steps = frame_steps
            for run, chunk in zip(self.runs, chunks, strict=True):
                if check is not None:
                    check()
                run.advance(budget, rules, chunk)
            done += budget
            yield Frame(step=first_index, runs=chunks)
            if done >= steps or all(run.status is not Status.RUNNING for run in self.runs):
                break
            first_index = done + 1
            chunks = [RunPoints() for _ in self.runs]
        for run in self.runs:
            if run.status is Status.RUNNING:
                run.status = Status.MAX_STEPS

    def summaries(self) -> list[Summary]:
        """How each run ended (call after the frames are exhausted)."""
        return [
            Summary(
                status=(Status.MAX_STEPS if run.status is Status.RUNNING else run.status).word,
                steps_taken=run.steps_taken,
                final_loss=run.loss,
                distance_to_min=self.surface.nearest_minimum_distance(run.x, run.y),
                stationary=self.stationary(run),
            )
            for run in self.runs
        ]

    def stationary(self, run: Any) -> StationaryWord | None:
        """What a converged run stopped at, from the curvature there (None for the rest)."""
        if run.status is not Status.CONVERGED:
            return None
        if self.flat_curvature is None:
            self.flat_curvature = flat_curvature(self.surface)
        point = (run.x, run.y) if self.surface.vector is None else run.p
        return classify(self.surface, point, self.flat_curvature)

    def final_slice(self) -> tuple[Surface, list[tuple[np.ndarray, ...]]] | None:
        """Once the runs are done, on a surface of many parameters: the surface on its
        final plane and each run's ``a``, ``b``, ``off_plane`` on it (the stream's frames
        were drawn on the provisional plane); None on a 2-D surface."""
        if self.surface.vector is None:
            return None
        paths = [run.parameters() for run in self.runs]
        return final_slice(self.surface, paths, self.spec.surface.domain is None)

    def preview(self) -> Result:
        """A result holding only each start point: the frame the page streams into."""
        trajectories = []
        for info, run in zip(self.infos, self.runs, strict=True):
            start = run.start_points()
            arrays = (np.array(a) for a in (start.x, start.y, start.loss, start.grad_norm))
            state = {} if run.record else None  # the stream sends it, step by step
            off = None if start.off_plane is None else np.array(start.off_plane)
            trajectories.append(Trajectory(info, *arrays, summary=None, state=state, off_plane=off))
        return Result(self.surface, trajectories, self.lang, self.spec.seed)

    def describe(self) -> dict[str, Any]:
        """The ``meta`` of a result: the surface and each run's settings."""
        return {
            "surface": describe_surface(self.surface, self.lang),
            "runs": [info.as_dict() for info in self.infos],
        }


def run_info(entry: Any, lang: str = DEFAULT_LANGUAGE, surface: Surface | None = None) -> RunInfo:
    """A run's resolved settings, labelled (in ``lang``) by its optimizer's name and
    learning rate if it has no label, with its step's equations in ``lang``."""
    label = entry.label
    if not label:
        label = text(
            "run.label", lang, name=optimizer_name(entry.id, lang), lr=f"{entry.params['lr']:g}"
        )
        if entry.batch_size is not None:
            label = text("run.label_batch", lang, label=label, batch=entry.batch_size)
    optimizer = OPTIMIZERS[entry.id]
    equations = optimizer.anatomy(entry.params, lambda key: text(key, lang))
    return RunInfo(
        label,
        entry.id,
        dict(entry.params),
        entry.batch_size,
        entry.schedule,
        anatomy=tuple(line.as_dict() for line in equations),
        memory=optimizer.memory,
        latex=update_latex(surface, optimizer.rule) if surface is not None else (),
    )


class JoinedRun:
    """One run's frames joined into float64 columns as they arrive.

    A long run held as Python lists is millions of float objects (16 runs of 20,000
    steps: 1.3 million); the interpreter's small-object heap grows for them and, once
    they are freed, cannot give back the parts a few survivors still occupy. Columns
    sized for the whole run are single blocks that go back as soon as they are freed.
    """

    # x, y, loss, grad_norm: a network's off_plane is of the plane drawn on, which the
    # whole result replaces (vector_run.on_final_plane)
    PATH = tuple(f.name for f in fields(RunPoints) if f.name not in ("state", "off_plane"))

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.columns: dict[str, np.ndarray] = {}
        self.filled: dict[str, int] = {}

    def add(self, chunk: RunPoints) -> None:
        """Append a frame's points (and recorded state) of this run."""
        for name in self.PATH:
            self.extend(name, getattr(chunk, name))
        for name, values in (chunk.state or {}).items():
            self.extend(name, values)

    def extend(self, name: str, values: list[float]) -> None:
        column = self.columns.get(name)
        if column is None:  # the state has no entry for the start point
            size = self.capacity if name in self.PATH else self.capacity - 1
            column = self.columns[name] = np.empty(size)
        begin = self.filled.get(name, 0)
        column[begin : begin + len(values)] = values
        self.filled[name] = begin + len(values)

    def column(self, name: str) -> np.ndarray:
        """The values of ``name`` so far (copied when the run stopped early: no slack kept)."""
        column = self.columns.get(name)
        if column is None:
            return np.empty(0)
        filled = self.filled[name]
        return column if filled == column.size else column[:filled].copy()

    def state(self) -> dict[str, np.ndarray]:
        """Every recorded state column."""
        return {name: self.column(name) for name in self.columns if name not in self.PATH}


def gather(
    simulation: Simulation,
    frames: Iterator[Frame] | None = None,
    check: Callable[[], None] | None = None,
) -> Result:
    """Run a simulation to the end and join its frames into whole trajectories.

    ``check()`` runs between runs' parts of each frame (see :meth:`Simulation.frames`) and
    after each frame, and may raise to stop the run (a deadline, a client that left): it
    runs at bounded intervals of work, whatever the batch size.
    """
    joined = [JoinedRun(simulation.spec.steps + 1) for _ in simulation.runs]
    for frame in frames if frames is not None else simulation.frames(check=check):
        if check is not None:
            check()
        for run, chunk in zip(joined, frame.runs, strict=True):
            run.add(chunk)
    recording = "state" in simulation.spec.record
    trajectories = [
        Trajectory(
            info, run.column("x"), run.column("y"), run.column("loss"), run.column("grad_norm"),
            summary, run.state() if recording else None,
        )
        for info, run, summary in zip(simulation.infos, joined, simulation.summaries(), strict=True)
    ]  # fmt: skip
    result = Result(simulation.surface, trajectories, simulation.lang, simulation.spec.seed)
    if simulation.surface.vector is not None:
        paths = [run.parameters() for run in simulation.runs]
        keep = "parameters" in simulation.spec.record
        return on_final_plane(result, paths, keep, simulation.spec.surface.domain is None)
    return result


def run(
    spec: RunSpec | dict[str, Any],
    check: Callable[[], None] | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> Result:
    """Validate ``spec`` (a dict is fine) and run it: the notebook's one-liner.

    ``check()``, if given, runs after each frame and may raise to stop the run;
    ``lang`` (``"en"`` or ``"ja"``) is the language of its labels and figures.
    """
    if not isinstance(spec, RunSpec):
        spec = RunSpec.model_validate(spec)
    return gather(Simulation(spec, lang), check=check)


def work(spec: RunSpec) -> float:
    """What running ``spec`` costs (:func:`gradtrail.cost.run_work`): its steps, each run's
    evaluation and each minibatch draw."""
    return run_work(spec)
