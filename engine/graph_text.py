"""A graph read as a formula: exact derivatives as formulas, printed as text or LaTeX.

:func:`derivative` differentiates a graph symbolically, node by node in forward
mode over the DAG (each node's derivative is built once, from its arguments'),
so it costs time linear in the graph's size. Printing unfolds shared nodes,
which can make the text exponentially long: every printer takes a budget of
characters and raises :class:`TooLong` as soon as it is spent.
"""

from __future__ import annotations

from collections.abc import Callable

from gradtrail.graph import Graph, GraphBuilder
from gradtrail.texts import written_number

PRINT_BUDGET = 2_000  # characters


class TooLong(ValueError):
    """The text would be longer than its budget."""


def copy_into(builder: GraphBuilder, graph: Graph) -> list[int]:
    """``graph``'s nodes re-added to ``builder`` (which may simplify); their new indices."""
    new: list[int] = []
    for node in graph.nodes:
        if node.op == "const":
            new.append(builder.const(node.value))
        elif node.op == "input":
            new.append(builder.inputs[node.name])
        else:
            new.append(builder.apply(node.op, *(new[a] for a in node.args)))
    return new


def derivative(graph: Graph, wrt: str) -> Graph:
    """∂output/∂``wrt`` of ``graph`` as a graph of its own, simplified for reading."""
    builder = GraphBuilder(graph.input_names, simplify=True)
    nodes = copy_into(builder, graph)
    zero, one = builder.const(0.0), builder.const(1.0)
    d: list[int] = []
    for i, node in enumerate(graph.nodes):
        if node.op in ("const", "input"):
            d.append(one if node.op == "input" and node.name == wrt else zero)
            continue
        args = [nodes[a] for a in node.args]
        dargs = [d[a] for a in node.args]
        d.append(RULES[node.op](builder, nodes[i], args, dargs))
    return builder.build(d[graph.output])


Rule = Callable[[GraphBuilder, int, list[int], list[int]], int]


def _chain(factor: Callable[[GraphBuilder, int, list[int]], int]) -> Rule:
    """The rule of a function of one argument: f'(a) · da."""
    return lambda b, out, a, da: b.apply("mul", factor(b, out, a), da[0])


def _div(b: GraphBuilder, out: int, a: list[int], da: list[int]) -> int:
    # d(u/v) = du/v - u dv / v^2
    first = b.apply("div", da[0], a[1])
    second = b.apply("div", b.apply("mul", a[0], da[1]), b.apply("pow", a[1], b.const(2.0)))
    return b.apply("sub", first, second)


def _pow(b: GraphBuilder, out: int, a: list[int], da: list[int]) -> int:
    exponent = b.constant_of(a[1])
    if exponent is not None:  # d(u^c) = c u^(c-1) du
        power = b.apply("pow", a[0], b.const(exponent - 1))
        return b.apply("mul", b.apply("mul", a[1], power), da[0])
    # d(u^v) = u^v (dv ln u + v du / u)
    by_exponent = b.apply("mul", da[1], b.apply("log", a[0]))
    by_base = b.apply("div", b.apply("mul", a[1], da[0]), a[0])
    return b.apply("mul", out, b.apply("add", by_exponent, by_base))


def _square_of(b: GraphBuilder, node: int) -> int:
    return b.apply("pow", node, b.const(2.0))


RULES: dict[str, Rule] = {
    "add": lambda b, out, a, da: b.apply("add", da[0], da[1]),
    "sub": lambda b, out, a, da: b.apply("sub", da[0], da[1]),
    "mul": lambda b, out, a, da: b.apply(
        "add", b.apply("mul", da[0], a[1]), b.apply("mul", a[0], da[1])
    ),
    "div": _div,
    "pow": _pow,
    "neg": lambda b, out, a, da: b.apply("neg", da[0]),
    "sin": _chain(lambda b, out, a: b.apply("cos", a[0])),
    "cos": _chain(lambda b, out, a: b.apply("neg", b.apply("sin", a[0]))),
    "tan": _chain(lambda b, out, a: b.apply("add", b.const(1.0), _square_of(b, out))),
    "exp": _chain(lambda b, out, a: out),
    "log": lambda b, out, a, da: b.apply("div", da[0], a[0]),
    "log10": lambda b, out, a, da: b.apply(
        "div", da[0], b.apply("mul", a[0], b.apply("log", b.const(10.0)))
    ),
    "sqrt": lambda b, out, a, da: b.apply("div", da[0], b.apply("mul", b.const(2.0), out)),
    "abs": _chain(lambda b, out, a: b.apply("div", a[0], out)),
    "tanh": _chain(lambda b, out, a: b.apply("sub", b.const(1.0), _square_of(b, out))),
    "sinh": _chain(lambda b, out, a: b.apply("cosh", a[0])),
    "cosh": _chain(lambda b, out, a: b.apply("sinh", a[0])),
    "arctan": lambda b, out, a, da: b.apply(
        "div", da[0], b.apply("add", b.const(1.0), _square_of(b, a[0]))
    ),
    "arcsin": lambda b, out, a, da: b.apply(
        "div", da[0], b.apply("sqrt", b.apply("sub", b.const(1.0), _square_of(b, a[0])))
    ),
    "arccos": lambda b, out, a, da: b.apply(
        "neg",
        b.apply("div", da[0], b.apply("sqrt", b.apply("sub", b.const(1.0), _square_of(b, a[0])))),
    ),
    "sigmoid": _chain(lambda b, out, a: b.apply("mul", out, b.apply("sub", b.const(1.0), out))),
    "square": _chain(lambda b, out, a: b.apply("mul", b.const(2.0), a[0])),
}

