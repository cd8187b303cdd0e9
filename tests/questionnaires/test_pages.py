"""Staff pages: upload a definition (problems in a table by sheet/row), preview it as respondents
will see it and check typed answers against its rules, download its template, publish it, list
the versions with their rounds, and open a round on any stored version."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from hub.db import db
from hub.models import AuditEvent, QuestionnaireDraft, Round, Survey
from tests.conftest import response_of
from tests.forms.xlsform_files import YES_NO, form, xlsx
from tests.questionnaires.authored import shuro_shien
from tests.questionnaires.files import broken, kenshu_v1, kenshu_v2
from tests.questionnaires.test_versions import CHIYODA, CHUO, open_kenshu
from tests.web.conftest import Web, page, text_of


@pytest.fixture
def staff(web) -> Web:
    return web("staff")


def upload(staff: Web, data: bytes, name: str = "kenshu.xlsx"):
    return staff.post(
        "/staff/questionnaires/upload",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_broken_file_shows_every_problem_by_sheet_and_row_and_keeps_nothing(app, staff):
    staff.get("/staff/questionnaires/upload")
    got = upload(staff, broken(), "broken.xlsx")
    assert got.status_code == 422
    rows = [
        [cell.text_content().strip() for cell in row.xpath("./td")]
        for row in page(got).xpath("//table[@id='definition-problems']/tbody/tr")
    ]
    assert ["survey", "3", "name", "名前「memo」は2行目でも使われています。"] in rows
    assert {(r[0], r[1], r[2]) for r in rows} >= {
        ("survey", "4", "relevant"),
        ("survey", "5", "type"),
    }
    assert "何も登録されていません" in text_of(got)
    assert count(app, QuestionnaireDraft) == 0


def test_odk_formatting_is_refused_on_the_upload_page_naming_its_cell(app, staff):
    """A label written for ODK Collect (``**備考**``, ``<span style=…>``) is refused in the table of
    problems, in the page's language, and nothing is kept: no HTML reaches a page."""
    definition = form(
        [
            ("text", "memo", "**備考**", None, None),
            ("integer", "staff", "職員数", "<span style='color:red'>必須</span>", None),
        ],
        survey_header=("type", "name", "label", "hint", "required"),
    )
    staff.get("/staff/questionnaires/upload")
    got = upload(staff, definition)
    assert got.status_code == 422
    rows = [
        [cell.text_content().strip() for cell in row.xpath("./td")]
        for row in page(got).xpath("//table[@id='definition-problems']/tbody/tr")
    ]
    assert [r[:3] for r in rows] == [["survey", "2", "label"], ["survey", "3", "hint"]]
    assert rows[0][3].startswith("「**備考**」は ODK では書式")
    assert not page(got).xpath("//*[contains(@style, 'color:red')]"), "text, never markup"
    assert count(app, QuestionnaireDraft) == 0
    staff.get("/language/en")
    english = text_of(upload(staff, definition))
    assert "“**備考**” is formatting in ODK" in english


def test_a_missing_file_is_named(staff):
    staff.get("/staff/questionnaires/upload")
    got = staff.post("/staff/questionnaires/upload", {})
    assert got.status_code == 422
    assert "ファイルを選択してください" in text_of(got)


def test_upload_preview_check_template_publish_and_open_a_round(app, staff):
    staff.get("/staff/questionnaires/upload")
    got = upload(staff, kenshu_v1())
    assert got.status_code == 302
    preview_url = got.headers["Location"]
    preview = staff.get(preview_url)
    assert preview.status_code == 200
    doc = page(preview)
    form = doc.xpath("//form[@data-questionnaire]")[0]
    assert form.xpath(".//input[@name='attended' and @type='radio']")
    people = doc.xpath("//div[@id='field-people']")[0]
    assert "data-relevant" in people.attrib
    assert "公開前" in text_of(preview)
    assert count(app, Survey) == 1  # only torikumi: a draft is not a questionnaire yet

    checked = staff.post(
        preview_url,
        {"attended": "yes", "people": "６００", "held_on": "2999-01-01", "memo": "x" * 201},
    )
    assert checked.status_code == 422
    text = text_of(checked)
    assert "1人以上500人以下で入力してください。" in text
    assert "200文字以内" in text
    fine = staff.post(preview_url, {"attended": "no"})
    assert fine.status_code == 200
    assert "入力内容に問題はありません" in text_of(fine)

    draft_id = int(preview_url.rstrip("/").split("/")[-1])
    template = staff.get(f"/staff/questionnaires/drafts/{draft_id}/template.xlsx")
    assert template.status_code == 200
    keys = [c.value for c in load_workbook(io.BytesIO(template.data))["回答"]["A"] if c.value]
    assert {"attended", "people", "topics.employment"} <= set(keys)

    staff.get(preview_url)
    published = staff.post(f"/staff/questionnaires/drafts/{draft_id}/publish", {})
    assert published.status_code == 302
    assert count(app, QuestionnaireDraft) == 0
    listing = staff.get("/staff/questionnaires/")
    assert "研修会参加状況調査" in text_of(listing)
    assert "第1版" in text_of(listing)

    new_round = page(staff.get("/staff/rounds/new"))
    options = {
        o.get("value"): o.text_content() for o in new_round.xpath("//select[@name='survey']/option")
    }
    assert "kenshu@1" in options
    assert "torikumi@1" in options
    assert "最新" in options["kenshu@1"]
    chosen = page(staff.get("/staff/rounds/new?survey=kenshu@1"))
    assert chosen.xpath("//select[@name='survey']/option[@selected]/@value") == ["kenshu@1"]
    opened = staff.post(
        "/staff/rounds/new",
        {"survey": "kenshu@1", "reference_date": "令和7年4月1日", "deadline": "2099-05-31 17:00"},
    )
    assert opened.status_code == 302, text_of(opened)
    with app.app_context():
        round_ = db.session.scalars(select(Round)).one()
        assert (round_.survey.key, round_.survey.version) == ("kenshu", 1)
    listing = staff.get("/staff/questionnaires/")
    assert "研修会参加状況調査（令和7年4月1日現在）" in text_of(listing)


