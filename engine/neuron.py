"""One neuron ``p = σ(w x + b)`` on one-feature two-class data: the loss over ``(w, b)``.

``cross_entropy`` is :math:`\\frac1n\\sum_i \\operatorname{softplus}(z_i) - t_i z_i` with
:math:`z_i = w x_i + b` (the binary cross-entropy, convex, written so that it never
overflows); ``mse`` is :math:`\\frac1n\\sum_i (t_i - σ(z_i))^2`, which flattens where
the neuron saturates, so plain gradient descent crawls there. Both gradients are exact:
:math:`\\partial/\\partial w = \\frac1n\\sum_i δ_i x_i`, :math:`\\partial/\\partial b =
\\frac1n\\sum_i δ_i` with :math:`δ_i = p_i - t_i` (cross-entropy) or
:math:`δ_i = -2 (t_i - p_i) p_i (1 - p_i)` (mse).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Annotated, Any, Literal, get_args

import numpy as np
from pydantic import ConfigDict, Field, StrictBool

from gradtrail.cost import samples_cost
from gradtrail.epochs import Batches
from gradtrail.fields import LineDataSpec, Seed, Strict
from gradtrail.neuron_minimum import hessian_at, minimum, why_no_minimum
from gradtrail.numeric import Real
from gradtrail.regression import as_samples
from gradtrail.surfaces import DataForm, Domain, Menu, Point, Surface, SurfaceKind, one_pass
from gradtrail.windows import fitting_window, level_box, start_in_box

Loss = Literal["cross_entropy", "mse"]
LOSSES: tuple[Loss, ...] = get_args(Loss)
DEFAULT_LOSS: Loss = "cross_entropy"  # convex: what the neuron is fitted under unless told
LOSS_MENU = Menu("loss", LOSSES, DEFAULT_LOSS, "loss_menu", "loss")
MAX_NEURON_POINTS = 10_000  # every evaluation of the neuron's loss visits every sample

NEURON_FORMULAS = {
    "cross_entropy": (
        r"-\frac1n \sum_i \big[t_i \log σ(w x_i + b) + (1 - t_i) \log(1 - σ(w x_i + b))\big]"
    ),
    "mse": r"\frac1n \sum_i \big(t_i - σ(w x_i + b)\big)^2",
}
GRID_BLOCK = 1 << 18  # points × samples evaluated at once: a grid is done in slices this size


@dataclass(frozen=True)
class ClassData:
    """Inputs ``x`` and their classes ``t`` (0 or 1)."""

    x: np.ndarray
    t: np.ndarray

    @classmethod
    def from_points(cls, x: np.ndarray, t: np.ndarray) -> ClassData:
        x, t = as_samples(x, t)
        if not np.all((t == 0.0) | (t == 1.0)):
            raise ValueError("the classes t must each be 0 or 1")
        if not np.all(np.abs(x) <= 1e6):
            raise ValueError("the inputs x must lie within ±1e6")
        return cls(x, t)


def generate_classes(
    n: int, separation: float, spread: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Half the points of class 0 around ``-separation/2``, half of class 1 around
    ``+separation/2``, each normal with standard deviation ``spread``."""
    rng = np.random.default_rng(seed)
    t = (np.arange(n) % 2).astype(np.float64)
    x = (t - 0.5) * separation + spread * rng.standard_normal(n)
    return x, t


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) without overflow for any z."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def mean_loss_and_gradient(
    w: np.ndarray, b: np.ndarray, x: np.ndarray, t: np.ndarray, loss: Loss
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss and its gradient at each ``(w[k], b[k])``, averaged over the samples."""
    z = w[:, None] * x[None, :] + b[:, None]
    p = sigmoid(z)
    if loss == "cross_entropy":
        value = np.logaddexp(0.0, z) - t * z
        delta = p - t
    else:
        value = (t - p) ** 2
        delta = -2.0 * (t - p) * p * (1.0 - p)
    return value.mean(axis=1), (delta * x).mean(axis=1), delta.mean(axis=1)


def evaluate(w: Real, b: Real, data: ClassData, loss: Loss) -> tuple[Real, Real, Real]:
    """Loss and gradient at one point (floats) or many (arrays of any shape), in slices."""
    scalar = np.ndim(w) == 0 and np.ndim(b) == 0
    ww, bb = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    flat_w, flat_b = ww.ravel(), bb.ravel()
    rows = max(1, GRID_BLOCK // data.x.size)
    parts = [
        mean_loss_and_gradient(flat_w[i : i + rows], flat_b[i : i + rows], data.x, data.t, loss)
        for i in range(0, flat_w.size, rows)
    ]
    value, gw, gb = (
        np.concatenate([part[k] for part in parts]).reshape(ww.shape) for k in range(3)
    )
    if scalar:
        return float(value), float(gw), float(gb)
    return value, gw, gb


class ClassSampler:
    """Minibatch gradients of the neuron's loss, over one run's
    :class:`~gradtrail.epochs.Batches`."""

    def __init__(self, data: ClassData, loss: Loss, batches: Batches) -> None:
        self.data = data
        self.loss = loss
        self.epochs = batches.draws()

    def grad(self, w: Real, b: Real) -> tuple[Real, Real]:
        """The gradient over the next minibatch at one or many ``(w, b)`` (one draw serves
        a whole batch of runs)."""
        index = self.epochs.next()
        batch = ClassData(self.data.x[index], self.data.t[index])
        _, gw, gb = evaluate(w, b, batch, self.loss)
        return gw, gb


@dataclass(frozen=True)
class NeuronData(ClassData):
    """The samples with the loss they are fitted under (what a minibatch sampler needs)."""

    loss: Loss = DEFAULT_LOSS

    def minibatches(self, batches: Batches) -> ClassSampler:
        """Gradients over ``batches``: shuffled epochs cut into batches, as a DataLoader
        draws them."""
        return ClassSampler(self, self.loss, batches)


MAX_HALF_WIDTH = 1e6  # the widest window in w, whatever the data's scale


def constant_loss(t: np.ndarray, loss: Loss) -> float:
    """The loss of the best constant model (``w = 0``): the classes' entropy under
    cross-entropy, their variance under mse."""
    share = float(np.mean(t))
    if loss != "cross_entropy":
        return share * (1.0 - share)
    return float(-sum(p * np.log(p) for p in (share, 1.0 - share) if p > 0.0))


def without_minimum_window(data: ClassData) -> tuple[Domain, Point]:
    """Where there is no minimum: ``w·x`` spans ±8 across the window (for tiny x that w
    is bounded, so the window stays finite: 8 / 1e-308 overflows), ``b`` ±6."""
    spread = float(np.max(np.abs(data.x))) or 1.0
    half_w = min(max(4.0, 8.0 / spread), MAX_HALF_WIDTH)
    return ((-half_w, half_w), (-6.0, 6.0)), (round(-0.5 * half_w, 2), 3.0)


def neuron_window(data: ClassData, loss: Loss, found: Point | None) -> tuple[Domain, Point]:
    """The window and start: around the minimum, the box where the loss is within the best
    constant model's loss of it (from the exact Hessian there, :mod:`gradtrail.windows`)."""
    if found is None:
        return without_minimum_window(data)
    hessian = hessian_at(found, data.x, data.t, loss)
    halves = level_box(hessian, constant_loss(data.t, loss))
    halves = (min(halves[0], MAX_HALF_WIDTH), min(halves[1], MAX_HALF_WIDTH))
    start = start_in_box(found, halves)
    return fitting_window(found, halves, [start]), start


