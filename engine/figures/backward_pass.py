"""The backward pass drawn: the computation graph with values, adjoints and edges."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from gradtrail.figures.cursor import minibatch_of, point_of
from gradtrail.figures.style import (
    styled,
)
from gradtrail.result import Result
from gradtrail.texts import text


def backprop(
    result: Result,
    step: int = 0,
    run: int = 0,
    sample: int | None = None,
    shared: bool = True,
) -> go.Figure:
    """The computation graph of the loss at run ``run``'s point after ``step`` steps, laid
    out by layers: each node with its forward value (black) and its adjoint (red), each
    edge with its local derivative; the parameters' adjoints are the gradient."""
    from gradtrail.backprop import backprop as graph_at  # the graph module builds on surfaces

    k, point = point_of(result, step, run)
    shown = graph_at(result.surface, point, sample, shared, minibatch_of(result, k, run))
    return backprop_figure(shown, result.lang)


def backprop_figure(shown: dict, lang: str = "en") -> go.Figure:
    """Draw the answer of :func:`gradtrail.backprop.backprop` (also ``POST /api/backprop``)."""
    nodes, edges = shown["nodes"], shown["edges"]
    rows: dict[int, int] = {}
    position = {}
    for node in nodes:
        row = rows.get(node["layer"], 0)
        rows[node["layer"]] = row + 1
        position[node["id"]] = (node["layer"], row)
    # Centre each layer's column on the middle row.
    tallest = max(rows.values())
    xy = {i: (layer, (tallest - rows[layer]) / 2 + row) for i, (layer, row) in position.items()}
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for edge in edges:
        (x0, y0), (x1, y1) = xy[edge["source"]], xy[edge["target"]]
        edge_x += [x0, x1, None]
        edge_y += [y0, y1, None]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=edge_x, y=edge_y, mode="lines", hoverinfo="skip", showlegend=False,
                   line={"color": "#9aa7b4", "width": 1.5})
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=[(xy[e["source"]][0] + xy[e["target"]][0]) / 2 for e in edges],
            y=[(xy[e["source"]][1] + xy[e["target"]][1]) / 2 for e in edges],
            mode="text", text=[number(e["local"]) for e in edges], showlegend=False,
            textfont={"size": 11, "color": "#5b6b7b"}, hoverinfo="text",
            hovertext=[f"∂v{e['target']}/∂v{e['source']} = {number(e['local'])}<br>"
                       f"× ∂f/∂v{e['target']} = {number(e['product'])}" for e in edges],
            meta={"role": "edges"},
        )
    )  # fmt: skip
    colours = {"parameter": "#0072B2", "data": "#009E73", "constant": "#bbbbbb",
               "operation": "#ffffff"}  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=[xy[n["id"]][0] for n in nodes], y=[xy[n["id"]][1] for n in nodes],
            mode="markers+text", text=[n["label"] for n in nodes], showlegend=False,
            marker={"size": 30, "color": [colours[n["kind"]] for n in nodes],
                    "line": {"color": "#33414e", "width": 1.5}},
            textfont={"size": 14, "color": ["#ffffff" if n["kind"] in ("parameter", "data")
                                            else "#111111" for n in nodes]},
            customdata=[[number(n["value"]), number(n["adjoint"])] for n in nodes],
            hovertemplate="v = %{customdata[0]}<br>∂f/∂v = %{customdata[1]}<extra></extra>",
            meta={"role": "nodes"},
        )
    )  # fmt: skip
    for n in nodes:
        x, y = xy[n["id"]]
        adjoint = (
            ""
            if n["adjoint"] is None
            else f"  <span style='color:#b3261e'>{number(n['adjoint'])}</span>"
        )
        figure.add_annotation(x=x, y=y, yshift=-19, showarrow=False, font={"size": 11},
                              text=f"{number(n['value'])}{adjoint}", yanchor="top")  # fmt: skip
    x0, y0 = shown["point"]
    gradient = ", ".join(number(g) for g in shown["gradient"])
    cost = shown["cost"]
    figure.add_annotation(
        x=0, y=-0.08, xref="paper", yref="paper", showarrow=False, xanchor="left",
        text=text("figure.backprop_cost", lang, k=cost["finite_difference_passes"]),
        font={"size": 11, "color": "#5b6b7b"},
    )  # fmt: skip
    figure.update_layout(
        xaxis={"visible": False, "range": [-0.5, max(rows) + 0.5]},
        yaxis={"visible": False, "range": [tallest - 0.5 + 0.3, -0.7], "autorange": False},
        hovermode="closest",
    )
    at = f"({x0:.4g}, {y0:.4g})"
    lines = [text("figure.backprop_legend", lang)]
    if "samples" in shown:  # one sample's loss: its gradient, and the mean over all samples
        samples = shown["samples"]
        mean = ", ".join(number(g) for g in samples["mean_gradient"])
        title = text("figure.backprop_sample_title", lang, point=at, gradient=gradient,
                     index=samples["index"], count=samples["count"])  # fmt: skip
        lines.insert(0, text("figure.backprop_mean", lang, count=samples["count"], mean=mean))
        if samples.get("minibatch") is not None:
            batch = samples["minibatch"]
            mean = ", ".join(number(g) for g in batch["mean_gradient"])
            line = text("figure.backprop_batch", lang, size=batch["size"], step=batch["step"],
                        mean=mean)  # fmt: skip
            lines.insert(1, line)
    else:
        title = text("figure.backprop_title", lang, point=at, gradient=gradient)
    styled(figure, title, lines)
    figure.update_layout(margin={"l": 20, "r": 20, "b": 40})
    return figure


def number(value: float | None) -> str:
    """A value as the graph shows it; a gap where it is not finite."""
    return f"{value:.4g}" if value is not None and math.isfinite(value) else "—"
