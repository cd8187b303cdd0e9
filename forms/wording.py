"""Words shared by every message, page and template: a list joined and a note in brackets as the
page's language writes them, and the sort of value someone sent, named as people read it (not as
Python writes it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _


def separator() -> str:
    """What stands between listed values: 「、」 on a Japanese page, ", " on an English one."""
    return _("、")


def listed(items: Iterable[str]) -> str:
    """``items`` joined for the reader: 「a、b、c」 in Japanese, "a, b, c" in English."""
    return separator().join(items)


def noted(text: object, note: object) -> str:
    """A note in brackets after a name or a state: 八王子市（132012）, 終了（支援につながった）;
    "Hachioji (132012)" on an English page."""
    return _("%(text)s（%(note)s）", text=text, note=note)


def kind_of(value: Any) -> str:
    """What sort of value ``value`` is, for a message that says what was expected and what came
    (「数値で入力してください（オブジェクトが送られました）。」): a JSON client's ``null``, ``true``,
    ``{…}`` or ``[…]``, or an Excel cell's TRUE, named in the reader's language."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return _("オブジェクト")
    if isinstance(value, list | tuple):
        return _("リスト")
    if isinstance(value, int | float):
        return _("数値")
    return _("文字列")
