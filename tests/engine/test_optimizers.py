"""Every optimizer's first three steps against the torch update rule worked by hand.

The surface is f = (x² + y²)/2, so the gradient is the point itself and each
expected value below follows from the rule in torch's documentation with pencil
arithmetic (written out as Python expressions so the derivation stays legible).
"""

from __future__ import annotations

from math import sqrt
from typing import Any

import pytest

from gradtrail import OPTIMIZERS, run
from gradtrail.catalog import list_optimizers


def first_steps(optimizer_id: str, params: dict[str, Any], start: float = 1.0) -> list[float]:
    """x after 0..3 steps on the unit bowl (y starts at -2 and is checked by symmetry)."""
    spec = {
        "surface": {"id": "quadratic", "params": {"l1": 1.0, "l2": 1.0}},
        "start": [start, -2 * start],
        "steps": 3,
        "stop": {"grad_tol": 0.0},
        "optimizers": [{"id": optimizer_id, "params": params}],
    }
    trajectory = run(spec).runs[0]
    # Every rule is elementwise and the bowl is isotropic: y moves like x, scaled by -2
    # except where eps breaks the scale invariance (checked loosely there).
    assert trajectory.x.size == 4
    return trajectory.x.tolist()


def adam_by_hand(
    lr: float, b1: float, b2: float, eps: float, corrected: bool = True
) -> list[float]:
    p, m, v, path = 1.0, 0.0, 0.0, [1.0]
    for t in (1, 2, 3):
        g = p
        m = m + (1 - b1) * (g - m)
        v = b2 * v + (1 - b2) * g * g
        c1 = 1 - b1**t if corrected else 1.0
        c2 = 1 - b2**t if corrected else 1.0
        p = p - lr / c1 * m / (sqrt(v) / sqrt(c2) + eps)
        path.append(p)
    return path


def radam_by_hand(lr: float, b1: float, b2: float, eps: float) -> list[float]:
    """RAdam from its paper's rule: plain momentum until ρ_t > 5, then the rectified step."""
    p, m, v, path = 1.0, 0.0, 0.0, [1.0]
    rho_inf = 2 / (1 - b2) - 1
    for t in (1, 2, 3):
        g = p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho > 5:
            r = sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            p = p - lr * m_hat * r * sqrt(1 - b2**t) / (sqrt(v) + eps)
        else:
            p = p - lr * m_hat
        path.append(p)
    return path


def asgd_by_hand(lr: float, lambd: float, alpha: float) -> list[float]:
    """p ← p(1 − λη_t) − η_t g with η_{t+1} = η/(1 + λη t)^α; g = p on the unit bowl."""
    p, eta, path = 1.0, lr, [1.0]
    for t in (1, 2, 3):
        p = p * (1 - lambd * eta) - eta * p
        eta = lr / (1 + lambd * lr * t) ** alpha
        path.append(p)
    return path


