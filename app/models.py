"""Response models: the shapes ``/docs`` shows and Schemathesis checks.

Request models are the engine's own spec models (:mod:`gradtrail.spec`), so the
API, the CLI and notebooks validate the same way.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from gradtrail.fields import Bounded
from gradtrail.finite_differences import DEFAULT_STEP, MAX_STEP, MIN_STEP
from gradtrail.kinds import SURFACE_KINDS
from gradtrail.panels import PANELS
from gradtrail.spec import (
    MAX_EXPRESSION,
    MAX_POINTS,
    MAX_STEPS,
    Domain,
    MinibatchStep,
    Strict,
    SurfaceSpec,
)
from gradtrail.stationary import StationaryWord
from gradtrail.surfaces import GRID_RESOLUTION

MAX_RESOLUTION = 400
MIN_BOX, MAX_BOX = 100, 7680  # a figure's box, px: up to an 8K screen's width
Number = float | None  # null stands where a value is undefined (never NaN or Infinity)


class LaneLoad(BaseModel):
    running: int = Field(description="computations on this lane's threads now")
    waiting: int = Field(description="admitted computations waiting for a thread")
    queue: int = Field(description="how many may wait; one more is refused with 503")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    pid: int = Field(description="the worker process that answered (all below is per process)")
    frames_computed: int = Field(description="stream frames this process has computed")
    open_streams: int = Field(description="event streams this process has open")
    open_connections: int = Field(
        description="connections this process holds open (GRADTRAIL_MAX_CONNECTIONS caps them)"
    )
    compute: dict[str, LaneLoad] = Field(description="per lane (small, large): the load")
    memory_releases: int = Field(
        description="times this process gave freed memory back after its lanes went idle"
    )
    large_bodies: int = Field(
        description="large request bodies this process is reading or handling now, each in"
        " one of GRADTRAIL_LARGE_BODIES places"
    )


class SurfaceParamInfo(BaseModel):
    name: str
    default: float
    min: float
    max: float
    help: str


class ChoiceInfo(BaseModel):
    id: str
    name: str


class DataFormField(BaseModel):
    name: str
    step: Literal["1", "any"] = Field(description="an input's step: 1 for a count")
    label: str


class MenuInfo(BaseModel):
    field: str = Field(description="the spec field it sets")
    label: str
    default: str = Field(description="the choice unless the spec names one")
    choices: list[ChoiceInfo]


class DataFormInfo(BaseModel):
    key: str = Field(description="the spec field its generated data's settings go under")
    defaults: dict[str, object] = Field(description="those settings at their defaults")
    fields: list[DataFormField] = Field(description="the settings the page shows")
    standardize: bool = Field(description="the box offers to standardize x")
    csv_label: str = Field(description="text key: what the pasted box asks for")
    generated: str = Field(description="text key: the generated box's title")
    example: str = Field(description="a CSV shown greyed in the pasted box")
    view: str = Field(description="the data view's model")


class SurfaceInfo(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    formula: str = Field(description="LaTeX")
    params: list[SurfaceParamInfo]
    domain: list[list[float]] = Field(description="[[xmin, xmax], [ymin, ymax]]")
    minima: list[list[float]]
    default_start: list[float]
    data: bool = Field(description="fitted to samples: runs take a batch_size, backprop a sample")
    example: dict[str, object] = Field(description="the fields of a new spec of this kind")
    axes: list[str] = Field(description="what its two parameters are called")
    data_form: DataFormInfo | None = Field(
        None, description="a kind fitted to samples: its data box (generated data's settings)"
    )
    menus: list[MenuInfo] = Field(description="its fields chosen from a menu (a loss …)")


class HyperParamInfo(BaseModel):
    name: str
    default: float | bool | list[float]
    min: float | None
    max: float | None
    max_inclusive: bool
    kind: Literal["float", "bool", "pair"]
    label: str = Field(description="the learner's name for it, in the language asked for")
    help: str


class OptimizerInfo(BaseModel):
    id: str
    name: str
    torch: str = Field(description="the torch.optim call this optimizer reproduces")
    rule: str = Field(description="the update rule in LaTeX")
    params: list[HyperParamInfo]
    sweep_axes: list[str] = Field(
        description="the axes a sweep of it may vary (on a surface with data, batch_size too)"
    )
    first_sweep: list[dict[str, Any]] = Field(
        description="the axes the page's sweep form offers first"
    )
    axis_words: dict[str, str] = Field(
        description="each sweep axis (batch_size too) in the learner's words, in the language"
        " asked for; torch's name is the key"
    )


class BackpropRequest(Strict):
    """A surface's computation graph at a point: forward values, adjoints, local derivatives."""

    surface: SurfaceSpec
    point: tuple[Bounded, Bounded] = Field(description="(x, y), or (w, b) on the line-fit bowl")
    sample: Annotated[int, Field(strict=True, ge=0, lt=MAX_POINTS)] | None = Field(
        None, description="the line-fit bowl's sample whose loss is drawn (default: the first)"
    )
    shared: StrictBool = Field(
        True, description="false: the same function as a tree, no node shared"
    )
    minibatch: MinibatchStep | None = Field(
        None, description="on a data surface: also the mean over the batch this step drew"
    )
    figure: StrictBool = Field(False, description="true: with the plotly figure of the graph")
    h: Annotated[float, Field(strict=True, allow_inf_nan=False, ge=MIN_STEP, le=MAX_STEP)] = Field(
        DEFAULT_STEP, description="the finite-difference check's step"
    )
    width: Annotated[int, Field(strict=True, ge=MIN_BOX, le=MAX_BOX)] | None = Field(
        None, description="the box the figure is drawn in, px: its tags wrap to fit it"
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "surface": {"id": "custom", "expression": "(x*y + x)^2"},
                    "point": [1.0, 2.0],
                    "shared": False,
                }
            ]
        },
    )


