"""The JSON API: health, catalogues, grids and whole runs."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response

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
from gradtrail.app.compute import Admission, admits, load, memory_releases
from gradtrail.app.connections import open_connections
from gradtrail.app.costs import RECORD_STEPS
from gradtrail.app.deps import LangQuery, RunAdmission, SmallAdmission, SpecDep
from gradtrail.app.jsonio import OrjsonBodyRoute, dumps
from gradtrail.app.limits import large_bodies, open_streams
from gradtrail.app.models import (
    MAX_BOX,
    MIN_BOX,
    AveragesResponse,
    BackpropRequest,
    BackpropResponse,
    DataViewRequest,
    DataViewResponse,
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
from gradtrail.app.settings import get_settings
from gradtrail.app.streams import frames_computed, start_figures
from gradtrail.app.video import REPLAY_SECONDS
from gradtrail.axes import AXIS_COUNT, DATA_AXES, START_AXES
from gradtrail.backprop import backprop as backprop_graph
from gradtrail.cost import data_size, data_view_work, evaluation_cost, grid_work
from gradtrail.dataview import data_view as data_view_at
from gradtrail.fields import COORDINATE_LIMIT
from gradtrail.figures.style import THEMES
from gradtrail.finite_differences import CHECK_EVALUATIONS, DEFAULT_STEP, MAX_STEP, MIN_STEP
from gradtrail.formula import FormulaError, custom_surface
from gradtrail.presets import DEFAULT_OPTIMIZER, DEFAULT_PRESET, PRESETS, SWEEP_PRESETS
from gradtrail.schedules import schedule_defaults
from gradtrail.spec import (
    MAX_EXPRESSION,
    MAX_LABEL,
    MAX_OPTIMIZERS,
    MAX_STEPS,
    MinibatchStep,
    RunSpec,
    SurfaceSpec,
)
from gradtrail.surfaces import Grid
from gradtrail.sweep import MAX_AXIS, MAX_SWEEP_STEPS, SweepSpec
from gradtrail.texts import LANGUAGES, messages

router = APIRouter(
    route_class=OrjsonBodyRoute,
    prefix="/api",
    tags=["api"],
    default_response_class=FastJSONResponse,
)
TOO_LARGE = {
    413: {"description": "the request body is larger than the limit (GRADTRAIL_MAX_BODY_BYTES)"},
    503: {"description": "the server is busy (see Retry-After) or the computation passed its"
          " deadline (GRADTRAIL_DEADLINE_SECONDS)"},
}  # fmt: skip


@router.head("/health", include_in_schema=False)
@router.get("/health", response_model=Health)
async def health() -> FastJSONResponse:
    """Liveness, the version, and this worker process's load.

    Everything here is per process: with ``--workers N`` each answer comes from
    the worker that took the request (``pid``), not from the server as a whole.
    """
    body = {
        "status": "ok",
        "version": __version__,
        "pid": os.getpid(),
        "frames_computed": frames_computed(),
        "open_streams": open_streams(),
        "open_connections": open_connections(),
        "compute": load(),
        "memory_releases": memory_releases(),
        "large_bodies": large_bodies(),
    }
    return FastJSONResponse(body)


@router.get("/surfaces", response_model=list[SurfaceInfo])
async def surfaces(lang: LangQuery = "en") -> FastJSONResponse:
    """Every surface with its formula, parameters and their ranges, domain, minima and start."""
    return FastJSONResponse(list_surfaces(lang))


@router.get("/optimizers", response_model=list[OptimizerInfo])
async def optimizers(lang: LangQuery = "en") -> FastJSONResponse:
    """Every optimizer with torch's hyperparameter names, defaults, ranges and update rule."""
    return FastJSONResponse(list_optimizers(lang))


# Each body is read once, for the route and for the estimate of its work alike.
async def grid_body(request: GridRequest) -> GridRequest:
    return request


