"""The expression language of questionnaire rules (``relevant``, ``required``, ``constraint``).

:mod:`~forms.expression.syntax` reads XLSForm expressions into a tree of frozen dataclasses and
prints them back; :mod:`~forms.expression.evaluate` evaluates a tree with ODK's semantics.
"""

from forms.expression.evaluate import Env, Unknowable, Value, evaluate, truthy
from forms.expression.syntax import (
    COLUMN,
    FUNCTIONS,
    Binary,
    Call,
    Current,
    Expr,
    ExpressionError,
    Literal,
    Negative,
    Ref,
    column_name,
    columns_of,
    conjuncts,
    disjuncts,
    parse,
    references,
    to_json,
    unparse,
    uses_current,
    walk,
)

__all__ = [
    "COLUMN",
    "FUNCTIONS",
    "Binary",
    "Call",
    "Current",
    "Env",
    "Expr",
    "ExpressionError",
    "Literal",
    "Negative",
    "Ref",
    "Unknowable",
    "Value",
    "column_name",
    "columns_of",
    "conjuncts",
    "disjuncts",
    "evaluate",
    "parse",
    "references",
    "to_json",
    "truthy",
    "unparse",
    "uses_current",
    "walk",
]
