"""Shared dependencies as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends

from app.models import RUN_SPEC_EXAMPLE
from app.settings import Settings, get_settings
from engine import RunSpec, Simulation

SettingsDep = Annotated[Settings, Depends(get_settings)]
SpecBody = Annotated[RunSpec, Body(examples=[RUN_SPEC_EXAMPLE])]


def prepare(spec: SpecBody) -> Simulation:
    """Build the surface and runs; a spec that cannot run raises SpecError (a 422)."""
    return Simulation(spec)


SimulationDep = Annotated[Simulation, Depends(prepare)]