async def backprop_body(request: BackpropRequest) -> BackpropRequest:
    return request


async def data_view_body(request: DataViewRequest) -> DataViewRequest:
    return request


GridDep = Annotated[GridRequest, Depends(grid_body)]
BackpropDep = Annotated[BackpropRequest, Depends(backprop_body)]
DataViewDep = Annotated[DataViewRequest, Depends(data_view_body)]


async def grid_cost(request: GridDep) -> float:
    """A grid costs resolution² evaluations of its surface."""
    return grid_work(request.resolution, evaluation_cost(request.surface))


async def backprop_cost(request: BackpropDep) -> float:
    """Every sample's terms, and the finite-difference check's evaluations of the loss."""
    checks = grid_work(1, evaluation_cost(request.surface)) * CHECK_EVALUATIONS
    return samples_work(request.surface, request.minibatch) + checks


async def data_view_cost(request: DataViewDep) -> float:
    return samples_work(request.surface, request.minibatch)


GridAdmission = Annotated[Admission, Depends(admits(grid_cost))]
BackpropAdmission = Annotated[Admission, Depends(admits(backprop_cost))]
DataViewAdmission = Annotated[Admission, Depends(admits(data_view_cost))]


@router.post("/surfaces/grid", response_model=GridResponse, responses=TOO_LARGE)
async def grid(request: GridDep, admission: GridAdmission) -> FastJSONResponse:
    """The surface on a grid for contours: ``z[j][i] = f(x[i], y[j])``, null where undefined."""
    sampled = await admission.bounded(sample_grid, request)
    return FastJSONResponse({"x": sampled.x, "y": sampled.y, "z": sampled.z})


def sample_grid(request: GridRequest, check: Callable[[], None]) -> Grid:
    """Build the surface and sample it (``check`` stops it at its deadline)."""
    return build_surface(request.surface).grid(request.resolution, request.domain, check)


def samples_work(surface: SurfaceSpec, minibatch: MinibatchStep | None) -> float:
    """What a data view or backprop costs: every sample, and the batch the step drew."""
    return data_view_work(data_size(surface), minibatch.size if minibatch else None)


@router.post("/backprop", response_model=BackpropResponse, responses=TOO_LARGE)
async def backprop(
    request: BackpropDep, admission: BackpropAdmission, lang: LangQuery = "en"
) -> FastJSONResponse:
    """The loss's computation graph at a point: every node's forward value and adjoint
    ``∂f/∂node`` (one reverse sweep), every edge's local derivative; on the line-fit bowl
    one sample's loss and how the per-sample gradients average to the gradient. With
    ``figure: true`` also the plotly figure of it (its texts in ``lang``)."""
    return FastJSONResponse(await admission.run(graph_at, request, lang))


def graph_at(request: BackpropRequest, lang: str) -> dict:
    """Build the surface and its graph at the point (a 422 names what stops it)."""
    surface = build_surface(request.surface)
    shown = backprop_graph(
        surface,
        request.point,
        request.sample,
        request.shared,
        request.minibatch,
        lang,
        request.h,
    )
    if request.figure:
        figure = figures.backprop_figure(shown, lang, request.width)
        shown["figure"] = orjson.Fragment(figure.to_json())
    return shown


@router.post("/data-view", response_model=DataViewResponse, responses=TOO_LARGE)
async def data_view(
    request: DataViewDep, admission: DataViewAdmission, lang: LangQuery = "en"
) -> FastJSONResponse:
    """A data surface at a point: the samples (a bounded list), the model's line or the
    neuron's curve, residuals, the mean of the per-sample gradients and, for a step of a
    run with minibatches, the batch it drew and its mean gradient. With ``figure: true``
    also the plotly figure and the contour's arrow traces (texts in ``lang``)."""
    return FastJSONResponse(await admission.run(data_at, request, lang))