class GraphNode(BaseModel):
    id: int
    op: str = Field(description="add, mul, sin, …; input or const for a leaf")
    label: str
    kind: Literal["parameter", "data", "constant", "operation"]
    layer: int = Field(description="the longest path to it from a leaf")
    value: Number = Field(description="its forward value")
    adjoint: Number = Field(description="∂f/∂node (null for a constant)")
    tangents: list[Number] = Field(
        description="forward mode: ∂node/∂parameter, one per parameter (one pass each)"
    )


class GraphEdge(BaseModel):
    source: int
    target: int
    local: Number = Field(description="∂target/∂source at the point")
    product: Number = Field(description="the chain-rule term: ∂f/∂target × local")
    tangent_products: list[Number] = Field(
        description="forward mode, per pass: local × ∂source/∂parameter, its share of the "
        "target's tangent"
    )


class GraphSignal(BaseModel):
    node: int = Field(description="the node whose adjoint is the error signal")
    label: str = Field(description="what it is, e.g. δ₂ = ∂ℓ/∂ŷ = 0.5, the output's error signal")
    key: str = Field(description="its text's key in the catalogues (the same in every language)")
    value: Number = Field(description="its number: the adjoint, or for an update the mean")
    update: bool = Field(description="a parameter's update: the mean of its adjoints, ∂L/∂p")


class ForwardPass(BaseModel):
    parameter: str
    derivative: Number = Field(description="∂f/∂parameter: what this one pass gives")


class ForwardMode(BaseModel):
    order: list[int] = Field(description="the nodes a forward pass visits, inputs first")
    passes: list[ForwardPass] = Field(description="one pass per parameter")
    gradient: list[Number]


class SweptStep(BaseModel):
    h: float
    relative_error: Number


class FiniteDifferences(BaseModel):
    h: float = Field(description="the step asked for")
    estimate: list[Number] = Field(description="(L(p + h eᵢ) − L(p − h eᵢ)) / 2h per parameter")
    exact: list[Number] = Field(description="the exact gradient of the loss")
    error: list[Number] = Field(description="|estimate − exact| per parameter")
    relative_error: Number = Field(description="‖estimate − exact‖ / ‖exact‖")
    evaluations: int = Field(description="loss evaluations the estimate took: 2 per parameter")
    per_parameter: int
    parameters: int
    many: dict[str, int] = Field(description="the count for a million parameters")
    sweep: list[SweptStep] = Field(description="the relative error at h = 1e-1 … 1e-13")


