"""Server-sent event streams of a simulation, one frame at a time.

Each frame is computed in a worker thread, so the event loop keeps serving
other requests. Frames are computed only as the response pulls them: when the
client disconnects, FastAPI cancels the task that pulls, the generator stays
suspended at its ``yield`` (closed later by the garbage collector) and no
further frame is computed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi.sse import ServerSentEvent

from gradtrail import Simulation
from gradtrail.app.compute import compute
from gradtrail.app.jsonio import dumps
from gradtrail.runner import Chunk, Frame

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


def chunk_payload(chunk: Chunk) -> dict:
    """One run's part of a frame (its recorded state too, when asked for)."""
    payload = {"x": chunk.x, "y": chunk.y, "loss": chunk.loss, "grad_norm": chunk.grad_norm}
    if chunk.state is not None:
        payload["state"] = chunk.state
    return payload


def frame_payload(frame: Frame) -> dict:
    """A frame as the contract says: the first point's index, then each run's arrays."""
    return {"step": frame.step, "runs": [chunk_payload(chunk) for chunk in frame.runs]}


async def simulation_events(
    simulation: Simulation, frame_steps: int
) -> AsyncIterator[ServerSentEvent]:
    """``meta``, then a ``frame`` per chunk of steps, then ``done`` (or ``error``)."""
    try:
        yield event("meta", simulation.describe())
        frames = simulation.frames(frame_steps, first_steps=min(FIRST_FRAME_STEPS, frame_steps))
        while (frame := await compute(next, frames, None)) is not None:
            count_frame()
            yield event("frame", frame_payload(frame))
        summaries = simulation.summaries()
        yield event(
            "done",
            {
                "runs": [
                    {"status": s.status, "steps_taken": s.steps_taken, "final_loss": s.final_loss,
                     "distance_to_min": s.distance_to_min}
                    for s in summaries
                ]
            },
        )  # fmt: skip
    except Exception as error:  # a stream can only report a failure as an event
        yield event("error", {"detail": f"the run failed: {error}"})
