"""What a run stopped at where its gradient vanished: the Hessian's eigenvalues, worked by
hand, against the engine's classification (minimum, maximum, saddle, flat …)."""

from __future__ import annotations

import numpy as np
import pytest

from gradtrail import run
from gradtrail.catalog import build_surface
from gradtrail.presets import PRESETS
from gradtrail.spec import SurfaceSpec
from gradtrail.stationary import MOST_PARAMETERS, classify, flat_curvature, hessian, kind_of
from gradtrail.surfaces import BUILTIN_SURFACES
from gradtrail.sweep import run_sweep
from gradtrail.texts import LANGUAGES, text


def custom(expression: str) -> dict:
    return {"id": "custom", "expression": expression}


def stopped(surface: dict, start: list[float] | None, steps: int = 50, lr: float = 0.1) -> tuple:
    """A gradient-descent run's status and what it stopped at."""
    spec = {"surface": surface, "steps": steps, "optimizers": [{"id": "gd", "params": {"lr": lr}}]}
    if start is not None:
        spec["start"] = start
    summary = run(spec).runs[0].summary
    assert summary is not None
    return summary.status, summary.stationary


def test_the_hessian_by_central_differences_is_the_hand_worked_one() -> None:
    """f = x³ + x·y²: ∇f = (3x² + y², 2xy), so H = [[6x, 2y], [2y, 2x]] = [[6, 4], [4, 2]]
    at (1, 2), eigenvalues 4 ± √20 (one of each sign: a saddle of f there is a saddle)."""

    def gradient(p: np.ndarray) -> np.ndarray:
        return np.array([3 * p[0] ** 2 + p[1] ** 2, 2 * p[0] * p[1]])

    found = hessian(gradient, np.array([1.0, 2.0]), np.array([1e-5, 1e-5]))
    np.testing.assert_allclose(found, [[6.0, 4.0], [4.0, 2.0]], rtol=1e-8)
    np.testing.assert_allclose(np.linalg.eigvalsh(found), [4 - 20**0.5, 4 + 20**0.5], rtol=1e-8)


@pytest.mark.parametrize(
    ("surface", "start", "steps", "kind"),
    [
        # x² + 3y²: H = diag(2, 6), both > 0; gradient descent converges to the origin.
        (custom("x^2 + 3*y^2"), [1.0, -1.0], 500, "minimum"),
        # x² − y² started at its critical point: ∇f = (2x, −2y) = 0, H = diag(2, −2).
        (custom("x^2 - y^2"), [0.0, 0.0], 50, "saddle"),
        # −x² − y² at the origin: H = diag(−2, −2), both < 0.
        (custom("-x^2 - y^2"), [0.0, 0.0], 50, "maximum"),
        # x² (a trough along y) at the origin: H = diag(2, 0), one > 0 and one 0.
        (custom("x^2 + 0*y"), [0.0, 0.7], 50, "valley"),
        (custom("-x^2 + 0*y"), [0.0, 0.7], 50, "ridge"),
        # The saddle function x² − y² + y⁴/4 on its ridge y = 0: descent runs into the
        # saddle at the origin (H = diag(2, −2)), never off the ridge.
        ({"id": "saddle"}, [1.0, 0.0], 500, "saddle"),
        # ... and off it, to a minimum at (0, ±√2): H = diag(2, −2 + 3·2) = diag(2, 4).
        ({"id": "saddle"}, [1.0, 0.5], 500, "minimum"),
    ],
)
def test_a_converged_run_says_what_it_stopped_at(surface, start, steps, kind) -> None:
    assert stopped(surface, start, steps) == ("converged", kind)


def test_the_dead_relu_half_plane_is_flat() -> None:
    """At w₁ = −1 every hidden sum w₁x is negative (every x > 0): the loss is mean(t²)
    on the whole half-plane w₁ < 0, so its gradient and its Hessian are exactly zero."""
    assert stopped({"id": "chain", "activation": "relu"}, [-1.0, 1.5]) == ("converged", "flat")
    lesson = run(PRESETS["chain-relu"].spec)
    assert [r.summary.stationary for r in lesson.runs if r.summary] == ["flat", "flat"]


def test_the_tanh_chain_has_a_saddle_at_the_origin() -> None:
    """ŷ = w₂·tanh(w₁x): at (0, 0) the loss's mixed derivative −2·mean(t·x) ≠ 0 and its
    diagonal is zero, so H = [[0, c], [c, 0]], eigenvalues ±c."""
    assert stopped({"id": "chain", "activation": "tanh"}, [0.0, 0.0]) == ("converged", "saddle")


