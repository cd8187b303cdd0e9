"""The pre-filled Excel template of one response (docs/excel-template.md).

The workbook is a projection of the questionnaire definition, like the web form and the schema:
sheet ``回答`` lists one item per row — column A the key (a question id, or
``question_id.choice_code`` for each choice of a many-of question), B the label, C the answer —
under a header block naming the municipality, the round and its 基準日. Column A holds nothing
but keys (headings and titles are in B to E), so a program that knows only the layout of
docs/excel-template.md can read and write the file. A very hidden ``_meta`` sheet carries the
same facts for :mod:`exports.upload`, which reads the file back.

Only column C of item rows is unlocked; everything else is protected without a password, so a
person can fill the file but not move the keys by accident. Every cell is written as a value,
never as a formula, whatever the user typed earlier (formula injection).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.worksheet import Worksheet

from exports.template_layout import (
    ANSWER_COLUMN,
    FORMAT,
    FORMAT_VERSION,
    HINT_COLUMN,
    INSTRUCTIONS_SHEET,
    KEY_COLUMN,
    LABEL_COLUMN,
    MARK,
    META_SHEET,
    NO,
    REQUIRED_COLUMN,
    SHEET,
    YES,
    put,
)
from exports.template_lists import Lists, Validations, write_lists
from forms.describe import rule_texts
from forms.model import Choice, Kind, Question, Questionnaire
from forms.normalize import InvalidValue, to_wareki
from forms.tokyo import TOKYO

if TYPE_CHECKING:
    from hub.models import Response


_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEADING_FILL = PatternFill("solid", fgColor="D9E1F2")
_QUESTION_FILL = PatternFill("solid", fgColor="EDEDED")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_REQUIRED_FONT = Font(bold=True, color="C00000")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CHOICE = Alignment(wrap_text=True, vertical="top", indent=2)
_UNLOCKED = Protection(locked=False)


@dataclass(frozen=True)
class Item:
    """One row of sheet ``回答`` that holds an answer: a question, or one choice of a many-of."""

    key: str
    question: Question
    choice: Choice | None = None


@dataclass(frozen=True)
class TemplateInfo:
    """Everything the template shows; built from a response by :func:`info_for`."""

    questionnaire: Questionnaire
    municipality_code: str
    municipality_name: str
    round_id: int
    round_title: str
    reference_date: date
    answers: Mapping[str, Any] = field(default_factory=dict)
    response_version: int = 0
    """The response's version when the template was made: an upload made from an older state is
    a concurrent edit, as in the web form."""
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def items(questionnaire: Questionnaire) -> Iterator[Item]:
    """The answer rows in sheet order; the one definition of the template's keys."""
    for question in questionnaire:
        if question.kind == Kind.MANY_OF:
            for choice in question.choices:
                yield Item(f"{question.id}.{choice.code}", question, choice)
        else:
            yield Item(question.id, question)


def item_map(questionnaire: Questionnaire) -> dict[str, Item]:
    """``{key: item}`` for reading a template back (see :mod:`exports.upload`)."""
    return {item.key: item for item in items(questionnaire)}


def display_value(question: Question, value: Any) -> Any:
    """An answer as a person reads it: choice labels with their marks, dates in 和暦.

    The template is pre-filled with these and the upload preview shows them; each reads back to
    the same stored value through the schema.
    """
    if value is None or value == [] or value == "":
        return None
    if question.kind == Kind.ONE_OF:
        choice = question.choice(str(value))
        return choice.display("ja") if choice else str(value)
    if question.kind == Kind.MANY_OF and isinstance(value, list):
        return "、".join(_choice_display(question, code) for code in value)
    if question.kind == Kind.BOOL:
        return YES if value else NO
    if question.kind == Kind.DATE and isinstance(value, str):
        try:
            return to_wareki(date.fromisoformat(value))
        except (ValueError, InvalidValue):
            return value
    return value


def _choice_display(question: Question, code: str) -> str:
    choice = question.choice(code)
    return choice.display("ja") if choice else code


def info_for(response: Response) -> TemplateInfo:
    """What the template of ``response`` shows: its current draft (or last round's answers)."""
    round_ = response.round
    return TemplateInfo(
        questionnaire=round_.questionnaire,
        municipality_code=response.municipality_code,
        municipality_name=response.municipality.name,
        round_id=round_.id,
        round_title=round_.title,
        reference_date=round_.reference_date,
        answers=dict(response.answers or {}),
        response_version=response.version,
    )


def template_for(response: Response) -> bytes:
    """The xlsx bytes of ``response``'s template, pre-filled with its current answers."""
    return build_template(info_for(response))


