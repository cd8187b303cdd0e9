"""The municipalities (区市町村) over the years: a prefecture's list read from CSV or xlsx (or
総務省's code list), compared with what is stored, and applied; municipalities retired (合併・廃止),
given another day, and brought back.

A retired municipality keeps its code, its name and everything recorded for it (responses,
hearings, cases, referrals, accounts); from its day it is no longer asked by new rounds or offered
for a new referral (retired on a day still to come, it is until then: 廃止予定). Rounds already
open keep asking it, but once its day has passed it is not reminded.
The day it was retired is kept (``retired_on``, as DHIS2 keeps a closed organisation unit's
closed date): the fiscal years before it still count it, and a case or hearing dated before it
may name it (``Municipality.existed_on``).

``--retire-missing`` (the 区市町村 page's 「ファイルにない団体を廃止にする」) retires only
municipalities of the prefectures the file lists (the first two digits of the code): Osaka's
list never retires a Tokyo municipality."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, func, or_, select

from forms import tokyo
from forms.normalize import clean_text, fold_text, same_ke
from hub.db import db
from hub.errors import Invalid, NotFound
from hub.models import (
    EDITABLE,
    Municipality,
    Referral,
    ReferralStatus,
    Response,
    Round,
    User,
    check_digit,
    prefecture_name,
)
from hub.services import audit, code_list
from hub.services.paging import Page, page_of
from hub.services.uploaded_tables import header_titles, other_separator, read_table

COLUMNS = ("code", "name", "kana", "name_en", "region", "type")
NAME_COLUMNS = frozenset({"name", "kana", "name_en"})
"""Names are kept as written; the other columns are codes, folded (１３１０１６ → 131016)."""
PER_PAGE = 50


def prefecture_label(code: str) -> str:
    """A prefecture's name in the request's language (東京都, Tokyo); Japanese outside a request."""
    english = has_request_context() and str(get_locale()) == "en"
    return prefecture_name(code, english=english)


class ChangeKind(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    REACTIVATED = "reactivated"
    RETIRED = "retired"


@dataclass(frozen=True)
class FieldChange:
    column: str
    before: str
    after: str


@dataclass(frozen=True)
class Change:
    code: str
    name: str
    kind: ChangeKind
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """What importing a list would change; ``apply_plan`` does exactly this."""

    rows: tuple[Mapping[str, str], ...]
    changes: tuple[Change, ...]
    unchanged: int
    prefectures: tuple[str, ...]

    def of(self, kind: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def count(self, kind: ChangeKind) -> int:
        return len(self.of(kind))

    @property
    def fingerprint(self) -> str:
        """Names this plan: a confirmation made from one preview applies only that preview."""
        text = "\n".join(
            f"{c.kind}|{c.code}|" + "|".join(f"{f.column}={f.after}" for f in c.fields)
            for c in self.changes
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


# --------------------------------------------------------------------------- reading a list

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("団体コード", "市区町村コード", "コード"),
    "name": ("団体名", "名称", "市区町村名"),
    "kana": ("ふりがな", "フリガナ", "よみ", "よみがな", "読み"),
    "name_en": ("英語名", "英語表記"),
    "region": ("地域", "区分"),
    "type": ("種別",),
}
"""The Japanese headers a prefecture's own list gives the hub's columns (団体コード,団体名,…, often
in a CSV saved by Excel in Shift_JIS); the first one is named when a column is missing."""
_HEADER_COLUMNS = {
    alias: column for column, aliases in HEADER_ALIASES.items() for alias in (column, *aliases)
}


def columns_of(header: Sequence[Any]) -> dict[str, int]:
    """Where each of :data:`COLUMNS` is in ``header``, by its name or a Japanese one (any width
    and case, spaces ignored); a column named twice is read from its first place."""
    where: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = "".join(fold_text("" if cell is None else str(cell)).lower().split())
        column = _HEADER_COLUMNS.get(key)
        if column is not None:
            where.setdefault(column, index)
    return where


def read_municipality_list(
    data: bytes, *, prefectures: Collection[str] = ()
) -> list[dict[str, str]]:
    """Parse and validate a municipality list — a CSV (UTF-8 or Shift_JIS) or the first sheet
    of an xlsx, with the columns of ``COLUMNS`` (or their Japanese names, :data:`HEADER_ALIASES`)
    in any order, codes of 6 digits or 5 (:func:`with_check_digit`), or 総務省's 全国地方公共団体コード
    list as downloaded (:mod:`hub.services.code_list`); raise ``Invalid`` naming every bad line
    by its row number in the file. ``prefectures`` (two-digit codes): only their municipalities
    are read, the other lines passed over unchecked (a national list, read for one prefecture).
    """
    table = read_table(data, header_fits=_is_header, one_line_cells=True)
    code_list_header = code_list.find_header(table.header, table.rows)
    if code_list_header is not None:
        columns, header_line = code_list_header
        header = table.header if header_line == 1 else dict(table.rows)[header_line]
        listed = [(line, cells) for line, cells in table.rows if line > header_line]
        return _checked(
            (
                (line, code_list.row_of(cells, columns))
                for line, cells in _zeros_restored(listed, columns["code"])
            ),
            prefectures,
            header_titles(header, columns),
        )
    where = columns_of(table.header)
    missing = [c for c in COLUMNS if c not in where]
    if missing:
        needed = ", ".join(f"{c}（{HEADER_ALIASES[c][0]}）" for c in COLUMNS)
        separator = other_separator(table.header)
        if separator is not None:
            raise Invalid(
                {
                    "file": [
                        _(
                            "1行目の列がコンマ（,）でなく%(separator)sで区切られていて、必要な列を"
                            "読み分けられません（必要な列: %(columns)s）。列名を確かめるか、Excel で"
                            "「CSV UTF-8（コンマ区切り）」として保存し直してください。",
                            separator=separator,
                            columns=needed,
                        )
                    ]
                }
            )
        raise Invalid(
            {
                "file": [
                    _(
                        "列が足りません: %(missing)s（必要な列: %(columns)s）",
                        missing=", ".join(missing),
                        columns=needed,
                    )
                ]
            }
        )
    return _checked(
        (
            (line, {c: cells[i] if i < len(cells) else None for c, i in where.items()})
            for line, cells in _zeros_restored(table.rows, where["code"])
        ),
        prefectures,
        header_titles(table.header, where),
    )


def _is_header(cells: Sequence[Any]) -> bool:
    """Whether ``cells`` are a list's header: the hub's columns, or 総務省's."""
    return set(columns_of(cells)) == set(COLUMNS) or code_list.header_columns(cells) is not None


