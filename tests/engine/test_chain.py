"""The chain network ŷ = w₂·φ(w₁x): torch autograd (float64) is the reference for values,
gradients, error signals, minibatches and whole trajectories; central differences, the
data's own weights and torch's Hessian check the minima and the saddle."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gradtrail import chain as chain_module
from gradtrail.catalog import SpecError
from gradtrail.chain import (
    ACTIVATIONS,
    ChainData,
    ChainGenerate,
    ChainSpec,
    build_chain,
    chain,
    generate_chain,
    layer_signals,
    loss_graph,
    sample_graph,
)
from gradtrail.epochs import Batches
from gradtrail.regression import run_minibatches
from gradtrail.runner import Run
from gradtrail.spec import OptimizerSpec, SurfaceSpec
from gradtrail.stopping import StopRules
from gradtrail.surfaces import Surface

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread() -> Any:
    """torch's tiny ops on one thread: on the shared two cores its thread pool made the
    trajectory tests several times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


LOSSES = ("mse", "cross_entropy")
KINDS = [(activation, loss) for activation in ACTIVATIONS for loss in LOSSES]
IDS = [f"{activation}-{loss}" for activation, loss in KINDS]


def surface_of(activation: str, loss: str, **generate: Any) -> Surface:
    return build_chain(
        ChainSpec(activation=activation, loss=loss, generate=ChainGenerate(**generate))
    )


TORCH_ACTIVATIONS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}


def torch_samples(w1: Any, w2: Any, x: Any, t: Any, activation: str, loss: str) -> Any:
    """Each sample's loss, written with torch's own functions; broadcasts like numpy."""
    return torch_output_loss(w2 * TORCH_ACTIVATIONS[activation](w1 * x), t, loss)


def torch_output_loss(y_hat: Any, t: Any, loss: str) -> Any:
    """Each sample's loss given the output: MSELoss's or BCEWithLogitsLoss's terms."""
    if loss == "mse":
        return torch.nn.functional.mse_loss(y_hat, t.expand_as(y_hat), reduction="none")
    return torch.nn.functional.binary_cross_entropy_with_logits(
        y_hat, t.expand_as(y_hat), reduction="none"
    )


