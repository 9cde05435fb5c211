"""A batch of runs equals the same runs made one at a time."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gradtrail import OPTIMIZERS, build_surface, run, run_batch
from gradtrail.batch import BatchStepper
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


def test_every_array_a_batch_steps_keeps_one_contiguous_row_per_coordinate() -> None:
    """Starts come as ``(n, 2)`` rows. Their transpose copied in its own (Fortran) order
    interleaves x and y in memory; the gradient is made like the points, and every
    operation of every step then read strided rows: a 10,000-run Adam batch ran at
    65 M steps/s instead of 87."""
    surface = build_surface(SurfaceSpec(id="rosenbrock"))
    hp = {**OPTIMIZERS["adam"].defaults(), "lr": np.geomspace(1e-4, 0.1, 50)}
    stepper = BatchStepper(surface, "adam", hp, np.tile([-1.5, 2.0], (50, 1)), 10)
    for _ in range(2):
        for array in (stepper.points, stepper.gradient, stepper.state.m, stepper.state.v):
            assert array.shape == (2, 50)
            assert array.flags.c_contiguous
        stepper.advance(3)


@pytest.mark.parametrize(
    ("surface_spec", "start"),
    [
        ({"id": "rosenbrock"}, [-1.5, 2.0]),
        ({"id": "custom", "expression": "log(x^2 + 1) + y^2 + sin(3*x*y)"}, [1.5, 1.0]),
    ],
)
def test_a_step_evaluates_the_surface_in_one_pass(surface_spec: dict, start: list[float]) -> None:
    """The batch takes f and ∇f from the surface's one pass. Asking for f apart ran a typed
    formula's forward pass twice a step (a third of its batch's time) and Rosenbrock's
    ``y - x²`` twice."""
    surface = build_surface(SurfaceSpec(**surface_spec))

    def forbidden(*_: object) -> None:
        raise AssertionError("evaluated apart from the gradient")

    one_pass_only = replace(surface, value_xy=forbidden, grad_xy=forbidden)
    hp = {**OPTIMIZERS["adam"].defaults(), "lr": np.geomspace(1e-3, 0.5, 40)}
    starts = np.tile(start, (40, 1))
    batch = run_batch(one_pass_only, "adam", hp, starts, 50, StopSpec(grad_tol=1e-4))
    same = run_batch(surface, "adam", hp, starts, 50, StopSpec(grad_tol=1e-4))
    np.testing.assert_array_equal(batch.p, same.p)
    np.testing.assert_array_equal(batch.loss, same.loss)
    single = run(
        {"surface": surface_spec, "start": start, "steps": 50, "stop": {"grad_tol": 1e-4},
         "optimizers": [{"id": "adam", "params": {"lr": float(hp["lr"][7])}}]}
    ).runs[0]  # fmt: skip
    assert batch.p[7].tolist() == [single.x[-1], single.y[-1]]
    assert batch.loss[7] == single.summary.final_loss
