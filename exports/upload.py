"""Reading an uploaded Excel template back into answers, defensively.

An upload passes three gates, in this order, and is refused with a clear message at the first one
it fails:

1. the container (:func:`exports.safe_xlsx.inspect_container`): size, a real ``.xlsx`` zip (not
   ``.xls``, not a macro workbook), decompressed sizes, entry count and compression ratios checked
   from the zip directory, and no DTD in any XML part — all before openpyxl reads a byte;
2. the template (:func:`read_template`): the keys of sheet ``回答`` (every non-empty cell of
   column A is a key; the rows are found by their keys, not by a header row) and, when the file
   has it, the hidden ``_meta`` sheet naming its municipality and round, read with openpyxl in
   read-only mode (openpyxl parses with defusedxml). A file without ``_meta`` (built by another
   program from the layout of docs/excel-template.md) is read for the round and municipality of the URL,
   and the preview says so; a ``_meta`` naming another municipality or round is refused;
3. the answers (:func:`interpret` and :func:`validate`): cell values become the raw input the web
   form would send, then go through the one marshmallow schema; every error names its cell
   (``回答!C12``).

Nothing is saved here: :func:`hub.services.excel.save_upload` saves a prepared upload through the
same service as the web form and the API, so an upload stores exactly what they would store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from exports import template as layout
from exports.safe_xlsx import Limits, open_workbook, unreadable
from forms import normalize, registry
from forms.lineage import Lineage
from forms.model import Kind, Question, Questionnaire
from forms.schema import is_empty, load_answers
from forms.wording import listed
from hub.db import db
from hub.errors import Conflict, HubError, Invalid, flatten_errors
from hub.models import (
    EDITABLE,
    ROUND_REMOVED,
    AuditEvent,
    Municipality,
    Response,
    Revision,
    Round,
    Survey,
)

_AMBIGUOUS_MARKS = frozenset({"×", "✕", "✖", "✗", "✘"})


@dataclass(frozen=True)
class Meta:
    municipality_code: str
    round_id: int
    questionnaire_id: str
    questionnaire_version: int
    response_version: int | None = None
    """The response's version when the template was downloaded (``None``: not recorded)."""


@dataclass(frozen=True)
class Line:
    """One row of sheet ``回答`` below the table header that has a key."""

    row: int
    key: str
    value: Any
    formula: bool = False

    @property
    def key_cell(self) -> str:
        return cell_name(layout.KEY_COLUMN, self.row)

    @property
    def answer_cell(self) -> str:
        return cell_name(layout.ANSWER_COLUMN, self.row)


LEGACY_HEADER_KEY = "項目ID"
"""Templates made before column A held only keys carried this header there; it is skipped."""


@dataclass(frozen=True)
class TemplateFile:
    meta: Meta | None
    """The ``_meta`` sheet's facts; ``None`` when the file has no ``_meta`` sheet."""
    lines: tuple[Line, ...]
    keyless_rows: tuple[int, ...] = ()
    """Rows after the first key with an answer but no key: the key was deleted."""
    epoch: date = normalize.EXCEL_EPOCH
    """Day 0 of the workbook's date serials (its 1900 or 1904 date system)."""


@dataclass
class Reading:
    """A template's cells as the raw input the web form would send, for one questionnaire."""

    raw: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    """``{question_id: "回答!C12"}``: where each answer was read from."""
    ignored: list[str] = field(default_factory=list)
    """Keys of an earlier questionnaire version that the round's version no longer has."""
    errors: dict[str, list[str]] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    """``{old name: new name}`` of the questions read under a name they had in an earlier
    version (settings ``renamed`` followed across every stored version)."""


