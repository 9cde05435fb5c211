"""The backward pass drawn: the computation graph with values, adjoints and edges."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import plotly.graph_objects as go

from gradtrail.figures.cursor import minibatch_of, point_of
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
    shown = graph_at(result.surface, point, sample, shared, minibatch_of(result, k, run))
    return backprop_figure(shown, result.lang)


NODE = 30  # a node's marker, px
SMALL = 11  # the graph's labels, px: no text of the figure is smaller
LINE = 15  # one line of SMALL text, px
# Where an edge's text may stand: a share of the way along its last segment, over or under.
PLACES = [(share, side) for share in (0.5, 0.4, 0.6, 0.3, 0.7)
          for side in ("top center", "bottom center")]  # fmt: skip
GAP = 8  # the least room between two texts, px
WALK_LINES = 3  # an edge's text while the walk crosses it: local, × adjoint, = product
TAG_WIDTH = 160  # an error signal's tag wraps at this width, px
FONT_SIZE = 16  # the figure's type: its notes (<sup>, 70 %) stay above SMALL
COLOURS = {"parameter": "#0072B2", "data": "#009E73", "constant": "#bbbbbb",
           "operation": "#ffffff"}  # fmt: skip
SIGNAL = "#6a3d9a"
MARGIN = {"l": 12, "r": 12}


@dataclass(frozen=True)
class Box:
    """A text's or a node's extent, in px from the drawing's origin (y down)."""

    left: float
    top: float
    right: float
    bottom: float

    def meets(self, other: Box) -> bool:
        return (
            min(self.right, other.right) - max(self.left, other.left) > 0
            and min(self.bottom, other.bottom) - max(self.top, other.top) > 0
        )


def centred(x: float, y: float, width: float, top: float, bottom: float) -> Box:
    return Box(x - width / 2, y + top, x + width / 2, y + bottom)


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


def widest(lines: list[str]) -> float:
    """The width of the widest of ``lines`` of the graph's labels, px."""
    return max(text_width(line, SMALL) for line in lines)


def columns_at(widths: list[float], gap: float) -> list[float]:
    """Each column's centre, px: a column as wide as its widest node's texts, ``gap``
    (an edge's text and its margins) between neighbouring columns."""
    centres: list[float] = []
    for c, width in enumerate(widths):
        centres.append(0.0 if c == 0 else centres[-1] + widths[c - 1] / 2 + gap + width / 2)
    return centres


