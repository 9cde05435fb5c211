"""Sweeps over the API: the whole result, or a stream of progress then the result."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from gradtrail.app.deps import SweepAdmission, SweepSpecDep, SweepStreamAdmission
from gradtrail.app.jsonio import OrjsonBodyRoute, dumps
from gradtrail.app.models import SweepResponse
from gradtrail.app.responses import FastJSONResponse
from gradtrail.app.routers.api import TOO_LARGE
from gradtrail.app.streams import count_frame, event
from gradtrail.sweep import Sweep, SweepSpec

router = APIRouter(route_class=OrjsonBodyRoute, prefix="/api", tags=["sweeps"])


def swept(spec: SweepSpec, check: Callable[[], None]) -> bytes:
    """Build the surface and the shards, run every cell, and encode the result."""
    return dumps(Sweep(spec).run(check).as_dict())


@router.post("/sweeps", response_model=SweepResponse, responses=TOO_LARGE)
async def sweep(spec: SweepSpecDep, admission: SweepAdmission) -> Response:
    """Run every cell; per cell the final loss, status, steps, steps to the threshold, basin.

    Grids are ``[len(axis 1)][len(axis 0)]``, as Plotly's heatmaps read them.
    Limits: 40,000 cells, 5,000 steps, cells × steps ≤ 20,000,000 (larger: 422).
    """
    return await admission.answer(
        swept, spec, admission.budget.check, media_type=FastJSONResponse.media_type
    )


async def prepare_stream(spec: SweepSpecDep, admission: SweepStreamAdmission) -> Sweep:
    """Build the surface and the shards in the stream's admission (data may need
    generating), before the stream starts: a sweep that cannot run is a 422."""
    return await admission.run(Sweep, spec)


@router.post("/sweeps/stream", response_class=EventSourceResponse, responses=TOO_LARGE)
async def sweep_stream(
    prepared: Annotated[Sweep, Depends(prepare_stream)], admission: SweepStreamAdmission
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: ``meta``, ``progress`` (steps done of the total), ``done`` (the
    result, as ``POST /api/sweeps`` returns it), or ``error``. Closing the connection stops it.

    The stream holds its admission from its first step to its end, and stops with an
    ``error`` event once it passes the deadline."""
    try:
        yield event("meta", {"cells": prepared.cells, "total": prepared.total})
        progress = prepared.progress()
        while (done := await admission.run(next, progress, None)) is not None:
            count_frame()
            yield event("progress", {"done": done, "total": prepared.total})
        result = await admission.run(prepared.result)
        yield event("done", result.as_dict())
    except Exception as error:  # a stream can only report a failure as an event
        yield event("error", {"detail": f"the sweep failed: {error}"})
