"""The backward pass drawn: the computation graph with values, adjoints and edges."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import plotly.graph_objects as go

from gradtrail.figures.cursor import minibatch_of, point_of
from gradtrail.figures.graph_boxes import GAP, MARGIN, NODE, SMALL, Texts, arranged_for
from gradtrail.figures.graph_layout import layered
from gradtrail.figures.graph_walks import edge_walks, every_text, node_labels, number
from gradtrail.figures.style import NARROWEST, SUP, styled, text_width, wrapped
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
    shown = graph_at(
        result.surface, point, sample, shared, minibatch_of(result, k, run), lang=result.lang
    )
    return backprop_figure(shown, result.lang)


FONT_SIZE = 16  # the figure's type: its notes (<sup>, 70 %) stay above SMALL
COLOURS = {"parameter": "#0072B2", "data": "#009E73", "constant": "#bbbbbb",
           "operation": "#ffffff"}  # fmt: skip
SIGNAL = "#6a3d9a"


@dataclass(frozen=True)
class Drawn:
    """The graph as drawn: a constant used more than once stands again beside each further
    use (a shared constant has no adjoint to gather, and its long edges would cross the
    others); every other node once. ``first`` is each server node's drawn point."""

    points: list[Hashable]
    edges: list[tuple[Hashable, int]]  # in the order of the server's edges
    first: dict[int, Hashable]


def drawn_graph(nodes: list[dict], edges: list[dict]) -> Drawn:
    constants = {n["id"] for n in nodes if n["kind"] == "constant"}
    points: list[Hashable] = [n["id"] for n in nodes if n["id"] not in constants]
    first: dict[int, Hashable] = {n["id"]: n["id"] for n in nodes if n["id"] not in constants}
    drawn_edges: list[tuple[Hashable, int]] = []
    for edge in edges:
        source = edge["source"]
        if source in constants:
            copy = ("constant", source, edge["target"])
            points.append(copy)
            first.setdefault(source, copy)
            source = copy
        drawn_edges.append((source, edge["target"]))
    for n in constants - first.keys():  # a constant nothing uses (none today): drawn alone
        points.append(n)
        first[n] = n
    return Drawn(points, drawn_edges, first)


