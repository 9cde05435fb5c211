"""The data view drawn: samples, the model and residuals, per-sample gradient arrows."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from gradtrail.figures.backward_pass import number
from gradtrail.figures.cursor import minibatch_of, point_of
from gradtrail.figures.paths import contour
from gradtrail.figures.style import (
    FONT,
    LEGEND_BELOW,
    PALETTE,
    colour,
    entry,
    styled,
    wrapped,
)
from gradtrail.result import Result
from gradtrail.texts import text


def entry_text(key: str, lang: str, **values: object) -> str:
    """A text of the catalogue as a legend entry (wrapped)."""
    return entry(text(key, lang, **values))


def view_of(result: Result, step: int, run: int) -> dict:
    """The data view at run ``run``'s point after ``step`` steps, with the step's minibatch."""
    from gradtrail.dataview import data_view as view_at  # builds on the backprop module

    k, point = point_of(result, step, run)
    return view_at(result.surface, point, minibatch_of(result, k, run))


def data_view(result: Result, step: int = 0, run: int = 0) -> go.Figure:
    """The data of a line fit or a neuron and run ``run``'s model after ``step`` steps: the
    samples, the line (or curve) with its residuals, the least-squares line faint and, for a
    run with minibatches, the batch that step drew."""
    return data_view_figure(view_of(result, step, run), result.lang, colour(run))


def gradient_arrows(result: Result, step: int = 0, run: int = 0) -> go.Figure:
    """The contour with, at run ``run``'s point after ``step`` steps, each sample's pull
    ``−∇ℓᵢ`` (a sample of them), their mean ``−∇L`` and the step's minibatch mean."""
    figure = contour(result)
    figure.add_traces(arrow_traces(view_of(result, step, run), result.surface.domain, result.lang))
    return figure


def data_view_figure(view: dict, lang: str = "en", line_colour: str = PALETTE[0]) -> go.Figure:
    """Draw the answer of :func:`gradtrail.dataview.data_view` (also ``POST /api/data-view``)."""
    samples, curve = view["samples"], view["curve"]
    x, t, y = (np.asarray(samples[k], dtype=np.float64) for k in ("x", "t", "prediction"))
    in_batch = np.asarray(samples["in_batch"], dtype=bool)
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=np.column_stack([x, x, np.full_like(x, np.nan)]).ravel(),
            y=np.column_stack([t, y, np.full_like(x, np.nan)]).ravel(),
            mode="lines", name=entry_text("figure.data_residual", lang), hoverinfo="skip",
            line={"color": "#D55E00", "width": 1}, opacity=0.55,
        )
    )  # fmt: skip
    if view["target"] is not None:
        figure.add_trace(
            go.Scatter(
                x=view["target"]["x"], y=view["target"]["y"], mode="lines",
                name=entry_text("figure.data_target", lang), hoverinfo="skip",
                line={"color": "#8a96a3", "width": 2, "dash": "dash"},
            )
        )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=x[~in_batch], y=t[~in_batch], mode="markers",
            name=entry_text("figure.data_points", lang),
            marker={"size": 7, "color": "#5b6b7b", "opacity": 0.75},
            hovertemplate="x = %{x:.4g}<br>t = %{y:.4g}<extra></extra>",
        )
    )  # fmt: skip
    batch = view["minibatch"]
    if batch is not None:
        figure.add_trace(
            go.Scatter(
                x=x[in_batch], y=t[in_batch], mode="markers",
                name=entry_text("figure.data_batch", lang, size=batch["size"], step=batch["step"]),
                marker={"size": 11, "color": "#b3261e", "line": {"color": "white", "width": 1}},
                hovertemplate="x = %{x:.4g}<br>t = %{y:.4g}<extra></extra>",
            )
        )  # fmt: skip
    model = f"figure.data_{view['kind']}"  # the data view's model: a line, a sigmoid
    figure.add_trace(
        go.Scatter(
            x=curve["x"], y=curve["y"], mode="lines", name=entry_text(model, lang),
            line={"color": line_colour, "width": 3}, hoverinfo="skip", meta={"role": "model"},
        )
    )  # fmt: skip
    w, b = view["point"]
    lines = [
        text("figure.data_gradient", lang, loss=number(view["loss"]), count=view["count"],
             gradient=", ".join(number(g) for g in view["gradient"])),
    ]  # fmt: skip
    if batch is not None:
        lines.append(
            text("figure.data_batch_gradient", lang, size=batch["size"], step=batch["step"],
                 gradient=", ".join(number(g) for g in batch["gradient"]))
        )  # fmt: skip
    title = text("figure.data_title", lang, point=f"({w:.4g}, {b:.4g})")
    styled(figure, title, lines)
    figure.update_layout(
        xaxis={"title": text("figure.data_input", lang)},
        # on two lines: a short panel's plot is not as tall as the title is long
        yaxis={"title": "<br>".join(wrapped(text("figure.data_output", lang), 110, FONT["size"]))},
        hovermode="closest",
        # Below: inside, its long entries covered the samples, and on a phone were wider
        # than the plot (plotly then shrank the plot to make room).
        legend=LEGEND_BELOW,
    )
    return figure


ARROW_SPAN = 0.18  # the longest arrow, as a fraction of the plot's smaller side


def arrow_traces(view: dict, domain: tuple[tuple[float, float], ...], lang: str) -> list:
    """At the view's point: a thin arrow ``−∇ℓᵢ`` per listed sample, the mean ``−∇L`` and
    the minibatch's mean, all on one scale so their lengths compare."""
    w, b = view["point"]
    arrows = view["arrows"]
    gw = np.asarray(arrows["gradient_w"], dtype=np.float64)
    gb = np.asarray(arrows["gradient_b"], dtype=np.float64)
    means = {"mean": view["gradient"]}
    if view["minibatch"] is not None:
        means["batch"] = view["minibatch"]["gradient"]
    with np.errstate(all="ignore"):
        lengths = np.hypot(np.concatenate([gw, [g[0] for g in means.values()]]),
                           np.concatenate([gb, [g[1] for g in means.values()]]))  # fmt: skip
    longest = float(np.nanmax(lengths)) if np.isfinite(lengths).any() else 0.0
    side = min(domain[0][1] - domain[0][0], domain[1][1] - domain[1][0])
    scale = ARROW_SPAN * side / longest if longest > 0 and math.isfinite(longest) else 0.0
    gap = np.full_like(gw, np.nan)
    traces = [
        go.Scatter(
            x=np.column_stack([np.full_like(gw, w), w - scale * gw, gap]).ravel(),
            y=np.column_stack([np.full_like(gb, b), b - scale * gb, gap]).ravel(),
            mode="lines", hoverinfo="skip", opacity=0.6, line={"color": "#5b6b7b", "width": 1},
            name=entry_text("figure.arrows_samples", lang, shown=gw.size, count=view["count"]),
            meta={"role": "sample-gradients"},
        )
    ]  # fmt: skip
    styles = {
        "mean": ("#111111", "figure.arrows_mean"),
        "batch": ("#b3261e", "figure.arrows_batch"),
    }
    for key, (gx, gy) in means.items():
        line_colour, name = styles[key]
        traces.append(
            go.Scatter(
                x=[w, w - scale * gx], y=[b, b - scale * gy], mode="lines+markers",
                name=entry_text(name, lang), hoverinfo="skip", meta={"role": "sample-gradients"},
                line={"color": line_colour, "width": 3},
                marker={"symbol": "arrow", "angleref": "previous", "size": [0, 14],
                        "color": line_colour},
            )
        )  # fmt: skip
    return traces
