"""調査票の書き方 and its starter file: the page states what the reader reads (every type
spelling, column and setting, the refusals in the reader's own words), and the starter file,
uploaded unchanged through the upload page, previews with no problem and no notice but the
warning that its form_id and form_title are still the example's."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from forms.model import Kind
from forms.xlsform import vocabulary as words
from forms.xlsform.reader import APPEARANCES
from forms.xlsform.starter import FILENAME, starter
from hub.questionnaires import guide as facts
from tests.web.conftest import Web, page, text_of

GUIDE = "/staff/questionnaires/guide"
STARTER = "/staff/questionnaires/starter.xlsx"


@pytest.fixture
def staff(web) -> Web:
    return web("staff")


def codes(doc, xpath: str) -> set[str]:
    return {" ".join(node.text_content().split()) for node in doc.xpath(xpath)}


def test_the_guide_shows_every_type_spelling_the_reader_takes(staff):
    got = staff.get(GUIDE)
    assert got.status_code == 200
    shown = codes(page(got), "//table[@id='type-table']//code")
    accepted = {
        *words.SIMPLE_TYPES,
        *words.SELECT_TYPES,
        *words.CALCULATE_TYPES,
        *words.GROUP_BEGIN,
        *words.GROUP_END,
    }
    missing = {w for w in accepted if w not in shown and f"{w} LIST" not in shown}
    assert not missing, f"the guide does not show the types {sorted(missing)}"
    assert set(facts.accepted_type_words()) == accepted
    for kind in Kind:
        assert kind in facts.KIND_MEANINGS, kind
        assert kind in facts.KIND_EXAMPLES, kind


def test_the_guide_shows_every_column_setting_and_appearance_read(staff):
    doc = page(staff.get(GUIDE))
    survey = codes(doc, "//caption[@id='survey-columns']/ancestor::table//tbody/tr/th//code")
    read = {c.split("::")[0] for c in survey}
    assert read == set(words.SURVEY_COLUMNS)
    assert {"label::ja / label::en", "constraint_message::ja / constraint_message::en"} <= survey
    choices = codes(doc, "//caption[@id='choice-columns']/ancestor::table//tbody/tr/th//code")
    assert {c.split("::")[0] for c in choices} == set(words.CHOICE_COLUMNS)
    settings = codes(doc, "//caption[@id='setting-columns']/ancestor::table//tbody/tr/th//code")
    assert settings == set(words.SETTINGS_COLUMNS) | set(words.TITLE_COLUMNS)
    aliases = codes(doc, "//table//tbody/tr/td[last()]//code")
    read_columns = words.SURVEY_COLUMNS | words.CHOICE_COLUMNS | words.SETTINGS_COLUMNS
    assert {a for a, c in words.COLUMN_ALIASES.items() if c in read_columns} <= aliases
    shown = codes(doc, "//caption[@id='appearance-caption']/ancestor::table//tbody/tr/th//code")
    assert shown == {w for ws in APPEARANCES.values() for w in ws}


def test_the_guide_gives_each_refusal_in_the_reader_s_words(staff):
    """The refusal a staff member meets on the upload page is the one the guide shows."""
    doc = page(staff.get(GUIDE))
    refused = codes(doc, "//table[@id='refused-types']//code")
    read_past = codes(doc, "//*[@data-read-past]//code")
    assert refused | read_past == set(words.UNSUPPORTED_TYPES)
    assert codes(doc, "//table[@id='refused-columns']//code") == set(words.REFUSED_COLUMNS)
    rows = {
        " ".join(r.xpath("./td")[0].text_content().split()): r.xpath("./td")[1].text_content()
        for r in doc.xpath("//table[@id='refused-types']/tbody/tr")
    }
    repeat = next(text for spellings, text in rows.items() if "begin repeat" in spellings)

    from tests.forms.xlsform_files import form

    staff.get("/staff/questionnaires/upload")
    got = staff.post(
        "/staff/questionnaires/upload",
        {"file": (io.BytesIO(form([("begin repeat", "visits", "訪問")])), "r.xlsx")},
        content_type="multipart/form-data",
    )
    assert got.status_code == 422
    assert repeat.strip() in text_of(got)


def test_the_guide_is_in_english_on_english_pages(staff):
    staff.get("/language/en")
    got = staff.get(GUIDE)
    assert got.status_code == 200
    text = text_of(got)
    assert "How to write a questionnaire" in text
    assert "Download the starter file (with examples)" in text
    assert "The hub does not support repeats" in text
    assert "Whole numbers (full-width digits and 1,234 are accepted too)" in text
    staff.get("/language/ja")


def test_the_starter_uploads_unchanged_to_a_clean_preview(staff):
    guide = page(staff.get(GUIDE))
    assert guide.xpath(f"//a[@href='{STARTER}']"), "the guide links its starter file"
    upload_page = staff.get("/staff/questionnaires/upload")
    assert page(upload_page).xpath(f"//a[@href='{STARTER}']")
    assert page(upload_page).xpath(f"//a[@href='{GUIDE}']")
    assert page(staff.get("/staff/questionnaires/")).xpath(f"//a[@href='{GUIDE}']")

    got = staff.get(STARTER)
    assert got.status_code == 200
    assert FILENAME in got.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(got.data))
    assert book.sheetnames == ["survey", "choices", "settings"]
    types = [c.value for c in book["survey"]["A"][1:]]
    assert {"begin_group", "end_group", "note", "integer", "date", "text"} <= set(types)
    assert {"select_one yes_no", "select_multiple partners"} <= set(types)
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)

    staff.get("/staff/questionnaires/upload")
    uploaded = staff.post(
        "/staff/questionnaires/upload",
        {"file": (io.BytesIO(got.data), FILENAME)},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302, text_of(uploaded)
    preview_url = uploaded.headers["Location"]
    preview = staff.get(preview_url)
    assert preview.status_code == 200
    doc = page(preview)
    assert not doc.xpath("//*[contains(@class, 'notice--info') and not(@role='note')]"), text_of(
        preview
    )
    (left,) = doc.xpath("//div[@data-starter-left]")
    said = " ".join(left.text_content().split())
    assert "form_id が、ひな形の記入例のまま（kinyurei）です" in said
    assert "settings シートの form_id、form_title を" in said
    assert "読み飛ばし" not in text_of(preview)
    assert not doc.xpath("//div[contains(@class, 'error-summary')]")
    assert doc.xpath("//h1")[0].text_content().strip() == starter().title.ja

    wrong = staff.post(
        preview_url,
        {
            "has_program": "yes",
            "participants": "1001",
            "started_on": "2199-01-01",
            "partners": ["hellowork", "other"],
        },
    )
    assert wrong.status_code == 422
    text = text_of(wrong)
    assert "0人以上1000人以下で入力してください。" in text
    assert "基準日より後の日付は入力できません。" in text
    fine = staff.post(
        preview_url,
        {
            "has_program": "yes",
            "participants": "12",
            "started_on": "令和5年4月1日",
            "partners": ["hellowork", "other"],
            "partners_other": "協力雇用主会",
        },
    )
    assert fine.status_code == 200, text_of(fine)
    assert "入力内容に問題はありません" in text_of(fine)
    assert staff.post(preview_url, {"has_program": "no"}).status_code == 200


def test_only_staff_read_the_guide_and_the_starter(web):
    respondent = web("respondent", municipality="131016")
    assert respondent.get(GUIDE).status_code == 403
    assert respondent.get(STARTER).status_code == 403


def test_the_type_examples_are_in_the_page_s_language_and_the_page_says_why(staff):
    """The example labels are the guide's words, not data: English on the English page, the
    ``type`` and ``name`` cells as the file writes them, and the page says which label column
    each language goes in. The starter's settings to change are named on the guide."""

    def example(doc, kind: str) -> str:
        (row,) = doc.xpath(f"//table[@id='type-table']//tr[@data-type='{kind}']")
        return " ".join(row.xpath("./td")[1].text_content().split())

    doc = page(staff.get(GUIDE))
    assert example(doc, "integer") == "integer | staff_count | 担当職員数（人）"
    assert example(doc, "range") == "range | satisfaction | 満足度（1〜5）"
    (said,) = doc.xpath("//p[@data-starter-settings]")
    assert "form_id（kinyurei）と form_title" in said.text_content()

    staff.get("/language/en")
    doc = page(staff.get(GUIDE))
    assert example(doc, "integer") == "integer | staff_count | Staff in charge (people)"
    assert example(doc, "select_one LIST") == "select_one yes_no | has_plan | Do you have a plan?"
    assert example(doc, "range") == "range | satisfaction | Satisfaction (1–5)"
    assert "| program | Employment support" in example(doc, "group")
    rows = doc.xpath("//table[@id='type-table']//tr[@data-type]")
    cells = " ".join(row.xpath("./td")[1].text_content() for row in rows)
    assert not any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in cells), cells
    (why,) = doc.xpath("//p[@data-example-language]")
    assert "label::en" in why.text_content()
    assert "default_language" in why.text_content()
    (said,) = doc.xpath("//p[@data-starter-settings]")
    assert "form_id (kinyurei) and form_title" in said.text_content()
    staff.get("/language/ja")
