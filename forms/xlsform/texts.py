"""What a text people read may not hold: an answer inserted (ODK's ``${name}``) or ODK's
formatting (Markdown and HTML). The hub's texts are plain and the same for every municipality:
a label heads the workbook's tables and the Excel template, is quoted in the rules in words and
in messages, and is shown as typed on the web form, so ``**備考**`` would read as ``**備考**``
everywhere. Both are refused in their cell, saying to write a plain text; read by the survey
and choices sheets' texts (labels, hints, messages) and the settings' ``headline_title`` of an
uploaded file (:func:`forms.xlsform.read_workbook`); a stored or shipped definition
(:func:`forms.xlsform.read_xlsform`) is not refused for formatting, which it may hold from
before this rule: a stored version never changes and must keep serving its rounds."""

from __future__ import annotations

import re

from flask_babel import gettext as _

INSERTED = re.compile(r"\$\{[^}]*\}")
"""``${name}`` in a text: ODK puts the answer there."""

MARKUP = re.compile(
    r"(\*\*|__)(?=\S).+?(?<=\S)\1"  # **strong**, __strong__
    r"|(?<!\*)\*(?=[^\s*])[^*\n]*?(?<=[^\s*])\*(?!\*)"  # *emphasis*
    r"|(?<![A-Za-z0-9_])_(?=[^\s_])[^_\n]*?(?<=[^\s_])_(?![A-Za-z0-9_])"  # _emphasis_
    r"|^[ \t　]{0,3}#{1,6}[ \t　]+\S"  # # a heading, at the start of a line
    r"|\[[^\]\n]+\]\([^)\s]+\)"  # [a link](https://…)
    r"|</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>",  # <span style=…>, </span>, <br>
    re.MULTILINE,
)
"""ODK's formatting, as ODK Collect and Enketo draw it in labels and hints (form styling): a
single ``*`` or ``_``, ``#1`` and ``a < b`` are text there as here."""

SHOWN = 24
"""The most characters of a found fragment a message quotes."""


def inserted_problem(text: str) -> str:
    """Why ``text`` cannot be shown as it is for an inserted answer ("" when it can)."""
    inserted = INSERTED.search(text)
    if inserted is None:
        return ""
    return _(
        "%(text)s のような回答の差し込みはハブでは使えません（質問文はどの区市町村にも"
        "同じ文で表示され、集計表や回答用Excelの見出しにもなります）。固定の文に"
        "してください。",
        text=inserted[0],
    )


def markup_problem(text: str) -> str:
    """Why ``text`` cannot be shown as it is for ODK formatting in it ("" when it can)."""
    found = MARKUP.search(text)
    if found is None:
        return ""
    fragment = found[0].strip()
    if len(fragment) > SHOWN:
        fragment = fragment[: SHOWN - 1] + "…"
    return _(
        "「%(text)s」は ODK では書式（太字・斜体・見出し・リンク・HTML）になりますが、ハブでは"
        "書式は使えず、Web画面にも回答用Excelにも集計表にも記号のまま表示されます。記号やタグを"
        "除いた普通の文にしてください（強調したい語は「」で囲む、注記の印は「※」にするなど）。",
        text=fragment,
    )


def text_problems(text: str, *, plain: bool = True) -> list[str]:
    """Every reason ``text`` cannot be shown as it is, each once; formatting only when
    ``plain`` (a file uploaded now: a definition stored before formatting was refused keeps
    reading as it was stored)."""
    found = [inserted_problem(text), markup_problem(text) if plain else ""]
    return [p for p in found if p]
