"""The network kind: its parameter vector, loss and gradient against torch.nn.Sequential with
autograd, every optimizer's steps against torch.optim, the plane against its definitions,
and the spec's bounds."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from gradtrail.catalog import build_surface
from gradtrail.epochs import Batches
from gradtrail.network import Layout, Network
from gradtrail.network_data import GENERATORS, NetworkGenerate, generate_points
from gradtrail.optimizers import OPTIMIZERS
from gradtrail.runner import run
from gradtrail.spec import RunSpec, SurfaceSpec

from .test_torch_parity import TORCH_CLASSES

torch = pytest.importorskip("torch")

ACTIVATIONS = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid"}
# Each optimizer's settings for the parity runs: steps that move the network visibly
# without amplifying rounding. (RMSProp with momentum 0.5 at lr 0.01 on XOR, NAdam at
# lr 0.02 and Rprop with steps up to 50 on separable circles run into oscillations that
# double any difference every few steps: torch against itself on another instruction set
# would part the same way; DESIGN.md's performance notes.)
PARITY_PARAMS: dict[str, dict[str, Any]] = {
    "gd": {"lr": 0.5, "weight_decay": 0.01},
    "momentum": {"lr": 0.1, "momentum": 0.9},
    "nesterov": {"lr": 0.1, "momentum": 0.9},
    "adagrad": {"lr": 0.1, "lr_decay": 0.01},
    "adadelta": {"lr": 1.0},
    "rmsprop": {"lr": 0.003},
    "adam": {"lr": 0.02, "amsgrad": True},
    "adamw": {"lr": 0.02, "weight_decay": 0.05},
    "nadam": {"lr": 0.01},
    "adamax": {"lr": 0.02},
    "radam": {"lr": 0.02},
    "rprop": {"lr": 0.001, "step_sizes": [1e-6, 0.01]},
    "asgd": {"lr": 0.1, "t0": 50},
}
CASES = [  # layers, activation, data, batch size (None: the whole data set)
    ([2, 4, 1], "tanh", "xor", None),
    ([2, 4, 1], "tanh", "moons", 16),
    ([2, 8, 8, 1], "relu", "circles", None),
    ([2, 8, 8, 1], "relu", "xor", 25),
]


def sequential(layers: list[int], activation: str, vector: np.ndarray) -> Any:
    """``nn.Sequential(Linear, act, …, Linear)`` holding ``vector`` in torch's order."""
    modules: list[Any] = []
    for index, (into, out) in enumerate(itertools.pairwise(layers)):
        modules.append(torch.nn.Linear(into, out, dtype=torch.float64))
        if index < len(layers) - 2:
            modules.append(getattr(torch.nn, ACTIVATIONS[activation])())
    model = torch.nn.Sequential(*modules)
    torch.nn.utils.vector_to_parameters(torch.tensor(vector), model.parameters())
    return model


def torch_loss(model: Any, x: np.ndarray, t: np.ndarray, loss: str) -> Any:
    output = model(torch.tensor(x))[:, 0]
    target = torch.tensor(t)
    if loss == "cross_entropy":
        return torch.nn.BCEWithLogitsLoss()(output, target)
    return torch.nn.MSELoss()(output, target)


@pytest.fixture(autouse=True)
def one_thread() -> Any:
    """torch on one thread: its pool's threads only wait on each other for tensors this
    small, and the machine's cores are shared."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def torch_path(layers: list[int], activation: str, x: np.ndarray, t: np.ndarray,
               start: np.ndarray, optimizer_id: str, steps: int,
               batches: Batches | None) -> np.ndarray:  # fmt: skip
    """The vectors torch.optim visits from ``start``, autograd's gradients of each batch."""
    torch.set_default_dtype(torch.float64)  # NAdam keeps mu_product in the default dtype
    model = sequential(layers, activation, start)
    class_name, fixed = TORCH_CLASSES[optimizer_id]
    params = {k: tuple(v) if isinstance(v, list) else v
              for k, v in PARITY_PARAMS[optimizer_id].items()}  # fmt: skip
    optimizer = getattr(torch.optim, class_name)(model.parameters(), **params, **fixed)
    draws = batches.draws() if batches is not None else None
    path = [start]
    for _ in range(steps):
        index = draws.next() if draws is not None else slice(None)
        optimizer.zero_grad()
        torch_loss(model, x[index], t[index], "cross_entropy").backward()
        optimizer.step()
        path.append(torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy())
    return np.array(path)


