"""The ``settings`` sheet: form_id (or the file name), version, title, default language, the
summary options ``headline``, ``listed_choice`` and ``headline_title``, and ``renamed`` (questions renamed since an
earlier version: ``new_name=old_name``, several separated by commas or line breaks)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from flask_babel import gettext as _

from forms.model import Kind, Label, Section
from forms.normalize import fold_text
from forms.wording import one_line
from forms.xlsform import vocabulary as words
from forms.xlsform.checks import Report
from forms.xlsform.sheets import Sheet
from forms.xlsform.texts import text_problems

RENAMED_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([A-Za-z_][A-Za-z0-9_]*)\s*")
FORM_ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
MAX_FORM_ID = 50
MAX_VERSION = 2_147_483_647
"""What the database's integer column holds (ODK's ``2025060101`` style fits)."""


@dataclass(frozen=True)
class Setting:
    text: str
    header: str
    row: int


@dataclass
class Settings:
    values: dict[str, Setting] = field(default_factory=dict)
    title: Label | None = None
    default_language: str = "ja"


def read_settings(sheet: Sheet | None) -> Settings:
    """The first row of values (the sheet is optional, and so is every column)."""
    settings = Settings()
    if sheet is None or not sheet.rows:
        return settings
    row = sheet.rows[0]
    language = sheet.text(row, "default_language")
    if language:
        settings.default_language = words.language(language)
    for key in ("form_id", "version", "headline", "listed_choice", "headline_title", "renamed"):
        text = sheet.text(row, key)
        if text:
            settings.values[key] = Setting(text, sheet.header(key), row.number)
    settings.title = sheet.label(row, "form_title", settings.default_language)
    return settings


def form_id(report: Report, settings: Settings, filename: str) -> str | None:
    given = settings.values.get("form_id")
    if given is not None:
        if FORM_ID_RE.fullmatch(given.text) and len(given.text) <= MAX_FORM_ID:
            return given.text
        message = _(
            "form_id「%(id)s」は使えません。半角英字か _ で始まる半角英数字と _ - の"
            "%(max)s文字以内にしてください。",
            id=given.text,
            max=MAX_FORM_ID,
        )
        report(words.SETTINGS, given.row, given.header, message)
        return None
    stem = PurePath(filename).stem if filename else ""
    if FORM_ID_RE.fullmatch(stem) and len(stem) <= MAX_FORM_ID:
        return stem
    message = _(
        "form_id がありません。settings シートに form_id を書くか、"
        "ファイル名を半角英数字（例: kenshu.xlsx）にしてください。"
    )
    report(words.SETTINGS, None, "form_id", message)
    return None


def version(report: Report, settings: Settings) -> int | None:
    given = settings.values.get("version")
    if given is None:
        return 1
    text = given.text
    digits = fold_text(text)  # ２ typed in 全角, as the rest of the file is read
    if digits.isascii() and digits.isdigit() and 1 <= int(digits) <= MAX_VERSION:
        return int(digits)
    message = _("version は1以上の整数にしてください（「%(text)s」）。", text=text)
    report(words.SETTINGS, given.row, given.header, message)
    return None


def summary_options(
    report: Report,
    settings: Settings,
    sections: tuple[Section, ...],
    unread: frozenset[str] = frozenset(),
) -> tuple[str, str]:
    """``(headline, listed_choice)``, both or neither; ``("", "")`` with a problem, or when the
    headline names a question whose row was refused (``unread``: that row's problem says it)."""
    headline, listed = settings.values.get("headline"), settings.values.get("listed_choice")
    if headline is None:
        if listed is not None:
            report(
                words.SETTINGS,
                listed.row,
                listed.header,
                _("listed_choice には headline も必要です。"),
            )
        return "", ""
    question = next((q for s in sections for q in s.items if q.id == headline.text), None)
    if question is None and headline.text in unread:
        return "", ""
    if question is None or question.kind != Kind.ONE_OF:
        message = _(
            "headline には select_one の質問の名前を書いてください（「%(name)s」）。",
            name=headline.text,
        )
        report(words.SETTINGS, headline.row, headline.header, message)
        return "", ""
    if question.personal:
        message = _(
            "headline の質問「%(name)s」は personal（個人情報）のため、集計の見出しにできません。",
            name=headline.text,
        )
        report(words.SETTINGS, headline.row, headline.header, message)
        return "", ""
    if listed is None:
        report(
            words.SETTINGS,
            headline.row,
            "listed_choice",
            _("headline には listed_choice も必要です。"),
        )
        return "", ""
    if question.choice(listed.text) is None:
        message = _(
            "「%(code)s」は「%(name)s」の選択肢にありません。", code=listed.text, name=headline.text
        )
        report(words.SETTINGS, listed.row, listed.header, message)
        return "", ""
    return headline.text, listed.text


def headline_title(
    report: Report, settings: Settings, headline: str, *, plain: bool = True
) -> str | None:
    """The heading of the headline's table (``None``: the question's label); one line, as a
    label reads inline. Refused without a ``headline`` (a problem of ``headline`` itself is
    said already), and with an answer inserted (``${name}``) or ODK formatting in it, as a
    label is: it is the same heading for every round's 集計 (formatting only when ``plain``, as
    in :class:`~forms.xlsform.reader.Reader`)."""
    given = settings.values.get("headline_title")
    if given is None:
        return None
    if "headline" not in settings.values:
        message = _("headline_title は headline の表の見出しです。headline も書いてください。")
        report(words.SETTINGS, given.row, given.header, message)
        return None
    problems = text_problems(given.text, plain=plain)
    for problem in problems:
        report(words.SETTINGS, given.row, given.header, problem)
    return one_line(given.text) if headline and not problems else None


def renamed(
    report: Report,
    settings: Settings,
    sections: tuple[Section, ...],
    unread: frozenset[str] = frozenset(),
) -> tuple[tuple[str, str], ...]:
    """``((name, old_name), …)`` from ``renamed``: ``lead_dept=lead_department, b=a``; a name
    whose row was refused (``unread``) is taken as a question's."""
    given = settings.values.get("renamed")
    if given is None:
        return ()
    questions = {q.id for s in sections for q in s.questions} | unread
    pairs: list[tuple[str, str]] = []
    for part in re.split(r"[,、;\n]+", given.text):
        if not part.strip():
            continue
        match = RENAMED_RE.fullmatch(part)
        if match is None:
            message = _(
                "renamed は「新しい名前=前の名前」をコンマで区切って書いてください（「%(text)s」）。",
                text=part.strip(),
            )
        elif match[1] not in questions:
            message = _("renamed の「%(name)s」はこの調査票の質問ではありません。", name=match[1])
        elif match[1] in dict(pairs):
            message = _("renamed に「%(name)s」が2回あります。", name=match[1])
        else:
            pairs.append((match[1], match[2]))
            continue
        report(words.SETTINGS, given.row, given.header, message)
    return tuple(pairs)
