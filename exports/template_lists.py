"""The Excel template's drop-downs and the checks Excel makes while a person types: the choices
on a hidden sheet (``_lists``), one list validation per question, and for a cascading select
(:func:`forms.rules.cascade`: a ``choice_filter`` that reads one other ``select_one``) the
choices offered for each answer to that question, so that

- a ``select_one``'s drop-down offers, by ``OFFSET``, what fits the answer in the other
  question's cell (every choice while it is empty or not one of its choices);
- a ``select_multiple``'s choice rows that do not fit are greyed and struck through
  (conditional formatting), and a mark on one of them is refused (a custom validation).

Excel and LibreOffice both evaluate these rules. A rule longer than Excel's 255 characters, or
over labels that MATCH would read as wildcards, is not written (the list keeps every choice); the
upload refuses a choice the rule does not offer either way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font
from openpyxl.utils.cell import absolute_coordinate, coordinate_from_string, get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from exports.template_layout import LABEL_COLUMN, LISTS_SHEET, MARK, NO, YES, put
from forms.model import Kind, Questionnaire
from forms.rules import cascade

MAX_RULE = 255
"""The longest rule Excel keeps in a data validation."""

_NOT_OFFERED = Font(color="808080", strike=True)


@dataclass(frozen=True)
class CascadeList:
    """A cascading select's table on the hidden sheet: column ``keys`` the other question's
    choice (one row per choice it offers, grouped by that choice), column ``values`` the offered
    choice."""

    parent_id: str
    parent_label: str
    keys: str
    """The keys' range, ``'_lists'!$C$1:$C$9``."""
    values: str
    """The offered choices' range, ``'_lists'!$D$1:$D$9``."""

    @property
    def first(self) -> str:
        """The first offered choice's cell, ``'_lists'!$D$1``."""
        return self.values.split(":")[0]


@dataclass(frozen=True)
class Lists:
    """What the hidden sheet holds: ``names`` every drop-down list's defined name by question
    id; ``cascades`` the cascading selects' tables by question id."""

    names: dict[str, str]
    cascades: dict[str, CascadeList]


def write_lists(workbook: Workbook, questionnaire: Questionnaire, reference_date: date) -> Lists:
    """The drop-down choices on a hidden sheet, and each cascading select's table."""
    sheet = workbook.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    names: dict[str, str] = {}
    cascades: dict[str, CascadeList] = {}
    column = 0
    for question in questionnaire:
        if question.kind in (Kind.ONE_OF, Kind.BOOL):
            column += 1
            if question.kind == Kind.ONE_OF:
                values = [c.display("ja") for c in question.choices]
            else:
                values = [YES, NO]
            names[question.id] = _defined_list(workbook, sheet, question.id, column, values)
        found = cascade(questionnaire, question, reference_date=reference_date)
        pairs = [(p, c) for p, offered in found.offered for c in offered] if found else []
        key_texts = [p.display("ja") for p, _ in pairs]
        offered_texts = [c.display("ja") for _, c in pairs]
        if found and pairs and all(map(_matched_as_typed, key_texts + offered_texts)):
            column += 2
            keys = _column(sheet, column - 1, key_texts)
            offered = _column(sheet, column, offered_texts)
            cascades[question.id] = CascadeList(
                found.parent.id, found.parent.label.ja, keys, offered
            )
    sheet.protection.sheet = True
    return Lists(names, cascades)


def _matched_as_typed(text: str) -> bool:
    """Whether MATCH and COUNTIFS find ``text`` only as itself: ``*``, ``?`` and ``~`` are their
    wildcards, and a leading ``<``, ``>`` or ``=`` a comparison. A cascade whose labels hold one
    keeps every choice."""
    return not any(c in text for c in "*?~") and not text.startswith(("<", ">", "="))


def _defined_list(
    workbook: Workbook, sheet: Worksheet, question_id: str, column: int, values: list[str]
) -> str:
    name = f"list_{question_id}"
    workbook.defined_names[name] = DefinedName(name, attr_text=_column(sheet, column, values))
    return name


def _column(sheet: Worksheet, column: int, values: list[str]) -> str:
    """Write ``values`` down ``column`` from row 1; their range, ``'_lists'!$C$1:$C$9``."""
    for row, value in enumerate(values, start=1):
        put(sheet.cell(row=row, column=column), value)
    letter = sheet.cell(row=1, column=column).column_letter
    return f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"