def test_the_torch_table_covers_every_optimizer() -> None:
    assert set(PARITY_PARAMS) == set(OPTIMIZERS)


@pytest.mark.parametrize(
    ("layers", "activation", "loss"),
    [([2, 4, 1], "tanh", "cross_entropy"), ([2, 8, 8, 1], "relu", "mse"),
     ([2, 5, 3, 2, 1], "sigmoid", "cross_entropy"), ([1, 8, 1], "tanh", "mse")],
)  # fmt: skip
def test_loss_and_gradient_equal_autograd(layers: list[int], activation: str, loss: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, layers[0]))
    t = (
        (rng.uniform(size=40) < 0.5).astype(float)
        if loss == "cross_entropy"
        else rng.normal(size=40)
    )
    layout = Layout(tuple(layers))
    vector = layout.initial(7)
    model = sequential(layers, activation, vector)
    expected = torch_loss(model, x, t, loss)
    expected.backward()
    gradient = torch.nn.utils.parameters_to_vector(p.grad for p in model.parameters()).numpy()
    value, ours = Network(layout, activation, loss, x, t).both(vector)
    assert value == pytest.approx(expected.item(), rel=1e-13)
    np.testing.assert_allclose(ours, gradient, rtol=1e-12, atol=1e-14)
    many = Network(layout, activation, loss, x, t).values(np.stack([vector, 0.5 * vector]))
    half = torch_loss(sequential(layers, activation, 0.5 * vector), x, t, loss).item()
    np.testing.assert_allclose(many, [expected.item(), half], rtol=1e-13)


def test_the_start_is_drawn_as_nn_linear_draws_it() -> None:
    """Every weight and bias within ±1/√fan_in, in torch's order: each layer's weight
    (row-major), then its bias."""
    layout = Layout((2, 8, 3, 1))
    vector = layout.initial(11)
    assert vector.size == sum(
        p.numel() for p in sequential([2, 8, 3, 1], "tanh", vector).parameters()
    )
    for (_, into), (w, _, end) in zip(layout.shapes, layout.offsets, strict=True):
        assert np.all(np.abs(vector[w:end]) <= 1.0 / np.sqrt(into))
        assert np.std(vector[w:end]) > 0.2 / np.sqrt(into)
    model = sequential([2, 8, 3, 1], "tanh", vector)
    np.testing.assert_array_equal(model[0].weight.detach().numpy().ravel(), vector[:16])
    np.testing.assert_array_equal(model[0].bias.detach().numpy(), vector[16:24])
    np.testing.assert_array_equal(layout.initial(11), vector)


@pytest.mark.parametrize(("layers", "activation", "kind", "batch_size"), CASES)
def test_every_optimizer_steps_the_vector_as_torch_optim(
    layers: list[int], activation: str, kind: str, batch_size: int | None
) -> None:
    """Every optimizer, 200 steps from the same vector: torch's path, to 1e-10."""
    steps, n = 200, 100
    generate = {"kind": kind, "n": n, "noise": 0.1, "seed": 2}
    optimizers = [{"id": o, "params": PARITY_PARAMS[o], "batch_size": batch_size}
                  for o in OPTIMIZERS]  # fmt: skip
    spec = {
        "surface": {"id": "network", "layers": layers, "activation": activation,
                    "loss": "cross_entropy", "generate": generate, "init_seed": 5},
        "steps": steps, "seed": 9, "record": ["parameters"], "optimizers": optimizers,
        "stop": {"grad_tol": 0.0, "divergence_bound": 1e300},
    }  # fmt: skip
    result = run(spec)
    x, t = generate_points(NetworkGenerate(**generate))
    start = Layout(tuple(layers)).initial(5)
    for index, (optimizer_id, trajectory) in enumerate(zip(OPTIMIZERS, result.runs, strict=True)):
        batches = Batches(n, batch_size, 9, index) if batch_size else None
        expected = torch_path(layers, activation, x, t, start, optimizer_id, steps, batches)
        assert trajectory.parameters.shape == expected.shape, optimizer_id
        scale = np.abs(expected).max(axis=1, keepdims=True)
        error = np.abs(trajectory.parameters - expected) / scale
        assert error.max() <= 1e-10, (optimizer_id, error.max())
        assert np.max(np.abs(expected[-1] - expected[0])) > 1e-3, optimizer_id  # it moved