@dataclass(frozen=True)
class Change:
    question_id: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class PreparedUpload:
    """A validated upload, not yet saved: what the preview shows and the confirm step saves."""

    raw: dict[str, Any]
    answers: dict[str, Any]
    cells: dict[str, str]
    ignored: list[str]
    changes: list[Change]
    template_version: int | None = None
    """The response's version when the template was downloaded."""
    identified: bool = True
    """Whether the file named its municipality and round (``_meta``); if not, it was read for
    the response it was uploaded to."""
    notices: tuple[str, ...] = ()
    """What the person uploading should know before saving (shown by the preview and the API)."""

    def is_stale(self, response: Response, uploader: int | None) -> bool:
        """The response was changed after this template was downloaded by someone or something
        other than the uploader's own uploads of a template (user id ``uploader``): uploading the
        same file again, or after one more edit, is not a concurrent edit; another clerk's upload
        of the same template in between is — the second file would silently undo the first's
        answers."""
        base = self.template_version
        if base is None or base == response.version:
            return False
        if base > response.version:
            return True
        since = db.session.execute(
            select(Revision.source, Revision.on_behalf, Revision.action, Revision.user_id).where(
                Revision.response_id == response.id, Revision.number > base
            )
        ).all()
        return not all(
            source == "excel" and not on_behalf and action == "save" and user_id == uploader
            for source, on_behalf, action, user_id in since
        )


SPARE_ROWS = 100
"""Rows past the last row of the round's template that an upload may hold (a note typed under
the table): the template's own rows always fit, however long its many-of lists (a
``select_multiple`` of 1,200 organisations is a row each), and :class:`Limits`'s ``max_rows``
still holds for a template of a few questions."""


def cell_name(column: int, row: int) -> str:
    letter = chr(ord("A") + column - 1)
    return f"{layout.SHEET}!{letter}{row}"


# ------------------------------------------------------------------------------- 2. template


def read_template(data: bytes, limits: Limits) -> TemplateFile:
    """The template's meta facts and keyed rows; the container is inspected first."""
    workbook = open_workbook(data, limits)
    try:
        meta = _read_meta(workbook)
        lines, keyless = _read_lines(workbook, limits)
        epoch = workbook.epoch.date()
    except HubError:
        raise
    except Exception as exc:
        raise unreadable(exc) from exc
    finally:
        workbook.close()
    return TemplateFile(meta=meta, lines=lines, keyless_rows=keyless, epoch=epoch)


def _not_a_template() -> Invalid:
    message = _(
        "このファイルはハブからダウンロードした回答テンプレートではありません。"
        "「Excelテンプレートをダウンロード」から取得したファイルに入力してください。"
    )
    return Invalid({"file": [message]}, message)


def _read_meta(workbook: Any) -> Meta | None:
    """The ``_meta`` facts; ``None`` without the sheet, refused when the sheet is not ours."""
    if layout.META_SHEET not in workbook.sheetnames:
        return None
    facts: dict[str, str] = {}
    sheet = workbook[layout.META_SHEET]
    for key, value in sheet.iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
        if isinstance(key, str) and value is not None:
            facts[key] = str(value).strip()
    try:
        if facts["format"] != layout.FORMAT:
            raise _not_a_template()
        return Meta(
            municipality_code=facts["municipality_code"],
            round_id=int(facts["round_id"]),
            questionnaire_id=facts["questionnaire_id"],
            questionnaire_version=int(facts["questionnaire_version"]),
            response_version=_optional_int(facts.get("response_version")),
        )
    except (KeyError, ValueError):
        raise _not_a_template() from None


def _optional_int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _read_lines(workbook: Any, limits: Limits) -> tuple[tuple[Line, ...], tuple[int, ...]]:
    """Every row of sheet 回答 with a key in column A, and the rows after the first key that
    hold an answer without one. Rows above the first key (titles, headings) are not items."""
    if layout.SHEET not in workbook.sheetnames:
        message = _(
            "「%(sheet)s」シートがありません。シート名を変更しないでください"
            "（A列に項目ID、C列に回答を並べた「%(sheet)s」シートが必要です）。",
            sheet=layout.SHEET,
        )
        # a sheet renamed (「回答 (2)」, 「Sheet1」): its name now, to rename it back
        names = [name for name in workbook.sheetnames if name != layout.META_SHEET]
        if names:
            message += _(
                "このファイルのシート: %(names)s。",
                names=listed(_("「%(name)s」", name=name[:40]) for name in names[:10]),
            )
        raise Invalid({"file": [message]}, message)
    sheet = workbook[layout.SHEET]
    lines: list[Line] = []
    keyless: list[int] = []
    rows = sheet.iter_rows(min_row=1, max_row=limits.max_rows + 1, max_col=layout.ANSWER_COLUMN)
    for number, row in enumerate(rows, start=1):
        key_cell = row[0] if row else None
        answer = row[layout.ANSWER_COLUMN - 1] if len(row) >= layout.ANSWER_COLUMN else None
        key = _text(getattr(key_cell, "value", None))
        value = getattr(answer, "value", None)
        if number > limits.max_rows and (key or not is_empty(value)):
            message = _(
                "「%(sheet)s」シートの行が多すぎます。行を追加しないでください。",
                sheet=layout.SHEET,
            )
            raise Invalid({"file": [message]}, message)
        if key == LEGACY_HEADER_KEY:
            continue
        formula = getattr(answer, "data_type", None) == "f"
        if key:
            lines.append(Line(row=number, key=key, value=value, formula=formula))
        elif lines and not is_empty(value):
            keyless.append(number)
    if not lines:
        message = _(
            "「%(sheet)s」シートのA列に項目ID（例: plan_status）が見つかりません。"
            "ダウンロードしたテンプレートを使ってください。",
            sheet=layout.SHEET,
        )
        raise Invalid({"file": [message]}, message)
    return tuple(lines), tuple(keyless)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


