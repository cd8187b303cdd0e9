"""Words shared by every message: a list joined as the page's language joins one."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _


def listed(items: Iterable[str]) -> str:
    """``items`` joined for the reader: 「a、b、c」 in Japanese, "a, b, c" in English."""
    return _("、").join(items)
