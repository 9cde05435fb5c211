"""Shared dependencies as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Query

from gradtrail import RunSpec, Simulation
from gradtrail.app.compute import compute
from gradtrail.app.models import RUN_SPEC_EXAMPLE
from gradtrail.app.settings import Settings, get_settings
from gradtrail.texts import Language

SettingsDep = Annotated[Settings, Depends(get_settings)]
SpecBody = Annotated[RunSpec, Body(examples=[RUN_SPEC_EXAMPLE])]
LangQuery = Annotated[
    Language,
    Query(
        description="the language of names, labels and figure texts (error details stay English)"
    ),
]


async def prepare(spec: SpecBody, lang: LangQuery = "en") -> Simulation:
    """Build the surface and runs on a compute thread (data may need fitting or generating).

    A spec that cannot run raises SpecError, which becomes a 422.
    """
    return await compute(Simulation, spec, lang)


SimulationDep = Annotated[Simulation, Depends(prepare)]
