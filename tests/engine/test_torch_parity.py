"""Trajectories equal torch.optim's: torch is the reference (float64, autograd gradients)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradtrail.catalog import optimizer_name
from gradtrail.neuron import generate_classes
from gradtrail.optimizers import OPTIMIZERS
from gradtrail.regression import generate_line
from gradtrail.runner import run

torch = pytest.importorskip("torch")

TORCH_CLASSES = {
    "gd": ("SGD", {}),
    "momentum": ("SGD", {}),
    "nesterov": ("SGD", {"nesterov": True}),
    "adagrad": ("Adagrad", {}),
    "adadelta": ("Adadelta", {}),
    "rmsprop": ("RMSprop", {}),
    "adam": ("Adam", {}),
    "adamw": ("AdamW", {}),
    "nadam": ("NAdam", {}),
    "adamax": ("Adamax", {}),
    "radam": ("RAdam", {}),
    "rprop": ("Rprop", {}),
    "asgd": ("ASGD", {}),
}

CASES: list[tuple[str, dict[str, Any]]] = [
    ("gd", {"lr": 1e-3}),
    ("gd", {"lr": 1e-3, "weight_decay": 0.1}),
    ("momentum", {"lr": 1e-3, "momentum": 0.9}),
    ("momentum", {"lr": 1e-3, "momentum": 0.9, "dampening": 0.9}),
    ("momentum", {"lr": 1e-3, "momentum": 0.5, "weight_decay": 0.05}),
    ("nesterov", {"lr": 1e-3, "momentum": 0.9}),
    ("adagrad", {"lr": 0.3}),
    (
        "adagrad",
        {"lr": 0.3, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.01},
    ),
    ("adadelta", {"lr": 1.0}),
    ("adadelta", {"lr": 0.5, "rho": 0.95, "weight_decay": 0.01}),
    ("rmsprop", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "momentum": 0.9}),
    ("rmsprop", {"lr": 0.001, "centered": True, "weight_decay": 0.01}),
    ("adam", {"lr": 0.05}),
    ("adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.01, "betas": [0.8, 0.99]}),
    ("adamw", {"lr": 0.05}),
    ("adamw", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    ("nadam", {"lr": 0.05}),
    ("nadam", {"lr": 0.05, "weight_decay": 0.01, "momentum_decay": 0.01}),
    ("adamax", {"lr": 0.05}),
    ("adamax", {"lr": 0.02, "weight_decay": 0.01, "betas": [0.8, 0.99]}),
    ("radam", {"lr": 1e-3}),
    ("radam", {"lr": 2e-3, "betas": [0.8, 0.99], "weight_decay": 0.01}),
    ("radam", {"lr": 1e-3, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("rprop", {"lr": 0.01}),
    ("rprop", {"lr": 0.001, "etas": [0.3, 1.5], "step_sizes": [1e-4, 0.2]}),
    ("asgd", {"lr": 1e-3}),
    ("asgd", {"lr": 1e-3, "lambd": 0.01, "alpha": 0.5, "t0": 50, "weight_decay": 0.01}),
]


def torch_trajectory(
    optimizer_id: str, params: dict[str, Any], start: list[float], steps: int
) -> np.ndarray:
    """The same run done by torch.optim on Rosenbrock, gradients by autograd."""
    torch.set_default_dtype(torch.float64)  # NAdam keeps mu_product in the default dtype
    class_name, fixed = TORCH_CLASSES[optimizer_id]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    kwargs = {**params, **fixed}
    if optimizer_id in ("momentum", "nesterov"):
        kwargs.setdefault("momentum", 0.9)
    for pair in ("betas", "etas", "step_sizes"):
        if pair in kwargs:
            kwargs[pair] = tuple(kwargs[pair])
    optimizer = getattr(torch.optim, class_name)([p], **kwargs)
    path = [p.detach().clone().numpy()]
    for _ in range(steps):
        optimizer.zero_grad()
        x, y = p[0], p[1]
        loss = (1 - x) ** 2 + 100 * (y - x**2) ** 2
        loss.backward()
        optimizer.step()
        path.append(p.detach().clone().numpy())
    return np.array(path)


@pytest.mark.parametrize(
    ("optimizer_id", "params"), CASES, ids=[f"{o}-{i}" for i, (o, _) in enumerate(CASES)]
)
def test_trajectory_equals_torch(optimizer_id: str, params: dict[str, Any]) -> None:
    steps, start = 200, [-1.5, 2.0]
    spec = {
        "surface": {"id": "rosenbrock"},
        "start": start,
        "steps": steps,
        "stop": {"grad_tol": 0.0, "divergence_bound": 1e300},
        "optimizers": [{"id": optimizer_id, "params": params}],
    }
    ours = run(spec).runs[0]
    expected = torch_trajectory(optimizer_id, params, start, steps)
    assert ours.x.size == steps + 1
    np.testing.assert_allclose(np.stack([ours.x, ours.y], axis=1), expected, rtol=1e-10, atol=1e-12)


# An optimizer with no torch.optim counterpart would be listed here with the reason.
NO_TORCH_COUNTERPART: dict[str, str] = {}


def test_every_registered_optimizer_has_a_parity_case() -> None:
    covered = {optimizer_id for optimizer_id, _ in CASES} | set(NO_TORCH_COUNTERPART)
    assert covered == set(OPTIMIZERS), f"no torch parity case: {set(OPTIMIZERS) - covered}"
    assert set(TORCH_CLASSES) | set(NO_TORCH_COUNTERPART) == set(OPTIMIZERS)


BOWL_CASES: list[tuple[str, dict[str, Any]]] = [
    ("gd", {"lr": 0.02}),
    ("adam", {"lr": 0.05}),
    ("radam", {"lr": 0.01}),
    ("rprop", {"lr": 0.01}),
    ("asgd", {"lr": 0.02, "lambd": 0.01}),
]


def assert_data_run_equals_torch(
    surface: dict[str, Any],
    optimizer_id: str,
    params: dict[str, Any],
    start: list[float],
    torch_loss: Any,
    steps: int = 200,
) -> None:
    """Our run on a data surface against torch.optim with ``torch_loss(w, b)`` by autograd."""
    torch.set_default_dtype(torch.float64)
    spec = {
        "surface": surface, "start": start, "steps": steps,
        "stop": {"grad_tol": 0.0, "divergence_bound": 1e300},
        "optimizers": [{"id": optimizer_id, "params": params}],
    }  # fmt: skip
    ours = run(spec).runs[0]
    class_name, fixed = TORCH_CLASSES[optimizer_id]
    p = torch.tensor(start, requires_grad=True)
    optimizer = getattr(torch.optim, class_name)([p], **params, **fixed)
    path = [p.detach().clone().numpy()]
    for _ in range(steps):
        optimizer.zero_grad()
        torch_loss(p[0], p[1]).backward()
        optimizer.step()
        path.append(p.detach().clone().numpy())
    np.testing.assert_allclose(np.stack([ours.x, ours.y], axis=1), np.array(path), rtol=1e-10,
                               atol=1e-12)  # fmt: skip


@pytest.mark.parametrize(("optimizer_id", "params"), BOWL_CASES, ids=[c[0] for c in BOWL_CASES])
def test_regression_bowl_trajectory_equals_torch(optimizer_id: str, params: dict[str, Any]) -> None:
    """The line fit's MSE, with torch's loss written from the data by autograd."""
    x, t = generate_line(2.0, 1.0, 0.5, 50, (-3.0, 3.0), 4)
    xs, ts = torch.tensor(x), torch.tensor(t)
    assert_data_run_equals_torch(
        {"id": "regression", "data": {"x": x.tolist(), "y": t.tolist()}},
        optimizer_id, params, [3.0, 2.0], lambda w, b: ((ts - (w * xs + b)) ** 2).mean(),
    )  # fmt: skip


NEURON_CASES: list[tuple[str, dict[str, Any]]] = [
    ("gd", {"lr": 0.5}),
    ("momentum", {"lr": 0.1, "momentum": 0.9}),
    ("rmsprop", {"lr": 0.01}),
    ("adam", {"lr": 0.05}),
]


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize(("optimizer_id", "params"), NEURON_CASES, ids=[c[0] for c in NEURON_CASES])
def test_neuron_trajectory_equals_torch(
    optimizer_id: str, params: dict[str, Any], loss: str
) -> None:
    """One neuron σ(w x + b) on two classes, torch's loss written with autograd."""
    x, t = generate_classes(40, 2.0, 1.2, 5)
    xs, ts = torch.tensor(x), torch.tensor(t)

    def torch_loss(w: Any, b: Any) -> Any:
        z = w * xs + b
        if loss == "cross_entropy":
            return torch.nn.functional.binary_cross_entropy_with_logits(z, ts)
        return ((ts - torch.sigmoid(z)) ** 2).mean()

    surface = {"id": "neuron", "loss": loss, "data": {"x": x.tolist(), "y": t.tolist()}}
    assert_data_run_equals_torch(surface, optimizer_id, params, [-2.0, 1.5], torch_loss)


