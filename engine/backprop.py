"""The backward pass, shown: a loss's computation graph at a point, every node's forward
value and adjoint, and the chain-rule product on every edge.

Every surface with a formula has a graph: a built-in's or a typed formula's expression
(parsed by the whitelist parser into a DAG with shared subexpressions merged, or as
the tree without sharing), and the line-fit bowl's one sample
:math:`\\ell_i = (t_i - (w x_i + b))^2`, whose mean over the samples is the loss. The
adjoints come from the engine's own reverse sweep (:meth:`Graph.backward`): those of
the parameters are the gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from gradtrail.catalog import SpecError
from gradtrail.finite_differences import DEFAULT_STEP, finite_differences
from gradtrail.forward_mode import forward_passes
from gradtrail.graph import LEAVES, Graph, GraphBuilder, GraphError
from gradtrail.regression import minibatch_indices
from gradtrail.spec import MinibatchStep
from gradtrail.surfaces import Surface
from gradtrail.texts import DEFAULT_LANGUAGE, text

MAX_SHOWN_NODES = 400  # a graph people can read; a bigger one is refused, not drawn
MAX_SHOWN_SAMPLES = 200  # per-sample gradients listed (all of them are summed)
SYMBOLS = {
    "add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^", "neg": "−", "square": "²",
    "sigmoid": "σ", "arctan": "arctan", "arcsin": "arcsin", "arccos": "arccos", "abs": "|·|",
}  # fmt: skip


class BackpropError(SpecError):
    """A graph that cannot be shown: ``field`` names the spec field that is the cause (a
    :class:`SpecError`, so the API answers it as every other: a 422 naming the field)."""


class Signal(NamedTuple):
    """A node the backward pass labels, and the catalogue key of what it calls it (its
    ``{value}`` filled in): an error signal (δ at a sum or at the output), whose value is
    its adjoint, or with ``parameter`` set, the update of that parameter (its index), whose
    value is the mean over the samples of the adjoints there: the loss's gradient."""

    node: int
    text: str
    parameter: int | None = None


DELTA = "backprop.delta"  # δ = ∂ℓ/∂z at the weighted sum z = w x + b


@dataclass(frozen=True)
class LossGraph:
    """A surface's loss as a graph: which inputs are the parameters, the data's values,
    and the nodes whose adjoints are the error signals (a kind says which: a network's
    one per layer, from the output back)."""

    graph: Graph
    parameters: tuple[str, str]  # the inputs the optimizer moves: ("x", "y") or ("w", "b")
    data: Any = None  # a data surface's samples (x, t); the graph is then one sample's loss
    signal: int = -1  # the weighted sum z = w x + b: its adjoint is the error signal δ
    prediction: int = -1  # the model's output y (z itself, or σ(z))
    signals: tuple[Signal, ...] = ()  # labelled in the backward pass, in its order


def sample_graph(neuron_loss: str | None = None) -> LossGraph:
    r"""One sample's loss with ``x`` and ``t`` as inputs: the line's squared error
    :math:`(t - (w x + b))^2`, or the neuron's :math:`σ(w x + b)` under cross-entropy
    :math:`-t \log p - (1 - t) \log(1 - p)` or the squared error :math:`(t - p)^2`."""
    builder = GraphBuilder(("w", "b", "x", "t"))
    w, b, x, t = (builder.inputs[name] for name in ("w", "b", "x", "t"))
    z = builder.apply("add", builder.apply("mul", w, x), b)
    y = z if neuron_loss is None else builder.apply("sigmoid", z)
    if neuron_loss == "cross_entropy":
        one = builder.const(1.0)
        hit = builder.apply("mul", t, builder.apply("log", y))
        miss = builder.apply(
            "mul", builder.apply("sub", one, t), builder.apply("log", builder.apply("sub", one, y))
        )
        output = builder.apply("neg", builder.apply("add", hit, miss))
    else:
        output = builder.apply("square", builder.apply("sub", t, y))
    graph = builder.build(output)
    # Every node built is needed, so the graph keeps the builder's numbering.
    assert graph.nodes[z].op == "add" and len(graph.nodes) == len(builder.nodes)
    return LossGraph(graph, ("w", "b"), None, z, y, (Signal(z, DELTA),))


def loss_graph(surface: Surface) -> LossGraph:
    """The graph of ``surface``: a DAG, each subexpression one node; its kind's (one
    sample's loss, on a surface fitted to samples), else parsed from its expression."""
    from gradtrail.kinds import SURFACE_KINDS

    kind = SURFACE_KINDS[surface.id]
    if kind.graph is not None:
        return kind.graph(surface)
    if surface.expression is None:
        raise BackpropError("surface", f"the surface {surface.id} has no formula")
    from gradtrail.formula import FormulaError, parse

    try:
        graph = parse(surface.expression)
    except FormulaError as error:
        raise BackpropError("surface.expression", str(error)) from None
    return LossGraph(graph, ("x", "y"))


