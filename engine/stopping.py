"""When a run stops: one set of rules for the single run, the batch and the sweep.

A run starts unless its start point is already out of bounds (diverged) or already a
minimum (the gradient's norm under ``grad_tol``: converged). After each step the new
point, its loss and its gradient must be finite and within ``±divergence_bound``;
else the run has diverged and ends at its last good point, which is what torch's
loop would have printed before the numbers went bad. A step that lands where the
gradient's norm is under ``grad_tol`` converges there. A run still going after its
steps ends as ``max_steps``. The rules take Python floats (the runner's path) and
numpy arrays alike (the batch's), elementwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from typing import Any, Literal, get_args

import numpy as np

from gradtrail.spec import StopSpec

StatusWord = Literal["converged", "max_steps", "diverged"]  # the API's words


class Status(IntEnum):
    """How a run stands; the batch keeps these codes in an int8 array."""

    RUNNING = 0
    CONVERGED = 1
    MAX_STEPS = 2
    DIVERGED = 3

    @property
    def word(self) -> StatusWord:
        """The API's word for a finished run (``converged``, ``max_steps``, ``diverged``)."""
        if self is Status.RUNNING:
            raise ValueError("a running run has no final status yet")
        return self.name.lower()  # type: ignore[return-value]


STATUS_WORDS: tuple[str, ...] = tuple(status.name.lower() for status in Status)  # by code
assert set(get_args(StatusWord)) == set(STATUS_WORDS) - {"running"}


@dataclass(frozen=True)
class StopRules:
    """The stop rules of one spec: its gradient tolerance and divergence bound."""

    grad_tol: float
    bound: float

    @classmethod
    def of(cls, stop: StopSpec | None) -> StopRules:
        """The rules of a spec's ``stop`` (its defaults when there is none)."""
        stop = stop or StopSpec()
        return cls(stop.grad_tol, stop.divergence_bound)

    def inside(self, *values: Any) -> Any:
        """Whether every value is finite and within ``±bound`` (NaN fails every comparison);
        a bool for floats, a boolean array for arrays."""
        ok = abs(values[0]) <= self.bound
        for value in values[1:]:
            ok &= abs(value) <= self.bound  # in place on arrays; a new bool on floats
        return ok

    def float_check(self) -> Callable[[float, float, float, float, float], float | None]:
        """:meth:`inside` for one run on floats, fused with the gradient's norm: a function
        of (x, y, loss, ∂f/∂x, ∂f/∂y) giving the norm, or None once out of bounds.

        The runner calls it every step: with the generic method and its loop a four-run
        spec took 15 % longer than with the comparisons written inline, with this 5 %
        (tests/perf/bench_engine.py (a)).
        """
        bound = self.bound

        def norm_if_inside(x: float, y: float, loss: float, gx: float, gy: float) -> float | None:
            if (abs(x) <= bound and abs(y) <= bound and abs(loss) <= bound
                    and abs(gx) <= bound and abs(gy) <= bound):  # fmt: skip
                return math.hypot(gx, gy)
            return None

        return norm_if_inside

    def converged(self, norm: Any) -> Any:
        """Whether a gradient of this norm ends the run as converged."""
        return norm < self.grad_tol

    @cached_property
    def grad_tol_square(self) -> float:
        """The least float ``s`` with ``sqrt(s) >= grad_tol``: as ``sqrt`` is correctly
        rounded, hence monotone, ``sqrt(s) < grad_tol`` exactly when ``s`` is below it."""
        tol = self.grad_tol
        square = tol * tol
        while square > 0.0 and math.sqrt(square) >= tol:
            square = math.nextafter(square, 0.0)
        while math.sqrt(square) < tol:
            square = math.nextafter(square, math.inf)
        return square

    def converged_square(self, square: np.ndarray) -> np.ndarray:
        """:meth:`converged` given the squared norms: the same answer without the roots."""
        return square < self.grad_tol_square

    def all_inside(
        self, gradient_square: np.ndarray, values: tuple[np.ndarray, ...],
        ignored: np.ndarray | None = None,
    ) -> bool:  # fmt: skip
        """True when every run's values (x, y, loss, ∂f/∂x, ∂f/∂y) are surely finite and
        within bounds (except runs ``ignored``), from one sum of squares; False means "look
        run by run" (:meth:`inside`), which a step rarely needs.

        A value beyond the bound has a square at or above ``bound²`` (rounding is monotone),
        and a sum of non-negative terms is at least each term, so a largest sum under
        ``bound²`` proves every value inside. NaN fails the comparison.
        """
        total = gradient_square.copy()
        for value in values[:3]:
            total += value * value
        if ignored is not None:
            np.copyto(total, 0.0, where=ignored)
        return bool(total.max() < self.bound * self.bound)

    def at_start(self, norm: Any, *values: Any) -> np.ndarray:
        """Status codes at the start points: out of bounds is diverged (even where the
        gradient is flat), a flat gradient is converged, the rest run. A 0-d array for
        one run on floats."""
        codes = np.where(self.converged(norm), Status.CONVERGED, Status.RUNNING)
        return np.where(self.inside(*values), codes, Status.DIVERGED).astype(np.int8)
