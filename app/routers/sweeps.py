"""Sweeps over the API: the whole result, or a stream of progress then the result."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from gradtrail.app.compute import Budget, compute, compute_bounded, lane_for
from gradtrail.app.jsonio import OrjsonBodyRoute
from gradtrail.app.models import SweepResponse
from gradtrail.app.responses import FastJSONResponse
from gradtrail.app.routers.api import TOO_LARGE
from gradtrail.app.settings import get_settings
from gradtrail.app.streams import admit_stream, count_frame, event
from gradtrail.presets import SWEEP_PRESETS
from gradtrail.sweep import Sweep, SweepSpec

router = APIRouter(route_class=OrjsonBodyRoute, prefix="/api", tags=["sweeps"])

SWEEP_EXAMPLE = SWEEP_PRESETS["ravine-lr-momentum"].spec


async def prepare(spec: Annotated[SweepSpec, Body(examples=[SWEEP_EXAMPLE])]) -> Sweep:
    """Build the surface and the shards on a compute thread (data may need generating)."""
    return await compute(Sweep, spec)


def sweep_work(sweep: Sweep) -> float:
    """Optimizer steps of the whole sweep, weighted by the surface's evaluation cost."""
    return sweep.total * sweep.surface.cost


SweepDep = Annotated[Sweep, Depends(prepare)]


@router.post("/sweeps", response_model=SweepResponse, responses=TOO_LARGE)
async def sweep(request: Request, prepared: SweepDep) -> FastJSONResponse:
    """Run every cell; per cell the final loss, status, steps, steps to the threshold, basin.

    Grids are ``[len(axis 1)][len(axis 0)]``, as Plotly's heatmaps read them.
    Limits: 40,000 cells, 5,000 steps, cells × steps ≤ 20,000,000 (larger: 422).
    """
    result = await compute_bounded(request, prepared.run, cost=sweep_work(prepared))
    return FastJSONResponse(result.as_dict())


@router.post(
    "/sweeps/stream",
    response_class=EventSourceResponse,
    responses=TOO_LARGE,
    dependencies=[Depends(admit_stream)],
)
async def sweep_stream(prepared: SweepDep) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: ``meta``, ``progress`` (steps done of the total), ``done`` (the
    result, as ``POST /api/sweeps`` returns it), or ``error``. Closing the connection stops it.

    A sweep stops with an ``error`` event once it passes the deadline."""
    lane = lane_for(sweep_work(prepared))
    budget = Budget(get_settings().deadline_seconds)
    try:
        yield event("meta", {"cells": prepared.cells, "total": prepared.total})
        progress = prepared.progress()
        while (done := await lane.run(next, progress, None)) is not None:
            budget.check()
            count_frame()
            yield event("progress", {"done": done, "total": prepared.total})
        result = await lane.run(prepared.result)
        yield event("done", result.as_dict())
    except Exception as error:  # a stream can only report a failure as an event
        yield event("error", {"detail": f"the sweep failed: {error}"})
