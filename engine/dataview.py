"""The data behind a data surface, at a point: the samples, the model's line (or the
neuron's curve) and its residuals, and how the per-sample gradients add up.

On the line-fit bowl and the neuron the loss is a mean over samples,
:math:`L(w, b) = \\frac1n \\sum_i \\ell_i(w, b)`. At a point this module gives every
sample's prediction, residual :math:`t_i - y_i` and gradient :math:`\\nabla \\ell_i`
(by the reverse sweep of the sample's graph, :func:`gradtrail.backprop.sample_graph`),
their mean (the full gradient) and, for a run with minibatches, the batch a step drew
and its mean: the gradient that step used. What is listed is bounded; what is summed
is every sample.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradtrail.backprop import BackpropError, loss_graph, sample_terms
from gradtrail.kinds import SURFACE_KINDS
from gradtrail.regression import minibatch_indices
from gradtrail.spec import MinibatchStep
from gradtrail.surfaces import Surface

MAX_SHOWN_POINTS = 500  # samples drawn (a batch's first, then evenly spaced others)
MAX_ARROWS = 40  # per-sample gradients drawn as arrows on the contour
CURVE_POINTS = 121


def evenly(count: int, most: int) -> np.ndarray:
    """At most ``most`` indices spread evenly over ``range(count)``."""
    if count <= most:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, most).round().astype(np.intp))


def data_view(
    surface: Surface, point: tuple[float, float], minibatch: MinibatchStep | None = None
) -> dict[str, Any]:
    """Samples, model, residuals and gradients of a data surface at ``point = (w, b)``:
    numbers and numpy arrays (the JSON layer writes null where one is not finite)."""
    loss = loss_graph(surface)
    if loss.data is None:
        raise BackpropError("surface", "only a surface built from data has samples to show")
    x, t = loss.data.x, loss.data.t
    w, b = float(point[0]), float(point[1])
    prediction, values, grad_w, grad_b, _ = sample_terms(loss, w, b, x, t)
    curve_x = curve_span(x)
    curve_y = sample_terms(loss, w, b, curve_x, np.zeros_like(curve_x)).prediction
    batch = None if minibatch is None else minibatch_indices(x.size, minibatch)
    listed = evenly(x.size, MAX_SHOWN_POINTS)
    if batch is not None:  # the batch's samples first, then others evenly
        first = np.sort(batch[:MAX_SHOWN_POINTS])
        rest = np.setdiff1d(listed, first, assume_unique=True)
        listed = np.concatenate([first, rest[: MAX_SHOWN_POINTS - first.size]])
    arrows = evenly(x.size, MAX_ARROWS)
    view: dict[str, Any] = {
        "kind": SURFACE_KINDS[surface.id].data.view,
        "point": [w, b],
        "count": int(x.size),
        "loss": float(np.mean(values)),
        "gradient": [float(np.mean(grad_w)), float(np.mean(grad_b))],
        "samples": {
            "index": listed,
            "x": x[listed],
            "t": t[listed],
            "prediction": prediction[listed],
            "residual": t[listed] - prediction[listed],
            "in_batch": np.isin(listed, batch if batch is not None else []),
        },
        "curve": {"x": curve_x, "y": curve_y},
        "target": target_curve(loss, surface, curve_x),
        "arrows": {"index": arrows, "gradient_w": grad_w[arrows], "gradient_b": grad_b[arrows]},
        "minibatch": None,
    }
    if batch is not None and minibatch is not None:
        view["minibatch"] = {
            "step": minibatch.step,
            "size": int(batch.size),
            "loss": float(np.mean(values[batch])),
            "gradient": [float(np.mean(grad_w[batch])), float(np.mean(grad_b[batch]))],
        }
    return view


def curve_span(x: np.ndarray) -> np.ndarray:
    """Where the model is drawn: the data's x range and a little beyond."""
    low, high = float(np.min(x)), float(np.max(x))
    pad = 0.05 * (high - low) or 1.0
    return np.linspace(low - pad, high + pad, CURVE_POINTS)


def target_curve(loss: Any, surface: Surface, curve_x: np.ndarray) -> dict[str, np.ndarray] | None:
    """The model at the surface's minimum, where one is known (the line fit's least-squares
    line ``w* x + b*``): what a run is heading for."""
    if not surface.minima:
        return None
    w, b = surface.minima[0]
    return {"x": curve_x, "y": sample_terms(loss, w, b, curve_x, np.zeros_like(curve_x)).prediction}
