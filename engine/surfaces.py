"""Loss surfaces: what a surface is, and the built-in test functions.

Each function is written once with operators and :mod:`gradtrail.numeric`, so it
evaluates Python floats (one run) and numpy arrays (grids, batches) alike. The
gradient is exact, never a finite difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel

from gradtrail.fields import Strict
from gradtrail.numeric import Real, cos, sin

Point = tuple[float, float]
Domain = tuple[Point, Point]
GRID_RESOLUTION = 100  # points per side of a contour grid, unless a request asks otherwise


class Minibatches(Protocol):
    """A data surface's minibatch gradients: each call draws the next batch."""

    def grad(self, w: Real, b: Real) -> tuple[Real, Real]: ...


ValueAndGradient = Callable[[Real, Real], tuple[Real, tuple[Real, Real]]]


def one_pass(
    at: ValueAndGradient, value_only: Callable[[Real, Real], Real] | None = None
) -> dict[str, Any]:
    """A :class:`Surface`'s ``value_xy``, ``grad_xy`` and ``value_and_grad_xy`` from ``at``,
    which computes f and ∇f at once; ``value_only`` (if given) computes values of arrays (a
    grid) without the gradient."""

    def value(x: Real, y: Real) -> Real:
        if value_only is not None and type(x) is not float:
            return value_only(x, y)
        return at(x, y)[0]

    def grad(x: Real, y: Real) -> tuple[Real, Real]:
        return at(x, y)[1]

    return {"value_xy": value, "grad_xy": grad, "value_and_grad_xy": at}