class BackpropResponse(BaseModel):
    parameters: list[str]
    point: list[float]
    value: Number
    output: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    gradient: list[Number] = Field(description="the parameters' adjoints: the gradient")
    backward_order: list[int] = Field(description="the nodes of the backward pass, in order")
    signals: list[GraphSignal] = Field(
        description="the nodes whose adjoints are error signals (δ), labelled in the asked "
        "language, in the backward pass's order (in a tree, every copy)"
    )
    shared: bool
    size: dict[str, int] = Field(description="nodes as the DAG (graph) and as a tree")
    cost: dict[str, Any]
    samples: dict[str, Any] | None = Field(
        None, description="on the line-fit bowl: per-sample gradients and their mean"
    )
    forward: ForwardMode = Field(description="the same derivatives by forward mode")
    finite_differences: FiniteDifferences = Field(
        description="the loss's gradient checked by central differences of step h"
    )
    figure: dict[str, Any] | None = Field(None, description="the plotly figure, when asked for")


class DataViewRequest(Strict):
    """A data surface's samples and model at a point, and how their gradients add up."""

    surface: SurfaceSpec
    point: tuple[Bounded, Bounded] = Field(description="(w, b)")
    minibatch: MinibatchStep | None = Field(
        None, description="a step of a run with minibatches: the batch it drew is marked"
    )
    figure: StrictBool = Field(
        False, description="true: with the plotly figure of the data and the contour's arrows"
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "surface": {"id": "regression", "generate": {"noise": 2.0, "n": 200}},
                    "point": [3.0, 2.0],
                    "minibatch": {"size": 16, "seed": 0, "run": 0, "step": 5},
                }
            ]
        },
    )


DataViewKind = Literal[tuple(k.data.view for k in SURFACE_KINDS.values() if k.data)]  # type: ignore[valid-type]


class DataViewResponse(BaseModel):
    kind: DataViewKind = Field(description="the model drawn: a line, a neuron's sigmoid …")
    point: list[float]
    count: int = Field(description="how many samples (all are summed; some are listed)")
    loss: Number = Field(description="the mean loss over all samples")
    gradient: list[Number] = Field(description="the mean of the per-sample gradients")
    samples: dict[str, Any] = Field(
        description="listed samples: index, x, t, prediction, residual, in_batch"
    )
    curve: dict[str, Any] = Field(description="the model's line or curve over the data's x")
    target: dict[str, Any] | None = Field(
        description="the model at the surface's minimum where one is known (the least-squares line)"
    )
    arrows: dict[str, Any] = Field(description="per-sample gradients of a few samples")
    minibatch: dict[str, Any] | None = Field(
        description="the step's batch: its size, mean loss and mean gradient (the one used)"
    )
    figure: dict[str, Any] | None = Field(None, description="the plotly figure, when asked for")
    arrow_traces: list[dict[str, Any]] | None = Field(
        None, description="plotly traces of the gradients' arrows for the contour, when asked"
    )


class GridRequest(Strict):
    """A surface sampled for contours: ``z[j][i] = f(x[i], y[j])``."""

    surface: SurfaceSpec
    resolution: Annotated[int, Field(strict=True, ge=2, le=MAX_RESOLUTION)] = GRID_RESOLUTION
    domain: Domain | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"surface": {"id": "himmelblau"}, "resolution": 50}]},
    )


class FormulaRequest(Strict):
    """A formula in x and y to check, as the page does while someone types."""

    expression: Annotated[str, Field(max_length=MAX_EXPRESSION)]

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"expression": "(1 - x)^2 + 100*(y - x^2)^2"}]},
    )


class FormulaResponse(BaseModel):
    # Each is null when it would pass the budget of characters shown (a huge derivative).
    f: str | None = Field(description="the formula in LaTeX (null: too long to show)")
    df_dx: str | None = Field(description="∂f/∂x in LaTeX (null: too long to show)")
    df_dy: str | None = Field(description="∂f/∂y in LaTeX (null: too long to show)")
    f_text: str | None = Field(description="the formula as plain text, ^ for power")
    df_dx_text: str | None = Field(description="∂f/∂x as plain text")
    df_dy_text: str | None = Field(description="∂f/∂y as plain text")


class GridResponse(BaseModel):
    x: list[float]
    y: list[float]
    z: list[list[Number]] = Field(description="z[j][i] = f(x[i], y[j]); null where undefined")