# Binding strength: a sum inside a product needs parentheses, a power inside a sum does not.
PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4, "square": 4}
ATOM = 5
LATEX_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "log": r"\log",
    "log10": r"\log_{10}",
    "tanh": r"\tanh",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "arctan": r"\arctan",
    "arcsin": r"\arcsin",
    "arccos": r"\arccos",
    "sigmoid": r"\sigma",
}


class Printer:
    """Writes a graph's output as a formula, within a budget of characters."""

    def __init__(self, graph: Graph, latex: bool, budget: int = PRINT_BUDGET) -> None:
        self.graph, self.latex, self.left = graph, latex, budget

    def text(self) -> str:
        return self.write(self.graph.output)[0]

    def spend(self, text: str) -> str:
        self.left -= len(text)
        if self.left < 0:
            raise TooLong(f"longer than {PRINT_BUDGET} characters")
        return text

    def wrap(self, index: int, below: int) -> str:
        """Node ``index``'s text, parenthesized when it binds less tightly than ``below``."""
        text, precedence = self.write(index)
        if precedence >= below:
            return text
        opening, closing = (r"\left(", r"\right)") if self.latex else ("(", ")")
        return self.spend(opening) + text + self.spend(closing)

    def write(self, index: int) -> tuple[str, int]:
        node = self.graph.nodes[index]
        if node.op == "const":
            text = written_number(node.value)
            return self.spend(text), 3 if node.value < 0 else ATOM
        if node.op == "input":
            return self.spend(node.name), ATOM
        if node.op in ("add", "sub", "mul", "div", "pow", "square"):
            return self.binary(node.op, node.args)
        if node.op == "neg":
            return self.spend("-") + self.wrap(node.args[0], 3), 3
        return self.function(node.op, node.args[0]), ATOM

    def binary(self, op: str, args: tuple[int, ...]) -> tuple[str, int]:
        precedence = PRECEDENCE[op]
        if op == "square":
            return self.power(args[0], None), precedence
        if op == "pow":
            return self.power(args[0], args[1]), precedence
        if op == "div" and self.latex:
            numerator = self.spend(r"\frac{") + self.write(args[0])[0]
            return numerator + self.spend("}{") + self.write(args[1])[0] + self.spend("}"), ATOM
        left = self.wrap(args[0], precedence)
        # a - (b + c), a / (b * c): the right side binds one step tighter
        right = self.wrap(args[1], precedence + (op in ("sub", "div")))
        if op == "mul":
            between = (r" \cdot " if right[:1].isdigit() or right[:1] == "-" else " ") if (
                self.latex) else "*"  # fmt: skip
        else:
            between = {"add": " + ", "sub": " - ", "div": "/"}[op]
        return left + self.spend(between) + right, precedence

    def power(self, base: int, exponent: int | None) -> str:
        base_text = self.wrap(base, ATOM)
        if exponent is None:
            exponent_text = self.spend("2")
        elif self.latex:
            exponent_text = self.write(exponent)[0]
        else:
            exponent_text = self.wrap(exponent, ATOM)
        if self.latex:
            return base_text + self.spend("^{") + exponent_text + self.spend("}")
        return base_text + self.spend("^") + exponent_text

    def function(self, op: str, arg: int) -> str:
        if self.latex:
            if op == "exp":
                return self.spend("e^{") + self.write(arg)[0] + self.spend("}")
            if op == "sqrt":
                return self.spend(r"\sqrt{") + self.write(arg)[0] + self.spend("}")
            if op == "abs":
                return self.spend(r"\left|") + self.write(arg)[0] + self.spend(r"\right|")
            name = LATEX_FUNCTIONS[op]
            return self.spend(name + r"{\left(") + self.write(arg)[0] + self.spend(r"\right)}")
        return self.spend(op + "(") + self.write(arg)[0] + self.spend(")")


def to_text(graph: Graph, latex: bool = False, budget: int = PRINT_BUDGET) -> str:
    """The graph's output as a formula (``^`` for powers), or :class:`TooLong`."""
    return Printer(graph, latex, budget).text()