def label(graph: Graph, index: int) -> str:
    """What a node shows: its operation's symbol, its input's name, or its constant."""
    node = graph.nodes[index]
    if node.op == "const":
        return f"{node.value:.6g}"
    if node.op == "input":
        return node.name
    return SYMBOLS.get(node.op, node.op)


def layers(graph: Graph) -> list[int]:
    """Each node's layer: the longest path to it from a leaf (leaves are layer 0)."""
    depth: list[int] = []
    for node in graph.nodes:
        depth.append(0 if node.op in LEAVES else 1 + max(depth[a] for a in node.args))
    return depth


def backprop(
    surface: Surface,
    point: tuple[float, float],
    sample: int | None = None,
    shared: bool = True,
    minibatch: MinibatchStep | None = None,
    lang: str = DEFAULT_LANGUAGE,
    step: float = DEFAULT_STEP,
) -> dict[str, Any]:
    """The graph of ``surface`` at ``point`` with every node's value and adjoint and every
    edge's local derivative and chain-rule product: numbers and numpy arrays, which the JSON
    layer writes with null where a value is not finite.

    On the line-fit bowl the graph is sample ``sample``'s loss (the first when None), and
    ``samples`` says how the per-sample gradients average to the gradient of the loss
    and, for a ``minibatch`` step, to the gradient that step used. ``signals`` names, in
    ``lang``, the nodes whose adjoints are the error signals (in a tree, every copy).
    ``forward`` gives the same derivatives by forward mode (each node's ``tangents``, one
    pass per parameter) and ``finite_differences`` checks the loss's gradient with
    central differences of step ``step``.
    """
    loss = loss_graph(surface)
    graph = loss.graph
    if len(graph.nodes) > MAX_SHOWN_NODES:
        raise BackpropError(
            "surface.expression",
            f"the graph has {len(graph.nodes)} nodes; at most {MAX_SHOWN_NODES} are shown",
        )
    copies = {signal.node: [signal.node] for signal in loss.signals}
    if not shared:
        try:
            graph = graph.as_tree(MAX_SHOWN_NODES)
        except GraphError as error:
            raise BackpropError("shared", f"{error}: ask for the shared graph") from None
        copies = tree_copies(loss.graph)
    inputs = dict(zip(loss.parameters, (float(point[0]), float(point[1])), strict=True))
    if loss.data is not None:
        count = int(loss.data.x.size)
        index = 0 if sample is None else sample
        if not 0 <= index < count:
            raise BackpropError("sample", f"sample {index} does not exist: there are {count}")
        inputs |= {"x": float(loss.data.x[index]), "t": float(loss.data.t[index])}
    elif sample is not None or minibatch is not None:
        field = "sample" if sample is not None else "minibatch"
        raise BackpropError(field, "only a surface built from data has samples")
    try:  # floats raise where a node is undefined: log(0) of a saturated neuron, 1/0, …
        values = graph.forward(**inputs)
        local = graph.local_derivatives(values)
        adjoints = graph.backward(values, local)
        carried, forward = forward_passes(graph, local, loss.parameters)
        samples = per_sample(loss, inputs, index, minibatch) if loss.data is not None else None
    except (ArithmeticError, ValueError):
        message = "the loss's graph is not defined at this point (in floating point)"
        raise BackpropError("point", message) from None
    depth = layers(graph)
    nodes = [
        {
            "id": i,
            "op": node.op,
            "label": label(graph, i),
            "kind": kind(node.op, node.name, loss.parameters),
            "layer": depth[i],
            "value": float(values[i]),
            "adjoint": None if node.op == "const" else float(adjoints[i]),
            "tangents": [float(pass_[i]) for pass_ in carried],
        }
        for i, node in enumerate(graph.nodes)
    ]
    edges = [
        {
            "source": arg,
            "target": i,
            "local": float(partial),
            "product": float(adjoints[i] * partial),
            # what this edge adds to the target's tangent in each forward pass
            "tangent_products": [float(partial * pass_[arg]) for pass_ in carried],
        }
        for i, node in enumerate(graph.nodes)
        if node.op not in LEAVES
        for arg, partial in zip(node.args, local[i], strict=True)
    ]
    # In a tree an input has a copy per use: its derivative is the sum of their adjoints.
    gradient = [
        float(
            sum(adjoints[i] for i, n in enumerate(graph.nodes) if n.op == "input" and n.name == p)
        )
        for p in loss.parameters
    ]
    backward_order = [i for i in range(graph.output, -1, -1) if graph.nodes[i].op != "const"]
    return {
        "parameters": list(loss.parameters),
        "point": [float(point[0]), float(point[1])],
        "value": float(values[graph.output]),
        "output": graph.output,
        "nodes": nodes,
        "edges": edges,
        "gradient": gradient,
        "backward_order": backward_order,
        "signals": [
            # in a tree, each copy's adjoint is a share: the label gives their sum, δ itself
            signal_entry(signal, node, sum(adjoints[c] for c in copies[signal.node]), samples, lang)
            for signal in loss.signals
            for node in copies[signal.node]
        ],
        "forward": forward,
        "finite_differences": finite_differences(surface, (float(point[0]), float(point[1])), step),
        "shared": shared,
        "size": {"graph": len(loss.graph.nodes), "tree": loss.graph.expanded_size()},
        "cost": {
            # one forward and one backward pass against 1 + k forward passes of finite
            # differences for k parameters, here and for a network of a million weights
            "backprop_passes": 2,
            "finite_difference_passes": 1 + len(loss.parameters),
            "million_weights": {"backprop_passes": 2, "finite_difference_passes": 1_000_001},
            # passes over the graph for the whole gradient: one per parameter, or one
            "forward_mode_passes": len(loss.parameters),
            "reverse_mode_passes": 1,
        },
        **({"samples": samples} if samples is not None else {}),
    }