def data_at(request: DataViewRequest, lang: str) -> dict:
    """Build the surface and look at its data at the point (a 422 names what stops it)."""
    surface = build_surface(request.surface)
    shown = data_view_at(surface, request.point, request.minibatch)
    if request.figure:
        shown["figure"] = orjson.Fragment(figures.data_view_figure(shown, lang).to_json())
        traces = figures.arrow_traces(shown, surface.domain, lang)
        shown["arrow_traces"] = [orjson.Fragment(trace.to_json()) for trace in traces]
    return shown


@router.post("/formula", response_model=FormulaResponse, responses=TOO_LARGE)
async def formula(request: FormulaRequest, admission: SmallAdmission) -> FastJSONResponse:
    """Check a formula and show it and its exact gradient in LaTeX (a 422 says what is wrong)."""
    return FastJSONResponse(await admission.run(formula_forms, request.expression))


def formula_forms(expression: str) -> dict[str, str]:
    """``f`` and its partial derivatives, each in LaTeX and in plain text."""
    try:
        surface = custom_surface(expression)
    except FormulaError as error:
        raise SpecError("expression", str(error), error.kind, error.context) from None
    info = surface.extra
    parts = ("f", "df_dx", "df_dy")
    return {
        **{p: info[f"latex_{p}"] for p in parts},
        **{f"{p}_text": info[f"text_{p}"] for p in parts},
    }


def page_catalog(lang: str = "en") -> dict[str, object]:
    """What the page is built from, in ``lang``: its limits and defaults, the four
    catalogue answers below, and every text it shows (the language's catalogue, see
    :mod:`gradtrail.texts`), in one. Nothing of it is typed again in the page's code.

    The page carries it inline, so its first run need not wait for four round trips.
    """
    return {
        "lang": lang,
        "languages": list(LANGUAGES),
        "messages": dict(messages(lang)),  # every text the page and its panels show
        "limits": {
            "steps": MAX_STEPS,
            "optimizers": MAX_OPTIMIZERS,
            "formula_length": MAX_EXPRESSION,
            "label_length": MAX_LABEL,
            "sweep_steps": MAX_SWEEP_STEPS,
            "sweep_axis_count": MAX_AXIS,
            "record_steps": RECORD_STEPS,
            "finite_difference_step": {"min": MIN_STEP, "max": MAX_STEP, "default": DEFAULT_STEP},
            "figure_width": {"min": MIN_BOX, "max": MAX_BOX},
            "link_characters": get_settings().max_link_characters,
            "coordinate": COORDINATE_LIMIT,  # of a start or a window: a zoom stays within
        },
        "defaults": {
            "steps": RunSpec.model_fields["steps"].default,
            "sweep_steps": SweepSpec.model_fields["steps"].default,
            "preset": DEFAULT_PRESET,
            "replay_seconds": REPLAY_SECONDS,  # the page's Play, as the player's and a video's
            "optimizer": DEFAULT_OPTIMIZER,
            "schedules": schedule_defaults(),
        },
        "sweep": {
            "start_axes": list(START_AXES),
            "data_axes": list(DATA_AXES),
            "axis_count": AXIS_COUNT,
        },
        "surfaces": list_surfaces(lang),
        "optimizers": list_optimizers(lang),
        "presets": [preset.as_dict(lang) for preset in PRESETS.values()],
        "sweep_presets": [preset.as_dict(lang) for preset in SWEEP_PRESETS.values()],
        # How the page redraws the figures in each theme (its colours are in the page's CSS).
        "themes": {name: theme["figure"] for name, theme in THEMES.items()},
    }


@router.get("/presets", response_model=list[PresetInfo])
async def presets(lang: LangQuery = "en") -> FastJSONResponse:
    """The lessons: a title, two sentences and a spec each."""
    return FastJSONResponse([preset.as_dict(lang) for preset in PRESETS.values()])


