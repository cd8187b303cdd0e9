"""A designer's second version, walked as an ODK form designer expects it: v1 published on the
staff page, a round opened, respondents save drafts and submit; then v2 renames a question's
label, removes a question, adds a required one, changes a choice list and a ``relevant``, and
renames a question (settings ``renamed``). The round on v1 keeps v1 — its drafts, its submitted
answers and its Excel template, uploaded after v2 exists —; the preview says what changes; the
next round on v2 carries what still fits; 経年比較 sets both rounds side by side."""

from __future__ import annotations

from flask import Flask

from tests.conftest import Api
from tests.excel.conftest import answers_of, download, fill, post_file
from tests.forms.xlsform_files import xlsx
from tests.questionnaires.test_authored import (
    sheet_rows,
    staff_uploads_on_the_page_and_publishes,
    table,
    workbook_of,
)
from tests.web.conftest import Web, page

CHIYODA, CHUO, MINATO, HACHIOJI = "131016", "131024", "131032", "132012"
CODES = [CHIYODA, CHUO, MINATO, HACHIOJI]
HEADER = ("type", "name", "label::ja", "label::en", "required", "relevant")
CHOICES_HEADER = ("list_name", "name", "label::ja", "label::en")


def koyo(version: int) -> bytes:
    """「協力雇用主との連携状況調査」: v2 relabels ``plan``, drops ``considering`` from its list and
    adds ``planned``, asks ``window`` on another condition, removes ``staff_count``, adds the
    required ``budget`` and renames ``level`` to ``cooperation``."""
    if version == 1:
        survey = [
            HEADER,
            ("select_one plan", "plan", "計画の有無", "Plan", "yes", ""),
            ("select_one yes_no", "window", "相談窓口の有無", "Window", "", "${plan} = 'yes'"),
            ("integer", "staff_count", "担当職員数", "Staff", "", ""),
            ("select_one level", "level", "連携の程度", "Cooperation", "", ""),
            ("text", "memo", "備考", "Notes", "", ""),
        ]
        plans = [("plan", "yes", "あり", "Yes"), ("plan", "considering", "検討中", "Considering")]
        settings = [("form_id", "version", "form_title"), ("koyo", 1, "協力雇用主との連携状況調査")]
    else:
        survey = [
            HEADER,
            ("select_one plan", "plan", "再犯防止推進計画の策定状況", "Plan", "yes", ""),
            ("select_one yes_no", "window", "相談窓口の有無", "Window", "", "${plan} != 'no'"),
            ("integer", "budget", "関連予算額（千円）", "Budget", "yes", ""),
            ("select_one level", "cooperation", "連携の程度", "Cooperation", "", ""),
            ("text", "memo", "備考", "Notes", "", ""),
        ]
        plans = [("plan", "yes", "あり", "Yes"), ("plan", "planned", "策定予定", "Planned")]
        settings = [
            ("form_id", "version", "form_title", "renamed"),
            ("koyo", 2, "協力雇用主との連携状況調査", "cooperation=level"),
        ]
    choices = [
        CHOICES_HEADER,
        *plans,
        ("plan", "no", "なし", "No"),
        ("yes_no", "yes", "はい", "Yes"),
        ("yes_no", "no", "いいえ", "No"),
        ("level", "high", "十分", "Enough"),
        ("level", "low", "不十分", "Not enough"),
    ]
    return xlsx({"survey": survey, "choices": choices, "settings": settings})


def open_round(staff: Api, reference_date: str) -> int:
    got = staff.post(
        "/rounds",
        {"survey": "koyo", "reference_date": reference_date, "deadline": "2099-05-29 17:00",
         "municipalities": CODES},
    )  # fmt: skip
    assert got.status_code == 201, got.get_json()
    return int(got.get_json()["id"])


MINATO_DRAFT = {"plan": "considering", "staff_count": 4, "memo": "下書き中"}