def backprop_figure(shown: dict, lang: str = "en", box_width: float | None = None) -> go.Figure:
    """Draw the answer of :func:`gradtrail.backprop.backprop` (also ``POST /api/backprop``).

    The graph is laid out in layers (:mod:`gradtrail.figures.graph_layout`) with room
    for every text at its size in px: each node's value and adjoint (or tangent) under it,
    its tag (``shown["signals"]``, where given) over it, each edge's local derivative over
    its line, placed where it meets no other text. Each column is as wide as its own texts
    (a long tag widens its column alone); tags wrap as wide as a box ``box_width`` px wide
    lets them, down to the narrowest of :data:`TAG_WIDTHS`. ``layout.meta`` says the least
    plot size in px at which nothing overlaps (the page scrolls a smaller box rather than
    squeeze it) and holds the texts each mode's walk shows
    (:mod:`gradtrail.figures.graph_walks`).
    """
    nodes, edges = shown["nodes"], shown["edges"]
    by_id = {n["id"]: n for n in nodes}
    signals = {s["node"]: s["label"] for s in shown.get("signals") or [] if s["node"] in by_id}
    drawn = drawn_graph(nodes, edges)
    lay = layered(drawn.points, drawn.edges)
    walks = edge_walks(shown)
    labelled = [n for n in nodes if n["adjoint"] is not None]
    labels = node_labels(shown, labelled)
    label_lines = {n["id"]: [] for n in nodes}
    for texts in (labels["reverse"], *labels["forward"]):
        for node, label in zip(labelled, texts, strict=True):
            label_lines[node["id"]] += label.split("<br>")

    # The widest an edge's text gets: at rest its local derivative, on a walk three lines.
    edge_width = max(
        [text_width(number(e["local"]), SMALL) for e in edges]
        + [text_width(part, SMALL) for text in every_text(walks) for part in text.split("<br>")]
    )
    texts = Texts(
        {p: label_lines[p if isinstance(p, int) else p[1]] for p in drawn.points},
        {p: signals[p] for p in drawn.points if p in signals},
        edge_width,
    )
    drawing = arranged_for(lay, drawn.edges, texts, box_width)
    at, tags = drawing.at, drawing.tags
    label_at = [(x, y) for x, y, _ in drawing.edge_texts]
    sides = [side for _, _, side in drawing.edge_texts]
    left = min(b.left for b in drawing.boxes) - GAP
    right = max(b.right for b in drawing.boxes) + GAP
    top = min(b.top for b in drawing.boxes) - GAP
    bottom = max(b.bottom for b in drawing.boxes) + GAP

    figure = go.Figure()
    line_x: list[float | None] = []
    line_y: list[float | None] = []
    for route in lay.routes.values():
        line_x += [drawing.centres[r] for r, _ in route] + [None]
        line_y += [y * drawing.row for _, y in route] + [None]
    figure.add_trace(
        go.Scatter(x=line_x, y=line_y, mode="lines", hoverinfo="skip", showlegend=False,
                   line={"color": "#9aa7b4", "width": 1.5})
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=[x for x, _ in label_at], y=[y for _, y in label_at], mode="text",
            textposition=sides, text=[number(e["local"]) for e in edges],
            showlegend=False, textfont={"size": SMALL, "color": "#3d4b59"}, hoverinfo="text",
            hovertext=[f"∂v{e['target']}/∂v{e['source']} = {number(e['local'])}<br>"
                       f"× ∂f/∂v{e['target']} = {number(e['product'])}" for e in edges],
            meta={"role": "edges"},
        )
    )  # fmt: skip
    node_points = [at[drawn.first[n["id"]]] for n in nodes]
    figure.add_trace(node_trace(nodes, node_points, "nodes"))
    copies = [p for p in drawn.points if p not in drawn.first.values()]
    if copies:  # a constant's further uses
        copied = [by_id[p[1]] for p in copies]
        figure.add_trace(node_trace(copied, [at[p] for p in copies], "copies"))
    label_annotations: list[int] = []
    # Gathered and given to plotly at once: each add_annotation validated every one before it.
    annotations: list[dict] = []
    reverse_label = dict(zip((n["id"] for n in labelled), labels["reverse"], strict=True))
    for point, (x, y) in at.items():
        node = by_id[point if isinstance(point, int) else point[1]]
        if node["adjoint"] is not None:
            label_annotations.append(len(annotations))
            annotations.append(dict(
                x=x, y=y, yshift=-(NODE / 2 + 2), yanchor="top", showarrow=False,
                text=reverse_label[node["id"]], font={"size": SMALL},
                bgcolor="rgba(255,255,255,0.8)", borderpad=0,
            ))  # fmt: skip
        if point in tags:
            annotations.append(dict(
                x=x, y=y, yshift=NODE / 2 + 2, yanchor="bottom", showarrow=False,
                text="<br>".join(tags[point]), font={"size": SMALL, "color": SIGNAL},
                bgcolor="rgba(255,255,255,0.8)", borderpad=0,
            ))  # fmt: skip

    plot_width, plot_height = right - left, bottom - top
    least_width = max(plot_width + MARGIN["l"] + MARGIN["r"], 300.0)
    # The texts read without scrolling sideways: no wider than the box (unknown: a phone's).
    room = min(least_width, box_width or NARROWEST) - 24
    title, notes = titles(shown, lang)
    mode_titles = {
        "reverse": title_text(title, [*notes, text("figure.backprop_legend", lang)], room),
        "forward": [
            title_text(title, [*notes, text("figure.tangent_legend", lang, parameter=p)], room)
            for p in shown["parameters"]
        ],
    }
    title_lines = max(
        t.count("<br>") + 1 for t in (mode_titles["reverse"], *mode_titles["forward"])
    )
    cost = wrapped(text("figure.backprop_cost", lang, k=shown["cost"]["finite_difference_passes"]),
                   room, SMALL + 1)  # fmt: skip
    margin_top = max(50, 24 * title_lines + 10)  # as styled() has it
    margin_bottom = 6 + 16 * len(cost) + GAP
    styled(figure, mode_titles["reverse"], width=None)  # wrapped here
    figure.update_layout(
        font={"size": FONT_SIZE},
        xaxis={"visible": False, "range": [left, right], "fixedrange": True},
        yaxis={"visible": False, "range": [bottom, top], "autorange": False, "fixedrange": True},
        hovermode="closest",
        margin={**MARGIN, "t": margin_top, "b": margin_bottom},
        meta={"least_width": math.ceil(least_width),
              "least_height": math.ceil(plot_height + margin_top + margin_bottom),
              "walks": {"labels": {"annotations": label_annotations, **labels},
                        "edges": walks, "titles": mode_titles}},
    )  # fmt: skip
    annotations.append(dict(
        x=0, y=0, xref="paper", yref="paper", yanchor="top", yshift=-4, showarrow=False,
        xanchor="left", align="left", text="<br>".join(cost),
        font={"size": SMALL + 1, "color": "#5b6b7b"},
    ))  # fmt: skip
    figure.update_layout(annotations=annotations)
    return figure