def test_a_version_not_higher_is_refused_at_upload(app, staff):
    staff.get("/staff/questionnaires/upload")
    first = upload(staff, kenshu_v1())
    staff.get(first.headers["Location"])
    staff.post(first.headers["Location"].rstrip("/") + "/publish", {})
    staff.get("/staff/questionnaires/upload")
    again = upload(staff, kenshu_v1())
    assert again.status_code == 422
    assert "登録済みの版（第1版）" in text_of(again)
    assert upload(staff, kenshu_v2()).status_code == 302


def test_a_stored_version_previews_and_downloads_its_definition(app, staff):
    got = staff.get("/staff/questionnaires/torikumi/versions/1")
    assert got.status_code == 200
    assert page(got).xpath("//form[@data-questionnaire]//input[@name='plan_status']")
    definition = staff.get("/staff/questionnaires/torikumi/versions/1/definition.xlsx")
    assert definition.status_code == 200
    assert load_workbook(io.BytesIO(definition.data))["settings"]["A2"].value == "torikumi"
    assert staff.get("/staff/questionnaires/torikumi/versions/9").status_code == 404


def test_respondents_cannot_reach_the_pages(web):
    respondent = web("respondent", municipality="131016")
    assert respondent.get("/staff/questionnaires/").status_code == 403


def test_uploading_and_discarding_a_draft_are_in_the_audit_log(app, staff):
    staff.get("/staff/questionnaires/upload")
    assert upload(staff, kenshu_v1(), "研修会（案）.xlsx").status_code == 302
    with app.app_context():
        draft_id = db.session.scalar(select(QuestionnaireDraft.id))
    staff.get("/staff/questionnaires")
    assert staff.post(f"/staff/questionnaires/drafts/{draft_id}/discard").status_code == 302
    assert count(app, QuestionnaireDraft) == 0
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.target, AuditEvent.user_id, AuditEvent.details)
            .where(AuditEvent.action.like("questionnaire.%"))
            .order_by(AuditEvent.id)
        ).all()
    assert [(e.action, e.target) for e in events] == [
        ("questionnaire.draft", "questionnaire/kenshu/1"),
        ("questionnaire.discard", "questionnaire/kenshu/1"),
    ]
    assert {e.user_id for e in events} == {staff.user.id}
    assert {e.details["file"] for e in events} == {"研修会（案）.xlsx"}
    shown = text_of(staff.get("/audit/?family=questionnaire"))
    assert "調査票のアップロード（公開前）" in shown
    assert "アップロードした調査票の取り消し" in shown
    assert "ファイル名" in shown  # not 入力方法, the label of how answers were entered
    assert "入力方法" not in shown


def test_a_page_of_a_discarded_draft_never_publishes_the_next_upload(app, staff):
    """A tab still showing a discarded draft: the next upload gets a number of its own (SQLite
    gave the highest number again), so pressing 公開 there finds nothing rather than publishing
    someone else's file."""
    staff.get("/staff/questionnaires/upload")
    upload(staff, kenshu_v1(), "研修会（案）.xlsx")
    with app.app_context():
        discarded = db.session.scalar(select(QuestionnaireDraft.id))
    staff.get("/staff/questionnaires")
    staff.post(f"/staff/questionnaires/drafts/{discarded}/discard")
    staff.get("/staff/questionnaires/upload")
    upload(staff, kenshu_v1(), "研修会（修正版）.xlsx")
    with app.app_context():
        assert db.session.scalar(select(QuestionnaireDraft.id)) != discarded
    staff.get("/staff/questionnaires")
    assert staff.post(f"/staff/questionnaires/drafts/{discarded}/publish").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Survey.key == "kenshu")) == 0