def test_a_second_version_leaves_the_first_round_whole_and_compares_across_both(
    app: Flask, api_as, web, min_responses
) -> None:
    min_responses(1)
    staff_page: Web = web("staff")
    staff: Api = api_as("staff")
    staff_uploads_on_the_page_and_publishes(staff_page, koyo(1), "協力雇用主.xlsx")
    first = open_round(staff, "令和7年4月1日")
    chiyoda, chuo, minato, hachioji = (api_as("respondent", municipality=c) for c in CODES)
    v1_chiyoda = {"plan": "yes", "window": "yes", "staff_count": 3, "level": "high"}
    assert chiyoda.submit(first, CHIYODA, v1_chiyoda).status_code == 200
    assert staff.post(f"/rounds/{first}/responses/{CHIYODA}/accept", {}).status_code == 200
    assert chuo.submit(first, CHUO, {"plan": "considering", "level": "low"}).status_code == 200
    assert minato.save(first, MINATO, MINATO_DRAFT).status_code == 200
    template = download(hachioji, first, HACHIOJI)

    # The preview of v2 says what changes, before anything is published.
    staff_page.get("/staff/questionnaires/upload")
    import io

    got = staff_page.post(
        "/staff/questionnaires/upload",
        {"file": (io.BytesIO(koyo(2)), "協力雇用主_v2.xlsx")},
        content_type="multipart/form-data",
    )
    assert got.status_code == 302
    preview = page(staff_page.get(got.headers["Location"]))
    added = preview.xpath("//ul[@data-added]/li")
    assert [" ".join(li.text_content().split()) for li in added] == [
        "budget 関連予算額（千円） 必須"
    ]
    removed = preview.xpath("//ul[@data-removed]/li")
    assert [" ".join(li.text_content().split()) for li in removed] == ["staff_count 担当職員数"]
    changed = {
        li.get("data-question"): " ".join(li.text_content().split())
        for li in preview.xpath("//ul[@data-changed]/li")
    }
    assert "質問文" in changed["plan"]
    assert "選択肢の追加（planned）" in changed["plan"]
    assert "選択肢の削除（considering）" in changed["plan"]
    assert "表示条件（relevant）" in changed["window"]
    assert "名前の変更（level から）" in changed["cooperation"]
    draft_id = int(got.headers["Location"].rstrip("/").split("/")[-1])
    published = staff_page.post(f"/staff/questionnaires/drafts/{draft_id}/publish", {})
    assert published.status_code == 302

    # The round on v1 is untouched: drafts, submitted answers, its form and its template.
    assert answers_of(minato, first, MINATO)["answers"] == MINATO_DRAFT
    assert answers_of(chuo, first, CHUO)["answers"] == {"plan": "considering", "level": "low"}
    assert answers_of(chuo, first, CHUO)["state"] == "submitted"
    form = page(web("respondent", municipality=MINATO).get(f"/respond/rounds/{first}/{MINATO}"))
    assert form.xpath("//input[@name='staff_count']")[0].get("value") == "4"
    assert not form.xpath("//input[@name='budget']")
    assert minato.submit(first, MINATO, {**MINATO_DRAFT, "level": "low"}).status_code == 200
    uploaded = post_file(
        hachioji, first, HACHIOJI, fill(template, {"plan": "あり", "staff_count": "２"})
    )
    assert uploaded.status_code == 200, uploaded.get_json()
    assert uploaded.get_json()["answers"] == {"plan": "yes", "staff_count": 2}
    assert hachioji.post(f"/rounds/{first}/responses/{HACHIOJI}/submit", {}).status_code == 200

    # The round on v2 carries the accepted answers that still fit, under the new names.
    second = open_round(staff, "令和8年4月1日")
    carried = answers_of(chiyoda, second, CHIYODA)["answers"]
    assert carried == {"plan": "yes", "window": "yes", "cooperation": "high"}
    assert answers_of(chuo, second, CHUO)["answers"] == {}, "only accepted answers are carried"
    refused = chiyoda.submit(second, CHIYODA)
    assert refused.status_code == 422, "the new required question is asked"
    assert "budget" in str(refused.get_json())
    assert chiyoda.submit(second, CHIYODA, {**carried, "budget": 120}).status_code == 200
    v2_chuo = {"plan": "planned", "window": "no", "budget": 0, "cooperation": "high"}
    assert chuo.submit(second, CHUO, v2_chuo).status_code == 200

    # 経年比較: both rounds side by side, by name and by the name v2 renamed.
    rows = sheet_rows(workbook_of(staff, second), "経年比較")
    plan = table(rows, "再犯防止推進計画の策定状況の推移")
    assert plan[0][1:] == ("令和7年4月1日現在", "令和8年4月1日現在", "増減（前回比）")
    by_label = {row[0]: row[1:] for row in plan[1:]}
    assert by_label["あり"] == (2, 1, -1)
    assert by_label["策定予定"] == (None, 1, 1)
    assert by_label["検討中"] == (2, None, -2)
    assert by_label["合計（回答自治体数）"] == (4, 2, -2)
    cooperation = table(rows, "連携の程度の推移")
    by_label = {row[0]: row[1:] for row in cooperation[1:]}
    assert by_label["十分"] == (1, 2, 1)
    assert by_label["不十分"] == (2, 0, -2)
    assert by_label["回答なし（対象外・未選択）"] == (1, 0, -1)
    assert "「level」でした" in str(rows), "the table says the name the question had"
    # v1 asked ``window`` only with a plan, v2 unless there is none: each column adds up.
    window = {row[0]: row[1:] for row in table(rows, "相談窓口の有無の推移")[1:]}
    assert window["回答なし（対象外・未選択）"] == (3, 0, -3)
    for column in range(3):
        counted = [
            v[column] or 0
            for k, v in window.items()
            if k not in ("合計（回答自治体数）", "対象自治体数")
        ]
        assert sum(counted) == window["合計（回答自治体数）"][column]


