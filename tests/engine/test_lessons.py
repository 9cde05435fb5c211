"""The backprop lessons do what their captions say."""

from __future__ import annotations

import numpy as np
import pytest

from gradtrail import figures, run
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


def test_the_saddle_lesson_says_what_its_table_shows() -> None:
    gd, momentum, adam = run(PRESETS["saddle"].run_spec()).runs
    off_the_ridge = [int(np.argmax(np.abs(r.y) > 0.5)) for r in (gd, momentum, adam)]
    assert off_the_ridge == [66, 25, 11]  # the caption's steps
    assert [r.summary.status for r in (gd, momentum, adam)] == [
        "converged",
        "max_steps",
        "max_steps",
    ]
    assert momentum.summary.distance_to_min < 1e-6 and adam.summary.distance_to_min < 1e-6


def test_the_standardized_lesson_says_where_adam_ends_and_shows_both_minima() -> None:
    result = run(PRESETS["scaling-standardized"].run_spec())
    gd, adam = result.runs
    (w, b), (raw_w, raw_b) = result.surface.minima[0], result.surface.extra["raw_minimum"]
    assert gd.summary.status == "converged"
    assert b - adam.y[-1] == pytest.approx(27, abs=0.5)  # "still 27 short of the intercept"
    # The raw line is the one the data were generated from: t = 2x + 1 (noise 1).
    assert (raw_w, raw_b) == pytest.approx((2.0, 1.0), abs=0.3)
    for lang, said in (("en", "on the raw x: w = "), ("ja", "元の x では w = ")):
        title = figures.contour(run(PRESETS["scaling-standardized"].run_spec(), lang=lang))
        assert said + f"{raw_w:.4g}" in title.layout.title.text
        assert f"{w:.4g}" in title.layout.title.text


def test_the_minibatch_lesson_jitters_most_with_one_point_and_not_with_the_full_batch() -> None:
    """Its caption: the path jitters most with batch 1, less with 16, not at all with the
    full batch, and the noise keeps small batches wandering near the minimum."""
    result = run(PRESETS["minibatch"].run_spec())
    [(w, b)] = result.surface.minima

    def jitter(path) -> float:  # path length over the distance covered
        steps = np.hypot(np.diff(path.x), np.diff(path.y))
        return float(steps.sum() / np.hypot(path.x[-1] - path.x[0], path.y[-1] - path.y[0]))

    def wander(path) -> float:  # mean distance to the minimum over the last 100 steps
        return float(np.mean(np.hypot(path.x[-100:] - w, path.y[-100:] - b)))

    one, sixteen, full = result.runs
    assert jitter(one) > jitter(sixteen) > 2 * jitter(full)
    assert jitter(full) < 1.5
    assert wander(one) > wander(sixteen) > wander(full)
