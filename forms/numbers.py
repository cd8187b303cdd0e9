"""Decimal numbers as people type them (``12.5``, ``１２．５``, ``1,234.5``, ``－0.3``).

Whole numbers go through :func:`forms.normalize.parse_integer`; this is its counterpart for
XLSForm's ``decimal`` questions, with the same tolerance (full-width digits, digit-group commas,
the dashes an IME produces for a minus) and the same refusals (units, inner spaces, ``+``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal

from flask_babel import gettext as _

from forms.normalize import InvalidValue
from forms.wording import kind_of

_DECIMAL_RE = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+")
_MINUS_SIGNS = "-‐‑‒–—―−ー"
MAX_DIGITS = 15
"""Significant digits a decimal answer may have (what a double holds exactly)."""


def parse_decimal(value: str | int | float) -> float:
    """The number typed, as a float; :class:`InvalidValue` with the reason otherwise."""
    if isinstance(value, bool):
        raise InvalidValue(_("数値を入力してください（はい／いいえではありません）"))
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidValue(_("NaN や Infinity は使えません。"))
        return _checked(Decimal(repr(value)) if isinstance(value, float) else Decimal(value))
    if not isinstance(value, str):
        raise InvalidValue(
            _("数値で入力してください（%(sent)sが送られました）。", sent=kind_of(value))
        )
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise InvalidValue(_("数値が入力されていません"))
    sign = ""
    if text[0] in _MINUS_SIGNS:
        sign, text = "-", text[1:]
    elif text[0] == "+":
        raise InvalidValue(_("「+」は付けずに数字だけで入力してください（例: 5）"))
    if not _DECIMAL_RE.fullmatch(text):
        raise InvalidValue(_("数値で入力してください（例: 12.5）"))
    return _checked(Decimal(sign + text.replace(",", "")))


def _checked(number: Decimal) -> float:
    digits = len(number.normalize().as_tuple().digits)
    if digits > MAX_DIGITS or abs(number) >= Decimal(10) ** MAX_DIGITS:
        raise InvalidValue(_("桁数が多すぎます（%(max)s桁まで）", max=MAX_DIGITS))
    return float(number)


def whole_number(text: str | None, *, digits: int = 9) -> int | None:
    """``text`` (spaces around it ignored) as a whole number written in ASCII digits, at most
    ``digits`` of them — a version, a year, a page, a step: values the app wrote or a machine
    sends (numbers people type go through :func:`forms.normalize.parse_integer`) — or ``None``
    when it is not one. More digits are ``None`` too rather than Python's ``ValueError``: ``int``
    refuses to read more than 4,300 digits, and a view that let that through answered 500."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > digits:
        return None
    return int(text)
