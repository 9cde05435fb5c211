"""From a spec to engine objects, and from engine objects to plain descriptions.

``build_surface`` turns a :class:`SurfaceSpec` into a :class:`Surface`; the
``describe_*`` functions give the JSON-ready metadata the API, CLI and page list.
"""

from __future__ import annotations

from dataclasses import replace
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from gradtrail.axes import axis_words, first_axes, sweepable_axes
from gradtrail.equation_latex import loss_latex
from gradtrail.kinds import SURFACE_KINDS
from gradtrail.optimizers import OPTIMIZERS, Optimizer
from gradtrail.spec import SurfaceSpec
from gradtrail.surfaces import DataForm, Menu, Surface, SurfaceKind
from gradtrail.texts import (
    DEFAULT_LANGUAGE,
    hyperparam_key,
    hyperparam_label_key,
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


def build_surface(spec: SurfaceSpec) -> Surface:
    """The surface a spec names, built by its kind, with the spec's window applied."""
    surface = SURFACE_KINDS[spec.id].build(spec)
    return surface if spec.domain is None else replace(surface, domain=spec.domain)


def number_type(annotation: Any) -> type | None:
    """``int`` or ``float`` for a field a number box shows (an optional number too), else None."""
    if annotation in (int, float):
        return annotation
    if get_origin(annotation) is Annotated:
        return number_type(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):  # an optional number
        found = (number_type(arg) for arg in get_args(annotation) if arg is not type(None))
        return next((number for number in found if number is not None), None)
    return None


def surface_name(surface: Surface, lang: str = DEFAULT_LANGUAGE) -> str:
    """What a surface is called, in ``lang``: a kind with menus says what they chose (the
    neuron's loss; the chain's activation and loss)."""
    menus = SURFACE_KINDS[surface.id].menus if surface.id in SURFACE_KINDS else ()
    if menus:
        chosen = {m.field: text(f"{m.choice_texts}.{surface.extra[m.field]}", lang) for m in menus}
        return text(f"{surface_key(surface.id)}.under", lang, **chosen)
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
        "loss_latex": loss_latex(surface),
        "params": dict(surface.params),
        "domain": [list(surface.domain[0]), list(surface.domain[1])],
        "minima": [list(m) for m in surface.minima],
        "default_start": list(surface.default_start),
        "data": surface.samples is not None,  # fitted to samples: minibatches, per-sample graph
        **({"info": dict(surface.extra)} if surface.extra else {}),
        **({"plane": surface.plane.as_dict()} if surface.plane is not None else {}),
    }


def list_surfaces(lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """Every surface kind at its defaults, with what its form on the page shows: the range
    of each parameter, its data box, its loss menu, its formula."""
    return [describe_kind(kind, lang) for kind in SURFACE_KINDS.values()]


def describe_kind(kind: SurfaceKind, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """A kind as the catalogue lists it: its surface at the defaults (``example``), named
    by the kind, and its form."""
    info = describe_surface(build_surface(SurfaceSpec(id=kind.id, **kind.example)), lang)
    info["name"] = text(kind.name_key, lang)  # a neuron's loss is chosen beside it
    info["params"] = [
        {"name": p.name, "default": p.default, "min": p.min, "max": p.max,
         "help": text(surface_param_key(kind.id, p.name), lang)}
        for p in kind.params
    ]  # fmt: skip
    info["example"] = dict(kind.example)  # the fields of a new spec of this kind
    info["axes"] = [text(key, lang) for key in kind.axes] if kind.axes else ["x", "y"]
    if kind.data is not None:
        info["data_form"] = describe_data_form(kind.data, lang)
    info["menus"] = [describe_menu(menu, lang) for menu in kind.menus]
    # Trained as a whole vector (the network): no start point or 2-D optimizer state to ask for
    info["many_parameters"] = kind.vector_size is not None
    return info


def describe_menu(menu: Menu, lang: str) -> dict[str, Any]:
    """A menu: the spec field it sets, its label, its default and its choices' names."""
    choices = [{"id": c, "name": text(f"{menu.choice_texts}.{c}", lang)} for c in menu.choices]
    return {
        "field": menu.field, "label": text(menu.label, lang), "default": menu.default,
        "choices": choices,
    }  # fmt: skip


def describe_data_form(form: DataForm, lang: str) -> dict[str, Any]:
    """A data box: where its generated settings go, each number field (its label, its input
    step: 1 for a count) from the settings' model, its own control and its texts."""
    fields = [
        {"name": name, "step": "1" if number is int else "any",
         "label": text(f"{form.generator}.{name}", lang)}
        for name, info in form.settings.model_fields.items()
        if (number := number_type(info.annotation)) is not None
    ]  # fmt: skip
    return {
        "key": form.generator,
        "defaults": form.settings().model_dump(mode="json"),
        "fields": fields,
        "standardize": form.standardize,
        "csv_label": form.csv_label,
        "generated": form.generated,
        "example": form.example,
        "view": form.view,
    }


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
                "label": text(hyperparam_label_key(optimizer.id, hp.name, lang), lang),
                "help": text(hyperparam_key(optimizer.id, hp.name, lang), lang),
            }
            for hp in optimizer.params
        ],
        "sweep_axes": sweepable_axes(optimizer),
        "first_sweep": first_axes(optimizer),
        "axis_words": axis_words(optimizer, lang),
    }


def list_optimizers(lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """Every optimizer's description, in registry order."""
    return [describe_optimizer(opt, lang) for opt in OPTIMIZERS.values()]