def test_generators_draw_two_balanced_classes_in_the_plane() -> None:
    for kind in GENERATORS:
        x, t = generate_points(NetworkGenerate(kind=kind, n=201, noise=0.0, seed=1))
        assert x.shape == (201, 2) and np.all(np.abs(x) <= (3.0 if kind == "blobs" else 1.5)), kind
        assert t.sum() == 101 and set(np.unique(t)) == {0.0, 1.0}, kind
    x, t = generate_points(NetworkGenerate(kind="xor", n=400, noise=0.0))
    np.testing.assert_array_equal(x[:, 0] * x[:, 1] > 0, t == 1.0)
    x, t = generate_points(NetworkGenerate(kind="circles", n=400, noise=0.0))
    np.testing.assert_allclose(np.hypot(*x.T), np.where(t == 1.0, 0.5, 1.0))


def network_result(plane: dict[str, Any] | None = None, steps: int = 150) -> Any:
    surface = {"id": "network", "layers": [2, 6, 1], "generate": {"kind": "moons", "n": 80}}
    if plane is not None:
        surface["plane"] = plane
    return run({
        "surface": surface, "steps": steps, "record": ["parameters"],
        "optimizers": [{"id": "adam", "params": {"lr": 0.05}},
                       {"id": "momentum", "params": {"lr": 0.2}}],
    })  # fmt: skip


@pytest.mark.parametrize("kind", ["pca", "random"])
def test_the_plane_projections_and_off_plane_distances_are_their_definitions(kind: str) -> None:
    result = network_result({"kind": kind, "seed": 4})
    plane = result.surface.plane
    d = plane.directions
    np.testing.assert_allclose(d @ d.T, np.eye(2), atol=1e-12)
    paths = [trajectory.parameters for trajectory in result.runs]
    np.testing.assert_array_equal(plane.origin, paths[0][0])  # through the common start
    held = total = 0.0
    for trajectory, path in zip(result.runs, paths, strict=True):
        for k in (0, 40, path.shape[0] - 1):
            shifted = path[k] - plane.origin
            a, b = float(shifted @ d[0]), float(shifted @ d[1])
            assert trajectory.x[k] == pytest.approx(a, abs=1e-12)
            assert trajectory.y[k] == pytest.approx(b, abs=1e-12)
            rest = shifted - a * d[0] - b * d[1]
            assert trajectory.off_plane[k] == pytest.approx(np.linalg.norm(rest), abs=1e-10)
        shifted = path - plane.origin
        held += float(np.sum((shifted @ d.T) ** 2))
        total += float(np.sum(shifted**2))
    assert plane.explained == pytest.approx(held / total, rel=1e-12)
    assert result.runs[0].off_plane[0] == 0.0


def test_the_pca_plane_holds_the_paths_best() -> None:
    """Of all planes through the start, the top two right singular vectors of the stacked
    displacements hold the largest share: no random plane holds more."""
    result = network_result({"kind": "pca"})
    paths = [trajectory.parameters for trajectory in result.runs]
    shifted = np.concatenate([path - paths[0][0] for path in paths])
    singular = np.linalg.svd(shifted, compute_uv=False)
    share = float((singular[:2] ** 2).sum() / (singular**2).sum())
    assert result.surface.plane.explained == pytest.approx(share, rel=1e-10)
    random_share = network_result({"kind": "random"}).surface.plane.explained
    assert random_share < share


