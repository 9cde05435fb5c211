"""The run spec: what to run, validated with bounds (shared by the API and CLI).

Every field has a range, so no request can ask for unbounded work; errors name
the field that is wrong. Cross-field rules that need the registries
(hyperparameter names, surface params) are checked here too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from gradtrail.fields import Bounded, Domain, Finite, Seed, Strict, check_range
from gradtrail.formula import MAX_LENGTH
from gradtrail.optimizers import OPTIMIZERS
from gradtrail.schedules import ScheduleSpec
from gradtrail.surfaces import BUILTIN_SURFACES

MAX_STEPS = 20_000
MAX_OPTIMIZERS = 16
MAX_POINTS = 1_000_000
MAX_NEURON_POINTS = 10_000  # every evaluation of the neuron's loss visits every sample

# The registries are the only list of what exists: these types (and the API's enums) follow.
DATA_SURFACES = ("regression", "neuron")  # fitted to samples: they take data and minibatches
SurfaceId = Literal[(*BUILTIN_SURFACES, *DATA_SURFACES, "custom")]  # type: ignore[valid-type]
MAX_EXPRESSION = MAX_LENGTH  # the parser's own limit, which it also enforces on its own
MAX_LABEL = 80
OptimizerId = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]


class LineDataSpec(Strict):
    """Data points for the regression bowl: inputs ``x`` and targets ``y``."""

    x: Annotated[list[Finite], Field(min_length=2, max_length=MAX_POINTS)]
    y: Annotated[list[Finite], Field(min_length=2, max_length=MAX_POINTS)]

    @model_validator(mode="after")
    def same_length(self) -> LineDataSpec:
        if len(self.x) != len(self.y):
            raise ValueError(f"x has {len(self.x)} values but y has {len(self.y)}")
        return self


class GenerateSpec(Strict):
    """Synthetic line data ``t = slope·x + intercept + noise·N(0, 1)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # hashable: a cache key

    slope: Bounded = 2.0
    intercept: Bounded = 1.0
    noise: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0.0, le=1e6)] = 0.0
    n: Annotated[int, Field(strict=True, ge=2, le=MAX_POINTS)] = 100
    x_range: tuple[Bounded, Bounded] = (-5.0, 5.0)
    seed: Seed = 0

    @field_validator("x_range")
    @classmethod
    def ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not value[0] < value[1]:
            raise ValueError("x_range must be [low, high] with low < high")
        return value


Loss = Literal["cross_entropy", "mse"]  # the neuron's: see gradtrail.neuron
LOSSES: tuple[Loss, ...] = get_args(Loss)
DEFAULT_LOSS: Loss = "cross_entropy"  # convex: what the neuron is fitted under unless told