def torch_loss_and_gradient(
    data: ChainData, w1: float, w2: float, index: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """The mean loss over the samples (``index``: those only) and its gradient by autograd."""
    x, t = (data.x, data.t) if index is None else (data.x[index], data.t[index])
    weights = torch.tensor([w1, w2], dtype=torch.float64, requires_grad=True)
    value = torch_samples(
        weights[0], weights[1], torch.tensor(x), torch.tensor(t), data.activation, data.loss
    ).mean()
    value.backward()
    return float(value.detach()), weights.grad.numpy().copy()


def random_points(count: int, seed: int, half: float = 3.0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-half, half, (count, 2))


@pytest.mark.parametrize(("activation", "loss"), KINDS, ids=IDS)
def test_value_and_gradient_equal_torch(activation: str, loss: str) -> None:
    surface = surface_of(activation, loss, n=57, seed=3)
    points = random_points(25, seed=11)
    expected = [torch_loss_and_gradient(surface.samples, *p) for p in points]
    values = np.array([v for v, _ in expected])
    gradients = np.array([g for _, g in expected])
    for (w1, w2), value, gradient in zip(points, values, gradients, strict=True):
        ours, ours_gradient = surface.both_xy(float(w1), float(w2))  # the runner's path
        assert type(ours) is float
        np.testing.assert_allclose(ours, value, rtol=1e-12)
        np.testing.assert_allclose(ours_gradient, gradient, rtol=1e-12, atol=1e-14)
    # The arrays' path (a batch of runs): value, gradient and both at once.
    np.testing.assert_allclose(surface.value(points), values, rtol=1e-12)
    np.testing.assert_allclose(surface.grad(points), gradients, rtol=1e-12, atol=1e-14)
    both_value, (g1, g2) = surface.both_xy(points[:, 0], points[:, 1])
    np.testing.assert_allclose(both_value, values, rtol=1e-12)
    np.testing.assert_allclose(np.stack([g1, g2], 1), gradients, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("activation", "loss"), KINDS, ids=IDS)
def test_gradient_agrees_with_central_differences(activation: str, loss: str) -> None:
    surface = surface_of(activation, loss, n=40, seed=5)
    step = 1e-6
    for w1, w2 in random_points(10, seed=2):
        value = surface.value_xy
        numeric = (
            (value(w1 + step, w2) - value(w1 - step, w2)) / (2 * step),
            (value(w1, w2 + step) - value(w1, w2 - step)) / (2 * step),
        )
        scale = 1.0 + np.hypot(*numeric)
        np.testing.assert_allclose(surface.grad_xy(w1, w2), numeric, atol=1e-7 * scale)


@pytest.mark.parametrize(("activation", "loss"), KINDS, ids=IDS)
def test_grid_equals_torch_pointwise(
    activation: str, loss: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grid visits every point × every sample in blocks (made small here, so a grid
    takes many), and its values are torch's at each point."""
    monkeypatch.setattr(chain_module, "GRID_BLOCK", 500)
    surface = surface_of(activation, loss, n=90, seed=8)
    grid = surface.grid(17)
    data = surface.samples
    w1, w2 = np.meshgrid(grid.x, grid.y)
    expected = torch_samples(
        torch.tensor(w1[..., None]), torch.tensor(w2[..., None]),
        torch.tensor(data.x), torch.tensor(data.t), activation, loss,
    ).mean(dim=-1).numpy()  # fmt: skip
    np.testing.assert_allclose(grid.z, expected, rtol=1e-12)
    assert grid.z.shape == (17, 17)


@pytest.mark.parametrize(("activation", "loss"), KINDS, ids=IDS)
def test_minibatch_gradients_equal_torch_on_the_drawn_batch(activation: str, loss: str) -> None:
    surface = surface_of(activation, loss, n=23, seed=4)
    data = surface.samples
    batches = Batches(23, 5, seed=9, run=2)  # 5 batches an epoch, the last of 3
    sampler = run_minibatches(surface, 5, seed=9, run=2)
    points = random_points(12, seed=6)
    for step, (w1, w2) in enumerate(points):
        index = batches.indices(step)
        assert index.size == (3 if step % 5 == 4 else 5)
        _, expected = torch_loss_and_gradient(data, w1, w2, index)
        np.testing.assert_allclose(sampler.grad(float(w1), float(w2)), expected, rtol=1e-12,
                                   atol=1e-14)  # fmt: skip
    # One draw serves a batch of runs: every point gets the same batch's gradient.
    index = batches.indices(len(points))
    g1, g2 = sampler.grad(points[:, 0], points[:, 1])
    expected = np.array([torch_loss_and_gradient(data, *p, index)[1] for p in points])
    np.testing.assert_allclose(np.stack([g1, g2], 1), expected, rtol=1e-12, atol=1e-14)


TORCH_OPTIMIZERS = {
    "gd": ("SGD", {}),
    "momentum": ("SGD", {}),
    "rmsprop": ("RMSprop", {}),
    "adam": ("Adam", {}),
}
RUN_CASES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "mse": [("gd", {"lr": 0.01}), ("momentum", {"lr": 0.003, "momentum": 0.9}),
            ("rmsprop", {"lr": 0.01}), ("adam", {"lr": 0.05})],
    "cross_entropy": [("gd", {"lr": 0.5}), ("momentum", {"lr": 0.1, "momentum": 0.9}),
                      ("rmsprop", {"lr": 0.01}), ("adam", {"lr": 0.05})],
}  # fmt: skip


def our_trajectory(
    surface: Surface,
    optimizer_id: str,
    params: dict[str, Any],
    steps: int,
    batch_size: int | None = None,
) -> np.ndarray:
    """The runner's run of the surface, from its default start (every step recorded)."""
    resolved = OptimizerSpec(id=optimizer_id, params=params).params
    sampler = run_minibatches(surface, batch_size, seed=0, run=0)
    run = Run(surface, optimizer_id, resolved, surface.default_start, sampler)
    chunk = run.start_points()
    run.advance(steps, StopRules(grad_tol=0.0, bound=1e300), chunk)
    return np.stack([chunk.x, chunk.y], axis=1)


def torch_trajectory(
    data: ChainData,
    optimizer_id: str,
    params: dict[str, Any],
    start: tuple[float, float],
    steps: int,
    batch_size: int | None = None,
) -> np.ndarray:
    """torch.optim on the same loss by autograd (minibatches: the same drawn samples)."""
    class_name, fixed = TORCH_OPTIMIZERS[optimizer_id]
    weights = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = getattr(torch.optim, class_name)([weights], **params, **fixed)
    batches = None if batch_size is None else Batches(data.x.size, batch_size, 0, 0)
    x, t = torch.tensor(data.x), torch.tensor(data.t)
    path = [weights.detach().clone().numpy()]
    for step in range(steps):
        optimizer.zero_grad()
        index = slice(None) if batches is None else torch.tensor(batches.indices(step))
        torch_samples(weights[0], weights[1], x[index], t[index], data.activation,
                      data.loss).mean().backward()  # fmt: skip
        optimizer.step()
        path.append(weights.detach().clone().numpy())
    return np.array(path)


@pytest.mark.parametrize(("activation", "loss"), KINDS, ids=IDS)
def test_trajectories_equal_torch_optim(activation: str, loss: str) -> None:
    """gd, momentum, RMSProp and Adam, 200 steps from the default start: torch.optim's."""
    surface = surface_of(activation, loss, n=40, seed=1)
    for optimizer_id, params in RUN_CASES[loss]:
        ours = our_trajectory(surface, optimizer_id, params, 200)
        expected = torch_trajectory(surface.samples, optimizer_id, params,
                                    surface.default_start, 200)  # fmt: skip
        assert ours.shape == (201, 2), optimizer_id  # no divergence: every step recorded
        np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12, err_msg=optimizer_id)


