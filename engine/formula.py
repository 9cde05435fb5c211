"""Surfaces from a typed formula, parsed by a whitelist and differentiated exactly.

The text is parsed with :func:`ast.parse` and every node is checked against a
whitelist: numbers, ``x``, ``y``, ``pi``, ``e``, ``+ - * / **`` (``^`` means
power), unary minus, parentheses and a few named functions. Nothing is ever
evaluated as Python: the checked tree becomes a computation graph
(:mod:`gradtrail.graph`: shared subexpressions merged, constants folded in
floats), whose values come from a forward pass and whose exact gradient comes
from one reverse pass. Every step costs time and memory linear in the length of
the text, so no formula within the limits can hold a server for long.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

import numpy as np
from pydantic import Field

from gradtrail.fields import Strict
from gradtrail.graph import Graph, GraphBuilder, GraphError
from gradtrail.graph_text import TooLong, derivative, to_text
from gradtrail.numeric import Real
from gradtrail.surfaces import Domain, Surface, SurfaceKind, one_pass

MAX_LENGTH = 300
MAX_DEPTH = 40
MAX_EXPONENT = 64.0  # a constant exponent; beyond it every value over- or underflows
MAX_CONSTANT = 1e300
DOMAIN_ERRORS = (ArithmeticError, ValueError)  # log(-1), 1/0, exp(1000) on floats

NAMES: dict[str, float | str] = {"x": "x", "y": "y", "pi": math.pi, "e": math.e}
FUNCTIONS = (
    "sin", "cos", "tan", "exp", "log", "log10", "sqrt", "abs", "tanh", "sinh", "cosh",
    "arctan", "arcsin", "arccos",
)  # fmt: skip
OPERATORS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
DESCRIPTIONS = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing ('[ ]')",
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "'if'/'else'",
    ast.NamedExpr: "':='",
    ast.List: "a list",
    ast.Tuple: "a tuple (',')",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "text (strings)",
    ast.Starred: "'*'",
    ast.Await: "'await'",
}


def full(value: Real, like: np.ndarray) -> np.ndarray:
    """``value`` as an array of ``like``'s shape (a constant becomes an array of it)."""
    return np.broadcast_to(value, like.shape).astype(np.float64, copy=True)


class FormulaError(ValueError):
    """A formula that is not allowed, with a message a student can act on; ``kind`` and
    ``context`` name the mistake for the catalogue (``error.KIND``) in any language."""

    def __init__(self, message: str, kind: str = "formula_syntax", **context: object) -> None:
        super().__init__(message)
        self.kind = kind
        self.context = context


TOO_LONG = None  # a form past the budget of characters is not shown (the page says so)


@dataclass(frozen=True)
class Formula:
    """A checked formula: its computation graph, evaluated forward and in reverse."""

    text: str
    graph: Graph

    def value_and_gradient(self, x: Real, y: Real) -> tuple[Real, tuple[Real, Real]]:
        """f and ∇f at (x, y): floats raise on a domain error, arrays give NaN there."""
        value, (gx, gy) = self.graph.gradient(x=x, y=y)
        if isinstance(x, np.ndarray):  # a part that is constant in x or y is still an array
            return full(value, x), (full(gx, x), full(gy, x))
        return value, (gx, gy)

    def value(self, x: Real, y: Real) -> Real:
        value = self.graph.forward(x=x, y=y)[self.graph.output]
        return full(value, x) if isinstance(x, np.ndarray) else value

    def _shown(self, latex: bool) -> dict[str, str | None]:
        shown = {}
        for key, graph in (
            ("f", self.graph),
            ("df_dx", derivative(self.graph, "x")),
            ("df_dy", derivative(self.graph, "y")),
        ):
            try:
                shown[key] = to_text(graph, latex=latex)
            except TooLong:
                shown[key] = TOO_LONG
        return shown

    def latex(self) -> dict[str, str | None]:
        """f, ∂f/∂x and ∂f/∂y as LaTeX (each within a budget of characters)."""
        return self._shown(latex=True)

    def plain(self) -> dict[str, str | None]:
        """f, ∂f/∂x and ∂f/∂y as plain text in the syntax people type (``^`` for power)."""
        return self._shown(latex=False)


