"""Trajectories equal torch.optim's: torch is the reference (float64, autograd gradients)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

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
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
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