def filename_for(response: Response) -> str:
    """``torikumi_<round>_<code>_<name>.xlsx``: recognisable in a folder of 62 files."""
    return f"{_file_stem(response)}_{response.municipality.name}.xlsx"


def ascii_filename_for(response: Response) -> str:
    """``torikumi_<round>_<code>.xlsx``, for programs that cannot read a Japanese file name."""
    return f"{_file_stem(response)}.xlsx"


def _file_stem(response: Response) -> str:
    return f"{response.round.questionnaire.id}_{response.round_id}_{response.municipality_code}"


def build_template(info: TemplateInfo) -> bytes:
    """The xlsx bytes: sheets 回答, 記入方法, and the hidden ``_lists`` and ``_meta``."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), info)
    lists = write_lists(workbook, info.questionnaire, info.reference_date)
    _write_answer_sheet(sheet, info, lists)
    _write_meta(workbook.create_sheet(META_SHEET), info)
    workbook.active = 0
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.properties.title = info.questionnaire.title.ja
    workbook.properties.creator = "再犯防止 連携調査ハブ"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER_ROW = 9
"""The row of sheet 回答's table header: the title and six facts above it, then a blank row."""


def last_row(questionnaire: Questionnaire) -> int:
    """The last row of sheet 回答 in a template of ``questionnaire``, as
    :func:`_write_answer_sheet` lays it out: a section's heading, a row per question or note,
    and a row per choice under a many-of's heading."""
    row = HEADER_ROW
    for section in questionnaire.sections:
        row += 1 if section.title.ja else 0
        for question in section.items:
            row += 1 + (len(question.choices) if question.kind == Kind.MANY_OF else 0)
    return row


def _write_answer_sheet(sheet: Worksheet, info: TemplateInfo, lists: Lists) -> None:
    row = _write_header_block(sheet, info)
    sheet.cell(row=row, column=KEY_COLUMN).fill = _HEADING_FILL
    for column, title in zip(
        (LABEL_COLUMN, ANSWER_COLUMN, REQUIRED_COLUMN, HINT_COLUMN),
        ("項目", "回答（黄色のセルに入力）", "必須", "入力のしかた"),
        strict=True,
    ):
        cell = sheet.cell(row=row, column=column)
        put(cell, title)
        cell.font = _BOLD
        cell.fill = _HEADING_FILL
    sheet.freeze_panes = sheet.cell(row=row + 1, column=LABEL_COLUMN)
    validations = Validations(sheet, lists)
    questionnaire = info.questionnaire
    for section in questionnaire.sections:
        if section.title.ja:
            row += 1
            _heading(sheet, row, section.title.ja, _HEADING_FILL)
        for question in section.items:
            row += 1
            if question.is_note:
                _write_note(sheet, row, info, question)
            elif question.kind == Kind.MANY_OF:
                row = _write_many_of(sheet, row, info, question, validations)
            else:
                _write_single(sheet, row, info, question, validations)
    validations.attach()
    _finish_layout(sheet)


def _write_header_block(sheet: Worksheet, info: TemplateInfo) -> int:
    """Rows above the items; returns the row of the table header."""
    title = sheet.cell(row=1, column=LABEL_COLUMN)
    put(title, info.questionnaire.title.ja)
    title.font = _TITLE
    created = info.created_at.astimezone(TOKYO)
    facts = (
        ("自治体コード", info.municipality_code),
        ("自治体名", info.municipality_name),
        ("調査回", f"{info.round_title}（調査回番号 {info.round_id}）"),
        ("基準日", f"{to_wareki(info.reference_date)}現在"),
        ("調査票", f"{info.questionnaire.id}（第{info.questionnaire.version}版）"),
        ("作成日時", created.strftime("%Y-%m-%d %H:%M（日本時間）")),
    )
    for offset, (label, value) in enumerate(facts, start=2):
        put(sheet.cell(row=offset, column=LABEL_COLUMN), label)
        sheet.cell(row=offset, column=LABEL_COLUMN).font = _BOLD
        put(sheet.cell(row=offset, column=ANSWER_COLUMN), value)
    assert len(facts) + 3 == HEADER_ROW
    return HEADER_ROW


def _heading(sheet: Worksheet, row: int, text: str, fill: PatternFill) -> None:
    for column in range(KEY_COLUMN, HINT_COLUMN + 1):
        sheet.cell(row=row, column=column).fill = fill
    cell = sheet.cell(row=row, column=LABEL_COLUMN)
    put(cell, text)
    cell.font = _BOLD
    cell.alignment = _WRAP


