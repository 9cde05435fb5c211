"""The ``network`` surface kind: a small multi-layer network, every parameter trained, its
loss shown on a plane through parameter space (:mod:`gradtrail.plane`).

Its spec: ``layers`` (``[d, h₁, …, 1]``, d 1 or 2, at most :data:`MAX_HIDDEN_LAYERS`
hidden layers of at most :data:`MAX_WIDTH` units, at most :data:`MAX_PARAMETERS`
parameters), ``activation``, ``loss``, samples ``generate``d (:mod:`gradtrail.network_data`)
or given as ``data`` (``x`` rows of d inputs, ``y`` targets: 0/1 under cross-entropy),
the start ``init`` or ``init_seed`` (:meth:`Layout.initial`), and the ``plane`` the views
show (``pca`` or ``random`` with its ``seed``; or a stated ``origin`` and ``directions``,
which a page sends back to draw a result's plane again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from gradtrail.chain import ACTIVATION_MENU, ACTIVATION_TEXTS, Activation
from gradtrail.cost import VECTORISED, samples_cost
from gradtrail.fields import Finite, Seed, Strict
from gradtrail.network import Layout, Network
from gradtrail.network_data import MAX_NETWORK_POINTS, NetworkGenerate, generate_points
from gradtrail.neuron import LOSSES, Loss
from gradtrail.plane import Plane, pca_plane, random_plane, slice_functions, window
from gradtrail.surfaces import DataForm, Menu, Surface, SurfaceKind

MAX_HIDDEN_LAYERS = 3
MAX_WIDTH = 32
MAX_PARAMETERS = 2_000
DEFAULT_LAYERS = (2, 4, 1)
DEFAULT_LOSS: Loss = "cross_entropy"  # the generated data are two classes
ORTHONORMAL_TOLERANCE = 1e-9  # a stated plane's directions: |dᵢ·dⱼ − δᵢⱼ| at most this
# One evaluation (loss and gradient) in units of the cost model (gradtrail.cost): about
# forty numpy calls whatever the size, and every sample through every parameter a few
# times (forward, error signals, gradient) in matrix products, which run at a batch's
# speed (VECTORISED). tests/perf/bench_network.py measures both.
PYTHON_UNITS = 8.0
VISITS_PER_PARAMETER = 3
TEXTS = {
    "axis_a": "figure.network_a",
    "axis_b": "figure.network_b",
}
assert set(ACTIVATION_TEXTS) == set(ACTIVATION_MENU.choices)

Width = Annotated[int, Field(strict=True, ge=1, le=MAX_WIDTH)]
Row = Annotated[list[Finite], Field(min_length=1, max_length=2)]


class NetworkDataSpec(Strict):
    """Samples for a network: input rows ``x`` (one or two numbers each) and targets ``y``."""

    x: Annotated[list[Row], Field(min_length=2, max_length=MAX_NETWORK_POINTS)]
    y: Annotated[list[Finite], Field(min_length=2, max_length=MAX_NETWORK_POINTS)]

    @model_validator(mode="after")
    def rectangular(self) -> NetworkDataSpec:
        if len(self.x) != len(self.y):
            raise ValueError(f"x has {len(self.x)} rows but y has {len(self.y)} values")
        if len({len(row) for row in self.x}) != 1:
            raise ValueError("every row of x must have the same number of inputs")
        return self


class PlaneSpec(Strict):
    """Which plane the views show: ``pca`` of the runs' paths or Li et al.'s ``random``
    directions from ``seed``; or the plane of ``origin`` and ``directions`` as stated."""

    kind: Literal["pca", "random"] = "pca"
    seed: Seed = 0
    origin: Annotated[list[Finite], Field(max_length=MAX_PARAMETERS)] | None = None
    directions: (
        Annotated[
            list[Annotated[list[Finite], Field(max_length=MAX_PARAMETERS)]],
            Field(min_length=2, max_length=2),
        ]
        | None
    ) = None


class NetworkFields(Strict):
    """The network kind's own fields (see the module)."""

    layers: Annotated[list[Width], Field(min_length=2, max_length=MAX_HIDDEN_LAYERS + 2)] | None = (
        None
    )
    activation: Activation | None = None
    loss: Loss | None = None
    data: NetworkDataSpec | None = None
    generate: NetworkGenerate | None = None
    init_seed: Seed | None = None
    init: Annotated[list[Finite], Field(max_length=MAX_PARAMETERS)] | None = None
    plane: PlaneSpec | None = None


LOSS_MENU = Menu("loss", LOSSES, DEFAULT_LOSS, "loss_menu", "loss")


def layout_of(spec: Any) -> Layout:
    """The spec's layer sizes (:data:`DEFAULT_LAYERS` unless given)."""
    return Layout(tuple(spec.layers or DEFAULT_LAYERS))


def network_rules(spec: Any) -> None:
    """Rules across the fields: the layers' shape and size, the samples' and the start's
    and the plane's shapes; each message names its field."""
    layout = layout_of(spec)
    if layout.layers[0] not in (1, 2) or layout.layers[-1] != 1:
        raise ValueError("layers must begin with 1 or 2 inputs and end with 1 output")
    if layout.count > MAX_PARAMETERS:
        raise ValueError(
            f"layers {list(layout.layers)} have {layout.count:,} parameters; "
            f"at most {MAX_PARAMETERS:,}"
        )
    if spec.data is not None and spec.generate is not None:
        raise ValueError("give either data or generate, not both")
    inputs = len(spec.data.x[0]) if spec.data is not None else 2
    if inputs != layout.layers[0]:
        raise ValueError(f"data.x rows have {inputs} inputs but layers[0] is {layout.layers[0]}")
    if spec.init is not None and spec.init_seed is not None:
        raise ValueError("give either init or init_seed, not both")
    if spec.init is not None and len(spec.init) != layout.count:
        raise ValueError(f"init has {len(spec.init)} values; layers {list(layout.layers)} "
                         f"have {layout.count} parameters")  # fmt: skip
    plane = spec.plane
    if plane is not None and (plane.origin is None) != (plane.directions is None):
        raise ValueError("plane.origin and plane.directions are given together")
    if plane is not None and plane.origin is not None:
        sizes = {len(plane.origin), *(len(d) for d in plane.directions)}
        if sizes != {layout.count}:
            raise ValueError(f"plane.origin and plane.directions must each have "
                             f"{layout.count} values")  # fmt: skip


