"""The run spec: what to run, validated with bounds (shared by the API and CLI).

Every field has a range, so no request can ask for unbounded work; errors name
the field that is wrong. Cross-field rules that need the registries
(hyperparameter names, surface params) are checked here too.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from gradtrail.fields import MAX_POINTS, Domain, Finite, LineDataSpec, Seed, Strict, check_range
from gradtrail.formula import MAX_LENGTH
from gradtrail.kinds import SURFACE_KINDS, data_kinds
from gradtrail.neuron import DEFAULT_LOSS, LOSSES, MAX_NEURON_POINTS, ClassesSpec, Loss
from gradtrail.optimizers import OPTIMIZERS
from gradtrail.regression import GenerateSpec
from gradtrail.schedules import ScheduleSpec

__all__ = [  # the data kinds' field models, importable from here as before
    "DEFAULT_LOSS",
    "LOSSES",
    "MAX_NEURON_POINTS",
    "MAX_POINTS",
    "ClassesSpec",
    "GenerateSpec",
    "LineDataSpec",
    "Loss",
]  # fmt: skip

MAX_STEPS = 20_000
# Parameter values a spec over many parameters keeps (its runs' vectors, for the plane): 64 MB.
MAX_KEPT_VALUES = 8_000_000
MAX_OPTIMIZERS = 16

# The registries are the only list of what exists: these types (and the API's enums) follow.


def registered_surface(value: str) -> str:
    """A surface id the registry holds now (a kind registered after import counts too),
    refused as an enum would be."""
    if value not in SURFACE_KINDS:
        *most, last = (repr(kind) for kind in SURFACE_KINDS)
        expected = f"{', '.join(most)} or {last}"
        raise PydanticCustomError(
            "literal_error", "Input should be {expected}", {"expected": expected}
        )
    return value


SurfaceId = Annotated[
    str,
    Field(
        strict=True,
        json_schema_extra=lambda schema: schema.update(enum=list(SURFACE_KINDS)),  # type: ignore[union-attr]
    ),
    AfterValidator(registered_surface),
]
MAX_EXPRESSION = MAX_LENGTH  # the parser's own limit, which it also enforces on its own
MAX_LABEL = 80
OptimizerId = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]


class SurfaceFields(Strict):
    """What every surface spec has: its kind, the kind's numeric parameters, a window.

    ``domain`` overrides the plotting window. :class:`SurfaceSpec` adds every kind's own
    fields (data, a formula, a loss …); a field set for a kind that does not take it is
    an error naming the kinds that do.
    """

    id: SurfaceId
    params: dict[str, Finite] = Field(default_factory=dict)
    domain: Domain | None = None

    @model_validator(mode="after")
    def fits_the_surface(self) -> SurfaceFields:
        kind = SURFACE_KINDS[self.id]
        allowed = {p.name: p for p in kind.params}
        for name, value in self.params.items():
            param = allowed.get(name)
            if param is None:
                known = ", ".join(allowed) or "none"
                raise ValueError(f"unknown parameter '{name}' for {self.id} (known: {known})")
            check_range(name, value, param.min, param.max, inclusive=True)
        for name, info in type(self).model_fields.items():
            if name in SurfaceFields.model_fields or name in kind.fields.model_fields:
                continue
            if getattr(self, name) != info.get_default(call_default_factory=True):
                owners = [k.id for k in SURFACE_KINDS.values() if name in k.fields.model_fields]
                listed = ", ".join(owners[:-1]) + " and " + owners[-1] if owners[1:] else owners[0]
                kinds = f"{listed} surface{'s' if len(owners) > 1 else ''}"
                raise ValueError(f"{name} belongs to the {kinds} only")
        if kind.check is not None:
            kind.check(self)
        return self


def kinds_fields() -> tuple[dict[str, Any], dict[str, Any]]:
    """Every kind's own spec fields, each name declared once, and the validators of the
    names kinds declare differently.

    Kinds that share a field, such as ``data``, share its declaration. A name two kinds
    declare as different models (``generate``: a line's settings, a network's) is typed
    as their union for the schema, and each spec's value is validated by its own kind's
    model, so its errors name the fields of that model.
    """
    declared: dict[str, list[FieldInfo]] = {}
    for kind in SURFACE_KINDS.values():
        for name, info in kind.fields.model_fields.items():
            declared.setdefault(name, []).append(info)
    fields: dict[str, Any] = {}
    validators: dict[str, Any] = {}
    for name, infos in declared.items():
        annotations = list(dict.fromkeys(info.annotation for info in infos))
        if len(annotations) == 1:
            fields[name] = (infos[0].annotation, infos[0])
            continue
        assert all(info.default is None for info in infos), f"kinds' {name} must default to None"
        fields[name] = (Union[tuple(annotations)], None)  # noqa: UP007 (a runtime tuple)
        validators[f"{name}_of_its_kind"] = field_validator(name, mode="wrap")(of_its_kind(name))
    return fields, validators


def of_its_kind(name: str) -> Any:
    """A validator of field ``name`` by the model the spec's own kind declares it with."""

    def validate(cls: type, value: Any, handler: Any, info: ValidationInfo) -> Any:
        kind = SURFACE_KINDS.get(info.data.get("id", ""))
        field = kind.fields.model_fields.get(name) if kind else None
        if field is None:  # not its kind's field: the union's check, then fits_the_surface's
            return handler(value)
        return field_adapter(kind.id, name).validate_python(value)

    return validate