def check_parentheses(text: str) -> None:
    """Balanced and at most :data:`MAX_DEPTH` deep, checked before the parser sees the text."""
    depth, opened = 0, []
    for column, char in enumerate(text, start=1):
        if char == "(":
            depth += 1
            opened.append(column)
            if depth > MAX_DEPTH:
                message = f"parentheses nest deeper than {MAX_DEPTH} at column {column}"
                raise FormulaError(message, "formula_depth")
        elif char == ")":
            if depth == 0:
                message = f"unbalanced parenthesis: ')' at column {column} has no '('"
                raise FormulaError(message, "formula_parentheses", column=column)
            depth -= 1
            opened.pop()
    if opened:
        column = opened[-1]
        message = f"unbalanced parenthesis: '(' at column {column} is never closed"
        raise FormulaError(message, "formula_parentheses", column=column)


class Builder:
    """Turns a whitelisted Python expression tree into graph nodes, one node kind at a time."""

    def __init__(self, columns: list[int]) -> None:
        self.columns = columns  # column in the typed text of each parsed character
        self.graph = GraphBuilder(("x", "y"))

    def column(self, node: ast.AST) -> int:
        offset = getattr(node, "col_offset", 0)
        return self.columns[min(offset, len(self.columns) - 1)]

    def fail(
        self,
        node: ast.AST,
        what: str,
        hint: str = "",
        kind: str = "formula_not_allowed",
        **context: object,
    ) -> FormulaError:
        column = self.column(node)
        return FormulaError(f"{what} at column {column}{hint}", kind, column=column, **context)

    def apply(self, node: ast.AST, op: str, *args: int) -> int:
        """A graph node; a constant that cannot be folded is reported where it was typed."""
        try:
            return self.graph.apply(op, *args)
        except GraphError as error:
            raise self.fail(node, str(error), kind="formula_number") from None

    def build(self, node: ast.AST, depth: int = 0) -> int:
        if depth > MAX_DEPTH:
            raise self.fail(
                node, f"the formula nests deeper than {MAX_DEPTH}", kind="formula_depth"
            )
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            if node.id not in NAMES:
                hint = f" (write {node.id}(x))" if node.id in FUNCTIONS else " (use x, y, pi, e)"
                raise self.fail(
                    node, f"unknown name '{node.id}'", hint, "formula_unknown_name", name=node.id
                )
            name = NAMES[node.id]
            return self.graph.inputs[name] if isinstance(name, str) else self.graph.const(name)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.build(node.operand, depth + 1)
            return self.apply(node, "neg", operand) if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            left = self.build(node.left, depth + 1)
            right = self.build(node.right, depth + 1)
            if isinstance(node.op, ast.Pow):
                self.check_exponent(node, right)
            return self.apply(node, OPERATORS[type(node.op)], left, right)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.BinOp):
            raise self.fail(node, f"operator '{operator_symbol(node.op)}' is not allowed")
        description = DESCRIPTIONS.get(type(node), type(node).__name__)
        raise self.fail(node, f"{description} is not allowed")

    def number(self, node: ast.Constant) -> int:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "text (strings)" if isinstance(value, str | bytes) else repr(value)
            raise self.fail(node, f"{kind} is not allowed")
        if not math.isfinite(float(value)) or abs(value) > MAX_CONSTANT:
            raise self.fail(node, "number too large", kind="formula_number")
        return self.graph.const(float(value))

    def check_exponent(self, node: ast.BinOp, exponent: int) -> None:
        """A constant exponent stays small: beyond it every value over- or underflows."""
        size = self.graph.constant_of(exponent)
        if size is not None and abs(size) > MAX_EXPONENT:
            raise self.fail(
                node, f"exponent too large (at most {MAX_EXPONENT:g})", kind="formula_number"
            )

    def call(self, node: ast.Call, depth: int) -> int:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only the named functions may be called")
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = f" (allowed: {' '.join(FUNCTIONS)})"
            raise self.fail(
                node, f"function '{name}' is not allowed", allowed, "formula_function", name=name
            )
        if node.keywords or len(node.args) != 1:
            raise self.fail(
                node, f"{name} takes exactly one argument", kind="formula_arguments", name=name
            )
        return self.apply(node, name, self.build(node.args[0], depth + 1))


def operator_symbol(op: ast.operator) -> str:
    symbols = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<",
               ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}  # fmt: skip
    return symbols.get(type(op), type(op).__name__)


