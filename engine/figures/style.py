"""The figures' one look: the palette, fonts, legend, titles, axis names, minima."""

from __future__ import annotations

import plotly.graph_objects as go

from gradtrail.surfaces import Surface
from gradtrail.texts import text

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Low is white and high a pale blue-grey, so the saturated paths stand out on any surface.
SURFACE_SCALE = [[0.0, "#ffffff"], [0.35, "#e3ecf5"], [0.7, "#b9cde3"], [1.0, "#8aa9cb"]]
# System fonts only (nothing loads from another host); the CJK ones draw Japanese text.
FONT = {
    "family": "system-ui, 'Segoe UI', Roboto, Helvetica, Arial, 'Hiragino Sans', "
    "'Noto Sans CJK JP', 'Noto Sans JP', 'Yu Gothic', Meiryo, sans-serif",
    "size": 15,
}


# Under the plot, at most a fifth of the figure's height (more entries scroll): a short
# plot keeps room for its axes (at plotly's default of a half, three open panels left the
# contour an axis of negative length).
LEGEND_BELOW = {"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "bottom",
                "yref": "container", "maxheight": 0.2}  # fmt: skip


def colour(index: int) -> str:
    """The colour of run ``index`` (the same in every figure)."""
    return PALETTE[index % len(PALETTE)]


def add_minima(figure: go.Figure, surface: Surface, lang: str) -> None:
    """Known minima as white stars."""
    if not surface.minima:
        return
    xs, ys = zip(*surface.minima, strict=True)
    figure.add_trace(
        go.Scatter(
            x=xs, y=ys, mode="markers", name=text("figure.minimum", lang), hoverinfo="skip",
            marker={"symbol": "star", "size": 15, "color": "white",
                    "line": {"color": "black", "width": 1.5}},
        )
    )  # fmt: skip


def axis_titles(surface: Surface, lang: str) -> tuple[str, str]:
    """Its kind's names for its two parameters (a line's slope and intercept, a neuron's
    weight and bias), or x and y."""
    from gradtrail.kinds import SURFACE_KINDS

    axes = SURFACE_KINDS[surface.id].axes
    return (text(axes[0], lang), text(axes[1], lang)) if axes else ("x", "y")


def styled(figure: go.Figure, title: str, notes: tuple[str, ...] | list[str] = ()) -> go.Figure:
    """The house look: white background, readable fonts, the legend inside the top corner;
    ``notes`` are small lines under the title, with room made for them."""
    figure.update_layout(
        title={
            "text": "<br>".join([title, *(f"<sup>{note}</sup>" for note in notes)]),
            "x": 0.02,
            "font": {"size": 18},
        },
        template="plotly_white",
        font=FONT,
        legend={
            "x": 0.99,
            "xanchor": "right",
            "y": 0.99,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.85)",
            "bordercolor": "#d8dee6",
            "borderwidth": 1,
        },
        margin={"l": 60, "r": 20, "t": 50 + (6 + 18 * len(notes) if notes else 0), "b": 54},
        uirevision="keep",
    )
    return figure