def previewed_and_checked(
    staff: Web, definition: bytes, *, wrong: dict[str, str], right: dict[str, str]
) -> tuple[str, str]:
    """Upload ``definition``, check ``wrong`` answers on its preview (refused: their page's text
    is returned with the preview's URL) and ``right`` ones (accepted)."""
    staff.get("/staff/questionnaires/upload")
    got = upload(staff, definition)
    assert got.status_code == 302, text_of(got)
    preview_url = got.headers["Location"]
    staff.get(preview_url)
    checked = staff.post(preview_url, wrong)
    assert checked.status_code == 422
    fine = staff.post(preview_url, right)
    assert "入力内容に問題はありません" in text_of(fine)
    return preview_url, text_of(checked)


def test_a_range_question_is_previewed_checked_and_templated_with_its_limits(app, staff):
    """An ODK ``range`` (a number from start to end in steps): the preview checks typed values
    against it, in words people read, and the template says the rule."""
    definition = form(
        [
            ("range", "satisfaction", "研修の満足度（1〜5）", "start=1 end=5"),
            ("range", "share", "参加した職員の割合（%）", "start=0 end=100 step=10"),
        ],
        survey_header=("type", "name", "label", "parameters"),
    )
    preview_url, text = previewed_and_checked(
        staff,
        definition,
        wrong={"satisfaction": "６", "share": "３５"},
        right={"satisfaction": "５", "share": "３０"},
    )
    assert "5以下の整数で入力してください。" in text
    assert "0、10、20…のように、10ずつの値で入力してください。" in text

    draft_id = int(preview_url.rstrip("/").split("/")[-1])
    template = staff.get(f"/staff/questionnaires/drafts/{draft_id}/template.xlsx")
    cells = [
        str(c.value)
        for row in load_workbook(io.BytesIO(template.data))["回答"].iter_rows()
        for c in row
    ]
    assert any("1以上、5以下" in c for c in cells)
    assert any("0、10、20…のいずれか" in c for c in cells)


def test_a_regex_rule_is_checked_and_said_in_words(app, staff):
    """regex() as ODK designers write it: with their own message, and without one the rule in
    words; a pattern that cannot be read is refused in its cell."""
    header = ("type", "name", "label", "constraint", "constraint_message")
    definition = form(
        [
            ("text", "postal", "郵便番号", r"regex(., '^[0-9]{3}-[0-9]{4}$')", "例: 100-0001"),
            ("text", "code", "事業コード", "regex(., '^[A-Z]{2}[0-9]{3}$')", ""),
        ],
        survey_header=header,
    )
    _url, text = previewed_and_checked(
        staff,
        definition,
        wrong={"postal": "1000001", "code": "ab123"},
        right={"postal": "100-0001", "code": "AB123"},
    )
    assert "例: 100-0001" in text
    assert "正規表現「^[A-Z]{2}[0-9]{3}$」に合う形" in text

    staff.get("/staff/questionnaires/upload")
    broken = upload(
        staff,
        form([("text", "code", "事業コード", "regex(., '[A-Z')", "")], survey_header=header),
    )
    assert broken.status_code == 422
    shown = text_of(broken)
    assert "正規表現「[A-Z」を読めません" in shown


def test_defaults_fill_the_preview_the_template_and_a_new_round(app, staff, api_as):
    """XLSForm ``default``: the preview and the sample template start with it; a new round
    stores it as each response's first answer, and a municipality's answer accepted in the
    previous round replaces it."""
    definition = form(
        [
            ("integer", "sessions", "研修の回数", "０"),
            ("select_one yes_no", "plan", "計画の有無", "no"),
            ("text", "memo", "備考", None),
        ],
        YES_NO,
        survey_header=("type", "name", "label", "default"),
    )
    staff.get("/staff/questionnaires/upload")
    preview_url = upload(staff, definition).headers["Location"]
    doc = page(staff.get(preview_url))
    assert doc.xpath("//input[@name='sessions']/@value") == ["0"]
    assert doc.xpath("//input[@name='plan' and @checked]/@value") == ["no"]
    draft_id = int(preview_url.rstrip("/").split("/")[-1])
    sheet = load_workbook(
        io.BytesIO(staff.get(f"/staff/questionnaires/drafts/{draft_id}/template.xlsx").data)
    )["回答"]
    values = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    assert 0 in [c.value for c in values["sessions"]]
    staff.get(preview_url)
    assert staff.post(f"/staff/questionnaires/drafts/{draft_id}/publish", {}).status_code == 302

    first = open_kenshu(app, date(2024, 6, 1))
    with app.app_context():
        chiyoda = response_of(first, CHIYODA)
        assert chiyoda.answers == {"sessions": 0, "plan": "no"}
        assert chiyoda.prefilled_from_id is None
    respondent = api_as("respondent", municipality=CHIYODA)
    got = respondent.get(f"/rounds/{first}/responses/{CHIYODA}")
    assert got.json["answers"] == {"sessions": 0, "plan": "no"}
    assert respondent.submit(first, CHIYODA, {"sessions": "３", "plan": "yes"}).status_code == 200
    assert (
        api_as("staff").post(f"/rounds/{first}/responses/{CHIYODA}/accept", {}).status_code == 200
    )
    second = open_kenshu(app, date(2025, 6, 1))
    with app.app_context():
        assert response_of(second, CHIYODA).answers == {"sessions": 3, "plan": "yes"}
        assert response_of(second, CHIYODA).prefilled_from_id is not None
        assert response_of(second, CHUO).answers == {"sessions": 0, "plan": "no"}