def readme_defaults() -> dict[tuple[str, str], tuple[str, str]]:
    """The README's table of defaults that are not torch's: (name, hyperparameter) →
    (here, torch)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Defaults that are not torch's", 1)[1].split("\n\n", 2)[2]
    rows = {}
    for line in section.splitlines()[2:]:
        if not line.startswith("| "):
            break
        names, param, here, theirs, _ = (cell.strip() for cell in line.strip("|").split("|"))
        for name in names.split(", "):
            rows[(name, param.strip("`"))] = (here, theirs)
    return rows


def test_the_readme_names_every_default_that_is_not_torchs() -> None:
    """Each default that differs from the torch class's own is in the README's table, with
    both values; every row of the table is such a default."""
    import inspect

    differ = {}
    for optimizer in OPTIMIZERS.values():
        torch_class = getattr(torch.optim, optimizer.torch.split("(")[0].rsplit(".", 1)[1])
        theirs = inspect.signature(torch_class.__init__).parameters
        name = optimizer_name(optimizer.id, "en")
        for hp in optimizer.params:
            ours = list(hp.default) if isinstance(hp.default, tuple) else hp.default
            if hp.name not in theirs:
                differ[(name, hp.name)] = ("on" if ours is True else str(ours), "(always on)")
                continue
            default = theirs[hp.name].default
            if ours != (list(default) if isinstance(default, tuple) else default):
                differ[(name, hp.name)] = (f"{ours:g}", f"{default:g}")
    assert readme_defaults() == differ
