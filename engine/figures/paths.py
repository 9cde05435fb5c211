"""The paths' figures: contour with paths, 3-D surface with paths, loss per step."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from gradtrail.catalog import surface_name
from gradtrail.figures.style import (
    FONT,
    LEGEND_BELOW,
    SURFACE_SCALE,
    add_minima,
    axis_titles,
    colour,
    dash,
    entry,
    styled,
    wrapped,
)
from gradtrail.result import Result, Trajectory
from gradtrail.surfaces import GRID_RESOLUTION, Grid, Surface
from gradtrail.texts import text


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
                x=run.x, y=run.y, mode=mode, name=entry(run.info.label), meta={"run": index},
                line={"color": colour(index), "width": 3, "dash": dash(index)},
                marker={"size": 5}, **path_hover(run, result.lang),
            )
        )  # fmt: skip
    (x0, x1), (y0, y1) = surface.domain
    x_title, y_title = axis_titles(surface, result.lang)
    styled(figure, surface_name(surface, result.lang), minimum_notes(surface, result.lang))
    figure.update_layout(
        xaxis={"range": [x0, x1], "title": x_title, "constrain": "domain", "automargin": True},
        # on two lines when long: a short plot is not as tall as a long title
        yaxis={"range": [y0, y1], "title": "<br>".join(wrapped(y_title, 140, FONT["size"]))},
        legend=LEGEND_BELOW,  # not over the plot: a path can go anywhere in the window
        meta=heights.as_meta(),  # how heights were drawn: the page draws a zoom's contour alike
    )
    return figure


def path_hover(run: Trajectory, lang: str) -> dict:
    """A path's hover: its point, and on a slice (a network) the point's distance from the
    plane, its ``customdata``: how much of the point the picture hides."""
    where = f"{run.info.label}<br>x=%{{x:.4g}}<br>y=%{{y:.4g}}"
    if run.off_plane is None:
        return {"hovertemplate": f"{where}<extra></extra>"}
    said = text("figure.off_plane", lang)
    return {
        "customdata": run.off_plane,
        "hovertemplate": f"{run.info.label}<br>a=%{{x:.4g}}<br>b=%{{y:.4g}}"
        f"<br>{said} %{{customdata:.4g}}<extra></extra>",
    }  # fmt: skip


def minimum_notes(surface: Surface, lang: str) -> tuple[str, ...]:
    """On standardized inputs, the minimum in both scales: the plot's axes are the scaled
    weight and bias, the line a reader fits is in the raw x. Then the surface's own notes
    (``extra["notes"]``, text keys: a neuron's "no minimum", how its minimum was found)."""
    notes = tuple(text(key, lang) for key in surface.extra.get("notes", ()))
    if "raw_minimum" not in surface.extra:
        return notes
    (w, b), (raw_w, raw_b) = surface.minima[0], surface.extra["raw_minimum"]
    values = {"w": w, "b": b, "raw_w": raw_w, "raw_b": raw_b}
    raw = text("figure.raw_minimum", lang, **{k: f"{v:.4g}" for k, v in values.items()})
    return (raw, *notes)


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
                # solid: WebGL draws dashes on a 3-D path patchily, and it is thick enough
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


# A log axis whose range is not known when it is drawn (the page streams the loss into it):
# few labels of plotly's choice (a loss plot may be 100 px tall), so it picks whole decades,
# or 1, 2 and 5 in each decade over 1.4 decades or less (never the 2 … 9 that crowd a tall
# axis), or plain values under one decade; and minor labels in full ("5×10⁻¹", never a
# bare "5" under a "1").
STREAMED_LOG_AXIS = {"nticks": 2, "minorloglabels": "complete", "exponentformat": "power"}
PLAIN_DECADES = range(-3, 4)  # 0.001 … 1000 are written out; beyond, as powers of ten


def full_value(value: float) -> str:
    """A tick value as a reader takes it in at once: 0.2, 50, 2×10⁻⁵."""
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = value / 10.0**exponent
    if exponent in PLAIN_DECADES:
        return f"{value:.{max(0, -exponent)}f}" if exponent < 0 else f"{value:.0f}"
    power = f"10<sup>{str(exponent).replace('-', '−')}</sup>"
    return power if abs(mantissa - 1) < 1e-9 else f"{mantissa:.0f}×{power}"


def log_ticks(low: float, high: float, most: int = 6) -> dict[str, list]:
    """Tick values and their texts for a log axis from ``low`` to ``high`` (> 0), each
    written in full: whole decades (every second, fifth, … when there are more than
    ``most``), or 1, 2 and 5 times each decade when it spans two decades or less; under
    two such values, plotly's plain values (:data:`STREAMED_LOG_AXIS`)."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    if last - first > 2:
        every = next(k for k in (1, 2, 3, 5, 10, 20, 50, 100, 1000) if (last - first) / k <= most)
        values = [10.0**k for k in range(first, last + 1) if k % every == 0]
    else:
        values = [m * 10.0**k for k in range(first, last + 1) for m in (1, 2, 5)]
    shown = [v for v in values if low <= v * (1 + 1e-9) and v <= high * (1 + 1e-9)]
    if len(shown) < 2:  # a sliver of a decade: plotly's plain values, as while streaming
        return dict(STREAMED_LOG_AXIS)
    return {"tickvals": shown, "ticktext": [full_value(v) for v in shown]}


def convergence(result: Result) -> go.Figure:
    """Loss against step, one line per run (see :func:`loss_axis` for which scale). On a
    log axis the ticks are chosen from the loss's range where the result has more than its
    start (else as :data:`STREAMED_LOG_AXIS` says)."""
    axis = loss_axis(result.surface, result.lang)
    figure = go.Figure()
    for index, run in enumerate(result.runs):
        figure.add_trace(
            go.Scatter(
                x=np.arange(run.loss.size), y=axis.values(run.loss), mode="lines",
                name=run.info.label, meta={"run": index},
                line={"color": colour(index), "width": 2.5, "dash": dash(index)},
            )
        )  # fmt: skip
    ticks = dict(STREAMED_LOG_AXIS) if axis.log else {}
    drawn = [axis.values(run.loss) for run in result.runs if run.loss.size > 1]
    if axis.log and drawn:
        shown = np.concatenate(drawn)
        shown = shown[np.isfinite(shown) & (shown > 0)]
        if shown.size and shown.max() > shown.min():
            ticks = log_ticks(float(shown.min()), float(shown.max()))
    figure.update_layout(
        xaxis={"title": text("figure.step", result.lang)},
        yaxis={"title": axis.title, "type": "log" if axis.log else "linear", **ticks},
        showlegend=False,
        # The page plots streamed losses the same way: f − shift, clipped above 0 on a log axis.
        meta={"loss_shift": axis.shift, "loss_log": axis.log, "loss_floor": axis.floor},
    )  # fmt: skip
    return styled(figure, text("figure.loss_title", result.lang))
