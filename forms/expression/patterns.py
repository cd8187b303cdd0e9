"""``regex(text, pattern)``: whether ``pattern`` matches somewhere in ``text`` (anchor it with
``^`` and ``$`` for the whole answer), as ODK Collect and Enketo read it.

The pattern is compiled as Python's ``re`` would read it (the ``regex`` package's version 0
behaviour) with ``\\d``, ``\\w`` and ``\\s`` meaning ASCII only, as in Java and JavaScript: a
pattern for 7 digits does not take 全角 digits unless it says so (``[0-9０-９]``). A search that
runs longer than :data:`TIME_LIMIT_SECONDS` (a pattern such as ``(a|aa)+$`` on a long answer)
counts as no match, so no answer can hold a worker; the definition's author writes the pattern,
the respondent only the text.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

TIME_LIMIT_SECONDS = 0.05


@lru_cache(maxsize=512)
def compiled(pattern: str) -> regex.Pattern[str]:
    """The pattern, compiled once per process. ``regex`` is imported here, on first use: a
    process whose definitions have no ``regex()`` never loads it (its objects would only make
    the garbage collector's full passes longer, measurably so in the workbook's first build)."""
    import regex

    return regex.compile(pattern, regex.V0 | regex.ASCII)


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be read as a regular expression (``None`` when it can)."""
    import regex

    try:
        compiled(pattern)
    except regex.error as exc:
        return str(exc)
    return None


def matches(text: str, pattern: str) -> bool:
    import regex

    try:
        return compiled(pattern).search(text, timeout=TIME_LIMIT_SECONDS) is not None
    except (regex.error, TimeoutError):
        return False
