"""Plotly figures of a result: contour with paths, 3-D surface with paths, loss per step.

One set of builders serves notebooks (``figures.contour(result).show()``), the
HTML export, the embed page and the page's first figure, so the look lives here
only. Trajectory traces carry ``meta = {"run": i}`` so the page can find them to
stream points in; the 3-D figure's ``layout.meta`` says how heights were scaled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from gradtrail.catalog import surface_name
from gradtrail.result import Result
from gradtrail.spec import MinibatchStep
from gradtrail.surfaces import GRID_RESOLUTION, Grid, Surface
from gradtrail.texts import text

# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency.
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


@dataclass(frozen=True)
class Heights:
    """How a surface's values become drawn heights: log10(f − shift + offset) when wide."""

    log: bool
    shift: float
    offset: float

    def __call__(self, values: np.ndarray) -> np.ndarray:
        if not self.log:
            return values
        with np.errstate(all="ignore"):
            return np.log10(values - self.shift + self.offset)

    def as_meta(self) -> dict[str, float | bool]:
        return {"z_log": self.log, "z_shift": self.shift, "z_offset": self.offset}


def heights_for(grid: Grid) -> Heights:
    """Log-spaced heights when the range above the minimum spans more than two decades."""
    finite = grid.z[np.isfinite(grid.z)]
    if finite.size == 0:
        return Heights(False, 0.0, 0.0)
    low = float(finite.min())
    above = finite - low
    span = float(above.max())
    if span <= 0.0 or span < 100.0 * float(np.percentile(above, 25)):
        return Heights(False, 0.0, 0.0)
    return Heights(True, low, span * 1e-6)


MARKED_STEPS = 300  # beyond this a path is drawn as a line alone: markers would crowd it


def contour(
    result: Result, resolution: int = GRID_RESOLUTION, steps: int | None = None
) -> go.Figure:
    """Contours of the surface (log-spaced where the range is wide), minima, one path per run.

    Each step is marked on paths of at most :data:`MARKED_STEPS` steps (``steps``
    says how long they will be when the result is still a preview).
    """
    surface = result.surface
    longest = (
        steps if steps is not None else max((run.x.size - 1 for run in result.runs), default=0)
    )
    mode = "lines+markers" if longest <= MARKED_STEPS else "lines"
    grid = surface.grid(resolution)
    heights = heights_for(grid)
    figure = go.Figure()
    figure.add_trace(
        go.Contour(
            x=grid.x, y=grid.y, z=heights(grid.z), customdata=grid.z, ncontours=28,
            colorscale=SURFACE_SCALE, showscale=False,
            contours={"coloring": "fill", "showlines": True},  # 3x faster to redraw than a heatmap
            # Unsmoothed: on 100 points a side no change shows, and plotly draws it in 4/5
            # of the time (the first visit's contour, 150 -> 120 ms).
            line={"width": 0.6, "color": "rgba(40,60,80,0.35)", "smoothing": 0},
            hovertemplate="x=%{x:.3g}<br>y=%{y:.3g}<br>f=%{customdata:.4g}<extra></extra>",
            name="f", showlegend=False,
        )
    )  # fmt: skip
    add_minima(figure, surface, result.lang)
    for index, run in enumerate(result.runs):
        figure.add_trace(
            go.Scatter(
                x=run.x, y=run.y, mode=mode, name=run.info.label, meta={"run": index},
                line={"color": colour(index), "width": 3}, marker={"size": 5},
                hovertemplate=f"{run.info.label}<br>x=%{{x:.4g}}<br>y=%{{y:.4g}}<extra></extra>",
            )
        )  # fmt: skip
    (x0, x1), (y0, y1) = surface.domain
    x_title, y_title = axis_titles(surface, result.lang)
    styled(figure, surface_name(surface, result.lang), minimum_notes(surface, result.lang))
    figure.update_layout(
        xaxis={"range": [x0, x1], "title": x_title, "constrain": "domain", "automargin": True},
        yaxis={"range": [y0, y1], "title": y_title},
        legend=LEGEND_BELOW,  # not over the plot: a path can go anywhere in the window
    )
    return figure


