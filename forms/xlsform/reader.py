"""An XLSForm file (sheets ``survey``, ``choices``, ``settings``) into a :class:`Questionnaire`.

Every check that needs no database is made here and every problem is collected, each naming its
sheet, row and column, so a person fixes the file in one pass; any problem refuses the whole file.
What ODK/Kobo files use is read as they are — older spellings of types and columns, ``label`` with
or without a language (``label::ja``, ``label::English (en)``, ``label:English``; a text in one
language serves every language), no ``settings`` sheet (form_id from the file name, version 1) —
and what the hub does not do (repeats, ``calculate``, ``geopoint``, media, …) is refused by name.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from openpyxl.utils import get_column_letter

from forms.expression import (
    Binary,
    Call,
    Current,
    Expr,
    ExpressionError,
    Literal,
    Negative,
    Ref,
    column_name,
    parse,
    walk,
)
from forms.model import (
    NUMBER_KINDS,
    OTHER,
    OTHER_SUFFIX,
    REFERENCE_DATE,
    SUMMARY_KEYS,
    Choice,
    Kind,
    Label,
    Question,
    Questionnaire,
    Section,
    other_question_of,
    summary_key_clash,
)
from forms.schema import FIELD_TYPES, load_answers
from forms.webform import clashes
from forms.wording import listed
from forms.xlsform import settings as setting
from forms.xlsform import vocabulary as words
from forms.xlsform.checks import Group, Item, at_character, check_rules
from forms.xlsform.problems import DefinitionError, Problem
from forms.xlsform.ranges import RANGE, RangeProblem, range_question
from forms.xlsform.settings import Settings, read_settings
from forms.xlsform.sheets import Column, Row, Sheet
from forms.xlsform.texts import text_problems, title_problems

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CHOICE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_CALL = re.compile(
    r"\s*(today|now|once|concat|if|uuid|random|date|decimal-date-time|format-date|coalesce"
    r"|string|number|int|round|pulldata|instance|position|sum|count)\s*\("
)
"""The start of an ODK dynamic default (``today()``, ``once(…)``…): a function call."""
MAX_NAME = 64


class Reader:
    """Reads one file's sheets; :meth:`questionnaire` returns the definition or raises."""

    def __init__(self, sheets: dict[str, Sheet], filename: str = "", *, plain: bool = True) -> None:
        self.sheets = sheets
        self.filename = filename
        self.plain = plain
        """Refuse ODK's formatting in texts (:func:`~forms.xlsform.texts.markup_problem`): a file
        uploaded now. A stored or shipped definition was checked by the rules of its day and
        never changes, so one stored before formatting was refused still reads, as typed."""
        self.problems: list[Problem] = []
        self.default_language = "ja"
        self.choice_columns: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        """The choices sheet's other columns of each choice, by (list name, code)."""
        self.choice_rows: dict[tuple[str, str], int] = {}
        """The row of each choice read, by (list name, code): a repeated code names it."""
        self.column_names: tuple[str, ...] = ()
        self.skipped: list[tuple[int, str]] = []
        """Device-metadata rows read past (``start``, ``end``, ``deviceid``…)."""
        self.ignored: list[Problem] = []
        """What else is read past and said on the upload (a media column, a setting)."""
        self.unread: set[str] = set()
        """The names of question rows refused for a problem of their own (a typo in the list
        name, an empty label): the question is meant to be there, so the rules and settings that
        name it are not refused again for naming no question (one problem, at its cause)."""
        self.unread_lists: set[str] = set()
        """Choice lists with a row refused (or every list, when the choices sheet lacks a
        column): the questions using one are read without the checks that need the whole list
        (a rule's code, a missing list), so the problem is named once, at its row."""
        self.choices_read = True
        """False when the choices sheet lacks a column every row needs."""
        self.partial: set[str] = set()
        """The questions whose list is in :attr:`unread_lists`."""
        self.refused_rows: dict[str, tuple[int, str]] = {}
        """``{name: (row, type)}`` of rows of a type the hub does not do (a ``calculate``): a
        rule naming one is refused saying so."""
        self.survey_read = True
        """False when the survey sheet lacks a column every row needs (nothing of it is read,
        and the settings that name questions are not checked against it)."""

    def label_of(self, sheet: Sheet, row: Row, name: str) -> Label | None:
        for column in sheet.columns_named(name):
            for message in text_problems(row.texts.get(column.index, ""), plain=self.plain):
                self.problem(sheet.name, row.number, column.header, message)
        return sheet.label(row, name, self.default_language)

    def problem(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

    def at(self, sheet: Sheet, row: Row, column: str, message: str) -> None:
        """A problem in ``column`` (named as its header in the file) of ``row``."""
        self.problem(sheet.name, row.number, sheet.header(column), message)

    def questionnaire(self) -> Questionnaire:
        for name in sorted(words.REFUSED_SHEETS & set(self.sheets)):
            self.problem(
                self.sheets[name].name,
                None,
                "",
                _("このシートはハブでは使えません（ODK の entities）。"),
            )
        survey = self.sheets.get(words.SURVEY)
        if survey is None:
            found = listed(_("「%(name)s」", name=sheet.name) for sheet in self.sheets.values())
            message = _(
                "survey シートがありません（このファイルのシート: %(sheets)s）。", sheets=found
            )
            self.problem(words.SURVEY, None, "", message)
            raise DefinitionError(self.problems)
        settings = read_settings(self.sheets.get(words.SETTINGS))
        self.default_language = settings.default_language
        for name in (words.SURVEY, words.CHOICES, words.SETTINGS):
            if name in self.sheets:
                self.check_duplicate_columns(self.sheets[name])
        self.note_unused(self.sheets.get(words.SETTINGS))
        self.check_title(self.sheets.get(words.SETTINGS))
        lists = self.read_choices()
        groups = self.read_survey(survey, lists)
        self.attach_choice_columns(groups)
        check_rules(
            self.problem,
            survey.name,
            groups,
            survey.header("relevant"),
            frozenset(self.unread),
            frozenset(self.partial),
            self.refused_rows,
        )
        definition = self.build(settings, groups, survey)
        if self.problems:
            raise DefinitionError(self.problems)
        assert definition is not None
        return definition

    def check_duplicate_columns(self, sheet: Sheet) -> None:
        """Two columns the reader would read as one (``relevant`` twice; ``label`` beside
        ``label::en`` when the default language is English): one of them would be ignored, so
        the file is refused naming both, as pyxform refuses a duplicate column header."""
        known = words.SHEET_COLUMNS.get(sheet.name.strip().lower())
        first: dict[tuple[str, str | None], Column] = {}
        for column in sheet.columns:
            if known is not None and column.name not in known:
                continue  # a column the hub does not read (a memo) may be there twice
            language = column.language
            if column.name in words.TRANSLATABLE:
                language = language or self.default_language
            elif ":" in column.header:  # bind::relevant, bind::jr:constraintMsg: not one column
                language = " ".join(column.header.split()).lower()
            key = (column.name, language)
            if key not in first:
                first[key] = column
                continue
            earlier = first[key]
            message = _(
                "%(first)s列「%(first_header)s」と%(second)s列「%(second_header)s」は同じ列として"
                "読まれます（一方が無視されます）。どちらか一方にしてください。",
                first=get_column_letter(earlier.index + 1),
                first_header=earlier.header,
                second=get_column_letter(column.index + 1),
                second_header=column.header,
            )
            self.problem(sheet.name, 1, column.header, message)

    def check_title(self, settings: Sheet | None) -> None:
        """The title's cells (``form_title``, ``form_title::en``, ``form_title_en``…) hold no
        ``${name}`` and no ODK formatting, as a label (a file uploaded now: a stored definition
        keeps the title it was stored with)."""
        if not self.plain or settings is None or not settings.rows:
            return
        row = settings.rows[0]
        for column in settings.columns_named("form_title"):
            for message in title_problems(row.texts.get(column.index, "")):
                self.problem(settings.name, row.number, column.header, message)

    def note_unused(self, settings: Sheet | None) -> None:
        """Settings the hub does not use (``public_key``, ``submission_url``, ``instance_name``,
        ``style``, ``allow_choice_duplicates``…) are said by name on the upload."""
        if settings is None or not settings.rows:
            return
        row = settings.rows[0]
        for column in settings.columns:
            if column.name in words.SETTINGS_COLUMNS or not row.texts.get(column.index):
                continue
            message = _(
                "設定 %(column)s はハブでは使いません（読み飛ばしました）。", column=column.header
            )
            self.ignored.append(Problem(settings.name, row.number, column.header, message))

    def note_media(self, sheet: Sheet) -> None:
        """A media column with a value (``image``, ``media::image``…) is read past and said."""
        for column in sheet.columns:
            if column.name not in words.MEDIA_COLUMNS:
                continue
            if any(row.texts.get(column.index) for row in sheet.rows):
                message = _(
                    "%(column)s 列（画像・音声・動画）はハブでは使いません（文字だけを表示します）。"
                    "この列は読み飛ばしました。",
                    column=column.header,
                )
                self.ignored.append(Problem(sheet.name, 1, column.header, message))

    def media_only(self, sheet: Sheet, row: Row) -> str:
        """The header of a media column with a value in ``row`` ("" when none has one)."""
        return next(
            (
                c.header
                for c in sheet.columns
                if c.name in words.MEDIA_COLUMNS and row.texts.get(c.index)
            ),
            "",
        )

    def empty_label(self, sheet: Sheet, row: Row, message: str) -> None:
        """``label`` empty: said as it is, or, when the row has a picture or a sound instead,
        that media is not supported."""
        media = self.media_only(sheet, row)
        if media:
            message = _(
                "label が空で、%(column)s 列（画像・音声・動画）だけがあります。ハブは画像などを"
                "表示できないため、label に文字で書いてください。",
                column=media,
            )
        self.problem(sheet.name, row.number, "label", message)

    # --------------------------------------------------------------------------- choices

    def attach_choice_columns(self, groups: list[Group]) -> None:
        """The choices of every list a ``choice_filter`` filters carry their other columns (for
        every question using the list, so that a list stays one list)."""
        items = [item for group in groups for item in group.items]
        filtered = {i.question.list_name for i in items if i.question.choice_filter is not None}
        for item in items:
            question = item.question
            if question.list_name not in filtered:
                continue
            choices = tuple(
                replace(c, columns=self.choice_columns.get((question.list_name, c.code), ()))
                for c in question.choices
            )
            item.question = replace(question, choices=choices)

    def read_choices(self) -> dict[str, list[tuple[Choice, int]]]:
        sheet = self.sheets.get(words.CHOICES)
        lists: dict[str, list[tuple[Choice, int]]] = {}
        if sheet is None:
            return lists
        missing = [c for c in ("list_name", "name", "label") if not sheet.columns_named(c)]
        for column in missing:
            self.problem(sheet.name, 1, column, _("%(column)s 列がありません。", column=column))
        if missing:
            self.choices_read = False
            return lists
        self.note_media(sheet)
        extra = [
            c
            for c in sheet.columns
            if c.language is None
            and c.name not in words.CHOICE_COLUMNS
            and c.name not in words.MEDIA_COLUMNS
        ]
        self.column_names = tuple(c.name for c in extra)
        for row in sheet.rows:
            choice = self.choice(sheet, row, lists)
            if choice is not None:
                list_name = sheet.text(row, "list_name")
                lists.setdefault(list_name, []).append((choice, row.number))
                values = tuple((c.name, row.texts.get(c.index, "")) for c in extra)
                self.choice_columns[(list_name, choice.code)] = values
        return lists

    def allows_duplicates(self) -> bool:
        settings = self.sheets.get(words.SETTINGS)
        if settings is None or not settings.rows:
            return False
        return settings.text(settings.rows[0], "allow_choice_duplicates").lower() in words.YES

    def choice(
        self, sheet: Sheet, row: Row, lists: dict[str, list[tuple[Choice, int]]]
    ) -> Choice | None:
        list_name, code = sheet.text(row, "list_name"), sheet.text(row, "name")
        label = self.label_of(sheet, row, "label")
        ok = True
        if not list_name:
            self.at(sheet, row, "list_name", _("list_name が空です。"))
            ok = False
        if not code:
            self.at(sheet, row, "name", _("name（選択肢のコード）が空です。"))
            ok = False
        elif not CHOICE_RE.fullmatch(code) or len(code) > MAX_NAME:
            self.at(
                sheet,
                row,
                "name",
                _(
                    "選択肢のコード「%(code)s」は使えません。半角英数字と _ . - で、空白なしの"
                    "%(max)s文字以内にしてください。",
                    code=code,
                    max=MAX_NAME,
                ),
            )
            ok = False
        if label is None:
            self.empty_label(sheet, row, _("label（選択肢の表示名）が空です。"))
            ok = False
        first = self.choice_rows.get((list_name, code))
        if ok and first is not None:
            message = _(
                "リスト「%(list)s」に選択肢「%(code)s」が2回あります（%(row)s行目）。",
                list=list_name,
                code=code,
                row=first,
            )
            if self.allows_duplicates():
                message += _(
                    "settings の allow_choice_duplicates はハブでは使えません（回答はコードで"
                    "保存されるため、同じコードの選択肢は区別できません）。"
                )
            self.at(sheet, row, "name", message)
            ok = False
        if not ok or label is None:
            if list_name:
                self.unread_lists.add(list_name)
            return None
        self.choice_rows[(list_name, code)] = row.number
        return Choice(code, label, sheet.text(row, "mark"))

    # ---------------------------------------------------------------------------- survey

    def read_survey(self, sheet: Sheet, lists: dict[str, list[tuple[Choice, int]]]) -> list[Group]:
        missing = [c for c in ("type", "name", "label") if not sheet.columns_named(c)]
        for column in missing:
            self.problem(sheet.name, 1, column, _("%(column)s 列がありません。", column=column))
        if missing:
            self.survey_read = False
            return []
        self.check_columns(sheet)
        self.note_media(sheet)
        groups: list[Group] = []
        current: Group | None = None
        seen: dict[str, int] = {}
        refused: list[str] = []
        """Refused groups and repeats still open (their control words): their end rows close
        them quietly."""
        for row in sheet.rows:
            kind_text = " ".join(sheet.text(row, "type").split())
            if not kind_text and self.comment_row(sheet, row):
                continue
            if not kind_text:
                self.at(sheet, row, "type", _("type が空です。"))
                continue
            lowered = kind_text.lower()
            control = [*lowered.replace("_", " ").split(" "), ""]
            if control[0] == "end" and refused and refused[-1] == control[1]:
                refused.pop()
                continue
            if (meant := _group_typo(lowered)) is not None:
                hint = _("「%(word)s」のことですか？", word=meant)
                message = _("種類「%(type)s」はありません。%(hint)s", type=kind_text, hint=hint)
                self.at(sheet, row, "type", message)
                lowered = meant  # read as what it means: its group is not refused again
            if control[0] == "begin" and lowered not in words.GROUP_BEGIN:
                reason = (
                    "repeat" if control[1] in ("repeat", "loop", "lgroup", "looped") else "other"
                )
                self.at(sheet, row, "type", _unsupported(kind_text, reason))
                refused.append(control[1])
                continue
            if lowered in words.GROUP_END:
                if current is None or not current.grouped:
                    self.at(
                        sheet,
                        row,
                        "type",
                        _("end_group に対応する begin_group がありません。"),
                    )
                current = None
                continue
            if lowered in words.GROUP_BEGIN:
                if current is not None and current.grouped:
                    self.at(
                        sheet,
                        row,
                        "type",
                        _(
                            "グループの中にグループは置けません（%(row)s行目のグループを先に "
                            "end_group で閉じてください）。",
                            row=current.row,
                        ),
                    )
                    refused.append("group")
                    continue
                current = self.group(sheet, row, seen)
                groups.append(current)
                continue
            if words.unsupported_type(lowered) == "metadata":
                self.skipped.append((row.number, kind_text))
                continue
            item = self.item(sheet, row, kind_text, lists, seen)
            if item is None:
                continue
            if current is None:
                current = Group(row.number, "", Label("", ""), None, "", grouped=False)
                groups.append(current)
            current.items.append(item)
            for extra in self.or_other(sheet, row, item, lists, seen):
                current.items.append(extra)
        if current is not None and current.grouped:
            self.problem(
                sheet.name,
                current.row,
                sheet.header("type"),
                _("begin_group「%(name)s」が end_group で閉じられていません。", name=current.name),
            )
        return groups

    def comment_row(self, sheet: Sheet, row: Row) -> bool:
        """A row with text only in columns the hub does not read (no type, no name, no label:
        a colleague's memo) is read past, as pyxform reads past it, and said on the upload."""
        read = words.SURVEY_COLUMNS | words.REFUSED_COLUMNS | words.MEDIA_COLUMNS
        if any(c.name in read and row.texts.get(c.index) for c in sheet.columns):
            return False
        message = _("type・name・label のない行（メモ）は読み飛ばしました。")
        self.ignored.append(Problem(sheet.name, row.number, "", message))
        return True

    def check_columns(self, sheet: Sheet) -> None:
        for column in sheet.columns:
            refused = column.name in words.REFUSED_COLUMNS
            if not refused:
                continue
            for row in sheet.rows:
                if not row.texts.get(column.index):
                    continue
                kind = words.unsupported_type(sheet.text(row, "type").lower())
                if kind is not None and kind == _COLUMN_OF_TYPE.get(column.name):
                    continue  # a calculate's calculation: the type's refusal says it, once
                message = _("%(column)s 列はハブでは使えません。", column=column.header)
                instead = _column_instead(column.name)
                self.problem(sheet.name, row.number, column.header, f"{message}{instead}")

    def name(self, sheet: Sheet, row: Row, seen: dict[str, int]) -> str | None:
        """The row's name, registered in ``seen``; ``None`` (with a problem) when unusable."""
        name = sheet.text(row, "name")
        problem = _name_problem(name, seen)
        if problem:
            meant = _half_width(name)
            if meant and not _name_problem(meant, seen):
                # ｍｅｎ for men: said what to write, and still the question the rules name
                # (${men}), which are not refused again for naming no question
                problem += _("「%(name)s」（半角）と書いてください。", name=meant)
                seen[meant] = row.number
                self.unread.add(meant)
            self.at(sheet, row, "name", problem)
            return None
        seen[name] = row.number
        return name

    def group(self, sheet: Sheet, row: Row, seen: dict[str, int]) -> Group:
        name = self.name(sheet, row, seen) or ""
        for column in ("required", "constraint", "default"):
            if sheet.text(row, column).lower() not in words.NO:  # required = no is fine
                self.at(
                    sheet,
                    row,
                    column,
                    _("グループには %(column)s を付けられません。", column=column),
                )
        relevant = self.rule(sheet, row, "relevant")
        title = self.label_of(sheet, row, "label") or Label("", "")
        return Group(
            row.number, name or f"_{row.number}", title, relevant, sheet.header("relevant")
        )

    def item(
        self,
        sheet: Sheet,
        row: Row,
        kind_text: str,
        lists: dict[str, list[tuple[Choice, int]]],
        seen: dict[str, int],
    ) -> Item | None:
        if kind_text.lower() in words.CALCULATE_TYPES:
            return self.calculate(sheet, row, seen)
        if sheet.text(row, "calculation"):
            self.at(
                sheet,
                row,
                "calculation",
                _("calculation（計算式）は type が calculate の行だけに書けます。"),
            )
        kind, choices, list_name = self.kind(sheet, row, kind_text, lists)
        if kind is None:
            self.unread_question(sheet, row, kind_text, seen)
            return None
        limits = self.range_limits(sheet, row, kind_text)
        if kind_text.lower() in words.TYPE_LIMITS:
            limits = (kind, parse(words.TYPE_LIMITS[kind_text.lower()]))
        if limits is not None:
            kind = limits[0]
        name = self.name(sheet, row, seen)
        label = self.label_of(sheet, row, "label")
        if label is None:
            self.empty_label(sheet, row, _("label（質問文）が空です。"))
            if name is not None:
                self.unread.add(name)
        if name is None or label is None:
            return None
        question = Question(
            id=name,
            kind=kind,
            label=label,
            hint=self.label_of(sheet, row, "hint"),
            guidance=self.label_of(sheet, row, "guidance_hint"),
            choices=choices,
            list_name=list_name,
        )
        item = Item(row.number, question)
        relevant = self.rule(sheet, row, "relevant")
        if relevant is not None:
            item.sources["relevant"] = sheet.header("relevant")
        if kind == Kind.NOTE:
            for column in ("required", "constraint", "personal", "default"):
                if sheet.text(row, column) not in ("", "no", "false", "false()"):
                    self.at(
                        sheet,
                        row,
                        column,
                        _("note（説明文）には %(column)s を付けられません。", column=column),
                    )
            item.question = replace(question, relevant=relevant)
            return item
        required = self.required(sheet, row)
        if not isinstance(required, bool):
            item.sources["required"] = sheet.header("required")
        constraint = self.rule(sheet, row, "constraint")
        if constraint is not None:
            item.sources["constraint"] = sheet.header("constraint")
        if limits is not None:
            constraint = limits[1] if constraint is None else Binary("and", constraint, limits[1])
        constraint_message = self.label_of(sheet, row, "constraint_message")
        if constraint_message is not None and not sheet.text(row, "constraint"):
            self.at(
                sheet,
                row,
                "constraint_message",
                _("constraint_message がありますが constraint が空です。"),
            )
        item.question = replace(
            question,
            relevant=relevant,
            required=required,
            constraint=constraint,
            constraint_message=constraint_message,
            required_message=self.label_of(sheet, row, "required_message"),
            personal=self.flag(sheet, row, "personal"),
            default=self.default(sheet, row, question),
            appearance=_appearance(sheet.text(row, "appearance"), kind),
            choice_filter=self.choice_filter(sheet, row, question),
        )
        if item.question.choice_filter is not None:
            item.sources["choice_filter"] = sheet.header("choice_filter")
        return item

    def calculate(self, sheet: Sheet, row: Row, seen: dict[str, int]) -> Item | None:
        """A ``calculate`` row: its value is its ``calculation`` of the other answers, worked
        out by the hub on every save, never typed. ``label`` is optional (the name stands in);
        ``relevant``, ``hint`` and ``guidance_hint`` are read; the columns of a typed answer
        are refused. Its kind (a number or a text) is decided once every row is read."""
        name = self.name(sheet, row, seen)
        for column in (
            "required",
            "constraint",
            "constraint_message",
            "required_message",
            "default",
            "choice_filter",
            "parameters",
            "personal",
        ):
            if sheet.text(row, column).lower() not in words.NO:
                self.at(
                    sheet,
                    row,
                    column,
                    _(
                        "calculate（計算項目）には %(column)s を付けられません（値はハブが"
                        "計算し、入力されません）。",
                        column=column,
                    ),
                )
        label = self.label_of(sheet, row, "label")
        relevant = self.rule(sheet, row, "relevant")
        calculation = self.rule(sheet, row, "calculation")
        if not sheet.text(row, "calculation"):
            self.at(
                sheet,
                row,
                "calculation",
                _(
                    "calculate（計算項目）には calculation（計算式）を書いてください（例: ${a} + ${b}）。"
                ),
            )
        if name is None or calculation is None:
            if name is not None:
                self.unread.add(name)
            return None
        question = Question(
            id=name,
            kind=Kind.DECIMAL,
            label=label or Label.same(name),
            hint=self.label_of(sheet, row, "hint"),
            guidance=self.label_of(sheet, row, "guidance_hint"),
            relevant=relevant,
            calculation=calculation,
        )
        item = Item(row.number, question)
        item.sources["calculation"] = sheet.header("calculation")
        if relevant is not None:
            item.sources["relevant"] = sheet.header("relevant")
        return item

    def unread_question(self, sheet: Sheet, row: Row, kind_text: str, seen: dict[str, int]) -> None:
        """A row whose type was refused: unless the type is one the hub does not do (a
        ``calculate``, a ``geopoint``: the rules naming it must change too), its name still
        counts as a question's (:attr:`unread`), and is taken (a later row of the same name is
        a repeat)."""
        reason = words.unsupported_type(kind_text) or words.unsupported_type(kind_text.lower())
        if reason is not None:
            name = sheet.text(row, "name")
            if name and name not in seen:
                self.refused_rows.setdefault(name, (row.number, kind_text))
            return
        name = sheet.text(row, "name")
        if not _name_problem(name, seen):
            seen[name] = row.number
            self.unread.add(name)

    def choice_filter(self, sheet: Sheet, row: Row, question: Question) -> Expr | None:
        """``choice_filter``: a rule over each choice's columns (bare names; ``name`` its code)
        and other answers (``${name}``), on a select row whose list has those columns."""
        text = sheet.text(row, "choice_filter")
        if not text:
            return None
        column = "choice_filter"
        if not question.has_choices:
            self.at(sheet, row, column, _("choice_filter は選択式の質問にだけ付けられます。"))
            return None
        select = words.select_type(" ".join(sheet.text(row, "type").split()))
        if select is not None and select[2]:
            self.at(sheet, row, column, _("or_other の質問には choice_filter を付けられません。"))
            return None
        try:
            expr = parse(text, columns=True)
        except ExpressionError as exc:
            self.at(sheet, row, column, str(exc))
            return None
        known = {"name", *self.column_names}
        for node in walk(expr):
            name = column_name(node)
            problem = None
            if isinstance(node, Current):
                problem = _("「.」は choice_filter では使えません（選択肢の列は名前で書きます）。")
            elif name is not None and name not in known:
                problem = _(
                    "「%(name)s」は choices シートの列にありません（使える列: %(known)s）。",
                    name=name,
                    known=", ".join(sorted(known)),
                )
            if problem is not None:
                self.at(sheet, row, column, at_character(node.position, problem))
                return None
        return expr

    def default(self, sheet: Sheet, row: Row, question: Question) -> Any:
        """The row's ``default`` as an answer is stored, read as a respondent's typing is
        (全角, 和暦, a choice's label); an expression (ODK's dynamic default) is refused."""
        text = sheet.text(row, "default")
        if not text:
            return None
        if "${" in text or _CALL.match(text):
            self.at(
                sheet, row, "default", _("default に式は使えません（固定の値を書いてください）。")
            )
            return None
        raw: Any = text.split() if question.kind == Kind.MANY_OF else text
        try:
            value = FIELD_TYPES[question.kind](question).deserialize(raw)
        except ValidationError as exc:
            messages = exc.messages if isinstance(exc.messages, list) else [str(exc.messages)]
            reason = listed(str(m) for m in messages)
            self.at(sheet, row, "default", _("default の値を読めません: %(reason)s", reason=reason))
            return None
        return tuple(value) if isinstance(value, list) else value

    def range_limits(self, sheet: Sheet, row: Row, kind_text: str) -> tuple[Kind, Expr] | None:
        """For a ``range`` row, its number kind and limits (``forms.xlsform.ranges``); any other
        row must leave ``parameters`` empty."""
        parameters = sheet.text(row, "parameters")
        if kind_text.strip().lower() != RANGE:
            if parameters:
                self.at(sheet, row, "parameters", _("parameters 列は range の行だけで使えます。"))
            return None
        try:
            return range_question(parameters)
        except RangeProblem as exc:
            self.at(sheet, row, "parameters", str(exc))
            return None

    def kind(
        self,
        sheet: Sheet,
        row: Row,
        text: str,
        lists: dict[str, list[tuple[Choice, int]]],
    ) -> tuple[Kind | None, tuple[Choice, ...], str]:
        """``(kind, choices, list name)`` of a type; ``(None, (), "")`` with a problem."""
        lowered = text.lower()
        if lowered in words.SIMPLE_TYPES:
            return words.SIMPLE_TYPES[lowered], (), ""
        select = words.select_type(text)
        if select is not None and select[1] in lists:
            kind, list_name, _other = select
            if list_name in self.unread_lists:
                self.partial.add(sheet.text(row, "name"))
            return kind, tuple(choice for choice, _row in lists[list_name]), list_name
        if select is not None and (not self.choices_read or select[1] in self.unread_lists):
            return None, (), ""  # the list's own rows are refused: one problem, there
        self.at(sheet, row, "type", _type_problem(text, select, lists))
        return None, (), ""

    def or_other(
        self,
        sheet: Sheet,
        row: Row,
        item: Item,
        lists: dict[str, list[tuple[Choice, int]]],
        seen: dict[str, int],
    ) -> list[Item]:
        """``select_one LIST or_other``: an ``other`` choice and its text question, as pyxform
        makes them (asked when ``other`` is chosen)."""
        select = words.select_type(" ".join(sheet.text(row, "type").split()))
        if select is None or not select[2]:
            return []
        question = item.question
        if question.choice(OTHER) is None:
            other = Choice(OTHER, Label("その他", "Other"))
            item.question = replace(
                question,
                choices=(*question.choices, other),
                list_name=f"{question.list_name}_or_other",
            )
        name = question.id + OTHER_SUFFIX
        if name in seen:
            self.at(
                sheet,
                row,
                "type",
                _(
                    "or_other の質問「%(name)s」と同じ名前が%(row)s行目にあります。",
                    name=name,
                    row=seen[name],
                ),
            )
            return []
        seen[name] = row.number
        text = Question(
            id=name,
            kind=Kind.TEXT,
            label=Label(
                f"{question.label.ja}（その他の内容）",
                f"{question.label.en} (other, please specify)",
            ),
            relevant=parse(f"selected(${{{question.id}}}, '{OTHER}')"),
        )
        return [Item(row.number, text)]

    def flag(self, sheet: Sheet, row: Row, column: str) -> bool:
        text = sheet.text(row, column).lower()
        if text in words.YES:
            return True
        if text not in words.NO:
            self.at(
                sheet,
                row,
                column,
                _(
                    "%(column)s は yes か空欄にしてください（「%(text)s」）。",
                    column=column,
                    text=text,
                ),
            )
        return False

    def required(self, sheet: Sheet, row: Row) -> bool | Expr:
        text = sheet.text(row, "required")
        if text.lower() in words.YES:
            return True
        if text.lower() in words.NO:
            return False
        meant = _yes_or_no(text)
        if meant:
            self.at(
                sheet,
                row,
                "required",
                _(
                    "「%(text)s」は required に書けません。「%(word)s」と半角で書いてください"
                    "（必須は yes、必須でなければ空欄か no、条件つきの必須は式）。",
                    text=text,
                    word=meant,
                ),
            )
            return False
        return self.rule(sheet, row, "required") or False

    def rule(self, sheet: Sheet, row: Row, column: str) -> Expr | None:
        text = sheet.text(row, column)
        if not text:
            return None
        try:
            expr = parse(text)
        except ExpressionError as exc:
            self.at(sheet, row, column, str(exc))
            return None
        if column != "constraint":
            current = next((n for n in walk(expr) if isinstance(n, Current)), None)
            if current is not None:
                self.at(
                    sheet,
                    row,
                    column,
                    at_character(
                        current.position,
                        _("「.」（この質問の回答）は constraint の中だけで使えます。"),
                    ),
                )
                return None
        return expr

    # ----------------------------------------------------------------------------- build

    def build(self, settings: Settings, groups: list[Group], survey: Sheet) -> Questionnaire | None:
        form_id = setting.form_id(self.problem, settings, self.filename)
        version = setting.version(self.problem, settings)
        sections = self.sections(groups)
        if not self.problems and not any(section.items for section in sections):
            self.problem(survey.name, None, "", _("質問がありません。"))
        title = settings.title or Label.same(form_id or "")
        headline, listed, headline_title = "", "", None
        renamed: tuple[tuple[str, str], ...] = ()
        if self.survey_read:
            unread = frozenset(self.unread)
            headline, listed = setting.summary_options(self.problem, settings, sections, unread)
            headline_title = setting.headline_title(
                self.problem, settings, headline, plain=self.plain
            )
            renamed = setting.renamed(self.problem, settings, sections, unread)
        if self.problems or form_id is None or version is None:
            return None
        try:
            questionnaire = Questionnaire(
                form_id,
                version,
                title,
                sections,
                headline,
                listed,
                renamed,
                tuple(self.skipped),
                tuple(str(p) for p in self.ignored),
                headline_title=headline_title,
            )
        except ValueError as exc:  # every invariant is checked above; this names a gap
            self.problem("", None, "", str(exc))
            return None
        self.check_defaults(questionnaire, groups, survey)
        return None if self.problems else questionnaire

    def check_defaults(
        self, questionnaire: Questionnaire, groups: list[Group], survey: Sheet
    ) -> None:
        """The defaults together, as a new round stores them: each must keep its question's
        ``constraint`` (and ``choice_filter``) given the others, or a round would drop it."""
        defaults = questionnaire.defaults()
        if not defaults:
            return
        try:
            load_answers(questionnaire, defaults)
        except ValidationError as exc:
            rows = {item.question.id: item.row for group in groups for item in group.items}
            messages = exc.messages if isinstance(exc.messages, dict) else {}
            for name, reasons in messages.items():
                reason = listed(
                    str(r) for r in (reasons if isinstance(reasons, list) else [reasons])
                )
                message = _("default がこの質問の規則を満たしません: %(reason)s", reason=reason)
                self.problem(survey.name, rows.get(str(name)), survey.header("default"), message)

    def sections(self, groups: list[Group]) -> tuple[Section, ...]:
        _settle_calculations(groups)
        choice_questions = {
            i.question.id: i.question for g in groups for i in g.items if i.question.has_choices
        }
        sections = []
        for group in groups:
            items = tuple(
                replace(
                    i.question,
                    other_of=other_question_of(i.question.id, i.question.kind, choice_questions),
                )
                for i in group.items
            )
            name = group.name if group.grouped else ""
            sections.append(Section(name, group.title, items, group.relevant))
        return tuple(sections)


NUMBER_FUNCTIONS = frozenset(
    {
        "number",
        "int",
        "abs",
        "floor",
        "ceiling",
        "min",
        "max",
        "round",
        "count-selected",
        "string-length",
    }
)
"""The functions whose result is a number."""


def _settle_calculations(groups: list[Group]) -> None:
    """Each ``calculate``'s kind: ``DECIMAL`` when its ``calculation`` gives a number (an
    arithmetic, a number function, a number question, or an ``if``/``coalesce`` of such), so it
    is stored, written to the workbook and summarised as a number; else ``TEXT``."""
    items = {i.question.id: i for g in groups for i in g.items}
    settled: dict[str, bool] = {}

    def numeric_name(name: str, seen: frozenset[str]) -> bool:
        item = items.get(name)
        if item is None:
            return False
        question = item.question
        if question.calculation is None:
            return question.kind in NUMBER_KINDS
        if name not in settled:
            if name in seen:  # a cycle: refused by the checks
                return False
            settled[name] = numeric(question.calculation, seen | {name})
        return settled[name]

    def numeric(expr: Expr, seen: frozenset[str]) -> bool:
        if isinstance(expr, Literal):
            return not isinstance(expr.value, str)
        if isinstance(expr, Negative):
            return True
        if isinstance(expr, Binary):
            return expr.op in ("+", "-", "*", "div", "mod")
        if isinstance(expr, Ref):
            return numeric_name(expr.name, seen)
        if isinstance(expr, Call) and expr.name in ("if", "coalesce"):
            branches = expr.args[1:] if expr.name == "if" else expr.args
            typed = [b for b in branches if b != Literal("")]  # '' is empty in either
            return bool(typed) and all(numeric(b, seen) for b in typed)
        return isinstance(expr, Call) and expr.name in NUMBER_FUNCTIONS

    for item in items.values():
        if item.question.calculation is not None:
            number = numeric_name(item.question.id, frozenset())
            item.question = replace(item.question, kind=Kind.DECIMAL if number else Kind.TEXT)


APPEARANCES: dict[Kind, tuple[str, ...]] = {
    Kind.TEXT: ("multiline",),
    Kind.ONE_OF: ("minimal", "likert", "columns"),
    Kind.MANY_OF: ("columns",),
}
"""The ``appearance`` words per kind that the web form honours; every other is ignored, as ODK
ignores what a client cannot draw."""

_COLUMNS = re.compile(r"columns(-pack|-\d+)?|horizontal(-compact)?")
"""ODK's ways of asking for the choices side by side (``horizontal`` is its older name)."""

MAX_COLUMNS = 10
"""``columns-N`` up to this many is drawn as exactly N columns (one on a phone); a larger N, and
``columns``, ``columns-pack`` and ``horizontal``, as many columns as the screen holds."""


def _appearance(text: str, kind: Kind) -> str | None:
    """The first word of ``text`` the web form draws for ``kind``."""
    honoured = APPEARANCES.get(kind, ())
    for word in text.casefold().split():
        found = _COLUMNS.fullmatch(word)
        if found and "columns" in honoured:
            count = found.group(1) or ""
            exact = count[1:].isdigit() and 1 <= int(count[1:]) <= MAX_COLUMNS
            return f"columns-{int(count[1:])}" if exact else "columns"
        if word in honoured:
            return word
    return None


_SAID_YES = frozenset({"はい", "必須", "○", "〇", "◯", "✓", "✔", "レ"})
_SAID_NO = frozenset({"いいえ", "任意", "×", "✕", "✖", "なし"})


def _yes_or_no(text: str) -> str:
    """``yes`` or ``no`` for a ``required`` cell that says it in Japanese, by a mark or in 全角
    (はい, 必須, ○, ｙｅｓ; いいえ, 任意, ×); "" for anything else (a rule, or a word that is none
    of these)."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    if folded in _SAID_YES or (folded != text.lower() and folded in words.YES):
        return "yes"
    if folded in _SAID_NO or (folded != text.lower() and folded in words.NO):
        return "no"
    return ""


def _group_typo(lowered: str) -> str | None:
    """``begin_group`` or ``end_group`` for a type a letter or two from it (``begin_groop``,
    ``end_gruop``, ``begingroup``); ``None`` for any other type, those spellings included."""
    spellings = (*words.GROUP_BEGIN, *words.GROUP_END)
    if lowered in spellings or lowered.split(" ")[-1] in ("repeat", "loop"):
        return None
    close = difflib.get_close_matches(lowered, spellings, n=1, cutoff=0.8)
    if not close:
        return None
    return "begin_group" if close[0] in words.GROUP_BEGIN else "end_group"


def _half_width(name: str) -> str:
    """``name`` typed in 全角 (ｍｅｎ, ｑ１, ＿, a 全角 space around it) as the half-width name
    it means; "" when it has other characters (漢字, かな) or is no different."""
    folded = unicodedata.normalize("NFKC", name).strip()
    return folded if folded != name and NAME_RE.fullmatch(folded) else ""


def _name_problem(name: str, seen: dict[str, int]) -> str:
    """Why ``name`` cannot name a question, note or group ("" when it can)."""
    if not name:
        return _("name が空です。")
    if not NAME_RE.fullmatch(name) or len(name) > MAX_NAME:
        return _(
            "名前「%(name)s」は使えません。半角英字か _ で始まる半角英数字と _ の"
            "%(max)s文字以内にしてください。",
            name=name,
            max=MAX_NAME,
        )
    if name == REFERENCE_DATE or clashes(name):
        return _("名前「%(name)s」はハブが使うため、別の名前にしてください。", name=name)
    if summary_key_clash(name):
        return _(
            "名前「%(name)s」は集計（summary）の項目名と重なるため使えません。"
            "%(keys)s と、_by_region・_municipalities で終わる名前は避けてください。",
            name=name,
            keys=listed(sorted(SUMMARY_KEYS)),
        )
    if name in seen:
        return _("名前「%(name)s」は%(row)s行目でも使われています。", name=name, row=seen[name])
    return ""


def _type_problem(
    text: str, select: tuple[Kind, str, bool] | None, lists: Mapping[str, object]
) -> str:
    """Why the type ``text`` is not read: a missing list (with the list of the ``choices``
    sheet it most looks like, or the lists there are), a refused or an unknown type."""
    if select is not None:
        missing = _("選択肢リスト「%(list)s」が choices シートにありません。", list=select[1])
        return f"{missing}{_lists_instead(select[1], lists)}"
    lowered = text.lower()
    reason = words.unsupported_type(text) or words.unsupported_type(lowered)
    if reason is not None:
        return _unsupported(text, reason)
    if lowered in words.SELECT_TYPES:
        return _(
            "「%(type)s」の後に選択肢リストの名前を書いてください（例: select_one yes_no）。",
            type=text,
        )
    meant = _select_instead(text, lists)
    if meant:
        hint = _("「%(word)s」のことですか？", word=meant)
        return _("種類「%(type)s」はありません。%(hint)s", type=text, hint=hint)
    close = difflib.get_close_matches(lowered, words.known_type_words(), n=1)
    hint = _("「%(word)s」のことですか？", word=close[0]) if close else ""
    return _("種類「%(type)s」はありません。%(hint)s", type=text, hint=hint).strip()


_SELECTS = ("select_one", "select_multiple")
_OR_OTHER = "or_other"


def _select_instead(text: str, lists: Mapping[str, object]) -> str:
    """The ``select_one LIST`` a mistyped select row means, its list one of ``lists``:
    ``select_one_yes_no`` (no space), ``selectone yes_no``, ``select_mutiple yes_no``,
    ``Select_One Yes_No``, ``select_one yes_no or_othr``; "" when it looks like no select."""
    words_typed = text.split(" ")
    head = words_typed[0].lower()
    rest = words_typed[1:]
    if not rest:  # select_one_yes_no: the list joined to the type by "_"
        for select in _SELECTS:
            if head.startswith(f"{select}_") and (
                joined := _list_named(text[len(select) + 1 :], lists)
            ):
                return f"{select} {joined}"
        return ""
    close = difflib.get_close_matches(head, _SELECTS, n=1, cutoff=0.75)
    if not close or len(rest) > 2:
        return ""
    list_name = _list_named(rest[0], lists) or rest[0]
    other = rest[1:]
    if other and not difflib.get_close_matches(other[0].lower(), [_OR_OTHER], n=1, cutoff=0.7):
        return ""
    return " ".join([close[0], list_name, *([_OR_OTHER] if other else [])])


def _list_named(typed: str, lists: Mapping[str, object]) -> str:
    """The list of ``lists`` named ``typed``, in another case or a letter apart ("" for none)."""
    if typed in lists:
        return typed
    by_case = {name.casefold(): name for name in lists}
    close = difflib.get_close_matches(typed.casefold(), list(by_case), n=1, cutoff=0.8)
    return by_case[close[0]] if close else ""


LISTS_NAMED = 10
"""A missing list's refusal names the ``choices`` sheet's lists when there are no more than this."""


def _lists_instead(missing: str, lists: Mapping[str, object]) -> str:
    """What a type naming a list the ``choices`` sheet lacks may have meant: the list it most
    looks like (「yes_no」のことですか？, a letter missed or added, another case), else the
    sheet's lists when they are few ("" when there are none)."""
    names = sorted(lists)
    by_case = {name.casefold(): name for name in names}
    close = difflib.get_close_matches(missing.casefold(), list(by_case), n=1, cutoff=0.6)
    if close:
        return _("「%(word)s」のことですか？", word=by_case[close[0]])
    if names and len(names) <= LISTS_NAMED:
        return _("choices シートのリスト: %(lists)s。", lists=listed(names))
    return ""


_COLUMN_OF_TYPE = {"repeat_count": "repeat"}
"""A refused column that belongs to a refused type (the vocabulary's names): on that type's row
only the type is refused."""


def _column_instead(name: str) -> str:
    """What to write instead of a value in the refused column ``name`` ('' when nothing fits)."""
    return column_advice().get(name, "")


def column_advice() -> dict[str, str]:
    """What to write instead, by refused column (:data:`~forms.xlsform.vocabulary.REFUSED_COLUMNS`
    that have advice), in the request's language: the refusals' words, and the guide's."""
    return {
        "read_only": _(
            "回答者に見せるだけの文は note（説明文）に、決まった値は default に書いてください。"
        ),
        "trigger": _(
            "ほかの回答が変わったときに値を入れ直す仕組みはありません。この列を消してください"
            "（決まった値は default に書けます）。"
        ),
        "repeat_count": _(
            "繰り返しはハブでは使えません。回ごとの内容は「第1回」「第2回」のように質問を分けて"
            "書いてください。"
        ),
    }


def _unsupported(text: str, reason: str) -> str:
    reason_text = type_refusals().get(reason, other_refusal())
    return _("種類「%(type)s」: %(reason)s", type=text, reason=reason_text)


def other_refusal() -> str:
    return _("この種類はハブでは使えません。")


def type_refusals() -> dict[str, str]:
    """Why a type is refused, by the reason key of
    :data:`~forms.xlsform.vocabulary.UNSUPPORTED_TYPES` (``other``: :func:`other_refusal`), in the
    request's language: the refusals' words, and the guide's."""
    return {
        "repeat": _(
            "繰り返し（repeat）はハブでは使えません（回答は区市町村ごとに質問1つにつき1つです）。"
            "回数や人数は integer で尋ね、回ごとの内容は「第1回」「第2回」のように質問を分けて"
            "書いてください。"
        ),
        "geo": _("位置情報（geopoint など）はハブでは使えません。"),
        "media": _("画像・音声・動画・ファイル・バーコードはハブでは使えません。"),
        "time": _("時刻（time・datetime）はハブでは使えません。日付は date を使ってください。"),
        "metadata": _("端末や回答時刻の記録（メタデータ）はハブでは使えません。"),
        "external": _("外部ファイルの選択肢はハブでは使えません。choices シートに書いてください。"),
    }