def test_a_minibatch_run_equals_torch_on_the_same_batches() -> None:
    surface = surface_of("tanh", "mse", n=30, seed=2)
    ours = our_trajectory(surface, "adam", {"lr": 0.05}, 100, batch_size=7)
    expected = torch_trajectory(surface.samples, "adam", {"lr": 0.05}, surface.default_start,
                                100, batch_size=7)  # fmt: skip
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12)


def torch_gradient_and_hessian(data: ChainData, point: tuple[float, float]) -> tuple[Any, Any]:
    x, t = torch.tensor(data.x), torch.tensor(data.t)

    def loss(w: Any) -> Any:
        return torch_samples(w[0], w[1], x, t, data.activation, data.loss).mean()

    w = torch.tensor(point, dtype=torch.float64)
    gradient = torch.autograd.functional.jacobian(loss, w).numpy()
    return gradient, torch.autograd.functional.hessian(loss, w).numpy()


@pytest.mark.parametrize("loss", LOSSES)
def test_tanh_minima_are_mirror_images_with_zero_gradient_and_positive_curvature(
    loss: str,
) -> None:
    surface = surface_of("tanh", loss)
    assert len(surface.minima) == 2
    first, second = np.array(surface.minima)
    np.testing.assert_allclose(second, -first, rtol=1e-12)
    for point in surface.minima:
        gradient, hessian = torch_gradient_and_hessian(surface.samples, point)
        assert np.hypot(*gradient) < 1e-9
        assert np.linalg.eigvalsh(hessian).min() > 0.0
        lo, hi = np.array(surface.domain).T
        assert np.all(lo < point) and np.all(np.array(point) < hi)


def test_noiseless_data_put_the_tanh_minima_at_the_weights_that_made_them() -> None:
    """With t = 2·tanh(1.5x) exactly, the loss is 0 at (1.5, 2) and its mirror only."""
    surface = surface_of("tanh", "mse", w1=1.5, w2=2.0, noise=0.0)
    found = sorted(surface.minima)
    np.testing.assert_allclose(found, [(-1.5, -2.0), (1.5, 2.0)], rtol=1e-9)


def test_sigmoid_minimum_is_a_minimum_for_torch() -> None:
    for loss in LOSSES:
        surface = surface_of("sigmoid", loss)
        assert surface.minima, loss
        for point in surface.minima:
            gradient, hessian = torch_gradient_and_hessian(surface.samples, point)
            assert np.hypot(*gradient) < 1e-9
            assert np.linalg.eigvalsh(hessian).min() > 0.0


@pytest.mark.parametrize("loss", LOSSES)
def test_the_tanh_origin_is_a_saddle(loss: str) -> None:
    surface = surface_of("tanh", loss)
    assert surface.extra["saddles"] == ((0.0, 0.0),)
    gradient, hessian = torch_gradient_and_hessian(surface.samples, (0.0, 0.0))
    assert np.all(gradient == 0.0)
    low, high = np.linalg.eigvalsh(hessian)
    assert low < 0.0 < high


