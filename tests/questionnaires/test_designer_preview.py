"""What a form designer from ODK or KoboToolbox expects the draft preview to say before
publishing: a group (``begin_group``) asked under a new ``relevant``, retitled, added or removed;
and that a file still carrying the starter's ``form_id`` / ``form_title`` would make the example
questionnaire — on the page, through the API and the CLI."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook

from forms.xlsform.starter import FILENAME, starter_file
from tests.conftest import HubRunner
from tests.forms.test_compare import _grouped
from tests.forms.xlsform_files import xlsx
from tests.questionnaires.test_api import upload
from tests.questionnaires.test_authored import (
    staff_uploads_on_the_page_and_publishes,
    upload_on_page,
)
from tests.web.conftest import Web, page


def _said(node) -> str:  # type: ignore[no-untyped-def]
    return " ".join(node.text_content().split())


def test_the_preview_says_a_group_asked_under_a_new_rule_and_groups_added_or_removed(
    app: Flask, web
) -> None:
    """v2 asks the whole 事業 group only of those who run a programme: the preview says so in
    words, before and after, as it says a question's rule; a group added says its rule, a group
    removed is named. In English too."""
    staff: Web = web("staff")
    staff_uploads_on_the_page_and_publishes(staff, _grouped(1), "groups.xlsx")
    location = upload_on_page(staff, _grouped(2), "groups_v2.xlsx")
    doc = page(staff.get(location))
    (groups,) = doc.xpath("//ul[@data-groups]")
    (program,) = groups.xpath("./li[@data-group='program']")
    assert program.get("data-group-change") == "changed"
    assert "就労支援の事業（令和７年度）（1問）" in _said(program)
    (rule,) = program.xpath(".//li[@data-rule='relevant']")
    assert [_said(s) for s in rule.xpath("./span")] == [
        "変更前: 常に回答",
        "変更後: 「事業を実施していますか」が「はい」のときに回答",
    ]
    (title,) = program.xpath(".//li[@data-rule='label']")
    assert [_said(s) for s in title.xpath("./span")] == [
        "変更前: 就労支援の事業",
        "変更後: 就労支援の事業（令和７年度）",
    ]
    (liaison,) = groups.xpath("./li[@data-group='liaison']")
    assert liaison.get("data-group-change") == "added"
    assert "「参加者数」が10以上のときに回答" in _said(liaison)
    (closing,) = groups.xpath("./li[@data-group='closing']")
    assert closing.get("data-group-change") == "removed"
    assert "削除したグループ: closing 最後に" in _said(closing)
    assert not doc.xpath("//*[@data-no-changes]"), (
        "a version whose groups changed is not 'the same'"
    )

    staff.get("/language/en")
    english = page(staff.get(location))
    (rule,) = english.xpath("//li[@data-group='program']//li[@data-rule='relevant']")
    assert [_said(s) for s in rule.xpath("./span")] == [
        "Before: Always asked",
        "After: Answer when “Do you run one?” is “Yes”",
    ]
    (program,) = english.xpath("//li[@data-group='program']")
    assert "Programme (FY2025) (1 question):" in _said(program)
    assert "Group condition (relevant)" in _said(program)
    staff.get("/language/ja")


def test_a_group_whose_rule_only_is_new_is_the_one_change_the_preview_names(
    app: Flask, web
) -> None:
    """Nothing but the ``begin_group`` row's ``relevant`` differs: no question is listed as
    changed, and the preview does not say the versions are the same."""
    staff: Web = web("staff")
    staff_uploads_on_the_page_and_publishes(staff, _grouped(2), "groups.xlsx")
    book = _grouped(2)
    # the same file, version 3, with the 連携 group asked always
    wb = load_workbook(io.BytesIO(book))
    for row in wb["survey"].iter_rows(min_row=2):
        if row[1].value == "liaison":
            row[4].value = None
    wb["settings"]["B2"] = 3
    out = io.BytesIO()
    wb.save(out)
    doc = page(staff.get(upload_on_page(staff, out.getvalue(), "groups_v3.xlsx")))
    assert not doc.xpath("//ul[@data-changed]")
    assert not doc.xpath("//*[@data-no-changes]")
    (liaison,) = doc.xpath("//ul[@data-groups]/li")
    assert liaison.get("data-group") == "liaison"
    (rule,) = liaison.xpath(".//li[@data-rule='relevant']")
    assert [_said(s) for s in rule.xpath("./span")] == [
        "変更前: 「参加者数」が10以上のときに回答",
        "変更後: 常に回答",
    ]


def test_the_starter_left_as_it_is_warns_which_settings_to_change(app: Flask, web) -> None:
    """The starter uploaded without changes would be the questionnaire ``kinyurei``: the preview
    warns and names the settings sheet's form_id and form_title; with a new form_id but the
    example's title only form_title is named; a file of one's own is not warned about."""
    staff: Web = web("staff")
    doc = page(staff.get(upload_on_page(staff, starter_file(), FILENAME)))
    (warning,) = doc.xpath("//div[@data-starter-left]")
    said = _said(warning)
    assert "form_id が、ひな形の記入例のまま（kinyurei）です" in said
    assert "調査票「kinyurei」（記入例）の第1版として扱われます" in said
    assert "form_title が、ひな形の記入例のまま（「（記入例）就労支援の取組状況調査」）" in said
    assert "settings シートの form_id、form_title を" in said

    wb = load_workbook(io.BytesIO(starter_file()))
    settings = wb["settings"]
    headers = [c.value for c in settings[1]]
    settings.cell(2, headers.index("form_id") + 1, "shuro_2026")
    out = io.BytesIO()
    wb.save(out)
    doc = page(staff.get(upload_on_page(staff, out.getvalue(), "shuro.xlsx")))
    said = _said(doc.xpath("//div[@data-starter-left]")[0])
    assert "form_id が" not in said
    assert "settings シートの form_title を" in said

    staff.get("/language/en")
    english = page(staff.get(upload_on_page(staff, starter_file(), FILENAME)))
    said = _said(english.xpath("//div[@data-starter-left]")[0])
    assert (
        "The form_id on the settings sheet is still the starter file's example (kinyurei)" in said
    )
    assert "change form_id, form_title on the settings sheet" in said
    staff.get("/language/ja")

    own = xlsx(
        {
            "survey": [("type", "name", "label"), ("text", "memo", "備考")],
            "settings": [("form_id", "version", "form_title"), ("memo_survey", 1, "備考調査")],
        }
    )
    doc = page(staff.get(upload_on_page(staff, own, "memo.xlsx")))
    assert not doc.xpath("//div[@data-starter-left]")


def test_the_api_and_the_cli_say_the_starter_was_left_as_it_is(
    app: Flask, api_as, runner: HubRunner, tmp_path: Path
) -> None:
    """Both publish at once: the answer says the file made the example questionnaire."""
    got = upload(api_as("staff"), starter_file(), FILENAME)
    assert got.status_code == 201, got.get_json()
    notices = got.get_json()["notices"]
    assert any("form_id が、ひな形の記入例のまま（kinyurei）" in n for n in notices), notices

    path = tmp_path / "copy.xlsx"
    wb = load_workbook(io.BytesIO(starter_file()))
    wb["settings"]["B2"] = 2  # version 2 of the example, still kinyurei
    wb.save(path)
    said = runner("questionnaire", "import", str(path))
    assert said.exit_code == 0, said.output
    assert "調査票「kinyurei」（記入例）の第2版として扱われます" in said.output