def test_a_drop_down_and_a_multiline_box_are_previewed_and_checked(app, staff):
    """``appearance``: ``minimal`` draws a select_one as a labelled drop-down list (nothing
    chosen first) and ``multiline`` a text as a box; the preview checks what they send."""
    definition = form(
        [
            ("select_one yes_no", "plan", "計画の有無", None, "minimal"),
            ("text", "plan_name", "計画の名称", "${plan} = 'yes'", "multiline"),
        ],
        YES_NO,
        survey_header=("type", "name", "label", "relevant", "appearance"),
    )
    staff.get("/staff/questionnaires/upload")
    preview_url = upload(staff, definition).headers["Location"]
    doc = page(staff.get(preview_url))
    select = doc.xpath("//select[@name='plan']")[0]
    assert doc.xpath(f"//label[@for='{select.get('id')}']/text()")[0].strip() == "計画の有無"
    assert select.xpath("./option/@value") == ["", "yes", "no"]
    assert doc.xpath("//textarea[@name='plan_name']")
    checked = staff.post(preview_url, {"plan": "maybe"})
    assert checked.status_code == 422
    assert "選択肢にない値です: maybe" in text_of(checked)
    assert page(checked).xpath("//select[@name='plan']/@aria-invalid") == ["true"]
    assert "#plan" in page(checked).xpath("//*[@data-error-summary]//a/@href")[0]
    fine = staff.post(preview_url, {"plan": "yes", "plan_name": "第一次\n再犯防止推進計画"})
    assert "入力内容に問題はありません" in text_of(fine)
    kept = page(fine)
    assert kept.xpath("//select[@name='plan']/option[@selected]/@value") == ["yes"]
    assert "第一次\n再犯防止推進計画" in kept.xpath("//textarea[@name='plan_name']/text()")[0]


def test_a_cascading_select_is_previewed_and_an_answer_it_does_not_offer_is_refused(app, staff):
    """``choice_filter``: every option carries its columns for the browser, the question its
    rule; the check refuses a city of another prefecture, naming it."""
    from tests.forms.test_choice_filter import CASCADE, CHOICES, CHOICES_HEADER, HEADER

    rows = [*CASCADE, ("select_one city", "office", "窓口のある市", "pref = ${pref}")]
    definition = form([(*r, "minimal" if r[1] == "office" else None) for r in rows], CHOICES,
                      survey_header=(*HEADER, "appearance"), choices_header=CHOICES_HEADER)  # fmt: skip
    staff.get("/staff/questionnaires/upload")
    preview_url = upload(staff, definition).headers["Location"]
    doc = page(staff.get(preview_url))
    city = doc.xpath("//div[@data-question='city']")[0]
    assert city.get("data-choice-filter") == '["=",["f","choice-column",["s","pref"]],["r","pref"]]'
    boxes = [json.loads(b) for b in city.xpath(".//div[@data-choice]/@data-choice")]
    assert boxes[0] == {"name": "131016", "pref": "13"}
    options = doc.xpath("//select[@name='office']/option[@data-choice]/@data-choice")
    assert [json.loads(o) for o in options][2] == {"name": "271004", "pref": "27"}
    checked = staff.post(preview_url, {"pref": "27", "city": "131016", "office": "132012"})
    assert checked.status_code == 422
    text = text_of(checked)
    assert "「千代田区」は、ほかの質問への回答からは選べません" in text
    assert "「八王子市」は、ほかの質問への回答からは選べません" in text
    fine = staff.post(preview_url, {"pref": "27", "city": "271004", "office": "271004"})
    assert "入力内容に問題はありません" in text_of(fine)


