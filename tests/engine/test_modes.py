"""Forward mode beside reverse mode, and the finite-difference check: on every registered
surface kind the two modes and central differences give one gradient; forward mode takes
one pass per parameter (hand-worked tangents); the check's error shows the
truncation/rounding trade-off in h."""

from __future__ import annotations

import numpy as np
import pytest

from gradtrail.backprop import BackpropError, backprop, loss_graph
from gradtrail.catalog import build_surface
from gradtrail.finite_differences import finite_differences
from gradtrail.kinds import SURFACE_KINDS
from gradtrail.spec import SurfaceSpec

H = 1e-5  # the test's own central differences
POINTS = 4  # random points per kind


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.subtract(a, b)) / np.linalg.norm(b))


def surface_of(kind_id: str):
    kind = SURFACE_KINDS[kind_id]
    return build_surface(SurfaceSpec.model_validate({"id": kind_id, **kind.example}))


def random_points(surface, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Points inside the surface's window where its gradient is finite and not zero."""
    (x0, x1), (y0, y1) = surface.domain
    points = []
    while len(points) < POINTS:
        p = (float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1)))
        g = surface.grad(np.array([p]))[0]
        if np.all(np.isfinite(g)) and np.linalg.norm(g) > 1e-3:
            points.append(p)
    return points


def graph_central_differences(surface, point: tuple[float, float]) -> np.ndarray:
    """The graph's output (one sample's loss on a data surface: the first) by central
    differences, written here from its forward values alone."""
    loss = loss_graph(surface)
    data = {}
    if loss.data is not None:
        data = {"x": float(loss.data.x[0]), "t": float(loss.data.t[0])}
    names = loss.parameters

    def value(p: np.ndarray) -> float:
        inputs = dict(zip(names, map(float, p), strict=True)) | data
        return loss.graph.forward(**inputs)[loss.graph.output]

    p = np.asarray(point)
    unit = np.eye(2)
    return np.array([(value(p + H * e) - value(p - H * e)) / (2 * H) for e in unit])


@pytest.mark.parametrize("kind_id", list(SURFACE_KINDS))
def test_forward_reverse_and_central_differences_agree_on_every_kind(kind_id: str) -> None:
    surface = surface_of(kind_id)
    if SURFACE_KINDS[kind_id].graph is None and surface.expression is None:
        # no graph to walk (the network's slice): refused, naming the surface (a 422)
        with pytest.raises(BackpropError, match="no formula"):
            backprop(surface, (0.0, 0.0))
        return
    rng = np.random.default_rng(30)
    for point in random_points(surface, rng):
        shown = backprop(surface, point)
        reverse = np.array(shown["gradient"])
        forward = np.array(shown["forward"]["gradient"])
        assert relative(forward, reverse) < 1e-7, point
        assert relative(graph_central_differences(surface, point), reverse) < 1e-7, point
        # the loss itself: the check's estimate, the exact gradient and (on a data
        # surface) the mean of every sample's reverse-mode gradient
        check = shown["finite_differences"]
        exact = surface.grad(np.array([point]))[0]
        assert relative(check["estimate"], exact) < 1e-7, point
        if "samples" in shown:
            assert relative(shown["samples"]["mean_gradient"], exact) < 1e-9, point
        else:
            assert relative(exact, reverse) < 1e-9, point


def test_forward_mode_carries_each_parameters_tangent_in_a_pass_of_its_own() -> None:
    # f = (x y + x)² at (1, 2): x y = 2, x y + x = 3, f = 9; by hand, ∂f/∂x = 2·3·(y + 1)
    # = 18 and ∂f/∂y = 2·3·x = 6; the tangent of x y is y = 2 in x's pass, x = 1 in y's.
    surface = build_surface(
        SurfaceSpec.model_validate({"id": "custom", "expression": "(x*y + x)^2"})
    )
    shown = backprop(surface, (1.0, 2.0))
    by_label = {n["label"]: n for n in shown["nodes"]}
    assert by_label["x"]["tangents"] == [1.0, 0.0]
    assert by_label["y"]["tangents"] == [0.0, 1.0]
    assert by_label["×"]["tangents"] == [2.0, 1.0]
    assert by_label["+"]["tangents"] == [3.0, 1.0]
    assert shown["nodes"][shown["output"]]["tangents"] == [18.0, 6.0]
    assert [p["parameter"] for p in shown["forward"]["passes"]] == ["x", "y"]
    assert [p["derivative"] for p in shown["forward"]["passes"]] == [18.0, 6.0]
    assert (shown["cost"]["forward_mode_passes"], shown["cost"]["reverse_mode_passes"]) == (2, 1)
    # a pass visits every node after its arguments, inputs first
    order = shown["forward"]["order"]
    place = {node: k for k, node in enumerate(order)}
    for edge in shown["edges"]:
        if edge["source"] in place:
            assert place[edge["source"]] < place[edge["target"]]
    # each edge's share of its target's tangent: local × the source's tangent
    into_square = next(e for e in shown["edges"] if e["target"] == shown["output"])
    assert into_square["tangent_products"] == [18.0, 6.0]  # 2·3 × (3, 1)


def test_a_tree_seeds_every_copy_of_a_parameter() -> None:
    surface = build_surface(
        SurfaceSpec.model_validate({"id": "custom", "expression": "(x*y + x)^2"})
    )
    tree = backprop(surface, (1.0, 2.0), shared=False)
    assert tree["forward"]["gradient"] == tree["gradient"] == [18.0, 6.0]


def test_the_check_counts_two_evaluations_per_parameter_and_shows_the_trade_off() -> None:
    # Rosenbrock at (0.5, 1): ∂f/∂x = −2(1 − x) − 400 x (y − x²) = −151,
    # ∂f/∂y = 200 (y − x²) = 150, by hand.
    surface = build_surface(SurfaceSpec.model_validate({"id": "rosenbrock"}))
    point = (0.5, 1.0)
    at = {h: finite_differences(surface, point, h) for h in (1e-1, 1e-5, 1e-12)}
    assert list(at[1e-5]["exact"]) == [-151.0, 150.0]
    assert (at[1e-5]["evaluations"], at[1e-5]["per_parameter"]) == (4, 2)
    assert at[1e-5]["many"] == {"parameters": 1_000_000, "evaluations": 2_000_000}
    small = at[1e-5]["relative_error"]
    assert small < 1e-9
    # truncation: (x ± h)'s cubic term of the Rosenbrock adds 400 x h² ... of order 1e-1 here
    assert at[1e-1]["relative_error"] > 1e4 * small
    # rounding: ε·|f| / h with |f| ≈ 56 is of order 1e-3 here
    assert at[1e-12]["relative_error"] > 1e3 * small
    swept = {round(np.log10(s["h"])): s["relative_error"] for s in at[1e-5]["sweep"]}
    assert min(swept, key=swept.get) in (-4, -5, -6)  # the best h is in the middle
    assert swept[-1] > 1e3 * swept[-5] and swept[-13] > 1e3 * swept[-5]
