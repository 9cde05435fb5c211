"""Plotly figures of a result: contour with paths, 3-D surface with paths, loss per step.

One set of builders serves notebooks (``figures.contour(result).show()``), the
HTML export and the page's first figure, so the styling lives here only.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.runner import Result
from engine.surfaces import Grid, Surface

# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = {"family": "Inter, 'Segoe UI', Helvetica, Arial, sans-serif", "size": 15}


def colour(index: int) -> str:
    """The colour of run ``index`` (the same in every figure)."""
    return PALETTE[index % len(PALETTE)]


def contour_levels(grid: Grid) -> tuple[np.ndarray, bool]:
    """Heights to draw: log10 of the height above the minimum when the range is wide."""
    z = grid.z
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return z, False
    above = finite - finite.min()
    span = float(above.max())
    typical = float(np.percentile(above, 25))
    if span <= 0.0 or span < 100.0 * typical:
        return z, False
    return np.log10(z - finite.min() + span * 1e-6), True


def contour(result: Result, resolution: int = 120) -> go.Figure:
    """Contours of the surface (log-spaced where the range is wide), minima, one path per run."""
    surface = result.surface
    grid = surface.grid(resolution)
    levels, logarithmic = contour_levels(grid)
    figure = go.Figure()
    figure.add_trace(
        go.Contour(
            x=grid.x, y=grid.y, z=levels, customdata=grid.z, ncontours=30,
            colorscale="Greys", reversescale=True, showscale=False, opacity=0.55,
            contours={"coloring": "heatmap", "showlines": True},
            line={"width": 0.6, "color": "rgba(60,60,60,0.45)"},
            hovertemplate="x=%{x:.3g}<br>y=%{y:.3g}<br>f=%{customdata:.4g}<extra></extra>",
            name="log₁₀ f" if logarithmic else "f",
        )
    )  # fmt: skip
    add_minima(figure, surface)
    for index, run in enumerate(result.runs):
        figure.add_trace(
            go.Scatter(
                x=run.x, y=run.y, mode="lines+markers", name=run.info.label,
                line={"color": colour(index), "width": 2.5}, marker={"size": 4},
                hovertemplate=f"{run.info.label}<br>x=%{{x:.4g}}<br>y=%{{y:.4g}}<extra></extra>",
            )
        )  # fmt: skip
    (x0, x1), (y0, y1) = surface.domain
    figure.update_layout(
        xaxis={"range": [x0, x1], "title": axis_titles(surface)[0]},
        yaxis={"range": [y0, y1], "title": axis_titles(surface)[1], "scaleanchor": None},
    )
    return styled(figure, surface.name)


def surface3d(result: Result, resolution: int = 80) -> go.Figure:
    """The surface in 3-D with every path drawn on it."""
    surface = result.surface
    grid = surface.grid(resolution)
    levels, logarithmic = contour_levels(grid)
    figure = go.Figure(
        go.Surface(
            x=grid.x, y=grid.y, z=levels, colorscale="Viridis", opacity=0.85, showscale=False,
            name="log₁₀ f" if logarithmic else "f",
        )
    )  # fmt: skip
    for index, run in enumerate(result.runs):
        height = (
            np.log10(run.loss - np.nanmin(grid.z) + height_offset(grid))
            if logarithmic
            else run.loss
        )
        figure.add_trace(
            go.Scatter3d(
                x=run.x, y=run.y, z=height, mode="lines", name=run.info.label,
                line={"color": colour(index), "width": 6},
            )
        )  # fmt: skip
    x_title, y_title = axis_titles(surface)
    figure.update_layout(
        scene={"xaxis_title": x_title, "yaxis_title": y_title,
               "zaxis_title": "log₁₀ f" if logarithmic else "f"}
    )  # fmt: skip
    return styled(figure, surface.name)


def convergence(result: Result) -> go.Figure:
    """Loss against step on a log scale, one line per run."""
    figure = go.Figure()
    for index, run in enumerate(result.runs):
        floor = np.maximum(run.loss, 1e-300)  # a log axis cannot show an exact zero
        figure.add_trace(
            go.Scatter(
                x=np.arange(run.loss.size), y=floor, mode="lines", name=run.info.label,
                line={"color": colour(index), "width": 2.5},
            )
        )  # fmt: skip
    figure.update_layout(
        xaxis={"title": "step"}, yaxis={"title": "loss", "type": "log", "exponentformat": "power"}
    )
    return styled(figure, "Loss per step")


def add_minima(figure: go.Figure, surface: Surface) -> None:
    """Known minima as white stars."""
    if not surface.minima:
        return
    xs, ys = zip(*surface.minima, strict=True)
    figure.add_trace(
        go.Scatter(
            x=xs, y=ys, mode="markers", name="minimum",
            marker={"symbol": "star", "size": 14, "color": "white",
                    "line": {"color": "black", "width": 1.5}},
        )
    )  # fmt: skip


def axis_titles(surface: Surface) -> tuple[str, str]:
    """The regression bowl's axes are the line's slope and intercept."""
    return ("w (slope)", "b (intercept)") if surface.id == "regression" else ("x", "y")


def height_offset(grid: Grid) -> float:
    """The offset that keeps log heights finite at the minimum."""
    finite = grid.z[np.isfinite(grid.z)]
    return float(finite.max() - finite.min()) * 1e-6


def styled(figure: go.Figure, title: str) -> go.Figure:
    """The house look: white background, readable fonts, legend above the plot."""
    figure.update_layout(
        title={"text": title, "x": 0.02},
        template="plotly_white",
        font=FONT,
        legend={"orientation": "h", "y": -0.15},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
    )
    return figure