CASES: list[tuple[str, dict[str, Any], list[float]]] = [
    # p ← p − η g
    ("gd", {"lr": 0.1}, [1.0, 0.9, 0.81, 0.729]),
    # g ← g + λp: p ← p(1 − η(1 + λ))
    ("gd", {"lr": 0.1, "weight_decay": 1.0}, [1.0, 0.8, 0.64, 0.512]),
    # b₁ = g₁ = 1 → 0.9; b₂ = 0.9·1 + 0.9 = 1.8 → 0.72; b₃ = 0.9·1.8 + 0.72 = 2.34 → 0.486
    ("momentum", {"lr": 0.1, "momentum": 0.9}, [1.0, 0.9, 0.72, 0.486]),
    # dampening 0.9: b₂ = 0.9·1 + 0.1·0.9 = 0.99 → 0.801; b₃ = 0.891 + 0.0801 = 0.9711
    ("momentum", {"lr": 0.1, "momentum": 0.9, "dampening": 0.9}, [1.0, 0.9, 0.801, 0.70389]),
    # d = g + μv: d₁ = 1.9 → 0.81; v₂ = 1.71, d₂ = 0.81 + 1.539 → 0.5751;
    # b₃ = 1.539 + 0.5751 = 2.1141, d₃ = 0.5751 + 1.90269 → 0.327321
    ("nesterov", {"lr": 0.1, "momentum": 0.9}, [1.0, 0.81, 0.5751, 0.327321]),
    # s ← s + g²; p ← p − η g/(√s + ε)
    (
        "adagrad",
        {"lr": 0.5, "eps": 0.0},
        [1.0, 0.5, 0.5 - 0.25 / sqrt(1.25), None],
    ),
    # lr_decay: η_t = η / (1 + (t−1)·decay)
    (
        "adagrad",
        {"lr": 0.5, "eps": 0.0, "lr_decay": 1.0},
        [1.0, 0.5, 0.5 - 0.25 * 0.5 / sqrt(1.25), None],
    ),
    # v ← ρv + (1−ρ)g²; Δ = √(u+ε)/√(v+ε)·g; u ← ρu + (1−ρ)Δ²; p ← p − ηΔ
    ("adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-6}, None),
    # v ← αv + (1−α)g²: v₁ = 0.01 → p₁ = 1 − 0.01·1/0.1 = 0.9
    ("rmsprop", {"lr": 0.01, "alpha": 0.99, "eps": 0.0}, [1.0, 0.9, None, None]),
    # momentum 0.5: b₁ = g/√v₁ = 10 → 0.9; v₂ = 0.0099 + 0.01·0.81 = 0.018, b₂ = 5 + 0.9/√0.018
    (
        "rmsprop",
        {"lr": 0.01, "alpha": 0.99, "eps": 0.0, "momentum": 0.5},
        [1.0, 0.9, 0.9 - 0.01 * (5 + 0.9 / sqrt(0.018)), None],
    ),
    # centered: v₁ = 0.01, ḡ₁ = 0.01, a = √(0.01 − 0.0001) → p₁ = 1 − 0.01/√0.0099
    (
        "rmsprop",
        {"lr": 0.01, "alpha": 0.99, "eps": 0.0, "centered": True},
        [1.0, 1 - 0.01 / sqrt(0.0099), None, None],
    ),
    ("adam", {"lr": 0.1}, adam_by_hand(0.1, 0.9, 0.999, 1e-8)),
    ("adam", {"lr": 0.1, "bias_correction": False}, adam_by_hand(0.1, 0.9, 0.999, 1e-8, False)),
    # Adam's first step is ±lr whatever the gradient: m̂₁ = g, v̂₁ = g²
    ("adam", {"lr": 0.1, "eps": 0.0}, [1.0, 0.9, None, None]),
    # AdamW: p ← p(1 − ηλ) before the Adam step: 0.99 − 0.1 = 0.89
    ("adamw", {"lr": 0.1, "weight_decay": 0.1, "eps": 0.0}, [1.0, 0.89, None, None]),
    # Adamax: u₁ = max(0, |g| + ε) = 1, m₁ = 0.1, step η/(1−β₁)·m/u = 0.1 → 0.9
    ("adamax", {"lr": 0.1, "eps": 0.0}, [1.0, 0.9, None, None]),
    # NAdam with ψ = 0: μ = β₁/2 = 0.45 for every t, Π₁ = 0.45, Π₂ = 0.2025; d₁ = |g| = 1:
    # p₁ = 1 − 0.1·0.55/0.55 − 0.1·0.45·0.1/(1 − 0.2025)
    (
        "nadam",
        {"lr": 0.1, "eps": 0.0, "momentum_decay": 0.0},
        [1.0, 1 - 0.1 - 0.1 * 0.45 * 0.1 / (1 - 0.2025), None, None],
    ),
    # β₂ = 0.999: ρ_t ≤ 5 for the first steps, so RAdam starts as momentum: m̂₁ = g = 1 → 0.9
    ("radam", {"lr": 0.1}, radam_by_hand(0.1, 0.9, 0.999, 1e-8)),
    # β₂ = 0.5: ρ_∞ = 3, never above 5: plain bias-corrected momentum throughout
    ("radam", {"lr": 0.1, "betas": [0.9, 0.5]}, radam_by_hand(0.1, 0.9, 0.5, 1e-8)),
    # β₂ = 0.1 ... ρ_∞ < 5 as well; β₂ = 0.99999 reaches ρ_t > 5 only late: use β₂ = 0.6,
    # ρ_∞ = 4: also plain. The rectified branch is covered against torch on Rosenbrock.
    # Rprop: the signs agree, so the step grows by η₊ = 1.2: 0.1, 0.12, 0.144
    ("rprop", {"lr": 0.1}, [1.0, 0.9, 0.78, 0.636]),
    # η₊ = 2 with a ceiling of 0.15: 0.1, then 0.15, 0.15
    ("rprop", {"lr": 0.1, "etas": [0.5, 2.0], "step_sizes": [1e-6, 0.15]}, [1.0, 0.9, 0.75, 0.6]),
    # λ = 0: ASGD is gradient descent
    ("asgd", {"lr": 0.1, "lambd": 0.0}, [1.0, 0.9, 0.81, 0.729]),
    ("asgd", {"lr": 0.1, "lambd": 1.0, "alpha": 0.75}, asgd_by_hand(0.1, 1.0, 0.75)),
]


def adadelta_by_hand() -> list[float]:
    p, v, u, path = 1.0, 0.0, 0.0, [1.0]
    for _ in range(3):
        g = p
        v = 0.9 * v + 0.1 * g * g
        delta = sqrt(u + 1e-6) / sqrt(v + 1e-6) * g
        u = 0.9 * u + 0.1 * delta * delta
        p = p - delta
        path.append(p)
    return path


def adagrad_third(lr_decay: float) -> float:
    p1, s = 0.5, 1.25
    p2 = p1 - 0.5 / (1 + lr_decay) * p1 / sqrt(s)
    s += p2 * p2
    return p2 - 0.5 / (1 + 2 * lr_decay) * p2 / sqrt(s)


@pytest.mark.parametrize(
    ("optimizer_id", "params", "expected"),
    CASES,
    ids=[f"{o}-{i}" for i, (o, _, _) in enumerate(CASES)],
)
def test_first_three_steps_by_hand(optimizer_id: str, params: dict, expected: list | None) -> None:
    if expected is None:
        expected = adadelta_by_hand()
    if optimizer_id == "adagrad":
        expected[3] = adagrad_third(params.get("lr_decay", 0.0))
    got = first_steps(optimizer_id, params)
    for step, (value, want) in enumerate(zip(got, expected, strict=True)):
        if want is not None:
            assert value == pytest.approx(want, rel=1e-12, abs=1e-15), f"step {step}"


def test_every_optimizer_is_listed_with_torch_names() -> None:
    listed = {item["id"]: item for item in list_optimizers()}
    assert set(listed) == {
        "gd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "nadam",
        "adamax", "radam", "rprop", "asgd",
    }  # fmt: skip
    assert {p["name"] for p in listed["adam"]["params"]} >= {"lr", "betas", "eps", "amsgrad"}
    assert listed["adam"]["torch"].startswith("torch.optim.Adam(")
    for item in listed.values():
        assert item["rule"], item["id"]
        for param in item["params"]:
            assert param["help"]


TORCH_DEFAULTS = {
    "adagrad": {"lr_decay": 0.0, "eps": 1e-10, "initial_accumulator_value": 0.0},
    "adadelta": {"rho": 0.9, "eps": 1e-6, "lr": 1.0},
    "rmsprop": {"alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": False},
    "adam": {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
    "adamw": {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01},
    "nadam": {"momentum_decay": 4e-3, "eps": 1e-8},
    "adamax": {"betas": (0.9, 0.999), "eps": 1e-8},
    "momentum": {"momentum": 0.9, "dampening": 0.0},
    "radam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
              "decoupled_weight_decay": False},
    "rprop": {"lr": 1e-2, "etas": (0.5, 1.2), "step_sizes": (1e-6, 50.0)},
    "asgd": {"lambd": 1e-4, "alpha": 0.75, "t0": 1e6, "weight_decay": 0.0},
}  # fmt: skip


@pytest.mark.parametrize("optimizer_id", sorted(TORCH_DEFAULTS))
def test_defaults_are_torchs(optimizer_id: str) -> None:
    defaults = OPTIMIZERS[optimizer_id].defaults()
    for name, value in TORCH_DEFAULTS[optimizer_id].items():
        assert defaults[name] == value, name
