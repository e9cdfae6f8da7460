"""Persona rules: a tiny, safe expression language over customer attributes.

A persona such as "Claire, 28, digital" is declared in the map with a rule like
``age_band == '25-34' and segment in ['B2C', 'VIP']``. The rule must mean exactly the same
thing when checked in Python on one customer and when compiled to an Ibis predicate over the
customers table, so it is parsed once with :mod:`ast` into a small tree of comparisons, and
both ``evaluate`` and ``to_ibis`` walk that tree. Nothing is ever ``eval``-ed.

Semantics (shared by both sides):

* attributes are text; ``scalar_text`` says how other values are written as text;
* a comparison with a number converts the attribute to a number; text that is not a number
  makes the comparison false;
* ``true`` / ``false`` compare with the text ``'true'`` / ``'false'``;
* a missing attribute makes every comparison false, except ``x == None`` (true when missing)
  and ``x != None`` (true when present).

>>> rule = Rule.parse("segment == 'B2C' and age >= 25")
>>> rule.evaluate({"segment": "B2C", "age": "31"})
True
>>> sorted(rule.attributes)
['age', 'segment']
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from parcours.errors import InputError

if TYPE_CHECKING:  # Ibis is only in the signatures: validating a map does not load it
    import ibis.expr.types as ir

Scalar = str | int | float | bool | None

ALLOWED = (
    "attribute names, values ('text', numbers, true, false, None), lists of values, "
    "comparisons (== != < <= > >= in, not in), and, or, not, parentheses"
)

_OPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
# A bool on Python values, an Ibis BooleanValue on columns.
_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
# Lowercase spellings a marketer writes in YAML, read as constants rather than attributes.
_WORDS: dict[str, Scalar] = {"true": True, "false": False, "null": None, "none": None}
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def scalar_text(value: Any) -> str | None:
    """Write a scalar the way attributes and event properties are stored: as text.

    >>> [scalar_text(v) for v in (True, 3, 3.0, 2.5, "x", None)]
    ['true', '3', '3', '2.5', 'x', None]
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(text: str) -> float | None:
    return float(text) if _NUMBER.fullmatch(text) else None


@dataclass(frozen=True)
class _Compare:
    attribute: str
    op: str  # one of _OPS' values; "in" / "not in" take a tuple of values
    value: Scalar | tuple[Scalar, ...]


@dataclass(frozen=True)
class _BoolOp:
    op: str  # "and", "or", "not"
    parts: tuple[_Node, ...]


_Node = _Compare | _BoolOp


def _fail(text: str, node: ast.AST, what: str) -> InputError:
    column = getattr(node, "col_offset", 0) + 1
    part = ast.get_source_segment(text, node) or ""
    return InputError(
        f"rule {text!r}: {what} is not allowed (column {column}: {part!r}); allowed: {ALLOWED}"
    )


class _Parser:
    """Turns the ``ast`` of one rule into the small tree, refusing anything outside ALLOWED."""

    def __init__(self, text: str):
        self.text = text

    def node(self, node: ast.AST) -> _Node:
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return _BoolOp(op, tuple(self.node(v) for v in node.values))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return _BoolOp("not", (self.node(node.operand),))
        if isinstance(node, ast.Compare):
            return self.compare(node)
        raise _fail(self.text, node, f"{self.describe(node)} where a condition is expected")

    def compare(self, node: ast.Compare) -> _Node:
        parts: list[_Node] = []
        left = node.left
        for op_node, right in zip(node.ops, node.comparators, strict=True):
            op = _OPS.get(type(op_node))
            if op is None:
                raise _fail(self.text, node, "the comparison 'is'")
            parts.append(self.pair(left, op, right))
            left = right
        return parts[0] if len(parts) == 1 else _BoolOp("and", tuple(parts))

    def pair(self, left: ast.expr, op: str, right: ast.expr) -> _Compare:
        if op in ("in", "not in"):
            if not isinstance(left, ast.Name) or not self.is_attribute(left):
                raise _fail(self.text, left, f"{self.describe(left)} before '{op}'")
            if not isinstance(right, ast.List | ast.Tuple):
                raise _fail(self.text, right, f"{self.describe(right)} after '{op}' (use a list)")
            return _Compare(left.id, op, tuple(self.constant(e) for e in right.elts))
        if isinstance(left, ast.Name) and self.is_attribute(left):
            attribute, value_node = left.id, right
        elif isinstance(right, ast.Name) and self.is_attribute(right):
            attribute, value_node, op = right.id, left, _FLIPPED[op]
        else:
            self.constant(left), self.constant(right)  # names the part that is not a value
            raise _fail(self.text, left, "a comparison without an attribute")
        if self.is_attribute(value_node):
            raise _fail(self.text, value_node, "a comparison between two attributes")
        value = self.constant(value_node)
        if op not in ("==", "!=") and (value is None or isinstance(value, bool)):
            raise _fail(self.text, value_node, f"ordering ({op}) with true, false or None")
        return _Compare(attribute, op, value)

    @staticmethod
    def is_attribute(node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id.lower() not in _WORDS

    def constant(self, node: ast.expr) -> Scalar:
        if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | None):
            return node.value
        if isinstance(node, ast.Name) and node.id.lower() in _WORDS:
            return _WORDS[node.id.lower()]
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub | ast.UAdd)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int | float)
            and not isinstance(node.operand.value, bool)  # ast gives bool for True / False
        ):
            return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
        raise _fail(self.text, node, f"{self.describe(node)} as a value")

    @staticmethod
    def describe(node: ast.AST) -> str:
        names = {
            # Each a phrase of parcours/render/_error_words.py's MAP_ERRORS (said in French).
            ast.Call: "a function call",
            ast.Attribute: "attribute access (a.b)",
            ast.BinOp: "arithmetic (+ - * /)",
            ast.Lambda: "a lambda function",
            ast.Subscript: "indexing (a[0])",
            ast.Name: "an attribute name",
            ast.Constant: "a bare value",
            ast.List: "a list of values",
            ast.Tuple: "a list of values",
        }
        return names.get(type(node), f"'{type(node).__name__}'")


