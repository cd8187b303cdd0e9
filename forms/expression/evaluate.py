"""Evaluating an expression tree with the semantics ODK's XPath engine gives it.

Values are strings, numbers (``float``), booleans and dates. An unanswered question is the empty
string; a many-of answer is its codes separated by spaces (so ``selected`` and ``count-selected``
split it, as in ODK); comparisons follow XPath 1.0 — ``=`` compares as booleans if either side is
one, else as numbers if either side is one, else as strings; ``<`` and friends compare numbers,
so an empty answer compared with a number is false — and, as in ODK, a date compared with a date
or an ISO date string is compared as a date. Evaluation never raises for odd values (``1 div 0``
is infinity, ``number('x')`` is NaN); it raises :class:`Unknowable` only when the rule needs a
fact the caller does not have (the round's 基準日 outside a round).

``hub/static/hub.js`` implements the same semantics for ``relevant`` in the browser; the tests run
both over generated expressions and compare.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

from forms.expression.patterns import matches
from forms.expression.syntax import (
    COLUMN,
    Binary,
    Call,
    Current,
    Expr,
    Literal,
    Negative,
    Ref,
    column_name,
)

Value = str | float | bool | date
EPOCH = date(1970, 1, 1)
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Unknowable(Exception):
    """The expression needs a value that is not known here, such as the round's 基準日."""


@dataclass(frozen=True)
class Env:
    """What an expression can see: other answers by name, its own answer (``.``) and today."""

    resolve: Callable[[str], Value]
    current: Value = ""
    today: date | None = None
    choice: Mapping[str, str] | None = None
    """In a ``choice_filter``: the choice being filtered, its columns by name (``name`` its code)."""


def evaluate(expr: Expr, env: Env) -> Value:
    if isinstance(expr, Literal):
        return expr.value if isinstance(expr.value, str) else float(expr.value)
    if isinstance(expr, Ref):
        return env.resolve(expr.name)
    if isinstance(expr, Current):
        return env.current
    if isinstance(expr, Negative):
        return -number(evaluate(expr.operand, env))
    if isinstance(expr, Call):
        return _call(expr, env)
    return _binary(expr, env)


def truthy(expr: Expr, env: Env) -> bool:
    return boolean(evaluate(expr, env))


# ------------------------------------------------------------------------------ conversions


def boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, date):
        return True
    return value != ""


def number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, date):
        return float((value - EPOCH).days)
    text = value.strip()
    return float(text) if _NUMBER.fullmatch(text) else math.nan


def string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _number_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 2**53:
        return str(int(value))
    # the shortest digits that read back as ``value``, as JavaScript's String(x) writes them
    # (6.66666666666667e17 is 666666666666667000, not its binary value 666666666666667008)
    return format(Decimal(repr(value)), "f")


def as_date(value: Value) -> date | None:
    """A date, an ISO ``YYYY-MM-DD`` string as a date, or ``None``."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------------------- operators


def _binary(expr: Binary, env: Env) -> Value:
    op = expr.op
    if op == "or":
        return truthy(expr.left, env) or truthy(expr.right, env)
    if op == "and":
        return truthy(expr.left, env) and truthy(expr.right, env)
    left, right = evaluate(expr.left, env), evaluate(expr.right, env)
    if op == "=":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op in ("<", "<=", ">", ">="):
        return compare(op, left, right)
    return arithmetic(op, number(left), number(right))


def equal(left: Value, right: Value) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return boolean(left) == boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return number(left) == number(right)
    if isinstance(left, date) or isinstance(right, date):
        a, b = as_date(left), as_date(right)
        return a is not None and a == b
    return left == right


def compare(op: str, left: Value, right: Value) -> bool:
    if isinstance(left, date) or isinstance(right, date):
        a, b = as_date(left), as_date(right)
        if a is not None and b is not None:
            return _ordered(op, a.toordinal(), b.toordinal())
    x, y = number(left), number(right)
    if math.isnan(x) or math.isnan(y):
        return False
    return _ordered(op, x, y)


def _ordered(op: str, x: float, y: float) -> bool:
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def arithmetic(op: str, x: float, y: float) -> float:
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y != 0 or math.isnan(y):
            return x / y
        if x == 0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
        return math.nan
    return math.fmod(x, y)


# ------------------------------------------------------------------------------- functions


def _call(expr: Call, env: Env) -> Value:
    name, args = expr.name, expr.args
    if name == "if":
        return evaluate(args[1] if truthy(args[0], env) else args[2], env)
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "today":
        if env.today is None:
            raise Unknowable("today")
        return env.today
    if name == COLUMN:
        if env.choice is None:
            raise Unknowable(COLUMN)
        return env.choice.get(str(column_name(expr)), "")
    values = [evaluate(arg, env) for arg in args]
    return _FUNCTIONS[name](*values)


_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WORD_GAPS = re.compile(f"[{_SPACE}]+")
_EDGES = re.compile(f"^[{_SPACE}]+|[{_SPACE}]+$")
"""White space as JavaScript's ``\\s`` and ``trim()`` know it (hub.js splits and trims the same
way): Python's own ``split()`` also splits at control characters such as U+001C."""


