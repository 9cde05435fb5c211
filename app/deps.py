"""Shared dependencies as ``Annotated`` aliases: settings, specs, and the admissions that
routes declare their work with (see :func:`gradtrail.app.compute.admits`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Query

from gradtrail import RunSpec, Simulation
from gradtrail.app.compute import Admission, admits
from gradtrail.app.costs import run_answer_bytes, run_work, sweep_work
from gradtrail.app.models import RUN_SPEC_EXAMPLE
from gradtrail.app.settings import Settings, get_settings
from gradtrail.presets import SWEEP_PRESETS
from gradtrail.sweep import SweepSpec
from gradtrail.texts import Language

SettingsDep = Annotated[Settings, Depends(get_settings)]
SpecBody = Annotated[RunSpec, Body(examples=[RUN_SPEC_EXAMPLE])]
SweepBody = Annotated[SweepSpec, Body(examples=[SWEEP_PRESETS["ravine-lr-momentum"].spec])]
LangQuery = Annotated[
    Language,
    Query(
        description="the language of names, labels and figure texts (error details stay English)"
    ),
]


async def spec_of(spec: SpecBody) -> RunSpec:
    """The run spec in the body, validated once however many dependencies read it."""
    return spec


async def sweep_spec_of(spec: SweepBody) -> SweepSpec:
    """The sweep spec in the body, validated once."""
    return spec


SpecDep = Annotated[RunSpec, Depends(spec_of)]
SweepSpecDep = Annotated[SweepSpec, Depends(sweep_spec_of)]


async def spec_work(spec: SpecDep) -> float:
    return run_work(spec)


async def spec_answer(spec: SpecDep) -> float:
    return run_answer_bytes(spec)


async def sweep_spec_work(spec: SweepSpecDep) -> float:
    return sweep_work(spec)


# Each alias is one admission per request, however many dependencies ask for it.
SmallAdmission = Annotated[Admission, Depends(admits())]
RunAdmission = Annotated[Admission, Depends(admits(spec_work, spec_answer))]
RunStreamAdmission = Annotated[Admission, Depends(admits(spec_work, stream=True))]
SweepAdmission = Annotated[Admission, Depends(admits(sweep_spec_work))]
SweepStreamAdmission = Annotated[Admission, Depends(admits(sweep_spec_work, stream=True))]


async def prepare_stream(
    spec: SpecDep, admission: RunStreamAdmission, lang: LangQuery = "en"
) -> Simulation:
    """Build the surface and runs in the stream's admission (data may need fitting or
    generating), before the stream starts: a spec that cannot run is a 422."""
    return await admission.run(Simulation, spec, lang)


StreamSimulationDep = Annotated[Simulation, Depends(prepare_stream)]
