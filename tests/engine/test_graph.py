"""Computation graphs: reverse mode equals sympy and finite differences, in linear time."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import numpy as np
import pytest
import sympy
from hypothesis import given, settings

from gradtrail.formula import MAX_LENGTH, FormulaError, compile_formula, parse
from gradtrail.graph import GraphBuilder
from gradtrail.graph_text import TooLong, derivative, to_text
from tests.engine.test_formula import FORMULAS, formulas

X, Y = sympy.symbols("x y", real=True)
SYMPY_NAMES = {"x": X, "y": Y, "pi": sympy.pi, "e": sympy.E, "arctan": sympy.atan,
               "arcsin": sympy.asin, "arccos": sympy.acos, "abs": sympy.Abs,
               "log10": lambda a: sympy.log(a, 10)}  # fmt: skip


def sympy_gradient(text: str) -> tuple[sympy.Expr, sympy.Expr]:
    """The reference: sympy's own parser and diff (a test may use it; the engine does not)."""
    expression = sympy.parse_expr(text.replace("^", "**"), local_dict=SYMPY_NAMES)
    return sympy.diff(expression, X), sympy.diff(expression, Y)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)))


@pytest.mark.parametrize("text", FORMULAS)
def test_reverse_mode_equals_sympys_derivative(text: str) -> None:
    graph = compile_formula(text).graph
    dx, dy = (sympy.lambdify((X, Y), part, "numpy") for part in sympy_gradient(text))
    points = np.random.default_rng(7).uniform(-2.5, 2.5, (200, 2))
    points = points[np.abs(points[:, 0] - 0.3) > 1e-3]  # away from abs()'s kink
    x, y = points[:, 0], points[:, 1]
    with np.errstate(all="ignore"):
        _, (gx, gy) = graph.gradient(x=x, y=y)
        expected_x, expected_y = (
            np.broadcast_to(dx(x, y), x.shape),
            np.broadcast_to(dy(x, y), x.shape),
        )
    fine = np.isfinite(expected_x) & np.isfinite(expected_y)
    assert fine.sum() > 50
    assert relative_error(gx[fine], expected_x[fine]) < 1e-10
    assert relative_error(gy[fine], expected_y[fine]) < 1e-10


@settings(max_examples=100, deadline=None)
@given(formulas())
def test_random_formulas_reverse_mode_matches_central_differences(text: str) -> None:
    try:
        graph = compile_formula(text).graph
    except FormulaError:
        return
    for x, y in np.random.default_rng(11).uniform(0.3, 1.7, (4, 2)):
        try:
            _, (gx, gy) = graph.gradient(x=float(x), y=float(y))
        except (ArithmeticError, ValueError):
            continue
        h = 1e-6 * max(1.0, abs(x), abs(y))

        def f(a: float, b: float) -> float:
            return graph.gradient(x=a, y=b)[0]

        try:
            numeric = ((f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h))
        except (ArithmeticError, ValueError):
            continue
        scale = max(1.0, abs(gx), abs(gy))
        assert abs(gx - numeric[0]) / scale < 1e-5 and abs(gy - numeric[1]) / scale < 1e-5


def test_interpreted_passes_equal_the_compiled_gradient() -> None:
    graph = compile_formula("sin(x)*exp(y/3) + (x*y - 1)^2 + sqrt(1 + x^2)").graph
    values = graph.forward(x=0.7, y=-1.2)
    adjoints = graph.backward(values)
    value, gradient = graph.gradient(x=0.7, y=-1.2)
    assert values[graph.output] == value
    inputs = [i for i, node in enumerate(graph.nodes) if node.op == "input"]
    assert [adjoints[i] for i in inputs] == pytest.approx(gradient, rel=1e-15)


