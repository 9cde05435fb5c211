"""Surfaces from a typed formula, parsed by a whitelist and differentiated exactly.

The text is parsed with :func:`ast.parse` and every node is checked against a
whitelist: numbers, ``x``, ``y``, ``pi``, ``e``, ``+ - * / **`` (``^`` means
power), unary minus, parentheses and a few named functions. Nothing is ever
evaluated as Python: the checked tree is rebuilt as a sympy expression (with
constant folding bounded so ``9**9**9`` cannot hang), differentiated, and
compiled to numpy and to :mod:`math` functions.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy

from gradtrail.numeric import Real
from gradtrail.surfaces import Domain, Surface

MAX_LENGTH = 300
MAX_DEPTH = 40
MAX_EXPONENT = 64.0
MAX_CONSTANT = 1e300
MAX_TOWER = 3  # x^x^x^x: each variable exponent multiplies the size of the derivative

X, Y = sympy.symbols("x y", real=True)
NAMES: dict[str, sympy.Expr] = {"x": X, "y": Y, "pi": sympy.pi, "e": sympy.E}
FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "exp": sympy.exp,
    "log": sympy.log,
    "log10": lambda a: sympy.log(a, 10),
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "tanh": sympy.tanh,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "arctan": sympy.atan,
    "arcsin": sympy.asin,
    "arccos": sympy.acos,
}
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
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


class FormulaError(ValueError):
    """A formula that is not allowed, with a message a student can act on."""


@dataclass(frozen=True)
class Formula:
    """A checked formula: f, its exact gradient, as LaTeX and as fast functions."""

    text: str
    expression: sympy.Expr
    gradient: tuple[sympy.Expr, sympy.Expr]
    value_array: Callable[..., Any]
    grad_array: Callable[..., Any]
    value_float: Callable[..., Any]
    grad_float: Callable[..., Any]

    def latex(self) -> dict[str, str]:
        """f, ∂f/∂x and ∂f/∂y as LaTeX."""
        return {
            "f": sympy.latex(self.expression),
            "df_dx": sympy.latex(self.gradient[0]),
            "df_dy": sympy.latex(self.gradient[1]),
        }

    def plain(self) -> dict[str, str]:
        """f, ∂f/∂x and ∂f/∂y as plain text in the syntax people type (``^`` for power)."""

        def text(expression: sympy.Expr) -> str:
            return sympy.sstr(expression).replace("**", "^").replace("log(10)", "ln(10)")

        return {
            "f": text(self.expression),
            "df_dx": text(self.gradient[0]),
            "df_dy": text(self.gradient[1]),
        }


def check_parentheses(text: str) -> None:
    """Balanced and at most :data:`MAX_DEPTH` deep, checked before the parser sees the text."""
    depth, opened = 0, []
    for column, char in enumerate(text, start=1):
        if char == "(":
            depth += 1
            opened.append(column)
            if depth > MAX_DEPTH:
                raise FormulaError(f"parentheses nest deeper than {MAX_DEPTH} at column {column}")
        elif char == ")":
            if depth == 0:
                raise FormulaError(f"unbalanced parenthesis: ')' at column {column} has no '('")
            depth -= 1
            opened.pop()
    if opened:
        raise FormulaError(f"unbalanced parenthesis: '(' at column {opened[-1]} is never closed")


class Builder:
    """Turns a whitelisted Python expression tree into sympy, one node kind at a time."""

    def __init__(self, columns: list[int]) -> None:
        self.columns = columns  # column in the typed text of each parsed character

    def column(self, node: ast.AST) -> int:
        offset = getattr(node, "col_offset", 0)
        return self.columns[min(offset, len(self.columns) - 1)]

    def fail(self, node: ast.AST, what: str, hint: str = "") -> FormulaError:
        return FormulaError(f"{what} at column {self.column(node)}{hint}")

    def build(self, node: ast.AST, depth: int = 0) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"the formula nests deeper than {MAX_DEPTH}")
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            if node.id not in NAMES:
                hint = f" (write {node.id}(x))" if node.id in FUNCTIONS else " (use x, y, pi, e)"
                raise self.fail(node, f"unknown name '{node.id}'", hint)
            return NAMES[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            left = self.build(node.left, depth + 1)
            right = self.build(node.right, depth + 1)
            return self.operate(node, left, right)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.BinOp):
            raise self.fail(node, f"operator '{operator_symbol(node.op)}' is not allowed")
        description = DESCRIPTIONS.get(type(node), type(node).__name__)
        raise self.fail(node, f"{description} is not allowed")

    def number(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "text (strings)" if isinstance(value, str | bytes) else repr(value)
            raise self.fail(node, f"{kind} is not allowed")
        if not math.isfinite(float(value)) or abs(value) > MAX_CONSTANT:
            raise self.fail(node, "number too large")
        if isinstance(value, int):
            return sympy.Integer(value)
        return (
            sympy.Integer(int(value))
            if value.is_integer() and abs(value) < 2**53
            else sympy.Float(value)
        )

    def operate(self, node: ast.BinOp, left: sympy.Expr, right: sympy.Expr) -> sympy.Expr:
        if isinstance(node.op, ast.Pow):
            return self.power(node, left, right)
        if isinstance(node.op, ast.Div) and right == 0:
            raise self.fail(node, "division by zero")
        result = {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}.get(
            type(node.op)
        )
        return result if result is not None else left / right

    def power(self, node: ast.BinOp, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        """Exponents that are constants stay small; constant powers are folded in floats."""
        if exponent.is_number:
            size = complex(exponent.evalf())
            if abs(size) > MAX_EXPONENT:
                raise self.fail(node, f"exponent too large (at most {MAX_EXPONENT:g})")
        if not exponent.is_number and tower_height(base) + tower_height(exponent) >= MAX_TOWER:
            raise self.fail(node, f"at most {MAX_TOWER} variable exponents may be stacked")
        if base.is_number and exponent.is_number:
            try:
                folded = real_number(base) ** real_number(exponent)
            except (OverflowError, ZeroDivisionError, TypeError, ValueError):
                raise self.fail(node, "this power is too large or undefined") from None
            if (
                isinstance(folded, complex)
                or not math.isfinite(folded)
                or abs(folded) > MAX_CONSTANT
            ):
                raise self.fail(node, "this power is too large or undefined")
            if folded.is_integer() and abs(folded) < 2**53:
                return sympy.Integer(int(folded))
            return sympy.Float(folded)
        return sympy.Pow(base, exponent)

    def call(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only the named functions may be called")
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = f" (allowed: {' '.join(FUNCTIONS)})"
            raise self.fail(node, f"function '{name}' is not allowed", allowed)
        if node.keywords or len(node.args) != 1:
            raise self.fail(node, f"{name} takes exactly one argument")
        return FUNCTIONS[name](self.build(node.args[0], depth + 1))


def tower_height(expression: sympy.Expr) -> int:
    """How many powers with a variable exponent are stacked inside ``expression``."""
    if not expression.args:
        return 0
    own = int(isinstance(expression, sympy.Pow) and not expression.exp.is_number)
    return own + max(tower_height(arg) for arg in expression.args)


def real_number(constant: sympy.Expr) -> float:
    """A constant subexpression as a float; complex or infinite constants are refused."""
    value = complex(constant.evalf())
    if value.imag != 0.0 or not math.isfinite(value.real):
        raise ValueError("not a finite real number")
    return value.real


def check_defined(expression: sympy.Expr, what: str) -> None:
    """Refuse an expression that sympy already knows to be undefined or complex."""
    if expression.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise FormulaError(f"{what} is undefined (a division by zero)")
    if expression.has(sympy.I):
        raise FormulaError(f"{what} is complex (a root or log of a negative constant)")


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


def parse(text: str) -> sympy.Expr:
    """The formula as a sympy expression in ``x`` and ``y``, or a :class:`FormulaError`."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise FormulaError("the formula is empty")
    check_parentheses(text)
    source, columns = to_python_syntax(text)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        offset = max((error.offset or 1) - 1, 0)
        column = columns[min(offset + len(source) - len(source.lstrip()), len(columns) - 1)]
        raise FormulaError(f"cannot read the formula at column {column}") from None
    except (ValueError, MemoryError, RecursionError):
        raise FormulaError("cannot read the formula") from None
    strip = len(source) - len(source.lstrip())
    return Builder(columns[strip:]).build(tree.body)