def to_python_syntax(text: str) -> tuple[str, list[int]]:
    """``^`` becomes ``**``; the list maps each new character to its column in ``text``."""
    parsed, columns = [], []
    for column, char in enumerate(text, start=1):
        if char == "^":
            parsed.append("**")
            columns += [column, column]
        else:
            parsed.append(char)
            columns.append(column)
    return "".join(parsed), [*columns, len(text) + 1]


def parse(text: str) -> Graph:
    """The formula as a computation graph in ``x`` and ``y``, or a :class:`FormulaError`."""
    if len(text) > MAX_LENGTH:
        message = f"the formula is longer than {MAX_LENGTH} characters"
        raise FormulaError(message, "formula_too_long", limit=MAX_LENGTH)
    if not text.strip():
        raise FormulaError("the formula is empty", "formula_empty")
    check_parentheses(text)
    source, columns = to_python_syntax(text)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        offset = max((error.offset or 1) - 1, 0)
        column = columns[min(offset + len(source) - len(source.lstrip()), len(columns) - 1)]
        message = f"cannot read the formula at column {column}"
        raise FormulaError(message, "formula_syntax", column=column) from None
    except (ValueError, MemoryError, RecursionError):
        raise FormulaError("cannot read the formula", "formula_syntax", column=1) from None
    strip = len(source) - len(source.lstrip())
    builder = Builder(columns[strip:])
    return builder.graph.build(builder.build(tree.body))


@lru_cache(maxsize=256)
def compile_formula(text: str) -> Formula:
    """Parse ``text`` into its graph (cached: the page sends the same formula often)."""
    return Formula(text=text, graph=parse(text))


DEFAULT_DOMAIN = ((-5.0, 5.0), (-5.0, 5.0))
DEFAULT_EXPRESSION = "x^2 + 3*y^2"  # what "Your formula" starts from


NODES_PER_BUILTIN = 12  # a built-in surface costs about as much as a graph of this size


def evaluation_cost(graph: Graph) -> float:
    """One evaluation of ``graph`` next to one of a built-in surface (at least 1)."""
    return max(1.0, len(graph.nodes) / NODES_PER_BUILTIN)


def custom_surface(text: str, domain: Domain | None = None) -> Surface:
    """A :class:`Surface` from a typed formula: one forward and one reverse pass per gradient."""
    formula = compile_formula(text)

    def at(x: Real, y: Real) -> tuple[Real, tuple[Real, Real]]:
        try:
            return formula.value_and_gradient(x, y)
        except DOMAIN_ERRORS:
            return math.nan, (math.nan, math.nan)

    shown, plain = formula.latex(), formula.plain()
    (x0, x1), (y0, y1) = domain or DEFAULT_DOMAIN
    return Surface(
        id="custom",
        formula=shown["f"],
        params={},
        domain=((x0, x1), (y0, y1)),
        minima=(),
        default_start=(round(x0 + 0.8 * (x1 - x0), 6), round(y0 + 0.8 * (y1 - y0), 6)),
        **one_pass(at, value_only=formula.value),
        cost=evaluation_cost(formula.graph),
        expression=text,
        extra={
            "expression": text,
            **{f"latex_{k}": v for k, v in shown.items()},
            **{f"text_{k}": v for k, v in plain.items()},
        },
    )


class FormulaFields(Strict):
    """The typed formula's spec field: its text in ``x`` and ``y``."""

    expression: Annotated[str, Field(max_length=MAX_LENGTH)] | None = None


def formula_surface(spec: Any) -> Surface:
    """The surface of the spec's formula over its window."""
    from gradtrail.catalog import SpecError

    try:
        return custom_surface(spec.expression, spec.domain)
    except FormulaError as error:
        raise SpecError("surface.expression", str(error), error.kind, error.context) from None


def formula_rules(spec: Any) -> None:
    """A typed formula needs its text."""
    if spec.expression is None:
        raise ValueError("a custom surface needs an expression in x and y")


def formula_cost(spec: Any) -> float:
    """Its graph's size next to a built-in's (a formula that will not parse: 1, and
    building it reports why)."""
    if spec.expression is None:
        return 1.0
    try:
        return evaluation_cost(compile_formula(spec.expression).graph)
    except FormulaError:
        return 1.0


FORMULA = SurfaceKind(
    "custom",
    FormulaFields,
    formula_surface,
    check=formula_rules,
    evaluation_cost=formula_cost,
    example={"expression": DEFAULT_EXPRESSION},
)