def _digits(value: Any) -> str | None:
    """A code cell's digits as the cell holds them (a number, or text in any width), or ``None``
    when it is not digits alone."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if value >= 0 else None
    text = fold_text("" if value is None else str(value)).strip()
    return text if text.isascii() and text.isdigit() else None


def _zeros_restored(
    rows: Sequence[tuple[int, list[Any]]], index: int
) -> list[tuple[int, list[Any]]]:
    """The rows with their codes as text, as written before a spreadsheet dropped their leading
    zero.

    Excel keeps a code as a number, or re-saves a CSV it opened, without the zero of the
    prefectures 01–09: 北海道's 011002 becomes 11002, and 01100 (the same without its check
    digit) 1100. A code of four digits can only be the latter (no prefecture is 00), in a list
    of 5-digit codes (alone, or among 6-digit ones, it is more likely mistyped). One of five
    digits is either a 6-digit code that lost its zero or a code without its check digit (13101,
    which the hub completes); the file decides: it is read as the former when the list's other
    codes are of six digits (a national list), or, when all are of five, when most of them are
    then right by their check digit (a wrong one is then refused by its check digit). Read
    otherwise, 北海道's municipalities would become codes of 埼玉県 and beyond."""

    def digits_of(cells: list[Any]) -> str | None:
        return _digits(cells[index] if index < len(cells) else None)

    found = [d for __, cells in rows if (d := digits_of(cells)) is not None]
    lengths = {len(d) for d in found}
    if 6 in lengths and 4 not in lengths:
        lost_zero = True
    elif 4 in lengths and 6 not in lengths:
        lost_zero = False
    else:
        fives = [d for d in found if len(d) == 5]
        lost_zero = 2 * sum(_valid(f"0{d}") for d in fives) > len(fives)
    five_digit_list = 5 in lengths and 6 not in lengths
    restored = []
    for line, cells in rows:
        digits = digits_of(cells)
        if digits is not None:
            if (len(digits) == 5 and lost_zero) or (len(digits) == 4 and five_digit_list):
                digits = f"0{digits}"
            cells = [*cells[:index], digits, *cells[index + 1 :]]
        restored.append((line, cells))
    return restored


