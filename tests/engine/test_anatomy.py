"""The step's anatomy: each optimizer's equations hold for the numbers a run recorded.

Every line's ``$name`` must name something recorded, and the update each anatomy
writes is recomputed here from the recorded state with the textbook formula (not
with the engine's code), so an equation that says one thing while the optimizer
does another fails. A new optimizer without an entry in ``UPDATES`` fails too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from gradtrail.optimizers import OPTIMIZERS
from gradtrail.optimizers.radam import PLAIN_STEPS_SHOWN, plain_steps
from gradtrail.runner import run
from gradtrail.texts import LANGUAGES, text

PLACEHOLDER = re.compile(r"\$(\w+)")
STEPS = 40


def recorded(optimizer: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict, np.ndarray]:
    """One recorded run on Rosenbrock: its run item, its state and its points ((n, 2))."""
    spec = {"surface": {"id": "rosenbrock"}, "start": [-1.2, 1.4], "steps": STEPS,
            "stop": {"grad_tol": 0}, "record": ["state"],
            "optimizers": [{"id": optimizer, "params": params}]}  # fmt: skip
    item = run(spec).as_dict()["runs"][0]
    assert item["steps_taken"] == STEPS, (optimizer, params, item["status"])
    state = {name: np.asarray(values) for name, values in item["state"].items()}
    return item, state, np.column_stack([item["x"], item["y"]])


def pairs(state: dict, name: str) -> np.ndarray:
    """A recorded vector as (steps, 2)."""
    return np.column_stack([state[f"{name}_x"], state[f"{name}_y"]])


def before(values: np.ndarray, start: float = 0.0) -> np.ndarray:
    """Each step's value before it: the previous row, ``start`` before the first."""
    return np.vstack([np.full((1, values.shape[1]), start), values[:-1]])


def t_column(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=float)[:, None]


# The update each optimizer's anatomy writes, from the recorded state: Δp as (steps, 2).
Update = Callable[[dict, np.ndarray, dict], np.ndarray]


def adam_update(s: dict, p: np.ndarray, hp: dict) -> np.ndarray:
    lr, eps = s["lr"][:, None], hp["eps"]
    if hp["amsgrad"]:
        t = t_column(len(lr))
        corrected = 1 - hp["betas"][1] ** t if hp.get("bias_correction", True) else 1.0
        return -lr * pairs(s, "m_hat") / (np.sqrt(pairs(s, "v_max") / corrected) + eps)
    return -lr * pairs(s, "m_hat") / (np.sqrt(pairs(s, "v_hat")) + eps)


def nadam_update(s: dict, p: np.ndarray, hp: dict) -> np.ndarray:
    (beta1, beta2), psi, lr = hp["betas"], hp["momentum_decay"], s["lr"][:, None]
    t = t_column(len(lr))
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
    product = np.cumprod(mu)[:, None]
    denominator = np.sqrt(pairs(s, "v") / (1 - beta2**t)) + hp["eps"]
    g, m = pairs(s, "gradient"), pairs(s, "m")
    return (
        -lr * ((1 - mu) * g / (1 - product) + mu_next * m / (1 - product * mu_next)) / denominator
    )


def radam_update(s: dict, p: np.ndarray, hp: dict) -> np.ndarray:
    (_, beta2), lr = hp["betas"], s["lr"][:, None]
    t = t_column(len(lr))
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)  # Liu et al., 2020, algorithm 2
    with np.errstate(invalid="ignore"):
        r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    m_hat = pairs(s, "m_hat")
    adaptive = -lr * m_hat * r * np.sqrt(1 - beta2**t) / (np.sqrt(pairs(s, "v")) + hp["eps"])
    decay = decoupled_decay(s, p, hp) if hp["decoupled_weight_decay"] else 0.0
    return np.where(rho > 5, adaptive, -lr * m_hat) - decay


def decoupled_decay(s: dict, p: np.ndarray, hp: dict) -> np.ndarray:
    """AdamW's ηλp, from the parameters before the step."""
    return s["lr"][:, None] * hp["weight_decay"] * p[:-1]


def rmsprop_update(s: dict, p: np.ndarray, hp: dict) -> np.ndarray:
    lr, g, v = s["lr"][:, None], pairs(s, "gradient"), pairs(s, "square_avg")
    mean = pairs(s, "grad_avg") if hp["centered"] else 0.0
    a = np.sqrt(v - mean * mean) + hp["eps"]
    return -lr * pairs(s, "velocity") if hp["momentum"] else -lr * g / a


