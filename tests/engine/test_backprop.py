"""The backward pass over a loss's computation graph: its adjoints are the gradient, the
same as the surface's exact gradient and as central finite differences, for every
built-in, the line-fit bowl (sample by sample) and random typed formulas."""

from __future__ import annotations

import math
import random
import re

import numpy as np
import pytest

from gradtrail import backprop as backprop_module
from gradtrail import figures, run
from gradtrail.backprop import BackpropError, backprop
from gradtrail.catalog import build_surface
from gradtrail.spec import SurfaceSpec
from gradtrail.surfaces import BUILTIN_SURFACES, Surface
from gradtrail.texts import text

# Settings of each built-in beyond its defaults (a rotated bowl, another Rosenbrock).
SETTINGS = [(kind, {}) for kind in BUILTIN_SURFACES] + [
    ("quadratic", {"l1": 2.0, "l2": 30.0, "theta": 35.0}),
    ("rosenbrock", {"a": -1.5, "b": 7.0}),
]


def central_difference(f, x: float, y: float) -> tuple[float, float]:
    """Richardson-extrapolated central differences (error of order h⁴)."""

    def partial(g, at: float) -> float:
        h = 1e-3 * max(1.0, abs(at))
        d = lambda step: (g(at + step) - g(at - step)) / (2 * step)  # noqa: E731
        return (4 * d(h / 2) - d(h)) / 3

    return partial(lambda u: f(u, y), x), partial(lambda v: f(x, v), y)


def close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(b))


def assert_gradient(surface: Surface, point: tuple[float, float], gradient: list[float]) -> None:
    exact = surface.grad_xy(*point)
    differences = central_difference(surface.value_xy, *point)
    for mine, known, estimated in zip(gradient, exact, differences, strict=True):
        assert close(mine, known, 1e-12), (point, gradient, exact)
        assert close(mine, estimated, 1e-8), (point, gradient, differences)


@pytest.mark.parametrize(("kind", "params"), SETTINGS)
def test_the_adjoints_of_a_builtin_are_its_gradient(kind: str, params: dict) -> None:
    surface = build_surface(SurfaceSpec(id=kind, params=params))
    rng = random.Random(kind)
    (x0, x1), (y0, y1) = surface.domain
    for _ in range(20):
        point = (rng.uniform(x0, x1), rng.uniform(y0, y1))
        shown = backprop(surface, point)
        assert shown["value"] == pytest.approx(surface.value_xy(*point), rel=1e-12, abs=1e-12)
        assert_gradient(surface, point, shown["gradient"])


def random_formula(rng: random.Random, depth: int = 0) -> str:
    """A random expression in x and y that stays defined (no log or root of a negative)."""
    if depth > 3 or rng.random() < 0.25:
        return rng.choice(["x", "y", f"{rng.uniform(-2, 2):.3f}", "pi"])
    a, b = random_formula(rng, depth + 1), random_formula(rng, depth + 1)
    return rng.choice([
        f"({a} + {b})", f"({a} - {b})", f"({a} * {b})", f"({a} / (1 + ({b})^2))",
        f"sin({a})", f"cos({a})", f"tanh({a})", f"exp(-({a})^2)", f"log(1 + ({a})^2)",
        f"sqrt(1 + ({a})^2)", f"arctan({a})", f"({a})^2", f"({a})^3",
    ])  # fmt: skip


def test_the_adjoints_of_100_random_formulas_are_their_gradient() -> None:
    rng = random.Random(17)
    checked = 0
    while checked < 100:
        expression = random_formula(rng)
        if "x" not in expression and "y" not in expression:
            continue
        surface = build_surface(SurfaceSpec(id="custom", expression=expression))
        point = (rng.uniform(-2, 2), rng.uniform(-2, 2))
        shown = backprop(surface, point)
        exact = surface.grad_xy(*point)
        differences = central_difference(surface.value_xy, *point)
        for mine, known, estimated in zip(shown["gradient"], exact, differences, strict=True):
            assert close(mine, known, 1e-12), expression
            assert close(mine, estimated, 1e-8), (expression, point)
        tree = backprop(surface, point, shared=False)
        assert tree["gradient"] == pytest.approx(shown["gradient"], rel=1e-12, abs=1e-12)
        operations = lambda shown: [n for n in shown["nodes"] if n["kind"] != "parameter"]  # noqa: E731
        assert len(operations(shown)) <= len(operations(tree))
        assert len(tree["nodes"]) == tree["size"]["tree"]
        checked += 1


