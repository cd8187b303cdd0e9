"""Words shared by every message: a list joined as the page's language joins one."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _


def listed(items: Iterable[str]) -> str:
    """``items`` joined for the reader: 「a、b、c」 in Japanese, "a, b, c" in English."""
    return _("、").join(items)


def noted(text: object, note: object) -> str:
    """A note in brackets after a name or a state: 八王子市（132012）, 終了（支援につながった）;
    "Hachioji (132012)" on an English page."""
    return _("%(text)s（%(note)s）", text=text, note=note)