@lru_cache(maxsize=256)
def compile_formula(text: str) -> Formula:
    """Parse, differentiate and compile ``text`` (cached: the page sends it often)."""
    expression = parse(text)
    check_defined(expression, "the formula")
    gradient = (sympy.diff(expression, X), sympy.diff(expression, Y))
    for part in gradient:
        check_defined(part, "the gradient")
    return Formula(
        text=text,
        expression=expression,
        gradient=gradient,
        value_array=sympy.lambdify((X, Y), expression, modules="numpy"),
        grad_array=sympy.lambdify((X, Y), gradient, modules="numpy"),
        value_float=sympy.lambdify((X, Y), expression, modules="math"),
        grad_float=sympy.lambdify((X, Y), gradient, modules="math"),
    )


DEFAULT_DOMAIN = ((-5.0, 5.0), (-5.0, 5.0))


def custom_surface(text: str, domain: Domain | None = None) -> Surface:
    """A :class:`Surface` from a typed formula: floats go to math, arrays to numpy."""
    formula = compile_formula(text)
    value_float, value_array = formula.value_float, formula.value_array
    grad_float, grad_array = formula.grad_float, formula.grad_array

    def value(x: Real, y: Real) -> Real:
        return value_float(x, y) if type(x) is float else value_array(x, y)

    def grad(x: Real, y: Real) -> tuple[Real, Real]:
        return grad_float(x, y) if type(x) is float else grad_array(x, y)

    (x0, x1), (y0, y1) = domain or DEFAULT_DOMAIN
    return Surface(
        id="custom",
        name="Your formula",
        formula=formula.latex()["f"],
        params={},
        domain=((x0, x1), (y0, y1)),
        minima=(),
        default_start=(round(x0 + 0.8 * (x1 - x0), 6), round(y0 + 0.8 * (y1 - y0), 6)),
        value_xy=value,
        grad_xy=grad,
        extra={
            "expression": text,
            **{f"latex_{k}": v for k, v in formula.latex().items()},
            **{f"text_{k}": v for k, v in formula.plain().items()},
        },
    )