def minimum_notes(surface: Surface, lang: str) -> tuple[str, ...]:
    """On standardized inputs, the minimum in both scales: the plot's axes are the scaled
    weight and bias, the line a reader fits is in the raw x."""
    if "raw_minimum" not in surface.extra:
        return ()
    (w, b), (raw_w, raw_b) = surface.minima[0], surface.extra["raw_minimum"]
    values = {"w": w, "b": b, "raw_w": raw_w, "raw_b": raw_b}
    return (text("figure.raw_minimum", lang, **{k: f"{v:.4g}" for k, v in values.items()}),)


PATH_LIFT = 0.015  # paths ride this fraction of the drawn height range above the surface
SCENE_FONT = 12  # the 3-D axes' type, set apart from the page's: lecture mode sets its own
SCENE_SIDES = np.array([1.0, 1.0, 0.7])  # the scene box's aspect ratio
# Eyes to choose from, steep enough to see into valleys: the first that hides least wins.
CAMERAS = ((0.9, -0.9, 1.7), (-0.9, -0.9, 1.7), (-0.9, 0.9, 1.7), (0.9, 0.9, 1.7),
           (0.3, -0.3, 2.3))  # fmt: skip


def least_hiding_eye(grid: Grid, drawn: np.ndarray, paths: list[np.ndarray]) -> tuple[float, ...]:
    """The first of :data:`CAMERAS` that hides the least of any path from its eye.

    plotly puts the scene in a box of :data:`SCENE_SIDES` centred on the origin, the eye
    in the same units; a path point (at most 100 of each path) is hidden when its line of
    sight dips under the surface. The box and the points are worked out once for all eyes.
    """
    heights = [drawn[np.isfinite(drawn)], *(p[:, 2][np.isfinite(p[:, 2])] for p in paths)]
    low = np.array([grid.x[0], grid.y[0], min(h.min() for h in heights if h.size)])
    high = np.array([grid.x[-1], grid.y[-1], max(h.max() for h in heights if h.size)])
    span = np.where(high > low, high - low, 1.0)
    sampled = [path[:: max(1, len(path) // 100)][:, None, :] for path in paths]
    t = np.linspace(0.0, 0.97, 120)[None, :, None]  # stop short of the point itself

    def hidden(eye: tuple[float, ...]) -> float:
        camera = (np.array(eye) / SCENE_SIDES + 0.5) * span + low  # the eye in data units
        share = 0.0
        for points in sampled:
            sight = camera + t * (points - camera)
            i = np.clip(np.searchsorted(grid.x, sight[..., 0]), 0, grid.x.size - 1)
            j = np.clip(np.searchsorted(grid.y, sight[..., 1]), 0, grid.y.size - 1)
            inside = (grid.x[0] <= sight[..., 0]) & (sight[..., 0] <= grid.x[-1])
            inside &= (grid.y[0] <= sight[..., 1]) & (sight[..., 1] <= grid.y[-1])
            with np.errstate(invalid="ignore"):
                under = inside & (sight[..., 2] < drawn[j, i])
            share = max(share, float(np.mean(under.any(axis=1))))
        return share

    return min(CAMERAS, key=hidden)


def surface3d(result: Result, resolution: int = 60) -> go.Figure:
    """The surface in 3-D with every path drawn on it.

    Seen steeply from above, from the side that hides least of the paths, half
    transparent, with the paths lifted a little off it: a path on a valley floor or
    behind a peak still shows.
    """
    surface = result.surface
    grid = surface.grid(resolution)
    heights = heights_for(grid)
    drawn = heights(grid.z)
    finite = drawn[np.isfinite(drawn)]
    lift = PATH_LIFT * float(np.ptp(finite)) if finite.size else 0.0
    figure = go.Figure(
        go.Surface(
            x=grid.x, y=grid.y, z=drawn, colorscale=SURFACE_SCALE,
            opacity=0.72, showscale=False, name="f", hoverinfo="skip",
            contours={"z": {"show": True, "usecolormap": True, "project": {"z": True},
                            "width": 1}},
        )
    )  # fmt: skip
    paths = [np.column_stack([run.x, run.y, heights(run.loss) + lift]) for run in result.runs]
    for index, (run, path) in enumerate(zip(result.runs, paths, strict=True)):
        figure.add_trace(
            go.Scatter3d(
                x=run.x, y=run.y, z=path[:, 2], mode="lines", name=run.info.label,
                meta={"run": index}, line={"color": colour(index), "width": 7},
            )
        )  # fmt: skip
    eye = least_hiding_eye(grid, drawn, paths)
    x_title, y_title = axis_titles(surface, result.lang)
    z_title = "log₁₀ f" if heights.log else "f"
    axis = {"tickfont": {"size": SCENE_FONT}, "title": {"font": {"size": SCENE_FONT + 2}}}
    styled(figure, surface_name(surface, result.lang))
    figure.update_layout(
        scene={
            "xaxis": {**axis, "title": {**axis["title"], "text": x_title}},
            "yaxis": {**axis, "title": {**axis["title"], "text": y_title}},
            "zaxis": {**axis, "title": {**axis["title"], "text": z_title}},
            "aspectmode": "manual",
            "aspectratio": dict(zip("xyz", SCENE_SIDES.tolist(), strict=True)),
            "camera": {"eye": dict(zip("xyz", eye, strict=True))},
        },
        legend=LEGEND_BELOW,
        margin={"l": 10, "r": 10},
        meta={**heights.as_meta(), "z_lift": lift},
    )
    return figure


TINY = 1e-300  # a log axis cannot show zero


@dataclass(frozen=True)
class LossAxis:
    """How the loss is plotted: ``f − shift``, on a log or a linear axis, and its title."""

    log: bool
    shift: float
    title: str
    floor: float = TINY  # the least value shown on a log axis

    def values(self, loss: np.ndarray) -> np.ndarray:
        return np.maximum(loss - self.shift, self.floor) if self.log else loss


def loss_axis(surface: Surface, lang: str = "en") -> LossAxis:
    """A log axis of the loss where it stays positive; of ``f − f*`` where the known minimum
    ``f*`` is negative (the saddle's −1); a linear axis where it can be ≤ 0 and ``f*`` is
    unknown (a typed formula that goes below zero)."""
    if surface.minima:
        lowest = min(float(surface.value_xy(float(x), float(y))) for x, y in surface.minima)
        if lowest < 0:
            # Below |f*| times the float spacing, f − f* is rounding: the axis stops there.
            floor = float(np.spacing(abs(lowest)))
            title = text("figure.loss_shifted", lang, lowest=f"{lowest:.4g}")
            return LossAxis(True, lowest, title, floor)
        return LossAxis(True, 0.0, text("figure.loss", lang))
    heights = surface.grid(60).z
    if np.any(heights[np.isfinite(heights)] <= 0):
        return LossAxis(False, 0.0, text("figure.loss_linear", lang))
    return LossAxis(True, 0.0, text("figure.loss", lang))


def convergence(result: Result) -> go.Figure:
    """Loss against step, one line per run (see :func:`loss_axis` for which scale)."""
    axis = loss_axis(result.surface, result.lang)
    figure = go.Figure()
    for index, run in enumerate(result.runs):
        figure.add_trace(
            go.Scatter(
                x=np.arange(run.loss.size), y=axis.values(run.loss), mode="lines",
                name=run.info.label, meta={"run": index},
                line={"color": colour(index), "width": 2.5},
            )
        )  # fmt: skip
    figure.update_layout(
        xaxis={"title": text("figure.step", result.lang)},
        yaxis={"title": axis.title, "type": "log" if axis.log else "linear",
               "exponentformat": "power"},
        showlegend=False,
        # The page plots streamed losses the same way: f − shift, clipped above 0 on a log axis.
        meta={"loss_shift": axis.shift, "loss_log": axis.log, "loss_floor": axis.floor},
    )  # fmt: skip
    return styled(figure, text("figure.loss_title", result.lang))


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


def point_of(result: Result, step: int, run: int) -> tuple[int, tuple[float, float]]:
    """Run ``run``'s point after ``step`` steps (its last one if it stopped earlier)."""
    trajectory = result.runs[run]
    k = min(step, trajectory.x.size - 1)
    return k, (float(trajectory.x[k]), float(trajectory.y[k]))


def minibatch_of(result: Result, step: int, run: int) -> MinibatchStep | None:
    """The minibatch run ``run`` drew for the step that leaves point ``step`` (None for a
    full-batch run, or at the path's last point, which no step leaves)."""
    trajectory = result.runs[run]
    size = trajectory.info.batch_size
    if size is None or step >= trajectory.x.size - 1:
        return None
    return MinibatchStep(size=size, seed=result.seed, run=run, step=step)


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
            mode="lines", name=text("figure.data_residual", lang), hoverinfo="skip",
            line={"color": "#D55E00", "width": 1}, opacity=0.55,
        )
    )  # fmt: skip
    if view["target"] is not None:
        figure.add_trace(
            go.Scatter(
                x=view["target"]["x"], y=view["target"]["y"], mode="lines",
                name=text("figure.data_target", lang), hoverinfo="skip",
                line={"color": "#8a96a3", "width": 2, "dash": "dash"},
            )
        )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=x[~in_batch], y=t[~in_batch], mode="markers", name=text("figure.data_points", lang),
            marker={"size": 7, "color": "#5b6b7b", "opacity": 0.75},
            hovertemplate="x = %{x:.4g}<br>t = %{y:.4g}<extra></extra>",
        )
    )  # fmt: skip
    batch = view["minibatch"]
    if batch is not None:
        figure.add_trace(
            go.Scatter(
                x=x[in_batch], y=t[in_batch], mode="markers",
                name=text("figure.data_batch", lang, size=batch["size"], step=batch["step"]),
                marker={"size": 11, "color": "#b3261e", "line": {"color": "white", "width": 1}},
                hovertemplate="x = %{x:.4g}<br>t = %{y:.4g}<extra></extra>",
            )
        )  # fmt: skip
    model = f"figure.data_{view['kind']}"  # the data view's model: a line, a sigmoid
    figure.add_trace(
        go.Scatter(
            x=curve["x"], y=curve["y"], mode="lines", name=text(model, lang),
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
        yaxis={"title": text("figure.data_output", lang)},
        hovermode="closest",
        # Top left: above a rising line and a neuron's class 0, where no sample lies.
        legend={"x": 0.01, "xanchor": "left", "font": {"size": 12}},
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
            name=text("figure.arrows_samples", lang, shown=gw.size, count=view["count"]),
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
                name=text(name, lang), hoverinfo="skip", meta={"role": "sample-gradients"},
                line={"color": line_colour, "width": 3},
                marker={"symbol": "arrow", "angleref": "previous", "size": [0, 14],
                        "color": line_colour},
            )
        )  # fmt: skip
    return traces


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
    figure = make_subplots(
        rows=2, cols=columns, shared_xaxes=True, vertical_spacing=0.1, horizontal_spacing=0.1,
        subplot_titles=[text(key, lang, name=name) for name in names
                        for key in ("figure.avg_column1", "figure.avg_column2")[:columns]],
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
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.16, "yanchor": "top"},
        margin={"l": 50, "b": 80},
        hovermode="closest",
    )
    return figure