def test_a_reused_node_is_one_node_in_the_graph_and_two_in_the_tree() -> None:
    surface = build_surface(SurfaceSpec(id="custom", expression="(x*y + x)^2"))
    graph, tree = backprop(surface, (1.0, 2.0)), backprop(surface, (1.0, 2.0), shared=False)
    # f = (xy + x)²: ∂f/∂x = 2(xy + x)(y + 1) = 18, ∂f/∂y = 2(xy + x)x = 6 at (1, 2)
    assert graph["gradient"] == tree["gradient"] == [18.0, 6.0]
    labels = lambda shown: sorted(n["label"] for n in shown["nodes"])  # noqa: E731
    assert labels(graph).count("x") == 1 and labels(tree).count("x") == 2
    assert (len(graph["nodes"]), len(tree["nodes"])) == (6, 7)
    # x feeds two operations in the graph: its adjoint is the sum over its two edges
    x = next(n["id"] for n in graph["nodes"] if n["label"] == "x")
    products = [e["product"] for e in graph["edges"] if e["source"] == x]
    assert len(products) == 2 and sum(products) == graph["nodes"][x]["adjoint"] == 18.0


def test_the_backward_pass_visits_every_operation_after_its_users() -> None:
    surface = build_surface(SurfaceSpec(id="beale"))
    shown = backprop(surface, (1.0, 1.5))
    position = {node: k for k, node in enumerate(shown["backward_order"])}
    assert shown["backward_order"][0] == shown["output"]
    for edge in shown["edges"]:
        if edge["source"] in position:
            assert position[edge["target"]] < position[edge["source"]]


def test_the_bowl_is_one_sample_and_the_samples_average_to_the_gradient() -> None:
    surface = build_surface(SurfaceSpec(id="regression", generate={"n": 40, "noise": 0.5}))
    data = surface.samples
    w, b = 3.0, 2.0
    for index in (0, 7, 39):
        shown = backprop(surface, (w, b), sample=index)
        x, t = float(data.x[index]), float(data.t[index])
        residual = t - (w * x + b)  # ℓ = r², ∂ℓ/∂w = −2 r x, ∂ℓ/∂b = −2 r
        assert shown["value"] == pytest.approx(residual**2, rel=1e-14)
        assert shown["gradient"] == pytest.approx([-2 * residual * x, -2 * residual], rel=1e-14)
        samples = shown["samples"]
        assert samples["error_signal"] == pytest.approx(-2 * residual, rel=1e-14)
        assert samples["listed"]["gradient_w"][index] == pytest.approx(shown["gradient"][0])
    assert_gradient(surface, (w, b), samples["mean_gradient"])
    assert samples["mean_loss"] == pytest.approx(surface.value_xy(w, b), rel=1e-12)


def test_the_samples_add_up_to_the_gradient_a_step_used() -> None:
    spec = {"surface": {"id": "regression", "generate": {"n": 30, "noise": 1.0}},
            "start": [3.0, 2.0], "steps": 5, "record": ["state"],
            "optimizers": [{"id": "gd", "params": {"lr": 0.05}}]}  # fmt: skip
    result = run(spec)
    trajectory = result.runs[0]
    for k in range(5):
        point = (float(trajectory.x[k]), float(trajectory.y[k]))
        mean = backprop(result.surface, point)["samples"]["mean_gradient"]
        used = (trajectory.state["gradient_x"][k], trajectory.state["gradient_y"][k])
        assert mean == pytest.approx(list(used), rel=1e-12)


def test_what_cannot_be_shown_names_its_field(monkeypatch: pytest.MonkeyPatch) -> None:
    bowl = build_surface(SurfaceSpec(id="regression", generate={"n": 10}))
    with pytest.raises(BackpropError) as error:
        backprop(bowl, (0.0, 0.0), sample=10)
    assert error.value.field == "sample"
    with pytest.raises(BackpropError) as error:
        backprop(build_surface(SurfaceSpec(id="saddle")), (0.0, 0.0), sample=0)
    assert error.value.field == "sample"
    with pytest.raises(BackpropError) as error:
        backprop(build_surface(SurfaceSpec(id="custom", expression="sqrt(x)")), (-1.0, 0.0))
    assert error.value.field == "point"
    monkeypatch.setattr(backprop_module, "MAX_SHOWN_NODES", 8)
    surface = build_surface(SurfaceSpec(id="custom", expression="(x*y + x)^2 * (x*y + x)"))
    assert len(backprop(surface, (1.0, 1.0))["nodes"]) <= 8
    with pytest.raises(BackpropError) as error:
        backprop(surface, (1.0, 1.0), shared=False)
    assert error.value.field == "shared"
    with pytest.raises(BackpropError) as error:
        backprop(build_surface(SurfaceSpec(id="beale")), (1.0, 1.0))
    assert error.value.field == "surface.expression"


