"""Two questionnaires as a 都 staff member would author them in Excel for the municipalities,
built with openpyxl as in ``bench/big_form.py``; neither is shipped.

- :func:`shuro_shien` 「就労支援の取組状況調査」: groups with labels, a yes/no driving a group's
  ``relevant``, a ``select_multiple`` with ``other`` and a text asked when it is chosen, an
  ``integer`` with a constraint and a Japanese ``constraint_message``, a ``decimal``, a ``date``
  constrained against ``today()``, a ``note``, ``required`` with ``required_message``, ``hint``,
  ``default``, an ``acknowledge``, labels with line breaks and 全角 characters, ``label::en``.
- :func:`madoguchi` 「相談窓口の体制調査」: a cascading select (``choice_filter``), a ``range``,
  the ``appearance`` words the hub draws, and a choice list shared by two questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.forms.xlsform_files import xlsx

SHURO_ID = "shuro_shien"
SHURO_TITLE = "就労支援の取組状況調査"
MADOGUCHI_ID = "madoguchi"
MADOGUCHI_TITLE = "相談窓口の体制調査"

SHURO_SURVEY = (
    ("type", "name", "label::ja", "label::en", "hint::ja", "hint::en", "required",
     "required_message::ja", "relevant", "constraint", "constraint_message::ja",
     "constraint_message::en", "default", "personal"),
    ("note", "intro", "この調査は、就労支援の取組を把握するためのものです。\n令和８年４月１日現在で"
     "お答えください。", "This survey asks about employment support.", None, None, None, None,
     None, None, None, None, None, None),
    ("begin_group", "basics", "Ａ．就労支援の実施状況", "A. Employment support", None, None, None,
     None, None, None, None, None, None, None),
    ("select_one yes_no", "has_program", "就労支援の取組を\n実施していますか", "Do you run "
     "employment support?", "庁内のいずれかの部署で実施していれば「はい」", "Yes if any "
     "department runs one", "yes", "実施の有無を選んでください。", None, None, None, None, None,
     None),
    ("end_group", None, None, None, None, None, None, None, None, None, None, None, None, None),
    ("begin_group", "program", "Ｂ．取組の内容", "B. The programme", None, None, None, None,
     "${has_program} = 'yes'", None, None, None, None, None),
    ("select_multiple support", "support_kinds", "実施している支援（複数選択可）",
     "Kinds of support", None, None, "yes", None, None, None, None, None, "counseling", None),
    ("text", "support_kinds_other", "その他の支援の内容", "Other support", "具体的に",
     "Describe it", "yes", "その他の内容を入力してください。",
     "selected(${support_kinds}, 'other')", None, None, None, None, None),
    ("integer", "participants", "支援を受けた人数（人）", "People supported", "実人数で",
     "Head count", "yes", None, None, ". >= 0 and . <= 9999",
     "０〜９９９９人の範囲で入力してください。", "Between 0 and 9999.", "0", None),
    ("decimal", "budget", "関連予算（百万円）", "Budget (million yen)", "小数第２位まで", None,
     None, None, None, ". >= 0", "０以上で入力してください。", None, None, None),
    ("date", "started_on", "取組の開始日", "Started on", "例：令和３年４月１日", None, None, None,
     None, ". <= today()", "今日より後の日付は入力できません。", "Not after today.", None,
     None),
    ("end_group", None, None, None, None, None, None, None, None, None, None, None, None, None),
    ("text", "remarks", "備考\n（自由記述）", "Remarks", None, None, None, None, None,
     "string-length(.) <= 400", None, None, None, None),
    ("text", "contact_name", "回答者氏名", "Respondent", None, None, "yes", None, None, None,
     None, None, None, "yes"),
    ("acknowledge", "confirmed", "回答内容を確認しました", "I checked my answers", None, None,
     "yes", "確認欄にチェックしてください。", None, None, None, None, None, None),
)  # fmt: skip

SHURO_CHOICES = (
    ("list_name", "name", "label::ja", "label::en"),
    ("yes_no", "yes", "はい", "Yes"),
    ("yes_no", "no", "いいえ", "No"),
    ("support", "counseling", "就労相談", "Job counselling"),
    ("support", "training", "職業訓練（協力雇用主と連携）", "Vocational training"),
    ("support", "placement", "就職先の紹介", "Job placement"),
    ("support", "other", "その他", "Other"),
)


def shuro_shien(
    version: int = 1, defaults: Mapping[str, str] | None = None, headline_title: str = ""
) -> bytes:
    """「就労支援の取組状況調査」 as a ``.xlsx``; ``defaults`` gives questions (by name) a
    ``default`` of their own, ``headline_title`` the settings column of that name."""
    column = SHURO_SURVEY[0].index("default")
    survey = tuple(
        (*row[:column], defaults[row[1]], *row[column + 1 :])
        if defaults and row[1] in defaults
        else row
        for row in SHURO_SURVEY
    )
    return _workbook(
        survey,
        SHURO_CHOICES,
        (("form_id", "version", "form_title", "form_title_en", "headline",
          "listed_choice", "headline_title"),
         (SHURO_ID, version, SHURO_TITLE, "Employment support survey", "has_program", "yes",
          headline_title or None)),
    )  # fmt: skip


MADOGUCHI_SURVEY = (
    ("type", "name", "label::ja", "label::en", "hint::ja", "required", "relevant",
     "choice_filter", "appearance", "parameters"),
    ("select_one area", "area", "窓口の所在地域", "Area of the window", None, "yes", None, None,
     "minimal", None),
    ("select_one city", "city", "窓口の所在区市町村", "Municipality of the window",
     "地域を選ぶと候補が絞られます", "yes", None, "area = ${area}", "minimal", None),
    ("select_one level", "staffing", "人員体制の充実度", "Staffing", None, "yes", None, None,
     "likert", None),
    ("select_one level", "cooperation", "関係機関との連携の充実度", "Cooperation", None, None,
     None, None, "likert", None),
    ("range", "staff_count", "相談員の人数", "Counsellors", "０〜２０人", "yes", None, None, None,
     "start=0 end=20 step=1"),
    ("select_multiple channel", "channels", "相談の受付方法", "Channels", None, None, None, None,
     "columns", None),
    ("text", "features", "窓口の特徴", "What is special", None, None, None, None, "multiline", None),
)  # fmt: skip

MADOGUCHI_CHOICES = (
    ("list_name", "name", "label::ja", "label::en", "area"),
    ("area", "ku", "区部", "Wards", None),
    ("area", "shi", "市部", "Cities", None),
    ("city", "shinjuku", "新宿区", "Shinjuku", "ku"),
    ("city", "setagaya", "世田谷区", "Setagaya", "ku"),
    ("city", "hachioji", "八王子市", "Hachioji", "shi"),
    ("city", "machida", "町田市", "Machida", "shi"),
    ("level", "high", "十分", "Enough", None),
    ("level", "mid", "ある程度", "Somewhat", None),
    ("level", "low", "不十分", "Not enough", None),
    ("channel", "visit", "来所", "In person", None),
    ("channel", "phone", "電話", "Phone", None),
    ("channel", "online", "オンライン", "Online", None),
)


def madoguchi(version: int = 1) -> bytes:
    """「相談窓口の体制調査」 as a ``.xlsx``."""
    return _workbook(
        MADOGUCHI_SURVEY,
        MADOGUCHI_CHOICES,
        (("form_id", "version", "form_title", "form_title_en"),
         (MADOGUCHI_ID, version, MADOGUCHI_TITLE, "Consultation window survey")),
    )  # fmt: skip


def _workbook(survey: Any, choices: Any, settings: Any) -> bytes:
    return xlsx({"survey": survey, "choices": choices, "settings": settings})