@pytest.mark.parametrize(
    ("builtin", "minimum"),
    [(b.id, m) for b in BUILTIN_SURFACES.values() for m in b.make().minima],
)
def test_every_builtins_known_minimum_is_a_minimum(builtin: str, minimum) -> None:
    """Rosenbrock's at (1, 1) has H = [[802, −400], [−400, 200]] (eigenvalues 0.4 and
    1001.6): the least curvature at any built-in minimum, far above the flat threshold."""
    surface = BUILTIN_SURFACES[builtin].make()
    assert classify(surface, np.array(minimum)) == "minimum"


def test_rosenbrock_run_to_its_minimum_is_a_minimum_far_above_the_threshold() -> None:
    momentum = {"id": "momentum", "params": {"lr": 0.001, "momentum": 0.9}}
    spec = {"surface": {"id": "rosenbrock"}, "start": [1.2, 1.2], "steps": 20_000,
            "stop": {"grad_tol": 1e-6}, "optimizers": [momentum]}  # fmt: skip
    summary = run(spec).runs[0].summary
    assert summary is not None and (summary.status, summary.stationary) == ("converged", "minimum")
    least = (1002 - (1002**2 - 4 * 400) ** 0.5) / 2  # of [[802, −400], [−400, 200]]
    assert least > 1_000 * flat_curvature(build_surface(SurfaceSpec(id="rosenbrock")))


def test_runs_that_did_not_converge_have_no_stationary_kind() -> None:
    assert stopped({"id": "rosenbrock"}, [-1.5, 2.0], steps=5, lr=1e-4) == ("max_steps", None)
    assert stopped(custom("x^2 - y^2"), [0.0, 1.0], steps=500, lr=0.6) == ("diverged", None)


def test_eigenvalues_within_the_tolerance_count_as_zero() -> None:
    assert kind_of(np.array([1e-9, 5.0]), 1e-6) == "valley"
    assert kind_of(np.array([-3.0, 2e-7]), 1e-6) == "ridge"
    assert kind_of(np.array([-1e-7, 1e-7]), 1e-6) == "flat"
    assert kind_of(np.array([-2e-6, 3.0]), 1e-6) == "saddle"
    assert kind_of(np.array([0.0, 0.0]), 0.0) == "flat"  # a constant surface


def test_a_sweep_says_what_each_converged_cell_stopped_at() -> None:
    """Starts over x² − y² + y⁴/4: the row y = 0 runs into the saddle, the others reach a
    minimum (0, ±√2)."""
    result = run_sweep({
        "surface": {"id": "saddle"}, "optimizer": {"id": "gd", "params": {"lr": 0.1}},
        "steps": 500, "axes": [{"name": "start.x", "low": -1, "high": 1, "count": 3},
                               {"name": "start.y", "low": -1, "high": 1, "count": 3}],
    })  # fmt: skip
    assert result.as_dict()["stationary"] == [["minimum"] * 3, ["saddle"] * 3, ["minimum"] * 3]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_dead_relu_caption_quotes_the_tables_words(lang: str) -> None:
    assert text("stationary.flat", lang) in text("lesson.chain-relu.caption", lang)


def network(activation: str, targets: list[float], output_bias: float) -> dict:
    """A 1-2-1 network under MSE on x = 1, 2, 3, every parameter 0 but the output bias
    (the vector is W₁ (2), b₁ (2), W₂ (2), b₂)."""
    return {"id": "network", "layers": [1, 2, 1], "activation": activation, "loss": "mse",
            "data": {"x": [[1.0], [2.0], [3.0]], "y": targets},
            "init": [0.0] * 6 + [output_bias]}  # fmt: skip


def test_a_networks_whole_hessian_is_read() -> None:
    """At W₂ = 0 and h = φ(0) = 0 every gradient but b₂'s vanishes, and b₂ = mean(t) zeroes
    that. With residuals r = ŷ − t: ∂²L/∂b₂² = 2, and ∂²L/∂W₂ⱼ∂W₁ⱼ = mean(2 r x φ′(0)).
    tanh (φ′(0) = 1), t = x: r = (1, 0, −1), so that is −4/3 for each hidden unit, an
    eigenvalue pair ±4/3: a saddle, which the plane the page shows would not reveal.
    ReLU (φ′(0) = 0, torch's), t = 0: only ∂²L/∂b₂² = 2 is left, a valley flat along the
    rest."""
    assert stopped(network("tanh", [1.0, 2.0, 3.0], 2.0), None) == ("converged", "saddle")
    assert stopped(network("relu", [0.0, 0.0, 0.0], 0.0), None) == ("converged", "valley")


def test_a_network_of_over_256_parameters_is_not_classified() -> None:
    """Its Hessian would cost two gradients a parameter: 2 × 1,185 forward and backward
    passes for layers 2-32-32-1."""
    surface = build_surface(SurfaceSpec.model_validate({"id": "network", "layers": [2, 32, 32, 1]}))
    assert surface.vector.start.size == 2 * 32 + 32 + 32 * 32 + 32 + 32 + 1 > MOST_PARAMETERS
    assert classify(surface, surface.vector.start) is None
