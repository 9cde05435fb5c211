"""One optimizer on a surface of many parameters (the network kind): the whole vector steps.

The optimizers are elementwise (:mod:`gradtrail.optimizers.base`), so the functions that
step one coordinate on floats step a vector ``(P,)`` as one numpy array, each coordinate
as torch steps it. What the 2-D views record per step is the new vector's place on the
surface's plane (``x``, ``y``: its projection), its true loss and the norm of its whole
gradient; the vector itself is kept, for the final plane and for ``record: ["parameters"]``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from gradtrail.optimizers import OPTIMIZERS
from gradtrail.schedules import ScheduleSpec
from gradtrail.stopping import Status, StopRules
from gradtrail.surfaces import Surface


class VectorRun:
    """A run over a surface's parameter vector (``surface.vector``), advanced in numpy;
    the same interface as :class:`gradtrail.runner.Run`."""

    def __init__(
        self,
        surface: Surface,
        optimizer_id: str,
        hp: dict[str, Any],
        minibatches: Any,
        schedule: ScheduleSpec | None = None,
    ) -> None:
        optimizer = OPTIMIZERS[optimizer_id]
        self.hp, self.minibatches = dict(hp), minibatches
        self.model, self.plane = surface.vector, surface.plane
        self.step_fn, self.schedule, self.base_lr = optimizer.step, schedule, hp["lr"]
        self.p = np.array(self.model.start, dtype=np.float64)
        self.state = optimizer.init(self.p, hp)
        self.loss, self.g = self.model.both(self.p)
        self.path: list[np.ndarray] = [self.p]
        self.steps_taken = 0
        self.status = Status.RUNNING
        self.record = False  # no per-step optimizer state: the vectors are the record
        self.x, self.y = self.place(self.p)

    def place(self, p: np.ndarray) -> tuple[float, float]:
        """The vector's coordinates on the surface's plane."""
        a, b = self.plane.directions @ (p - self.plane.origin)
        return float(a), float(b)

    def stop_at_start(self, rules: StopRules) -> None:
        """A start beyond the bound, or already a minimum, ends the run there."""
        norm = float(np.linalg.norm(self.g))
        inside = bool(np.all(np.abs(self.p) <= rules.bound)) and rules.inside(self.loss, norm)
        if not inside:
            self.status = Status.DIVERGED
        elif rules.converged(norm):
            self.status = Status.CONVERGED

    def advance(self, steps: int, rules: StopRules, chunk: Any) -> None:
        """Take up to ``steps`` steps into ``chunk``; stop early on convergence or divergence
        (:mod:`gradtrail.stopping`: the vector, its loss and its gradient within bounds)."""
        if chunk.off_plane is None:
            chunk.off_plane = []
        if self.status is not Status.RUNNING:
            return
        p, g, state, hp, bound = self.p, self.g, self.state, self.hp, rules.bound
        taken = 0
        while taken < steps:
            if self.schedule is not None:
                hp["lr"] = self.schedule.lr(self.base_lr, self.steps_taken + taken)
            if self.minibatches is not None:
                g = self.minibatches.vector_grad(p)
            p_next, state = self.step_fn(p, g, state, hp)
            loss, g_next = self.model.both(p_next)
            norm = math.sqrt(float(g_next @ g_next))
            largest = max(float(np.abs(p_next).max()), float(np.abs(g_next).max()))
            if not (largest <= bound and abs(loss) <= bound):
                self.status = Status.DIVERGED  # NaN fails every comparison, so it lands here too
                break
            p, g, self.loss = p_next, g_next, loss
            self.path.append(p)
            chunk.loss.append(loss)
            chunk.grad_norm.append(norm)
            taken += 1
            if rules.converged(norm):
                self.status = Status.CONVERGED
                break
        self.p, self.g, self.state = p, g, state
        if taken:  # the new points' places, in one product
            a, b, off = self.plane.coordinates(np.array(self.path[-taken:]))
            chunk.x.extend(a.tolist())
            chunk.y.extend(b.tolist())
            chunk.off_plane.extend(off.tolist())
            self.x, self.y = float(a[-1]), float(b[-1])
        self.steps_taken += taken

    def start_points(self) -> Any:
        """The start point, the first entry of every array, with its distance from the plane."""
        from gradtrail.runner import RunPoints

        off = float(self.plane.coordinates(self.p[None, :])[2][0])
        norm = float(np.linalg.norm(self.g))
        return RunPoints([self.x], [self.y], [self.loss], [norm], off_plane=[off])

    def parameters(self) -> np.ndarray:
        """Every vector of the path, the start first: ``(steps_taken + 1, P)``."""
        return np.array(self.path)


def final_slice(
    surface: Surface, paths: list[np.ndarray], fit_window: bool
) -> tuple[Surface, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """The surface on the plane it makes from every run's ``paths`` (a ``pca`` plane
    needs them all), with each path's ``a``, ``b`` and distance from that plane; its
    window holds every path (if ``fit_window``: a window the spec gives is kept)."""
    from gradtrail.plane import explained, window

    plane = explained(surface.vector.final_plane(paths), paths)
    places = [plane.coordinates(path) for path in paths]
    domain = surface.domain
    if fit_window:
        reach = 0.1 * max(1.0, float(np.linalg.norm(plane.origin)))
        every_a = np.concatenate([a for a, _, _ in places])
        every_b = np.concatenate([b for _, b, _ in places])
        domain = window(every_a, every_b, reach)
    return replace(surface, plane=plane, domain=domain, **surface.vector.sliced(plane)), places


def on_final_plane(result: Any, paths: list[np.ndarray], keep: bool, fit_window: bool) -> Any:
    """``result`` on its final plane (:func:`final_slice`): each run's path projected
    anew, with its distance from the plane and, if ``keep``, its vectors."""
    surface, places = final_slice(result.surface, paths, fit_window)
    runs = [
        replace(trajectory, x=a, y=b, off_plane=off, parameters=path if keep else None)
        for trajectory, path, (a, b, off) in zip(result.runs, paths, places, strict=True)
    ]
    return replace(result, surface=surface, runs=runs)