def test_the_figure_draws_every_node_and_edge_in_the_language_asked_for() -> None:
    spec = {"surface": {"id": "custom", "expression": "(x*y + x)^2"}, "start": [1.0, 2.0],
            "steps": 3, "optimizers": [{"id": "gd"}]}  # fmt: skip
    figure = figures.backprop(run(spec, lang="ja"), step=0)
    roles = {trace.meta["role"]: trace for trace in figure.data if trace.meta}
    assert list(roles["nodes"].text) == ["x", "y", "×", "+", "2", "^"]
    assert len(roles["edges"].text) == 6
    assert "誤差逆伝播" in figure.layout.title.text and "(18, 6)" in figure.layout.title.text
    later = figures.backprop(run(spec), step=2)
    assert "Backward pass" in later.layout.title.text and "(18, 6)" not in later.layout.title.text
    assert np.all(np.isfinite([float(v) for v in roles["nodes"].x]))
    assert math.isfinite(float(roles["nodes"].y[0]))


def test_the_figure_counts_samples_from_one_as_a_person_does() -> None:
    """The API's sample 0 is the first sample: the title says "Sample 1 of 20" (1 番目)."""
    spec = {"surface": {"id": "regression", "generate": {"n": 20}}, "steps": 2,
            "optimizers": [{"id": "gd"}]}  # fmt: skip
    first = figures.backprop(run(spec), step=0, sample=0).layout.title.text
    last = figures.backprop(run(spec, lang="ja"), step=0, sample=19).layout.title.text
    assert first.startswith("Sample 1 of 20 ")
    assert re.search(r"20 個中 20 ?(<br>)?番目", last), last  # wrapped to its box


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_the_neurons_samples_average_to_its_exact_gradient(loss: str) -> None:
    surface = build_surface(SurfaceSpec(id="neuron", loss=loss, classes={"n": 30, "seed": 3}))
    data = surface.samples
    rng = random.Random(loss)
    for _ in range(10):
        w, b = rng.uniform(-3, 3), rng.uniform(-3, 3)
        index = rng.randrange(30)
        shown = backprop(surface, (w, b), sample=index)
        x, t = float(data.x[index]), float(data.t[index])
        p = 1 / (1 + math.exp(-(w * x + b)))
        # δ = ∂ℓ/∂z: p − t for cross-entropy, −2 (t − p) p (1 − p) for the squared error
        delta = p - t if loss == "cross_entropy" else -2 * (t - p) * p * (1 - p)
        assert shown["samples"]["error_signal"] == pytest.approx(delta, rel=1e-12, abs=1e-15)
        assert shown["gradient"] == pytest.approx([delta * x, delta], rel=1e-10, abs=1e-15)
        assert_gradient(surface, (w, b), shown["samples"]["mean_gradient"])
        assert shown["samples"]["mean_loss"] == pytest.approx(surface.value_xy(w, b), rel=1e-12)
    ops = {node["op"] for node in shown["nodes"]}
    assert "sigmoid" in ops and ({"log", "neg"} <= ops) == (loss == "cross_entropy")


def signal_adjoints(shown: dict) -> dict[str, float]:
    """Each labelled signal's adjoint (summed over its copies in a tree), by text key."""
    adjoints = {node["id"]: node["adjoint"] for node in shown["nodes"]}
    labelled: dict[str, float] = {}
    for signal in shown["signals"]:
        labelled[signal["key"]] = labelled.get(signal["key"], 0.0) + adjoints[signal["node"]]
    return labelled


def slope_by_hand(activation: str, z: float) -> float:
    """φ′(z), written out: 1 − tanh², σ(1 − σ), and relu′ (0 at z ≤ 0, as torch's)."""
    if activation == "tanh":
        return 1.0 - math.tanh(z) ** 2
    if activation == "sigmoid":
        s = 1.0 / (1.0 + math.exp(-z))
        return s * (1.0 - s)
    return 1.0 if z > 0.0 else 0.0