# What the figure notes about the minimum (text keys): why there is none, how it was found.
NO_MINIMUM_NOTES = {
    "separable": "figure.no_minimum.separable",
    "one_class": "figure.no_minimum.one_class",
    "flat": "figure.no_minimum.flat",
    "not_found": "figure.no_minimum.not_found",
}
LOCAL_MINIMUM_NOTE = "figure.minimum_local"


def minimum_texts(data: ClassData, loss: Loss, found: Point | None) -> dict[str, Any]:
    """What the surface says about its minimum: why there is none, or how it was found
    (the text keys of the figure's notes under ``notes``)."""
    if found is not None:
        if loss == "cross_entropy":
            return {"minimum": "exact"}
        return {"minimum": "local", "notes": [LOCAL_MINIMUM_NOTE]}
    reason = why_no_minimum(data.x, data.t) or "not_found"
    return {"no_minimum": reason, "notes": [NO_MINIMUM_NOTES[reason]]}


def neuron(data: ClassData, loss: Loss = DEFAULT_LOSS) -> Surface:
    """The loss of ``σ(w x + b)`` over ``(w, b)``, plotted as ``x = w``, ``y = b``, with
    its minimum (:mod:`gradtrail.neuron_minimum`) and a window that fits it."""
    samples = NeuronData(data.x, data.t, loss)

    def at(w: Real, b: Real) -> tuple[Real, tuple[Real, Real]]:
        value, gw, gb = evaluate(w, b, samples, loss)
        return value, (gw, gb)

    found = minimum(data.x, data.t, loss)
    domain, start = neuron_window(data, loss, found)
    return Surface(
        id="neuron",
        formula=NEURON_FORMULAS[loss],
        params={},
        domain=domain,
        minima=() if found is None else (found,),
        default_start=start,
        **one_pass(at),  # every evaluation visits every sample: once per step
        extra={"n": int(data.x.size), "loss": loss, **minimum_texts(data, loss, found)},
        samples=samples,
        cost=samples_cost(int(data.x.size)),
    )