class ResolvedSurface(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    formula: str
    loss_latex: str = Field(description="the loss named by its parameters, in LaTeX: L(w, b) = …")
    params: dict[str, float]
    domain: list[list[float]]
    minima: list[list[float]]
    default_start: list[float]


class AnatomyLine(BaseModel):
    """One line of the step's equations, as the page's "Inside the step" typesets them."""

    latex: str = Field(
        description="the line in LaTeX, where $name stands for the recorded state at the "
        "step (the pair (name_x, name_y), $lr for η, $t for the step number), to be "
        "replaced by those numbers, written as LaTeX, before it is typeset"
    )
    early: str | None = Field(
        None, description="what the line reads (in LaTeX) for t <= early_steps"
    )
    early_steps: int | None = Field(None, ge=0)


class RunMeta(BaseModel):
    label: str
    optimizer: str
    params: dict[str, float | bool | list[float]]
    batch_size: int | None = None
    anatomy: list[AnatomyLine] = Field(
        description="the update rule with this run's hyperparameters, in the request's language"
    )
    memory: str | None = Field(
        None, description="the recorded vector that carries past steps' direction (velocity, m)"
    )
    latex: list[str] = Field(
        default_factory=list,
        description="each parameter's update in LaTeX: the optimizer's rule for that parameter",
    )


class RunItem(RunMeta):
    x: list[float]
    y: list[float]
    loss: list[float]
    grad_norm: list[float]
    status: Literal["converged", "max_steps", "diverged"]
    steps_taken: Annotated[int, Field(ge=0, le=MAX_STEPS)]
    final_loss: float
    distance_to_min: float | None
    stationary: StationaryWord | None = Field(
        None,
        description="a converged run: what its gradient-zero point is, read from the loss's "
        "curvature there (the Hessian's eigenvalues): minimum (all > 0), maximum (all < 0), "
        "saddle (both signs), valley or ridge (one sign and ~0), flat (all ~0); null for a "
        "run that did not converge (or a network of over 256 parameters)",
    )
    state: dict[str, list[float]] | None = Field(
        None,
        description='with record: ["state"]: per step, lr, gradient, step and the '
        "optimizer's vectors (<name>_x, <name>_y); one entry fewer than x",
    )
    schedule: dict[str, Any] | None = None
    off_plane: list[float] | None = Field(
        None,
        description="a surface of many parameters (network): per point, its distance from "
        "the plane (surface.plane) that x and y are coordinates on",
    )
    parameters: list[list[float]] | None = Field(
        None, description='with record: ["parameters"]: the parameter vector per point'
    )


class RunsResponse(BaseModel):
    surface: ResolvedSurface
    runs: list[RunItem]


class PresetInfo(BaseModel):
    id: str
    title: str
    caption: str
    spec: dict[str, Any]
    panels: list[Literal[PANELS]] = Field(  # type: ignore[valid-type]
        description="the page's panels the lesson opens"
    )


class FiguresResponse(BaseModel):
    contour: dict[str, Any] = Field(description="plotly figure: contour, minima, paths")
    surface3d: dict[str, Any] = Field(description="plotly figure: 3-D surface and paths")
    convergence: dict[str, Any] = Field(description="plotly figure: loss per step")


class AveragesResponse(BaseModel):
    figure: dict[str, Any] = Field(
        description="plotly figure: per coordinate and step, the gradient, the running averages"
        " the optimizers keep and their bias-corrected values"
    )


class SweepAxis(BaseModel):
    name: str
    values: list[float]
    scale: Literal["linear", "log"]


class SweepResponse(BaseModel):
    surface: ResolvedSurface
    axes: list[SweepAxis]
    shape: list[int] = Field(description="[len(axis 1), len(axis 0)] (or [1, n] for one axis)")
    final_loss: list[list[float]]
    status: list[list[Literal["converged", "max_steps", "diverged"]]]
    stationary: list[list[StationaryWord | None]] = Field(
        description="a converged cell: what its gradient-zero point is (as a run's "
        "stationary); null for the rest"
    )
    steps_taken: list[list[int]]
    steps_to_threshold: list[list[int | None]] = Field(
        description="first step with loss ≤ loss_threshold; null if never (or no threshold)"
    )
    basin: list[list[int | None]] = Field(description="index into surface.minima, or null")
    final_x: list[list[float]]
    final_y: list[list[float]]


RUN_SPEC_EXAMPLE = {
    "surface": {"id": "rosenbrock", "params": {"a": 1, "b": 100}},
    "start": [-1.5, 2.0],
    "steps": 500,
    "optimizers": [
        {"id": "adam", "params": {"lr": 0.05, "betas": [0.9, 0.999]}, "label": "Adam 0.05"},
        {"id": "momentum", "params": {"lr": 0.001, "momentum": 0.9}},
    ],
    "stop": {"grad_tol": 1e-9, "divergence_bound": 1e8},
    "seed": 0,
}