def test_a_shared_node_is_one_node_and_gives_the_trees_gradient() -> None:
    text = "(x*y + x)^2 + sin(x*y)"
    shared = parse(text)
    tree_builder = GraphBuilder(share=False)
    x, y = tree_builder.inputs["x"], tree_builder.inputs["y"]
    product = lambda: tree_builder.apply("mul", x, y)  # noqa: E731
    inner = tree_builder.apply("add", product(), x)
    square = tree_builder.apply("pow", inner, tree_builder.const(2.0))
    tree = tree_builder.build(
        tree_builder.apply("add", square, tree_builder.apply("sin", product()))
    )
    assert len(shared.nodes) < len(tree.nodes) == shared.tree_size()
    for point in ({"x": 0.4, "y": -1.3}, {"x": 2.0, "y": 0.25}):
        assert shared.gradient(**point)[1] == pytest.approx(tree.gradient(**point)[1], rel=1e-15)


def nested(functions: list[str], depth: int, core: str = "x") -> str:
    text = core
    for level in range(depth):
        name = functions[level % len(functions)]
        text = f"{name}({text})"
    return text


def deepest(make: Callable[[int], str]) -> str:
    """The longest ``make(depth)`` that the length and depth limits let through."""
    depth = 1
    while len(make(depth + 1)) <= MAX_LENGTH:
        try:
            parse(make(depth + 1))
        except FormulaError:
            break
        depth += 1
    return make(depth)


def compositions() -> list[str]:
    """The longest nested compositions within the limits: families that swell symbolically."""
    families = [
        ["sin", "arctan"], ["exp"], ["sqrt", "cosh"], ["tanh", "sinh", "log"], ["arcsin", "cos"],
    ]  # fmt: skip
    found = [deepest(lambda d, f=family: nested(f, d, "x*y + x^2")) for family in families]

    def tower(depth: int) -> str:
        text = "x"
        for _ in range(depth):
            text = f"({text})^(x*y)"
        return text

    def product(depth: int) -> str:
        return "*".join(f"(x + {k}*y)" for k in range(1, depth + 1))

    def sum_of_squares(depth: int) -> str:
        text = "x"
        for k in range(depth):
            text = f"({text} + {k}*y)^2"
        return text

    return [*found, deepest(tower), deepest(product), deepest(sum_of_squares)]


def compiled_and_used(text: str) -> float:
    """Seconds to compile ``text`` afresh (not the cache), show it, and evaluate f and ∇f
    at 10,000 points."""
    began = time.perf_counter()
    formula = compile_formula.__wrapped__(text)
    formula.latex(), formula.plain()
    with np.errstate(all="ignore"):
        formula.value_and_gradient(np.linspace(0.1, 0.9, 10_000), np.linspace(0.2, 0.3, 10_000))
    return time.perf_counter() - began


@pytest.mark.parametrize("text", compositions())
def test_every_formula_within_the_limits_compiles_fast(text: str) -> None:
    """Under half a second, or, on a machine loaded enough, under 100 times the same for a
    small formula measured in the same test (quietly the largest take ~30 times that)."""
    assert len(text) <= MAX_LENGTH
    small = compiled_and_used("x^2 + 3*y")
    took = compiled_and_used(text)
    assert took <= max(0.5, 100 * small), (took, small)


def test_a_derivative_too_long_to_print_says_so() -> None:
    graph = parse(nested(["sin", "arctan"], 30))
    with pytest.raises(TooLong):
        to_text(derivative(graph, "x"))
    assert compile_formula(nested(["sin", "arctan"], 30)).plain()["df_dx"] is None


def test_generated_code_holds_only_template_names() -> None:
    graph = parse("sin(x)*y^3 - exp(-x) + 1e-3")
    names = set()
    for line in graph._gradient_code():
        names |= set(re.findall(r"[A-Za-z_]\w*", line.replace("e-", "")))
    assert {name for name in names if not re.fullmatch(r"[va]\d+", name)} <= {
        "x", "y", "sin", "cos", "exp", "pow", "times_log", "return",
    }  # fmt: skip
