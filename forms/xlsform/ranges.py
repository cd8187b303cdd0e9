"""XLSForm ``range``: a number from ``start`` to ``end`` in steps of ``step`` (ODK's defaults:
1, 10 and 1), given in the ``parameters`` column as ``start=1 end=5 step=1``.

The hub reads a range as the number question it is — ``integer``, or ``decimal`` when a
parameter has decimals, as pyxform decides — with its limits as a ``constraint`` that every
projection already honours: the form's ``min``/``max``, the template's validation, the rule in
words, the server's check. A whole-number step other than 1 adds ``(. - start) mod step = 0``;
a decimal step is not checked (binary fractions would refuse 0.3 in steps of 0.1). Written back,
the definition is that number question with that constraint (the same definition).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from forms.expression import Binary, Current, Expr, Literal
from forms.model import Kind
from forms.wording import listed

RANGE = "range"
DEFAULTS = {"start": Decimal(1), "end": Decimal(10), "step": Decimal(1)}
_PAIR = re.compile(r"([^\s=,;]+)\s*=\s*([^\s=,;]+)")
_SEPARATORS = re.compile(r"[\s,;]+")
_LARGEST = Decimal(10) ** 15
"""The decimal questions' limit (15 significant digits): a parameter beyond it is refused."""


class RangeProblem(ValueError):
    """A ``parameters`` cell that cannot be read; the message says why, in the user's language."""


def range_question(parameters: str) -> tuple[Kind, Expr]:
    """The kind and the constraint of a ``range`` row with this ``parameters`` text."""
    given = _pairs(unicodedata.normalize("NFKC", parameters))
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise RangeProblem(
            _(
                "range の parameters で使えるのは start・end・step です（「%(names)s」は使えません）。",
                names=listed(unknown),
            )
        )
    values = {name: _number(name, given.get(name), default) for name, default in DEFAULTS.items()}
    start, end, step = values["start"], values["end"], values["step"]
    if step <= 0:
        raise RangeProblem(_("range の step は0より大きい数にしてください。"))
    if step > abs(end - start):
        raise RangeProblem(_("range の step が start から end までの幅より大きくなっています。"))
    whole = all(v == v.to_integral_value() for v in values.values())
    low, high = min(start, end), max(start, end)
    rule: Expr = Binary(
        "and",
        Binary(">=", Current(), _literal(low, whole)),
        Binary("<=", Current(), _literal(high, whole)),
    )
    if whole and step != 1:
        on_step = Binary(
            "=",
            Binary("mod", Binary("-", Current(), _literal(start, whole)), _literal(step, whole)),
            Literal(0),
        )
        rule = Binary("and", rule, on_step)
    return (Kind.INTEGER if whole else Kind.DECIMAL), rule


def _pairs(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    rest = text.strip()
    for chunk in _split(rest):
        match = _PAIR.fullmatch(chunk)
        if match is None:
            raise RangeProblem(
                _(
                    "parameters は「start=1 end=5 step=1」の形で書いてください（「%(text)s」）。",
                    text=chunk,
                )
            )
        pairs[match[1].lower()] = match[2]
    return pairs


def _split(text: str) -> list[str]:
    """``name=value`` chunks; spaces around ``=`` are allowed, as pyxform allows them."""
    joined = re.sub(r"\s*=\s*", "=", text)
    return [chunk for chunk in _SEPARATORS.split(joined) if chunk]


def _number(name: str, text: str | None, default: Decimal) -> Decimal:
    if text is None:
        return default
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if value.is_finite() and abs(value) > _LARGEST:
        raise RangeProblem(
            _("range の %(name)s が大きすぎます（15桁まで）: 「%(text)s」", name=name, text=text)
        )
    if not value.is_finite():
        raise RangeProblem(
            _("range の %(name)s は数にしてください（「%(text)s」）。", name=name, text=text)
        )
    return value


def _literal(value: Decimal, whole: bool) -> Literal:
    return Literal(int(value) if whole else float(value))