# -------------------------------------------------------------------------------- 3. answers


def interpret(
    template: TemplateFile,
    questionnaire: Questionnaire,
    current: Mapping[str, Any],
    *,
    lookup: Callable[[str, int], Questionnaire] | None = None,
    lineage: Lineage | None = None,
) -> Reading:
    """The raw answers for ``questionnaire`` held by ``template``.

    Keys are checked against the definition the template was made from (``lookup`` of its meta),
    so an edited key is refused with its cell named, while keys of an earlier version that the
    round's version no longer has are ignored and listed. A question is read as the question it
    is in the round's version by the names it had across every stored version (``lineage``, the
    stored versions' :class:`forms.lineage.Lineage`, as 経年比較 and the previous round's answers
    follow settings ``renamed``): a v1 template's ``a`` is v3's ``c`` when v2 says ``b=a`` and
    v3 ``c=b``, and a key typed back to an earlier name is read as its question's. Both are
    said (:attr:`Reading.renamed`). Questions the file does not cover keep their ``current``
    answers.
    """
    source = (
        questionnaire
        if template.meta is None
        else _source_definition(template.meta, questionnaire, lookup or stored_questionnaire)
    )
    known = layout.item_map(source)
    chains = _chains(source, questionnaire, lineage)
    earlier = _earlier_names(chains, source)
    template, followed = _follow_renamed(template, earlier, known)
    _check_keys(template, known, earlier)
    reading = Reading()
    now_named: dict[str, str] = {}
    chosen: dict[str, set[str]] = {}
    covered: dict[str, set[str]] = {}
    for line in template.lines:
        item = known[line.key]
        # a template of an earlier version: the name its question has in the round's version
        name = chains.name_in(source.version, item.question.id, questionnaire.version)
        target = questionnaire.get(name) if name is not None else None
        if target is None or target.kind != item.question.kind:
            reading.ignored.append(line.key)
            continue
        if target.id != item.question.id:
            now_named[item.question.id] = target.id
        if target.is_calculated:
            continue  # a read-only row: the hub works it out from the other answers
        if line.formula:
            reading.errors.setdefault(line.answer_cell, []).append(
                _("%(label)s: 数式は使えません。値を直接入力してください。", label=_label(item))
            )
            continue
        if item.choice is None:
            misread = _number_misread(target, line.value, template.epoch)
            if misread is not None:
                reading.errors.setdefault(line.answer_cell, []).append(f"{_label(item)}: {misread}")
                continue
            reading.raw[target.id] = cell_input(target, line.value)
            reading.cells[target.id] = line.answer_cell
            continue
        if target.choice(item.choice.code) is None:
            reading.ignored.append(line.key)
            continue
        reading.cells.setdefault(target.id, line.answer_cell)
        covered.setdefault(target.id, set()).add(item.choice.code)
        try:
            if is_marked(line.value):
                chosen.setdefault(target.id, set()).add(item.choice.code)
        except normalize.InvalidValue as exc:
            reading.errors.setdefault(line.answer_cell, []).append(f"{_label(item)}: {exc}")
    reading.renamed = _renamings(followed, now_named)
    _merge_current(reading, questionnaire, current, chosen, covered)
    return reading


