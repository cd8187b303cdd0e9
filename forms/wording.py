"""Words shared by every message, page and template: a list joined and a note in brackets as the
page's language writes them, the sort of value someone sent, named as people read it (not as
Python writes it), and whether a text is in Japanese script (a page in another language marks it
``lang="ja"``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _

JAPANESE_SCRIPT = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f]"
)
"""Japanese script: hiragana, katakana (and its half-width and phonetic extension forms), the
kanji (CJK ideographs, their extensions and compatibility forms). Punctuation (「」、。), full-width
Latin letters and digits alone are not: a screen reader reads them in any voice."""


def in_japanese(value: Any) -> bool:
    """Whether ``value`` holds any Japanese script (:data:`JAPANESE_SCRIPT`)."""
    return value is not None and JAPANESE_SCRIPT.search(str(value)) is not None


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


_LINE_BREAK = re.compile(r"(.?)[ \t\u3000]*(?:\r\n|\r|\n)+[ \t\u3000]*(.?)")
_WIDE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def one_line(text: str) -> str:
    """Text written on several lines (a label, a header cell) as one, for a sentence or a title
    that quotes it: a line break goes, with a space only between two words of a language that
    spaces its words (「就労支援の取組を\n実施していますか」 → 「就労支援の取組を実施していますか」,
    「市区町村名\n（カナ）」 → 「市区町村名（カナ）」, "Step one\nstep two" → "Step one step two")."""
    return _LINE_BREAK.sub(_joined_lines, text.strip())


def _joined_lines(found: re.Match[str]) -> str:
    before, after = found.group(1), found.group(2)
    spaced = before and after and not (_WIDE.match(before) or _WIDE.match(after))
    return f"{before}{' ' if spaced else ''}{after}"