def _valid(code: str) -> bool:
    """Whether a 6-digit code's last digit is its check digit."""
    return check_digit(code[:5]) == int(code[5])


def _checked(
    lines: Iterable[tuple[int, Mapping[str, Any] | None]],
    prefectures: Collection[str],
    titles: Mapping[str, str],
) -> list[dict[str, str]]:
    """The rows as text, every line checked (``None``: a line that is no municipality), only
    those of ``prefectures`` when some are given; a problem names its column by ``titles`` (as
    the file's header names it), else by the hub's name (a column the file has none of)."""
    rows: list[dict[str, str]] = []
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    """Each code read so far, by the line it was on."""
    for line, cells in lines:
        if cells is None:
            continue
        row = {c: _cell_text(c, value) for c, value in cells.items()}
        if prefectures and row["code"][:2] not in prefectures:
            continue
        problems = _row_problems(row, seen, titles)
        if problems:
            errors[_("%(line)s行目", line=line)] = problems
        else:
            seen[row["code"]] = line
            rows.append(row)
    if errors:
        raise Invalid(errors)
    if not rows and prefectures:
        raise Invalid(
            {
                "file": [
                    _(
                        "%(prefectures)sの団体が1件も含まれていません。",
                        prefectures="・".join(
                            prefecture_label(code) for code in sorted(prefectures)
                        ),
                    )
                ]
            }
        )
    if not rows:
        raise Invalid({"file": [_("自治体が1件も含まれていません。")]})
    return rows


def _cell_text(column: str, value: Any) -> str:
    """A cell as text: names kept as written, codes as :func:`code_list.code_text` reads them."""
    if column == "code":
        return with_check_digit(code_list.code_text(value))
    text = "" if value is None else str(value)
    return (clean_text if column in NAME_COLUMNS else fold_text)(text)


def with_check_digit(code: str) -> str:
    """A five-digit code — 団体コード without its check digit, as lists derived from 総務省's often
    write it (13101) — as the hub keeps it, its check digit added (131016); any other unchanged
    (a 6-digit code keeps its own check digit, to be checked)."""
    if len(code) == 5 and code.isascii() and code.isdigit():
        return f"{code}{check_digit(code)}"
    return code


def _row_problems(
    row: Mapping[str, str], seen: Mapping[str, int], titles: Mapping[str, str]
) -> list[str]:
    def title(column: str) -> str:
        return titles.get(column, column)

    code = row["code"]
    problems = []
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        problems.append(
            _("%(column)s は6桁の数字です: %(code)s", column=title("code"), code=repr(code))
        )
    elif check_digit(code[:5]) != int(code[5]):
        problems.append(
            _(
                "%(column)s %(code)s の検査数字が正しくありません（正しくは %(right)s）",
                column=title("code"),
                code=code,
                right=f"{code[:5]}{check_digit(code[:5])}",
            )
        )
    elif code in seen:
        problems.append(
            _(
                "%(column)s %(code)s が重複しています（%(line)s行目と同じ）",
                column=title("code"),
                code=code,
                line=seen[code],
            )
        )
    for column, limit in (("name", 100), ("region", 20)):
        if not row[column]:
            problems.append(_("%(column)s が空です", column=title(column)))
        elif len(row[column]) > limit:
            problems.append(
                _("%(column)s は%(limit)s文字以内です", column=title(column), limit=limit)
            )
    for column, limit in (("kana", 200), ("name_en", 200), ("type", 20)):
        if len(row.get(column, "")) > limit:
            problems.append(
                _("%(column)s は%(limit)s文字以内です", column=title(column), limit=limit)
            )
    return problems


# ------------------------------------------------------------------------------ importing