def _chains(
    source: Questionnaire, questionnaire: Questionnaire, lineage: Lineage | None
) -> Lineage:
    """The stored versions' chains of names when they hold both the template's and the round's
    version, else those of the two alone (a shipped definition never stored: the round's own
    ``renamed``, one step)."""
    if lineage is not None and {source.version, questionnaire.version} <= set(lineage.versions):
        return lineage
    return registry.lineage_of(
        [questionnaire] if source is questionnaire else [source, questionnaire]
    )


def _earlier_names(chains: Lineage, source: Questionnaire) -> dict[str, str]:
    """``{earlier name: its name in source}`` of every question of ``source`` (the version the
    file was made from) by the names it had in the stored versions before, and by ``source``'s
    own settings ``renamed``; a name two questions had (one renamed, the other reusing it
    later) is left out: which one a key of it meant cannot be told."""
    found: dict[str, str] = {}
    twice: set[str] = set()
    pairs = [
        (old, q.id) for q in source.questions for old in chains.earlier_names(source.version, q.id)
    ]
    pairs += [(old, new) for new, old in source.renamed if source.get(old) is None]
    for old, new in pairs:
        if found.setdefault(old, new) != new:
            twice.add(old)
    return {old: new for old, new in found.items() if old not in twice}


def _renamings(followed: Mapping[str, str], now_named: Mapping[str, str]) -> dict[str, str]:
    """``{name in the file: name in the round's version}``: a key typed back to an earlier name
    (``followed``, to the template's version) then renamed again by the round's version is said
    once, from the name the file holds to the one it was read as."""
    renamed = {old: now_named.get(mid, mid) for old, mid in followed.items()}
    through = set(followed.values())
    renamed.update({old: new for old, new in now_named.items() if old not in through})
    return renamed