def standardized_neuron(data: ClassData, loss: Loss = DEFAULT_LOSS) -> Surface:
    r"""The neuron on standardized inputs :math:`x' = (x - \bar x)/s_x`, as the line fit's:
    its minimum :math:`(w', b')` maps back to the raw x as :math:`w = w'/s_x`,
    :math:`b = b' - w'\bar x / s_x`; both are reported."""
    mean, scale = float(np.mean(data.x)), float(np.std(data.x))
    if not scale > 0.0:
        raise ValueError("the x values must not all be equal to be standardized")
    surface = neuron(ClassData((data.x - mean) / scale, data.t), loss)
    info: dict[str, Any] = {**surface.extra, "standardized": True, "x_mean": mean, "x_std": scale}
    if surface.minima:
        w_scaled, b_scaled = surface.minima[0]
        info["raw_minimum"] = [w_scaled / scale, b_scaled - w_scaled * mean / scale]
    return replace(surface, extra=info)


class ClassesSpec(Strict):
    """Synthetic two-class data for the neuron: classes 0 and 1 alternate, centred at
    ``∓separation/2``, each normal with standard deviation ``spread``."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # hashable: a cache key

    n: Annotated[int, Field(strict=True, ge=2, le=MAX_NEURON_POINTS)] = 60
    separation: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0.0, le=100.0)] = 2.0
    spread: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0.0, le=100.0)] = 1.0
    seed: Seed = 0


class NeuronFields(Strict):
    """The neuron's spec fields: pasted samples (``y`` their classes) or generated classes,
    and the loss it is fitted under."""

    data: LineDataSpec | None = None
    classes: ClassesSpec | None = None
    loss: Loss | None = None
    standardize: StrictBool = False  # declared as the line fit's: the spec holds one field


@lru_cache(maxsize=8)
def generated_classes(classes: ClassesSpec) -> ClassData:
    """Generated two-class points; cached like the line's."""
    x, t = generate_classes(classes.n, classes.separation, classes.spread, classes.seed)
    return ClassData(x, t)


def neuron_surface(spec: Any) -> Surface:
    """The neuron's loss on the spec's data (its ``y`` are the classes) or generated classes."""
    from gradtrail.catalog import SpecError

    try:
        if spec.data is not None:
            data = ClassData.from_points(np.array(spec.data.x), np.array(spec.data.y))
        else:
            data = generated_classes(spec.classes or ClassesSpec())
        if spec.standardize:
            return standardized_neuron(data, LOSS_MENU.chosen(spec))
    except ValueError as error:
        raise SpecError("surface.data", str(error), "data") from None
    return neuron(data, LOSS_MENU.chosen(spec))


def neuron_rules(spec: Any) -> None:
    """Samples are pasted or generated, not both, and at most :data:`MAX_NEURON_POINTS`."""
    if spec.data and spec.classes:
        raise ValueError("give either data or classes, not both")
    if spec.data and len(spec.data.x) > MAX_NEURON_POINTS:
        raise ValueError(f"the neuron takes at most {MAX_NEURON_POINTS:,} points")


def neuron_graph(surface: Surface) -> Any:
    """One sample's loss through ``σ(w x + b)``: the backward pass's graph."""
    from gradtrail.backprop import sample_graph

    return replace(sample_graph(surface.extra["loss"]), data=surface.samples)


CLASSES_FORM = DataForm(
    generator="classes", settings=ClassesSpec, view="neuron", standardize=True,
    csv_label="csv_label_classes", generated="data_generated_classes",
    example="x,t\n-1.2,0\n0.8,1",
)  # fmt: skip

NEURON = SurfaceKind(
    "neuron",
    NeuronFields,
    neuron_surface,
    check=neuron_rules,
    data=CLASSES_FORM,
    evaluation_cost=lambda spec: samples_cost(CLASSES_FORM.count(spec)),  # it visits each one
    graph=neuron_graph,
    axes=("figure.weight", "figure.bias"),
    symbols=("w", "b"),
    menus=(LOSS_MENU,),
)  # fmt: skip
