"""What a run produces: its settings, its path, how it ended — and the ways out
(a dict for JSON, rows, CSV, a pandas frame)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradtrail.catalog import describe_surface
from gradtrail.schedules import ScheduleSpec
from gradtrail.stationary import StationaryWord
from gradtrail.stopping import StatusWord
from gradtrail.surfaces import Surface
from gradtrail.texts import DEFAULT_LANGUAGE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: Any) -> Any:
    """Text a spreadsheet would run as a formula (``=…``, ``+…``, ``@…``) gets a leading ``'``.

    Numbers stay numbers; only text cells (labels, ids) can carry a formula.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


@dataclass(frozen=True)
class Summary:
    """How a run ended; where it converged, what it stopped at (:mod:`gradtrail.stationary`:
    a minimum, or a saddle or flat region whose gradient is zero too)."""

    status: StatusWord
    steps_taken: int
    final_loss: float
    distance_to_min: float | None
    stationary: StationaryWord | None = None


@dataclass(frozen=True)
class RunInfo:
    """What a run is: its label, optimizer id and every hyperparameter; and, for people,
    its step's equations (``anatomy``, see :class:`~gradtrail.optimizers.base.Equation`)
    and which recorded vector carries past steps' direction (``memory``)."""

    label: str
    optimizer: str
    params: dict[str, Any]
    batch_size: int | None = None
    schedule: ScheduleSpec | None = None
    anatomy: tuple[dict[str, Any], ...] = ()
    memory: str | None = None
    latex: tuple[str, ...] = ()  # each parameter's update, for the page to typeset

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (pairs become lists)."""
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in self.params.items()}
        info: dict[str, Any] = {
            "label": self.label,
            "optimizer": self.optimizer,
            "params": params,
            "anatomy": list(self.anatomy),
            "memory": self.memory,
            "latex": list(self.latex),
        }
        if self.batch_size is not None:
            info["batch_size"] = self.batch_size
        if self.schedule is not None:
            info["schedule"] = {**self.schedule.model_dump(), "torch": self.schedule.torch()}
        return info


@dataclass(frozen=True)
class Trajectory:
    """A finished run: its settings, its whole path and how it ended."""

    info: RunInfo
    x: np.ndarray
    y: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    summary: Summary | None  # None in a preview, before the run is made
    state: dict[str, np.ndarray] | None = None  # per step (one shorter than x), if recorded
    # A run over many parameters (the network): per point its distance from the plane x, y
    # lie on, and, if recorded, the vectors themselves ``(points, P)``.
    off_plane: np.ndarray | None = None
    parameters: np.ndarray | None = None

    def as_dict(self) -> dict[str, Any]:
        """The API's run item (arrays stay numpy; orjson writes them directly)."""
        assert self.summary is not None, "a preview has no result yet"
        return {
            **self.info.as_dict(),
            "x": self.x,
            "y": self.y,
            "loss": self.loss,
            "grad_norm": self.grad_norm,
            "status": self.summary.status,
            "steps_taken": self.summary.steps_taken,
            "final_loss": self.summary.final_loss,
            "distance_to_min": self.summary.distance_to_min,
            "stationary": self.summary.stationary,
            **({"state": self.state} if self.state is not None else {}),
            **({"off_plane": self.off_plane} if self.off_plane is not None else {}),
            **({"parameters": self.parameters} if self.parameters is not None else {}),
        }


@dataclass(frozen=True)
class Result:
    """Every trajectory of a spec, plus the surface they ran on, the language of its
    texts (the runs' default labels, the figures' titles) and the seed of its minibatches."""

    surface: Surface
    runs: list[Trajectory]
    lang: str = DEFAULT_LANGUAGE
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The body of ``POST /api/runs``."""
        return {
            "surface": describe_surface(self.surface, self.lang),
            "runs": [r.as_dict() for r in self.runs],
        }

    def to_records(self) -> list[dict[str, Any]]:
        """One row per run and step: run index, label, step, x, y, loss, grad_norm, and the
        recorded state of the step that led there (lr, gradient, step, optimizer vectors)."""
        rows = []
        for index, run in enumerate(self.runs):
            state = run.state or {}
            for k in range(run.x.size):
                row = {"run": index, "label": run.info.label, "optimizer": run.info.optimizer,
                       "step": k, "x": float(run.x[k]), "y": float(run.y[k]),
                       "loss": float(run.loss[k]),
                       "grad_norm": float(run.grad_norm[k])}  # fmt: skip
                for name, values in state.items():
                    row[name] = float(values[k - 1]) if k > 0 else None
                rows.append(row)
        return rows

    def to_csv(self) -> str:
        """The records as CSV: one row per run and step, a header of every column."""
        rows = [{k: spreadsheet_safe(v) for k, v in row.items()} for row in self.to_records()]
        columns = list(dict.fromkeys(name for row in rows for name in row))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    def to_frame(self) -> Any:
        """The records as a pandas DataFrame (pandas is optional, imported only here)."""
        import pandas

        return pandas.DataFrame.from_records(self.to_records())