def upload_v2(staff_page: Web) -> str:
    """The preview's address of v2 uploaded on the staff page (a draft, nothing published)."""
    import io

    staff_page.get("/staff/questionnaires/upload")
    got = staff_page.post(
        "/staff/questionnaires/upload",
        {"file": (io.BytesIO(koyo(2)), "協力雇用主_v2.xlsx")},
        content_type="multipart/form-data",
    )
    assert got.status_code == 302
    return str(got.headers["Location"])


def test_the_preview_names_the_rounds_still_open_and_says_they_keep_their_version(
    app: Flask, api_as, web
) -> None:
    """A designer from ODK Central first asks whether the open v1 rounds change: the preview
    names each round not closed (by title, with its version) and says it keeps its version —
    drafts, submissions and its Excel template —; a closed round is not named; the next round
    opened uses v2. In English too."""
    staff_page: Web = web("staff")
    staff: Api = api_as("staff")
    staff_uploads_on_the_page_and_publishes(staff_page, koyo(1), "協力雇用主.xlsx")
    closed = open_round(staff, "令和6年4月1日")
    assert staff_page.post(f"/staff/rounds/{closed}/close", {}).status_code == 302
    still_open = open_round(staff, "令和7年4月1日")

    location = upload_v2(staff_page)
    preview = page(staff_page.get(location))
    (section,) = preview.xpath("//section[@data-open-rounds]")
    said = " ".join(section.text_content().split())
    assert [li.get("data-round") for li in section.xpath(".//li")] == [str(still_open)]
    assert "「協力雇用主との連携状況調査（令和7年4月1日現在）」: 第1版のまま" in said
    assert "令和6年" not in said, "a closed round is not named"
    assert "一時保存・提出済みの回答も、回答用Excelも、そのまま使えます" in said
    assert "この第2版は、公開したあとに開始する調査回から使われます。" in said

    staff_page.get("/language/en")
    english = page(staff_page.get(location))
    (section,) = english.xpath("//section[@data-open-rounds]")
    said = " ".join(section.text_content().split())
    assert "“協力雇用主との連携状況調査 (as of 2025-04-01)”: stays on version 1" in said, said
    assert "Version 2 is used by the rounds opened after it is published." in said


def test_with_no_round_open_the_preview_says_so(app: Flask, api_as, web) -> None:
    staff_page: Web = web("staff")
    staff_uploads_on_the_page_and_publishes(staff_page, koyo(1), "協力雇用主.xlsx")
    preview = page(staff_page.get(upload_v2(staff_page)))
    (section,) = preview.xpath("//section[@data-open-rounds]")
    said = " ".join(section.text_content().split())
    assert "受付中・開始前の調査回はありません。" in said
    assert not section.xpath(".//li")


