"""Reference data: municipalities from CSV, built-in questionnaires, default recipients."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select

from forms import registry
from forms.normalize import clean_text, fold_text
from hub.db import db
from hub.errors import Invalid
from hub.models import Municipality, Recipient, Survey, check_digit
from hub.services import questionnaires

COLUMNS = ("code", "name", "kana", "name_en", "region", "type")
NAME_COLUMNS = frozenset({"name", "kana", "name_en"})
"""Names are kept as written; the other columns are codes, folded (１３１０１６ → 131016)."""
TOKYO_CSV = "tokyo_municipalities.csv"

DEFAULT_RECIPIENTS: tuple[tuple[str, str], ...] = (
    ("moj", "法務省 保護局"),
    ("tokyo-probation", "東京保護観察所"),
)


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


def read_municipality_csv(data: bytes) -> list[dict[str, str]]:
    """Parse and validate a municipality list; raise ``Invalid`` naming every bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp932")
        except UnicodeDecodeError:
            raise Invalid(
                {"file": ["文字コードを判別できません（UTF-8 か Shift_JIS で保存してください）。"]}
            ) from None
    if not text.strip():
        raise Invalid({"file": ["ファイルが空です（1行目に列名 code,name,… が必要です）。"]})
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(
            {"file": [f"列が足りません: {', '.join(missing)}（必要な列: {', '.join(COLUMNS)}）"]}
        )
    rows: list[dict[str, str]] = []
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {
            c: (clean_text if c in NAME_COLUMNS else fold_text)(raw.get(c) or "") for c in COLUMNS
        }
        problems = _row_problems(row, seen)
        if problems:
            errors[f"{line}行目"] = problems
        else:
            seen.add(row["code"])
            rows.append(row)
    if errors:
        raise Invalid(errors)
    if not rows:
        raise Invalid({"file": ["自治体が1件も含まれていません。"]})
    return rows


def _row_problems(row: Mapping[str, str], seen: set[str]) -> list[str]:
    code = row["code"]
    problems = []
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        problems.append(f"code は6桁の数字です: {code!r}")
    elif check_digit(code[:5]) != int(code[5]):
        problems.append(
            f"code {code} の検査数字が正しくありません（正しくは {code[:5]}{check_digit(code[:5])}）"
        )
    elif code in seen:
        problems.append(f"code {code} が重複しています")
    if not row["name"]:
        problems.append("name が空です")
    if not row["region"]:
        problems.append("region が空です")
    elif len(row["region"]) > 20:
        problems.append("region は20文字以内です")
    return problems


def import_municipalities(rows: Iterable[Mapping[str, str]]) -> ImportResult:
    existing = {m.code: m for m in db.session.scalars(select(Municipality))}
    added = updated = unchanged = 0
    for row in rows:
        values = {c: row[c] for c in COLUMNS if c != "code"}
        current = existing.get(row["code"])
        if current is None:
            db.session.add(
                Municipality(code=row["code"], prefecture_code=row["code"][:2], **values)
            )
            added += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            updated += 1
        else:
            unchanged += 1
    db.session.flush()
    return ImportResult(added, updated, unchanged)


def tokyo_csv() -> bytes:
    return resources.files("hub.data").joinpath(TOKYO_CSV).read_bytes()


def load_surveys() -> list[Survey]:
    """Store every shipped questionnaire version (``forms/definitions/``) as an imported one
    would be; safe to repeat, and a stored version is never changed."""
    return [
        questionnaires.store_shipped(questionnaire, f"{questionnaire.id}.xlsx")
        for questionnaire in registry.BUILT_IN
    ]


def ensure_default_recipients() -> None:
    for name, title in DEFAULT_RECIPIENTS:
        if db.session.get(Recipient, name) is None:
            db.session.add(
                Recipient(name=name, title=title, channel="outbox", formats=["xlsx", "csv", "json"])
            )
    db.session.flush()


def initialize() -> ImportResult:
    """What ``hub init`` does after migrating: reference data, questionnaires, recipients."""
    result = import_municipalities(read_municipality_csv(tokyo_csv()))
    load_surveys()
    ensure_default_recipients()
    return result