@dataclass(frozen=True)
class Grid:
    """A surface sampled on a grid, Plotly's way round: ``z[j, i] = f(x[i], y[j])``."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray


@dataclass(frozen=True)
class Surface:
    """A 2-D loss ``f(x, y)`` with its exact gradient and what is known about it."""

    id: str
    formula: str
    params: Mapping[str, float]
    domain: Domain
    minima: tuple[Point, ...]
    default_start: Point
    value_xy: Callable[[Real, Real], Real]
    grad_xy: Callable[[Real, Real], tuple[Real, Real]]
    extra: Mapping[str, Any] = field(default_factory=dict)
    samples: Any = None  # a data surface's samples (``.x``); ``.minibatches(batches)`` draws
    # What one evaluation costs next to a built-in's (1): a typed formula's grows with
    # its size, and limits on work (sweeps, the server's admission) count it.
    cost: float = 1.0
    # The loss in the formula syntax, its parameters written in: what its computation
    # graph is built from (a typed formula's own text; None for the data-built bowl).
    expression: str | None = None
    # f and ∇f in one pass, sharing their common terms (each built-in's ``at``, a typed
    # formula's forward and reverse sweep, the neuron's one visit to its samples).
    value_and_grad_xy: ValueAndGradient | None = None
    # A kind of many parameters (the network): its runs step the whole vector
    # (:class:`gradtrail.vector_run.VectorRun` reads ``vector.start`` and ``vector.both``),
    # and ``x``, ``y`` are coordinates on ``plane`` (:class:`gradtrail.plane.Plane`).
    vector: Any = None
    plane: Any = None

    @property
    def both_xy(self) -> ValueAndGradient:
        """``(x, y) ↦ (f, (∂f/∂x, ∂f/∂y))``: the surface's one pass where it has one, else
        its value and its gradient one after the other. The runner and the batch ask for
        both at every step."""
        return self.value_and_grad_xy or self.value_then_grad

    def value_then_grad(self, x: Real, y: Real) -> tuple[Real, tuple[Real, Real]]:
        """f, then ∇f: two passes (the regression bowl's are a few products each)."""
        return self.value_xy(x, y), self.grad_xy(x, y)

    def value(self, p: np.ndarray) -> np.ndarray:
        """Loss at each row of an ``(n, 2)`` batch."""
        p = np.asarray(p, dtype=np.float64)
        with np.errstate(all="ignore"):
            value = self.value_xy(p[:, 0], p[:, 1])
        return np.broadcast_to(np.asarray(value, dtype=np.float64), (p.shape[0],)).copy()

    def grad(self, p: np.ndarray) -> np.ndarray:
        """Gradient at each row of an ``(n, 2)`` batch, shape ``(n, 2)``."""
        p = np.asarray(p, dtype=np.float64)
        with np.errstate(all="ignore"):
            gx, gy = self.grad_xy(p[:, 0], p[:, 1])
        return np.stack(np.broadcast_arrays(gx, gy, p[:, 0])[:2], axis=1).astype(np.float64)

    def grid(
        self,
        resolution: int = GRID_RESOLUTION,
        domain: Domain | None = None,
        check: Callable[[], None] | None = None,
    ) -> Grid:
        """Values on a ``resolution`` × ``resolution`` grid; NaN where undefined.

        With ``check``, rows are evaluated a bounded amount of work at a time
        (:mod:`gradtrail.cost`: a neuron's grid visits every sample at every point) and
        ``check()`` runs before each block, and may raise to stop.
        """
        (x0, x1), (y0, y1) = domain or self.domain
        x = np.linspace(x0, x1, resolution)
        y = np.linspace(y0, y1, resolution)
        rows = resolution
        if check is not None:
            from gradtrail.cost import batch_check_work, steps_per_check

            rows = steps_per_check(batch_check_work(resolution, self.cost, None, 0))
        z = np.empty((resolution, resolution))
        for first in range(0, resolution, rows):
            if check is not None:
                check()
            xx, yy = np.meshgrid(x, y[first : first + rows])
            with np.errstate(all="ignore"):
                z[first : first + rows] = np.broadcast_to(self.value_xy(xx, yy), xx.shape)
        z[~np.isfinite(z)] = np.nan
        return Grid(x, y, z)

    def nearest_minimum_distance(self, x: float, y: float) -> float | None:
        """Distance from ``(x, y)`` to the closest known minimum, None if none is known."""
        if not self.minima:
            return None
        return min(math.hypot(x - mx, y - my) for mx, my in self.minima)


@dataclass(frozen=True)
class SurfaceParam:
    """A parameter of a built-in surface, with its default and allowed range."""

    name: str
    default: float
    min: float
    max: float


@dataclass(frozen=True)
class Builtin:
    """A built-in test function: its parameters (each default stated here only) and the
    function that makes the surface from their values."""

    id: str
    formula: str
    params: tuple[SurfaceParam, ...]
    build: Callable[..., Surface]

    def defaults(self) -> dict[str, float]:
        """Every parameter at its default."""
        return {p.name: p.default for p in self.params}

    def make(self, **params: float) -> Surface:
        """The surface with ``params`` (checked by the spec) and the rest at their defaults."""
        return self.build(**(self.defaults() | params))


@dataclass(frozen=True)
class Menu:
    """A spec field a kind offers as a menu (a neuron's loss, a network's activation): its
    choices and default, the text key of its label and the prefix of its choices' keys."""

    field: str
    choices: tuple[str, ...]
    default: str
    label: str
    choice_texts: str  # the choice ``c`` reads as the text ``f"{choice_texts}.{c}"``

    def chosen(self, spec: Any) -> str:
        """The choice a spec makes (its default when it names none)."""
        return getattr(spec, self.field) or self.default


@dataclass(frozen=True)
class DataForm:
    """How a kind fitted to samples takes them: pasted as ``data`` (x and y), or generated
    by the settings under ``generator`` (their model gives their defaults and bounds),
    and what its data box and data view show."""

    generator: str  # the spec key of its generated data's settings: "generate", "classes"
    settings: type[BaseModel]  # those settings
    view: str  # the data view's model: "line" (a fitted line), "neuron" (a sigmoid)
    standardize: bool  # the box offers to standardize x
    csv_label: str  # text keys: what the pasted box asks for, and the generated box's title
    generated: str
    example: str  # a CSV the pasted box shows greyed

    def count(self, spec: Any) -> int:
        """The samples a spec fits: its pasted points, or as many as its settings generate."""
        if spec.data is not None:
            return len(spec.data.x)
        return (getattr(spec, self.generator) or self.settings()).n


class NoFields(Strict):
    """A kind with no fields of its own (a built-in's parameters are the spec's ``params``)."""


@dataclass(frozen=True)
class SurfaceKind:
    """A registered kind of surface, the twin of an optimizer's registry entry: its spec
    fields, how it is built and costed, its backward-pass graph and its page form.

    Functions take the validated spec (:class:`gradtrail.spec.SurfaceSpec`), whose fields
    beyond ``id`` and ``domain`` are this kind's ``fields``.
    """

    id: str
    fields: type[BaseModel]  # its spec fields, with their bounds (pydantic)
    build: Callable[[Any], Surface]  # the surface of a valid spec (the domain is applied after)
    check: Callable[[Any], None] | None = None  # rules across its fields, raising ValueError
    params: tuple[SurfaceParam, ...] = ()  # numeric parameters under the spec's "params"
    data: DataForm | None = None  # fitted to samples: data, minibatches, a data view
    evaluation_cost: Callable[[Any], float] = lambda spec: 1.0  # next to a built-in's (1)
    # The backward pass's graph of a built surface (None: parsed from its ``expression``).
    graph: Callable[[Surface], Any] | None = None
    axes: tuple[str, str] | None = None  # text keys of its parameters' axis titles (x, y)
    symbols: tuple[str, str] = ("x", "y")  # its parameters in LaTeX, as its formula writes them
    menus: tuple[Menu, ...] = ()  # its fields chosen from a menu (a loss, an activation)
    example: Mapping[str, Any] = field(default_factory=dict)  # its default spec's fields
    # The number of parameters a spec's surface has, for a kind of more than two (the
    # network: its runs step a vector, its views show a plane); None for a 2-D kind.
    vector_size: Callable[[Any], int] | None = None

    def samples(self, spec: Any) -> int:
        """How many samples a spec of this kind fits (0: a kind without data)."""
        return 0 if self.data is None else self.data.count(spec)

    @property
    def name_key(self) -> str:
        """The text key of its name."""
        return f"surface.{self.id}"


def builtin_kind(builtin: Builtin) -> SurfaceKind:
    """A built-in's registry entry: its parameters under ``params``, its graph parsed from
    its expression."""
    return SurfaceKind(
        builtin.id, NoFields, lambda spec: builtin.make(**spec.params), params=builtin.params
    )


def quadratic(l1: float, l2: float, theta: float) -> Surface:
    """An elongated bowl with curvatures ``l1``, ``l2``, rotated by ``theta`` degrees."""
    c, s = math.cos(math.radians(theta)), math.sin(math.radians(theta))

    def at(x: Real, y: Real) -> tuple[Real, tuple[Real, Real]]:
        u, v = c * x + s * y, -s * x + c * y
        return 0.5 * (l1 * u * u + l2 * v * v), (l1 * u * c - l2 * v * s, l1 * u * s + l2 * v * c)

    if theta == 0.0:
        expression = f"0.5*({l1!r}*x^2 + {l2!r}*y^2)"
    else:
        u, v = f"({c!r}*x + {s!r}*y)", f"({-s!r}*x + {c!r}*y)"
        expression = f"0.5*({l1!r}*{u}^2 + {l2!r}*{v}^2)"
    return Surface(
        "quadratic", QUADRATIC_FORMULA, {"l1": l1, "l2": l2, "theta": theta},
        ((-5.0, 5.0), (-5.0, 5.0)), ((0.0, 0.0),), (-4.0, 2.0), **one_pass(at),
        expression=expression,
    )  # fmt: skip


def rosenbrock(a: float, b: float) -> Surface:
    """Rosenbrock's banana valley, minimum at ``(a, a²)``."""

    def at(x: Real, y: Real) -> tuple[Real, tuple[Real, Real]]:
        r, d = y - x * x, a - x
        return d * d + b * r * r, (-2.0 * d - 4.0 * b * x * r, 2.0 * b * r)

    return Surface(
        "rosenbrock", ROSENBROCK_FORMULA, {"a": a, "b": b},
        ((-2.0, 2.0), (-1.0, 3.0)), ((a, a * a),), (-1.5, 2.0), **one_pass(at),
        expression=f"({a!r} - x)^2 + {b!r}*(y - x^2)^2",
    )  # fmt: skip


def beale() -> Surface:
    """Beale's function: flat plateaus and sharp ridges, minimum at ``(3, 0.5)``."""

    def at(x: Real, y: Real) -> tuple[Real, tuple[Real, Real]]:
        y2 = y * y
        t1, t2, t3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y2 * y
        gx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y2 * y - 1.0))
        gy = 2.0 * x * (t1 + 2.0 * t2 * y + 3.0 * t3 * y2)
        return t1 * t1 + t2 * t2 + t3 * t3, (gx, gy)

    return Surface(
        "beale", BEALE_FORMULA, {}, ((-4.5, 4.5), (-4.5, 4.5)), ((3.0, 0.5),),
        (1.0, 1.5), **one_pass(at),
        expression="(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
    )  # fmt: skip