def rmsprop_velocity(s: dict, p: np.ndarray, hp: dict) -> np.ndarray:
    """u = μu + g / a, from the recorded u before the step."""
    g, v = pairs(s, "gradient"), pairs(s, "square_avg")
    mean = pairs(s, "grad_avg") if hp["centered"] else 0.0
    return hp["momentum"] * before(pairs(s, "velocity")) + g / (
        np.sqrt(v - mean * mean) + hp["eps"]
    )


def asgd_update(s: dict, p: np.ndarray, hp: dict) -> np.ndarray:
    lr = s["lr"][:, None]
    eta_t = before(pairs(s, "eta"), start=float(lr[0, 0]))  # the rate this step takes
    return -eta_t * (pairs(s, "gradient") + hp["lambd"] * p[:-1])


def adadelta_update(s: dict, p: np.ndarray, hp: dict) -> np.ndarray:
    u_before = before(pairs(s, "acc_delta"))
    delta = np.sqrt(u_before + hp["eps"]) / np.sqrt(pairs(s, "square_avg") + hp["eps"])
    return -s["lr"][:, None] * delta * pairs(s, "gradient")


RADAM_STEP = (
    r"\Delta\theta_t = -\eta\,\hat m_t\,r_t\,\frac{\sqrt{1-\beta_2^{$t}}}{\sqrt{v_t} + \epsilon}"
)
ADAM_STEP = r"\Delta\theta_t = -\eta\,\frac{\hat m_t}{%s + \epsilon}"
# optimizer id → [(hyperparameters, the update as the anatomy writes it (LaTeX), that update
# recomputed from the recorded state)]: the branches each anatomy writes differently.
UPDATES: dict[str, list[tuple[dict[str, Any], str, Update]]] = {
    "gd": [
        ({"lr": 1e-3}, r"\Delta\theta_t = -\eta\,g_t",
         lambda s, p, hp: -s["lr"][:, None] * pairs(s, "gradient")),
        ({"lr": 1e-3, "weight_decay": 0.1}, r"\Delta\theta_t = -\eta\,g_t",  # g_t = ∇f + λθ
         lambda s, p, hp: -s["lr"][:, None] * (pairs(s, "gradient") + 0.1 * p[:-1])),
    ],
    "momentum": [
        ({"lr": 1e-4, "momentum": 0.9}, r"\Delta\theta_t = -\eta\,v_t",
         lambda s, p, hp: -s["lr"][:, None] * pairs(s, "velocity")),
        ({"lr": 1e-4, "momentum": 0.8, "dampening": 0.8}, r"\Delta\theta_t = -\eta\,v_t",
         lambda s, p, hp: -s["lr"][:, None] * pairs(s, "velocity")),
    ],
    "nesterov": [
        ({"lr": 1e-4, "momentum": 0.9}, r"\Delta\theta_t = -\eta\,(g_t + \mu v_t)",
         lambda s, p, hp: -s["lr"][:, None] * (pairs(s, "gradient") + 0.9 * pairs(s, "velocity"))),
    ],
    "adagrad": [
        ({"lr": 0.1}, r"\Delta\theta_t = -\eta\,\frac{g_t}{\sqrt{s_t} + \epsilon}",
         lambda s, p, hp: -s["lr"][:, None] * pairs(s, "gradient")
         / (np.sqrt(pairs(s, "sum")) + hp["eps"])),
        ({"lr": 0.1, "lr_decay": 0.5},
         r"\Delta\theta_t = -\tilde\eta_t\,\frac{g_t}{\sqrt{s_t} + \epsilon}",
         lambda s, p, hp: -s["lr"][:, None] / (1 + (t_column(STEPS) - 1) * 0.5)
         * pairs(s, "gradient") / (np.sqrt(pairs(s, "sum")) + hp["eps"])),
    ],
    "adadelta": [({}, r"\Delta\theta_t = -\eta\,\Delta_t", adadelta_update)],
    "rmsprop": [
        ({"lr": 1e-3}, r"\Delta\theta_t = -\eta\,\frac{g_t}{a_t}", rmsprop_update),
        ({"lr": 1e-3, "momentum": 0.5, "centered": True}, r"\Delta\theta_t = -\eta\,u_t",
         rmsprop_update),
    ],
    "adam": [
        ({"lr": 0.01}, ADAM_STEP % r"\sqrt{\hat v_t}", adam_update),
        ({"lr": 0.01, "amsgrad": True}, ADAM_STEP % r"\sqrt{v^{\max}_t / (1-\beta_2^{$t})}",
         adam_update),
        ({"lr": 0.01, "amsgrad": True, "bias_correction": False},
         ADAM_STEP % r"\sqrt{v^{\max}_t}", adam_update),
    ],
    "adamw": [({"lr": 0.01, "weight_decay": 0.1},
               ADAM_STEP % r"\sqrt{\hat v_t}" + r" - \eta\lambda\,\theta_{t-1}",
               lambda s, p, hp: adam_update(s, p, hp) - decoupled_decay(s, p, hp))],
    "nadam": [({"lr": 0.01}, r"\Delta\theta_t = -\eta\,\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i}"
               r"\,\frac{g_t}{d_t} - \eta\,\frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i}\,"
               r"\frac{m_t}{d_t}", nadam_update)],
    "adamax": [
        ({"lr": 0.01}, r"\Delta\theta_t = -\frac{\eta}{1-\beta_1^{$t}}\,\frac{m_t}{u_t}",
         lambda s, p, hp: -s["lr"][:, None] / (1 - 0.9 ** t_column(STEPS)) * pairs(s, "m")
         / pairs(s, "u")),
    ],
    "radam": [
        ({"lr": 1e-4}, RADAM_STEP, radam_update),
        ({"lr": 1e-4, "betas": [0.9, 0.9]}, RADAM_STEP, radam_update),
        ({"lr": 1e-4, "decoupled_weight_decay": True, "weight_decay": 0.1},
         rf"{RADAM_STEP} - \eta\lambda\,\theta_{{t-1}}", radam_update),
    ],
    "rprop": [({"lr": 0.01}, r"\Delta\theta_t = -\operatorname{sign}(\tilde g_t)\,s_t",
               lambda s, p, hp: -np.sign(pairs(s, "prev")) * pairs(s, "step_size"))],
    "asgd": [({"lr": 1e-3, "lambd": 0.01, "alpha": 0.5, "t0": 10},
              r"\Delta\theta_t = -\eta_t\,(g_t + \lambda\theta_{t-1})", asgd_update)],
}  # fmt: skip
CASES = [(opt, *row) for opt, rows in UPDATES.items() for row in rows]
CASE_IDS = [f"{opt}-{i}" for opt, rows in UPDATES.items() for i in range(len(rows))]


