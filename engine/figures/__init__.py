"""Plotly figures of a result, one module per view: the paths (contour, 3-D, loss), the
backward pass, the data view, the moving averages.

One set of builders serves notebooks (``figures.contour(result).show()``), the
HTML export, the embed page and the page's first figure, so the look lives here
only. Trajectory traces carry ``meta = {"run": i}`` so the page can find them to
stream points in; the 3-D figure's ``layout.meta`` says how heights were scaled.
"""

from gradtrail.figures.averages import AVERAGE_ROLES, moving_averages
from gradtrail.figures.backward_pass import backprop, backprop_figure, number
from gradtrail.figures.cursor import minibatch_of, point_of
from gradtrail.figures.data import (
    arrow_traces,
    data_view,
    data_view_figure,
    gradient_arrows,
    view_of,
)
from gradtrail.figures.paths import (
    Heights,
    LossAxis,
    contour,
    convergence,
    heights_for,
    loss_axis,
    surface3d,
)
from gradtrail.figures.style import FONT, PALETTE, axis_titles, colour, styled

__all__ = [
    "AVERAGE_ROLES", "FONT", "PALETTE", "Heights", "LossAxis", "arrow_traces", "axis_titles",
    "backprop", "backprop_figure", "colour", "contour", "convergence", "data_view",
    "data_view_figure", "gradient_arrows", "heights_for", "loss_axis", "minibatch_of",
    "moving_averages", "number", "point_of", "styled", "surface3d", "view_of",
]  # fmt: skip
