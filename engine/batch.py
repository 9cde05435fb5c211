"""Many runs of one optimizer at once, on ``(2, n)`` numpy arrays (a row per coordinate).

A learning-rate sweep or a grid of start points is one batch: hyperparameters
are per-run arrays of shape ``(n,)``, which broadcast against the rows. The
optimizer and surface functions are the same ones :mod:`gradtrail.runner` calls on
floats, so a batch cell equals the single run with the same settings. Only
summaries are kept (and, on request, the loss history), which is what a sweep needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from gradtrail.optimizers import OPTIMIZERS
from gradtrail.schedules import ScheduleSpec
from gradtrail.spec import StopSpec
from gradtrail.stopping import STATUS_WORDS, Status, StopRules
from gradtrail.surfaces import Minibatches, Surface


@dataclass(frozen=True)
class BatchResult:
    """Where each run ended and how: final point, loss, status code, steps taken."""

    p: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    status: np.ndarray  # Status codes
    steps_taken: np.ndarray
    loss_history: np.ndarray | None = None
    # With a loss threshold: the first step at or below it (-1: never).
    first_below: np.ndarray | None = None

    def status_names(self) -> list[str]:
        """Status codes as the API's words."""
        return [STATUS_WORDS[code] for code in self.status]


def as_batch_hyper(optimizer_id: str, hp: Mapping[str, Any], n: int) -> dict[str, Any]:
    """Hyperparameters with every per-run sequence turned into a length-``n`` array.

    A length-``n`` array broadcasts against the ``(2, n)`` points, one value per run;
    a pair (``betas``, ``etas`` …: the optimizer's metadata says which) is two of them.
    """
    pairs = {p.name for p in OPTIMIZERS[optimizer_id].params if p.kind == "pair"}

    def column(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, float | int):
            return float(value)
        return np.asarray(value, dtype=np.float64).reshape(n)

    return {
        name: tuple(column(v) for v in value) if name in pairs else column(value)
        for name, value in hp.items()
    }


SHARD = 16_384  # runs per stepper at most: their arrays stay in the CPU cache


def run_batch(
    surface: Surface,
    optimizer_id: str,
    hp: Mapping[str, Any],
    starts: np.ndarray,
    steps: int,
    stop: StopSpec | None = None,
    record_loss: bool = False,
    minibatch: Minibatches | None = None,
) -> BatchResult:
    """Step ``n`` runs together; each stops on its own by :mod:`gradtrail.stopping`'s rules.

    More than :data:`SHARD` runs are cut into equal shards (:class:`Shards`). With a minibatch
    sampler all runs share one draw per step, so they stay one shard, as they do when
    the loss history is kept.
    """
    starts = np.asarray(starts, dtype=np.float64).reshape(-1, 2)
    n = starts.shape[0]
    cells = np.arange(n)
    pieces = [cells] if minibatch is not None or record_loss else shard(cells)
    columns = as_batch_hyper(optimizer_id, hp, n)
    shards = Shards(
        [
            (piece, partial(BatchStepper, surface, optimizer_id, take_hyper(columns, piece),
                            starts[piece], steps, stop, record_loss, minibatch))
            for piece in pieces
        ],
        n,
    )  # fmt: skip
    for _ in shards.progress(steps):  # one shard after the other: each finishes at once
        pass
    results = shards.results()
    if len(results) == 1:
        return results[0]
    fields = ("p", "loss", "grad_norm", "status", "steps_taken")
    return BatchResult(*(shards.gather(lambda r, name=name: getattr(r, name)) for name in fields))