def test_metadata_rows_of_a_kobo_form_are_said_on_the_preview(app, staff):
    from tests.forms.test_metadata_rows import KOBO_HEAD

    staff.get("/staff/questionnaires/upload")
    got = upload(staff, form([*KOBO_HEAD, ("integer", "count", "件数")]))
    assert got.status_code == 302, text_of(got)
    preview = text_of(staff.get(got.headers["Location"]))
    assert (
        "次の行は、端末や回答時刻の記録（メタデータ）のため読み飛ばしました: 2行目 start、"
        in preview
    )
    assert "5行目 deviceid。" in preview


def test_what_the_hub_does_not_use_is_said_on_the_preview(app, staff):
    staff.get("/staff/questionnaires/upload")
    data = form(
        [("integer", "count", "件数")],
        settings=(("form_id", "style", "public_key"), ("kenshu", "pages", "MIIB")),
    )
    got = upload(staff, data)
    assert got.status_code == 302, text_of(got)
    preview = text_of(staff.get(got.headers["Location"]))
    assert "ファイルの次の部分はハブでは使わないため読み飛ばしました。" in preview
    assert "settingsシート 2行目 style列: 設定 style はハブでは使いません" in preview
    assert "settingsシート 2行目 public_key列" in preview


def test_a_guidance_hint_is_folded_under_the_hint_on_the_preview(app, staff):
    """``guidance_hint``: a question's and a note's longer explanation, in a <details> that opens
    on request; its line breaks kept."""
    definition = form(
        [
            ("integer", "staff_count", "担当職員数", "人数", "3月31日時点。\n兼務も含める。"),
            ("note", "about", "この調査について", None, "<回答は公表されます>"),
        ],
        YES_NO,
        survey_header=("type", "name", "label", "hint", "guidance_hint"),
    )
    staff.get("/staff/questionnaires/upload")
    preview_url = upload(staff, definition).headers["Location"]
    doc = page(staff.get(preview_url))
    details = doc.xpath("//details[@class='guidance']")
    assert [d.xpath("string(./summary)") for d in details] == ["詳しい説明", "詳しい説明"]
    assert details[0].xpath("string(./p)") == "3月31日時点。\n兼務も含める。"
    assert details[1].xpath("string(./p)") == "<回答は公表されます>", "text, never markup"
    field = doc.xpath("//div[@data-question='staff_count']")[0]
    assert field.xpath(".//p[@class='hint pre-line']/text()")[0].strip() == "人数"


def test_line_breaks_in_labels_and_hints_are_kept_on_the_form(app, staff):
    """A label or hint written on several lines in Excel shows them (not only a note's)."""
    definition = form(
        [
            ("integer", "count", "参加人数\n（延べ人数）", "3月31日時点。\n兼務も含める。"),
            ("select_one yes_no", "held", "開催\nしましたか", "一つ\n選ぶ"),
            ("note", "about", "説明\n二行目", "注\n二行目"),
        ],
        YES_NO,
        survey_header=("type", "name", "label", "hint"),
    )
    staff.get("/staff/questionnaires/upload")
    doc = page(staff.get(upload(staff, definition).headers["Location"]))
    count = doc.xpath("//div[@data-question='count']")[0]
    (label,) = count.xpath(".//label[@for='count']")
    assert "pre-line" in label.get("class").split()
    assert label.text_content() == "参加人数\n（延べ人数）"
    (hint,) = count.xpath(".//p[@id='count-hint']")
    assert "pre-line" in hint.get("class").split()
    assert hint.text_content().startswith("3月31日時点。\n兼務も含める。")
    held = doc.xpath("//div[@data-question='held']")[0]
    (legend,) = held.xpath(".//legend")
    assert "pre-line" in legend.get("class").split()
    assert legend.text_content().startswith("開催\nしましたか")
    note = doc.xpath("//div[@id='field-about']//p[contains(@class, 'hint')]")[0]
    assert "pre-line" in note.get("class").split()


def test_a_new_version_s_preview_says_what_changed_from_the_stored_one(app, staff):
    """Before publishing 第2版, staff read what it changes from 第1版: questions added, renamed
    and changed, and what that means for the answers a new round carries."""
    from hub.services import questionnaires

    with app.app_context():
        questionnaires.import_definition(kenshu_v1(), "kenshu.xlsx")
        db.session.commit()
    staff.get("/staff/questionnaires/upload")
    got = upload(staff, kenshu_v2(max_people=300, without_choice="housing"))
    assert got.status_code == 302, text_of(got)
    doc = page(staff.get(got.headers["Location"]))
    (section,) = doc.xpath("//section[@data-changes-from='1']")
    assert "第1版との違い" in section.text_content()
    assert [
        " ".join(li.text_content().split()) for li in section.xpath(".//ul[@data-added]/li")
    ] == ["liaison_meetings 連絡会の開催回数 0以上。"]
    changed = {
        li.get("data-question"): " ".join(li.text_content().split())
        for li in section.xpath(".//ul[@data-changed]/li")
    }
    assert changed["participants"].endswith(
        "名前の変更（people から）、入力の制約（constraint）、"
        "エラー文（constraint_message・required_message） "
        "入力の制約（constraint） 変更前: 1以上、500以下 変更後: 1以上、300以下"
    ), "the constraint before and after, in words"
    assert changed["topics"].endswith("選択肢の追加（welfare）、選択肢の削除（housing）")
    assert not section.xpath(".//ul[@data-removed]")
    staff.get("/language/en")
    english = text_of(staff.get(got.headers["Location"]))
    assert "Changes from version 1" in english