@dataclass(frozen=True)
class Rule:
    """A parsed persona rule; build it with ``Rule.parse``."""

    text: str
    tree: _Node

    @classmethod
    def parse(cls, text: str) -> Rule:
        """Parse ``text``; raise InputError naming the offending part, its column and what is allowed."""
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"rule {text!r} is empty; write a condition such as segment == 'B2C'")
        try:
            expression = ast.parse(text.strip(), mode="eval")
        except SyntaxError as error:
            column = error.offset or len(text.strip()) + 1
            raise InputError(
                f"rule {text!r} cannot be read (column {column}: {error.msg}); allowed: {ALLOWED}"
            ) from None
        return cls(text, _Parser(text.strip()).node(expression.body))

    @property
    def attributes(self) -> set[str]:
        """The customer attributes the rule reads."""
        return _attributes(self.tree)

    def evaluate(self, attrs: Mapping[str, Any]) -> bool:
        """Whether one customer, given their attributes, fits the rule."""
        return _evaluate(self.tree, attrs)

    def to_ibis(self, resolve: Callable[[str], ir.StringValue]) -> ir.BooleanValue:
        """The same rule as an Ibis predicate; ``resolve(name)`` gives the attribute's text column."""
        return _to_ibis(self.tree, resolve)


def _attributes(node: _Node) -> set[str]:
    if isinstance(node, _Compare):
        return {node.attribute}
    return set().union(*(_attributes(p) for p in node.parts))


def _compare_text(text: str | None, op: str, value: Scalar) -> bool:
    if value is None:
        return (text is None) == (op == "==")
    if text is None:
        return False
    if isinstance(value, bool | str):
        return _ORDER[op](text, scalar_text(value))
    number = _number(text)
    return number is not None and _ORDER[op](number, float(value))


def _evaluate(node: _Node, attrs: Mapping[str, Any]) -> bool:
    if isinstance(node, _BoolOp):
        results = (_evaluate(p, attrs) for p in node.parts)
        if node.op == "not":
            return not next(results)
        return all(results) if node.op == "and" else any(results)
    text = scalar_text(attrs.get(node.attribute))
    if node.op in ("in", "not in"):
        found = any(_compare_text(text, "==", v) for v in node.value)  # type: ignore[union-attr]
        return found if node.op == "in" else text is not None and not found
    return _compare_text(text, node.op, node.value)  # type: ignore[arg-type]


def _compare_column(column: ir.StringValue, op: str, value: Scalar) -> ir.BooleanValue:
    if value is None:
        return column.isnull() if op == "==" else column.notnull()
    result: ir.BooleanValue
    if isinstance(value, bool | str):
        result = _ORDER[op](column, scalar_text(value))
    else:
        result = _ORDER[op](column.try_cast("float64"), float(value))
    return result.fill_null(False)


def _to_ibis(node: _Node, resolve: Callable[[str], ir.StringValue]) -> ir.BooleanValue:
    if isinstance(node, _BoolOp):
        parts = [_to_ibis(p, resolve) for p in node.parts]
        if node.op == "not":
            return ~parts[0]
        result = parts[0]
        for part in parts[1:]:
            result = (result & part) if node.op == "and" else (result | part)
        return result
    column = resolve(node.attribute)
    if node.op in ("in", "not in"):
        found = [_compare_column(column, "==", v) for v in node.value]  # type: ignore[union-attr]
        any_found = found[0] if found else _false(column)
        for f in found[1:]:
            any_found = any_found | f
        return any_found if node.op == "in" else column.notnull() & ~any_found
    return _compare_column(column, node.op, node.value)  # type: ignore[arg-type]


def _false(column: ir.Value) -> ir.BooleanValue:
    """A false predicate shaped like ``column`` (for an empty ``in []``)."""
    return column.isnull() & column.notnull()
