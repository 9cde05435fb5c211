"""The backward pass's drawing: a layered layout without avoidable crossings, every label
given room, the error signals tagged at their nodes."""

from __future__ import annotations

from itertools import pairwise

import pytest

from gradtrail.backprop import backprop
from gradtrail.catalog import build_surface
from gradtrail.figures import backprop_figure
from gradtrail.figures.graph_layout import layered, spaced
from gradtrail.spec import SurfaceSpec

GRAPHS = [
    ({"id": "regression", "generate": {"n": 20}}, (0.5, 1.0)),
    ({"id": "custom", "expression": "(x*y + x)^2"}, (1.0, 0.5)),
    ({"id": "chain"}, (0.5, 1.0)),
    ({"id": "rosenbrock"}, (0.5, 1.0)),
]


def shown_at(surface: dict, point: tuple[float, float]) -> dict:
    return backprop(build_surface(SurfaceSpec.model_validate(surface)), point)


def test_each_edge_joins_neighbouring_columns_through_its_dummy_points() -> None:
    # a diamond and a long edge: a → b → c → d and a → d
    edges = [(0, 1), (1, 2), (2, 3), (0, 3), (4, 2)]
    lay = layered([0, 1, 2, 3, 4], edges)
    assert lay.rank == {0: 0, 1: 1, 2: 2, 3: 3, 4: 1}  # the leaf 4 stands beside its use
    for route in lay.routes.values():
        assert [rank for rank, _ in route] == list(range(route[0][0], route[-1][0] + 1))
    assert lay.crossings == 0


@pytest.mark.parametrize(("surface", "point"), GRAPHS, ids=lambda g: str(g))
def test_the_lessons_graphs_are_drawn_without_crossings(surface: dict, point: tuple) -> None:
    shown = shown_at(surface, point)
    # a constant is drawn beside each use, as the figure does
    constants = {n["id"] for n in shown["nodes"] if n["kind"] == "constant"}
    nodes = [n["id"] for n in shown["nodes"] if n["id"] not in constants]
    edges = []
    for e in shown["edges"]:
        source = ("c", e["source"], e["target"]) if e["source"] in constants else e["source"]
        nodes += [source] if e["source"] in constants else []
        edges.append((source, e["target"]))
    lay = layered(nodes, edges)
    assert lay.crossings == 0
    for column in range(lay.columns):  # rows at least one apart within a column
        rows = sorted(lay.row[n] for n in nodes if lay.rank[n] == column)
        assert all(b - a >= 1 - 1e-9 for a, b in pairwise(rows))


def test_rows_keep_their_order_one_apart_nearest_to_what_they_want() -> None:
    assert spaced([0.0, 0.2, 5.0]) == pytest.approx([-0.4, 0.6, 5.0])
    assert spaced([3.0, 3.0, 3.0]) == pytest.approx([2.0, 3.0, 4.0])


def test_the_error_signals_are_tagged_at_their_nodes_and_given_room() -> None:
    shown = shown_at({"id": "chain"}, (0.5, 1.0))
    shown.pop("signals", None)  # the engine's own; this test gives its own
    plain = backprop_figure(shown)
    hidden = next(n["id"] for n in shown["nodes"] if n["label"] == "tanh")
    signals = [
        {"node": shown["output"], "label": "δ₂ = ∂ℓ/∂ŷ, the output's error signal"},
        {"node": hidden, "label": "δ₁ = δ₂·w₂·φ′(z₁), the error signal passed back"},
    ]
    tagged = backprop_figure({**shown, "signals": signals}, "en")
    texts = [a.text.replace("<br>", " ") for a in tagged.layout.annotations]
    assert "δ₂ = ∂ℓ/∂ŷ, the output's error signal" in texts
    assert "δ₁ = δ₂·w₂·φ′(z₁), the error signal passed back" in texts
    assert tagged.layout.meta["least_height"] > plain.layout.meta["least_height"]
    assert all(a.font.size >= 11 for a in tagged.layout.annotations)


def chain_drawing(box: float | None) -> tuple[dict, object]:
    from gradtrail.figures.backward_pass import drawn_graph
    from gradtrail.figures.graph_boxes import Texts, arranged_for
    from gradtrail.figures.graph_walks import edge_walks, every_text, node_labels
    from gradtrail.figures.style import text_width

    shown = shown_at({"id": "chain", "generate": {"n": 100}}, (1.473, 1.994))
    drawn = drawn_graph(shown["nodes"], shown["edges"])
    lay = layered(drawn.points, drawn.edges)
    labelled = [n for n in shown["nodes"] if n["adjoint"] is not None]
    labels = node_labels(shown, labelled)
    lines = {n["id"]: [] for n in shown["nodes"]}
    for texts in (labels["reverse"], *labels["forward"]):
        for node, label in zip(labelled, texts, strict=True):
            lines[node["id"]] += label.split("<br>")
    edge_width = max(text_width(p, 11) for t in every_text(edge_walks(shown))
                     for p in t.split("<br>"))  # fmt: skip
    tags = {s["node"]: s["label"] for s in shown["signals"]}
    texts = Texts({p: lines[p if isinstance(p, int) else p[1]] for p in drawn.points},
                  {p: tags[p] for p in drawn.points if p in tags}, edge_width)  # fmt: skip
    return shown, arranged_for(lay, drawn.edges, texts, box)


@pytest.mark.parametrize("box", [800, 1000, 400])
def test_the_chains_graph_is_laid_out_for_its_box_with_no_text_over_another(box: int) -> None:
    """Its four tags (δ₂, δ₁ and the two updates) once widened every column to ~1,250 px;
    now a box of 800 px holds it, and in a box too narrow for it (it scrolls) no text
    meets another or a node either."""
    shown, drawing = chain_drawing(box)
    assert drawing.fits
    boxes = drawing.boxes
    assert not any(a.meets(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    figure = backprop_figure(shown, "en", box)
    width = figure.layout.meta["least_width"]
    assert width <= box if box >= 800 else width > box
    assert all(a.font.size >= 11 for a in figure.layout.annotations)