class ClassesSpec(Strict):
    """Synthetic two-class data for the neuron: classes 0 and 1 alternate, centred at
    ``∓separation/2``, each normal with standard deviation ``spread``."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # hashable: a cache key

    n: Annotated[int, Field(strict=True, ge=2, le=MAX_NEURON_POINTS)] = 60
    separation: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0.0, le=100.0)] = 2.0
    spread: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0.0, le=100.0)] = 1.0
    seed: Seed = 0


class SurfaceSpec(Strict):
    """Which surface, with its parameters (built-ins), data (regression) or formula (custom).

    ``domain`` overrides the plotting window (for ``custom`` it defaults to [-5, 5]²).
    """

    id: SurfaceId
    params: dict[str, Finite] = Field(default_factory=dict)
    data: LineDataSpec | None = None
    generate: GenerateSpec | None = None
    expression: Annotated[str, Field(max_length=MAX_EXPRESSION)] | None = None
    domain: Domain | None = None
    standardize: StrictBool = False
    classes: ClassesSpec | None = None
    loss: Loss | None = None

    @model_validator(mode="after")
    def fits_the_surface(self) -> SurfaceSpec:
        kind = BUILTIN_SURFACES.get(self.id)
        allowed = {p.name: p for p in kind.params} if kind else {}
        for name, value in self.params.items():
            param = allowed.get(name)
            if param is None:
                known = ", ".join(allowed) or "none"
                raise ValueError(f"unknown parameter '{name}' for {self.id} (known: {known})")
            check_range(name, value, param.min, param.max, inclusive=True)
        if self.id not in DATA_SURFACES and self.data:
            raise ValueError("data belongs to the surfaces with data (regression, neuron) only")
        if self.id != "regression" and self.generate:
            raise ValueError("generate belongs to the regression surface only")
        if self.id != "neuron" and (self.classes or self.loss):
            raise ValueError("classes and loss belong to the neuron surface only")
        if self.data and self.classes:
            raise ValueError("give either data or classes, not both")
        if self.id == "neuron" and self.data and len(self.data.x) > MAX_NEURON_POINTS:
            raise ValueError(f"the neuron takes at most {MAX_NEURON_POINTS:,} points")
        if self.standardize and self.id != "regression":
            raise ValueError("standardize belongs to the regression surface only")
        if self.data and self.generate:
            raise ValueError("give either data or generate, not both")
        if self.id == "custom" and self.expression is None:
            raise ValueError("a custom surface needs an expression in x and y")
        if self.id != "custom" and self.expression is not None:
            raise ValueError("expression belongs to the custom surface only")
        return self


HyperValue = bool | Finite | tuple[Finite, Finite]


class OptimizerSpec(Strict):
    """One run: an optimizer, its hyperparameters (torch's names), a label."""

    id: OptimizerId
    params: dict[str, HyperValue] = Field(default_factory=dict, validate_default=True)
    label: Annotated[str, Field(max_length=MAX_LABEL)] | None = None
    schedule: ScheduleSpec | None = None
    batch_size: Annotated[int, Field(strict=True, ge=1, le=MAX_POINTS)] | None = None

    @field_validator("params")
    @classmethod
    def known_params(cls, params: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if "id" not in info.data:
            return params  # the id is wrong already; that error is the one to read
        return resolve_params(info.data["id"], params)


def resolve_params(optimizer_id: str, given: dict[str, Any]) -> dict[str, Any]:
    """Every hyperparameter of the optimizer, defaults filled, each checked against its range."""
    optimizer = OPTIMIZERS[optimizer_id]
    unknown = set(given) - {hp.name for hp in optimizer.params}
    if unknown:
        known = ", ".join(hp.name for hp in optimizer.params)
        name = sorted(unknown)[0]
        raise ValueError(f"unknown hyperparameter '{name}' for {optimizer_id} (known: {known})")
    resolved: dict[str, Any] = {}
    for hp in optimizer.params:
        value = given.get(hp.name, hp.default)
        if hp.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{hp.name} must be true or false")
            resolved[hp.name] = value
            continue
        values = value if hp.kind == "pair" else (value,)
        if isinstance(value, bool) or (
            hp.kind == "pair" and not (isinstance(value, tuple | list) and len(value) == 2)
        ):
            raise ValueError(
                f"{hp.name} must be {'two numbers' if hp.kind == 'pair' else 'a number'}"
            )
        if hp.kind != "pair" and isinstance(value, tuple | list):
            raise ValueError(f"{hp.name} must be a number")
        for item in values:
            check_range(hp.name, float(item), hp.min, hp.max, hp.max_inclusive)
        resolved[hp.name] = tuple(float(v) for v in values) if hp.kind == "pair" else float(value)
    if optimizer.check is not None:
        optimizer.check(resolved)  # the optimizer's own rules across its hyperparameters
    return resolved


class MinibatchStep(Strict):
    """One step of a run with minibatches: the batch it drew is drawn again as the run drew
    it (the run's seeded epochs), so nobody needs to store it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    size: Annotated[int, Field(strict=True, ge=1, le=MAX_POINTS)] = Field(
        description="the run's batch_size"
    )
    seed: Seed = Field(0, description="the spec's seed")
    run: Annotated[int, Field(strict=True, ge=0, lt=MAX_OPTIMIZERS)] = Field(
        0, description="the run's index in the spec"
    )
    step: Annotated[int, Field(strict=True, ge=0, lt=MAX_STEPS)] = Field(
        description="the step that leaves point `step` of the path (0 leaves the start)"
    )


class StopSpec(Strict):
    """When a run ends early: converged below ``grad_tol``, diverged beyond ``divergence_bound``."""

    grad_tol: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0.0, le=1e6)] = 1e-9
    divergence_bound: Annotated[
        float, Field(allow_inf_nan=False, strict=True, gt=0.0, le=1e300)
    ] = 1e8


class RunSpec(Strict):
    """Everything needed to reproduce a set of trajectories."""

    surface: SurfaceSpec
    start: tuple[Finite, Finite] | None = None
    steps: Annotated[int, Field(strict=True, ge=1, le=MAX_STEPS)] = 200
    optimizers: Annotated[list[OptimizerSpec], Field(min_length=1, max_length=MAX_OPTIMIZERS)]
    stop: StopSpec = Field(default_factory=StopSpec)
    seed: Seed = 0
    record: Annotated[list[Literal["state"]], Field(max_length=1)] = Field(
        default_factory=list,
        description='["state"]: each run also carries its optimizer state per step',
    )

    @model_validator(mode="after")
    def batch_size_needs_data(self) -> RunSpec:
        for index, entry in enumerate(self.optimizers):
            if entry.batch_size is not None and self.surface.id not in DATA_SURFACES:
                raise ValueError(
                    f"optimizers[{index}].batch_size needs a surface with data "
                    f"({', '.join(DATA_SURFACES)}), not {self.surface.id}"
                )
        return self
