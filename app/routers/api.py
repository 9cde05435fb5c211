"""The JSON API: health, catalogues, grids and whole runs."""

from __future__ import annotations

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Header, Query
from fastapi.responses import PlainTextResponse, Response

from gradtrail import (
    Simulation,
    SpecError,
    __version__,
    build_surface,
    figures,
    list_optimizers,
    list_surfaces,
    run,
)
from gradtrail.app.compute import compute
from gradtrail.app.deps import SimulationDep, SpecBody
from gradtrail.app.models import (
    FiguresResponse,
    FormulaRequest,
    FormulaResponse,
    GridRequest,
    GridResponse,
    Health,
    OptimizerInfo,
    PresetInfo,
    RunsResponse,
    SurfaceInfo,
)
from gradtrail.app.responses import FastJSONResponse
from gradtrail.app.streams import frames_computed
from gradtrail.presets import PRESETS, SWEEP_PRESETS
from gradtrail.spec import SurfaceSpec
from gradtrail.surfaces import Grid

router = APIRouter(prefix="/api", tags=["api"], default_response_class=FastJSONResponse)
TOO_LARGE = {413: {"description": "the request body is larger than the limit (8 MB)"}}


@router.get("/health", response_model=Health)
async def health() -> FastJSONResponse:
    """Liveness, the version, and how many stream frames this process has computed."""
    body = {"status": "ok", "version": __version__, "frames_computed": frames_computed()}
    return FastJSONResponse(body)


@router.get("/surfaces", response_model=list[SurfaceInfo])
async def surfaces() -> FastJSONResponse:
    """Every surface with its formula, parameters and their ranges, domain, minima and start."""
    return FastJSONResponse(list_surfaces())


@router.get("/optimizers", response_model=list[OptimizerInfo])
async def optimizers() -> FastJSONResponse:
    """Every optimizer with torch's hyperparameter names, defaults, ranges and update rule."""
    return FastJSONResponse(list_optimizers())


@router.post("/surfaces/grid", response_model=GridResponse, responses=TOO_LARGE)
async def grid(request: GridRequest) -> FastJSONResponse:
    """The surface on a grid for contours: ``z[j][i] = f(x[i], y[j])``, null where undefined."""
    sampled = await compute(sample_grid, request)
    return FastJSONResponse({"x": sampled.x, "y": sampled.y, "z": sampled.z})


def sample_grid(request: GridRequest) -> Grid:
    """Build the surface (a formula takes sympy a while) and sample it."""
    return build_surface(request.surface).grid(request.resolution, request.domain)


@router.post("/formula", response_model=FormulaResponse, responses=TOO_LARGE)
async def formula(request: FormulaRequest) -> FastJSONResponse:
    """Check a formula and show it and its exact gradient in LaTeX (a 422 says what is wrong)."""
    return FastJSONResponse(await compute(formula_forms, request.expression))


def formula_forms(expression: str) -> dict[str, str]:
    """``f`` and its partial derivatives, each in LaTeX and in plain text."""
    try:
        surface = build_surface(SurfaceSpec(id="custom", expression=expression))
    except SpecError as error:
        raise SpecError("expression", error.message) from None
    info = surface.extra
    parts = ("f", "df_dx", "df_dy")
    return {
        **{p: info[f"latex_{p}"] for p in parts},
        **{f"{p}_text": info[f"text_{p}"] for p in parts},
    }


def page_catalog() -> dict[str, object]:
    """What the page's menus are built from: the four catalogue answers below, in one.

    The page carries it inline, so its first run need not wait for four round trips.
    """
    return {
        "surfaces": list_surfaces(),
        "optimizers": list_optimizers(),
        "presets": [preset.as_dict() for preset in PRESETS.values()],
        "sweep_presets": [preset.as_dict() for preset in SWEEP_PRESETS.values()],
    }


@router.get("/presets", response_model=list[PresetInfo])
async def presets() -> FastJSONResponse:
    """The lessons: a title, two sentences and a spec each."""
    return FastJSONResponse([preset.as_dict() for preset in PRESETS.values()])


@router.get("/sweep-presets", response_model=list[PresetInfo])
async def sweep_presets() -> FastJSONResponse:
    """The sweep lessons: a title, two sentences and a sweep spec each."""
    return FastJSONResponse([preset.as_dict() for preset in SWEEP_PRESETS.values()])


@router.post("/figures", response_model=FiguresResponse, responses=TOO_LARGE)
async def figures_of(simulation: SimulationDep) -> FastJSONResponse:
    """The plotly figures of a spec before it runs (each path is its start point).

    The page draws these, then streams the paths into the traces whose
    ``meta.run`` is the run's index; styling lives in one place, server-side.
    """
    return FastJSONResponse(await compute(start_figures, simulation))


def start_figures(simulation: Simulation) -> dict[str, orjson.Fragment]:
    """The contour, 3-D and loss figures of a simulation's start, as plotly JSON."""
    preview = simulation.preview()
    return {
        "contour": orjson.Fragment(figures.contour(preview, steps=simulation.spec.steps).to_json()),
        "surface3d": orjson.Fragment(figures.surface3d(preview).to_json()),
        "convergence": orjson.Fragment(figures.convergence(preview).to_json()),
    }


CSV_RESPONSE = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}},
          "description": "with Accept: text/csv or ?format=csv: one row per run and step"},
}  # fmt: skip


@router.post("/runs", response_model=RunsResponse, responses={**TOO_LARGE, **CSV_RESPONSE})
async def runs(
    spec: SpecBody,
    accept: Annotated[str | None, Header()] = None,
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
) -> Response:
    """Run a spec to the end and return every trajectory with its status.

    ``Accept: text/csv`` (or ``?format=csv``) returns the numbers as CSV instead: one
    row per run and step with x, y, loss, grad_norm and, with ``record: ["state"]``,
    the lr, gradient, step and optimizer state of the step that led there.
    """
    result = await compute(run, spec)  # built and run in one trip to a worker thread
    wants_csv = format == "csv" or (format is None and "text/csv" in (accept or ""))
    if wants_csv:
        text = await compute(result.to_csv)
        disposition = {"content-disposition": 'attachment; filename="gradtrail-runs.csv"'}
        return PlainTextResponse(text, media_type="text/csv", headers=disposition)
    return FastJSONResponse(result.as_dict())
