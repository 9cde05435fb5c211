"""The data behind the line fit and the neuron at a point: predictions and residuals by
hand, per-sample gradients that average to the exact gradient and to the gradient a
minibatch step used, and the moving averages of the optimizers that keep them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradtrail import Simulation, figures, run
from gradtrail.backprop import BackpropError, backprop
from gradtrail.catalog import build_surface
from gradtrail.dataview import MAX_ARROWS, MAX_SHOWN_POINTS, data_view
from gradtrail.epochs import Batches
from gradtrail.regression import minibatch_indices
from gradtrail.spec import MinibatchStep, RunSpec, SurfaceSpec


def test_predictions_and_residuals_of_a_line_by_hand() -> None:
    surface = build_surface(SurfaceSpec(id="regression", data={"x": [0, 1, 2], "y": [1, 3, 4]}))
    view = data_view(surface, (2.0, 0.5))
    samples = view["samples"]
    assert list(samples["prediction"]) == [0.5, 2.5, 4.5]  # y = 2x + 0.5
    assert list(samples["residual"]) == [0.5, 0.5, -0.5]
    # L = mean(r²) = 0.25; ∂L/∂w = −2 mean(r x) = −2 (0 + 0.5 − 1)/3, ∂L/∂b = −2 mean(r) = −1/3
    assert view["loss"] == pytest.approx(0.25, rel=1e-15)
    assert view["gradient"] == pytest.approx([1.0 / 3.0, -1.0 / 3.0], rel=1e-15)
    least_squares = view["target"]  # w* = 1.5, b* = 7/6
    assert least_squares["y"][0] == pytest.approx(1.5 * least_squares["x"][0] + 7.0 / 6.0)
    assert view["curve"]["y"] == pytest.approx(2.0 * view["curve"]["x"] + 0.5, rel=1e-15)


@pytest.mark.parametrize(
    "spec",
    [
        SurfaceSpec(id="regression", generate={"n": 5000, "noise": 3.0}),
        SurfaceSpec(id="neuron", loss="cross_entropy"),
        SurfaceSpec(id="neuron", loss="mse", classes={"n": 300, "separation": 1.0}),
    ],
)
def test_the_samples_average_to_the_exact_gradient_and_what_is_listed_is_bounded(
    spec: SurfaceSpec,
) -> None:
    surface = build_surface(spec)
    for point in [(0.7, -0.3), (-2.0, 1.5), (3.1, 0.2)]:
        view = data_view(surface, point)
        assert view["gradient"] == pytest.approx(list(surface.grad_xy(*point)), rel=1e-10)
        assert view["loss"] == pytest.approx(surface.value_xy(*point), rel=1e-10)
        assert len(view["samples"]["index"]) <= MAX_SHOWN_POINTS
        assert len(view["arrows"]["index"]) <= MAX_ARROWS
    assert (view["target"] is None) == (not surface.minima)  # a line or curve heading for it


def test_a_step_drawn_straight_is_the_one_drawing_them_one_by_one_reaches() -> None:
    for size, batch in [(200, 16), (10, 3), (7, 7), (5, 100), (9000, 300)]:
        drawn = Batches(size, batch, seed=4, run=2).draws()
        for step in range(40):
            expected = drawn.next()
            got = minibatch_indices(size, MinibatchStep(size=batch, seed=4, run=2, step=step))
            assert list(got) == list(expected), (size, batch, step)


@pytest.mark.parametrize("surface", [
    {"id": "regression", "generate": {"n": 200, "noise": 2.0}},
    {"id": "neuron", "loss": "mse"},
])  # fmt: skip
def test_per_sample_gradients_of_the_drawn_batch_average_to_the_recorded_gradient(
    surface: dict,
) -> None:
    spec = {"surface": surface, "start": [1.5, 0.5], "steps": 40, "seed": 3,
            "record": ["state"], "optimizers": [{"id": "gd", "params": {"lr": 0.05}},
            {"id": "adam", "params": {"lr": 0.05}, "batch_size": 16}]}  # fmt: skip
    result = run(spec)
    trajectory = result.runs[1]
    for k in (0, 1, 12, 13, 14, 39):  # 13 batches of 16 make an epoch of 200: across it
        point = (float(trajectory.x[k]), float(trajectory.y[k]))
        batch = MinibatchStep(size=16, seed=3, run=1, step=k)
        used = [trajectory.state["gradient_x"][k], trajectory.state["gradient_y"][k]]
        view = data_view(result.surface, point, batch)
        assert view["minibatch"]["gradient"] == pytest.approx(used, rel=1e-12, abs=1e-15)
        per_epoch = -(-view["count"] // 16)  # the last batch holds what the epoch has left
        drawn = min(16, view["count"] - (k % per_epoch) * 16)  # 200 = 12·16 + 8: step 12 has 8
        assert view["minibatch"]["size"] == int(np.sum(view["samples"]["in_batch"])) == drawn
        shown = backprop(result.surface, point, minibatch=batch)["samples"]["minibatch"]
        assert shown["mean_gradient"] == pytest.approx(used, rel=1e-12, abs=1e-15)


def test_a_surface_without_data_has_no_data_view() -> None:
    with pytest.raises(BackpropError) as error:
        data_view(build_surface(SurfaceSpec(id="himmelblau")), (0.0, 0.0))
    assert error.value.field == "surface"


def test_the_figures_mark_the_batch_and_draw_the_arrows_on_one_scale() -> None:
    spec = {"surface": {"id": "regression", "generate": {"n": 100, "noise": 1.0}},
            "start": [3.0, 2.0], "steps": 20,
            "optimizers": [{"id": "gd", "params": {"lr": 0.01}, "batch_size": 8}]}  # fmt: skip
    result = run(spec, lang="ja")
    figure = figures.data_view(result, step=4)
    # a legend entry may be wrapped onto lines (figures.style.entry)
    names = [trace.name.replace("<br>", " ") for trace in figure.data]
    assert "ステップ 4 のミニバッチ (8)" in names
    batch = figure.data[names.index("ステップ 4 のミニバッチ (8)")]
    assert len(batch.x) == 8
    arrows = figures.gradient_arrows(result, step=4)
    drawn = [t for t in arrows.data if (t.meta or {}).get("role") == "sample-gradients"]
    assert len(drawn) == 3  # per sample, the mean, the minibatch's
    mean, used = drawn[1], drawn[2]
    view = data_view(result.surface, (result.runs[0].x[4], result.runs[0].y[4]),
                     MinibatchStep(size=8, run=0, step=4))  # fmt: skip
    # Arrows point down the gradient, on one scale: their lengths compare as the gradients do.
    length = lambda t: math.hypot(t.x[1] - t.x[0], t.y[1] - t.y[0])  # noqa: E731
    ratio = math.hypot(*view["gradient"]) / math.hypot(*view["minibatch"]["gradient"])
    assert length(mean) / length(used) == pytest.approx(ratio, rel=1e-9)
    assert (mean.x[1] - mean.x[0]) * view["gradient"][0] < 0
    last = figures.data_view(result, step=20)  # the last point: no step leaves it
    assert all("ミニバッチ" not in (trace.name or "") for trace in last.data)


def test_the_moving_averages_are_the_recorded_state_and_gd_keeps_none() -> None:
    spec = {"surface": {"id": "quadratic"}, "start": [-4.0, 2.0], "steps": 30,
            "record": ["state"], "optimizers": [
                {"id": "adam", "params": {"lr": 0.1, "betas": [0.99, 0.999]}},
                {"id": "momentum", "params": {"lr": 0.05}}, {"id": "gd"}]}  # fmt: skip
    result = run(spec)
    figure = figures.moving_averages(result)
    adam = [t for t in figure.data if t.legendgroup == "run0"]
    # g, |g| per coordinate, then m, m̂, √v, √v̂: m̂₁ = m₁/(1 − 0.99) = g₁ at the first step
    m_hat = next(t for t in adam if "m_hat" in (t.hovertemplate or ""))
    g = result.runs[0].state["gradient_x"]
    assert m_hat.y[0] == pytest.approx(g[0], rel=1e-12)
    m = next(t for t in adam if (t.hovertemplate or "").startswith("m = "))
    assert m.y[0] == pytest.approx(0.01 * g[0], rel=1e-12)
    assert not [t for t in figure.data if t.legendgroup == "run2"]  # plain GD keeps none
    none = figures.moving_averages(run({**spec, "optimizers": [{"id": "gd"}]}))
    assert none.layout.annotations[-1].text.startswith("No run here keeps")


def test_a_streams_averages_outline_names_the_state_each_trace_draws() -> None:
    """Before the run the figure is the same, its traces empty; each names the recorded
    vector it shows, and the run's state shown that way is what the finished figure holds."""
    spec = {"surface": {"id": "rosenbrock"}, "start": [-1.0, 1.5], "steps": 40,
            "record": ["state"], "optimizers": [{"id": "adam"}, {"id": "rmsprop"}]}  # fmt: skip
    outline = figures.moving_averages(Simulation(RunSpec.model_validate(spec)).preview())
    result = run(spec)
    finished = figures.moving_averages(result)
    assert [t.name for t in outline.data] == [t.name for t in finished.data]
    assert all(len(t.y) == 0 for t in outline.data)
    shown = {"value": lambda v: v, "abs": abs, "sqrt": math.sqrt}
    for empty, full in zip(outline.data, finished.data, strict=True):
        wants = empty.meta["averages"]
        state = result.runs[wants["run"]].state[wants["state"]]
        assert list(full.x) == list(range(1, state.size + 1))
        assert list(full.y) == [shown[wants["show"]](v) for v in state]
    names = {t.meta["averages"]["state"] for t in outline.data if t.legendgroup == "run1"}
    assert names == {"gradient_x", "gradient_y", "square_avg_x", "square_avg_y"}
    too_long = Simulation(RunSpec.model_validate({**spec, "record": []})).preview()
    text = figures.moving_averages(too_long).layout.annotations[-1].text
    assert text.startswith("This run is too long")


def test_a_run_that_stopped_at_its_start_has_no_averages_to_draw() -> None:
    spec = {
        "surface": {"id": "rosenbrock"},
        "start": [-0.5, 0.9],
        "record": ["state"],
        "stop": {"divergence_bound": 1.0},
        "optimizers": [{"id": "adam"}],
    }  # loss 44.5
    result = run(spec)
    assert result.runs[0].summary.status == "diverged" and result.runs[0].x.size == 1
    assert figures.moving_averages(result).layout.annotations[-1].text.startswith("No run")
