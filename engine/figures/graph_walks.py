"""What the graph shows while either mode is walked: under each node its value and its
adjoint (reverse mode) or its tangent in one forward pass, and on each edge the chain-rule
term that mode adds. Written here once; the page only swaps them in."""

from __future__ import annotations

import math

ADJOINT = "#b3261e"  # reverse mode: ∂f/∂node, red
TANGENT = "#1f5fbf"  # forward mode: ∂node/∂parameter, blue


def number(value: float | None) -> str:
    """A value as the graph shows it; a gap where it is not finite."""
    return f"{value:.4g}" if value is not None and math.isfinite(value) else "—"


def coloured(value: float | None, colour: str) -> str:
    return f"<span style='color:{colour}'>{number(value)}</span>"


def node_label(node: dict, tangent: int | None = None) -> str:
    """Under a node: its value, and its adjoint in red (``tangent`` None) or its tangent
    of forward pass ``tangent`` in blue."""
    if node["adjoint"] is None:
        return number(node["value"])
    below = (
        coloured(node["adjoint"], ADJOINT)
        if tangent is None
        else coloured(node["tangents"][tangent], TANGENT)
    )
    return f"{number(node['value'])}<br>{below}"


def passes(shown: dict) -> range:
    """The forward passes: one per parameter."""
    return range(len(shown["parameters"]))


def node_labels(shown: dict, labelled: list[dict]) -> dict:
    """The labels of the nodes ``labelled``, for reverse mode and for each forward pass."""
    return {
        "reverse": [node_label(n) for n in labelled],
        "forward": [[node_label(n, k) for n in labelled] for k in passes(shown)],
    }


def edge_walks(shown: dict) -> dict:
    """Each edge's text once the walk has crossed it: its local derivative times the
    adjoint of its target (reverse) or the tangent of its source (each forward pass), and
    the product, three short lines."""
    nodes = {n["id"]: n for n in shown["nodes"]}

    def term(edge: dict, factor: float | None, product: float | None, colour: str) -> str:
        return f"{number(edge['local'])}<br>× {coloured(factor, colour)}<br> = {number(product)}"

    return {
        "reverse": [
            term(e, nodes[e["target"]]["adjoint"], e["product"], ADJOINT) for e in shown["edges"]
        ],
        "forward": [
            [
                term(e, nodes[e["source"]]["tangents"][k], e["tangent_products"][k], TANGENT)
                for e in shown["edges"]
            ]
            for k in passes(shown)
        ],
    }


def every_text(walks: dict) -> list[str]:
    """Every variant of a set of texts (``node_labels`` or ``edge_walks``), flat."""
    return [*walks["reverse"], *(text for texts in walks["forward"] for text in texts)]
