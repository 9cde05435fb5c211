"""The neuron surface: its loss by hand, its data, its minibatches, its spec's rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from gradtrail import SpecError, run
from gradtrail.catalog import build_surface
from gradtrail.neuron import generate_classes
from gradtrail.spec import RunSpec, SurfaceSpec


def test_the_loss_at_the_origin_is_known_by_hand() -> None:
    # σ(0) = 1/2 for every sample: cross-entropy log 2, squared error 1/4, whatever the data
    for loss, expected in (("cross_entropy", math.log(2)), ("mse", 0.25)):
        surface = build_surface(SurfaceSpec(id="neuron", loss=loss))
        assert surface.value_xy(0.0, 0.0) == pytest.approx(expected, rel=1e-15)


def test_cross_entropy_does_not_overflow_where_the_neuron_saturates() -> None:
    surface = build_surface(SurfaceSpec(id="neuron", data={"x": [-1.0, 1.0], "y": [1.0, 0.0]}))
    # w = 1000 puts both samples 1000 on the wrong side: each loss is softplus(1000) = 1000,
    # each δ = p − t = ±1 with x = ∓1, so ∂/∂w = 1 and ∂/∂b = 0; w = −1000 is right: loss 0
    assert surface.value_xy(1000.0, 0.0) == pytest.approx(1000.0, rel=1e-12)
    assert surface.grad_xy(1000.0, 0.0) == pytest.approx((1.0, 0.0), abs=1e-12)
    assert surface.value_xy(-1000.0, 0.0) == 0.0


def test_a_grid_is_the_same_numbers_as_one_point_at_a_time() -> None:
    surface = build_surface(SurfaceSpec(id="neuron", loss="mse", classes={"n": 5000}))
    grid = surface.grid(60)  # 3,600 points × 5,000 samples: evaluated in slices
    j, i = 17, 41
    assert grid.z[j, i] == pytest.approx(surface.value_xy(grid.x[i], grid.y[j]), rel=1e-13)


def test_generated_classes_alternate_around_their_centres() -> None:
    x, t = generate_classes(1000, 4.0, 0.5, 1)
    assert t.tolist()[:4] == [0.0, 1.0, 0.0, 1.0]
    assert x[t == 0].mean() == pytest.approx(-2.0, abs=0.1)
    assert x[t == 1].mean() == pytest.approx(2.0, abs=0.1)


def test_a_minibatch_of_every_sample_is_the_full_gradient() -> None:
    spec = {"surface": {"id": "neuron"}, "steps": 50, "start": [-2.0, 1.0],
            "optimizers": [{"id": "gd", "params": {"lr": 0.5}},
                           {"id": "gd", "params": {"lr": 0.5}, "batch_size": 60},
                           {"id": "gd", "params": {"lr": 0.5}, "batch_size": 4}]}  # fmt: skip
    full, everything, small = run(spec).runs
    np.testing.assert_allclose(everything.x, full.x, rtol=1e-13)
    assert not np.allclose(small.x, full.x)  # a batch of 4 is noisy


@pytest.mark.parametrize(
    ("surface", "words"),
    [
        ({"id": "neuron", "generate": {"n": 10}}, "generate belongs to the regression"),
        ({"id": "regression", "classes": {"n": 10}}, "classes belongs to the neuron surface only"),
        ({"id": "saddle", "loss": "mse"}, "loss belongs to the neuron, chain and network surfaces"),
        ({"id": "neuron", "loss": "hinge"}, "cross_entropy"),
        ({"id": "neuron", "classes": {"n": 10_001}}, "10000"),
    ],
)
def test_what_belongs_to_the_neuron_stays_there(surface: dict, words: str) -> None:
    with pytest.raises(ValidationError) as error:
        RunSpec.model_validate({"surface": surface, "optimizers": [{"id": "gd"}]})
    assert words in str(error.value)


def test_classes_must_be_zero_or_one() -> None:
    with pytest.raises(SpecError) as error:
        build_surface(SurfaceSpec(id="neuron", data={"x": [0.0, 1.0], "y": [0.0, 2.0]}))
    assert error.value.field == "surface.data" and "0 or 1" in error.value.message


def test_features_near_zero_still_give_a_finite_window_and_grid() -> None:
    """A spread of 2.2e-308 made the window's half width 8 / x overflow to infinity."""
    spec = {"id": "neuron", "classes": {"n": 2, "seed": 0, "separation": 0.0,
                                        "spread": 2.2250738585072014e-308}}  # fmt: skip
    surface = build_surface(SurfaceSpec.model_validate(spec))
    assert np.isfinite(surface.domain).all()
    grid = surface.grid(20)
    assert np.isfinite(grid.x).all() and np.isfinite(grid.y).all() and np.isfinite(grid.z).all()