def test_the_default_tanh_start_runs_by_the_saddle_into_a_minimum() -> None:
    surface = surface_of("tanh", "mse")
    path = our_trajectory(surface, "gd", {"lr": 0.1}, 600)
    lo, hi = np.array(surface.domain).T
    assert np.all(lo < surface.default_start) and np.all(surface.default_start < hi)
    assert np.hypot(*path.T).min() < 0.1 * np.hypot(*surface.minima[0])
    assert min(np.hypot(*(path[-1] - m)) for m in surface.minima) < 1e-3


@pytest.mark.parametrize("loss", LOSSES)
def test_relu_dead_half_plane_passes_no_gradient(loss: str) -> None:
    """ReLU's generated inputs are positive: for w₁ ≤ 0 the unit is dead (w₁ = 0: relu′(0)
    = 0, as torch's), no gradient reaches w₁ (nor w₂, since h = 0), and no minimum is
    claimed (ReLU's minima are hyperbolas w₁w₂ = c)."""
    surface = surface_of("relu", loss)
    data = surface.samples
    assert np.all(data.x >= 0.0)
    assert surface.minima == ()
    for w1, w2 in [(-0.5, 1.0), (-2.0, -3.0), (0.0, 2.0), (-1e-9, 0.4)]:
        gradient, _ = torch_gradient_and_hessian(data, (w1, w2))
        _, (g1, g2) = surface.both_xy(w1, w2)
        assert g1 == g2 == 0.0
        assert np.all(gradient == 0.0)  # torch's too
    ours = surface.grad(np.array([[-1.0, 1.0], [0.0, -1.0], [1.0, 1.0]]))
    assert np.all(ours[:2, 0] == 0.0) and ours[2, 0] != 0.0


@pytest.mark.parametrize(("activation", "loss"), KINDS, ids=IDS)
def test_graph_adjoints_and_layer_signals_equal_torch(activation: str, loss: str) -> None:
    """Per sample: the graph's adjoints of ŷ and z₁ are torch's δ₂ and δ₁, those of the
    inputs its gradient; the labelled formulas δ₂, δ₁, δ₂h, δ₁x give the same numbers."""
    surface = surface_of(activation, loss, n=15, seed=7)
    data = surface.samples
    graph = loss_graph(surface)
    assert graph.data is data and graph.parameters == ("w1", "w2")
    nodes = graph.graph.nodes
    inputs = {node.name: i for i, node in enumerate(nodes) if node.op == "input"}
    # The reverse sweep meets δ₂, then δ₁, then ∂ℓ/∂w₂, then ∂ℓ/∂w₁.
    assert graph.output > graph.hidden > graph.hidden_sum > inputs["w2"] > inputs["w1"]
    for w1, w2 in [*random_points(6, seed=3, half=2.0), (0.0, 1.5)]:
        x = torch.tensor(data.x)
        w1s = torch.full_like(x, w1, requires_grad=True)
        w2s = torch.full_like(x, w2, requires_grad=True)
        z = w1s * x
        z.retain_grad()
        y_hat = w2s * TORCH_ACTIVATIONS[activation](z)
        y_hat.retain_grad()
        per_sample = torch_output_loss(y_hat, torch.tensor(data.t), loss)
        per_sample.sum().backward()
        expected = {"δ₂": y_hat.grad, "δ₁": z.grad, "w1": w1s.grad, "w2": w2s.grad}
        expected = {name: value.numpy() for name, value in expected.items()}

        values = graph.graph.forward(w1=np.full_like(data.x, w1), w2=np.full_like(data.x, w2),
                                     x=data.x, t=data.t)  # fmt: skip
        adjoints = graph.graph.backward(values)
        ours = {"δ₂": adjoints[graph.output], "δ₁": adjoints[graph.hidden_sum],
                "w1": adjoints[inputs["w1"]], "w2": adjoints[inputs["w2"]]}  # fmt: skip
        signals = layer_signals(data, float(w1), float(w2))
        formulas = {"δ₂": signals.delta_output, "δ₁": signals.delta_hidden,
                    "w1": signals.grad_w1, "w2": signals.grad_w2}  # fmt: skip
        for name, value in expected.items():
            np.testing.assert_allclose(ours[name], value, rtol=1e-12, atol=1e-15, err_msg=name)
            np.testing.assert_allclose(formulas[name], value, rtol=1e-12, atol=1e-15,
                                       err_msg=name)  # fmt: skip
        np.testing.assert_allclose(values[graph.graph.output], per_sample.detach().numpy(),
                                   rtol=1e-12, atol=1e-15)  # fmt: skip


