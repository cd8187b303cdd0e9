"""An XLSForm with choice lists at national scale, as 都 staff would write one in Excel.

``choices`` holds every one of Japan's 1,741 municipalities (Tokyo's real 62 and the made-up
ones of :mod:`bench.national`) in the list ``municipality``, filtered by a ``pref`` column
(``choice_filter``: ``pref = ${prefecture}``, the usual cascade), the 47 prefectures, a list of
1,200 partner organisations (a ``select_one`` of the main one and a ``select_multiple`` of all),
and a yes/no: 2,990 rows, just under the reader's 3,000.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from bench.national import NATIONAL_COUNT, made_up_rows
from hub.models.municipality import PREFECTURES
from hub.services.reference import tokyo_csv

FORM_ID = "zenkoku_renkei"
PARTNERS = 1200
SURVEY = (
    ("type", "name", "label::ja", "label::en", "required", "relevant", "choice_filter",
     "appearance"),
    ("select_one prefecture", "prefecture", "都道府県", "Prefecture", "yes", None, None, None),
    ("select_one municipality", "municipality", "区市町村", "Municipality", "yes", None,
     "pref = ${prefecture}", "minimal"),
    ("select_one yes_no", "has_partner", "連携先はありますか", "Any partner?", "yes", None, None,
     None),
    ("select_one partner", "partner", "主な連携先", "Main partner", None,
     "${has_partner} = 'yes'", None, "minimal"),
    ("select_multiple partner", "partners", "連携したすべての機関", "Every partner", None,
     "${has_partner} = 'yes'", None, "columns"),
    ("integer", "cases", "連携した件数", "Cases", None, "${has_partner} = 'yes'", None, None),
)  # fmt: skip
CHOICES_HEADER = ("list_name", "name", "label::ja", "label::en", "pref")


def municipalities() -> list[tuple[str, str, str]]:
    """``(code, name, name_en)`` of Japan's 1,741 municipalities (Tokyo's real ones first)."""
    reader = csv.DictReader(io.StringIO(tokyo_csv().decode("utf-8")))
    tokyo = [(r["code"], r["name"], r["name_en"]) for r in reader]
    others = [(r["code"], r["name"], r["name_en"]) for r in made_up_rows(NATIONAL_COUNT)]
    return [*tokyo, *others]


def choice_rows() -> list[tuple[str, str, str, str, str]]:
    rows = [("yes_no", "yes", "はい", "Yes", ""), ("yes_no", "no", "いいえ", "No", "")]
    rows += [
        ("prefecture", f"{n:02d}", name, name, "") for n, name in enumerate(PREFECTURES, start=1)
    ]
    rows += [("municipality", code, name, en, code[:2]) for code, name, en in municipalities()]
    rows += [
        ("partner", f"p{n:04d}", f"連携先機関{n}", f"Partner {n}", "")
        for n in range(1, PARTNERS + 1)
    ]
    return rows


def big_form(version: int = 1, title: str = "全国の連携状況調査") -> bytes:
    """The ``.xlsx`` bytes of the form."""
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    for row in SURVEY:
        survey.append(list(row))
    choices = workbook.create_sheet("choices")
    choices.append(list(CHOICES_HEADER))
    for choice in choice_rows():
        choices.append(list(choice))
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append([FORM_ID, version, title])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
