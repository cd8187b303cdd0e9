"""Words shared by every message, page and template: a list joined, and a note in brackets, as
the page's language writes them."""

from __future__ import annotations

from collections.abc import Iterable

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