def test_the_graph_at_one_sample_on_floats() -> None:
    """The backprop panel evaluates one sample on floats: relu′(0) is 0 there too."""
    graph = sample_graph("relu", "mse")
    for z_sign, slope in [(1.0, 1.0), (-1.0, 0.0), (0.0, 0.0)]:
        values = graph.graph.forward(w1=z_sign, w2=2.0, x=1.5, t=0.5)
        adjoints = graph.graph.backward(values)
        h = max(z_sign * 1.5, 0.0)
        delta_output = 2.0 * (2.0 * h - 0.5)
        assert adjoints[graph.output] == delta_output
        assert adjoints[graph.hidden_sum] == delta_output * 2.0 * slope


def test_data_and_generation_are_checked() -> None:
    with pytest.raises(SpecError) as error:
        build_chain(ChainSpec(loss="cross_entropy", data={"x": [0, 1, 2], "y": [0, 0.5, 1]}))
    assert error.value.field == "surface.data"
    with pytest.raises(ValueError, match="either data or generate"):
        SurfaceSpec(id="chain", data={"x": [0, 1], "y": [0, 1]}, generate={})
    with pytest.raises(ValueError, match="x_range"):
        ChainGenerate(x_range=(1.0, 1.0))
    classes = generate_chain(ChainGenerate(n=200), "tanh", "cross_entropy")
    assert set(np.unique(classes.t)) == {0.0, 1.0}
    again = generate_chain(ChainGenerate(n=200), "tanh", "cross_entropy")
    assert np.array_equal(classes.x, again.x) and np.array_equal(classes.t, again.t)
    surface = build_chain(ChainSpec(activation="sigmoid", data={"x": [-1, 0, 2], "y": [0, 1, 3]}))
    assert surface.id == "chain" and surface.extra["activation"] == "sigmoid"
    assert surface.extra["axes"] == ("w₁", "w₂") and surface.cost == 1.0


def test_separable_classes_claim_no_finite_minimum() -> None:
    """noise 0 makes the classes separable: the loss falls towards 0 as the weights grow,
    so Newton finds no point to report."""
    surface = chain(generate_chain(ChainGenerate(noise=0.0), "tanh", "cross_entropy"))
    assert surface.minima == ()


@pytest.mark.slow  # 26 × 26 starts × 300 steps over 100 samples: several seconds
def test_the_start_sweep_maps_two_basins_that_mirror_each_other() -> None:
    """The basin map of the tanh chain: every start ends at one of the two minima, both
    appear, and the start −p ends at the mirror of the minimum that p ends at."""
    from gradtrail.presets import SWEEP_PRESETS
    from gradtrail.sweep import run_sweep

    result = run_sweep(SWEEP_PRESETS["chain-tanh-basins"].sweep_spec())
    first_minimum, second_minimum = np.array(result.surface.minima)
    np.testing.assert_allclose(first_minimum, -second_minimum, rtol=1e-12)
    xs, ys = (axis.values for axis in result.axes)
    np.testing.assert_allclose(xs, -xs[::-1], atol=1e-12)  # the starts mirror too
    np.testing.assert_allclose(ys, -ys[::-1], atol=1e-12)
    basin = result.basin
    assert basin.shape == (26, 26)
    assert {int((basin == k).sum()) for k in (0, 1)} == {26 * 26 // 2}  # half each, none lost
    mirrored = 1 - basin[::-1, ::-1]  # −p: both axes reversed, the minima swapped
    assert np.array_equal(basin, mirrored)
    # Each cell's end is its basin's minimum (the map's colours mean what they say).
    ends = np.stack([result.final_x, result.final_y], axis=-1)
    targets = np.where((basin == 0)[..., None], first_minimum, second_minimum)
    assert np.hypot(*(ends - targets).transpose(2, 0, 1)).max() < 0.05
