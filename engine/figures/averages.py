"""The moving averages an optimizer keeps, per coordinate and step, drawn beside |g|."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gradtrail.figures.style import (
    LEGEND_BELOW,
    NARROWEST,
    axis_titles,
    colour,
    styled,
    wrapped,
)
from gradtrail.result import Result
from gradtrail.texts import text

AVERAGE_ROLES = {  # role → (column, dash)
    "average": (1, "dot"),
    "corrected": (1, "solid"),
    "square": (2, "dot"),
    "square_corrected": (2, "solid"),
}


def moving_averages(result: Result) -> go.Figure:
    """For every run whose optimizer keeps running averages (momentum, RMSProp, Adam …):
    per coordinate and step, the gradient ``g``, the average as the optimizer keeps it and
    its bias-corrected value; on the right ``|g|`` and the root of the average of ``g²``.
    The result must carry recorded state (``record: ["state"]``)."""
    from plotly.subplots import make_subplots

    from gradtrail.optimizers import OPTIMIZERS  # the roles are the optimizers' metadata

    lang = result.lang
    # A run that stopped at its start recorded no step: nothing to draw.
    kept = [
        (index, run, OPTIMIZERS[run.info.optimizer].averages)
        for index, run in enumerate(result.runs)
        if run.state and OPTIMIZERS[run.info.optimizer].averages
    ]
    columns = 1 + any(role.startswith("square") for *_, roles in kept for _, role in roles)
    names = axis_titles(result.surface, lang)
    # two columns share a phone's width: each subplot's title on lines of half of it
    titles = [wrapped(text(key, lang, name=name), NARROWEST / 2 - 30, 16) for name in names
              for key in ("figure.avg_column1", "figure.avg_column2")[:columns]]  # fmt: skip
    figure = make_subplots(
        rows=2, cols=columns, shared_xaxes=True, vertical_spacing=0.18, horizontal_spacing=0.12,
        subplot_titles=["<br>".join(lines) for lines in titles],
    )  # fmt: skip
    for index, run, roles in kept:
        steps = np.arange(1, run.state["lr"].size + 1)  # the state after step t
        for row, axis in ((1, "x"), (2, "y")):
            g = run.state[f"gradient_{axis}"]
            curves = [(1, g, "figure.avg_gradient"), (2, np.abs(g), "figure.avg_abs")]
            for column, values, key in curves:
                if column > columns:
                    continue
                figure.add_trace(
                    go.Scatter(
                        x=steps, y=values, mode="lines", legendgroup=f"run{index}",
                        name=f"{run.info.label}: {text(key, lang)}", showlegend=False,
                        opacity=0.35,
                        line={"color": colour(index), "width": 1},
                    ),
                    row=row, col=column,
                )  # fmt: skip
            for order, (name, role) in enumerate(roles):
                column, dash = AVERAGE_ROLES[role]
                values = run.state[f"{name}_{axis}"]
                if role.startswith("square"):
                    values = np.sqrt(np.maximum(values, 0.0))
                    name = f"√{name}"
                figure.add_trace(
                    go.Scatter(
                        x=steps, y=values, mode="lines", legendgroup=f"run{index}",
                        name=run.info.label, showlegend=row == 1 and order == 0,
                        hovertemplate=f"{name} = %{{y:.4g}}<extra>{run.info.label}</extra>",
                        line={"color": colour(index), "width": 2.5, "dash": dash},
                    ),
                    row=row, col=column,
                )  # fmt: skip
    if not kept:
        figure.add_annotation(
            x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
            text=text("figure.avg_none", lang), font={"size": 14, "color": "#5b6b7b"},
        )  # fmt: skip
    styled(figure, text("figure.avg_title", lang), [text("figure.avg_key", lang)])
    figure.update_layout(
        legend=LEGEND_BELOW,
        # the subplots' titles stand above them, in the top margin
        margin={"l": 50, "t": figure.layout.margin.t + 20 * max(map(len, titles))},
        hovermode="closest",
    )
    return figure
