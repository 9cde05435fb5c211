"""The stop rules, on floats (the runner's form) and on arrays (the batch's)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from gradtrail.spec import StopSpec
from gradtrail.stopping import STATUS_WORDS, Status, StopRules

RULES = StopRules.of(StopSpec(grad_tol=1e-6, divergence_bound=100.0))
EDGES = [0.0, -3.0, 100.0, -100.0, 100.00000000000001, math.inf, -math.inf, math.nan]


def test_the_float_form_and_the_array_form_draw_the_same_line() -> None:
    """Every combination of edge values in two of the five places (the rest ordinary)."""
    check = RULES.float_check()
    for i, j in itertools.combinations(range(5), 2):
        for a, b in itertools.product(EDGES, repeat=2):
            values = [1.0, 2.0, 3.0, 4.0, 5.0]
            values[i], values[j] = a, b
            as_arrays = RULES.inside(*(np.array([v]) for v in values))[0]
            norm = check(*values)
            assert (norm is not None) == bool(as_arrays) == RULES.inside(*values), values
            if norm is not None:
                assert norm == math.hypot(values[3], values[4])


def test_the_bound_itself_is_inside_and_nan_never_is() -> None:
    assert RULES.inside(100.0, -100.0, 0.0, 0.0, 0.0)
    assert not RULES.inside(0.0, 0.0, math.nan, 0.0, 0.0)


@pytest.mark.parametrize(
    ("norm", "values", "status"),
    [
        (0.0, (0.0, 0.0, 1e9, 0.0, 0.0), Status.DIVERGED),  # flat, but out of bounds
        (0.0, (0.0, 0.0, 1.0, 0.0, 0.0), Status.CONVERGED),
        (1e-7, (1.0, 1.0, 1.0, 1e-7, 0.0), Status.CONVERGED),
        (1e-5, (1.0, 1.0, 1.0, 1e-5, 0.0), Status.RUNNING),
        (math.nan, (1.0, 1.0, 1.0, math.nan, 0.0), Status.DIVERGED),
    ],
)
def test_a_start_is_out_of_bounds_before_it_is_a_minimum(
    norm: float, values: tuple[float, ...], status: Status
) -> None:
    assert RULES.at_start(norm, *values) == status
    codes = RULES.at_start(np.array([norm, 1.0]), *(np.array([v, 1.0]) for v in values))
    assert codes.tolist() == [status, Status.RUNNING]


def test_codes_and_words() -> None:
    assert [STATUS_WORDS[s] for s in Status] == ["running", "converged", "max_steps", "diverged"]
    assert Status.DIVERGED.word == "diverged"
    with pytest.raises(ValueError, match="no final status"):
        _ = Status.RUNNING.word


def test_the_quick_bound_check_never_passes_a_value_the_exact_one_refuses() -> None:
    """Edge values in two of the five places, the rest ordinary, one run per combination:
    the sum-of-squares check says "all inside" only when :meth:`StopRules.inside` does,
    and says it when the values are well inside (the batch's usual path: the default
    bound is far above a run's values; near the bound the exact check decides)."""
    columns = []
    for i, j in itertools.combinations(range(5), 2):
        for a, b in itertools.product(EDGES, repeat=2):
            values = [1.0, 2.0, 3.0, 4.0, 5.0]
            values[i], values[j] = a, b
            columns.append(values)
    values = tuple(np.array(column) for column in zip(*columns, strict=True))
    exact = RULES.inside(*values)
    for run in range(len(columns)):
        alone = tuple(v[run : run + 1] for v in values)
        square = alone[3] * alone[3] + alone[4] * alone[4]
        assert not RULES.all_inside(square, alone) or exact[run], columns[run]
    ordinary = tuple(np.full(3, value) for value in (44.0, -44.0, 44.7, -44.0, 44.0))
    assert RULES.all_inside(ordinary[3] ** 2 + ordinary[4] ** 2, ordinary)


def test_the_quick_bound_check_ignores_runs_that_have_stopped() -> None:
    values = tuple(np.array([1.0, math.nan, 2.0]) for _ in range(5))
    square = values[3] * values[3] + values[4] * values[4]
    assert not RULES.all_inside(square, values)
    assert RULES.all_inside(square, values, ignored=np.array([False, True, False]))


@pytest.mark.parametrize("tol", [1e-6, 1e-8, 0.1, 3.0, 1e-160, 1e-300, 1e150, 0.0])
def test_comparing_squared_norms_decides_convergence_exactly(tol: float) -> None:
    """``norm < grad_tol`` and ``norm² < grad_tol_square`` agree on every float near the
    boundary (the squares a few hundred steps either side of it), without a root."""
    rules = StopRules(grad_tol=tol, bound=1e300)
    boundary = rules.grad_tol_square
    squares = [boundary]
    for direction in (0.0, math.inf):
        square = boundary
        for _ in range(300):
            square = math.nextafter(square, direction)
            squares.append(square)
    squares = np.array(squares)
    np.testing.assert_array_equal(
        rules.converged_square(squares), rules.converged(np.sqrt(squares))
    )
