"""The round's tables: computed once from SQL counts, the same numbers the summary API shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask

from exports.aggregate import round_counts, summary
from exports.assembly import round_sheets, round_tables
from exports.tables import Table
from hub.db import db
from hub.services import responses
from tests.conftest import Api, complete_answers, response_of
from tests.exports.seed import FORMULATED, SOURCE_COUNTS, contact_values


def tables_of(app: Flask, round_id: int, **kwargs: bool) -> dict[str, Table]:
    with app.app_context():
        return {t.name: t for t in round_tables(responses.get_round(round_id), **kwargs)}


def column(table: Table, header: str) -> list[object]:
    index = table.headers.index(header)
    return [row[index] for row in table.rows]


def test_the_headline_table_reproduces_the_source_document(app: Flask, seeded_round: int) -> None:
    table = tables_of(app, seeded_round)["plan_status"]
    assert table.headers == ("区市町村の計画の策定状況", "自治体数", "備考")
    assert [row[:2] for row in table.rows] == [
        ("① 策定済み", 9),
        ("② パブリックコメント手続中（終了している場合を含む）", 1),
        ("③ 関係機関等との協議会等で検討中", 5),
        ("④ 庁内で策定に向けて検討中（協議会等の設置予定を含む）", 8),
        ("⑤ 庁内で策定の可否を検討中", 10),
        ("⑥ 現時点で策定予定なし", 29),
        ("合計", 62),
    ]
    assert table.title == "区市町村の計画の策定状況（令和3年4月1日現在）"


def test_the_municipalities_with_a_plan_are_listed_by_region(app: Flask, seeded_round: int) -> None:
    table = tables_of(app, seeded_round)["formulated_municipalities"]
    assert [row[0] for row in table.rows] == [
        "【区部】" + "、".join(FORMULATED["区部"]),
        "【市部】" + "、".join(FORMULATED["市部"]),
        "【町村部】なし",
        "9/62 区市町村",
    ]


def test_the_split_by_region_adds_up(app: Flask, seeded_round: int) -> None:
    table = tables_of(app, seeded_round)["plan_status_by_region"]
    assert table.headers == ("計画の策定状況", "区部", "市部", "町村部", "合計")
    body = table.rows[:-2]
    for row in body:
        assert sum(row[1:4]) == row[4]  # type: ignore[arg-type]
    assert [row[4] for row in body] == list(SOURCE_COUNTS.values())
    assert table.rows[-2] == ("合計", 23, 26, 13, 62)
    assert table.rows[-1] == ("対象自治体数", 23, 26, 13, 62)


def test_every_count_table_agrees_with_the_summary_api(
    app: Flask, seeded_round: int, api_as: Callable[..., Api]
) -> None:
    tables = tables_of(app, seeded_round)
    body = api_as("staff").get(f"/rounds/{seeded_round}/summary").get_json()
    with app.app_context():
        questionnaire = responses.get_round(seeded_round).questionnaire
    for question in questionnaire.choice_questions:
        if question.id == questionnaire.headline:
            continue
        table = tables[question.id]
        counts = column(table, "自治体数")[: len(question.codes)]
        assert counts == [body[question.id][code] for code in question.codes], question.id
        shares = column(table, "割合")[: len(question.codes)]
        assert shares == [n / 62 for n in counts]  # type: ignore[operator]
    assert body["plan_status"] == SOURCE_COUNTS


def test_summary_output_is_unchanged_by_the_tables(app: Flask, seeded_round: int) -> None:
    with app.app_context():
        result = summary(round_counts(responses.get_round(seeded_round)))
    assert result["municipalities"] == 62
    assert result["responded"] == 62
    assert result["formulated_municipalities"] == FORMULATED


def test_number_questions_get_n_sum_min_median_max(app: Flask, seeded_round: int) -> None:
    table = tables_of(app, seeded_round)["numbers"]
    assert table.headers == ("項目", "回答した自治体数", "合計", "最小", "中央値", "最大")
    employers = table.rows[0]
    total = sum(i % 7 for i in range(62))
    assert employers == ("協力雇用主数（把握している場合）", 62, total, 0, 3, 6)
    consultations = table.rows[1]
    answered = len([i for i in range(62) if i % 5 == 0])
    assert consultations[1:] == (answered, 12 * answered, 12, 12, 12)


def test_answers_table_has_one_row_per_municipality_and_01_columns(
    app: Flask, seeded_round: int
) -> None:
    table = tables_of(app, seeded_round)["answers"]
    assert len(table.rows) == 62
    assert table.keys[:4] == ("code", "name", "region", "state")
    assert "programs.shamei_campaign" in table.keys
    other = table.keys.index("programs_other")
    assert table.keys[other - 1] == "programs.other", "the other text sits beside its 0/1 column"
    chiyoda = table.rows[0]
    assert chiyoda[:4] == ("131016", "千代田区", "区部", "提出済み")
    assert chiyoda[table.keys.index("plan_status")] == "①策定済み"
    assert chiyoda[table.keys.index("plan_date")] == date(2021, 3, 31)
    for key in table.keys:
        if "." in key:
            assert {row[table.keys.index(key)] for row in table.rows} <= {0, 1}
    assert table.filterable
    assert table.frozen_columns == 2


def test_unsubmitted_answers_are_not_shown_or_counted(
    app: Flask, open_round_at: Callable[[date], int], api_as: Callable[..., Api]
) -> None:
    round_id = open_round_at(date(2021, 4, 1))
    staff = api_as("staff")
    assert (
        staff.save(round_id, "131016", complete_answers(plan_status="formulated")).status_code
        == 200
    )
    assert staff.submit(round_id, "131024", complete_answers()).status_code == 200
    tables = tables_of(app, round_id)
    answers = tables["answers"]
    chiyoda, chuo = answers.rows[0], answers.rows[1]
    assert chiyoda[3] == "一時保存（未提出）"
    assert set(chiyoda[4:]) == {None}
    assert chuo[answers.keys.index("plan_status")] == "⑥現時点で策定予定なし"
    headline = tables["plan_status"]
    assert headline.rows[0][1] == 0
    assert headline.rows[-1] == ("合計", 1, "未回答 61 自治体")
    status = dict(tables["response_status"].rows)
    assert status["一時保存（未提出）"] == 1
    assert status["提出済み"] == 1
    assert status["未着手"] == 60
    assert status["対象自治体数"] == 62


def test_a_returned_answer_is_counted_as_returned_not_as_a_draft(
    app: Flask, open_round_at: Callable[[date], int], api_as: Callable[..., Api]
) -> None:
    round_id = open_round_at(date(2021, 4, 1))
    staff = api_as("staff")
    assert staff.submit(round_id, "131024", complete_answers()).status_code == 200
    assert staff.save(round_id, "131016", complete_answers()).status_code == 200
    with app.app_context():
        responses.return_response(
            response_of(round_id, "131024"), "数字を直してください", user=None
        )
        db.session.commit()
    tables = tables_of(app, round_id)
    status = tables["response_status"].rows
    assert [row[0] for row in status] == [
        "未着手",
        "一時保存（未提出）",
        "差し戻し",
        "提出済み",
        "受理済み",
        "対象自治体数",
    ]
    assert dict(status) == {
        "未着手": 60,
        "一時保存（未提出）": 1,
        "差し戻し": 1,
        "提出済み": 0,
        "受理済み": 0,
        "対象自治体数": 62,
    }
    states = tables["states"]
    assert ("returned", "差し戻し") in states.rows
    assert "return_reason" in states.notes[0]


def test_personal_fields_appear_only_in_the_staff_tables(app: Flask, seeded_round: int) -> None:
    staff = tables_of(app, seeded_round, personal=True)
    assert "contact_email" in staff["answers"].keys
    assert "最終入力者" in staff["submissions"].headers
    shared = tables_of(app, seeded_round, personal=False)
    for name in ("contact_name", "contact_phone", "contact_email", "contact_department"):
        assert name not in shared["answers"].keys
    assert "最終入力者" not in shared["submissions"].headers
    cells = {str(c) for t in shared.values() for row in t.rows for c in row}
    assert not cells & set(contact_values())


def test_detail_false_leaves_out_the_per_municipality_tables(app: Flask, seeded_round: int) -> None:
    names = set(tables_of(app, seeded_round, detail=False))
    assert "answers" not in names
    assert "submissions" not in names
    assert {"plan_status", "plan_status_by_region", "formulated_municipalities"} <= names


def test_history_appears_when_an_earlier_round_exists(
    app: Flask, seeded_round: int, open_round_at: Callable[[date], int], api_as: Callable[..., Api]
) -> None:
    with app.app_context():
        sheets = [s.name for s in round_sheets(responses.get_round(seeded_round))]
    assert sheets == ["集計", "提出状況", "回答一覧", "定義"]
    later = open_round_at(date(2022, 4, 1))
    staff = api_as("staff")
    for code in ("131016", "131024", "131032"):
        answers = complete_answers(
            plan_status="formulated", plan_name="再犯防止推進計画", plan_date="2022-03-01"
        )
        assert staff.submit(later, code, answers).status_code == 200
    with app.app_context():
        sheets_of_later = round_sheets(responses.get_round(later))
    assert [s.name for s in sheets_of_later] == ["集計", "提出状況", "回答一覧", "経年比較", "定義"]
    history_sheet = next(s for s in sheets_of_later if s.name == "経年比較")
    assert [t.name for t in history_sheet.tables] == [
        "plan_status_history",
        "consultation_setup_history",
    ], "every select_one both rounds ask, the headline first"
    history = history_sheet.tables[0]
    assert history.headers == (
        "計画の策定状況",
        "令和3年4月1日現在",
        "令和4年4月1日現在",
        "増減（前回比）",
    )
    assert history.rows[0] == ("① 策定済み", 9, 3, -6)
    assert history.rows[-2] == ("合計（回答自治体数）", 62, 3, -59)
    with app.app_context():
        earlier_sheets = [s.name for s in round_sheets(responses.get_round(seeded_round))]
    assert "経年比較" not in earlier_sheets, "a later round is not history of an earlier one"


def test_definitions_are_generated_from_the_questionnaire(app: Flask, seeded_round: int) -> None:
    tables = tables_of(app, seeded_round)
    definitions = tables["definitions"]
    ids = column(definitions, "項目ID")
    with app.app_context():
        questionnaire = responses.get_round(seeded_round).questionnaire
    assert {q.id for q in questionnaire.questions} == set(ids)
    keys = {k for k in column(definitions, "回答一覧の列") if k}
    assert keys == set(tables["answers"].keys[4:])
    codes = column(definitions, "選択肢コード")
    assert {"formulated", "shamei_campaign", "consultation_knowhow"} <= set(codes)


def test_a_stored_value_that_is_no_number_is_left_out_of_the_statistics(
    app: Flask, seeded_round: int
) -> None:
    """Text an older definition allowed, or a decimal in an integer question, cannot be summed:
    it is left out (the others still counted), and no database refuses the whole table."""
    from sqlalchemy import select

    from hub.db import db
    from hub.models import Response

    with app.app_context():
        found = list(
            db.session.scalars(
                select(Response)
                .filter_by(round_id=seeded_round)
                .order_by(Response.municipality_code)
                .limit(3)
            )
        )
        for response, odd in zip(found, ["１２", 2.5, "12件"], strict=True):
            response.answers = {**response.answers, "cooperating_employers": odd}
        db.session.commit()
    employers = tables_of(app, seeded_round)["numbers"].rows[0]
    values = [i % 7 for i in range(3, 62)]
    assert employers[1:] == (59, sum(values), 0, 3, 6)


def test_a_returned_response_reads_returned_in_the_answer_list_and_the_submissions(
    app: Flask, open_round_at: Callable[[date], int], api_as: Callable[..., Api]
) -> None:
    """Sent back with a reason, it is a draft again, but the workbook names it 差し戻し as the
    board does: staff read off which answers wait on a resubmission."""
    round_id = open_round_at(date(2021, 4, 1))
    staff = api_as("staff")
    assert staff.submit(round_id, "131016", complete_answers()).status_code == 200
    assert staff.submit(round_id, "131024", complete_answers()).status_code == 200
    with app.app_context():
        chiyoda = responses.get_response(round_id, "131016")
        responses.return_response(chiyoda, "連絡先を確認してください", user=None)
        db.session.commit()
    tables = tables_of(app, round_id)
    states = {row[0]: row[3] for row in tables["answers"].rows[:2]}
    assert states == {"131016": "差し戻し", "131024": "提出済み"}
    submissions = {row[0]: row[3] for row in tables["submissions"].rows[:2]}
    assert submissions == {"131016": "差し戻し", "131024": "提出済み"}