def _number_misread(question: Question, value: Any, epoch: date) -> str | None:
    """Why a date's or a phone number's cell holding a number (not the text the template's cell
    keeps: its format was lost, or a value pasted) is refused, saying what Excel made of what
    the clerk typed, instead of a refusal of a value the clerk never typed. ``None`` for any
    other cell, which the schema reads."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not float(value).is_integer():
        return None
    if question.kind == Kind.DATE:
        return _date_serial(int(value), epoch)
    if question.kind == Kind.PHONE:
        return _leading_zero_dropped(int(value))
    return None


def _leading_zero_dropped(number: int) -> str | None:
    """A phone number typed in a cell that reads numbers (``0353211111`` kept as 353211111):
    Excel dropped its 0; say so and how to write it (``None`` when adding the 0 back is no
    phone number either: the schema's refusal stands)."""
    try:
        phone = normalize.normalize_phone(f"0{number}")
    except normalize.InvalidValue:
        return None
    return _(
        "「%(number)s」は数として入力されているため、Excel が先頭の「0」を消しています。"
        "%(phone)s のようにハイフンを入れて入力してください。",
        number=number,
        phone=phone,
    )


def _date_serial(number: int, epoch: date) -> str | None:
    """A date question's cell holding the serial Excel keeps a date as (a date pasted with
    「値の貼り付け」 into the template's text cell shows as 44286): the day it stands for, and how
    to write it, instead of 「日付として読めません」. ``None`` for 8 digits (``20210331`` is read
    as typed, as the web form reads it) and a number that is no day."""
    if len(str(number)) == 8:
        return None
    try:
        day = normalize.excel_serial_day(number, epoch)
        wareki = normalize.to_wareki(day)
    except normalize.InvalidValue:
        return None
    return _(
        "「%(number)s」は日付ではなく数として入力されています（Excel は日付を 44286 のような数で"
        "保存していて、日付を「値の貼り付け」で貼り付けるとその数が入ります。%(number)s は "
        "%(day)s を表す数です）。日付は %(day)s のように文字で入力してください。",
        number=number,
        day=wareki,
    )


def _label(item: layout.Item) -> str:
    if item.choice is None:
        return item.question.label.ja
    return f"{item.question.label.ja}「{item.choice.display('ja')}」"


def stored_questionnaire(key: str, version: int) -> Questionnaire:
    """A stored version of a questionnaire (a shipped file's when not stored); ``LookupError``."""
    survey = db.session.scalar(select(Survey).filter_by(key=key, version=version))
    if survey is None:
        return registry.get(key, version)
    return survey.questionnaire


def _source_definition(
    meta: Meta, questionnaire: Questionnaire, lookup: Callable[[str, int], Questionnaire]
) -> Questionnaire:
    if meta.questionnaire_id != questionnaire.id:
        message = _(
            "このファイルは別の調査票（%(survey)s）のテンプレートです。",
            survey=meta.questionnaire_id,
        )
        raise Invalid({"file": [message]}, message)
    if meta.questionnaire_version == questionnaire.version:
        return questionnaire
    try:
        return lookup(meta.questionnaire_id, meta.questionnaire_version)
    except LookupError:
        message = _(
            "このテンプレートの調査票の版（第%(version)s版）はハブにありません。"
            "テンプレートをダウンロードし直してください。",
            version=meta.questionnaire_version,
        )
        raise Invalid({"file": [message]}, message) from None


def _follow_renamed(
    template: TemplateFile, new_of: Mapping[str, str], known: Mapping[str, layout.Item]
) -> tuple[TemplateFile, dict[str, str]]:
    """The file with each key of a question's earlier name (``new_of``: :func:`_earlier_names`,
    old name to the name in the template's version) written as that name's key (``people`` →
    ``participants``, ``topics_old.housing`` → ``topics.housing``), and the names followed.
    A key whose new name's row the file also has is left for :func:`_check_keys` to refuse:
    which of the two answers was meant cannot be told."""
    if not new_of:
        return template, {}
    present = {line.key for line in template.lines}
    lines = []
    followed: dict[str, str] = {}
    for line in template.lines:
        name, dot, rest = line.key.partition(".")
        key = f"{new_of[name]}{dot}{rest}" if name in new_of else ""
        if line.key in known or key not in known or key in present:
            lines.append(line)
            continue
        lines.append(replace(line, key=key))
        followed[name] = new_of[name]
    return replace(template, lines=tuple(lines)), followed


def _check_keys(
    template: TemplateFile, known: Mapping[str, layout.Item], new_of: Mapping[str, str]
) -> None:
    errors: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for line in template.lines:
        name, dot, rest = line.key.partition(".")
        if line.key not in known and name in new_of:
            errors.setdefault(line.key_cell, []).append(
                _(
                    "項目ID「%(key)s」は、この調査票の版では「%(new)s」です"
                    "（settings シートの renamed 列による名前の変更）。"
                    "同じファイルに「%(new)s」の行もあるため、どちらの回答か決められません。"
                    "どちらかの行を削除してください。",
                    key=line.key,
                    new=f"{new_of[name]}{dot}{rest}",
                )
            )
        elif line.key not in known:
            shown = line.key[:60]
            errors.setdefault(line.key_cell, []).append(
                _(
                    "項目ID「%(key)s」はこの調査票にありません。"
                    "A列の項目IDは変更しないでください。",
                    key=shown,
                )
            )
        elif line.key in seen:
            errors.setdefault(line.key_cell, []).append(
                _(
                    "項目ID「%(key)s」が重複しています（%(first)s と同じ）。",
                    key=line.key,
                    first=seen[line.key],
                )
            )
        else:
            seen[line.key] = line.key_cell
    # every key is still there, so a row without one was inserted (a memo), not emptied
    added = bool(template.keyless_rows) and not set(known) - set(seen)
    for row in template.keyless_rows:
        errors.setdefault(cell_name(layout.KEY_COLUMN, row), []).append(
            _(
                "この行は追加された行です。テンプレートには行を追加できません"
                "（書いた内容は読み取れません）。行を削除してからアップロードしてください。"
            )
            if added
            else _("この行の項目ID（A列）が消されています。入力した回答を読み取れません。")
        )
    if errors:
        raise Invalid(errors, _rows_added_message() if added else _keys_changed_message())


def _rows_added_message() -> str:
    return _(
        "「%(sheet)s」シートに行が追加されています。テンプレートには行を追加できません。"
        "追加した行（メモなど）を削除してからアップロードしてください。",
        sheet=layout.SHEET,
    )


def _keys_changed_message() -> str:
    return _(
        "テンプレートの項目ID（A列）が変更されています。"
        "テンプレートをダウンロードし直して入力してください。"
    )


def cell_input(question: Question, value: Any) -> Any:
    """A cell's value as the web form would send it: what Excel typed becomes plain input."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value if question.kind == Kind.DATE else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def is_marked(value: Any) -> bool:
    """Whether a many-of choice row is marked: any non-empty value but a clear "no".

    ○, 〇, 1, ✓, x and any other text mark the choice; empty, 0, いいえ and no leave it unmarked;
    × is refused because Japanese readers use it for "no" as often as for "ticked".
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = normalize.fold_text(str(value))
    if not text:
        return False
    if text in _AMBIGUOUS_MARKS:
        raise normalize.InvalidValue(
            _(
                "「%(mark)s」は選ぶ・選ばないのどちらの意味か判断できません。"
                "選ぶ選択肢には「○」を入れ、選ばない選択肢は空欄にしてください。",
                mark=text,
            )
        )
    try:
        return normalize.parse_bool(text)
    except normalize.InvalidValue:
        return True


def _merge_current(
    reading: Reading,
    questionnaire: Questionnaire,
    current: Mapping[str, Any],
    chosen: Mapping[str, set[str]],
    covered: Mapping[str, set[str]],
) -> None:
    for question in questionnaire:
        before = current.get(question.id)
        if question.is_calculated:
            continue  # worked out again from the answers read
        if question.kind == Kind.MANY_OF:
            if question.id not in covered:
                if before:
                    reading.raw[question.id] = before
                continue
            kept = {c for c in (before or []) if c not in covered[question.id]}
            marked = chosen.get(question.id, set()) | kept
            reading.raw[question.id] = [c for c in question.codes if c in marked]
        elif question.id not in reading.cells and before is not None:
            reading.raw[question.id] = before


def validate(
    reading: Reading, questionnaire: Questionnaire, reference_date: date | None
) -> dict[str, Any]:
    """The normalized answers, or ``Invalid`` whose errors are keyed by cell (``回答!C12``)."""
    errors = {cell: list(messages) for cell, messages in reading.errors.items()}
    answers: dict[str, Any] = {}
    try:
        answers = load_answers(
            questionnaire, reading.raw, submit=False, reference_date=reference_date
        )
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"file": exc.messages}
        for cell, texts in by_cell(flatten_errors(messages), reading.cells, questionnaire).items():
            errors.setdefault(cell, []).extend(texts)
    if errors:
        raise Invalid(errors, _("入力内容に誤りがあります。セルごとの内容を確認してください。"))
    return answers