def test_a_new_summary_heading_is_said_on_the_preview(app, staff):
    """第2版 sets ``headline_title``: 集計's first table will be headed otherwise, which the
    preview says with the heading before and after (it said 「同じです」)."""
    from hub.services import questionnaires

    with app.app_context():
        questionnaires.import_definition(shuro_shien(), "shuro.xlsx")
        db.session.commit()
    staff.get("/staff/questionnaires/upload")
    got = upload(staff, shuro_shien(version=2, headline_title="就労支援の取組の有無"))
    assert got.status_code == 302, text_of(got)
    (section,) = page(staff.get(got.headers["Location"])).xpath("//section[@data-changes-from]")
    assert not section.xpath(".//*[@data-no-changes]")
    (item,) = section.xpath(".//ul[@data-settings]/li")
    assert item.get("data-setting") == "headline_title"
    assert " ".join(item.text_content().split()) == (
        "集計の先頭の表の見出し（headline_title）: "
        "「就労支援の取組を実施していますか」から「就労支援の取組の有無」に"
    )
    staff.get("/language/en")
    english = text_of(staff.get(got.headers["Location"]))
    assert "Heading of the summary's first table (headline_title): from “" in english


def test_the_preview_also_compares_with_the_version_the_latest_round_used(app, staff):
    """第1版 was used by the latest round and 第2版 published since without one: a draft 第3版
    says what it changes from each, the answers it carries having been given on 第1版."""
    from hub.services import questionnaires

    with app.app_context():
        questionnaires.import_definition(kenshu_v1(), "kenshu.xlsx")
        db.session.commit()
    round_id = open_kenshu(app, date(2025, 4, 1))
    with app.app_context():
        questionnaires.import_definition(kenshu_v2(), "kenshu.xlsx")
        title = db.session.get_one(Round, round_id).title
        db.session.commit()
    staff.get("/staff/questionnaires/upload")
    got = upload(staff, kenshu_v2(max_people=300, version=3))
    assert got.status_code == 302, text_of(got)
    doc = page(staff.get(got.headers["Location"]))
    sections = doc.xpath("//section[@data-changes-from]")
    assert [s.get("data-changes-from") for s in sections] == ["2", "1"]
    latest, used = sections
    assert latest.xpath("string(h2)") == "第2版との違い"
    assert [li.get("data-question") for li in latest.xpath(".//ul[@data-changed]/li")] == [
        "participants"
    ]
    assert used.xpath("string(h2)") == f"第1版（前回の調査回「{title}」で使用）との違い"
    assert [" ".join(li.text_content().split()) for li in used.xpath(".//ul[@data-added]/li")] == [
        "liaison_meetings 連絡会の開催回数 0以上。"
    ]


def test_a_draft_nobody_published_is_discarded_after_its_days_by_the_housekeeping(app, staff):
    """The 調査票 page says how long a draft is kept; the hourly housekeeping discards one older
    than that (audited), and keeps a recent one."""
    from datetime import timedelta

    from hub import jobs
    from hub.db import utcnow
    from hub.services import questionnaires

    staff.get("/staff/questionnaires/upload")
    old = upload(staff, kenshu_v1(), "old.xlsx")
    recent = upload(staff, kenshu_v2(), "recent.xlsx")
    assert old.status_code == recent.status_code == 302
    assert "アップロードから90日で消えます" in text_of(staff.get("/staff/questionnaires/"))
    with app.app_context():
        first = db.session.scalars(
            select(QuestionnaireDraft).where(QuestionnaireDraft.source_name == "old.xlsx")
        ).one()
        first.uploaded_at = utcnow() - timedelta(days=questionnaires.DRAFT_DAYS, minutes=1)
        db.session.commit()
        jobs.housekeeping(utcnow())
        left = db.session.scalars(select(QuestionnaireDraft.source_name)).all()
        expired = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "questionnaire.expire")
        ).all()
    assert left == ["recent.xlsx"]
    assert [(e.target, e.user_id, e.details["file"]) for e in expired] == [
        ("questionnaire/kenshu/1", None, "old.xlsx")
    ]
    assert staff.get(old.headers["Location"]).status_code == 404
    assert "公開されなかったため破棄されました" in text_of(staff.last)


