"""What a text people read may not hold: an answer inserted (ODK's ``${name}``) or ODK's
formatting (Markdown and HTML). The hub's texts are plain and the same for every municipality:
a label heads the workbook's tables and the Excel template, is quoted in the rules in words and
in messages, and is shown as typed on the web form, so ``**備考**`` would read as ``**備考**``
everywhere. Both are refused in their cell, saying to write a plain text; read by the survey
and choices sheets' texts (labels, hints, messages), the settings' ``headline_title`` and the
title (``form_title``, ``form_title_en``, ``form_title_ja``: :func:`title_problems`) of an
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


PLAIN_STEPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\[([^\]\n]+)\]\([^)\s]+\)"), r"\1"),  # [text](url) → text
    (re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"), ""),  # tags
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<!\*)\*(?=[^\s*])([^*\n]*?)(?<=[^\s*])\*(?!\*)"), r"\1"),
    (re.compile(r"(?<![A-Za-z0-9_])_(?=[^\s_])([^_\n]*?)(?<=[^\s_])_(?![A-Za-z0-9_])"), r"\1"),
    (re.compile(r"^[ \t　]{0,3}#{1,6}[ \t　]+", re.MULTILINE), ""),
)
"""How :data:`MARKUP` is taken out of a text, leaving the words it marks."""


def without_markup(text: str) -> str:
    """``text`` with ODK's formatting taken out, the words kept: what to write instead."""
    for pattern, replacement in PLAIN_STEPS:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def title_problems(text: str) -> list[str]:
    """Why ``text`` cannot be a questionnaire's title (``form_title``), each once, saying what to
    write: the title heads the rounds, the web form, the Excel template and the workbook's 定義,
    the same for every municipality and every round. Only for a file uploaded now: a stored
    definition keeps the title it was stored with."""
    problems = []
    inserted = INSERTED.search(text)
    if inserted is not None:
        problems.append(
            _(
                "題名に %(text)s のような回答の差し込みは使えません（題名はどの区市町村にも同じ文で、"
                "調査回の一覧・回答画面・回答用Excel・集計表に表示されます）。「研修会参加状況調査"
                "（令和7年度）」のような固定の題名を書いてください。",
                text=inserted[0],
            )
        )
    found = MARKUP.search(text)
    if found is not None:
        fragment = found[0].strip()
        if len(fragment) > SHOWN:
            fragment = fragment[: SHOWN - 1] + "…"
        plain = without_markup(INSERTED.sub("", text))
        problems.append(
            _(
                "題名の「%(text)s」は ODK では書式（太字・斜体・見出し・リンク・HTML）になりますが、"
                "ハブでは書式は使えず、記号のまま表示されます。「%(plain)s」のように記号やタグを"
                "除いた題名を書いてください。",
                text=fragment,
                plain=plain,
            )
            if plain
            else _(
                "題名の「%(text)s」は ODK では書式（太字・斜体・見出し・リンク・HTML）になりますが、"
                "ハブでは書式は使えず、記号のまま表示されます。記号やタグを除いた題名を書いて"
                "ください。",
                text=fragment,
            )
        )
    return problems