@router.get("/sweep-presets", response_model=list[PresetInfo])
async def sweep_presets(lang: LangQuery = "en") -> FastJSONResponse:
    """The sweep lessons: a title, two sentences and a sweep spec each."""
    return FastJSONResponse([preset.as_dict(lang) for preset in SWEEP_PRESETS.values()])


@router.post("/figures", response_model=FiguresResponse, responses=TOO_LARGE)
async def figures_of(
    spec: SpecDep, admission: SmallAdmission, lang: LangQuery = "en"
) -> FastJSONResponse:
    """The plotly figures of a spec before it runs (each path is its start point).

    The page draws these, then streams the paths into the traces whose
    ``meta.run`` is the run's index; styling lives in one place, server-side.
    """
    return FastJSONResponse(await admission.run(figures_at_start, spec, lang))


def figures_at_start(spec: RunSpec, lang: str) -> dict:
    """Build the simulation and draw its start figures."""
    return start_figures(Simulation(spec, lang))


@router.post("/figures/averages", response_model=AveragesResponse, responses=TOO_LARGE)
async def averages_outline(
    spec: SpecDep, admission: SmallAdmission, lang: LangQuery = "en"
) -> FastJSONResponse:
    """The moving-averages figure of a spec before it runs: every trace empty, its
    ``meta.averages`` naming the recorded state it draws (``record: ["state"]``), so the
    page fills it from the state its stream sends instead of running the spec again."""

    def outline() -> str:
        return figures.moving_averages(Simulation(spec, lang).preview()).to_json()

    return FastJSONResponse({"figure": orjson.Fragment(await admission.run(outline))})


@router.post("/averages", response_model=AveragesResponse, responses=TOO_LARGE)
async def averages(
    spec: SpecDep, admission: RunAdmission, lang: LangQuery = "en"
) -> FastJSONResponse:
    """The moving averages of a spec's runs (momentum, RMSProp, Adam …): the spec is run
    with its optimizer state recorded, so runs × steps may not pass ``record_steps``."""
    if len(spec.optimizers) * spec.steps > RECORD_STEPS:
        raise SpecError(
            "steps",
            f"{len(spec.optimizers)} runs × {spec.steps} steps pass the {RECORD_STEPS:,} steps"
            " whose state is recorded: ask for fewer steps or runs",
        )
    recorded = spec.model_copy(update={"record": ["state"]})
    result = await admission.bounded(partial(run, lang=lang), recorded)
    figure = await admission.run(lambda: figures.moving_averages(result).to_json())
    return FastJSONResponse({"figure": orjson.Fragment(figure)})


CSV_RESPONSE = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}},
          "description": "with Accept: text/csv or ?format=csv: one row per run and step"},
}  # fmt: skip


@router.post("/runs", response_model=RunsResponse, responses={**TOO_LARGE, **CSV_RESPONSE})
async def runs(
    spec: SpecDep,
    admission: RunAdmission,
    accept: Annotated[str | None, Header()] = None,
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
    lang: LangQuery = "en",
) -> Response:
    """Run a spec to the end and return every trajectory with its status.

    ``Accept: text/csv`` (or ``?format=csv``) returns the numbers as CSV instead: one
    row per run and step with x, y, loss, grad_norm and, with ``record: ["state"]``,
    the lr, gradient, step and optimizer state of the step that led there.
    """
    # Built and run in one trip to a worker thread, stopped by the deadline or a client
    # that leaves; then encoded in another (its size checked against the cap).
    result = await admission.bounded(partial(run, lang=lang), spec)
    wants_csv = format == "csv" or (format is None and "text/csv" in (accept or ""))
    if wants_csv:
        disposition = {"content-disposition": 'attachment; filename="gradtrail-runs.csv"'}
        return await admission.answer(result.to_csv, media_type="text/csv", headers=disposition)
    return await admission.answer(
        lambda: dumps(result.as_dict()), media_type=FastJSONResponse.media_type
    )
