"""Sweeps over the API: the whole result, or a stream of progress then the result."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Body, Depends
from fastapi.sse import EventSourceResponse, ServerSentEvent

from gradtrail.app.compute import compute
from gradtrail.app.models import SweepResponse
from gradtrail.app.responses import FastJSONResponse
from gradtrail.app.routers.api import TOO_LARGE
from gradtrail.app.streams import count_frame, event
from gradtrail.presets import SWEEP_PRESETS
from gradtrail.sweep import Sweep, SweepSpec

router = APIRouter(prefix="/api", tags=["sweeps"])

SWEEP_EXAMPLE = SWEEP_PRESETS["ravine-lr-momentum"].spec


async def prepare(spec: Annotated[SweepSpec, Body(examples=[SWEEP_EXAMPLE])]) -> Sweep:
    """Build the surface and the shards on a compute thread (data may need generating)."""
    return await compute(Sweep, spec)


SweepDep = Annotated[Sweep, Depends(prepare)]


@router.post("/sweeps", response_model=SweepResponse, responses=TOO_LARGE)
async def sweep(prepared: SweepDep) -> FastJSONResponse:
    """Run every cell; per cell the final loss, status, steps, steps to the threshold, basin.

    Grids are ``[len(axis 1)][len(axis 0)]``, as Plotly's heatmaps read them.
    Limits: 40,000 cells, 5,000 steps, cells × steps ≤ 20,000,000 (larger: 422).
    """
    result = await compute(prepared.run)
    return FastJSONResponse(result.as_dict())


@router.post("/sweeps/stream", response_class=EventSourceResponse, responses=TOO_LARGE)
async def sweep_stream(prepared: SweepDep) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: ``meta``, ``progress`` (steps done of the total), ``done`` (the
    result, as ``POST /api/sweeps`` returns it), or ``error``. Closing the connection stops it."""
    try:
        yield event("meta", {"cells": prepared.cells, "total": prepared.total})
        progress = prepared.progress()
        while (done := await compute(next, progress, None)) is not None:
            count_frame()
            yield event("progress", {"done": done, "total": prepared.total})
        result = await compute(prepared.result)
        yield event("done", result.as_dict())
    except Exception as error:  # a stream can only report a failure as an event
        yield event("error", {"detail": f"the sweep failed: {error}"})
