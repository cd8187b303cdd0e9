"""The checks on a definition's rules once every survey row is read: each ``${name}`` names a
question, each compared code is in its question's list, and ``relevant`` rules and ``calculate``
rows' ``calculation`` form no cycle."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from forms.expression import Binary, Call, Expr, Literal, Ref, references, walk
from forms.model import REFERENCE_DATE, Label, Question, dependency_order

Report = Callable[[str, int | None, str, str], None]
"""Records a problem: ``(sheet, row, column, message)``."""


@dataclass
class Item:
    """A survey row on its way to a question, with where its rules were written."""

    row: int
    question: Question
    sources: dict[str, str] = field(default_factory=dict)
    """``{rule column: header}`` for the rules it has."""


@dataclass
class Group:
    """A ``begin_group`` … ``end_group`` (or a run of rows outside any group)."""

    row: int
    name: str
    title: Label
    relevant: Expr | None
    header: str
    """The header of the ``relevant`` column."""
    items: list[Item] = field(default_factory=list)
    grouped: bool = True


def at_character(position: int, message: str) -> str:
    return _("%(position)s文字目: %(message)s", position=position, message=message)


def check_rules(
    report: Report,
    sheet: str,
    groups: list[Group],
    relevant_header: str,
    unread: frozenset[str] = frozenset(),
    partial: frozenset[str] = frozenset(),
    refused: dict[str, tuple[int, str]] | None = None,
) -> None:
    """Every rule's names and codes; ``unread``: questions whose own row was refused, which
    the rules may name (their row's problem is the one to fix); ``partial``: questions whose
    choice list has a refused row, whose codes are not checked (the code may be that row's);
    ``refused``: ``{name: (row, type)}`` of rows of a type the hub does not do."""
    items = [item for group in groups for item in group.items]
    names = _Names(
        questions={i.question.id: i.question for i in items if not i.question.is_note},
        notes={i.question.id for i in items if i.question.is_note},
        groups={g.name for g in groups if g.grouped},
        unread=unread,
        partial=partial,
        refused=refused or {},
    )
    for group in groups:
        if group.relevant is not None:
            names.check(report, sheet, group.row, group.header, group.relevant)
        for item in group.items:
            for column, header in item.sources.items():
                names.check(report, sheet, item.row, header, _rule_of(item.question, column))
    _check_cycle(report, sheet, groups, relevant_header)


@dataclass(frozen=True)
class _Names:
    questions: dict[str, Question]
    notes: set[str]
    groups: set[str]
    unread: frozenset[str]
    partial: frozenset[str] = frozenset()
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)

    def check(self, report: Report, sheet: str, row: int, header: str, expr: Expr) -> None:
        for node in walk(expr):
            if (
                isinstance(node, Ref)
                and node.name != REFERENCE_DATE
                and node.name not in self.questions
                and node.name not in self.unread
            ):
                report(sheet, row, header, at_character(node.position, self.unknown(node.name)))
            code = _compared_code(node)
            if code is None:
                continue
            ref, literal = code
            question = self.questions.get(ref.name)
            if (
                question is not None
                and question.id not in self.partial
                and question.has_choices
                and question.choice(str(literal.value)) is None
            ):
                message = _(
                    "「%(code)s」は「%(name)s」の選択肢にありません（選択肢: %(codes)s）。",
                    code=literal.value,
                    name=ref.name,
                    codes=", ".join(question.codes),
                )
                report(sheet, row, header, at_character(literal.position, message))

    def unknown(self, name: str) -> str:
        if name in self.refused:
            row, kind = self.refused[name]
            return _(
                "「%(name)s」は%(row)s行目の「%(type)s」で、ハブでは使えない種類のため回答が"
                "ありません（この式も書き換えてください）。",
                name=name,
                row=row,
                type=kind,
            )
        if name in self.notes:
            return _("「%(name)s」は note（説明文）で、回答がありません。", name=name)
        if name in self.groups:
            return _("「%(name)s」はグループで、回答がありません。", name=name)
        close = difflib.get_close_matches(name, [*self.questions, REFERENCE_DATE], n=1)
        if close:
            return _(
                "「%(name)s」という名前の質問はありません。「%(close)s」のことですか？",
                name=name,
                close=close[0],
            )
        return _("「%(name)s」という名前の質問はありません。", name=name)


def _check_cycle(report: Report, sheet: str, groups: list[Group], header: str) -> None:
    needs: dict[str, frozenset[str]] = {}
    rows: dict[str, int] = {}
    calculation_headers: dict[str, str] = {}
    for group in groups:
        outer = references(group.relevant) if group.relevant is not None else frozenset()
        for item in group.items:
            own = references(item.question.relevant) if item.question.relevant else frozenset()
            calculation = item.question.calculation
            worked = references(calculation) if calculation is not None else frozenset()
            needs[item.question.id] = own | outer | worked
            rows[item.question.id] = item.row
            if worked:
                calculation_headers[item.question.id] = item.sources.get("calculation", header)
    _order, cycle = dependency_order(list(needs), needs)
    if cycle:
        first = min(cycle, key=lambda name: rows[name])
        column = calculation_headers.get(first, header)
        if calculation_headers.keys() & set(cycle):
            message = _(
                "relevant と calculation（計算式）が循環しています（計算項目の値が、"
                "自分自身を使って決まることになります）: %(cycle)s",
                cycle=" → ".join(cycle),
            )
        else:
            message = _("relevant が循環しています: %(cycle)s", cycle=" → ".join(cycle))
        report(sheet, rows[first], column, message)


def _rule_of(question: Question, column: str) -> Expr:
    expr = {
        "relevant": question.relevant,
        "required": question.required_if,
        "constraint": question.constraint,
        "choice_filter": question.choice_filter,
        "calculation": question.calculation,
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
