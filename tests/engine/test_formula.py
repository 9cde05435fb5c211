"""Typed formulas: exact gradients, equality with the built-ins, and a hostile list."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtrail import run
from gradtrail.formula import FormulaError, compile_formula, custom_surface
from tests.conftest import at_once, timed

FORMULAS = [
    "x^2 + 10*y^2",
    "(1 - x)^2 + 100*(y - x^2)^2",
    "sin(x) * cos(y) + 0.1*(x^2 + y^2)",
    "exp(-(x^2 + y^2)/4) * -3 + log(1 + x^2) + sqrt(1 + y^2)",
    "tanh(x*y) + sinh(x/3) - cosh(y/4) + arctan(x - y)",
    "abs(x - 0.3) + abs(y)^3",
    "log10(2 + x^2) * tan(y/3) + arcsin(x/10) + arccos(y/10)",
    "x^3 - 3*x*y^2 + e^(y/5) + pi",
    "-x^-2 + 2**-y",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_gradient_matches_finite_differences(text: str) -> None:
    surface = custom_surface(text)
    rng = np.random.default_rng(3)
    p = rng.uniform(-2.5, 2.5, (100, 2))
    p = p[np.abs(p[:, 0] - 0.3) > 1e-3]  # away from abs()'s kink
    h = 1e-6
    dx, dy = np.array([h, 0.0]), np.array([0.0, h])
    numeric = np.stack(
        [
            (surface.value(p + dx) - surface.value(p - dx)) / (2 * h),
            (surface.value(p + dy) - surface.value(p - dy)) / (2 * h),
        ],
        axis=1,
    )
    exact = surface.grad(p)
    assert np.max(np.abs(exact - numeric) / np.maximum(np.abs(numeric), 1.0)) < 1e-6


@pytest.mark.parametrize("text", FORMULAS)
def test_float_and_array_paths_agree(text: str) -> None:
    surface = custom_surface(text)
    for x, y in np.random.default_rng(4).uniform(-2, 2, (10, 2)):
        g = surface.grad(np.array([[x, y]]))[0]
        assert surface.grad_xy(float(x), float(y)) == pytest.approx(g, rel=1e-13, abs=1e-13)


def test_typed_rosenbrock_runs_like_the_builtin() -> None:
    def spec(surface: dict) -> dict:
        return {
            "surface": surface,
            "start": [-1.5, 2.0],
            "steps": 500,
            "stop": {"grad_tol": 0.0},
            # Not RMSProp, Adadelta or NAdam at their default rates: they oscillate across
            # the valley, which grows the last-bit difference between the two (equally
            # exact) gradient formulas into a visible one within 500 steps.
            "optimizers": [
                {"id": name} for name in ("gd", "momentum", "nesterov", "adam", "adamax", "adagrad")
            ],
        }

    builtin = run(spec({"id": "rosenbrock"}))
    typed = run(spec({"id": "custom", "expression": "(1 - x)^2 + 100*(y - x^2)^2"}))
    for a, b in zip(builtin.runs, typed.runs, strict=True):
        for key in ("x", "y", "loss"):
            np.testing.assert_allclose(getattr(b, key), getattr(a, key), rtol=1e-12, atol=1e-12)


def test_undefined_points_are_null_in_grids_and_end_runs_as_diverged() -> None:
    surface = custom_surface("log(x) + 1/y")
    grid = surface.grid(11)
    assert np.isnan(grid.z[:, :5]).all()  # x <= 0: log undefined
    assert not np.isinf(grid.z).any()
    result = run(
        {
            "surface": {"id": "custom", "expression": "log(x) + y^2"},
            "start": [1.0, 1.0],
            "optimizers": [{"id": "gd", "params": {"lr": 2.0}}],
        }
    )
    trajectory = result.runs[0]
    assert trajectory.summary.status == "diverged"
    assert np.isfinite(trajectory.loss).all()


def test_negative_base_to_a_fractional_power_is_divergence() -> None:
    result = run(
        {
            "surface": {"id": "custom", "expression": "x^0.5 + y^2"},
            "start": [0.5, 1.0],
            "optimizers": [{"id": "gd", "params": {"lr": 5.0}}],
        }
    )
    assert result.runs[0].summary.status == "diverged"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x + z", "unknown name 'z' at column 5"),
        ("(x + y", "unbalanced parenthesis"),
        ("x + y)", "unbalanced parenthesis"),
        ("eval(x)", "function 'eval' is not allowed"),
        ("x.__class__", "attribute access"),
        ("__import__('os').system('touch pwned')", "only the named functions may be called"),
        ("__import__('os')", "function '__import__' is not allowed"),
        ("().__class__.__bases__", "attribute access"),
        ("lambda: 0", "lambda is not allowed"),
        ("[x for x in y]", "comprehension is not allowed"),
        ("'x'", "text (strings) is not allowed"),
        ("open('f', 'w')", "function 'open' is not allowed"),
        ("9**9**9", "exponent too large"),
        ("x**10**10", "exponent too large"),
        ("(2**60)**60", "too large"),
        ("((((2^64)^64)^64)^64)^64", "too large"),
        ("(" * 10_000 + "x" + ")" * 10_000, "longer than 300"),
        ("(" * 45 + "x" + ")" * 45, "deeper than 40"),
        ("-" * 60 + "x", "deeper than 40"),
        ("x" * 1_000_000, "longer than 300"),
        ("1e999", "number too large"),
        ("2j", "is not allowed"),
        ("x if y else 0", "is not allowed"),
        ("x % 3", "operator '%' is not allowed"),
        ("x < y", "comparison is not allowed"),
        ("sin(x, y)", "exactly one argument"),
        ("sin", "write sin(x)"),
        ("x = 1", "cannot read the formula"),
        ("x;y", "cannot read the formula"),
        ("", "empty"),
        ("1/0", "division by zero"),
        ("1/(x - x)", "division by zero"),
        ("sqrt(-2) * x", "complex"),
        ("log(-1) + y", "complex"),
        ("(-8)^(1/3) + x", "undefined"),
    ],
)
def test_hostile_formulas_are_rejected_quickly(text: str, message: str) -> None:
    """At once beside a small formula compiled in the same test (a new one: not cached), so
    a loaded machine does not fail it."""
    _, quick = timed(lambda: compile_formula(f"x^2 + {len(text) + 0.5}*sin(x*y)"))
    began = time.perf_counter()
    with pytest.raises(FormulaError) as error:
        compile_formula(text)
    assert message in str(error.value)
    took = time.perf_counter() - began
    assert at_once(took, quick), (took, quick)


def test_compiled_formulas_are_cached() -> None:
    assert compile_formula("x^2 + y^2") is compile_formula("x^2 + y^2")


def test_latex_of_f_and_its_gradient() -> None:
    latex = compile_formula("x^2*y").latex()
    assert latex == {"f": "x^{2} y", "df_dx": "2 x y", "df_dy": "x^{2}"}


LEAVES = st.sampled_from(["x", "y", "pi", "e", "2", "0.5", "3", "1.5e-1"])
FUNCTIONS = st.sampled_from(["sin", "cos", "tanh", "arctan", "exp", "abs", "sqrt", "log"])


def formulas() -> st.SearchStrategy[str]:
    """Random valid formulas from the grammar, a few levels deep."""
    return st.recursive(
        LEAVES,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(inner, st.sampled_from(["2", "3", "0.5"])).map(lambda t: f"({t[0]})^{t[1]}"),
            st.tuples(FUNCTIONS, inner).map(lambda t: f"{t[0]}({t[1]})"),
            inner.map(lambda t: f"-{t}"),
        ),
        max_leaves=8,
    )


@settings(max_examples=150, deadline=None)
@given(formulas())
def test_valid_formulas_evaluate_and_differentiate(text: str) -> None:
    try:
        surface = custom_surface(text)
    except FormulaError as error:
        # Constant parts fold at parse time: 1/0, log(-1), or exp(exp(pi^2)) = e^19333.
        refusals = ("division by zero", "undefined", "complex", "too large")
        assert any(word in str(error) for word in refusals), str(error)
        return
    p = np.random.default_rng(0).uniform(0.2, 2.0, (5, 2))
    values, gradients = surface.value(p), surface.grad(p)
    assert values.shape == (5,) and gradients.shape == (5, 2)
    grid = surface.grid(5)
    assert grid.z.shape == (5, 5) and not np.isinf(grid.z).any()


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=80) | st.text(alphabet="xy()+-*/^.,e0123456789 sincoqrtlgab_[]'", max_size=60)
)
def test_garbage_is_rejected_with_a_message_or_parses(text: str) -> None:
    try:
        formula = compile_formula(text)
    except FormulaError as error:
        assert str(error)
        return
    assert formula.value(np.array([0.5]), np.array([0.7])).shape == (1,)  # whatever parsed runs
