"""The figures' one look: the palette, fonts, legend, titles, axis names, minima."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import plotly.graph_objects as go

from gradtrail.surfaces import Surface
from gradtrail.texts import text

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Low is white and high a pale blue-grey, so the saturated paths stand out on any surface.
SURFACE_SCALE = [[0.0, "#ffffff"], [0.35, "#e3ecf5"], [0.7, "#b9cde3"], [1.0, "#8aa9cb"]]
# The page's themes (``?theme=``, kept in the link), the first the default: ``css`` the
# page's colours (custom properties, ``--paper`` …, written into the page from here), and
# ``figure`` how the page redraws the server's figures for it (none: as drawn). In a figure
# theme, ``recolour`` maps a colour the figures draw with to the theme's, ``scale`` is the
# surface's colours, ``lines`` scales the runs' lines. A figure keeps its own type sizes (its
# margins and wrapped titles are measured for them; lecture mode enlarges them).
THEMES: dict[str, dict[str, dict[str, object] | None]] = {
    "light": {
        "css": {
            "paper": "#ffffff",
            "ink": "#17212b",
            "muted": "#5b6875",
            "line": "#d8dee6",
            "panel": "#f6f8fa",
            "field": "#ffffff",
            "accent": "#0b5cad",
            "accent-ink": "#ffffff",
            "danger": "#b3261e",
            "ok": "#1b7f3b",
            "notice": "#fff6d6",
            "notice-line": "#ecd98b",
            "invalid": "#fff5f4",
            "rule": "#eef1f4",
            "focus": "#f0b400",
            "type-scale": "1",
        },
        "figure": None,
    },
    # Dark, as the embed's: light ink on a near-black page, the surface in deep blues.
    "dark": {
        "css": {
            "paper": "#0f1419",
            "ink": "#e6edf3",
            "muted": "#9fb0c0",
            "line": "#2b3440",
            "panel": "#151c24",
            "field": "#17202a",
            "accent": "#5aa9f0",
            "accent-ink": "#0f1419",
            "danger": "#ff8a80",
            "ok": "#6fd08c",
            "notice": "#3a3113",
            "notice-line": "#6b5a1f",
            "invalid": "#3a1715",
            "rule": "#1e2731",
            "focus": "#f0b400",
            "type-scale": "1",
        },
        "figure": {
            "paper": "#0f1419",
            "ink": "#e6edf3",
            "grid": "#2b3440",
            "legend": "rgba(15,20,25,0.85)",
            "scale": [[0.0, "#0f1419"], [0.35, "#17283a"], [0.7, "#24415f"], [1.0, "#3b6389"]],
            "recolour": {
                "#111111": "#e6edf3",
                "#111": "#e6edf3",
                "#444": "#c9d4df",
                "#000000": "#e6edf3",
                "#ffffff": "#17202a",
                "#fff": "#0f1419",
                "#3d4b59": "#c9d4df",
                "#5b6b7b": "#9fb0c0",
                "#33414e": "#9fb0c0",
                "#9aa7b4": "#6b7b8b",
                "#bbbbbb": "#5b6b7b",
                "rgba(255,255,255,0.8)": "rgba(15,20,25,0.8)",
                "rgba(40,60,80,0.35)": "rgba(230,237,243,0.25)",
            },
            "lines": 1,
        },
    },
    # A projector in a lit room: black on white, darker rules and contours, thick lines,
    # the page's type 15 % larger.
    "projector": {
        "css": {
            "paper": "#ffffff",
            "ink": "#000000",
            "muted": "#2e3a46",
            "line": "#7d8894",
            "panel": "#eef1f4",
            "field": "#ffffff",
            "accent": "#003f87",
            "accent-ink": "#ffffff",
            "danger": "#9b1c14",
            "ok": "#0f5c29",
            "notice": "#fff0b3",
            "notice-line": "#8a6d00",
            "invalid": "#ffe9e6",
            "rule": "#b9c1ca",
            "focus": "#d08c00",
            "type-scale": "1.15",
        },
        "figure": {
            "paper": "#ffffff",
            "ink": "#000000",
            "grid": "#a9b3bd",
            "legend": "rgba(255,255,255,0.92)",
            "scale": None,
            "recolour": {
                "rgba(40,60,80,0.35)": "rgba(0,0,0,0.55)",
                "#3d4b59": "#000000",
                "#5b6b7b": "#222222",
                "#9aa7b4": "#55606b",
                "#444": "#000000",
            },
            "lines": 2,
        },
    },
}

# System fonts only (nothing loads from another host); the CJK ones draw Japanese text.
FONT = {
    "family": "system-ui, 'Segoe UI', Roboto, Helvetica, Arial, 'Hiragino Sans', "
    "'Noto Sans CJK JP', 'Noto Sans JP', 'Yu Gothic', Meiryo, sans-serif",
    "size": 15,
}


# Under the plot, in small type, at most a quarter of the figure's height: a short plot keeps
# room for its axes (at plotly's default of a half, three open panels left the contour an
# axis of negative length), and a taller one shows its entries without a scrolling box.
LEGEND_SIZE = 12
# A legend entry's width, px, past which it wraps: plotly lays a horizontal legend out in
# columns as wide as its widest entry, so one long entry (a sample's arrows, a long run
# label) made a column of one entry a row, taller than the figure.
LEGEND_ENTRY = 160
LEGEND_BELOW = {"orientation": "h", "x": 0, "xref": "container", "xanchor": "left", "y": 0,
                "yanchor": "bottom", "yref": "container", "maxheight": 0.25,
                "font": {"size": LEGEND_SIZE}}  # fmt: skip


def text_width(shown: str, size: float) -> float:
    """How wide ``shown`` (plotly's markup stripped) is at ``size`` px, a little generously:
    the figures are laid out on the server, which has no fonts to measure with."""
    plain = re.sub(r"<[^>]*>", "", shown).replace("&nbsp;", " ")
    em = 0.0
    for char in plain:
        if unicodedata.east_asian_width(char) in "WF":
            em += 1.0
        elif char in "il.,:;'|!()[] ":
            em += 0.36
        elif char.isascii():
            em += 0.62
        else:  # Greek, ∂, −, ², …
            em += 0.7
    return em * size


# Where a line may break: after a space or Japanese punctuation (・ and → between two
# words), before a full-width bracket.
BREAKS = re.compile(r"(?<=[ 、。，：・→])|(?=（)")


def wrapped(shown: str, width: float, size: float) -> list[str]:
    """``shown`` in lines of at most ``width`` px at ``size`` px, broken only between words
    or after punctuation (never inside a Japanese word); a word wider than ``width`` keeps
    a line of its own."""
    lines: list[str] = []
    line = ""
    for piece in (p for p in BREAKS.split(shown) if p):
        if line and text_width(line + piece.rstrip(), size) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def entry(name: str) -> str:
    """A legend entry's name, on lines of at most :data:`LEGEND_ENTRY` px."""
    return "<br>".join(wrapped(name, LEGEND_ENTRY, LEGEND_SIZE))


def colour(index: int) -> str:
    """The colour of run ``index`` (the same in every figure)."""
    return PALETTE[index % len(PALETTE)]


# Runs differ by their line's dash as well as its colour (for a reader who cannot tell the
# colours apart, and on a projector that washes them out); all six draw in 2-D and 3-D.
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def dash(index: int) -> str:
    """The dash of run ``index``'s line (the same in every figure)."""
    return DASHES[index % len(DASHES)]


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


# The narrowest box a figure is drawn in, px: a phone's column, a panel beside another.
NARROWEST = 340
TITLE_SIZE = 18
SUP = 0.7  # plotly's <sup>: this share of the title's size


TEMPLATE = "plotly_white"  # plotly's template of the house look
# Figures drawn by the dozen (the player's panel frames) share one template, kept once:
# plotly spends a third of such a figure's time copying the template into it.
_templated: ContextVar[bool] = ContextVar("templated", default=True)


@contextmanager
def without_template() -> Iterator[None]:
    """Within it, :func:`styled` figures leave ``layout.template`` out (the caller gives
    the figure :data:`TEMPLATE`'s layout back where it draws it)."""
    token = _templated.set(False)
    try:
        yield
    finally:
        _templated.reset(token)


def styled(
    figure: go.Figure,
    title: str,
    notes: tuple[str, ...] | list[str] = (),
    width: float | None = NARROWEST,
) -> go.Figure:
    """The house look: white background, readable fonts, the legend inside the top corner;
    ``notes`` are small lines under the title, with room made for them. Title and notes
    are wrapped to ``width`` px (the least the figure is drawn at), so no box cuts them."""
    if width is not None:
        room = width - 20
        titles = wrapped(title, room, TITLE_SIZE)
        notes = [line for note in notes for line in wrapped(note, room, TITLE_SIZE * SUP)]
        title = "<br>".join(titles)
    lines = title.count("<br>") + 1 + len(notes)
    figure.update_layout(
        # From the top, as measured in Chromium: plotly lifts a title of several lines 17 px
        # above its anchor and steps 23 px a line (a note's too); the pad gives the lift back.
        title={
            "text": "<br>".join([title, *(f"<sup>{note}</sup>" for note in notes)]),
            "x": 0.02,
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 21},
            "font": {"size": TITLE_SIZE},
        },
        **({"template": TEMPLATE} if _templated.get() else {}),
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
        margin={"l": 60, "r": 20, "b": 54, "t": max(50, 24 * lines + 10)},
        # Tick labels a little off their axes: the first x label and the lowest y label
        # meet at the corner otherwise.
        xaxis={"ticklabelstandoff": 4},
        yaxis={"ticklabelstandoff": 10},
        uirevision="keep",
    )
    return figure