def plan_import(
    rows: Iterable[Mapping[str, str]], *, retire_missing: bool = False, reactivate: bool = True
) -> ImportPlan:
    """Compare ``rows`` with what is stored. ``reactivate``: a retired municipality the list
    holds is brought back (``hub init``, which loads the shipped Tokyo list on every upgrade,
    leaves retired ones retired) — not one retired on a day still to come: it is on today's list
    because it exists until then, and its day stays."""
    rows = tuple(rows)
    today = tokyo.today()
    existing = {m.code: m for m in db.session.scalars(select(Municipality))}
    changes: list[Change] = []
    unchanged = 0
    for row in rows:
        current = existing.get(row["code"])
        if current is None:
            changes.append(Change(row["code"], row["name"], ChangeKind.ADDED))
            continue
        fields = tuple(
            FieldChange(column, getattr(current, column), row[column])
            for column in COLUMNS[1:]
            if column in row and getattr(current, column) != row[column]
        )
        if reactivate and not current.existed_on(today):
            changes.append(Change(row["code"], row["name"], ChangeKind.REACTIVATED, fields))
        elif fields:
            changes.append(Change(row["code"], row["name"], ChangeKind.UPDATED, fields))
        else:
            unchanged += 1
    prefectures = tuple(sorted({row["code"][:2] for row in rows}))
    if retire_missing:
        listed = {row["code"] for row in rows}
        changes.extend(
            Change(m.code, m.name, ChangeKind.RETIRED)
            for code, m in sorted(existing.items())
            if m.active and code[:2] in prefectures and code not in listed
        )
    return ImportPlan(rows, tuple(changes), unchanged, prefectures)


def new_prefectures(plan: ImportPlan) -> tuple[str, ...]:
    """The prefectures of ``plan`` of which no municipality is stored yet — when some other
    prefecture's are (a national list uploaded to a prefecture's hub); empty otherwise."""
    stored = set(db.session.scalars(select(Municipality.prefecture_code).distinct()))
    new = tuple(code for code in plan.prefectures if code not in stored)
    return new if stored and new else ()


def apply_plan(plan: ImportPlan, *, user: User | None, audited: bool = True) -> ImportPlan:
    """Write ``plan`` (made in this transaction) and, when it changes anything, audit it
    (``audited=False``: ``hub init`` loading the shipped list, as a migration would)."""
    stored = {m.code: m for m in db.session.scalars(select(Municipality))}
    rows = {row["code"]: row for row in plan.rows}
    for change in plan.changes:
        if change.kind == ChangeKind.ADDED:
            row = rows[change.code]
            values = {c: row.get(c, "") for c in COLUMNS}
            db.session.add(Municipality(prefecture_code=change.code[:2], **values))
            continue
        municipality = stored[change.code]
        for field in change.fields:
            setattr(municipality, field.column, field.after)
        if change.kind in (ChangeKind.REACTIVATED, ChangeKind.RETIRED):
            _set(municipality, active=change.kind == ChangeKind.REACTIVATED, on=tokyo.today())
    db.session.flush()
    if audited and plan.changes:
        audit.record(
            "municipality.import",
            user=user,
            target=",".join(plan.prefectures),
            unchanged=plan.unchanged,
            **_codes_by_kind(plan),
        )
    return plan


def _codes_by_kind(plan: ImportPlan) -> dict[str, Any]:
    return {
        f"{kind.value}_codes": [c.code for c in plan.of(kind)]
        for kind in ChangeKind
        if plan.of(kind)
    }


def _set(municipality: Municipality, *, active: bool, on: date) -> None:
    municipality.active = active
    municipality.retired_on = None if active else on


def set_active(
    codes: Sequence[str], *, active: bool, user: User | None, on: date | None = None
) -> list[Municipality]:
    """Retire (``active=False``, on ``on``: today in Tokyo by default) or bring back the
    municipalities of ``codes``; those already so are left alone (:func:`set_retired_on` changes
    the day of one already retired). Unknown codes are refused, all of them named, nothing
    changed. Returns those changed."""
    found = _found(codes)
    changed = [found[code] for code in dict.fromkeys(codes) if found[code].active != active]
    day = on or tokyo.today()
    for municipality in changed:
        _set(municipality, active=active, on=day)
        details: dict[str, Any] = {} if active else {"retired_on": day.isoformat()}
        audit.record(
            "municipality.reactivate" if active else "municipality.retire",
            user=user,
            target=municipality.code,
            municipality_code=municipality.code,
            **details,
        )
    db.session.flush()
    return changed


def set_retired_on(codes: Sequence[str], on: date, *, user: User | None) -> list[Municipality]:
    """Give the retired municipalities of ``codes`` the day ``on`` (a list import retires with
    today's date; the day of a merger is often settled later). Active ones and those already
    retired on that day are left alone; unknown codes are refused as by :func:`set_active`.
    Returns those changed, each change audited with the day before."""
    found = _found(codes)
    changed = [
        m
        for m in (found[code] for code in dict.fromkeys(codes))
        if not m.active and m.retired_on != on
    ]
    for municipality in changed:
        before = municipality.retired_on
        municipality.retired_on = on
        audit.record(
            "municipality.redate",
            user=user,
            target=municipality.code,
            municipality_code=municipality.code,
            retired_on=on.isoformat(),
            was=before.isoformat() if before else "",
        )
    db.session.flush()
    return changed


