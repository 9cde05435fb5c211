"""Server-sent event streams of a simulation, one frame at a time.

Each frame is computed in a worker thread of the lane the stream was admitted to,
so the event loop keeps serving other requests; the stream holds its place in that
lane from its first frame to its end. Frames are computed only as the response
pulls them: when the client disconnects, the pulling stops and the admission's
budget, now abandoned, stops any frame not yet begun.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator

import orjson
from fastapi.sse import ServerSentEvent

from gradtrail import Simulation, figures
from gradtrail.app.compute import Admission
from gradtrail.app.jsonio import dumps
from gradtrail.catalog import describe_surface
from gradtrail.result import Summary
from gradtrail.runner import Frame, RunPoints

FIRST_FRAME_STEPS = 10  # a short first frame: the paths appear at once
_counts = {"frames": 0}  # touched only on the event loop: no lock needed


def frames_computed() -> int:
    """Frames (and sweep chunks) computed for streams by this process since it started."""
    return _counts["frames"]


def count_frame() -> None:
    """One more frame computed for a stream."""
    _counts["frames"] += 1


def event(name: str, payload: object) -> ServerSentEvent:
    """One SSE event whose data is a JSON line written by orjson."""
    return ServerSentEvent(event=name, raw_data=dumps(payload).decode())


def chunk_payload(chunk: RunPoints) -> dict:
    """One run's part of a frame (its recorded state too, when asked for)."""
    payload = {"x": chunk.x, "y": chunk.y, "loss": chunk.loss, "grad_norm": chunk.grad_norm}
    if chunk.state is not None:
        payload["state"] = chunk.state
    if chunk.off_plane is not None:  # a network: the distance from the plane drawn on
        payload["off_plane"] = chunk.off_plane
    return payload


def frame_payload(frame: Frame) -> dict:
    """A frame as the contract says: the first point's index, then each run's arrays."""
    return {"step": frame.step, "runs": [chunk_payload(chunk) for chunk in frame.runs]}


async def simulation_events(
    simulation: Simulation, frame_steps: int, admission: Admission
) -> AsyncIterator[ServerSentEvent]:
    """``meta`` (with the start's figures: a page run is one request), then a ``frame``
    per chunk of steps, then ``done`` (or ``error``).

    Every frame is computed in the stream's admission, and the run stops with an
    ``error`` event once it passes the deadline.
    """
    try:
        drawn_first = await admission.run(start_figures, simulation)  # before the first frame
        yield event("meta", {**simulation.describe(), "figures": drawn_first})
        frames = simulation.frames(frame_steps, first_steps=min(FIRST_FRAME_STEPS, frame_steps))
        while (frame := await admission.run(next, frames, None)) is not None:
            count_frame()
            yield event("frame", frame_payload(frame))
        yield event("done", done_payload(simulation))
    except Exception as error:  # a stream can only report a failure as an event
        yield event("error", {"detail": f"the run failed: {error}"})


Figures = dict[str, orjson.Fragment]


class FigureCache:
    """The start figures of the specs asked for last, by the digest of spec and language.

    plotly builds the three figures in about 55 ms of pure Python (its validation),
    ten times what a lesson's frames cost; a class opens the same lessons at once,
    so each worker builds a lesson's figures once. ``entries`` bounds the memory
    (about 300 kB each).
    """

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.kept: OrderedDict[bytes, Figures] = OrderedDict()
        self.lock = threading.Lock()  # lane threads share it

    def get(self, simulation: Simulation) -> Figures:
        key = hashlib.blake2b(
            simulation.spec.model_dump_json().encode() + simulation.lang.encode(), digest_size=16
        ).digest()
        with self.lock:
            if (found := self.kept.get(key)) is not None:
                self.kept.move_to_end(key)
                return found
        drawn = draw_start_figures(simulation)  # outside the lock: two misses draw at once
        with self.lock:
            self.kept[key] = drawn
            while len(self.kept) > self.entries:
                self.kept.popitem(last=False)
        return drawn


FIGURE_CACHE = FigureCache(entries=32)


def start_figures(simulation: Simulation) -> Figures:
    """The contour, 3-D and loss figures of a simulation's start, as plotly JSON
    (drawn once per spec and language while they stay among the recent ones)."""
    return FIGURE_CACHE.get(simulation)


def draw_start_figures(simulation: Simulation) -> Figures:
    """Draw the contour, 3-D and loss figures of a simulation's start."""
    preview = simulation.preview()
    return {
        "contour": orjson.Fragment(figures.contour(preview, steps=simulation.spec.steps).to_json()),
        "surface3d": orjson.Fragment(figures.surface3d(preview).to_json()),
        "convergence": orjson.Fragment(figures.convergence(preview).to_json()),
    }


def done_payload(simulation: Simulation) -> dict:
    """How each run ended; on a surface of many parameters also the final plane (the
    surface as ``POST /api/runs`` describes it) and every run's whole path on it, ``x``,
    ``y`` and ``off_plane``: the frames were drawn on the provisional plane."""
    payload: dict = {"runs": [summary_payload(s) for s in simulation.summaries()]}
    final = simulation.final_slice()
    if final is not None:
        surface, places = final
        payload["surface"] = describe_surface(surface, simulation.lang)
        for run, (a, b, off) in zip(payload["runs"], places, strict=True):
            run.update(x=a, y=b, off_plane=off)
    return payload


def summary_payload(summary: Summary) -> dict:
    """How a run ended, as the ``done`` event carries it."""
    return {
        "status": summary.status,
        "steps_taken": summary.steps_taken,
        "final_loss": summary.final_loss,
        "distance_to_min": summary.distance_to_min,
        "stationary": summary.stationary,
    }