def draft_number(location: str) -> int:
    return int(location.rstrip("/").split("/")[-1])


def test_a_second_draft_of_a_version_is_named_and_publishing_says_what_it_dropped(app, staff):
    """Two drafts of kenshu v1 (a corrected file uploaded again): each draft's page names the
    other; publishing one says which draft it dropped, the audit log records the numbers only,
    and the other tab's page (and its buttons) say why the draft is gone."""
    staff.get("/staff/questionnaires/upload")
    first = draft_number(upload(staff, kenshu_v1(), "研修会（案）.xlsx").headers["Location"])
    assert "ほかにもあります" not in text_of(staff.get(f"/staff/questionnaires/drafts/{first}"))
    second = draft_number(upload(staff, kenshu_v1(), "研修会（修正版）.xlsx").headers["Location"])
    shown = page(staff.get(f"/staff/questionnaires/drafts/{second}"))
    notice = shown.xpath("//*[@data-rival-drafts]")[0].text_content()
    assert notice.strip() == (
        f"同じ版（第1版）の下書きがほかにもあります（下書き{first}「研修会（案）.xlsx」第1版）。"
        "この下書きを公開すると、ほかの下書きは取り消されます。"
    )
    other = text_of(staff.get(f"/staff/questionnaires/drafts/{first}"))
    assert f"下書き{second}「研修会（修正版）.xlsx」第1版" in other

    assert staff.post(f"/staff/questionnaires/drafts/{second}/publish").status_code == 302
    listing = text_of(staff.get("/staff/questionnaires/"))
    assert (
        "同じ版か前の版のほかの下書きは、公開できなくなったため取り消しました: "
        f"下書き{first}「研修会（案）.xlsx」第1版。"
    ) in listing
    with app.app_context():
        dropped = db.session.execute(
            select(AuditEvent.target, AuditEvent.user_id, AuditEvent.details).where(
                AuditEvent.action == "questionnaire.supersede"
            )
        ).one()
    assert dropped.target == "questionnaire/kenshu/1"
    assert dropped.user_id == staff.user.id
    assert dropped.details == {"draft": first, "published_draft": second, "version": 1}
    assert "別の下書きの公開による" in text_of(staff.get("/audit/?family=questionnaire"))

    gone = staff.get(f"/staff/questionnaires/drafts/{first}")
    assert gone.status_code == 404
    why = f"下書き{first}は、同じ版（第1版）の下書き{second}が公開されたため、取り消されました。"
    assert why in text_of(gone)
    pressed = staff.post(f"/staff/questionnaires/drafts/{first}/publish")
    assert pressed.status_code == 404
    assert why in text_of(pressed)
    published = staff.get(f"/staff/questionnaires/drafts/{second}")
    assert published.status_code == 404
    assert f"下書き{second}は公開済みです（kenshu 第1版）。" in text_of(published)


def test_a_draft_number_nothing_recorded_says_what_ends_a_draft(staff):
    gone = staff.get("/staff/questionnaires/drafts/999")
    assert gone.status_code == 404
    assert "同じ版の別の下書きが公開されると、この下書きは取り消されます。" in text_of(gone)