def shard(cells: np.ndarray) -> list[np.ndarray]:
    """``cells`` cut into as few pieces as :data:`SHARD` allows, of equal sizes (a small
    remainder would step at a higher cost per run: 10,000 runs as 8,192 + 1,808 took 20 %
    longer than as one shard)."""
    return np.array_split(cells, max(1, -(-cells.size // SHARD)))


def take_hyper(hp: Mapping[str, Any], cells: np.ndarray) -> dict[str, Any]:
    """The hyperparameters of runs ``cells`` (per-run arrays indexed; scalars and flags shared)."""

    def take(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(take(v) for v in value)
        return value[cells] if isinstance(value, np.ndarray) else value

    return {name: take(value) for name, value in hp.items()}


class Shards:
    """Runs cut into shards, each a :class:`BatchStepper` over some of the runs (``cells``),
    stepped a chunk at a time: arrays that fit the CPU cache make every operation several
    times faster. A shard's stepper is made when it first steps and dropped once it has
    finished (its result is kept), so shards stepped to the end one after the other hold
    one shard's arrays at a time. One thread: numpy releases the GIL inside each
    operation, but a shard makes many small ones, and two threads contending for it
    measured slower (tests/perf/bench_sweep.py) than one."""

    def __init__(
        self,
        pieces: list[tuple[np.ndarray, Callable[[], BatchStepper]]],
        n: int,
        chunks: list[int] | None = None,
    ):
        self.pieces, self.n = pieces, n
        self.chunks = chunks  # each shard's steps per chunk (None: progress's ``chunk``)
        self.finished: list[BatchResult | None] = [None] * len(pieces)

    def progress(self, chunk: int) -> Iterator[int]:
        """Step every shard ``chunk`` steps at a time (or its own, :attr:`chunks`); yield the
        optimizer steps done so far after each shard's chunk, so a caller that checks a
        budget in between checks it every chunk of work, however many shards there are.

        Batch stepping makes many short-lived numpy temporaries: a program that steps many
        batches (the server, a benchmark) keeps freed heap for them at start-up
        (:func:`gradtrail.heap.keep_freed_memory`); a library call leaves the heap alone."""
        steppers: list[BatchStepper | None] = [None] * len(self.pieces)
        done = [0] * len(self.pieces)
        pending = list(range(len(self.pieces)))
        while pending:
            going = []
            for index in pending:
                stepper = steppers[index] or self.pieces[index][1]()
                steppers[index] = stepper
                if stepper.advance(self.chunks[index] if self.chunks else chunk):
                    going.append(index)
                else:
                    self.finished[index], steppers[index] = stepper.result(), None
                done[index] = min(stepper.done, stepper.steps) * stepper.points.shape[1]
                yield sum(done)
            pending = going

    def results(self) -> list[BatchResult]:
        """Each shard's result, in order (after :meth:`progress` has run out)."""
        assert all(result is not None for result in self.finished), "the shards are not done"
        return self.finished  # type: ignore[return-value]

    def gather(self, column: Callable[[BatchResult], Any], fill: float = 0.0) -> np.ndarray:
        """A per-run column of the shards' results, in run order (``fill`` where a shard
        has none, such as steps to a threshold that was not asked for)."""
        parts = [column(result) for result in self.results()]
        first = next((np.asarray(part) for part in parts if part is not None), np.zeros(0))
        out = np.full((self.n, *first.shape[1:]), fill, dtype=first.dtype)
        for (cells, _), part in zip(self.pieces, parts, strict=True):
            if part is not None:
                out[cells] = part
        return out


class BatchStepper:
    """A batch advanced a chunk of steps at a time, so a caller can report progress or stop.

    The points live in a ``(2, n)`` array, one contiguous row per coordinate: the
    optimizer runs once per step on both rows (per-run scalars such as Adam's bias
    corrections are computed once), and every check reads contiguous rows.
    Runs that stop have their last values copied aside (see :meth:`freeze`).
    """

    def __init__(
        self,
        surface: Surface,
        optimizer_id: str,
        hp: Mapping[str, Any],
        starts: np.ndarray,
        steps: int,
        stop: StopSpec | None = None,
        record_loss: bool = False,
        minibatch: Minibatches | None = None,
        loss_threshold: float | None = None,
        schedule: ScheduleSpec | None = None,
    ) -> None:
        self.surface, self.minibatch = surface, minibatch
        self.optimizer = OPTIMIZERS[optimizer_id]
        self.points = np.array(np.asarray(starts, dtype=np.float64).reshape(-1, 2).T, order="C")
        n = self.points.shape[1]
        self.hyper = as_batch_hyper(optimizer_id, hp, n)
        self.schedule, self.base_lr = schedule, self.hyper["lr"]
        self.rules = StopRules.of(stop)
        self.steps, self.done = steps, 0
        self.history = np.full((steps + 1, n), np.nan) if record_loss else None
        with np.errstate(all="ignore"):
            self.state = self.optimizer.init(self.points, self.hyper)
            self.gradient, self.loss = self.evaluate(self.points)
            self.square = square_norm(self.gradient)
            norm = np.sqrt(self.square)
            start = rows(self.points, self.loss, self.gradient)
            self.status = self.rules.at_start(norm, *start)
        self.stopped_at = np.where(self.status == Status.RUNNING, -1, 0)  # steps when it stopped
        self.active = self.status == Status.RUNNING
        self.all_running = bool(self.active.all())
        self.any_running = bool(self.active.any())
        # Stopped runs' values, copied aside when they stop (the arrays keep stepping them).
        self.final_points = self.points.copy()
        self.final_loss = self.loss.copy()
        self.final_norm = norm
        if self.history is not None:
            self.history[0] = self.loss
        # The first step whose loss is at or below the threshold (-1: not yet, or never).
        self.threshold = loss_threshold
        self.first_below = (
            np.where(self.loss <= loss_threshold, 0, -1) if loss_threshold is not None else None
        )

    def evaluate(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient ``(2, n)`` and loss ``(n,)`` at ``points`` (a constant loss spread over
        the runs)."""
        loss, gradient = self.surface.both_xy(points[0], points[1])
        if type(loss) is not np.ndarray or loss.shape != points.shape[1:]:
            loss = np.broadcast_to(np.asarray(loss, dtype=np.float64), points.shape[1:])
        return like_points(points, gradient), loss

    def step_gradient(self) -> np.ndarray:
        """The gradient a step uses: the full one, or this step's minibatch estimate."""
        if self.minibatch is None:
            return self.gradient
        return like_points(self.points, self.minibatch.grad(self.points[0], self.points[1]))

    def advance(self, count: int) -> bool:
        """Take up to ``count`` more steps; False once every run has stopped or no steps remain."""
        with np.errstate(all="ignore"):
            for k in range(self.done + 1, min(self.done + count, self.steps) + 1):
                if not self.step_once(k):
                    self.done = self.steps
                    break
                self.done = k
        return self.done < self.steps and self.any_running

    def step_once(self, k: int) -> bool:
        """Step ``k`` for every run; False when none is running any more.

        Runs that stop are frozen by copying their last values aside (rare events),
        not by masking every array on every step: the arrays keep stepping them, and
        :meth:`result` reads stopped runs from the copies.
        """
        if not self.any_running:
            return False
        if self.schedule is not None:  # the same lr · factor(t) as the float path
            self.hyper["lr"] = self.schedule.lr(self.base_lr, k - 1)
        new_points, self.state = self.optimizer.step(
            self.points, self.step_gradient(), self.state, self.hyper
        )
        new_gradient, new_loss = self.evaluate(new_points)
        new_square = square_norm(new_gradient)
        values = rows(new_points, new_loss, new_gradient)
        stopped = None if self.all_running else ~self.active  # their values are past caring
        if not self.rules.all_inside(new_square, values, stopped):
            diverged = self.active & ~self.rules.inside(*values)
            if diverged.any():  # the point is not recorded: the run ends at the last good one
                self.freeze(diverged, self.points, self.loss, self.square, k - 1, Status.DIVERGED)
        if self.rules.grad_tol > 0.0:  # a norm is never below 0: skip the comparison
            converged = self.rules.converged_square(new_square)
            if converged.any():
                self.freeze(
                    converged & self.active, new_points, new_loss, new_square, k, Status.CONVERGED
                )
        if self.first_below is not None:
            below = (self.first_below < 0) & (new_loss <= self.threshold)
            if not self.all_running:
                below &= self.active
            self.first_below[below] = k
        self.points, self.gradient, self.loss, self.square = (
            new_points,
            new_gradient,
            new_loss,
            new_square,
        )
        if self.history is not None:
            self.history[k] = np.where(self.active, new_loss, np.nan)
        return True

    def freeze(
        self, runs: np.ndarray, points: np.ndarray, loss: np.ndarray, square: np.ndarray,
        steps: int, code: Status,
    ) -> None:  # fmt: skip
        """Stop ``runs`` (a mask) at these values (``square``: the gradient's squared norm)
        after ``steps`` accepted steps."""
        if not runs.any():
            return
        self.final_points[:, runs] = points[:, runs]
        self.final_loss[runs] = loss[runs]
        self.final_norm[runs] = np.sqrt(square[runs])
        self.status[runs] = code
        self.stopped_at[runs] = steps
        self.active &= ~runs
        self.all_running = False
        self.any_running = bool(self.active.any())

    def result(self) -> BatchResult:
        """Where each run ended; runs still going count as ``max_steps``."""
        running = self.active
        status = np.where(running, Status.MAX_STEPS, self.status).astype(np.int8)
        points = np.where(running, self.points, self.final_points)
        loss = np.where(running, self.loss, self.final_loss)
        norm = np.where(running, np.sqrt(self.square), self.final_norm)
        taken = np.where(running, self.done, self.stopped_at)
        return BatchResult(
            points.T.copy(), loss, norm, status, taken, self.history, self.first_below
        )


def like_points(points: np.ndarray, gradient: tuple[Any, Any]) -> np.ndarray:
    """``(∂f/∂x, ∂f/∂y)`` as one ``(2, n)`` array laid out as ``points`` (contiguous rows;
    a constant, such as ∂f/∂y of ``x² + y``, spread over its row)."""
    laid_out = np.empty_like(points)
    laid_out[0], laid_out[1] = gradient
    return laid_out


def square_norm(gradient: np.ndarray) -> np.ndarray:
    """``gx² + gy²`` per run. The norm is its square root, taken only where one is reported
    (not hypot: 5x cheaper, equal but for overflow, and an overflowing norm is never
    below the tolerance either way)."""
    gx, gy = gradient
    return gx * gx + gy * gy


def rows(points: np.ndarray, loss: np.ndarray, gradient: np.ndarray) -> tuple[np.ndarray, ...]:
    """What must stay within bounds, as contiguous rows: x, y, the loss, ∂f/∂x, ∂f/∂y
    (numpy's reductions along the short axis of a ``(2, n)`` array are slow)."""
    return points[0], points[1], loss, gradient[0], gradient[1]
