"""XLSForm ``guidance_hint``: a longer explanation, in Japanese and English, shown folded under the
hint in the web form (as ODK Collect and Enketo show it), in the Excel template's 入力のしかた and
written back; a definition without one keeps its fingerprint."""

from __future__ import annotations

from pathlib import Path

from forms.xlsform import read_xlsform, write_xlsform
from tests.forms.xlsform_files import YES_NO, form

GUIDANCE = "前年度末（3月31日）時点の人数です。\n兼務の職員も含めます。"


def read(header: tuple[str, ...], *rows: tuple[object, ...]):
    return read_xlsform(form(rows, YES_NO, survey_header=header), "kenshu.xlsx")


def test_the_guidance_is_read_in_each_language_and_every_spelling() -> None:
    questionnaire = read(
        ("type", "name", "label", "guidance_hint::Japanese (ja)", "guidance_hint::English (en)"),
        ("integer", "staff", "担当職員数", GUIDANCE, "As of 31 March."),
        ("select_one yes_no", "plan", "計画の有無", None, None),
    )
    staff = questionnaire.question("staff")
    assert staff.guidance is not None
    assert (staff.guidance.ja, staff.guidance.en) == (GUIDANCE, "As of 31 March.")
    assert questionnaire.question("plan").guidance is None


def test_the_guidance_is_written_back_and_read_the_same() -> None:
    questionnaire = read(
        ("type", "name", "label", "guidance_hint"),
        ("integer", "staff", "担当職員数", GUIDANCE),
        ("note", "about", "この調査について", "=回答は公表されます"),
    )
    again = read_xlsform(write_xlsform(questionnaire), "kenshu.xlsx")
    assert again == questionnaire
    about = next(item for item in again.items if item.id == "about")
    assert about.guidance is not None
    assert about.guidance.ja == "=回答は公表されます"


def test_a_definition_without_guidance_keeps_its_fingerprint() -> None:
    plain = read(("type", "name", "label"), ("integer", "staff", "担当職員数"))
    empty = read(
        ("type", "name", "label", "guidance_hint"), ("integer", "staff", "担当職員数", None)
    )
    assert plain.fingerprint() == empty.fingerprint()
    told = read(("type", "name", "label", "guidance_hint"), ("integer", "staff", "担当職員数", "x"))
    assert told.fingerprint() != plain.fingerprint()


def test_pyxform_reads_the_guidance_the_hub_writes(tmp_path: Path) -> None:
    from pyxform import xls2xform

    from tests.forms.test_xlsform_pyxform import as_plain_xlsform

    questionnaire = read(
        ("type", "name", "label", "guidance_hint"),
        ("integer", "staff", "担当職員数", "兼務も含める"),
    )
    path = tmp_path / "kenshu.xlsx"
    path.write_bytes(as_plain_xlsform(write_xlsform(questionnaire)))
    xform = xls2xform.convert(xlsform=str(path), validate=False).xform
    assert 'form="guidance"' in xform
    assert "兼務も含める" in xform


def test_the_excel_template_says_the_guidance_in_its_instructions() -> None:
    from exports.template import _hint

    questionnaire = read(
        ("type", "name", "label", "guidance_hint"),
        ("integer", "staff", "担当職員数", "兼務も含める。"),
    )
    assert _hint(questionnaire, questionnaire.question("staff")).endswith(
        "（詳しい説明）兼務も含める"
    )


def test_the_definitions_sheet_gives_the_guidance_after_the_hint() -> None:
    """定義 is the definition on paper, where ODK prints the guidance with its question."""
    from exports.sheets.definitions import question_definition_table

    questionnaire = read(
        ("type", "name", "label", "hint", "guidance_hint"),
        ("integer", "staff", "担当職員数", "人数", GUIDANCE),
        ("integer", "plain", "兼務職員数", None, None),
    )
    table = question_definition_table(questionnaire)
    notes = {row[1]: row[8] for row in table.rows if row[2]}
    assert notes["staff"].startswith(
        "説明「人数」。詳しい説明「前年度末（3月31日）時点の人数です。兼務の職員も含めます。」"
    )
    assert "詳しい説明" not in (notes["plain"] or "")
