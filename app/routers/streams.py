"""``POST /api/runs/stream``: the same computation as ``/api/runs``, frame by frame."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent

from gradtrail.app.deps import RunStreamAdmission, SettingsDep, StreamSimulationDep
from gradtrail.app.jsonio import OrjsonBodyRoute
from gradtrail.app.routers.api import TOO_LARGE
from gradtrail.app.streams import simulation_events

router = APIRouter(route_class=OrjsonBodyRoute, prefix="/api", tags=["streams"])


@router.post("/runs/stream", response_class=EventSourceResponse, responses=TOO_LARGE)
async def stream_runs(
    simulation: StreamSimulationDep, admission: RunStreamAdmission, settings: SettingsDep
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: ``meta``, many ``frame``, then ``done`` (or ``error``).

    Concatenating a run's frame arrays gives exactly the arrays ``POST /api/runs``
    returns for the same spec. Closing the connection stops the computation.
    """
    async for item in simulation_events(simulation, settings.frame_steps, admission):
        yield item
