"""From a spec to engine objects, and from engine objects to plain descriptions.

``build_surface`` turns a :class:`SurfaceSpec` into a :class:`Surface`; the
``describe_*`` functions give the JSON-ready metadata the API, CLI and page list.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np

from gradtrail.optimizers import OPTIMIZERS, Optimizer
from gradtrail.regression import LineData, generate_line, regression
from gradtrail.spec import GenerateSpec, SurfaceSpec
from gradtrail.surfaces import BUILTIN_SURFACES, Surface


class SpecError(ValueError):
    """A spec that passed validation but cannot run (e.g. undefined at the start)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@lru_cache(maxsize=8)
def generated_data(generate: GenerateSpec) -> LineData:
    """Generated points and their moments; cached, since a slider drag repeats the spec."""
    x, t = generate_line(
        generate.slope, generate.intercept, generate.noise, generate.n, generate.x_range,
        generate.seed,
    )  # fmt: skip
    return LineData.from_points(x, t)


def build_surface(spec: SurfaceSpec) -> Surface:
    """The surface a spec names, with its parameters, data or domain applied."""
    if spec.id == "regression":
        if spec.data is not None:
            try:
                data = LineData.from_points(np.array(spec.data.x), np.array(spec.data.y))
            except ValueError as error:
                raise SpecError("surface.data", str(error)) from None
        else:
            try:
                data = generated_data(spec.generate or GenerateSpec())
            except ValueError as error:
                raise SpecError("surface.generate", str(error)) from None
        try:
            surface = standardized(data) if spec.standardize else regression(data)
        except ValueError as error:
            raise SpecError(
                "surface.data" if spec.data else "surface.generate", str(error)
            ) from None
    elif spec.id == "custom":
        from gradtrail.formula import FormulaError, custom_surface

        assert spec.expression is not None
        try:
            return custom_surface(spec.expression, spec.domain)
        except FormulaError as error:
            raise SpecError("surface.expression", str(error)) from None
    else:
        surface = BUILTIN_SURFACES[spec.id].make(**spec.params)
    if spec.domain is not None:
        surface = replace(surface, domain=spec.domain)
    return surface


def surface_cost(spec: SurfaceSpec) -> float:
    """What one evaluation of the surface costs next to a built-in's (1): a typed formula's
    grows with its graph. Cheap: the formula's graph is built in linear time and cached."""
    if spec.id != "custom" or spec.expression is None:
        return 1.0
    from gradtrail.formula import FormulaError, compile_formula, evaluation_cost

    try:
        return evaluation_cost(compile_formula(spec.expression).graph)
    except FormulaError:
        return 1.0  # building the surface reports it


def standardized(data: LineData) -> Surface:
    r"""The bowl of the fit on standardized inputs :math:`x' = (x - \bar x)/s_x`.

    Its curvature is the same in both directions (a round bowl), and its minimum
    :math:`(w', b')` maps back to the raw line as :math:`w = w'/s_x`,
    :math:`b = b' - w'\bar x / s_x`; both are reported.
    """
    scale = float(np.sqrt(data.var_x))
    scaled = LineData.from_points((data.x - data.mean_x) / scale, data.t)
    surface = regression(scaled)
    w_scaled, b_scaled = surface.minima[0]
    info = {
        **surface.extra,
        "standardized": True,
        "x_mean": data.mean_x,
        "x_std": scale,
        "raw_minimum": [w_scaled / scale, b_scaled - w_scaled * data.mean_x / scale],
    }
    return replace(surface, name="Line fit (MSE), standardized x", extra=info)


def describe_surface(surface: Surface) -> dict[str, Any]:
    """A surface as the API shows it: id, name, formula, params, domain, minima, start."""
    return {
        "id": surface.id,
        "name": surface.name,
        "formula": surface.formula,
        "params": dict(surface.params),
        "domain": [list(surface.domain[0]), list(surface.domain[1])],
        "minima": [list(m) for m in surface.minima],
        "default_start": list(surface.default_start),
        **({"info": dict(surface.extra)} if surface.extra else {}),
    }


def list_surfaces() -> list[dict[str, Any]]:
    """Every surface kind at its defaults, with the allowed range of each parameter."""
    described = []
    for kind in BUILTIN_SURFACES.values():
        info = describe_surface(kind.make())
        info["params"] = [
            {"name": p.name, "default": p.default, "min": p.min, "max": p.max, "help": p.help}
            for p in kind.params
        ]
        described.append(info)
    bowl = describe_surface(build_surface(SurfaceSpec(id="regression")))
    bowl["params"] = []
    bowl["generate"] = GenerateSpec().model_dump(mode="json")
    described.append(bowl)
    return described


def describe_optimizer(optimizer: Optimizer) -> dict[str, Any]:
    """An optimizer as the API shows it: id, name, hyperparameters, torch class, update rule."""
    return {
        "id": optimizer.id,
        "name": optimizer.name,
        "torch": optimizer.torch,
        "rule": optimizer.rule,
        "params": [
            {
                "name": hp.name,
                "default": list(hp.default) if isinstance(hp.default, tuple) else hp.default,
                "min": hp.min,
                "max": hp.max,
                "max_inclusive": hp.max_inclusive,
                "kind": hp.kind,
                "help": hp.help,
            }
            for hp in optimizer.params
        ],
    }


def list_optimizers() -> list[dict[str, Any]]:
    """Every optimizer's description, in registry order."""
    return [describe_optimizer(opt) for opt in OPTIMIZERS.values()]
