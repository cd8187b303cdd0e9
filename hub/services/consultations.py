"""Recording consultation-desk cases, one by one or as an imported list.

Every case goes through ``forms.consultation.load_case``, so the web form, the API and an imported
CSV/xlsx normalize alike. An import is all or nothing: a file with any bad row adds no case and the
error names every bad row and column as the file's header names it (``5行目 相談対象者の年代``).
A valid file's rows identical to a stored case, or to an earlier row, are left out unless the
clerk says they are other callers (cases carry no names, so two callers can make the same row; the
same file imported twice must not count twice, however long ago the first import was). A case
is corrected, or removed when it was entered by mistake, on its own page (``correct_case``,
``remove_case``: audited, and refused when someone else changed it since the page was opened).
Services only flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import has_request_context
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from forms import normalize, tokyo
from forms.consultation import (
    AGE_GROUP,
    CALLER,
    CHANNEL,
    CONSULTATION,
    CRIME_RELATED,
    CRIME_TYPE,
    FIRST_YEAR,
    MUNICIPALITY,
    RECEIVED_ON,
    REFERRED_TO,
    REQUIRED_COLUMNS,
    case_form,
    column_for,
    day_text,
    fiscal_year_bounds,
    fiscal_year_of,
    load_case,
)
from forms.model import Questionnaire
from forms.wording import listed, noted
from hub.db import db, serialize
from hub.errors import Conflict, Invalid, NotFound
from hub.models import (
    PREFECTURES,
    Consultation,
    ConsultationReferral,
    Municipality,
    User,
    prefecture_name,
)
from hub.services import audit
from hub.services.municipalities import with_check_digit
from hub.services.paging import Page, page_of
from hub.services.uploaded_tables import header_titles, read_table

SOURCES = ("web", "api", "import")
CASES_PER_PAGE = 100


@dataclass(frozen=True)
class LeftOut:
    """A row of an imported file not added because it repeats a case."""

    line: int
    """The row number as the spreadsheet shows it."""
    received_on: date
    same_as_line: int | None
    """The earlier row of the file it repeats; ``None`` when it repeats a stored case."""


@dataclass(frozen=True)
class ImportResult:
    added: int
    ignored_columns: tuple[str, ...]
    """Columns of the file that are no field of a case record (never stored, e.g. 氏名)."""
    left_out: tuple[LeftOut, ...]
    fiscal_year: int
    """The latest fiscal year of the rows added (of the file's rows when none was): where the
    clerk looks for what was imported."""
    digest: str
    """The file's SHA-256, which a confirmation of its left-out rows names (:func:`import_cases`)."""
    serial_days: tuple[SerialDay, ...] = ()
    """The rows added whose 受付日 was an Excel date serial, read as the day it names."""
    unread_note: str | None = None
    """With ``ignored_columns``: which items the file had no column of, so were stored empty
    (:func:`unread_columns_note`); ``None`` when every item had its column."""


@dataclass(frozen=True)
class SerialDay:
    """A 受付日 written as an Excel date serial (a date column formatted as a number), and the
    day it was read as: the import says so, for the clerk to see what was read."""

    line: int
    serial: int
    day: date


@dataclass(frozen=True)
class Residences:
    """The municipalities a case or a hearing may name, in code order: the active ones, and the
    retired ones that kept the day they were retired (a case received, or a hearing held, before
    that day still names it)."""

    choices: list[tuple[str, str, str]]
    """``(code, name, name_en)`` of each."""
    retired_on: dict[str, date]
    """The day each retired one was retired."""
    shared_names: dict[str, str]
    """The prefecture code of each one whose name another of them shares (府中市 of Tokyo and of
    Hiroshima on a national list), which the list shows beside its name."""


def residences() -> Residences:
    rows = db.session.execute(
        select(
            Municipality.code,
            Municipality.name,
            Municipality.name_en,
            Municipality.retired_on,
            Municipality.prefecture_code,
        )
        .where(Municipality.active.is_(True) | Municipality.retired_on.is_not(None))
        .order_by(Municipality.code)
    ).all()
    counts = Counter(row.name for row in rows)
    return Residences(
        choices=[(row.code, row.name, row.name_en) for row in rows],
        retired_on={row.code: row.retired_on for row in rows if row.retired_on is not None},
        shared_names={row.code: row.prefecture_code for row in rows if counts[row.name] > 1},
    )


def municipality_names() -> dict[str, Any]:
    """Every municipality's names by code (rows with ``name`` and ``name_en``), retired ones too:
    a case keeps its residence."""
    rows = db.session.execute(select(Municipality.code, Municipality.name, Municipality.name_en))
    return {row.code: row for row in rows}


def case_questionnaire(found: Residences | None = None) -> Questionnaire:
    """The case record with the municipalities of the database as residence choices."""
    return case_form((found or residences()).choices)


def validate_case(
    form: Questionnaire,
    data: Mapping[str, Any],
    *,
    retired_on: Mapping[str, date],
    ignore_unknown: bool = False,
) -> dict[str, Any]:
    """A normalized case, or ``Invalid`` with per-field messages."""
    if MUNICIPALITY.id in data:
        names = {c.code: c.label.ja for c in form.question(MUNICIPALITY.id).choices}
        data = {**data, MUNICIPALITY.id: residence_value(data[MUNICIPALITY.id], names)}
    try:
        return load_case(
            form, data, today=tokyo.today(), retired_on=retired_on, ignore_unknown=ignore_unknown
        )
    except ValidationError as exc:
        raise Invalid(exc.messages) from None  # type: ignore[arg-type]


UNKNOWN_RESIDENCE = frozenset({"不明", "不詳"})
"""What a desk's list writes for a residence nobody knows; the hub keeps it blank, which the
statistics count as 不明."""


def residence_value(value: Any, names: Mapping[str, str]) -> Any:
    """A residence as a list writes it, as the case form reads it: 不明 (or 不詳) blank, a
    five-digit 団体コード — written without its check digit (13101), as lists derived from
    総務省's often are — as the code it names (131016), and a name after its prefecture's
    (東京都千代田区) as the municipality of that name in that prefecture, when that is one of
    ``names`` (code → Japanese name). Anything else unchanged, for the form to accept or refuse
    (a name after another prefecture's too: 神奈川県府中市 is no 府中市 of Tokyo)."""
    codes = names.keys()
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return value
    text = normalize.fold_text(value)
    if text in UNKNOWN_RESIDENCE:
        return ""
    if text not in codes:
        coded = with_check_digit(text)
        if coded in codes:
            return coded
    prefixed = _prefixed_residence(text, names)
    return prefixed if prefixed is not None else value


def _prefixed_residence(text: str, names: Mapping[str, str]) -> str | None:
    """The code of the municipality ``text`` names after its prefecture (東京都 千代田区), the
    prefecture being the one of its code's first two digits; ``None`` when it names none."""
    prefecture = next((p for p in PREFECTURES if text.startswith(p)), None)
    if prefecture is None:
        return None
    key = normalize.choice_key(text[len(prefecture) :])
    found = [
        code
        for code, name in names.items()
        if normalize.choice_key(name) == key and prefecture_name(code[:2]) == prefecture
    ]
    return found[0] if len(found) == 1 else None


_MIDNIGHT = re.compile(r"\s+0{1,2}:00(?::00)?$")
_NUMBER = re.compile(r"[0-9]{1,7}")
"""A 受付日 of digits only that no date format reads (``20200501`` is a day: 8 digits)."""


def _cell_value(field: str, value: Any) -> Any:
    """A cell of an imported row as the case form reads it: a 受付日 written with the midnight a
    spreadsheet adds to a date cell saved as CSV (``2020/5/1 0:00``) is that day."""
    if field == RECEIVED_ON.id and isinstance(value, str):
        text = normalize.fold_text(value)
        if _MIDNIGHT.search(text):
            return _MIDNIGHT.sub("", text)
    return value


def _serial_day(value: Any, epoch: date = normalize.EXCEL_EPOCH) -> tuple[int, date] | None:
    """The day a 受付日 written as a number names as an Excel date serial (``43952`` is
    2020-05-01: a date column formatted as a number; counted from ``epoch``, the file's date
    system: ``42490`` is that day in a workbook of the 1904 system), when that day is within the
    desk's years (from its first fiscal year to today); ``None`` for a value that is no number.
    ``InvalidValue`` for a number naming no such day, which is no date then, saying how to
    write one. The serial and its day otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        serial = value
    elif isinstance(value, str) and _NUMBER.fullmatch(normalize.fold_text(value)):
        serial = int(normalize.fold_text(value))
    else:
        return None
    first = fiscal_year_bounds(FIRST_YEAR)[0]
    if (
        normalize.excel_serial(first, epoch)
        <= serial
        <= normalize.excel_serial(tokyo.today(), epoch)
    ):
        return serial, normalize.excel_serial_day(serial, epoch)
    raise normalize.InvalidValue(
        _(
            "「%(value)s」は日付として読めません。2020-05-01 や 令和2年5月1日 のように書いてください"
            "（Excel で日付の列の表示形式が「数値」になっていると、日付は 43952 のような数で"
            "保存されます。%(first)sから今日までの日付を表す数は、その日付として読みます）。",
            value=serial,
            first=day_text(first),
        )
    )


def record_case(data: Mapping[str, Any], *, user: User | None, source: str = "web") -> Consultation:
    """Validate and add one case; ``Invalid`` (nothing added) when any field is wrong."""
    found = residences()
    case = validate_case(case_questionnaire(found), data, retired_on=found.retired_on)
    consultation = _new_consultation(case, user=user, source=source)
    db.session.add(consultation)
    db.session.flush()
    audit.record("consultation.record", user=user, target=str(consultation.id), source=source)
    return consultation


def get_case(case_id: int) -> Consultation:
    case = db.session.get(Consultation, case_id)
    if case is None:
        raise NotFound(_("相談記録が見つかりません。"))
    return case


def case_answers(case: Consultation) -> dict[str, Any]:
    """A stored case as the case form's answers (what the correction page starts from)."""
    return {
        RECEIVED_ON.id: case.received_on.isoformat(),
        CHANNEL.id: case.channel,
        AGE_GROUP.id: case.age_group,
        CALLER.id: case.caller,
        CRIME_RELATED.id: case.crime_related,
        CRIME_TYPE.id: case.crime_type,
        MUNICIPALITY.id: case.municipality_code,
        REFERRED_TO.id: sorted(case.referred_to),
    }


def case_fingerprint(case: Consultation) -> str:
    """What the case holds now, as a short hash: the correction page carries the one it showed,
    so that a change saved meanwhile by someone else is not silently overwritten."""
    text = repr(sorted(case_answers(case).items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _unchanged_since(case: Consultation, seen: str) -> None:
    if seen != case_fingerprint(case):
        raise Conflict(
            _(
                "この相談記録は、画面を開いた後に別の人が修正しました。"
                "最新の内容を確かめてから、もう一度修正してください。"
            )
        )


def correct_case(
    case: Consultation, data: Mapping[str, Any], *, seen: str, user: User | None
) -> list[str]:
    """Correct a case as the case form validates a new one; the ids of the fields that changed
    (audited: which, not the values). ``Conflict`` when it changed since ``seen``; ``Invalid``
    (nothing changed) when a field is wrong."""
    _unchanged_since(case, seen)
    found = residences()
    corrected = validate_case(case_questionnaire(found), data, retired_on=found.retired_on)
    before = case_answers(case)
    replacement = _new_consultation(corrected, user=user, source=case.source)
    case.received_on, case.fiscal_year = replacement.received_on, replacement.fiscal_year
    case.channel, case.age_group, case.caller = (
        replacement.channel,
        replacement.age_group,
        replacement.caller,
    )
    case.crime_related, case.crime_type = replacement.crime_related, replacement.crime_type
    case.municipality_code = replacement.municipality_code
    if sorted(case.referred_to) != sorted(replacement.referred_to):
        case.referrals = [ConsultationReferral(code=code) for code in replacement.referred_to]
    after = case_answers(case)
    changed = [name for name in after if after[name] != before[name]]
    if changed:
        db.session.flush()
        audit.record("consultation.correct", user=user, target=str(case.id), fields=changed)
    return changed


def remove_case(case: Consultation, *, seen: str, user: User | None) -> None:
    """Remove a case entered by mistake (twice, or not a case of the desk): it leaves the list
    and the statistics; the audit log keeps what it held (categories only: a case holds no
    name), so that it can be entered again."""
    _unchanged_since(case, seen)
    audit.record(
        "consultation.remove",
        user=user,
        target=str(case.id),
        fiscal_year=case.fiscal_year,
        case=case_answers(case),
    )
    db.session.delete(case)
    db.session.flush()


def _new_consultation(case: Mapping[str, Any], *, user: User | None, source: str) -> Consultation:
    received: date = case["received_on"]
    return Consultation(
        received_on=received,
        fiscal_year=fiscal_year_of(received),
        channel=case["channel"],
        age_group=case["age_group"],
        caller=case["caller"],
        crime_related=case["crime_related"],
        crime_type=case["crime_type"] if case["crime_related"] else None,
        municipality_code=case["municipality"],
        source=source,
        created_by_id=user.id if user is not None else None,
        referrals=[ConsultationReferral(code=code) for code in case["referred_to"]],
    )


def import_cases(
    data: bytes,
    *,
    user: User | None,
    filename: str = "",
    add_repeats: bool = False,
    lines: Collection[int] | None = None,
    digest: str | None = None,
) -> ImportResult:
    """Add the cases of a CSV (UTF-8 with or without BOM, or Shift_JIS) or xlsx case list; a
    CSV whose first line has no comma is read separated by semicolons or tabs when that line, so
    split, names a column of a case (a cell may still span lines: a note written on several).

    Nothing is added unless every row is valid: ``Invalid`` lists each bad row and column, keyed
    ``"5行目 相談対象者の年代"`` with the row number as the spreadsheet shows it and the column as
    its header names it. A row identical to a stored case or to an earlier row is left out
    (``ImportResult.left_out``) unless ``add_repeats``. ``lines`` adds only those rows (the ones
    an earlier import left out, confirmed as other callers); ``digest``, when given, must be the
    file's (the same file as the one whose rows were confirmed), else ``Invalid``.
    """
    table = read_table(data, header_fits=_names_a_case_column)
    columns, ignored = _map_columns(table.header)
    unread = unread_columns_note(ignored, set(columns.values()))
    titles = header_titles(table.header, {field: i for i, field in columns.items()})
    found = residences()
    form = case_questionnaire(found)
    cases: list[tuple[int, dict[str, Any]]] = []
    serial_days: list[SerialDay] = []
    errors: dict[str, list[str]] = {}
    bad_rows = 0
    for line, values in table.rows:
        row = {
            field: _cell_value(field, values[i]) if i < len(values) else None
            for i, field in columns.items()
        }
        misread: dict[str, list[str]] = {}
        try:
            serial = _serial_day(row.get(RECEIVED_ON.id), table.epoch)
        except normalize.InvalidValue as exc:
            misread[RECEIVED_ON.id] = [str(exc)]
        else:
            if serial is not None:
                serial_days.append(SerialDay(line, *serial))
                row[RECEIVED_ON.id] = serial[1]
        try:
            case = validate_case(form, row, retired_on=found.retired_on, ignore_unknown=True)
            if misread:
                raise Invalid(misread)
            cases.append((line, case))
        except Invalid as exc:
            bad_rows += 1
            where = _("%(line)s行目", line=line)
            for field, messages in {**exc.errors, **misread}.items():
                if field == MUNICIPALITY.id:
                    messages = _with_close_names(messages, row.get(field), found)
                else:
                    messages = _with_choices(field, messages)
                errors[f"{where} {_column_name(field, titles)}"] = messages
    if errors:
        if unread:
            errors["file"] = [unread]
        raise Invalid(
            errors,
            ngettext(
                "%(count)s行に誤りがあるため、1件も取り込んでいません。",
                "%(count)s行に誤りがあるため、1件も取り込んでいません。",
                bad_rows,
                count=bad_rows,
            ),
        )
    if not cases:
        raise Invalid({"file": [_("相談記録が1件もありません（1行目は列名の行です）。")]})
    file_digest = hashlib.sha256(data).hexdigest()
    if digest is not None and digest != file_digest:
        raise Invalid(
            {
                "file": [
                    _("先ほど取り込んだファイルと違うファイルです。同じファイルを選んでください。")
                ]
            }
        )
    rows = [(line, _new_consultation(case, user=user, source="import")) for line, case in cases]
    if lines is not None:
        rows = [(line, case) for line, case in rows if line in lines]
        if not rows:
            raise Invalid({"file": [_("このファイルに、追加すると選んだ行はありません。")]})
    serialize("consultation.import")  # two imports of one file at once: the second sees the first
    added, left_out = (rows, []) if add_repeats else _leave_out_repeats(rows)
    db.session.add_all(case for _, case in added)
    db.session.flush()
    audit.record(
        "consultation.import",
        user=user,
        target=filename[:200],
        added=len(added),
        left_out=len(left_out),
    )
    return ImportResult(
        added=len(added),
        ignored_columns=ignored,
        left_out=tuple(left_out),
        fiscal_year=max(case.fiscal_year for _, case in (added or rows)),
        digest=file_digest,
        serial_days=tuple(s for s in serial_days if s.line in {line for line, _ in added}),
        unread_note=unread,
    )


def serial_days_note(serial_days: Sequence[SerialDay], lines: str) -> str:
    """What the import says of the 受付日 it read as Excel date serials (``lines``: their row
    numbers as the caller writes them), with the first as an example, for the clerk to check."""
    first = serial_days[0]
    return ngettext(
        "受付日が数で書かれた%(count)s行（%(lines)s行目）は、Excel の日付のシリアル値として"
        "読みました（例: %(line)s行目の %(serial)s は %(day)s）。違っていれば、その相談記録を"
        "修正してください。",
        "受付日が数で書かれた%(count)s行（%(lines)s行目）は、Excel の日付のシリアル値として"
        "読みました（例: %(line)s行目の %(serial)s は %(day)s）。違っていれば、その相談記録を"
        "修正してください。",
        len(serial_days),
        count=len(serial_days),
        lines=lines,
        line=first.line,
        serial=first.serial,
        day=day_text(first.day),
    )


CaseKey = tuple[date, str, str, str, bool, str | None, str | None, frozenset[str]]


def _leave_out_repeats(
    rows: list[tuple[int, Consultation]],
) -> tuple[list[tuple[int, Consultation]], list[LeftOut]]:
    """The rows to add and the rows left out: those whose every stored field equals a stored
    case's, or an earlier row's of the file (the same file imported twice, a row pasted twice)."""
    days = [case.received_on for _, case in rows]
    stored = {
        _case_key(c)
        for c in db.session.scalars(
            select(Consultation).where(Consultation.received_on.between(min(days), max(days)))
        )
    }
    first_line: dict[CaseKey, int] = {}
    added: list[tuple[int, Consultation]] = []
    left_out: list[LeftOut] = []
    for line, case in rows:
        key = _case_key(case)
        if key in stored or key in first_line:
            left_out.append(LeftOut(line, case.received_on, first_line.get(key)))
        else:
            first_line[key] = line
            added.append((line, case))
    return added, left_out


def _case_key(case: Consultation) -> CaseKey:
    """Every field a case stores (one about to be, or one stored): equal keys, the same case."""
    return (
        case.received_on,
        case.channel,
        case.age_group,
        case.caller,
        case.crime_related,
        case.crime_type,
        case.municipality_code,
        frozenset(case.referred_to),
    )


def _column_name(field: str, titles: Mapping[str, str]) -> str:
    """A column as the clerk knows it: the file's header (``受付日``), with the item's name after
    it when the header is another spelling (``received_on（受付日）``); the item's name for a field
    the file has no column of (``crime_type`` required by a crime-related case)."""
    question = next((q for q in CONSULTATION.questions if q.id == field), None)
    if question is None:
        return field
    label = question.label.get(_locale())
    title = titles.get(field)
    if not title or normalize.fold_text(title) == label:
        return label
    return noted(title, label)


def _locale() -> str:
    return str(get_locale()) if has_request_context() else "ja"


def _with_close_names(messages: list[str], typed: Any, found: Residences) -> list[str]:
    """The messages of an unknown municipality with the names it may mean (八王子 →
    「八王子市」のことですか？); a suggestion only, never taken on the clerk's behalf."""
    names = close_names(typed, found)
    if not names:
        return messages
    hint = _("%(names)sのことですか？", names=listed(_("「%(name)s」", name=n) for n in names))
    return [*messages[:-1], noted(messages[-1], hint)]


CHOICES_NAMED = (CHANNEL, AGE_GROUP, CALLER, CRIME_TYPE, REFERRED_TO)
"""The items whose every choice an unknown value's message lists: a handful each, which a clerk
would otherwise look up in the table below the form (メール → 電話、来所; 警察 → …、その他)."""


def _with_choices(field: str, messages: list[str]) -> list[str]:
    """The message of a value that is none of ``field``'s choices, with the choices it may be."""
    question = next((q for q in CHOICES_NAMED if q.id == field), None)
    unknown = _("選択肢にない値です: %(value)s", value="")
    if question is None or not any(m.startswith(unknown) for m in messages):
        return messages
    choices = listed(c.display(_locale()) for c in question.choices)
    return [*messages, _("書けるのは次のどれかです: %(choices)s", choices=choices)]


def close_names(typed: Any, found: Residences, limit: int = 3) -> list[str]:
    """Municipality names that begin with what was typed (八王子 → 八王子市) or that it ends with
    (西多摩郡瑞穂町 → 瑞穂町): the usual ways a name is written short or long. Nothing for a
    name or code that is a choice, or for a number; after a prefecture's name (広島県府中市), only
    that prefecture's."""
    text = normalize.fold_text(str(typed or ""))
    if not text or text.isdigit():
        return []
    prefecture = next((p for p in PREFECTURES if text.startswith(p)), None)
    names = list(
        dict.fromkeys(
            name
            for code, name, _en in found.choices
            if prefecture is None or prefecture_name(code[:2]) == prefecture
        )
    )
    if text in names:
        return []
    return [n for n in names if n.startswith(text) or text.endswith(n)][:limit]


def _names_a_case_column(cells: Sequence[str]) -> bool:
    """Whether a first line's cells name a column of a case: the header of a list separated
    otherwise than by commas, then read with its separator."""
    return any(column_for(cell.strip()) is not None for cell in cells)


def _map_columns(header: Sequence[Any]) -> tuple[dict[int, str], tuple[str, ...]]:
    columns: dict[int, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    errors: list[str] = []
    for i, cell in enumerate(header):
        title = "" if cell is None else str(cell).strip()
        if not title:
            continue
        field = column_for(title)
        if field is None:
            ignored.append(title)
        elif field in seen:
            errors.append(
                _(
                    "「%(first)s」と「%(second)s」は同じ項目（%(label)s）の列です。"
                    "どちらか一方にしてください。",
                    first=seen[field],
                    second=title,
                    label=_column_name(field, {}),
                )
            )
        else:
            seen[field] = title
            columns[i] = field
    if not seen:
        raise Invalid({"file": [_no_known_column()]})
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        names = listed(noted(c, CONSULTATION.question(c).label.get(_locale())) for c in missing)
        errors.append(_("列が足りません: %(names)s", names=names))
        unread = unread_columns_note(tuple(ignored), set(seen))
        if unread:
            errors.append(unread)
    if errors:
        raise Invalid({"file": errors})
    return columns, tuple(ignored)


def unread_columns_note(ignored: Sequence[str], read: Collection[str]) -> str | None:
    """The file's columns that name no item, beside the items it has no column of: a desk's own
    header (``罪名``, ``紹介機関名``) is read as nothing, and without this the clerk is told only
    that a crime type is required on each crime-related row, or nothing at all of its agencies.
    ``None`` when no column was left unread or every item has its column."""
    absent = [q for q in CONSULTATION.questions if q.id not in read]
    if not ignored or not absent:
        return None
    return _(
        "読まなかった列: %(columns)s。このファイルには次の項目の列がありません: %(items)s。"
        "読まなかった列がその項目のものであれば、列名をその項目名かコードに直してください。",
        columns=listed(_("「%(name)s」", name=title) for title in ignored),
        items=listed(noted(q.id, q.label.get(_locale())) for q in absent),
    )


def _no_known_column() -> str:
    """A first row with no column of a case at all is rarely a list missing its columns: the
    file is not a CSV of cases (a workbook saved under a .csv name, a tab-separated text) or its
    first row is a title, so it says that instead of listing every column as missing."""
    return _(
        "1行目に相談記録の列名が1つもありません。CSV（コンマ区切り）として読めないファイルか、"
        "1行目が列名の行ではありません。Excel のファイルは「CSV UTF-8（コンマ区切り）」で"
        "保存し直すか、Excel ブック（.xlsx）のまま選んでください。"
    )


def case_years() -> list[int]:
    """Every fiscal year that has cases, oldest first (the statistics page offers each)."""
    found = select(Consultation.fiscal_year).distinct().order_by(Consultation.fiscal_year)
    return list(db.session.scalars(found))


def latest_case_year(current: int) -> int:
    """The fiscal year the desk's pages open on: ``current`` when it has cases or when no year
    up to it has any, else the latest fiscal year before it that has cases (a new fiscal year
    starts empty, and the year just closed is what people come to read)."""
    latest = db.session.scalar(
        select(func.max(Consultation.fiscal_year)).where(Consultation.fiscal_year <= current)
    )
    return latest if latest is not None else current


def cases_page(fiscal_year: int, wanted_page: str | int | None) -> Page[Consultation]:
    """A page of the fiscal year's cases, newest first (staff's check of what was recorded)."""
    newest_first = (
        select(Consultation)
        .where(Consultation.fiscal_year == fiscal_year)
        .order_by(Consultation.received_on.desc(), Consultation.id.desc())
    )
    return page_of(newest_first, wanted_page, CASES_PER_PAGE)


def case_json(consultation: Consultation) -> dict[str, Any]:
    return {
        "id": consultation.id,
        "received_on": consultation.received_on.isoformat(),
        "fiscal_year": consultation.fiscal_year,
        "channel": consultation.channel,
        "age_group": consultation.age_group,
        "caller": consultation.caller,
        "crime_related": consultation.crime_related,
        "crime_type": consultation.crime_type,
        "referred_to": _ordered_referrals(consultation.referred_to),
        "municipality": consultation.municipality_code,
    }


def _ordered_referrals(codes: Sequence[str]) -> list[str]:
    order = CONSULTATION.question("referred_to").codes
    return [c for c in order if c in codes]