def test_every_optimizer_has_its_update_checked_here() -> None:
    assert set(UPDATES) == set(OPTIMIZERS)


@pytest.mark.parametrize(("optimizer", "params", "written", "update"), CASES, ids=CASE_IDS)
def test_the_equations_name_what_is_recorded_and_hold_for_its_numbers(
    optimizer: str, params: dict[str, Any], written: str, update: Update
) -> None:
    item, state, points = recorded(optimizer, params)
    for line in item["anatomy"]:
        for form in (line["latex"], line.get("early")):
            for name in PLACEHOLDER.findall(form or ""):
                assert name == "t" or name in state or f"{name}_x" in state, (optimizer, name)
    (last,) = [line for line in item["anatomy"] if re.search(r"\$step\b", line["latex"])]
    assert last["latex"].startswith(f"{written} = $step"), last["latex"]
    hp = dict(item["params"])
    step = pairs(state, "step")
    np.testing.assert_allclose(update(state, points, hp), step, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(points[1:] - points[:-1], step, rtol=1e-12, atol=1e-15)
    if item["memory"] is not None and f"{item['memory']}_x" in state:
        assert item["memory"] in ("velocity", "m")


def test_adams_moments_are_the_running_means_the_lines_write() -> None:
    for optimizer in ("adam", "nadam", "radam", "adamax"):
        item, state, _ = recorded(optimizer, {"lr": 1e-4, "betas": [0.8, 0.95]})
        g, m = pairs(state, "gradient"), pairs(state, "m")
        np.testing.assert_allclose(m, 0.8 * before(m) + 0.2 * g, rtol=1e-12)
        assert r"\beta_1 = 0.8" in item["anatomy"][2]["latex"]
        if "v_x" in state:
            v = pairs(state, "v")
            np.testing.assert_allclose(v, 0.95 * before(v) + 0.05 * g * g, rtol=1e-12)


def test_rmsprops_buffer_is_the_line_it_writes() -> None:
    item, state, points = recorded("rmsprop", {"lr": 1e-3, "momentum": 0.5, "centered": True})
    hp = item["params"]
    np.testing.assert_allclose(pairs(state, "velocity"), rmsprop_velocity(state, points, hp))
    assert item["memory"] == "velocity"


def test_radam_reads_plain_momentum_for_exactly_the_steps_with_rho_at_most_5() -> None:
    """ρ_t from the paper's formula (Liu et al., 2020) decides, counted here one t at a time."""
    for beta2 in (0.999, 0.99, 0.9, 0.8, 0.7):
        rho_inf = 2 / (1 - beta2) - 1
        t = 1
        while rho_inf - 2 * t * beta2**t / (1 - beta2**t) <= 5:
            t += 1
        assert plain_steps(beta2) == t - 1, beta2
    assert plain_steps(0.6) == PLAIN_STEPS_SHOWN  # ρ∞ = 4: never adaptive
    item, state, _ = recorded("radam", {"lr": 1e-4})
    line = item["anatomy"][-1]
    assert line["early_steps"] == 5 and r"({\rho_t \le 5})" in line["early"]
    plain = -state["lr"][:, None] * pairs(state, "m_hat")
    steps = pairs(state, "step")
    np.testing.assert_allclose(steps[:5], plain[:5], rtol=1e-9)  # Δp as recorded: p' − p
    assert not np.allclose(steps[5], plain[5], rtol=1e-3)


def test_momentum_reads_v_equals_g_on_the_first_step_only() -> None:
    item, state, _ = recorded("momentum", {"lr": 1e-4, "momentum": 0.9})
    line = next(line for line in item["anatomy"] if "$velocity" in line["latex"])
    assert line["early_steps"] == 1
    assert line["early"].startswith(r"v_1 = g_1\ (\text{the first step})")
    np.testing.assert_array_equal(pairs(state, "velocity")[0], pairs(state, "gradient")[0])
    assert r"\text{heavy ball}" in line["latex"]


@pytest.mark.parametrize(("optimizer", "params", "written", "update"), CASES, ids=CASE_IDS)
def test_no_line_names_a_quantity_b_the_bias_on_a_line_fit(
    optimizer: str, params: dict[str, Any], written: str, update: Update
) -> None:
    """On the line fit the axes are w and b: a momentum buffer written b read as the bias."""
    spec = {"surface": {"id": "regression"}, "steps": 2,
            "optimizers": [{"id": optimizer, "params": params}]}  # fmt: skip
    (item,) = run(spec).as_dict()["runs"]
    for line in item["anatomy"]:
        for form in (line["latex"], line.get("early") or ""):
            assert not re.search(r"(?<![\w$])b(?![\w])", form.split("$")[0]), form


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_words_in_the_equations_are_in_the_runs_language(lang: str) -> None:
    optimizers = [{"id": "momentum"}, {"id": "adam", "params": {"bias_correction": False}}]
    spec = {"surface": {"id": "rosenbrock"}, "steps": 3, "optimizers": optimizers}
    runs = run(spec, lang=lang).as_dict()["runs"]
    lines = [line for r in runs for line in r["anatomy"]]
    every = " ".join(line["latex"] + line.get("early", "") for line in lines)
    for key in ("anatomy_first_step", "anatomy_heavy_ball", "anatomy_no_correction"):
        assert f"\\text{{{text(key, lang)}}}" in every, (lang, key)


def test_hyperparameters_are_written_as_short_numbers() -> None:
    item, _, _ = recorded("adam", {"lr": 0.01, "eps": 1e-8})
    assert item["anatomy"][-1]["latex"].endswith(r"({\epsilon = 10^{-8}})")  # not 1e-08
    item, _, _ = recorded("asgd", {"lr": 1e-3, "lambd": 0.01, "alpha": 0.5, "t0": 10})
    assert r"({\alpha = 0.5})" in item["anatomy"][-1]["latex"]
    assert r"{t_0 = 10})" in item["anatomy"][-2]["latex"]