def municipality_typed(typed: str) -> str:
    """The code of the municipality an operator typed (``hub user add``, ``set-role``,
    ``reactivate``, ``hub municipalities retire``/``reactivate``; the pages post the code): its
    six digits, 総務省's five without the check digit (13201), 全角 too, or its name (八王子市; ヶ
    or ケ alike; one that exists today before a retired one of the same name), as an office's
    list writes it. What names no one municipality comes back folded, for the caller to refuse."""
    text = fold_text(typed)
    if text.isascii() and text.isdigit():
        return with_check_digit(text)
    named = [
        m
        for m in db.session.scalars(select(Municipality).order_by(Municipality.code))
        if same_ke(m.name) == same_ke(text)
    ]
    today = tokyo.today()
    existing = [m for m in named if m.existed_on(today)] or named  # 府中市: two prefectures
    return existing[0].code if len(existing) == 1 else text


def _found(codes: Sequence[str]) -> dict[str, Municipality]:
    found = {
        m.code: m
        for m in db.session.scalars(select(Municipality).where(Municipality.code.in_(codes)))
    }
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise NotFound(_("登録されていない団体コードです: %(codes)s", codes=", ".join(unknown)))
    return found


def get(code: str) -> Municipality:
    municipality = db.session.get(Municipality, fold_text(code))
    if municipality is None:
        raise NotFound(_("登録されていない団体コードです: %(codes)s", codes=code))
    return municipality


# -------------------------------------------------------------------------------- listing

STATUSES = ("active", "retired", "all")


def listed(*, search: str = "", status: str = "active") -> Select[Any]:
    """The municipalities by code; ``search`` a part of the name (ヶ or ケ alike) or of the kana
    (in hiragana or katakana), or the code's start (全角 or half-width); ``status`` one of
    ``STATUSES`` (``active``: those that exist today, one retired on a day still to come
    included)."""
    query = select(Municipality).order_by(Municipality.code)
    if status != "all":
        exists = Municipality.existed_on(tokyo.today())
        query = query.where(exists if status == "active" else ~exists)
    found = matching(search)
    return query if found is None else query.where(found)


def matching(search: str) -> ColumnElement[bool] | None:
    """The municipalities ``search`` finds: a part of the name (ヶ or ケ alike), of the kana (in
    hiragana or katakana) or of the English name, or the code's start (全角 or half-width);
    ``None`` for an empty search."""
    wanted = fold_text(search).strip()
    if not wanted:
        return None
    name = func.replace(func.replace(Municipality.name, "ヶ", "ケ"), "ヵ", "カ")  # same_ke
    return or_(
        Municipality.code.startswith(wanted, autoescape=True),
        name.contains(same_ke(wanted), autoescape=True),
        Municipality.kana.contains(code_list.hiragana(wanted), autoescape=True),
        Municipality.name_en.icontains(wanted, autoescape=True),
    )


def municipalities_page(
    wanted_page: str | int | None, *, search: str = "", status: str = "active"
) -> Page[Municipality]:
    return page_of(listed(search=search, status=status), wanted_page, PER_PAGE)


@dataclass(frozen=True)
class OpenWork:
    """What is still under way at a municipality, for whoever is about to retire it: counts only
    (the referrals' contents are not the administrator's to read)."""

    referrals: int
    """Referrals to its windows neither closed nor declined."""
    responses: int
    """Its responses still to be submitted in rounds that take answers."""


def open_work(code: str) -> OpenWork:
    referrals = db.session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(
            Referral.municipality_code == code,
            Referral.status.in_([ReferralStatus.SENT, ReferralStatus.ACCEPTED]),
        )
    )
    responses = db.session.scalar(
        select(func.count())
        .select_from(Response)
        .join(Round, Round.id == Response.round_id)
        .where(
            Response.municipality_code == code,
            Response.state.in_([str(s) for s in EDITABLE]),
            Round.closed_at.is_(None),
        )
    )
    return OpenWork(referrals or 0, responses or 0)
