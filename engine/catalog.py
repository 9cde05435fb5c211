"""From a spec to engine objects, and from engine objects to plain descriptions.

``build_surface`` turns a :class:`SurfaceSpec` into a :class:`Surface`; the
``describe_*`` functions give the JSON-ready metadata the API, CLI and page list.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np

from gradtrail.axes import first_axes, sweepable_axes
from gradtrail.neuron import ClassData, generate_classes, neuron
from gradtrail.optimizers import OPTIMIZERS, Optimizer
from gradtrail.regression import LineData, generate_line, regression
from gradtrail.spec import DEFAULT_LOSS, LOSSES, ClassesSpec, GenerateSpec, SurfaceSpec
from gradtrail.surfaces import BUILTIN_SURFACES, Surface
from gradtrail.texts import (
    DEFAULT_LANGUAGE,
    hyperparam_key,
    optimizer_key,
    surface_key,
    surface_param_key,
    text,
)


class SpecError(ValueError):
    """A spec that passed validation but cannot run (e.g. undefined at the start).

    ``kind`` and ``context`` say what went wrong for a page to put in its own words
    (the catalogue's ``error.KIND``); ``message`` is the English for programs.
    """

    def __init__(
        self, field: str, message: str, kind: str = "value_error", context: dict | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.kind = kind
        self.context = context or {}


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
                raise SpecError("surface.data", str(error), "data") from None
        else:
            try:
                data = generated_data(spec.generate or GenerateSpec())
            except ValueError as error:
                raise SpecError("surface.generate", str(error), "data") from None
        try:
            surface = standardized(data) if spec.standardize else regression(data)
        except ValueError as error:
            field = "surface.data" if spec.data else "surface.generate"
            raise SpecError(field, str(error), "data") from None
    elif spec.id == "neuron":
        return neuron_surface(spec)
    elif spec.id == "custom":
        from gradtrail.formula import FormulaError, custom_surface

        assert spec.expression is not None
        try:
            return custom_surface(spec.expression, spec.domain)
        except FormulaError as error:
            raise SpecError("surface.expression", str(error), error.kind, error.context) from None
    else:
        surface = BUILTIN_SURFACES[spec.id].make(**spec.params)
    if spec.domain is not None:
        surface = replace(surface, domain=spec.domain)
    return surface


@lru_cache(maxsize=8)
def generated_classes(classes: ClassesSpec) -> ClassData:
    """Generated two-class points; cached like the line's."""
    x, t = generate_classes(classes.n, classes.separation, classes.spread, classes.seed)
    return ClassData(x, t)


def neuron_surface(spec: SurfaceSpec) -> Surface:
    """The neuron's loss on the spec's data (its ``y`` are the classes) or generated classes."""
    try:
        if spec.data is not None:
            data = ClassData.from_points(np.array(spec.data.x), np.array(spec.data.y))
        else:
            data = generated_classes(spec.classes or ClassesSpec())
    except ValueError as error:
        raise SpecError("surface.data", str(error), "data") from None
    surface = neuron(data, spec.loss or DEFAULT_LOSS)
    return replace(surface, domain=spec.domain) if spec.domain is not None else surface


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
    return replace(surface, extra=info)


def surface_name(surface: Surface, lang: str = DEFAULT_LANGUAGE) -> str:
    """What a surface is called, in ``lang``: the neuron's name says which loss it is under."""
    if "loss" in surface.extra:
        return text("surface.neuron.under", lang, loss=text(f"loss.{surface.extra['loss']}", lang))
    standardized = surface.extra.get("standardized", False)
    return text(
        f"{surface_key(surface.id)}.standardized" if standardized else surface_key(surface.id), lang
    )


def optimizer_name(optimizer_id: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """What an optimizer is called, in ``lang``."""
    return text(optimizer_key(optimizer_id), lang)


def describe_surface(surface: Surface, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """A surface as the API shows it: id, name, formula, params, domain, minima, start."""
    return {
        "id": surface.id,
        "name": surface_name(surface, lang),
        "formula": surface.formula,
        "params": dict(surface.params),
        "domain": [list(surface.domain[0]), list(surface.domain[1])],
        "minima": [list(m) for m in surface.minima],
        "default_start": list(surface.default_start),
        "data": surface.sampler is not None,  # fitted to samples: minibatches, per-sample graph
        **({"info": dict(surface.extra)} if surface.extra else {}),
    }


def list_surfaces(lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """Every surface kind at its defaults, with the allowed range of each parameter."""
    described = []
    for kind in BUILTIN_SURFACES.values():
        info = describe_surface(kind.make(), lang)
        info["params"] = [
            {"name": p.name, "default": p.default, "min": p.min, "max": p.max,
             "help": text(surface_param_key(kind.id, p.name), lang)}
            for p in kind.params
        ]  # fmt: skip
        described.append(info)
    bowl = describe_surface(build_surface(SurfaceSpec(id="regression")), lang)
    bowl["params"] = []
    bowl["generate"] = GenerateSpec().model_dump(mode="json")
    described.append(bowl)
    cell = describe_surface(build_surface(SurfaceSpec(id="neuron")), lang)
    cell["name"] = text(surface_key("neuron"), lang)  # its loss is chosen beside it
    cell["params"] = []
    cell["classes"] = ClassesSpec().model_dump(mode="json")
    cell["losses"] = [{"id": loss, "name": text(f"loss.{loss}", lang)} for loss in LOSSES]
    cell["loss"] = DEFAULT_LOSS
    described.append(cell)
    return described


def describe_optimizer(optimizer: Optimizer, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """An optimizer as the API shows it: id, name, hyperparameters, torch class, update
    rule, and what a sweep of it may vary (and first varies)."""
    return {
        "id": optimizer.id,
        "name": optimizer_name(optimizer.id, lang),
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
                "help": text(hyperparam_key(optimizer.id, hp.name, lang), lang),
            }
            for hp in optimizer.params
        ],
        "sweep_axes": sweepable_axes(optimizer),
        "first_sweep": first_axes(optimizer),
    }


def list_optimizers(lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """Every optimizer's description, in registry order."""
    return [describe_optimizer(opt, lang) for opt in OPTIMIZERS.values()]
