"""The page's panels for the player (exports, embeds, videos), drawn ahead of time.

The page asks the server for the backward pass and the data view at the time cursor;
an exported file has no server to ask. So each is drawn here at :data:`PANEL_FRAMES`
steps spread over the run, and the player shows the frame at or before its cursor. The
moving averages are one figure over every step (the player moves a line over it), as
is the loss plot.

Frames repeat most of themselves (plotly's template, the samples): the template is
kept once (drawn without it, a frame takes half the time), and a trace equal to the
same trace of the previous frame is ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson

from gradtrail.figures.averages import moving_averages
from gradtrail.figures.backward_pass import backprop
from gradtrail.figures.data import data_view
from gradtrail.figures.paths import convergence
from gradtrail.figures.style import without_template
from gradtrail.panels import PANELS
from gradtrail.result import Result

PANEL_FRAMES = 24  # frames of each panel that follows the cursor, spread over the run
CURSOR_PANELS = {"backprop": backprop, "data": data_view}  # drawn at each frame's step


def panel_steps(last: int, frames: int = PANEL_FRAMES) -> list[int]:
    """The steps the frames are drawn at: 0, the last, and evenly between (fewer when the
    run has fewer steps than frames)."""
    if last <= 0 or frames <= 1:
        return [0]
    return sorted({round(index * last / (frames - 1)) for index in range(frames)})


def panel_fault(panels: Iterable[str], surface_id: str) -> str | None:
    """Why ``panels`` cannot be shown for a surface of kind ``surface_id`` (English, for
    a 422), or None: an id that is no panel's, or the data view of a surface without
    samples."""
    from gradtrail.kinds import data_kinds

    unknown = [panel for panel in panels if panel not in PANELS]
    if unknown:
        return f"unknown panel {unknown[0]!r}: the panels are {', '.join(PANELS)}"
    if "data" in panels and surface_id not in data_kinds():
        return f"the data panel needs a surface with data ({', '.join(data_kinds())})"
    return None


def plain(figure: Any) -> dict[str, Any]:
    """A plotly figure as JSON's plain values (NaN and infinities as null, as to_json)."""
    return orjson.loads(figure.to_json())


def compact(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The frames without a template and with every trace that equals the same trace of
    the frame before it given as ``None``."""
    kept: list[dict[str, Any]] = []
    before: list[Any] = []
    for frame in frames:
        layout = {k: v for k, v in frame["layout"].items() if k != "template"}
        data = frame["data"]
        if len(data) == len(before):
            data = [None if t == b else t for t, b in zip(data, before, strict=True)]
        kept.append({"data": data, "layout": layout})
        before = frame["data"]
    return kept


def panel_frames(
    result: Result, panels: Iterable[str], check: Callable[[], None] = lambda: None
) -> dict[str, Any]:
    """What the player draws beside the contour, for the first run: the loss plot, each of
    ``panels`` that follows the cursor at :func:`panel_steps` and, for ``averages``, the
    whole figure. ``check()`` runs between frames and may raise to stop."""
    last = max(run.x.size for run in result.runs) - 1
    steps = panel_steps(last)
    shown = [panel for panel in PANELS if panel in set(panels)]  # in the page's order
    frames: dict[str, list[dict[str, Any]]] = {}
    for panel in shown:
        if panel not in CURSOR_PANELS:
            continue
        drawn = []
        for step in steps:
            check()
            with without_template():  # the house template, given once below
                drawn.append(plain(CURSOR_PANELS[panel](result, step)))
        frames[panel] = compact(drawn)
    loss = plain(convergence(result))
    answer: dict[str, Any] = {"ids": shown, "steps": steps, "frames": frames, "loss": loss}
    if frames:
        answer["template"] = loss["layout"]["template"]  # every styled figure's
    if "averages" in shown:
        check()
        answer["averages"] = plain(moving_averages(result))
    return answer