def backprop_figure(shown: dict, lang: str = "en") -> go.Figure:
    """Draw the answer of :func:`gradtrail.backprop.backprop` (also ``POST /api/backprop``).

    The graph is laid out in layers (:mod:`gradtrail.figures.graph_layout`) with room
    for every text at its size in px: each node's value and adjoint (or tangent) under it,
    its tag (``shown["signals"]``, where given) over it, each edge's local derivative over
    its line, placed where it meets no other text. Each column is as wide as its own texts
    (a long tag widens its column alone). ``layout.meta`` says the least plot size in px at
    which nothing overlaps (the page scrolls a smaller box rather than squeeze it) and holds
    the texts each mode's walk shows (:mod:`gradtrail.figures.graph_walks`).
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

    tags = {n: wrapped(label, TAG_WIDTH, SMALL) for n, label in signals.items()}
    tag_lines = max((len(lines) for lines in tags.values()), default=0)
    tag_height = tag_lines * LINE + (2 if tag_lines else 0)
    # The widest an edge's text gets: at rest its local derivative, on a walk three lines.
    edge_width = max(
        [text_width(number(e["local"]), SMALL) for e in edges]
        + [text_width(part, SMALL) for text in every_text(walks) for part in text.split("<br>")]
    )

    def node_width(point: Hashable) -> float:
        node = by_id[point if isinstance(point, int) else point[1]]
        lines = label_lines[node["id"]] or [number(node["value"])]
        return max(NODE, widest(lines), widest(tags[point]) if point in tags else 0.0)

    widths = [0.0] * lay.columns
    for point in drawn.points:
        widths[lay.rank[point]] = max(widths[lay.rank[point]], node_width(point))
    centres = columns_at(widths, edge_width + 3 * GAP)
    # Two edges into one node from neighbouring rows keep their walk's texts apart.
    row = max(tag_height + NODE + 2 + 2 * LINE + 2 * GAP, 2 * (WALK_LINES * LINE + 6) + 4)
    at = {p: (centres[lay.rank[p]], lay.row[p] * row) for p in drawn.points}

    fixed: list[Box] = []
    for point, (x, y) in at.items():
        node = by_id[point if isinstance(point, int) else point[1]]
        fixed.append(centred(x, y, NODE, -NODE / 2, NODE / 2))
        if node["adjoint"] is not None:
            width = widest(label_lines[node["id"]])
            fixed.append(centred(x, y, width, NODE / 2 + 2, NODE / 2 + 2 + 2 * LINE))
        if point in tags:
            width = widest(tags[point])
            top = -(NODE / 2 + 2 + len(tags[point]) * LINE)
            fixed.append(centred(x, y, width, top, -(NODE / 2 + 2)))
    placed: list[Box] = []
    label_at: list[tuple[float, float]] = []
    sides: list[str] = []
    tall = WALK_LINES * LINE + 6  # plotly sets a text a few px off its point
    for source, target in drawn.edges:
        (r0, y0), (r1, y1) = lay.routes[(source, target)][-2:]  # the segment into the target
        x0, x1 = centres[r0], centres[r1]
        y0, y1 = y0 * row, y1 * row
        # The middle of the gap between the two columns first, then nearer either end;
        # over the line, or under it (two edges meeting at a node: one each).
        middle = (x0 + widths[r0] / 2 + x1 - widths[r1] / 2) / 2
        first = (middle - x0) / (x1 - x0) if x1 != x0 else 0.5
        shares = [first, *(share for share, _ in PLACES[::2])]
        for share, side in ((s, side) for s in shares for side in ("top center", "bottom center")):
            x, y = x0 + share * (x1 - x0), y0 + share * (y1 - y0)
            above = side == "top center"
            box = centred(x, y, edge_width, -tall if above else 0, 0 if above else tall)
            if not any(box.meets(other) for other in (*fixed, *placed)):
                break
        else:
            share, side = first, "top center"
            x, y = x0 + share * (x1 - x0), y0 + share * (y1 - y0)
            box = centred(x, y, edge_width, -tall, 0)
        placed.append(box)
        label_at.append((x, y))
        sides.append(side)

    every = [*fixed, *placed]
    left = min(b.left for b in every) - GAP
    right = max(b.right for b in every) + GAP
    top = min(b.top for b in every) - GAP
    bottom = max(b.bottom for b in every) + GAP

    figure = go.Figure()
    line_x: list[float | None] = []
    line_y: list[float | None] = []
    for route in lay.routes.values():
        line_x += [centres[r] for r, _ in route] + [None]
        line_y += [y * row for _, y in route] + [None]
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
    reverse_label = dict(zip((n["id"] for n in labelled), labels["reverse"], strict=True))
    for point, (x, y) in at.items():
        node = by_id[point if isinstance(point, int) else point[1]]
        if node["adjoint"] is not None:
            label_annotations.append(len(figure.layout.annotations))
            figure.add_annotation(
                x=x, y=y, yshift=-(NODE / 2 + 2), yanchor="top", showarrow=False,
                text=reverse_label[node["id"]], font={"size": SMALL},
                bgcolor="rgba(255,255,255,0.8)", borderpad=0,
            )  # fmt: skip
        if point in tags:
            figure.add_annotation(
                x=x, y=y, yshift=NODE / 2 + 2, yanchor="bottom", showarrow=False,
                text="<br>".join(tags[point]), font={"size": SMALL, "color": SIGNAL},
                bgcolor="rgba(255,255,255,0.8)", borderpad=0,
            )  # fmt: skip

    plot_width, plot_height = right - left, bottom - top
    least_width = max(plot_width + MARGIN["l"] + MARGIN["r"], 300.0)
    # The texts read without scrolling sideways: no wider than the narrowest box (a phone's).
    room = min(least_width, NARROWEST) - 24
    title, notes = titles(shown, lang)
    mode_titles = {
        "reverse": title_text(title, [*notes, text("figure.backprop_legend", lang)], room),
        "forward": [
            title_text(title, [*notes, text("figure.tangent_legend", lang, parameter=p)], room)
            for p in shown["parameters"]
        ],
    }
    title_lines = max(t.count("<br>") + 1 for t in every_text(mode_titles))
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
    figure.add_annotation(
        x=0, y=0, xref="paper", yref="paper", yanchor="top", yshift=-4, showarrow=False,
        xanchor="left", align="left", text="<br>".join(cost),
        font={"size": SMALL + 1, "color": "#5b6b7b"},
    )  # fmt: skip
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
    # one sample's loss: its gradient, and the mean over all samples
    samples = shown["samples"]
    mean = ", ".join(number(g) for g in samples["mean_gradient"])
    title = text("figure.backprop_sample_title", lang, point=at, gradient=gradient,
                 index=samples["index"], count=samples["count"])  # fmt: skip
    lines.append(text("figure.backprop_mean", lang, count=samples["count"], mean=mean))
    if samples.get("minibatch") is not None:
        batch = samples["minibatch"]
        mean = ", ".join(number(g) for g in batch["mean_gradient"])
        line = text("figure.backprop_batch", lang, size=batch["size"], step=batch["step"],
                    mean=mean)  # fmt: skip
        lines.append(line)
    return title, lines