def vector_size(spec: Any) -> int:
    """The number of parameters a spec's network has."""
    return layout_of(spec).count


def evaluation_cost(spec: Any) -> float:
    """One loss and gradient: its numpy calls, or every sample through every parameter a
    few times at a batch's speed, whichever is more."""
    visits = NETWORK_FORM.count(spec) * vector_size(spec) * VISITS_PER_PARAMETER
    return max(PYTHON_UNITS, samples_cost(visits) / VECTORISED)


@lru_cache(maxsize=8)
def generated(settings: NetworkGenerate) -> tuple[np.ndarray, np.ndarray]:
    """Generated points, cached: a stream, its grid and its figures share them."""
    return generate_points(settings)


def samples(spec: Any, loss: Loss) -> tuple[np.ndarray, np.ndarray]:
    """The spec's inputs ``(n, d)`` and targets, checked (0/1 under cross-entropy)."""
    if spec.data is None:
        return generated(spec.generate or NetworkGenerate())
    x, t = np.array(spec.data.x, dtype=np.float64), np.array(spec.data.y, dtype=np.float64)
    if loss == "cross_entropy" and not np.all((t == 0.0) | (t == 1.0)):
        raise ValueError("under cross-entropy the targets y must each be 0 or 1")
    return x, t


@dataclass(frozen=True)
class VectorModel:
    """What a run over a whole parameter vector needs (:mod:`gradtrail.vector_run`): the
    start, the loss and gradient at a vector, the loss at many, and how the plane the
    views show is made once the paths are known."""

    start: np.ndarray
    both: Callable[[np.ndarray], tuple[float, np.ndarray]]
    values: Callable[[np.ndarray], np.ndarray]
    final_plane: Callable[[list[np.ndarray]], Plane]
    network: Network

    def sliced(self, plane: Plane) -> dict[str, Any]:
        """A surface's functions for the loss on ``plane``."""
        return slice_functions(plane, self.both, self.values)


def stated_plane(spec: Any) -> Plane:
    """The plane a spec states, its directions checked orthonormal."""
    from gradtrail.catalog import SpecError

    origin, directions = np.array(spec.plane.origin), np.array(spec.plane.directions)
    if np.max(np.abs(directions @ directions.T - np.eye(2))) > ORTHONORMAL_TOLERANCE:
        raise SpecError("surface.plane.directions", "the plane's directions must be orthonormal")
    return Plane("given", origin, directions)


def build_network(spec: Any) -> Surface:
    """The surface of a validated spec: the loss on its plane (before the runs, the
    ``random`` plane through the start: the provisional one a ``pca`` plane replaces)."""
    from gradtrail.catalog import SpecError

    layout = layout_of(spec)
    activation, loss = ACTIVATION_MENU.chosen(spec), LOSS_MENU.chosen(spec)
    try:
        x, t = samples(spec, loss)
    except ValueError as error:
        raise SpecError("surface.data", str(error), "data") from None
    network = Network(layout, activation, loss, x, t)
    start = np.array(spec.init) if spec.init is not None else layout.initial(spec.init_seed or 0)
    choice = spec.plane or PlaneSpec()
    provisional = random_plane(start, layout.filters(), layout.biases(), choice.seed)
    plane = stated_plane(spec) if choice.origin is not None else provisional

    def final_plane(paths: list[np.ndarray]) -> Plane:
        if choice.kind == "pca" and choice.origin is None:
            return pca_plane(start, paths, provisional)
        return plane

    model = VectorModel(start, network.both, network.values, final_plane, network)
    reach = 4.0 * max(1.0, float(np.linalg.norm(start)))  # training moves about that far
    zero = np.zeros(1)
    return Surface(
        id="network",
        formula=r"L(o + a\,d_1 + b\,d_2)",
        params={},
        domain=window(zero, zero, reach),
        minima=(),
        default_start=(0.0, 0.0),
        **model.sliced(plane),
        extra={
            "n": int(t.size),
            "layers": list(layout.layers),
            "parameters": layout.count,
            "activation": activation,
            "loss": loss,
            "axes": ("a", "b"),
        },
        samples=network,
        cost=evaluation_cost(spec),
        vector=model,
        plane=plane,
    )


NETWORK_FORM = DataForm(
    generator="generate", settings=NetworkGenerate, view="network", standardize=False,
    csv_label="csv_label_network", generated="data_generated_network",
    example="x1,x2,t\n-0.5,0.8,0\n0.7,0.6,1",
)  # fmt: skip

NETWORK = SurfaceKind(
    "network",
    NetworkFields,
    build_network,
    check=network_rules,
    data=NETWORK_FORM,
    evaluation_cost=evaluation_cost,
    axes=(TEXTS["axis_a"], TEXTS["axis_b"]),
    symbols=("a", "b"),  # the slice's coordinates: L(a, b) = L(o + a d₁ + b d₂)
    menus=(ACTIVATION_MENU, LOSS_MENU),
    example={"layers": list(DEFAULT_LAYERS), "generate": {"kind": "xor"}},
    vector_size=vector_size,
)  # fmt: skip