def test_the_contour_is_the_true_loss_on_the_plane() -> None:
    result = network_result()
    plane, network = result.surface.plane, result.surface.samples
    grid = result.surface.grid(resolution=7)
    model = sequential([2, 6, 1], "tanh", plane.origin)
    for i, j in ((0, 0), (3, 5), (6, 2)):
        vector = plane.origin + grid.x[i] * plane.directions[0] + grid.y[j] * plane.directions[1]
        torch.nn.utils.vector_to_parameters(torch.tensor(vector), model.parameters())
        expected = torch_loss(model, network.x, network.t, "cross_entropy").item()
        assert grid.z[j, i] == pytest.approx(expected, rel=1e-12)
    (a0, a1), (b0, b1) = result.surface.domain
    for trajectory in result.runs:  # the window holds every path
        assert a0 < trajectory.x.min() and trajectory.x.max() < a1
        assert b0 < trajectory.y.min() and trajectory.y.max() < b1


def test_a_stated_plane_is_drawn_as_stated() -> None:
    """A result's plane sent back gives the same contour: the page redraws it so."""
    result = network_result()
    plane = result.surface.plane
    stated = {"origin": plane.origin.tolist(), "directions": plane.directions.tolist()}
    spec = SurfaceSpec(id="network", layers=[2, 6, 1], generate={"kind": "moons", "n": 80},
                       plane=stated, domain=result.surface.domain)  # fmt: skip
    again = build_surface(spec).grid(resolution=9)
    np.testing.assert_allclose(again.z, result.surface.grid(resolution=9).z, rtol=1e-12)


BAD_SURFACES = [
    ({"layers": [2, 4, 4, 4, 4, 1]}, "layers"),  # four hidden layers
    ({"layers": [2, 33, 1]}, "layers"),
    ({"layers": [2, 32, 32, 32, 1]}, "parameters"),  # 2,273 parameters
    ({"layers": [3, 4, 1]}, "layers"),
    ({"layers": [2, 4, 2]}, "layers"),
    ({"generate": {"kind": "xor", "n": 5001}}, "n"),
    ({"generate": {"kind": "rings"}}, "kind"),
    ({"init": [0.0] * 5}, "init"),
    ({"init": [0.0] * 17, "init_seed": 1}, "init"),
    ({"data": {"x": [[0.0], [1.0]], "y": [0.0, 1.0]}}, "layers[0]"),
    ({"data": {"x": [[0.0, 1.0], [1.0]], "y": [0.0, 1.0]}}, "same number"),
    ({"plane": {"origin": [0.0] * 17}}, "plane.origin"),
]


@pytest.mark.parametrize(("fields", "said"), BAD_SURFACES)
def test_bad_network_specs_are_refused_naming_the_field(fields: dict[str, Any], said: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SurfaceSpec(id="network", **fields)
    assert said in str(caught.value)


def test_run_specs_of_a_network_are_bounded() -> None:
    surface = {"id": "network", "layers": [2, 30, 30, 1]}  # 1,051 parameters
    one = {"id": "adam"}
    for extra, said in (
        ({"start": [0.0, 0.0]}, "start"),
        ({"record": ["state"]}, "record"),
        ({"steps": 20_000, "optimizers": [one] * 4}, "values kept"),
    ):
        with pytest.raises(ValidationError) as caught:
            RunSpec.model_validate({"surface": surface, "optimizers": [one], **extra})
        assert said in str(caught.value)
    with pytest.raises(ValidationError, match="many parameters"):
        RunSpec.model_validate(
            {"surface": {"id": "quadratic"}, "optimizers": [one], "record": ["parameters"]}
        )


def test_regression_data_in_one_dimension_fits_a_curve() -> None:
    x = np.linspace(-2.0, 2.0, 30)
    spec = {
        "surface": {"id": "network", "layers": [1, 8, 1], "loss": "mse",
                    "data": {"x": [[v] for v in x], "y": np.sin(x).tolist()}},
        "steps": 300, "optimizers": [{"id": "adam", "params": {"lr": 0.05}}],
    }  # fmt: skip
    trajectory = run(spec).runs[0]
    assert trajectory.loss[-1] < 0.1 * trajectory.loss[0]
    assert trajectory.parameters is None  # not recorded unless asked for
