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
from gradtrail.result import Result, Trajectory
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

    The result must carry recorded state (``record: ["state"]``). A stream's preview
    (its runs not made yet) gets the same figure with empty traces: each trace's
    ``meta.averages`` names the recorded vector it draws and how (``value``, ``abs``,
    ``sqrt``), so the page fills them from the state the stream sends, not by asking
    for the run again.
    """
    from plotly.subplots import make_subplots

    from gradtrail.optimizers import OPTIMIZERS  # the roles are the optimizers' metadata

    lang = result.lang
    # A run that stopped at its start recorded no step: nothing to draw.
    kept = [
        (index, run, OPTIMIZERS[run.info.optimizer].averages)
        for index, run in enumerate(result.runs)
        if run.state is not None
        and (run.summary is None or run.state)
        and OPTIMIZERS[run.info.optimizer].averages
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
        for row, axis in ((1, "x"), (2, "y")):
            curves = [(1, "gradient", "value", "figure.avg_gradient"),
                      (2, "gradient", "abs", "figure.avg_abs")]  # fmt: skip
            for column, name, show, key in curves:
                if column > columns:
                    continue
                figure.add_trace(
                    go.Scatter(
                        **recorded(run, f"{name}_{axis}", show), mode="lines",
                        meta={"averages": {"run": index, "state": f"{name}_{axis}", "show": show}},
                        legendgroup=f"run{index}", showlegend=False, opacity=0.35,
                        name=f"{run.info.label}: {text(key, lang)}",
                        line={"color": colour(index), "width": 1},
                    ),
                    row=row, col=column,
                )  # fmt: skip
            for order, (name, role) in enumerate(roles):
                column, dash = AVERAGE_ROLES[role]
                show = "sqrt" if role.startswith("square") else "value"
                figure.add_trace(
                    go.Scatter(
                        **recorded(run, f"{name}_{axis}", show), mode="lines",
                        meta={"averages": {"run": index, "state": f"{name}_{axis}", "show": show}},
                        legendgroup=f"run{index}", showlegend=row == 1 and order == 0,
                        name=run.info.label,
                        hovertemplate=f"{'√' * (show == 'sqrt')}{name} = %{{y:.4g}}"
                        f"<extra>{run.info.label}</extra>",
                        line={"color": colour(index), "width": 2.5, "dash": dash},
                    ),
                    row=row, col=column,
                )  # fmt: skip
    if not kept:
        # a long run's state is not recorded: say so, not that no optimizer keeps averages
        unrecorded = any(run.state is None and OPTIMIZERS[run.info.optimizer].averages
                         for run in result.runs)  # fmt: skip
        figure.add_annotation(
            x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
            text=text("figure.avg_unrecorded" if unrecorded else "figure.avg_none", lang),
            font={"size": 14, "color": "#5b6b7b"},
        )  # fmt: skip
    styled(figure, text("figure.avg_title", lang), [text("figure.avg_key", lang)])
    figure.update_layout(
        legend=LEGEND_BELOW,
        # the subplots' titles stand above them, in the top margin
        margin={"l": 50, "t": figure.layout.margin.t + 20 * max(map(len, titles))},
        hovermode="closest",
    )
    return figure


SHOWN = {"value": lambda v: v, "abs": np.abs, "sqrt": lambda v: np.sqrt(np.maximum(v, 0.0))}


def recorded(run: Trajectory, name: str, show: str) -> dict[str, np.ndarray]:
    """The trace data of recorded vector ``name`` as ``show`` draws it: ``x`` the step
    after which it was recorded (1, 2, …), ``y`` its values (empty in a preview)."""
    values = np.asarray(run.state.get(name, ()), dtype=np.float64)
    return {"x": np.arange(1, values.size + 1), "y": SHOWN[show](values)}