@cache
def field_adapter(kind: str, name: str) -> TypeAdapter:
    """Kind ``kind``'s declaration of field ``name``, as a validator."""
    info = SURFACE_KINDS[kind].fields.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, info])


FIELDS, VALIDATORS = kinds_fields()
SurfaceSpec = create_model(
    "SurfaceSpec",
    __base__=SurfaceFields,
    __doc__=SurfaceFields.__doc__,
    __validators__=VALIDATORS,
    **FIELDS,
)


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
    record: Annotated[list[Literal["state", "parameters"]], Field(max_length=2)] = Field(
        default_factory=list,
        description='["state"]: each run also carries its optimizer state per step; '
        '["parameters"] (a surface of many parameters): its parameter vector per step',
    )

    @model_validator(mode="after")
    def batch_size_needs_data(self) -> RunSpec:
        for index, entry in enumerate(self.optimizers):
            if entry.batch_size is not None and self.surface.id not in data_kinds():
                raise ValueError(
                    f"optimizers[{index}].batch_size needs a surface with data "
                    f"({', '.join(data_kinds())}), not {self.surface.id}"
                )
        return self

    @model_validator(mode="after")
    def fits_the_parameters(self) -> RunSpec:
        """A surface of many parameters (the network) starts from its own vector, records
        its vectors, not a 2-D optimizer state, and keeps at most :data:`MAX_KEPT_VALUES`
        of them; a 2-D surface has no vectors to record."""
        size = SURFACE_KINDS[self.surface.id].vector_size
        if size is None:
            if "parameters" in self.record:
                raise ValueError(f"record parameters needs a surface of many parameters, "
                                 f"not {self.surface.id}")  # fmt: skip
            return self
        if self.start is not None:
            raise ValueError("start: a network starts from surface.init or surface.init_seed")
        if "state" in self.record:
            raise ValueError("record state is for 2-D surfaces; a network records parameters")
        kept = len(self.optimizers) * (self.steps + 1) * size(self.surface)
        if kept > MAX_KEPT_VALUES:
            raise ValueError(
                f"steps: {len(self.optimizers)} runs × {self.steps + 1:,} points × "
                f"{size(self.surface):,} parameters is {kept:,} values kept; at most "
                f"{MAX_KEPT_VALUES:,}: ask for fewer steps, runs or parameters"
            )
        return self
