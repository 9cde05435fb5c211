"""Computation graphs: a loss as elementary operations, run forward and differentiated in reverse.

A :class:`Graph` is a list of nodes in topological order, each an operation on
earlier nodes (``add``, ``mul``, ``sin``, ``pow`` …), the last one the output. A
:class:`GraphBuilder` merges identical subexpressions into one node (a DAG) and
folds constant subexpressions in floats, so building costs time linear in the
size of the formula. :meth:`Graph.forward` gives every node's value and
:meth:`Graph.backward` every node's adjoint :math:`\\bar v_i = \\partial f/\\partial v_i`
by one reverse sweep of the chain rule,
:math:`\\bar v_j \\mathrel{+}= \\bar v_i \\, \\partial v_i / \\partial v_j`; the adjoints
of the inputs are the gradient. Values are Python floats or numpy arrays alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Value = Any  # a float or a numpy array, one per node


@dataclass(frozen=True)
class Operation:
    """An elementary operation, written once as code templates over its arguments.

    ``forward`` computes the value from the arguments ``{0}``, ``{1}``; ``partials[k]``
    is :math:`\\partial\\,\\text{out}/\\partial\\,\\text{arg}_k`, which may also use the
    operation's own value ``{out}``. The names in them (``sin``, ``pow``, ``sign`` …)
    come from :data:`FLOATS` or :data:`ARRAYS`, so the same text serves both.
    """

    name: str
    forward: str
    partials: tuple[str, ...]

    @property
    def arity(self) -> int:
        return len(self.partials)


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("add", "{0} + {1}", ("1.0", "1.0")),
        Operation("sub", "{0} - {1}", ("1.0", "-1.0")),
        Operation("mul", "{0} * {1}", ("{1}", "{0}")),
        Operation("div", "{0} / {1}", ("1.0 / {1}", "-{out} / {1}")),
        # d(a^b)/da = b a^(b-1); d(a^b)/db = a^b ln a, defined where a > 0
        Operation("pow", "pow({0}, {1})", ("{1} * pow({0}, {1} - 1.0)", "times_log({out}, {0})")),
        Operation("neg", "-{0}", ("-1.0",)),
        Operation("sin", "sin({0})", ("cos({0})",)),
        Operation("cos", "cos({0})", ("-sin({0})",)),
        Operation("tan", "tan({0})", ("1.0 + {out} * {out}",)),
        Operation("exp", "exp({0})", ("{out}",)),
        Operation("log", "log({0})", ("1.0 / {0}",)),
        Operation("log10", "log10({0})", ("1.0 / ({0} * LN10)",)),
        Operation("sqrt", "sqrt({0})", ("0.5 / {out}",)),
        Operation("abs", "fabs({0})", ("sign({0})",)),
        Operation("tanh", "tanh({0})", ("1.0 - {out} * {out}",)),
        Operation("sinh", "sinh({0})", ("cosh({0})",)),
        Operation("cosh", "cosh({0})", ("sinh({0})",)),
        Operation("arctan", "atan({0})", ("1.0 / (1.0 + {0} * {0})",)),
        Operation("arcsin", "asin({0})", ("1.0 / sqrt(1.0 - {0} * {0})",)),
        Operation("arccos", "acos({0})", ("-1.0 / sqrt(1.0 - {0} * {0})",)),
        Operation("sigmoid", "sigmoid({0})", ("{out} * (1.0 - {out})",)),
        Operation("square", "{0} * {0}", ("2.0 * {0}",)),
    )
}


def _float_sigmoid(a: float) -> float:
    """σ(a) = 1 / (1 + e^(−a)), written so that neither branch overflows."""
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    exp_a = math.exp(a)
    return exp_a / (1.0 + exp_a)


def _array_times_log(out: np.ndarray, base: np.ndarray) -> np.ndarray:
    positive = np.greater(base, 0)
    return np.where(positive, out * np.log(np.where(positive, base, 1.0)), np.nan)


# What the templates' names mean on Python floats (a domain error raises: log(-1),
# a negative base to a fractional power) and on numpy arrays (NaN there instead).
MATH_NAMES = (
    "sin", "cos", "tan", "exp", "log", "log10", "sqrt", "tanh", "sinh", "cosh",
    "atan", "asin", "acos", "pow", "fabs",
)  # fmt: skip
FLOATS: dict[str, Any] = {
    **{name: getattr(math, name) for name in MATH_NAMES},
    "sign": lambda a: math.copysign(float(a != 0), a),
    "times_log": lambda out, a: out * math.log(a) if a > 0 else math.nan,
    "sigmoid": _float_sigmoid,
    "LN10": math.log(10),
}
ARRAYS: dict[str, Any] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "log10": np.log10, "sqrt": np.sqrt, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh,
    "atan": np.arctan, "asin": np.arcsin, "acos": np.arccos, "pow": np.power, "fabs": np.abs,
    "sign": np.sign, "times_log": _array_times_log,
    "sigmoid": lambda a: 0.5 * (1.0 + np.tanh(0.5 * a)),
    "LN10": math.log(10),
}  # fmt: skip


def generate(name: str, parameters: Sequence[str], lines: Sequence[str], namespace: dict) -> Any:
    """A function made from code this module writes out of its own templates.

    The text holds only template code, names ``v<number>``/``a<number>`` and
    :func:`repr` of floats: never a character a user typed.
    """
    if not all(part.isidentifier() for part in (name, *parameters)):
        raise ValueError(f"not names: {name}, {parameters}")
    source = f"def {name}({', '.join(parameters)}):\n" + "".join(f"    {line}\n" for line in lines)
    scope: dict[str, Any] = {}
    exec(compile(source, f"<gradtrail.graph {name}>", "exec"), dict(namespace), scope)
    return scope[name]


def _operation_functions(namespace: dict) -> dict[str, tuple[Any, Any]]:
    """Per operation, (value from arguments, partials from arguments and value)."""
    functions = {}
    for op in OPERATIONS.values():
        args = [f"v{k}" for k in range(op.arity)]
        forward = op.forward.format(*args)
        partials = ", ".join(p.format(*args, out="out") for p in op.partials)
        functions[op.name] = (
            generate(op.name, args, [f"return {forward}"], namespace),
            generate(f"{op.name}_partials", [*args, "out"], [f"return ({partials},)"], namespace),
        )
    return functions


FLOAT_FUNCTIONS = _operation_functions(FLOATS)
ARRAY_FUNCTIONS = _operation_functions(ARRAYS)


# Leaves: the constant's value, or an input's name.
LEAVES = ("const", "input")


@dataclass(frozen=True)
class Node:
    """One node: an operation on earlier nodes, a constant, or an input."""

    op: str
    args: tuple[int, ...] = ()
    value: float = 0.0  # a constant's value
    name: str = ""  # an input's name


class GraphError(ValueError):
    """A graph that cannot be built: a constant that overflows or is undefined."""


class GraphBuilder:
    """Builds a graph node by node, merging equal subexpressions and folding constants."""

    def __init__(
        self,
        inputs: Sequence[str] = ("x", "y"),
        max_nodes: int = 10_000,
        simplify: bool = False,
        share: bool = True,
    ) -> None:
        self.nodes: list[Node] = []
        self.index: dict[Node, int] = {}
        self.max_nodes = max_nodes
        self.share = share  # False: the same formula as a tree, every repeat a node of its own
        self.simplify = simplify  # x*1 -> x, x+0 -> x …: for derivatives people read
        self.inputs = {name: self.add(Node("input", name=name)) for name in inputs}

    def add(self, node: Node) -> int:
        """The index of ``node``, added unless an equal node exists."""
        found = self.index.get(node)
        if found is not None and (self.share or node.op == "input"):
            return found
        if len(self.nodes) >= self.max_nodes:
            raise GraphError(f"the formula needs more than {self.max_nodes} operations")
        self.nodes.append(node)
        self.index[node] = len(self.nodes) - 1
        return len(self.nodes) - 1

    def const(self, value: float) -> int:
        if not math.isfinite(value):
            raise GraphError("a constant in the formula is too large")
        return self.add(Node("const", value=float(value) + 0.0))  # -0.0 and 0.0 are one node

    def apply(self, op: str, *args: int) -> int:
        """``op`` applied to nodes ``args``; all-constant arguments fold into a constant."""
        if op == "div" and self.constant_of(args[1]) == 0:
            raise GraphError("division by zero")
        if op == "sub" and args[0] == args[1]:
            return self.const(0.0)  # exact for every finite value
        if all(self.nodes[a].op == "const" for a in args):
            try:
                folded = FLOAT_FUNCTIONS[op][0](*(self.nodes[a].value for a in args))
            except ZeroDivisionError:
                raise GraphError("division by zero") from None
            except OverflowError:
                raise GraphError("a constant in the formula is too large") from None
            except ValueError:
                raise GraphError(
                    "a constant in the formula is undefined or complex"
                    " (a root or log of a negative number?)"
                ) from None
            return self.const(folded)
        if self.simplify:
            simpler = self._identity(op, args)
            if simpler is not None:
                return simpler
        return self.add(Node(op, tuple(args)))

    def constant_of(self, index: int) -> float | None:
        node = self.nodes[index]
        return node.value if node.op == "const" else None

    def _identity(self, op: str, args: tuple[int, ...]) -> int | None:
        """``a+0``, ``a*1``, ``a*0``, ``a^1``, ``--a``, ``c1*(c2*a)``: the simpler node, if any."""
        constants = [self.constant_of(a) for a in args]
        first = constants[0]
        second = constants[1] if len(args) > 1 else None
        if op == "add":
            if first == 0:
                return args[1]
            if second == 0:
                return args[0]
        elif op == "sub":
            if second == 0:
                return args[0]
            if first == 0:
                return self.apply("neg", args[1])
        elif op == "mul":
            if first == 0 or second == 0:
                return self.const(0.0)
            if first == 1:
                return args[1]
            if second == 1:
                return args[0]
            if second is not None:  # constants first: 2 x, not x 2
                return self.apply("mul", args[1], args[0])
            if first == -1:
                return self.apply("neg", args[1])
            inner = self.nodes[args[1]]
            if first is not None and inner.op == "mul" and self.constant_of(inner.args[0]):
                product = self.const(first * self.nodes[inner.args[0]].value)
                return self.apply("mul", product, inner.args[1])
        elif op == "div":
            if first == 0:
                return self.const(0.0)
            if second == 1:
                return args[0]
        elif op == "pow":
            if second == 1:
                return args[0]
            if second == 0:
                return self.const(1.0)
        elif op == "neg" and self.nodes[args[0]].op == "neg":
            return self.nodes[args[0]].args[0]
        return None

    def build(self, output: int) -> Graph:
        """The graph of the nodes ``output`` depends on, in topological order."""
        needed = self._ancestors(output) | set(self.inputs.values())
        order = sorted(needed)  # nodes only refer to earlier ones
        renumber = {old: new for new, old in enumerate(order)}
        nodes = tuple(
            Node(n.op, tuple(renumber[a] for a in n.args), n.value, n.name)
            for n in (self.nodes[i] for i in order)
        )
        return Graph(nodes, renumber[output])

    def _ancestors(self, output: int) -> set[int]:
        seen, stack = {output}, [output]
        while stack:
            for arg in self.nodes[stack.pop()].args:
                if arg not in seen:
                    seen.add(arg)
                    stack.append(arg)
        return seen


@dataclass(frozen=True)
class Graph:
    """Nodes in topological order; ``output`` is the loss. Inputs are named nodes."""

    nodes: tuple[Node, ...]
    output: int

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(node.name for node in self.nodes if node.op == "input")

    def gradient(self, **inputs: Value) -> tuple[Value, list[Value]]:
        """The output's value and its gradient (one entry per input, ``input_names`` order).

        One forward and one reverse pass, as straight-line code made once per graph.
        Floats raise on a domain error (``log(-1)``); arrays hold NaN there.
        """
        arrays = any(isinstance(value, np.ndarray) for value in inputs.values())
        if arrays:
            with np.errstate(all="ignore"):
                return self._compiled(arrays=True)(**inputs)
        return self._compiled(arrays=False)(**inputs)

    def _compiled(self, arrays: bool) -> Any:
        cache = self.__dict__.setdefault("_functions", {})
        if arrays not in cache:
            cache[arrays] = generate(
                "value_and_gradient",
                self.input_names,
                self._gradient_code(),
                ARRAYS if arrays else FLOATS,
            )
        return cache[arrays]

    def _name(self, index: int) -> str:
        node = self.nodes[index]
        if node.op == "const":
            return f"({node.value!r})"
        return node.name if node.op == "input" else f"v{index}"

    def _gradient_code(self) -> list[str]:
        lines = []
        for i, node in enumerate(self.nodes):
            if node.op not in LEAVES:
                args = [self._name(a) for a in node.args]
                lines.append(f"v{i} = {OPERATIONS[node.op].forward.format(*args)}")
        adjoint = {i: f"a{i}" for i, node in enumerate(self.nodes) if node.op != "const"}
        lines += [f"{name} = 0.0" for name in adjoint.values()]
        lines.append(f"a{self.output} = 1.0")
        for i in range(self.output, -1, -1):
            node = self.nodes[i]
            if node.op in LEAVES:
                continue
            args = [self._name(a) for a in node.args]
            for arg, partial in zip(node.args, OPERATIONS[node.op].partials, strict=True):
                if arg in adjoint:
                    local = partial.format(*args, out=f"v{i}")
                    lines.append(f"a{arg} = a{arg} + a{i} * ({local})")
        inputs = [i for i, node in enumerate(self.nodes) if node.op == "input"]
        lines.append(f"return {self._name(self.output)}, [{', '.join(adjoint[i] for i in inputs)}]")
        return lines

    def forward(self, **inputs: Value) -> list[Value]:
        """Every node's value at ``inputs`` (floats raise on a domain error; arrays give NaN)."""
        arrays = any(isinstance(v, np.ndarray) for v in inputs.values())
        functions = ARRAY_FUNCTIONS if arrays else FLOAT_FUNCTIONS
        values: list[Value] = []
        with np.errstate(all="ignore"):
            for node in self.nodes:
                if node.op == "const":
                    values.append(node.value)
                elif node.op == "input":
                    values.append(inputs[node.name])
                else:
                    values.append(functions[node.op][0](*(values[a] for a in node.args)))
        return values

    def local_derivatives(self, values: Sequence[Value]) -> list[tuple[Value, ...]]:
        """Per node, the derivative of its value with respect to each of its arguments."""
        arrays = any(isinstance(v, np.ndarray) for v in values)
        functions = ARRAY_FUNCTIONS if arrays else FLOAT_FUNCTIONS
        with np.errstate(all="ignore"):
            return [
                functions[node.op][1](*(values[a] for a in node.args), values[i])
                if node.op not in LEAVES
                else ()
                for i, node in enumerate(self.nodes)
            ]

    def backward(
        self, values: Sequence[Value], local: Sequence[tuple[Value, ...]] | None = None
    ) -> list[Value]:
        """Every node's adjoint, ∂output/∂node, by one reverse sweep over the graph."""
        local = self.local_derivatives(values) if local is None else local
        adjoints: list[Value] = [0.0] * len(self.nodes)
        adjoints[self.output] = 1.0
        with np.errstate(all="ignore"):
            for i in range(self.output, -1, -1):
                node = self.nodes[i]
                if node.op in LEAVES:
                    continue
                for arg, partial in zip(node.args, local[i], strict=True):
                    if self.nodes[arg].op != "const":  # a constant's adjoint is never asked
                        adjoints[arg] = adjoints[arg] + adjoints[i] * partial
        return adjoints

    def as_tree(self, max_nodes: int) -> Graph:
        """The same function as a tree: every use of a node is a copy of its own, inputs
        and constants too (an input's adjoints over its copies add up to its derivative).
        A :class:`GraphError` when the tree would pass ``max_nodes``."""
        size = self.expanded_size()
        if size > max_nodes:
            raise GraphError(f"the tree has {size} nodes (more than {max_nodes})")
        nodes: list[Node] = []

        def copy(index: int) -> int:
            node = self.nodes[index]
            args = tuple(copy(a) for a in node.args)
            nodes.append(Node(node.op, args, node.value, node.name))
            return len(nodes) - 1

        output = copy(self.output)
        return Graph(tuple(nodes), output)

    def expanded_size(self) -> int:
        """How many nodes :meth:`as_tree` makes: every use of a node counted, leaves too."""
        sizes: list[int] = []
        for node in self.nodes:
            sizes.append(1 + sum(sizes[a] for a in node.args))
        return sizes[self.output]

    def tree_size(self) -> int:
        """How many nodes the same formula has as a tree: every shared operation repeated,
        the inputs (the variables) still one node each."""
        sizes: list[int] = []
        for node in self.nodes:
            sizes.append(0 if node.op == "input" else 1 + sum(sizes[a] for a in node.args))
        return sizes[self.output] + len(self.input_names)