def _write_single(
    sheet: Worksheet, row: int, info: TemplateInfo, question: Question, validations: Validations
) -> None:
    put(sheet.cell(row=row, column=KEY_COLUMN), question.id)
    label = sheet.cell(row=row, column=LABEL_COLUMN)
    put(label, question.label.ja)
    label.alignment = _WRAP
    _write_required(sheet, row, question)
    hint = sheet.cell(row=row, column=HINT_COLUMN)
    put(hint, _hint(info.questionnaire, question, validations.lists))
    hint.alignment = _WRAP
    if question.is_calculated:
        # read-only: the value saved last, grey and locked; the hub works it out on upload
        answer = sheet.cell(row=row, column=ANSWER_COLUMN)
        answer.fill = _QUESTION_FILL
        answer.alignment = _WRAP
        answer.number_format = "@" if question.kind == Kind.TEXT else "General"
        put(answer, display_value(question, info.answers.get(question.id)), user_text=True)
        return
    answer = _input_cell(sheet, row)
    if question.kind in (Kind.TEXT, Kind.DATE, Kind.PHONE, Kind.EMAIL):
        answer.number_format = "@"
    put(answer, display_value(question, info.answers.get(question.id)), user_text=True)
    validations.add(question.id, answer.coordinate)


def _write_note(sheet: Worksheet, row: int, info: TemplateInfo, note: Question) -> None:
    """A note: its text in B, its hint and rules in E; no key, nothing to answer."""
    text = sheet.cell(row=row, column=LABEL_COLUMN)
    put(text, note.label.ja)
    text.alignment = _WRAP
    hint = sheet.cell(row=row, column=HINT_COLUMN)
    put(hint, _hint(info.questionnaire, note))
    hint.alignment = _WRAP


def _write_many_of(
    sheet: Worksheet, row: int, info: TemplateInfo, question: Question, validations: Validations
) -> int:
    _heading(sheet, row, question.label.ja, _QUESTION_FILL)
    _write_required(sheet, row, question)
    hint = sheet.cell(row=row, column=HINT_COLUMN)
    put(hint, _hint(info.questionnaire, question, validations.lists))
    hint.alignment = _WRAP
    chosen = info.answers.get(question.id) or []
    for choice in question.choices:
        row += 1
        put(sheet.cell(row=row, column=KEY_COLUMN), f"{question.id}.{choice.code}")
        label = sheet.cell(row=row, column=LABEL_COLUMN)
        put(label, choice.display("ja"))
        label.alignment = _CHOICE
        answer = _input_cell(sheet, row)
        answer.alignment = Alignment(horizontal="center", vertical="top")
        if choice.code in chosen:
            put(answer, MARK)
        validations.add_mark(question.id, answer.coordinate)
    return row


def _input_cell(sheet: Worksheet, row: int) -> Cell:
    cell = sheet.cell(row=row, column=ANSWER_COLUMN)
    cell.fill = _INPUT_FILL
    cell.protection = _UNLOCKED
    cell.alignment = _WRAP
    return cell


def _write_required(sheet: Worksheet, row: int, question: Question) -> None:
    if question.required is False:
        return
    cell = sheet.cell(row=row, column=REQUIRED_COLUMN)
    put(cell, "必須" if question.required is True else "条件付き必須")
    cell.font = _REQUIRED_FONT
    cell.alignment = _WRAP


def _hint(questionnaire: Questionnaire, question: Question, lists: Lists | None = None) -> str:
    parts = [_kind_hint(question)]
    if question.hint is not None and question.kind not in (Kind.ONE_OF, Kind.MANY_OF):
        parts = [question.hint.ja]
    parts += rule_texts(question, questionnaire)
    found = lists.cascades.get(question.id) if lists else None
    if found is not None and question.kind == Kind.MANY_OF:
        parts.append(
            f"先に「{found.parent_label}」を選ぶと、選べない選択肢は灰色の取り消し線になります"
        )
    elif found is not None:
        parts.append(f"先に「{found.parent_label}」を選ぶと、一覧にはそれに合う選択肢だけが出ます")
    if question.guidance is not None:
        parts.append(f"（詳しい説明）{question.guidance.ja.rstrip('。')}")
    return "。".join(p for p in parts if p)


def _kind_hint(question: Question) -> str:
    if question.is_calculated:
        return ""  # rule_texts says it: 入力不要（ほかの回答からハブが計算: …）
    if question.kind == Kind.ONE_OF:
        return "一覧から1つ選択"
    if question.kind == Kind.MANY_OF:
        return f"該当する選択肢すべてに「{MARK}」（1、✓ なども可）"
    if question.kind == Kind.BOOL:
        return f"「{YES}」か「{NO}」を選択"
    if question.kind == Kind.INTEGER:
        return "整数（全角・半角どちらでも可）"
    if question.kind == Kind.DECIMAL:
        return "数（小数も可。全角・半角どちらでも可）"
    if question.kind == Kind.DATE:
        return "例: 令和3年4月1日、R3.4.1、2021/4/1"
    if question.kind == Kind.PHONE:
        return "例: 03-5321-1111"
    if question.kind == Kind.EMAIL:
        return "例: taro@example.lg.jp"
    return ""


