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
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from flask_babel import gettext as _

from forms.expression import (
    Binary,
    Call,
    Current,
    Expr,
    ExpressionError,
    Literal,
    Ref,
    parse,
    references,
    walk,
)
from forms.model import (
    OTHER,
    OTHER_SUFFIX,
    REFERENCE_DATE,
    Choice,
    Kind,
    Label,
    Question,
    Questionnaire,
    Section,
    dependency_order,
    other_question_of,
)
from forms.webform import clashes
from forms.xlsform import vocabulary as words
from forms.xlsform.problems import DefinitionError, Problem
from forms.xlsform.sheets import Row, Sheet

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CHOICE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
FORM_ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
MAX_NAME = 64
MAX_FORM_ID = 50
MAX_VERSION = 2_147_483_647
RULE_COLUMNS = ("relevant", "required", "constraint")


@dataclass
class _Item:
    """A survey row on its way to a question, with where its rules were written."""

    row: int
    question: Question
    sources: dict[str, str] = field(default_factory=dict)
    """``{rule column: header}`` for the rules it has."""


@dataclass
class _Group:
    row: int
    name: str
    title: Label
    relevant: Expr | None
    header: str
    items: list[_Item] = field(default_factory=list)
    grouped: bool = True


class Reader:
    """Reads one file's sheets; :meth:`questionnaire` returns the definition or raises."""

    def __init__(self, sheets: dict[str, Sheet], filename: str = "") -> None:
        self.sheets = sheets
        self.filename = filename
        self.problems: list[Problem] = []
        self.default_language = "ja"

    def problem(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

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
            self.problem(words.SURVEY, None, "", _("survey シートがありません。"))
            raise DefinitionError(self.problems)
        settings = self.read_settings()
        lists = self.read_choices()
        groups = self.read_survey(survey, lists)
        self.check_rules(survey, groups)
        definition = self.build(settings, groups, survey)
        if self.problems:
            raise DefinitionError(self.problems)
        assert definition is not None
        return definition

    # ---------------------------------------------------------------------------- labels

    def label(self, sheet: Sheet, row: Row, name: str) -> Label | None:
        """The texts of the ``name`` columns as a Label; one language serves both."""
        texts: dict[str, str] = {}
        for column in sheet.columns_named(name):
            text = row.texts.get(column.index, "")
            if text:
                texts.setdefault(column.language or self.default_language, text)
        if not texts:
            return None
        others = [t for lang, t in texts.items() if lang not in ("ja", "en")]
        ja = texts.get("ja") or texts.get("en") or others[0]
        en = texts.get("en") or texts.get("ja") or others[0]
        return Label(ja, en)

    # -------------------------------------------------------------------------- settings

    def read_settings(self) -> dict[str, object]:
        sheet = self.sheets.get(words.SETTINGS)
        found: dict[str, object] = {}
        if sheet is None or not sheet.rows:
            return found
        row = sheet.rows[0]
        language = sheet.text(row, "default_language")
        if language:
            self.default_language = words.language(language)
        for key in ("form_id", "version", "headline", "listed_choice"):
            text = sheet.text(row, key)
            if text:
                found[key] = (text, sheet.header(key), row.number)
        title = self.label(sheet, row, "form_title")
        if title is not None:
            found["form_title"] = title
        return found

    # --------------------------------------------------------------------------- choices

    def read_choices(self) -> dict[str, list[tuple[Choice, int]]]:
        sheet = self.sheets.get(words.CHOICES)
        lists: dict[str, list[tuple[Choice, int]]] = {}
        if sheet is None:
            return lists
        for column in ("list_name", "name", "label"):
            if not sheet.columns_named(column):
                self.problem(sheet.name, 1, column, _("%(column)s 列がありません。", column=column))
        if self.problems:
            return lists
        for row in sheet.rows:
            choice = self.choice(sheet, row, lists)
            if choice is not None:
                lists.setdefault(sheet.text(row, "list_name"), []).append((choice, row.number))
        return lists

    def choice(
        self, sheet: Sheet, row: Row, lists: dict[str, list[tuple[Choice, int]]]
    ) -> Choice | None:
        list_name, code = sheet.text(row, "list_name"), sheet.text(row, "name")
        label = self.label(sheet, row, "label")
        ok = True
        if not list_name:
            self.problem(
                sheet.name, row.number, sheet.header("list_name"), _("list_name が空です。")
            )
            ok = False
        if not code:
            self.problem(
                sheet.name, row.number, sheet.header("name"), _("name（選択肢のコード）が空です。")
            )
            ok = False
        elif not CHOICE_RE.fullmatch(code) or len(code) > MAX_NAME:
            self.problem(
                sheet.name,
                row.number,
                sheet.header("name"),
                _(
                    "選択肢のコード「%(code)s」は使えません。半角英数字と _ . - で、空白なしの"
                    "%(max)s文字以内にしてください。",
                    code=code,
                    max=MAX_NAME,
                ),
            )
            ok = False
        if label is None:
            self.problem(sheet.name, row.number, "label", _("label（選択肢の表示名）が空です。"))
            ok = False
        if ok and any(c.code == code for c, _row in lists.get(list_name, [])):
            first = next(r for c, r in lists[list_name] if c.code == code)
            self.problem(
                sheet.name,
                row.number,
                sheet.header("name"),
                _(
                    "リスト「%(list)s」に選択肢「%(code)s」が2回あります（%(row)s行目）。",
                    list=list_name,
                    code=code,
                    row=first,
                ),
            )
            ok = False
        if not ok or label is None:
            return None
        return Choice(code, label, sheet.text(row, "mark"))

    # ---------------------------------------------------------------------------- survey

    def read_survey(self, sheet: Sheet, lists: dict[str, list[tuple[Choice, int]]]) -> list[_Group]:
        for column in ("type", "name"):
            if not sheet.columns_named(column):
                self.problem(sheet.name, 1, column, _("%(column)s 列がありません。", column=column))
        if not sheet.columns_named("label"):
            self.problem(sheet.name, 1, "label", _("label 列がありません。"))
        if self.problems:
            return []
        self.check_columns(sheet)
        groups: list[_Group] = []
        current: _Group | None = None
        seen: dict[str, int] = {}
        refused: list[str] = []
        """Refused groups and repeats still open (their control words): their end rows close
        them quietly."""
        for row in sheet.rows:
            kind_text = " ".join(sheet.text(row, "type").split())
            if not kind_text:
                self.problem(sheet.name, row.number, sheet.header("type"), _("type が空です。"))
                continue
            lowered = kind_text.lower()
            control = [*lowered.replace("_", " ").split(" "), ""]
            if control[0] == "end" and refused and refused[-1] == control[1]:
                refused.pop()
                continue
            if control[0] == "begin" and lowered not in words.GROUP_BEGIN:
                reason = (
                    "repeat" if control[1] in ("repeat", "loop", "lgroup", "looped") else "other"
                )
                self.problem(
                    sheet.name, row.number, sheet.header("type"), _unsupported(kind_text, reason)
                )
                refused.append(control[1])
                continue
            if lowered in words.GROUP_END:
                if current is None or not current.grouped:
                    self.problem(
                        sheet.name,
                        row.number,
                        sheet.header("type"),
                        _("end_group に対応する begin_group がありません。"),
                    )
                current = None
                continue
            if lowered in words.GROUP_BEGIN:
                if current is not None and current.grouped:
                    self.problem(
                        sheet.name,
                        row.number,
                        sheet.header("type"),
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
            item = self.item(sheet, row, kind_text, lists, seen)
            if item is None:
                continue
            if current is None:
                current = _Group(row.number, "", Label("", ""), None, "", grouped=False)
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

    def check_columns(self, sheet: Sheet) -> None:
        for column in sheet.columns:
            refused = column.name in words.REFUSED_COLUMNS
            if not refused:
                continue
            for row in sheet.rows:
                if row.texts.get(column.index):
                    self.problem(
                        sheet.name,
                        row.number,
                        column.header,
                        _("%(column)s 列はハブでは使えません。", column=column.header),
                    )

    def name(self, sheet: Sheet, row: Row, seen: dict[str, int]) -> str | None:
        name = sheet.text(row, "name")
        header = sheet.header("name")
        if not name:
            self.problem(sheet.name, row.number, header, _("name が空です。"))
            return None
        if not NAME_RE.fullmatch(name) or len(name) > MAX_NAME:
            self.problem(
                sheet.name,
                row.number,
                header,
                _(
                    "名前「%(name)s」は使えません。半角英字か _ で始まる半角英数字と _ の"
                    "%(max)s文字以内にしてください。",
                    name=name,
                    max=MAX_NAME,
                ),
            )
            return None
        if name == REFERENCE_DATE or clashes(name):
            self.problem(
                sheet.name,
                row.number,
                header,
                _("名前「%(name)s」はハブが使うため、別の名前にしてください。", name=name),
            )
            return None
        if name in seen:
            self.problem(
                sheet.name,
                row.number,
                header,
                _("名前「%(name)s」は%(row)s行目でも使われています。", name=name, row=seen[name]),
            )
            return None
        seen[name] = row.number
        return name

    def group(self, sheet: Sheet, row: Row, seen: dict[str, int]) -> _Group:
        name = self.name(sheet, row, seen) or ""
        for column in ("required", "constraint"):
            if sheet.text(row, column):
                self.problem(
                    sheet.name,
                    row.number,
                    sheet.header(column),
                    _("グループには %(column)s を付けられません。", column=column),
                )
        relevant = self.rule(sheet, row, "relevant")
        title = self.label(sheet, row, "label") or Label("", "")
        return _Group(
            row.number, name or f"_{row.number}", title, relevant, sheet.header("relevant")
        )

    def item(
        self,
        sheet: Sheet,
        row: Row,
        kind_text: str,
        lists: dict[str, list[tuple[Choice, int]]],
        seen: dict[str, int],
    ) -> _Item | None:
        kind, choices, list_name = self.kind(sheet, row, kind_text, lists)
        if kind is None:
            return None
        name = self.name(sheet, row, seen)
        label = self.label(sheet, row, "label")
        if label is None:
            self.problem(sheet.name, row.number, "label", _("label（質問文）が空です。"))
        if name is None or label is None:
            return None
        question = Question(
            id=name,
            kind=kind,
            label=label,
            hint=self.label(sheet, row, "hint"),
            choices=choices,
            list_name=list_name,
        )
        item = _Item(row.number, question)
        relevant = self.rule(sheet, row, "relevant")
        if relevant is not None:
            item.sources["relevant"] = sheet.header("relevant")
        if kind == Kind.NOTE:
            for column in ("required", "constraint", "personal"):
                if sheet.text(row, column) not in ("", "no", "false", "false()"):
                    self.problem(
                        sheet.name,
                        row.number,
                        sheet.header(column),
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
        constraint_message = self.label(sheet, row, "constraint_message")
        if constraint_message is not None and constraint is None:
            self.problem(
                sheet.name,
                row.number,
                "constraint_message",
                _("constraint_message がありますが constraint が空です。"),
            )
        item.question = replace(
            question,
            relevant=relevant,
            required=required,
            constraint=constraint,
            constraint_message=constraint_message,
            required_message=self.label(sheet, row, "required_message"),
            personal=self.flag(sheet, row, "personal"),
        )
        return item

    def kind(
        self,
        sheet: Sheet,
        row: Row,
        text: str,
        lists: dict[str, list[tuple[Choice, int]]],
    ) -> tuple[Kind | None, tuple[Choice, ...], str]:
        header = sheet.header("type")
        lowered = text.lower()
        if lowered in words.SIMPLE_TYPES:
            return words.SIMPLE_TYPES[lowered], (), ""
        select = words.select_type(text)
        if select is not None:
            kind, list_name, _other = select
            if list_name not in lists:
                self.problem(
                    sheet.name,
                    row.number,
                    header,
                    _("選択肢リスト「%(list)s」が choices シートにありません。", list=list_name),
                )
                return None, (), ""
            return kind, tuple(choice for choice, _row in lists[list_name]), list_name
        reason = words.unsupported_type(text) or words.unsupported_type(lowered)
        if reason is not None:
            self.problem(sheet.name, row.number, header, _unsupported(text, reason))
            return None, (), ""
        if lowered in words.SELECT_TYPES:
            self.problem(
                sheet.name,
                row.number,
                header,
                _(
                    "「%(type)s」の後に選択肢リストの名前を書いてください（例: select_one yes_no）。",
                    type=text,
                ),
            )
            return None, (), ""
        close = difflib.get_close_matches(lowered, words.known_type_words(), n=1)
        hint = _("「%(word)s」のことですか？", word=close[0]) if close else ""
        self.problem(
            sheet.name,
            row.number,
            header,
            _("種類「%(type)s」はありません。%(hint)s", type=text, hint=hint).strip(),
        )
        return None, (), ""

    def or_other(
        self,
        sheet: Sheet,
        row: Row,
        item: _Item,
        lists: dict[str, list[tuple[Choice, int]]],
        seen: dict[str, int],
    ) -> list[_Item]:
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
            self.problem(
                sheet.name,
                row.number,
                sheet.header("type"),
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
        return [_Item(row.number, text)]

    def flag(self, sheet: Sheet, row: Row, column: str) -> bool:
        text = sheet.text(row, column).lower()
        if text in words.YES:
            return True
        if text not in words.NO:
            self.problem(
                sheet.name,
                row.number,
                sheet.header(column),
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
        return self.rule(sheet, row, "required") or False

    def rule(self, sheet: Sheet, row: Row, column: str) -> Expr | None:
        text = sheet.text(row, column)
        if not text:
            return None
        try:
            expr = parse(text)
        except ExpressionError as exc:
            self.problem(sheet.name, row.number, sheet.header(column), str(exc))
            return None
        if column != "constraint":
            current = next((n for n in walk(expr) if isinstance(n, Current)), None)
            if current is not None:
                self.problem(
                    sheet.name,
                    row.number,
                    sheet.header(column),
                    _at(
                        current.position,
                        _("「.」（この質問の回答）は constraint の中だけで使えます。"),
                    ),
                )
                return None
        return expr

    # ----------------------------------------------------------------------------- rules

    def check_rules(self, sheet: Sheet, groups: list[_Group]) -> None:
        items = [item for group in groups for item in group.items]
        questions = {i.question.id: i.question for i in items if not i.question.is_note}
        notes = {i.question.id for i in items if i.question.is_note}
        group_names = {g.name for g in groups if g.grouped}
        for group in groups:
            if group.relevant is not None:
                self.check_rule(
                    sheet, group.row, group.header, group.relevant, questions, notes, group_names
                )
            for item in group.items:
                for column, header in item.sources.items():
                    expr = _rule_of(item.question, column)
                    self.check_rule(sheet, item.row, header, expr, questions, notes, group_names)
        self.check_cycle(sheet, groups)

    def check_rule(
        self,
        sheet: Sheet,
        row: int,
        header: str,
        expr: Expr,
        questions: dict[str, Question],
        notes: set[str],
        group_names: set[str],
    ) -> None:
        for node in walk(expr):
            if isinstance(node, Ref) and node.name != REFERENCE_DATE and node.name not in questions:
                self.problem(
                    sheet.name,
                    row,
                    header,
                    _at(node.position, self.unknown(node.name, questions, notes, group_names)),
                )
            code = _compared_code(node)
            if code is None:
                continue
            ref, literal = code
            question = questions.get(ref.name)
            if (
                question is not None
                and question.has_choices
                and question.choice(str(literal.value)) is None
            ):
                self.problem(
                    sheet.name,
                    row,
                    header,
                    _at(
                        literal.position,
                        _(
                            "「%(code)s」は「%(name)s」の選択肢にありません（選択肢: %(codes)s）。",
                            code=literal.value,
                            name=ref.name,
                            codes=", ".join(question.codes),
                        ),
                    ),
                )

    def unknown(
        self, name: str, questions: dict[str, Question], notes: set[str], group_names: set[str]
    ) -> str:
        if name in notes:
            return _("「%(name)s」は note（説明文）で、回答がありません。", name=name)
        if name in group_names:
            return _("「%(name)s」はグループで、回答がありません。", name=name)
        close = difflib.get_close_matches(name, [*questions, REFERENCE_DATE], n=1)
        if close:
            return _(
                "「%(name)s」という名前の質問はありません。「%(close)s」のことですか？",
                name=name,
                close=close[0],
            )
        return _("「%(name)s」という名前の質問はありません。", name=name)

    def check_cycle(self, sheet: Sheet, groups: list[_Group]) -> None:
        needs: dict[str, frozenset[str]] = {}
        rows: dict[str, int] = {}
        for group in groups:
            outer = references(group.relevant) if group.relevant is not None else frozenset()
            for item in group.items:
                own = references(item.question.relevant) if item.question.relevant else frozenset()
                needs[item.question.id] = own | outer
                rows[item.question.id] = item.row
        _order, cycle = dependency_order(list(needs), needs)
        if cycle:
            first = min(cycle, key=lambda name: rows[name])
            self.problem(
                sheet.name,
                rows[first],
                sheet.header("relevant"),
                _("relevant が循環しています: %(cycle)s", cycle=" → ".join(cycle)),
            )

    # ----------------------------------------------------------------------------- build

    def build(
        self, settings: dict[str, object], groups: list[_Group], survey: Sheet
    ) -> Questionnaire | None:
        form_id = self.form_id(settings)
        version = self.version(settings)
        sections = self.sections(groups)
        if not self.problems and not any(section.items for section in sections):
            self.problem(survey.name, None, "", _("質問がありません。"))
        title_value = settings.get("form_title")
        title = title_value if isinstance(title_value, Label) else Label.same(form_id or "")
        headline, listed = self.summary_options(settings, sections)
        if self.problems or form_id is None or version is None:
            return None
        try:
            return Questionnaire(form_id, version, title, sections, headline, listed)
        except ValueError as exc:  # every invariant is checked above; this names a gap
            self.problem("", None, "", str(exc))
            return None

    def sections(self, groups: list[_Group]) -> tuple[Section, ...]:
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

    def form_id(self, settings: dict[str, object]) -> str | None:
        given = settings.get("form_id")
        if isinstance(given, tuple):
            text, header, row = given
            if FORM_ID_RE.fullmatch(text) and len(text) <= MAX_FORM_ID:
                return str(text)
            self.problem(
                words.SETTINGS,
                row,
                header,
                _(
                    "form_id「%(id)s」は使えません。半角英字か _ で始まる半角英数字と _ - の"
                    "%(max)s文字以内にしてください。",
                    id=text,
                    max=MAX_FORM_ID,
                ),
            )
            return None
        stem = PurePath(self.filename).stem if self.filename else ""
        if FORM_ID_RE.fullmatch(stem) and len(stem) <= MAX_FORM_ID:
            return stem
        self.problem(
            words.SETTINGS,
            None,
            "form_id",
            _(
                "form_id がありません。settings シートに form_id を書くか、"
                "ファイル名を半角英数字（例: kenshu.xlsx）にしてください。"
            ),
        )
        return None

    def version(self, settings: dict[str, object]) -> int | None:
        given = settings.get("version")
        if not isinstance(given, tuple):
            return 1
        text, header, row = given
        if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_VERSION:
            return int(text)
        self.problem(
            words.SETTINGS,
            row,
            header,
            _("version は1以上の整数にしてください（「%(text)s」）。", text=text),
        )
        return None

    def summary_options(
        self, settings: dict[str, object], sections: tuple[Section, ...]
    ) -> tuple[str, str]:
        headline_given, listed_given = settings.get("headline"), settings.get("listed_choice")
        if not isinstance(headline_given, tuple):
            if isinstance(listed_given, tuple):
                _text, header, row = listed_given
                self.problem(
                    words.SETTINGS, row, header, _("listed_choice には headline も必要です。")
                )
            return "", ""
        name, header, row = headline_given
        question = next((q for s in sections for q in s.items if q.id == name), None)
        if question is None or question.kind != Kind.ONE_OF:
            self.problem(
                words.SETTINGS,
                row,
                header,
                _(
                    "headline には select_one の質問の名前を書いてください（「%(name)s」）。",
                    name=name,
                ),
            )
            return "", ""
        if not isinstance(listed_given, tuple):
            self.problem(
                words.SETTINGS, row, "listed_choice", _("headline には listed_choice も必要です。")
            )
            return "", ""
        code, listed_header, listed_row = listed_given
        if question.choice(code) is None:
            self.problem(
                words.SETTINGS,
                listed_row,
                listed_header,
                _("「%(code)s」は「%(name)s」の選択肢にありません。", code=code, name=name),
            )
            return "", ""
        return str(name), str(code)


def _rule_of(question: Question, column: str) -> Expr:
    expr = {
        "relevant": question.relevant,
        "required": question.required_if,
        "constraint": question.constraint,
    }[column]
    assert expr is not None
    return expr


def _compared_code(node: Expr) -> tuple[Ref, Literal] | None:
    """``${q} = 'code'``, ``${q} != 'code'`` or ``selected(${q}, 'code')``: the ref and the code."""
    pair: tuple[Expr, Expr] | None = None
    if isinstance(node, Binary) and node.op in ("=", "!="):
        pair = (node.left, node.right)
        if isinstance(pair[1], Ref):
            pair = (pair[1], pair[0])
    elif isinstance(node, Call) and node.name == "selected":
        pair = (node.args[0], node.args[1])
    if pair is None:
        return None
    ref, literal = pair
    if (
        isinstance(ref, Ref)
        and isinstance(literal, Literal)
        and isinstance(literal.value, str)
        and literal.value
    ):
        return ref, literal
    return None


def _at(position: int, message: str) -> str:
    return _("%(position)s文字目: %(message)s", position=position, message=message)


def _unsupported(text: str, reason: str) -> str:
    reasons = {
        "repeat": _("繰り返し（repeat）はハブでは使えません。"),
        "calculate": _("calculate（計算項目）はハブでは使えません。"),
        "geo": _("位置情報（geopoint など）はハブでは使えません。"),
        "media": _("画像・音声・動画・ファイル・バーコードはハブでは使えません。"),
        "time": _("時刻（time・datetime）はハブでは使えません。日付は date を使ってください。"),
        "metadata": _("端末や回答時刻の記録（メタデータ）はハブでは使えません。"),
        "external": _("外部ファイルの選択肢はハブでは使えません。choices シートに書いてください。"),
    }
    reason_text = reasons.get(reason, _("この種類はハブでは使えません。"))
    return _("種類「%(type)s」: %(reason)s", type=text, reason=reason_text)
