"""A questionnaire written by hand in Excel, and the answers 62 municipalities type into it.

The file is laid out as a 都 staff member would write it for 「協力雇用主の情報」 (one of the
council's next steps): one label column serving both languages, ODK's spellings in places
(``begin group``, ``select one from``), a required-if, constraints with their own messages, the
基準日 rule, an ``other`` text, numbers, and three ``personal`` fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from math import fsum
from pathlib import Path
from statistics import median
from typing import Any

from flask import Flask
from sqlalchemy import select

from hub.db import db
from hub.models import Municipality
from tests.conftest import Api
from tests.forms.xlsform_files import xlsx

FORM_ID = "kyoryoku_koyonushi"
REFERENCE_DATE = date(2026, 4, 1)

SURVEY = (
    ("type", "name", "label", "hint", "required", "relevant", "constraint",
     "constraint_message", "personal"),
    ("begin group", "employers", "A. 協力雇用主", None, None, None, None, None, None),
    ("select_one yes_no", "has_list", "協力雇用主の名簿の有無", None, "yes", None, None, None, None),
    ("integer", "employer_count", "把握している協力雇用主の数", "実数で", "${has_list} = 'yes'",
     "${has_list} = 'yes'", ". >= 0 and . <= 500", "0〜500の範囲で入力してください。", None),
    ("date", "list_updated", "名簿の最終更新日", "例: 令和8年3月1日", None, "${has_list} = 'yes'",
     ". <= ${reference_date}", None, None),
    ("select_multiple sectors", "sectors", "協力雇用主の業種", "3つまで", None,
     "${has_list} = 'yes'", "count-selected(.) <= 3", "3つまで選んでください。", None),
    ("text", "sectors_other", "協力雇用主の業種（その他の内容）", None,
     "selected(${sectors}, 'other')", "selected(${sectors}, 'other')",
     "string-length(.) <= 100", None, None),
    ("end group", None, None, None, None, None, None, None, None),
    ("begin group", "liaison", "B. 情報交換", None, None, None, None, None, None),
    ("select one from freq", "frequency", "情報交換の頻度", None, "yes", None, None, None, None),
    ("decimal", "budget", "関連予算（百万円）", "例: 1.5", None, None, ". >= 0 and . <= 1000",
     None, None),
    ("end group", None, None, None, None, None, None, None, None),
    ("begin group", "contact", "C. 回答者", None, None, None, None, None, None),
    ("text", "contact_name", "回答者氏名", None, "yes", None, None, None, "yes"),
    ("phone", "contact_phone", "電話番号", None, "yes", None, None, None, "yes"),
    ("email", "contact_email", "メールアドレス", None, None, None, None, None, "yes"),
    ("end group", None, None, None, None, None, None, None, None),
)  # fmt: skip
CHOICES = (
    ("list_name", "name", "label"),
    ("yes_no", "yes", "はい"),
    ("yes_no", "no", "いいえ"),
    ("sectors", "construction", "建設業"),
    ("sectors", "manufacturing", "製造業"),
    ("sectors", "service", "サービス業"),
    ("sectors", "care", "介護・福祉"),
    ("sectors", "other", "その他"),
    ("freq", "monthly", "月1回程度"),
    ("freq", "quarterly", "四半期に1回程度"),
    ("freq", "yearly", "年1回程度"),
    ("freq", "none", "行っていない"),
)


def definition_file(*, version: int, extra_choices: tuple[tuple[str, str, str], ...] = ()) -> bytes:
    return xlsx(
        {
            "survey": SURVEY,
            "choices": (*CHOICES, *extra_choices),
            "settings": (
                ("form_id", "version", "form_title"),
                (FORM_ID, version, "協力雇用主の情報に関する調査"),
            ),
        }
    )


# --- what people type, and what the hub keeps ---------------------------------------------

NAME_TYPED = "山田　太郎"
PHONES_TYPED = (
    "０３－５３２１－１１１１",
    "03(5321)1111",
    "090 1234 5678",
    "０４２（６２６）３１１１",
)
PHONES_KEPT = ("03-5321-1111", "03-5321-1111", "090-1234-5678", "042-626-3111")
EMAIL_TYPED = "Tanto{i}@City.Example.LG.JP"
COUNTS_TYPED = ("１２", "3", "０", " ２５ ")
DATES_TYPED = ("令和8年3月1日", "R8.2.15", "2026/1/31", "令和７年１２月１日")
DATES_KEPT = ("2026-03-01", "2026-02-15", "2026-01-31", "2025-12-01")
SECTORS = (["construction"], ["construction", "manufacturing"], ["service", "other"], [])
OTHER_SECTOR = "清掃業（ビルメンテナンス）"
FREQUENCIES = ("monthly", "quarterly", "yearly", "none")
BUDGETS_TYPED = {0: "１．５", 1: "0.3"}
BUDGETS_KEPT = {0: 1.5, 1: 0.3}


def keeps_list(index: int) -> bool:
    return index % 3 != 2


def answers_for(index: int) -> dict[str, Any]:
    """What municipality ``index`` types: 全角 digits, 和暦, phones every which way. Those
    without a list also type a count, which is hidden for them and must not be kept."""
    typed: dict[str, Any] = {
        "has_list": "yes" if keeps_list(index) else "no",
        "frequency": FREQUENCIES[index % 4],
        "contact_name": NAME_TYPED,
        "contact_phone": PHONES_TYPED[index % 4],
        "contact_email": EMAIL_TYPED.format(i=index),
    }
    if keeps_list(index):
        typed["employer_count"] = COUNTS_TYPED[index % 4]
        typed["list_updated"] = DATES_TYPED[index % 4]
        if SECTORS[index % 4]:
            typed["sectors"] = SECTORS[index % 4]
        if "other" in SECTORS[index % 4]:
            typed["sectors_other"] = OTHER_SECTOR
    else:
        typed["employer_count"] = "５"
    if index % 5 in BUDGETS_TYPED:
        typed["budget"] = BUDGETS_TYPED[index % 5]
    return typed


def expected_answers(index: int) -> dict[str, Any]:
    """What the hub keeps of :func:`answers_for` once submitted."""
    kept: dict[str, Any] = {
        "has_list": "yes" if keeps_list(index) else "no",
        "frequency": FREQUENCIES[index % 4],
        "contact_name": NAME_TYPED,
        "contact_phone": PHONES_KEPT[index % 4],
        "contact_email": f"Tanto{index}@city.example.lg.jp",
    }
    if keeps_list(index):
        kept["employer_count"] = int(COUNTS_TYPED[index % 4].strip().translate(_FULL_WIDTH))
        kept["list_updated"] = DATES_KEPT[index % 4]
        if SECTORS[index % 4]:
            kept["sectors"] = SECTORS[index % 4]
        if "other" in SECTORS[index % 4]:
            kept["sectors_other"] = OTHER_SECTOR
    if index % 5 in BUDGETS_KEPT:
        kept["budget"] = BUDGETS_KEPT[index % 5]
    return kept


_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def stats(values: list[Any]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "sum": 0, "min": None, "median": None, "max": None}
    middle = median(values)
    if all(isinstance(v, int) for v in values) and middle == int(middle):
        middle = int(middle)
    total = sum(values) if all(isinstance(v, int) for v in values) else fsum(values)
    return {"n": len(values), "sum": total, "min": min(values), "median": middle,
            "max": max(values)}  # fmt: skip


# --- the loop's set-up ----------------------------------------------------------------------


@dataclass
class Loop:
    round_id: int
    codes: list[str]
    """Every municipality asked, by code."""
    staff: Api


def municipalities(app: Flask) -> dict[str, str]:
    """``{code: region}`` of every municipality."""
    with app.app_context():
        return dict(db.session.execute(select(Municipality.code, Municipality.region)).all())


def import_definition(runner: Any, folder: Path, data: bytes, name: str = "協力雇用主.xlsx") -> str:
    """``hub questionnaire import FILE`` as staff type it; returns its last line
    (``<form_id> v<version>``)."""
    path = folder / name
    path.write_bytes(data)
    result = runner("questionnaire", "import", str(path))
    assert result.exit_code == 0, result.output
    return str(result.output.splitlines()[-1])


def open_round(runner: Any, reference_date: date = REFERENCE_DATE) -> int:
    result = runner(
        "round", "open", FORM_ID,
        "--reference-date", reference_date.isoformat(),
        "--deadline", "2099-05-29T17:00",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return int(result.output.strip().splitlines()[-1])


def open_loop(app: Flask, folder: Path, runner: Any, staff: Api, data: bytes) -> Loop:
    assert import_definition(runner, folder, data) == f"{FORM_ID} v1"
    round_id = open_round(runner)
    return Loop(round_id, sorted(municipalities(app)), staff)
