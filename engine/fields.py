"""Validated field types shared by every spec: finite numbers, bounded numbers, domains."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

# Strict: JSON true or "1" is not a number here, and 2.0 is not a count.
Finite = Annotated[float, Field(allow_inf_nan=False, strict=True)]
COORDINATE_LIMIT = 1e6  # the largest |coordinate| a start or a window may hold
Bounded = Annotated[
    float, Field(allow_inf_nan=False, strict=True, ge=-COORDINATE_LIMIT, le=COORDINATE_LIMIT)
]
Seed = Annotated[int, Field(strict=True, ge=0, le=2**32 - 1)]
MAX_POINTS = 1_000_000  # samples a data surface may be given


def ordered_domain(domain: tuple[tuple[float, float], tuple[float, float]]) -> tuple:
    """A plotting window must have positive width and height."""
    (x0, x1), (y0, y1) = domain
    if not (x0 < x1 and y0 < y1):
        raise ValueError("domain must be [[xmin, xmax], [ymin, ymax]] with min < max")
    return domain


Domain = Annotated[
    tuple[tuple[Bounded, Bounded], tuple[Bounded, Bounded]], AfterValidator(ordered_domain)
]


class Strict(BaseModel):
    """A model that rejects unknown fields, so typos are errors, not silence."""

    model_config = ConfigDict(extra="forbid")


def check_range(
    name: str, value: float, low: float | None, high: float | None, inclusive: bool
) -> None:
    """Raise a readable error when ``value`` leaves ``[low, high]`` (or ``[low, high)``); its
    type (``finite_number``, ``param_range``) and context let a page say it in any language."""
    context = {"name": name, "min": "−∞" if low is None else f"{low:g}",
               "max": "∞" if high is None else f"{high:g}"}  # fmt: skip
    if not math.isfinite(value):
        raise PydanticCustomError("finite_number", f"{name} must be a finite number", context)
    if low is not None and value < low:
        raise PydanticCustomError(
            "param_range", f"{name} must be ≥ {low:g}, got {value:g}", context
        )
    if high is not None and (value > high or (not inclusive and value == high)):
        bound = "≤" if inclusive else "<"
        message = f"{name} must be {bound} {high:g}, got {value:g}"
        raise PydanticCustomError("param_range", message, context)


class LineDataSpec(Strict):
    """Samples for a surface fitted to data: inputs ``x`` and targets ``y`` (a line fit's
    values, a neuron's classes)."""

    x: Annotated[list[Finite], Field(min_length=2, max_length=MAX_POINTS)]
    y: Annotated[list[Finite], Field(min_length=2, max_length=MAX_POINTS)]

    @model_validator(mode="after")
    def same_length(self) -> LineDataSpec:
        if len(self.x) != len(self.y):
            raise ValueError(f"x has {len(self.x)} values but y has {len(self.y)}")
        return self
