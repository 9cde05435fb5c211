"""Many runs of one optimizer at once, on ``(n, 2)`` numpy arrays.

A learning-rate sweep or a grid of start points is one batch: hyperparameters
are per-run arrays of shape ``(n, 1)``. The optimizer and surface functions are
the same ones :mod:`engine.runner` calls on floats, so a batch cell equals the
single run with the same settings. Only summaries are kept (and, on request,
the loss history), which is what a sweep needs.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from engine.optimizers import OPTIMIZERS
from engine.spec import StopSpec
from engine.surfaces import Surface

RUNNING, CONVERGED, MAX_STEPS, DIVERGED = 0, 1, 2, 3
STATUS_NAMES = ("running", "converged", "max_steps", "diverged")


@dataclass(frozen=True)
class BatchResult:
    """Where each run ended and how: final point, loss, status code, steps taken."""

    p: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    status: np.ndarray
    steps_taken: np.ndarray
    loss_history: np.ndarray | None = None

    def status_names(self) -> list[str]:
        """Status codes as the API's words."""
        return [STATUS_NAMES[code] for code in self.status]


def as_batch_hyper(hp: Mapping[str, Any], n: int) -> dict[str, Any]:
    """Hyperparameters with every per-run sequence turned into a length-``n`` array."""

    def column(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, float | int):
            return float(value)
        return np.asarray(value, dtype=np.float64).reshape(n)

    return {
        name: tuple(column(v) for v in value) if name == "betas" else column(value)
        for name, value in hp.items()
    }


def run_batch(
    surface: Surface,
    optimizer_id: str,
    hp: Mapping[str, Any],
    starts: np.ndarray,
    steps: int,
    stop: StopSpec | None = None,
    record_loss: bool = False,
) -> BatchResult:
    """Step ``n`` runs together; each stops on its own as :mod:`engine.runner` defines.

    The coordinates live in two contiguous arrays and each is stepped like one
    coordinate of the float path; rows that have stopped are frozen with masks.
    """
    keep_freed_memory()
    stop = stop or StopSpec()
    optimizer = OPTIMIZERS[optimizer_id]
    starts = np.asarray(starts, dtype=np.float64).reshape(-1, 2)
    x, y = starts[:, 0].copy(), starts[:, 1].copy()
    n = x.size
    hyper = as_batch_hyper(hp, n)
    bound, tol = stop.divergence_bound, stop.grad_tol
    history = np.full((steps + 1, n), np.nan) if record_loss else None
    value, grad = surface.value_xy, surface.grad_xy
    with np.errstate(all="ignore"):
        state_x, state_y = optimizer.init(x, hyper), optimizer.init(y, hyper)
        gx, gy = broadcast(grad(x, y), n)
        loss = broadcast((value(x, y),), n)[0]
        norm = np.sqrt(gx * gx + gy * gy)
        status = np.full(n, RUNNING, dtype=np.int8)
        status[norm < tol] = CONVERGED
        status[~within(bound, x, y, loss, gx, gy)] = DIVERGED
        taken = np.zeros(n, dtype=np.int64)
        if history is not None:
            history[0] = loss
        for k in range(1, steps + 1):
            active = status == RUNNING
            if not active.any():
                break
            new_x, state_x = optimizer.step(x, gx, state_x, hyper)
            new_y, state_y = optimizer.step(y, gy, state_y, hyper)
            new_gx, new_gy = broadcast(grad(new_x, new_y), n)
            new_loss = broadcast((value(new_x, new_y),), n)[0]
            moving = active & within(bound, new_x, new_y, new_loss, new_gx, new_gy)
            status[active & ~moving] = DIVERGED
            # sqrt(gx² + gy²) rather than hypot: 5x cheaper, equal but for overflow
            # (an overflowing norm is never below the tolerance either way).
            new_norm = np.sqrt(new_gx * new_gx + new_gy * new_gy)
            if moving.all():  # the common case: nothing to freeze, no masks to apply
                x, y, gx, gy, loss, norm = new_x, new_y, new_gx, new_gy, new_loss, new_norm
            else:
                x, y = np.where(moving, new_x, x), np.where(moving, new_y, y)
                gx, gy = np.where(moving, new_gx, gx), np.where(moving, new_gy, gy)
                loss, norm = np.where(moving, new_loss, loss), np.where(moving, new_norm, norm)
            taken += moving
            status[moving & (new_norm < tol)] = CONVERGED
            if history is not None:
                history[k] = np.where(moving, loss, np.nan)
    status[status == RUNNING] = MAX_STEPS
    return BatchResult(np.stack([x, y], axis=1), loss, norm, status, taken, history)


def broadcast(arrays: tuple[Any, ...], n: int) -> list[np.ndarray]:
    """Each value as a float64 array of length ``n`` (a constant term comes back scalar)."""
    return [np.broadcast_to(np.asarray(a, dtype=np.float64), (n,)) for a in arrays]


def within(bound: float, *columns: np.ndarray) -> np.ndarray:
    """Rows where every column is finite and inside ``±bound`` (NaN fails the test)."""
    ok = np.abs(columns[0]) <= bound
    for column in columns[1:]:
        ok &= np.abs(column) <= bound
    return ok


@cache
def keep_freed_memory() -> None:
    """Stop glibc from handing freed heap back to the OS after every numpy temporary.

    A batch step makes dozens of ~100 kB temporaries; with glibc's defaults each
    free at the heap top is trimmed and each allocation faults its pages in
    again, which made a 10,000-run Adam step 5x slower here. Raising the trim
    and mmap thresholds keeps that memory for reuse. Elsewhere it does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
        libc.mallopt(m_trim_threshold, 512 * 2**20)
        libc.mallopt(m_top_pad, 64 * 2**20)
        libc.mallopt(m_mmap_threshold, 32 * 2**20)
    except (OSError, AttributeError):
        pass