def title_text(title: str, notes: list[str], room: float) -> str:
    """The title and its notes (in <sup>) as one text, each wrapped to ``room`` px."""
    lines = wrapped(title, room, 18)
    small = [line for note in notes for line in wrapped(note, room, 18 * SUP)]
    return "<br>".join([*lines, *(f"<sup>{line}</sup>" for line in small)])


def node_trace(nodes: list[dict], points: list[tuple[float, float]], role: str) -> go.Scatter:
    """Nodes as circles with their symbol; hovering one shows its value and adjoint."""
    return go.Scatter(
        x=[x for x, _ in points], y=[y for _, y in points], mode="markers+text",
        text=[n["label"] for n in nodes], showlegend=False,
        marker={"size": NODE, "color": [COLOURS[n["kind"]] for n in nodes],
                "line": {"color": "#33414e", "width": 1.5}},
        textfont={"size": 14, "color": ["#ffffff" if n["kind"] in ("parameter", "data")
                                        else "#111111" for n in nodes]},
        customdata=[[number(n["value"]), number(n["adjoint"])] for n in nodes],
        hovertemplate="v = %{customdata[0]}<br>∂f/∂v = %{customdata[1]}<extra></extra>",
        meta={"role": role},
    )  # fmt: skip


def titles(shown: dict, lang: str) -> tuple[str, list[str]]:
    """The figure's title (the point and its gradient) and the lines under it."""
    x0, y0 = shown["point"]
    at = f"({x0:.4g}, {y0:.4g})"
    gradient = ", ".join(number(g) for g in shown["gradient"])
    lines: list[str] = []
    if "samples" not in shown:
        return text("figure.backprop_title", lang, point=at, gradient=gradient), lines
    # one sample's loss: its gradient, and the mean over all samples (counted from 1 as a
    # person counts them; the API's index is from 0)
    samples = shown["samples"]
    mean = ", ".join(number(g) for g in samples["mean_gradient"])
    title = text("figure.backprop_sample_title", lang, point=at, gradient=gradient,
                 index=samples["index"] + 1, count=samples["count"])  # fmt: skip
    lines.append(text("figure.backprop_mean", lang, count=samples["count"], mean=mean))
    if samples.get("minibatch") is not None:
        batch = samples["minibatch"]
        mean = ", ".join(number(g) for g in batch["mean_gradient"])
        line = text("figure.backprop_batch", lang, size=batch["size"], step=batch["step"],
                    mean=mean)  # fmt: skip
        lines.append(line)
    return title, lines