HIMMELBLAU_MINIMA: tuple[Point, ...] = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.283185991286170),
    (3.584428340330492, -1.848126526964404),
)


def himmelblau() -> Surface:
    """Himmelblau's function: four minima of equal value, which basin wins?"""

    def at(x: Real, y: Real) -> tuple[Real, tuple[Real, Real]]:
        a, b = x * x + y - 11.0, x + y * y - 7.0
        return a * a + b * b, (4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b)

    return Surface(
        "himmelblau", HIMMELBLAU_FORMULA, {}, ((-5.0, 5.0), (-5.0, 5.0)),
        HIMMELBLAU_MINIMA, (0.0, 0.0), **one_pass(at),
        expression="(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    )  # fmt: skip


def saddle() -> Surface:
    """A saddle at the origin with minima at ``y = ±√2``: who escapes, and how fast?"""

    def at(x: Real, y: Real) -> tuple[Real, tuple[Real, Real]]:
        y2 = y * y
        return x * x - y2 + 0.25 * y2 * y2, (2.0 * x, -2.0 * y + y * y * y)

    root2 = math.sqrt(2.0)
    return Surface(
        "saddle", SADDLE_FORMULA, {}, ((-2.0, 2.0), (-2.5, 2.5)),
        ((0.0, root2), (0.0, -root2)), (-1.5, 0.01), **one_pass(at),
        expression="x^2 - y^2 + y^4/4",
    )  # fmt: skip


def rastrigin() -> Surface:
    """Rastrigin's egg crate: many local minima, the global one at the origin."""
    two_pi = 2.0 * math.pi

    def at(x: Real, y: Real) -> tuple[Real, tuple[Real, Real]]:
        u, v = two_pi * x, two_pi * y
        value = 20.0 + x * x - 10.0 * cos(u) + y * y - 10.0 * cos(v)
        return value, (2.0 * x + 10.0 * two_pi * sin(u), 2.0 * y + 10.0 * two_pi * sin(v))

    return Surface(
        "rastrigin", RASTRIGIN_FORMULA, {}, ((-5.12, 5.12), (-5.12, 5.12)),
        ((0.0, 0.0),), (3.2, -2.8), **one_pass(at),
        expression="20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
    )  # fmt: skip


QUADRATIC_FORMULA = (
    r"\tfrac12(\lambda_1 u^2 + \lambda_2 v^2),\ "
    r"u = x\cos\theta + y\sin\theta,\ v = -x\sin\theta + y\cos\theta"
)
ROSENBROCK_FORMULA = r"(a - x)^2 + b\,(y - x^2)^2"
BEALE_FORMULA = r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"
HIMMELBLAU_FORMULA = r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
SADDLE_FORMULA = r"x^2 - y^2 + y^4/4"
RASTRIGIN_FORMULA = r"20 + x^2 - 10\cos(2\pi x) + y^2 - 10\cos(2\pi y)"

# The built-in test functions, in the order the page lists them: adding one is its
# function above, one entry here and its texts (engine/locales: name, parameters' help).
BUILTIN_SURFACES: dict[str, Builtin] = {
    builtin.id: builtin
    for builtin in (
        Builtin(
            "quadratic", QUADRATIC_FORMULA,
            (
                SurfaceParam("l1", 1.0, 1e-6, 1e6),
                SurfaceParam("l2", 10.0, 1e-6, 1e6),
                SurfaceParam("theta", 0.0, -180.0, 180.0),
            ),
            quadratic,
        ),
        Builtin(
            "rosenbrock", ROSENBROCK_FORMULA,
            (
                SurfaceParam("a", 1.0, -10.0, 10.0),
                SurfaceParam("b", 100.0, 0.0, 1e4),
            ),
            rosenbrock,
        ),
        Builtin("beale", BEALE_FORMULA, (), beale),
        Builtin("himmelblau", HIMMELBLAU_FORMULA, (), himmelblau),
        Builtin("saddle", SADDLE_FORMULA, (), saddle),
        Builtin("rastrigin", RASTRIGIN_FORMULA, (), rastrigin),
    )
}  # fmt: skip
