"""A batch of runs equals the same runs made one at a time."""

from __future__ import annotations

import numpy as np
import pytest

from gradtrail import OPTIMIZERS, build_surface, run, run_batch
from gradtrail.spec import StopSpec, SurfaceSpec
from gradtrail.stopping import Status


@pytest.mark.parametrize("optimizer_id", sorted(OPTIMIZERS))
def test_each_cell_equals_the_single_run(optimizer_id: str) -> None:
    surface = build_surface(SurfaceSpec(id="rosenbrock"))
    rates = [1e-4, 1e-3, 0.01, 0.3, 30.0]
    hp = OPTIMIZERS[optimizer_id].defaults()
    if optimizer_id == "nesterov":
        hp["momentum"] = 0.9
    hp["lr"] = np.array(rates)
    starts = np.array([[-1.5, 2.0], [0.5, -0.5], [-1.0, 1.0], [1.5, 1.5], [0.0, 0.0]])
    batch = run_batch(surface, optimizer_id, hp, starts, 400, StopSpec(grad_tol=1e-6))
    for index, lr in enumerate(rates):
        single = run(
            {
                "surface": {"id": "rosenbrock"},
                "start": starts[index].tolist(),
                "steps": 400,
                "stop": {"grad_tol": 1e-6},
                "optimizers": [{"id": optimizer_id, "params": {**one(hp), "lr": lr}}],
            }
        ).runs[0]
        assert batch.status_names()[index] == single.summary.status
        assert batch.steps_taken[index] == single.summary.steps_taken
        np.testing.assert_allclose(batch.p[index], [single.x[-1], single.y[-1]], rtol=1e-12)
        np.testing.assert_allclose(batch.loss[index], single.summary.final_loss, rtol=1e-12)


def one(hp: dict) -> dict:
    """The scalar hyperparameters of a batch (betas as a list, lr dropped)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in hp.items() if k != "lr"}


def test_statuses_and_loss_history() -> None:
    surface = build_surface(SurfaceSpec(id="quadratic", params={"l1": 1.0, "l2": 10.0}))
    hp = {"lr": np.array([0.05, 0.25, 1.0]), "weight_decay": 0.0}
    batch = run_batch(
        surface, "gd", hp, np.tile([-4.0, 2.0], (3, 1)), 2000, StopSpec(), record_loss=True
    )
    # lr < 2/10 converges; lr > 2/10 diverges along the steep axis.
    assert batch.status.tolist() == [Status.CONVERGED, Status.DIVERGED, Status.DIVERGED]
    assert batch.loss_history is not None
    assert np.isnan(batch.loss_history[batch.steps_taken[1] + 1 :, 1]).all()
    assert np.isfinite(batch.loss).all()
    short = run_batch(surface, "gd", {"lr": 1e-4, "weight_decay": 0.0}, [[-4.0, 2.0]], 10)
    assert short.status.tolist() == [Status.MAX_STEPS]


@pytest.mark.parametrize(
    ("expression", "start", "status"),
    [
        ("x^2 + y^2 + 1e9", [0.0, 0.0], "diverged"),  # flat, but the loss is past the bound
        ("x^2 + y^2", [0.0, 0.0], "converged"),  # already at the minimum
    ],
)
def test_the_single_run_and_the_batch_stop_at_the_start_by_one_rule(
    expression: str, start: list[float], status: str
) -> None:
    """Out of bounds wins over a flat gradient on both paths (they used to disagree:
    the single run called the first case converged, the batch diverged)."""
    surface = {"id": "custom", "expression": expression}
    single = run({"surface": surface, "start": start, "steps": 5,
                  "optimizers": [{"id": "gd"}]}).runs[0]  # fmt: skip
    batch = run_batch(build_surface(SurfaceSpec(**surface)), "gd", {"lr": 0.1}, [start], 5)
    assert single.summary.status == batch.status_names()[0] == status
    assert single.summary.steps_taken == batch.steps_taken[0] == 0