_WIDTHS = {"A": 34, "B": 50, "C": 40, "D": 13, "E": 50}
_LINE_HEIGHT = 16


def _finish_layout(sheet: Worksheet) -> None:
    for letter, width in _WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    for row in range(1, sheet.max_row + 1):
        _fit_height(sheet, row)
    sheet.column_dimensions["A"].hidden = True
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _fit_height(sheet: Worksheet, row: int) -> None:
    """Tall enough for wrapped text: spreadsheet programs do not grow rows of generated files."""
    lines = 1
    for letter in ("B", "C", "E"):
        value = sheet[f"{letter}{row}"].value
        if isinstance(value, str) and value:
            lines = max(lines, _lines_needed(value, _WIDTHS[letter]))
    if lines > 1:
        sheet.row_dimensions[row].height = lines * _LINE_HEIGHT + 4


def _lines_needed(text: str, width: int) -> int:
    """Wrapped lines of ``text`` in a column ``width`` characters wide (full-width counts 2)."""
    total = 0
    for line in text.split("\n"):
        units = sum(1 if ord(ch) < 0x2E80 else 2 for ch in line)
        total += max(1, -(-units // max(width - 2, 1)))
    return total


def _write_instructions(sheet: Worksheet, info: TemplateInfo) -> None:
    lines = (
        f"このファイルは「{info.questionnaire.title.ja}」の"
        f"{info.municipality_name}（{info.municipality_code}）用の回答テンプレートです。",
        f"基準日: {to_wareki(info.reference_date)}現在　調査回番号: {info.round_id}",
        "",
        "■ 入力のしかた",
        f"1. 「{SHEET}」シートのC列の黄色のセルに回答を入力してください。"
        "ほかのセルは保護されています（パスワードはありません）。",
        "2. 選択肢の項目は、セルを選ぶと表示される一覧から選んでください。"
        "①〜⑥の番号は付けたままでも外しても受け付けます。",
        f"3. 複数選択の項目は、該当する選択肢の行に「{MARK}」を入力してください"
        "（〇、1、✓、x も可）。該当しない行は空欄にしてください。",
        "4. 日付は「令和3年4月1日」「令和元年5月1日」「R3.4.1」「2021/4/1」などの形で入力できます。",
        "5. 数字は全角でも半角でも入力できます。",
        "6. 「必須」の項目は提出の前に必ず入力してください。「条件付き必須」はE列の条件のときに必須です。",
        "7. 現在の回答（前回の調査で受理された回答を含む）があらかじめ入力されています。",
        "",
        "■ 提出のしかた",
        "1. 入力が終わったら .xlsx 形式のまま保存してください"
        "（.xls やマクロ付きの .xlsm は受け付けられません）。",
        "2. ハブの「Excelで回答」画面からアップロードすると、変更点の確認画面が表示されます。"
        "確認して保存すると一時保存（下書き）になります。提出はハブの画面で行ってください。",
        "3. シート名・行の並び・項目ID（非表示のA列）は変更しないでください。"
        "変更されたファイルは受け付けられません。",
        "4. 他の自治体・他の調査回のテンプレートはアップロードできません。",
        "5. 入力に誤りがあると、誤りのあるセル（例: 回答!C12）と理由が表示されます。"
        "ハブに保存済みの内容はそのまま残ります。",
    )
    for row, line in enumerate(lines, start=1):
        if line:
            cell = sheet.cell(row=row, column=1)
            put(cell, line)
            cell.alignment = _WRAP
    sheet.cell(row=1, column=1).font = _BOLD
    sheet.column_dimensions["A"].width = 90
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.protection.sheet = True


def _write_meta(sheet: Worksheet, info: TemplateInfo) -> None:
    """The facts :mod:`exports.upload` checks, as text, on a sheet users cannot unhide."""
    facts = meta_facts(info)
    for row, (key, value) in enumerate(facts.items(), start=1):
        put(sheet.cell(row=row, column=1), key)
        put(sheet.cell(row=row, column=2), value)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


def meta_facts(info: TemplateInfo) -> dict[str, str]:
    """The ``_meta`` sheet's rows; :func:`exports.upload.read_template` reads them back."""
    return {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "municipality_code": info.municipality_code,
        "round_id": str(info.round_id),
        "questionnaire_id": info.questionnaire.id,
        "questionnaire_version": str(info.questionnaire.version),
        "reference_date": info.reference_date.isoformat(),
        "response_version": str(info.response_version),
        "created_at": info.created_at.astimezone(UTC).isoformat(timespec="seconds"),
    }
