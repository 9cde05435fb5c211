"""Forward mode beside reverse mode: every node's tangent ∂node/∂input, carried from one
input to the output per pass (k passes for k inputs), where the backward pass carries
every adjoint ∂f/∂node from the output in one pass."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gradtrail.graph import Graph, Value


def tangents(graph: Graph, local: Sequence[tuple[Value, ...]], wrt: str) -> list[Value]:
    """One forward-mode pass (floats): each node's derivative with respect to the input
    ``wrt``, seeded 1 there (at every copy of it, in a tree) and 0 at every other leaf, then
    :math:`\\dot v_i = \\sum_j \\partial v_i/\\partial v_j\\, \\dot v_j` in graph order."""
    carried: list[Value] = []
    for i, node in enumerate(graph.nodes):
        if node.op == "input":
            carried.append(1.0 if node.name == wrt else 0.0)
        elif node.op == "const":
            carried.append(0.0)
        else:
            # A zero tangent adds nothing, whatever its partial: the exponent of x², a
            # constant, has the partial x² ln x, undefined for x < 0 (reverse mode, too,
            # never asks a constant's partial).
            terms = zip(node.args, local[i], strict=True)
            carried.append(sum(partial * carried[arg] for arg, partial in terms if carried[arg]))
    return carried


def forward_passes(
    graph: Graph, local: Sequence[tuple[Value, ...]], parameters: Sequence[str]
) -> tuple[list[list[Value]], dict[str, Any]]:
    """One pass per parameter: each pass's tangents (``[pass][node]``), and what the answer
    says of them: the nodes in the order a pass visits them (inputs first) and each pass's
    parameter and derivative of the output (together, the gradient)."""
    per_pass = [tangents(graph, local, name) for name in parameters]
    summary = {
        "order": [i for i, node in enumerate(graph.nodes) if node.op != "const"],
        "passes": [
            {"parameter": name, "derivative": float(carried[graph.output])}
            for name, carried in zip(parameters, per_pass, strict=True)
        ],
        "gradient": [float(carried[graph.output]) for carried in per_pass],
    }
    return per_pass, summary