@dataclass
class Validations:
    """Collects the cells of each drop-down and each many-of's mark cells, so that one rule
    covers them all; :meth:`attach` writes them once every row is placed."""

    sheet: Worksheet
    lists: Lists
    by_question: dict[str, list[str]] = field(default_factory=dict)
    marks_by_question: dict[str, list[str]] = field(default_factory=dict)

    def add(self, question_id: str, coordinate: str) -> None:
        if question_id in self.lists.names:
            self.by_question.setdefault(question_id, []).append(coordinate)

    def add_mark(self, question_id: str, coordinate: str) -> None:
        self.marks_by_question.setdefault(question_id, []).append(coordinate)

    def cascade_of(self, question_id: str) -> CascadeList | None:
        return self.lists.cascades.get(question_id)

    def attach(self) -> None:
        for question_id, cells in self.by_question.items():
            validation = DataValidation(
                type="list",
                formula1=self.list_rule(question_id),
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop",
                errorTitle="選択肢にない値です",
                error="一覧から選んでください。",
                sqref=covering(cells),
            )
            self.sheet.add_data_validation(validation)
        plain = [
            coordinate
            for question_id, cells in self.marks_by_question.items()
            if not self.attach_cascaded_marks(question_id, cells)
            for coordinate in cells
        ]
        if plain:
            marks = DataValidation(
                type="list",
                formula1=f'"{MARK}"',
                allow_blank=True,
                showErrorMessage=False,
                promptTitle="複数選択",
                prompt=f"該当する場合は「{MARK}」を入力（1、✓ なども可）。該当しない場合は空欄。",
                showInputMessage=True,
                sqref=covering(plain),
            )
            self.sheet.add_data_validation(marks)

    def parent_cell(self, found: CascadeList | None) -> str | None:
        """The absolute cell of the answer a cascading select reads (``$C$12``)."""
        cells = self.by_question.get(found.parent_id, []) if found else []
        return absolute_coordinate(cells[0]) if cells else None

    def list_rule(self, question_id: str) -> str:
        """The list's defined name; for a cascading select, the choices offered for the answer in
        the other question's cell (every choice while it is empty or not one of its choices)."""
        every = self.lists.names[question_id]
        found = self.cascade_of(question_id)
        parent = self.parent_cell(found)
        if found is None or parent is None:
            return every
        match = f"MATCH({parent},{found.keys},0)"
        count = f"COUNTIF({found.keys},{parent})"
        rule = f"IF(ISNA({match}),{every},OFFSET({found.first},{match}-1,0,{count},1))"
        return rule if len(rule) <= MAX_RULE else every

    def attach_cascaded_marks(self, question_id: str, cells: list[str]) -> bool:
        """A many-of's choice rows (label in B, mark in C, one under the other) when it is a
        cascading select: the rows that do not fit the other answer greyed and struck through,
        a mark on one of them refused. ``False`` (nothing written) for any other many-of."""
        found = self.cascade_of(question_id)
        parent = self.parent_cell(found)
        if found is None or parent is None:
            return False
        top, bottom = cells[0], cells[-1]
        row = coordinate_from_string(top)[1]
        label = f"${get_column_letter(LABEL_COLUMN)}{row}"
        fits = f"COUNTIFS({found.keys},{parent},{found.values},{label})>0"
        unknown = f"ISNA(MATCH({parent},{found.keys},0))"
        allowed = f'OR({top}="",{unknown},{fits})'
        greyed = f"AND(NOT({unknown}),NOT({fits}))"
        if max(len(allowed), len(greyed)) > MAX_RULE:
            return False
        validation = DataValidation(
            type="custom",
            formula1=allowed,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="選べない選択肢です",
            error=f"この選択肢は「{_short(found.parent_label)}」の回答では選べません。",
            promptTitle="複数選択",
            prompt=f"該当する場合は「{MARK}」を入力（1、✓ なども可）。灰色の取り消し線の選択肢は選べません。",
            showInputMessage=True,
        )
        validation.add(f"{top}:{bottom}")
        self.sheet.add_data_validation(validation)
        self.sheet.conditional_formatting.add(
            f"{label.lstrip('$')}:{bottom}", FormulaRule(formula=[greyed], font=_NOT_OFFERED)
        )
        return True


def covering(cells: list[str]) -> str:
    """``cells`` as one range list (``sqref``), each run of cells one under the other a range
    (C12:C1211): a rule's cells added one at a time cost openpyxl a look through all the earlier
    ones each (0.5 s for a many-of of 1,200 choices)."""
    runs: list[tuple[str, int, int]] = []
    for coordinate in dict.fromkeys(cells):
        column, row = coordinate_from_string(coordinate)
        if runs and runs[-1][0] == column and runs[-1][2] == row - 1:
            runs[-1] = (column, runs[-1][1], row)
        else:
            runs.append((column, row, row))
    return " ".join(f"{c}{a}" if a == b else f"{c}{a}:{c}{b}" for c, a, b in runs)


def _short(label: str, limit: int = 60) -> str:
    """A question's label in a validation's message, which Excel keeps to 225 characters (a
    longer one makes it repair the file)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