def test_the_preview_marks_an_added_required_question_and_says_changed_rules_in_words(
    app: Flask, web
) -> None:
    """v2 adds the required ``budget``: the preview marks it 必須. v2 asks ``window`` unless
    there is no plan, and makes ``plan`` relabelled: the changed ``relevant`` reads before (with
    v1's label) and after (with v2's) in words, as the form's notes say rules."""
    staff_page: Web = web("staff")
    staff_uploads_on_the_page_and_publishes(staff_page, koyo(1), "協力雇用主.xlsx")
    location = upload_v2(staff_page)
    preview = page(staff_page.get(location))
    (budget,) = preview.xpath("//ul[@data-added]/li[@data-question='budget']")
    assert budget.xpath(".//*[contains(@class, 'tag--required')]")[0].text == "必須"
    (window,) = preview.xpath("//ul[@data-changed]/li[@data-question='window']")
    (rule,) = window.xpath(".//li[@data-rule='relevant']")
    said = [" ".join(s.text_content().split()) for s in rule.xpath("./span")]
    assert said == [
        "変更前: 「計画の有無」が「あり」のときに回答",
        "変更後: 「再犯防止推進計画の策定状況」が「なし」以外のときに回答",
    ]
    (plan,) = preview.xpath("//ul[@data-changed]/li[@data-question='plan']")
    assert not plan.xpath(".//li[@data-rule]"), "plan's rules did not change"

    staff_page.get("/language/en")
    english = page(staff_page.get(location))
    (budget,) = english.xpath("//ul[@data-added]/li[@data-question='budget']")
    assert "Required" in budget.text_content()
    (rule,) = english.xpath("//li[@data-question='window']//li[@data-rule='relevant']")
    said = [" ".join(s.text_content().split()) for s in rule.xpath("./span")]
    assert said == ["Before: Answer when “Plan” is “Yes”", "After: Answer when “Plan” is not “No”"]


def test_last_year_s_choice_no_longer_offered_is_shown_with_its_old_label(
    app: Flask, api_as, web
) -> None:
    """千代田区 answered 「検討中」 in v1, which v2 no longer offers: its v2 form does not hide
    that answer beside the question but shows it by v1's label, saying the choice is no longer
    offered (the field itself is left to answer again); a renamed question shows its answer."""
    staff_page: Web = web("staff")
    staff: Api = api_as("staff")
    staff_uploads_on_the_page_and_publishes(staff_page, koyo(1), "協力雇用主.xlsx")
    first = open_round(staff, "令和7年4月1日")
    chiyoda = api_as("respondent", municipality=CHIYODA)
    given = {"plan": "considering", "staff_count": 3, "level": "high"}
    assert chiyoda.submit(first, CHIYODA, given).status_code == 200
    assert staff.post(f"/rounds/{first}/responses/{CHIYODA}/accept", {}).status_code == 200
    staff_uploads_on_the_page_and_publishes(staff_page, koyo(2), "協力雇用主_v2.xlsx")
    second = open_round(staff, "令和8年4月1日")
    assert answers_of(chiyoda, second, CHIYODA)["answers"] == {"cooperation": "high"}

    respondent = web("respondent", municipality=CHIYODA)
    form = page(respondent.get(f"/respond/rounds/{second}/{CHIYODA}"))

    def previous(name: str) -> str:
        (hint,) = form.xpath(f"//*[@id='{name}-previous']")
        return " ".join(hint.text_content().split())

    assert previous("plan") == "前回の回答: 検討中（今回の選択肢にはありません）"
    assert previous("cooperation") == "前回の回答: 十分"
    assert not form.xpath("//input[@name='plan'][@checked]"), "not offered: not chosen for them"
    legend_for = form.xpath("//fieldset[.//input[@name='plan']]")[0].get("aria-describedby")
    assert "plan-previous" in legend_for.split()

    respondent.get("/language/en")
    form = page(respondent.get(f"/respond/rounds/{second}/{CHIYODA}"))
    assert previous("plan") == "Last answer: Considering (no longer offered)"
