"""The backprop lessons do what their captions say."""

from __future__ import annotations

import numpy as np
import pytest

from gradtrail import run
from gradtrail.presets import PRESETS


def test_the_perceptron_walks_from_3_2_to_2_1() -> None:
    result = run(PRESETS["perceptron"].run_spec())
    path = result.runs[0]
    assert (path.x[0], path.y[0]) == (3.0, 2.0)
    assert (path.x[-1], path.y[-1]) == pytest.approx((2.0, 1.0), abs=1e-8)


def test_the_weight_moves_first_when_the_inputs_are_large() -> None:
    path = run(PRESETS["bias-input-one"].run_spec()).runs[0]
    dw, db = abs(path.x[10] - path.x[0]), abs(path.y[10] - path.y[0])
    assert dw > 3 * db  # ∂L/∂w = mean(δ·x) with x in [0, 4], ∂L/∂b = mean(δ·1)


def test_without_bias_correction_m_is_too_small_yet_the_steps_too_large() -> None:
    spec = PRESETS["beta"].run_spec().model_copy(update={"record": ["state"]})
    corrected, _, uncorrected = run(spec).runs
    for k in (2, 5, 10, 15):  # the average of zeros and a few gradients
        assert abs(uncorrected.state["m_x"][k]) < 0.5 * abs(uncorrected.state["gradient_x"][k])
    steps = lambda r: np.hypot(r.state["step_x"], r.state["step_y"])  # noqa: E731
    assert np.all(steps(uncorrected)[10:60] > steps(corrected)[10:60])