def phi_by_hand(activation: str, z: float) -> float:
    if activation == "tanh":
        return math.tanh(z)
    return 1.0 / (1.0 + math.exp(-z)) if activation == "sigmoid" else max(z, 0.0)


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_the_chains_signals_are_delta_two_at_the_output_and_delta_one_at_the_hidden_sum(
    activation: str, loss: str
) -> None:
    """δ₂ = ∂ℓ/∂ŷ at ŷ = w₂ h and δ₁ = δ₂·w₂·φ′(z₁) at z₁ = w₁ x, worked by hand for one
    sample, in the graph and in the tree, labelled in the language asked for."""
    surface = build_surface(
        SurfaceSpec(id="chain", activation=activation, loss=loss, generate={"n": 12, "seed": 5})
    )
    data = surface.samples
    rng = random.Random(f"{activation}-{loss}")
    english = [f"backprop.chain_delta_{which}" for which in ("output", "hidden")]  # text keys
    updates = ["backprop.chain_update_w2", "backprop.chain_update_w1"]
    for w1, w2 in [(rng.uniform(-2, 2), rng.uniform(-3, 3)) for _ in range(4)] + [(-0.7, 1.2)]:
        index = rng.randrange(12)
        x, t = float(data.x[index]), float(data.t[index])
        z = w1 * x
        y_hat = w2 * phi_by_hand(activation, z)
        delta_2 = 2.0 * (y_hat - t) if loss == "mse" else 1.0 / (1.0 + math.exp(-y_hat)) - t
        delta_1 = delta_2 * w2 * slope_by_hand(activation, z)
        for shared in (True, False):
            shown = backprop(surface, (w1, w2), sample=index, shared=shared)
            nodes = {node["id"]: node for node in shown["nodes"]}
            at = {key: [s["node"] for s in shown["signals"] if s["key"] == key]
                  for key in english}  # fmt: skip
            assert all(nodes[i]["value"] == pytest.approx(y_hat, rel=1e-14, abs=1e-15)
                       for i in at[english[0]])  # fmt: skip
            assert all(nodes[i]["value"] == pytest.approx(z, rel=1e-14, abs=1e-15)
                       for i in at[english[1]])  # fmt: skip
            # In a tree a node has a copy per use (σ(ŷ) twice under cross-entropy, z₁
            # twice in ReLU's |½(z + |z|)|, per copy of ŷ); their adjoints add up.
            uses_output = 1 if shared or loss == "mse" else 2
            uses_hidden = uses_output * (1 if shared or activation != "relu" else 2)
            assert (len(at[english[0]]), len(at[english[1]])) == (uses_output, uses_hidden)
            signals = signal_adjoints(shown)
            assert list(signals) == english + updates
            assert signals[english[0]] == pytest.approx(delta_2, rel=1e-12, abs=1e-15)
            assert signals[english[1]] == pytest.approx(delta_1, rel=1e-12, abs=1e-15)
            assert shown["gradient"] == pytest.approx([delta_1 * x, delta_2 * y_hat / w2],
                                                      rel=1e-10, abs=1e-14)  # fmt: skip
            if shared:  # the backward pass meets δ₂ before δ₁
                order = shown["backward_order"]
                [output], [hidden] = at.values()
                assert order.index(output) < order.index(hidden)
        ja = backprop(surface, (w1, w2), sample=index, lang="ja")
        for signal in ja["signals"]:  # each label in Japanese with its number (a tree's sum)
            count = 12 if signal["update"] else None
            value = f"{signal['value']:.4g}"
            assert signal["label"] == text(signal["key"], "ja", value=value, count=count)
        values = [s["value"] for s in ja["signals"]]
        assert values[:2] == pytest.approx([delta_2, delta_1], rel=1e-12, abs=1e-15)
    if activation == "relu":  # the dead side: δ₂ is there, φ′ = 0 stops it
        shown = backprop(surface, (-0.7, 1.2), sample=0)
        assert signal_adjoints(shown)[english[0]] != 0.0 == signal_adjoints(shown)[english[1]]


@pytest.mark.parametrize(
    ("spec", "delta"),
    [
        ({"id": "regression", "generate": {"n": 10}}, lambda z, t: -2.0 * (t - z)),
        ({"id": "neuron", "loss": "cross_entropy"}, lambda z, t: 1 / (1 + math.exp(-z)) - t),
        ({"id": "neuron", "loss": "mse"},
         lambda z, t: -2 * (t - (p := 1 / (1 + math.exp(-z)))) * p * (1 - p)),
    ],
    ids=["line-fit", "neuron-cross-entropy", "neuron-mse"],
)  # fmt: skip
def test_one_layer_has_one_signal_delta_at_the_weighted_sum(spec: dict, delta) -> None:
    surface = build_surface(SurfaceSpec(**spec))
    data = surface.samples
    w, b, index = 0.8, -0.3, 3
    x, t = float(data.x[index]), float(data.t[index])
    for lang in ("en", "ja"):
        shown = backprop(surface, (w, b), sample=index, lang=lang)
        [signal] = shown["signals"]
        node = shown["nodes"][signal["node"]]
        value = f"{node['adjoint']:.4g}"
        assert signal["label"] == text("backprop.delta", lang, value=value)
        assert node["value"] == pytest.approx(w * x + b, rel=1e-14)
        assert node["adjoint"] == pytest.approx(delta(w * x + b, t), rel=1e-12, abs=1e-15)


def test_a_formula_has_no_signals() -> None:
    surface = build_surface(SurfaceSpec(id="custom", expression="(x*y + x)^2"))
    assert backprop(surface, (1.0, 2.0))["signals"] == []
    assert backprop(surface, (1.0, 2.0), shared=False)["signals"] == []