def signal_entry(
    signal: Signal, node: int, adjoint: float, samples: dict[str, Any] | None, lang: str
) -> dict[str, Any]:
    """A labelled node with its number: an error signal's adjoint at this sample, or a
    parameter's update, the mean of the samples' adjoints there (the loss's gradient)."""
    if signal.parameter is not None and samples is not None:
        value = float(samples["mean_gradient"][signal.parameter])
        count = samples["count"]
    else:
        value, count = float(adjoint), None
    shown = f"{value:.4g}" if np.isfinite(value) else "—"
    return {
        "node": node,
        "key": signal.text,
        "label": text(signal.text, lang, value=shown, count=count),
        "value": value,
        "update": signal.parameter is not None,
    }


def tree_copies(graph: Graph) -> dict[int, list[int]]:
    """Where each node of ``graph`` lands in :meth:`Graph.as_tree`: one copy per use, in
    the order that method numbers them (arguments first, depth first, left to right)."""
    copies: dict[int, list[int]] = {}
    count = 0

    def copy(index: int) -> None:
        nonlocal count
        for arg in graph.nodes[index].args:
            copy(arg)
        copies.setdefault(index, []).append(count)
        count += 1

    copy(graph.output)
    return copies


def kind(op: str, name: str, parameters: tuple[str, ...]) -> str:
    """A node's role: a parameter (what the optimizer moves), data, a constant, an operation."""
    if op == "input":
        return "parameter" if name in parameters else "data"
    return "constant" if op == "const" else "operation"


class SampleTerms(NamedTuple):
    """Per sample: the prediction ``y_i``, the loss ``ℓ_i``, the gradient
    ``(∂ℓ_i/∂w, ∂ℓ_i/∂b)`` and the error signal ``δ_i = ∂ℓ_i/∂z`` at the weighted sum."""

    prediction: np.ndarray
    loss: np.ndarray
    grad_w: np.ndarray
    grad_b: np.ndarray
    signal: np.ndarray


def sample_terms(loss: LossGraph, w: float, b: float, x: np.ndarray, t: np.ndarray) -> SampleTerms:
    """Every sample's terms in one vectorized forward and reverse sweep of its graph, at
    ``(w, b)``: the values of its two parameters (a chain's are w₁ and w₂)."""
    first, second = loss.parameters
    inputs = {first: np.full_like(x, w), second: np.full_like(x, b), "x": x, "t": t}
    with np.errstate(all="ignore"):
        values = loss.graph.forward(**inputs)
        adjoints = loss.graph.backward(values)
    leaf = {n.name: i for i, n in enumerate(loss.graph.nodes) if n.op == "input"}
    return SampleTerms(
        *(
            np.asarray(v, dtype=np.float64) * np.ones_like(x)  # a constant node is a float
            for v in (
                values[loss.prediction],
                values[loss.graph.output],
                adjoints[leaf[first]],
                adjoints[leaf[second]],
                adjoints[loss.signal],
            )
        )
    )


def per_sample(
    loss: LossGraph, inputs: dict[str, float], index: int, minibatch: MinibatchStep | None = None
) -> dict[str, Any]:
    """Every sample's gradient at the point, in one vectorized pass of the same graph, and
    their mean: the gradient of the loss (the full batch's); with ``minibatch``, also the
    mean over the samples that step drew (the gradient it used)."""
    assert loss.data is not None
    x, t = loss.data.x, loss.data.t
    first, second = (inputs[name] for name in loss.parameters)
    prediction, values, grad_w, grad_b, signal = sample_terms(loss, first, second, x, t)
    shown = min(x.size, MAX_SHOWN_SAMPLES)
    batch = None
    if minibatch is not None:
        drawn = minibatch_indices(x.size, minibatch)
        batch = {
            "step": minibatch.step,
            "size": int(drawn.size),
            "mean_gradient": [float(np.mean(grad_w[drawn])), float(np.mean(grad_b[drawn]))],
        }
    return {
        "count": int(x.size),
        "minibatch": batch,
        "index": index,
        "mean_loss": float(np.mean(values)),
        "mean_gradient": [float(np.mean(grad_w)), float(np.mean(grad_b))],
        "error_signal": float(signal[index]),  # δ = ∂ℓ/∂z of the sample drawn
        "listed": {
            "x": x[:shown],
            "t": t[:shown],
            "residual": (t - prediction)[:shown],
            "gradient_w": grad_w[:shown],
            "gradient_b": grad_b[:shown],
        },
    }