def by_cell(
    errors: Mapping[str, list[str]], cells: Mapping[str, str], questionnaire: Questionnaire
) -> dict[str, list[str]]:
    """Field errors keyed by question id, re-keyed by the cell the answer came from."""
    result: dict[str, list[str]] = {}
    for key, messages in errors.items():
        question = questionnaire.get(key)
        label = question.label.ja if question else key
        result.setdefault(cells.get(key, key), []).extend(f"{label}: {m}" for m in messages)
    return result


def changes(
    questionnaire: Questionnaire, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[Change]:
    """What saving ``after`` changes, in questionnaire order, as a person reads the values."""
    return [
        Change(
            question_id=q.id,
            label=q.label.ja,
            before=layout.display_value(q, before.get(q.id)),
            after=layout.display_value(q, after.get(q.id)),
        )
        for q in questionnaire
        if before.get(q.id) != after.get(q.id)
    ]


# ---------------------------------------------------------------------------- with the hub


def check_target(meta: Meta, response: Response) -> str | None:
    """Refuse a template made for another municipality or round, naming both. A template of a
    round taken back (「調査回を取り消す」) on the same questionnaire version is read for the round
    that replaced it: the notice returned says so, for the preview before anything is saved."""
    if meta.municipality_code != response.municipality_code:
        message = _(
            "このファイルは別の自治体（%(other)s）のテンプレートです。"
            "%(name)s（%(code)s）のテンプレートをダウンロードして入力してください。",
            other=_municipality_label(meta.municipality_code),
            name=response.municipality.name,
            code=response.municipality_code,
        )
        raise Invalid({"file": [message]}, message)
    if meta.round_id == response.round_id:
        return None
    round_ = response.round
    taken_back = _taken_back(meta.round_id)
    same_survey = (meta.questionnaire_id, meta.questionnaire_version) == (
        round_.survey.key,
        round_.survey.version,
    )
    if taken_back is not None and same_survey:
        notice = _(
            "このファイルは、取り消された調査回（調査回番号 %(other)s）のテンプレートです。"
            "調査票が同じため、この調査回（調査回番号 %(round)s）の回答として読み込みました。"
            "下の変更内容を確かめてから保存してください。",
            other=meta.round_id,
            round=response.round_id,
        )
        if taken_back.get("reference_date") not in (None, round_.reference_date.isoformat()):
            notice += _(
                "基準日が変わっています（%(before)s → %(after)s）。"
                "回答が新しい基準日に合っているか確かめてください。",
                before=normalize.to_wareki(date.fromisoformat(taken_back["reference_date"])),
                after=normalize.to_wareki(round_.reference_date),
            )
        return notice
    message = _(
        "このファイルは別の調査回（調査回番号 %(other)s）のテンプレートです。"
        "この調査回（調査回番号 %(round)s）のテンプレートをダウンロードして入力してください。",
        other=meta.round_id,
        round=response.round_id,
    )
    raise Invalid({"file": [message]}, message)


def _taken_back(round_id: int) -> dict[str, Any] | None:
    """What the audit log kept of round ``round_id`` if it was taken back (``None``: it was
    not, or it is still there)."""
    if db.session.get(Round, round_id) is not None:
        return None
    return db.session.scalar(
        select(AuditEvent.details)
        .where(AuditEvent.action == ROUND_REMOVED, AuditEvent.target == f"round/{round_id}")
        .limit(1)
    )


def _municipality_label(code: str) -> str:
    municipality = db.session.get(Municipality, code[:6]) if code.isascii() else None
    return f"{municipality.name}・{code}" if municipality else code[:20]


def prepare_upload(response: Response, data: bytes, limits: Limits) -> PreparedUpload:
    """Read and validate an upload for ``response`` without saving anything."""
    if response.state not in EDITABLE:
        raise Conflict(
            _(
                "提出済み・受理済みの回答にはアップロードできません"
                "（差し戻された後にアップロードできます）。"
            )
        )
    rows = layout.last_row(response.round.questionnaire) + SPARE_ROWS
    template = read_template(data, replace(limits, max_rows=max(limits.max_rows, rows)))
    carried = check_target(template.meta, response) if template.meta is not None else None
    round_ = response.round
    questionnaire = round_.questionnaire
    current = dict(response.answers or {})
    reading = interpret(template, questionnaire, current, lineage=round_.survey.lineage())
    answers = validate(reading, questionnaire, round_.reference_date)
    return PreparedUpload(
        raw=reading.raw,
        answers=answers,
        cells=reading.cells,
        ignored=reading.ignored,
        changes=changes(questionnaire, current, answers),
        template_version=(
            template.meta.response_version if template.meta and not carried else None
        ),
        identified=template.meta is not None,
        notices=(
            *((carried,) if carried else () if template.meta else (unidentified_notice(response),)),
            *((renamed_notice(reading.renamed),) if reading.renamed else ()),
        ),
    )


def renamed_notice(renamed: Mapping[str, str]) -> str:
    """What the preview and the API say of answers read under a question's old name."""
    return _(
        "A列の項目ID %(names)s は、この調査票の版で名前が変わった質問です"
        "（settings シートの renamed 列）。新しい名前の質問の回答として読み込みました。",
        names=listed(_renaming(old, new) for old, new in renamed.items()),
    )


def _renaming(old: str, new: str) -> str:
    return _("「%(old)s」→「%(new)s」", old=old, new=new)


def unidentified_notice(response: Response) -> str:
    """What the preview and the API say about a file that does not name its target."""
    return _(
        "このファイルには自治体・調査回の識別情報（_meta シート）がありません。"
        "%(name)s（%(code)s）の調査回番号 %(round)s の回答として読み込みました。"
        "別の自治体・調査回のファイルでないことを確かめてから保存してください。",
        name=response.municipality.name,
        code=response.municipality_code,
        round=response.round_id,
    )


def check_fresh(prepared: PreparedUpload, response: Response, uploader: int | None) -> None:
    """Refuse a template downloaded before the response's last save: a concurrent edit."""
    if prepared.is_stale(response, uploader):
        raise Conflict(
            _(
                "このテンプレートをダウンロードした後に、回答が更新されています"
                "（ダウンロード時 版%(then)s、現在 版%(now)s）。"
                "テンプレートをダウンロードし直して入力してください。",
                then=prepared.template_version,
                now=response.version,
            ),
            current_version=response.version,
            current_answers=response.answers,
        )