def test_upload_refusals_speak_of_questionnaires_and_the_page_s_own_limit(app, staff):
    """A zip that is no workbook is not told about a downloaded answer template; a file over the
    app's 5 MB limit is told the 2 MB the page states; English pages join lists with ", "."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    staff.get("/staff/questionnaires/upload")
    text = text_of(upload(staff, buffer.getvalue()))
    assert "Excel ブック（.xlsx）ではありません。" in text
    assert "テンプレート" not in text
    from tests.security.test_limits import multipart, over_limit

    body, content_type = multipart(
        {"csrf_token": staff.csrf()}, b"PK\x03\x04" + b"\0" * over_limit(app)
    )
    got = staff.client.post("/staff/questionnaires/upload", data=body, content_type=content_type)
    assert got.status_code == 303
    shown = text_of(staff.get(got.headers["Location"]))
    assert "ファイルが大きすぎます（2 MB まで）。" in shown
    assert "5 MB" not in shown
    staff.client.set_cookie("lang", "en")
    data = xlsx({"Sheet1": [("type",)], "notes": [("x",)]})
    english = text_of(upload(staff, data))
    assert 'There is no survey sheet (the file\'s sheets: "Sheet1", "notes").' in english


def test_an_author_s_usual_slips_are_refused_saying_what_to_write_instead(app, staff):
    """What a person who knows Excel writes: a name in 全角 (ｍｅｎ, still named by ${men}
    elsewhere), a list name misspelt on either sheet, ``==`` and Excel's ``<>``, quotes an
    autocorrect curled. Each refusal said what to write only for some (the name's rule, 「=」の
    位置が正しくありません, 「’」は式に使えない文字です); the 全角 name also refused every rule
    naming ${men} again, suggesting another question (「women」のことですか？)."""
    definition = form(
        [
            ("integer", "ｍｅｎ", "男性", None, None, None),
            ("integer", "women", "女性", None, None, None),
            ("select_one yes_noo", "jisshi", "実施", None, None, None),
            ("select_one area", "area", "地域", None, None, None),
            ("text", "why", "理由", None, "${men} > 10", None),
            ("text", "how", "方法", None, "${women} == 1", None),
            ("text", "who", "担当", None, "${women} <> 1", None),
            ("text", "what", "内容", None, "${women} = ‘1’", None),
        ],
        (*YES_NO, ("areas", "ku", "区部"), ("areas", "tama", "多摩")),
    )
    staff.get("/staff/questionnaires/upload")
    got = upload(staff, definition)
    assert got.status_code == 422
    rows = [
        [cell.text_content().strip() for cell in row.xpath("./td")]
        for row in page(got).xpath("//table[@id='definition-problems']/tbody/tr")
    ]
    assert rows == [
        [
            "survey",
            "2",
            "name",
            "名前「ｍｅｎ」は使えません。半角英字か _ で始まる半角英数字と _ の64文字以内に"
            "してください。「men」（半角）と書いてください。",
        ],
        [
            "survey",
            "4",
            "type",
            "選択肢リスト「yes_noo」が choices シートにありません。「yes_no」のことですか？",
        ],
        [
            "survey",
            "5",
            "type",
            "選択肢リスト「area」が choices シートにありません。「areas」のことですか？",
        ],
        [
            "survey",
            "7",
            "relevant",
            "10文字目: 「==」は式に使えません。等しいことは「=」ひとつで書いてください。",
        ],
        [
            "survey",
            "8",
            "relevant",
            "10文字目: 「<>」は式に使えません。等しくないことは「!=」と書いてください。",
        ],
        [
            "survey",
            "9",
            "relevant",
            "12文字目: 「‘」は式に使えません。文字は半角の ' か \" で囲んでください"
            "（例: ${q} = 'yes'）。",
        ],
    ], rows
    assert count(app, QuestionnaireDraft) == 0
    staff.get("/language/en")
    english = text_of(upload(staff, definition))
    for said in (
        'Write "men" (half-width).',
        'Did you mean "yes_no"?',
        '"==" cannot be used in a rule.',
        '"<>" cannot be used in a rule. Write "not equal to" as "!=".',
        "Put a text between straight quotes",
    ):
        assert said in english, said


def test_a_mistyped_select_or_group_type_is_refused_with_the_type_meant(app, staff):
    """``select_one_yes_no``, ``selectone``, ``Select_One Yes_No``, ``or_othr``,
    ``begin_groop``: each was refused with a suggestion of another type (「select one using」,
    「select one from」, 「select_one」) or none, and a mistyped ``begin_group`` as a type the hub
    does not do, with its ``end_group`` refused again as closing no group."""
    definition = form(
        [
            ("select_one_yes_no", "a", "A", None, None, None),
            ("selectone yes_no", "b", "B", None, None, None),
            ("Select_One Yes_No", "c", "C", None, None, None),
            ("select_multiple yes_no or_othr", "d", "D", None, None, None),
            ("begin_groop", "g", "G", None, None, None),
            ("text", "e", "E", None, None, None),
            ("end_group", "", "", None, None, None),
        ],
        YES_NO,
    )
    staff.get("/staff/questionnaires/upload")
    got = upload(staff, definition)
    assert got.status_code == 422
    rows = [
        [cell.text_content().strip() for cell in row.xpath("./td")]
        for row in page(got).xpath("//table[@id='definition-problems']/tbody/tr")
    ]
    meant = "種類「%s」はありません。「%s」のことですか？"
    assert rows == [
        ["survey", "2", "type", meant % ("select_one_yes_no", "select_one yes_no")],
        ["survey", "3", "type", meant % ("selectone yes_no", "select_one yes_no")],
        ["survey", "4", "type", meant % ("Select_One Yes_No", "select_one yes_no")],
        [
            "survey",
            "5",
            "type",
            meant % ("select_multiple yes_no or_othr", "select_multiple yes_no or_other"),
        ],
        ["survey", "6", "type", meant % ("begin_groop", "begin_group")],
    ], rows
    staff.get("/language/en")
    english = text_of(upload(staff, definition))
    assert 'There is no type "selectone yes_no". Did you mean "select_one yes_no"?' in english