def _words(answer: Value) -> list[str]:
    """A ``select_multiple`` answer's codes (text between white space)."""
    return [word for word in _WORD_GAPS.split(string(answer)) if word]


def _selected(answer: Value, code: Value) -> bool:
    return _EDGES.sub("", string(code)) in _words(answer)


def _int(value: Value) -> float:
    x = number(value)
    return x if math.isnan(x) or math.isinf(x) else math.copysign(float(math.trunc(x)), x)


def _whole(value: Value, towards: Callable[[float], int]) -> float:
    """``floor``/``ceiling``: NaN and the infinities as they are, the sign of a zero kept (as
    JavaScript's ``Math.floor``/``Math.ceil``)."""
    x = number(value)
    return x if math.isnan(x) or math.isinf(x) else math.copysign(float(towards(x)), x)


def _extreme(pick: Callable[[list[float]], float]) -> Callable[..., float]:
    """``min``/``max`` of numbers: NaN when any argument is not one (an empty answer), as ODK."""

    def extreme(*values: Value) -> float:
        numbers = [number(v) for v in values]
        return math.nan if any(math.isnan(x) for x in numbers) else pick(numbers)

    return extreme


def _substr(text: Value, start: Value, end: Value | None = None) -> str:
    """ODK's ``substr(s, start, end)``: characters from ``start`` (0 first) up to, not including,
    ``end`` (the end of the text without it); positions outside the text are moved to its ends."""
    chars = string(text)
    first, last = _int(start), _int(float(len(chars)) if end is None else end)
    if math.isnan(first) or math.isnan(last):
        return ""
    first, last = (min(max(x, 0.0), float(len(chars))) for x in (first, last))
    return chars[int(first) : int(last)] if first < last else ""


def _selected_at(answer: Value, index: Value) -> str:
    """The code at ``index`` (0 first) of a ``select_multiple`` answer; ``""`` beyond it."""
    codes, at = _words(answer), _int(index)
    return codes[int(at)] if not math.isnan(at) and 0 <= at < len(codes) else ""


def _round(value: Value, digits: Value = 0.0) -> float:
    """ODK's ``round(x, digits)``: to ``digits`` decimals (0 without it; a negative number
    rounds to tens, hundreds), halves away from zero, on the number as it is written (so
    ``round(1.005, 2)`` is 1.01, as hub.js rounds it)."""
    x, places = number(value), _int(digits)
    if math.isnan(x) or math.isinf(x) or math.isnan(places) or math.isinf(places):
        return x if not math.isnan(places) else math.nan
    if abs(x) >= 1e15 and places >= 0:
        return x  # no decimals left to round (a double holds 15-17 digits)
    places = max(-15.0, min(15.0, places))
    exponent = Decimal(1).scaleb(-int(places))
    with localcontext() as context:
        context.prec = 400  # room for any double's digits
        rounded = Decimal(repr(x)).quantize(exponent, rounding=ROUND_HALF_UP)
    return math.copysign(float(rounded), x) if rounded == 0 else float(rounded)


FIRST_DAY = (date.min - EPOCH).days
LAST_DAY = (date.max - EPOCH).days


def _date(value: Value) -> Value:
    if isinstance(value, str):
        return as_date(value) or ""
    x = number(value)
    if math.isnan(x) or not FIRST_DAY <= x < LAST_DAY + 1:
        return ""
    return EPOCH + timedelta(days=math.floor(x))


_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "selected": _selected,
    "count-selected": lambda answer: float(len(_words(answer))),
    "not": lambda value: not boolean(value),
    "string-length": lambda value: float(len(string(value))),
    "coalesce": lambda first, second: first if string(first) != "" else second,
    "contains": lambda text, part: string(part) in string(text),
    "starts-with": lambda text, part: string(text).startswith(string(part)),
    "ends-with": lambda text, part: string(text).endswith(string(part)),
    "number": number,
    "int": _int,
    "string": string,
    "boolean": boolean,
    "date": _date,
    "regex": lambda text, pattern: matches(string(text), string(pattern)),
    "abs": lambda value: abs(number(value)),
    "floor": lambda value: _whole(value, math.floor),
    "ceiling": lambda value: _whole(value, math.ceil),
    "min": _extreme(min),
    "max": _extreme(max),
    "substr": _substr,
    "normalize-space": lambda text: " ".join(_words(text)),
    "selected-at": _selected_at,
    "round": _round,
}
