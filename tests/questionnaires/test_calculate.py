"""XLSForm ``calculate``: a value the hub works out from the other answers on every save — read
from the file (and refused when broken, located), stored with the answers whatever the channel
(API, web form, Excel template), refused when a client sends it, in the workbook and the summary
like any answer, and written back by ``hub questionnaire export`` unchanged."""

from __future__ import annotations

import io
from datetime import date, timedelta
from html import unescape

import pytest
from openpyxl import load_workbook

from exports.template import ANSWER_COLUMN, HINT_COLUMN
from forms.rules import calculated, number_text
from forms.schema import load_answers
from forms.xlsform import DefinitionError, read_xlsform, write_xlsform
from hub.db import db, utcnow
from hub.services.rounds import open_round
from tests.conftest import response_of
from tests.excel.conftest import download, fill, post_file, rows_by_key
from tests.excel.test_pages import press_confirm, send
from tests.forms.xlsform_files import YES_NO, form, xlsx
from tests.questionnaires.test_authored import staff_uploads_on_the_page_and_publishes
from tests.questionnaires.test_rename_chain import changed_in, upload
from tests.questionnaires.test_versions import CHIYODA, import_file, open_kenshu
from tests.web.conftest import field_values, page

HEADER = ("type", "name", "label", "relevant", "calculation")
ROWS = [
    ("integer", "men", "参加者（男性）"),
    ("integer", "women", "参加者（女性）"),
    ("calculate", "total", "", "", "coalesce(${men}, 0) + coalesce(${women}, 0)"),
    ("calculate", "busy", "多かったか", "", "if(${total} > 10, 'yes', 'no')"),
    ("calculate", "per_head", "1人あたり予算", "${total} > 0", "round(${budget} div ${total}, 2)"),
    ("decimal", "budget", "予算（千円）"),
    ("text", "why", "多かった理由", "${busy} = 'yes'"),
]


def definition(rows=ROWS) -> bytes:
    return form(rows, YES_NO, survey_header=HEADER)


def refused(rows) -> list[tuple[int | None, str, str]]:
    with pytest.raises(DefinitionError) as caught:
        read_xlsform(definition(rows), "kenshu.xlsx")
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def test_a_calculate_is_read_as_a_number_or_a_text_and_worked_out() -> None:
    q = read_xlsform(definition(), "kenshu.xlsx")
    assert [(x.id, x.kind.value) for x in q.calculated] == [
        ("total", "decimal"),
        ("busy", "text"),
        ("per_head", "decimal"),
    ]
    assert q.question("total").label.ja == "total"  # no label: its name stands in
    answers = load_answers(q, {"men": "７", "women": "5", "budget": "100"})
    assert answers == {
        "men": 7,
        "women": 5,
        "budget": 100,
        "total": 12,
        "busy": "yes",
        "per_head": 8.33,
    }
    # a value given for it is passed over: worked out again; nothing when not asked
    assert calculated(q, {"total": 99, "busy": "no"}) == {"total": 0, "busy": "no"}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [("calculate", "a", "", "", "${b} + 1"), ("calculate", "b", "", "", "${a} * 2")],
            (2, "calculation", "循環しています"),
        ),
        ([("calculate", "a", "", "", "${a} + 1")], (2, "calculation", "a → a")),
        ([("calculate", "a", "", "", "${nothere} + 1")], (2, "calculation", "「nothere」という")),
        ([("calculate", "a", "", "", "1 +")], (2, "calculation", "")),
        ([("calculate", "a", "A")], (2, "calculation", "calculation（計算式）を書いて")),
        ([("text", "t", "T", "", "1 + 1")], (2, "calculation", "calculate の行だけ")),
        (
            [("integer", "n", "N"), ("calculate", "a", "", "${a} > 0", "${n}")],
            (3, "calculation", "循環しています"),
        ),
    ],
)
def test_a_broken_calculate_is_refused_by_sheet_row_and_cause(rows, expected) -> None:
    problems = refused(rows)
    row, column, cause = expected
    assert [(p[0], p[1]) for p in problems] == [(row, column)], problems
    assert cause in problems[0][2]


def test_a_calculate_takes_no_required_or_constraint() -> None:
    header = (*HEADER, "required", "constraint")
    data = form(
        [("integer", "n", "N"), ("calculate", "a", "", "", "${n}", "yes", ". > 0")],
        survey_header=header,
    )
    with pytest.raises(DefinitionError) as caught:
        read_xlsform(data, "kenshu.xlsx")
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (3, "required"),
        (3, "constraint"),
    ]


def test_written_back_it_reads_back_the_same() -> None:
    q = read_xlsform(definition(), "kenshu.xlsx")
    again = read_xlsform(write_xlsform(q), "kenshu.xlsx")
    assert again == q
    assert again.fingerprint() == q.fingerprint()


@pytest.fixture
def round_id(app) -> int:
    import_file(app, definition(), "kenshu.xlsx")
    return open_kenshu(app, date(2025, 6, 1))


def test_the_api_stores_it_and_refuses_a_value_sent_for_it(app, api_as, round_id) -> None:
    respondent = api_as("respondent", municipality=CHIYODA)
    saved = respondent.save(round_id, CHIYODA, {"men": 3, "women": "４", "budget": 70})
    assert saved.status_code == 200, saved.get_json()
    got = respondent.get(f"/rounds/{round_id}/responses/{CHIYODA}").get_json()
    assert got["answers"] == {
        "men": 3,
        "women": 4,
        "budget": 70,
        "total": 7,
        "busy": "no",
        "per_head": 10,
    }
    sent = respondent.save(round_id, CHIYODA, {"men": 3, "total": 100})
    assert sent.status_code == 422
    assert list(sent.get_json()["errors"]) == ["total"]
    assert "計算項目" in sent.get_json()["errors"]["total"][0]
    # submitting the stored answers works each out again
    assert respondent.submit(round_id, CHIYODA, {"men": 9, "women": 9}).status_code == 200
    with app.app_context():
        assert response_of(round_id, CHIYODA).answers == {
            "men": 9,
            "women": 9,
            "total": 18,
            "busy": "yes",
        }


def test_the_web_form_shows_it_read_only_and_the_server_works_it_out(web, round_id) -> None:
    respondent = web("respondent", municipality=CHIYODA)
    url = f"/respond/rounds/{round_id}/{CHIYODA}"
    shown = respondent.get(url)
    doc = page(shown)
    (total,) = doc.xpath("//input[@name='total']")
    assert total.get("readonly") is not None
    assert doc.xpath("//div[@data-question='total']/@data-calculation")
    values = {k: v for k, v in field_values(shown).items() if v not in (None, [])}
    # a page tampered with (or an old one) sends a value: passed over, worked out again
    values.update({"men": "2", "women": "3", "total": "999", "action": "save"})
    assert respondent.post(url, values).status_code == 302
    assert page(respondent.get(url)).xpath("//input[@name='total']/@value") == ["5"]


def test_the_template_shows_it_read_only_and_the_upload_works_it_out(app, api_as, round_id) -> None:
    respondent = api_as("respondent", municipality=CHIYODA)
    data = download(respondent, round_id, CHIYODA)
    sheet = load_workbook(io.BytesIO(data))["回答"]
    row = rows_by_key(load_workbook(io.BytesIO(data)))["total"]
    answer = sheet.cell(row=row, column=ANSWER_COLUMN)
    assert answer.protection.locked
    assert "ハブが計算" in sheet.cell(row=row, column=HINT_COLUMN).value
    filled = fill(data, {"men": "１１", "women": 1, "total": "=A1"})
    uploaded = post_file(respondent, round_id, CHIYODA, filled)
    assert uploaded.status_code == 200, uploaded.get_json()
    with app.app_context():
        answers = response_of(round_id, CHIYODA).answers
    assert (answers["total"], answers["busy"]) == (12, "yes")


def test_the_upload_page_confirms_a_template_whose_calculate_it_worked_out(
    app, api_as, web, round_id
) -> None:
    """The page's preview works the total out and shows it; confirming saved nothing but a 422
    「計算項目…送らないでください」 keyed by the bare id, for a value the respondent never typed."""
    respondent = api_as("respondent", municipality=CHIYODA)
    filled = fill(download(respondent, round_id, CHIYODA), {"men": "１１", "women": 1})
    browser = web("respondent", municipality=CHIYODA).client
    status, preview = send(browser, round_id, CHIYODA, filled)
    assert status == 200, preview[:2000]
    done = press_confirm(browser, round_id, CHIYODA, preview)
    assert done.status_code == 302, unescape(done.get_data(as_text=True))[:3000]
    with app.app_context():
        answers = response_of(round_id, CHIYODA).answers
    assert (answers["men"], answers["total"], answers["busy"]) == (11, 12, "yes")


def test_the_workbook_and_the_summary_read_it_as_an_answer(app, api_as, round_id) -> None:
    respondent = api_as("respondent", municipality=CHIYODA)
    assert respondent.submit(round_id, CHIYODA, {"men": 4, "women": 2}).status_code == 200
    staff = api_as("staff")
    workbook = load_workbook(io.BytesIO(staff.get(f"/rounds/{round_id}/workbook").data))
    listing = workbook["回答一覧"]
    header_row = next(
        r for r in listing.iter_rows(values_only=True) if r and "total" in [str(c) for c in r]
    )
    column = [str(c) for c in header_row].index("total")
    values = [r[column] for r in listing.iter_rows(values_only=True) if r and r[column] == 6]
    assert values == [6]
    definitions = [
        [str(c) for c in r if c is not None] for r in workbook["定義"].iter_rows(values_only=True)
    ]
    total_row = next(r for r in definitions if "total" in r)
    assert any(c.startswith("計算") for c in total_row)
    assert any("ハブが計算" in c for c in total_row)
    summary = staff.get(f"/rounds/{round_id}/summary").get_json()
    assert "total" in summary, sorted(summary)


def test_export_writes_it_back_and_imports_unchanged(app, runner, tmp_path) -> None:
    import_file(app, definition(), "kenshu.xlsx")
    out = str(tmp_path / "exported.xlsx")
    exported = runner("questionnaire", "export", "kenshu", "-o", out)
    assert exported.exit_code == 0, exported.output
    again = runner("questionnaire", "import", out)
    assert again.exit_code == 0, again.output
    written = (tmp_path / "exported.xlsx").read_bytes()
    sheet = load_workbook(io.BytesIO(written))["survey"]
    survey = {r[1]: r for r in sheet.iter_rows(values_only=True)}
    assert survey["total"][0] == "calculate"
    assert read_xlsform(written, "k.xlsx") == read_xlsform(definition(), "k.xlsx")


def sanka(version: int) -> bytes:
    """「研修会の参加状況」: v1 asks the total (``total``) and works out ``per_head`` and the flag
    ``busy``; v2 works the total out, rounds ``per_head`` and asks ``busy`` of the respondent."""
    header = ("type", "name", "label::ja", "label::en", "calculation")
    total = (
        ("integer", "total", "合計", "Total", "")
        if version == 1
        else ("calculate", "total", "合計", "Total", "${men} + ${women}")
    )
    per_head = "${budget} div ${total}" if version == 1 else "round(${budget} div ${total}, 1)"
    busy = (
        ("calculate", "busy", "多かったか", "Busy", "if(${total} > 10, 'yes', 'no')")
        if version == 1
        else ("text", "busy", "多かったか", "Busy", "")
    )
    survey = [
        header,
        ("integer", "men", "男性", "Men", ""),
        ("integer", "women", "女性", "Women", ""),
        total,
        ("decimal", "budget", "予算", "Budget", ""),
        ("calculate", "per_head", "1人あたり予算", "Budget per head", per_head),
        busy,
    ]
    settings = [("form_id", "version", "form_title"), ("sanka", version, "研修会の参加状況")]
    return xlsx({"survey": survey, "settings": settings})


def test_the_preview_says_a_new_calculation_and_a_question_now_or_no_longer_worked_out(
    web,
) -> None:
    staff = web("staff")
    staff_uploads_on_the_page_and_publishes(staff, sanka(1), "sanka.xlsx")
    location = upload(staff, sanka(2), "sanka_v2.xlsx")
    preview = page(staff.get(location))
    assert changed_in(preview, 1) == {
        "total": "total 合計: 形式（integer → calculate）、計算式（calculation） 計算式（calculation）"
        " 変更前: 回答者が入力 変更後: 入力不要（ほかの回答からハブが計算: 「男性」 + 「女性」）",
        "per_head": "per_head 1人あたり予算: 計算式（calculation） 計算式（calculation）"
        " 変更前: 入力不要（ほかの回答からハブが計算: 「予算」 div 「合計」）"
        " 変更後: 入力不要（ほかの回答からハブが計算: round(「予算」 div 「合計」, 1)）",
        "busy": "busy 多かったか: 形式（calculate → text）、計算式（calculation） 計算式（calculation）"
        " 変更前: 入力不要（ほかの回答からハブが計算: if(「合計」 > 10, 'yes', 'no')）"
        " 変更後: 回答者が入力",
    }
    staff.get("/language/en")
    english = changed_in(page(staff.get(location)), 1)
    assert english["total"] == (
        "total Total: Type (integer → calculate), Calculation (calculation) Calculation"
        " (calculation) Before: Typed by the respondent After: Not typed (the hub calculates it"
        " from the other answers: “Men” + “Women”)"
    ), english
    assert english["busy"].startswith("busy Busy: Type (calculate → text), Calculation"), english
    recipients = page(staff.get("/staff/recipients/"))
    assert "Formats" in [" ".join(th.text_content().split()) for th in recipients.xpath("//th")]


def test_the_form_shows_last_round_s_worked_out_value_beside_a_calculate(app, api_as, web) -> None:
    """A calculate's value of the last round is 前回の回答 like any answer: one worked out then,
    one typed then (v1's ``total``) and one worked out by another calculation."""
    import_file(app, sanka(1), "sanka.xlsx")
    first = open_sanka(app, date(2024, 6, 1))
    chiyoda, staff = api_as("respondent", municipality=CHIYODA), api_as("staff")
    given = {"men": 4, "women": 2, "total": 6, "budget": 125}
    assert chiyoda.submit(first, CHIYODA, given).status_code == 200
    assert staff.post(f"/rounds/{first}/responses/{CHIYODA}/accept", {}).status_code == 200
    import_file(app, sanka(2), "sanka_v2.xlsx")
    second = open_sanka(app, date(2025, 6, 1))

    browser = web("respondent", municipality=CHIYODA)
    doc = page(browser.get(f"/respond/rounds/{second}/{CHIYODA}"))
    said = {
        name: " ".join(doc.xpath(f"//p[@id='{name}-previous']")[0].text_content().split())
        for name in ("total", "per_head", "busy")
    }
    assert said == {
        "total": "前回の回答: 6",
        "per_head": "前回の回答: 20.8333333333333",
        "busy": "前回の回答: no",
    }
    (total,) = doc.xpath("//input[@name='total']")
    assert total.get("readonly") is not None
    assert "total-previous" in total.get("aria-describedby")
    carried = {
        n.xpath("ancestor::*[starts-with(@id, 'field-')]")[-1].get("id")
        for n in doc.xpath("//*[@data-carried]")
    }
    assert {"field-men", "field-busy"} <= carried, "a typed answer carried is marked for checking"
    assert not carried & {"field-total", "field-per_head"}, "a worked-out one is nobody's to check"
    browser.get("/language/en")
    english = page(browser.get(f"/respond/rounds/{second}/{CHIYODA}"))
    (per_head,) = english.xpath("//p[@id='per_head-previous']")
    assert " ".join(per_head.text_content().split()) == "Last answer: 20.8333333333333"


def open_sanka(app, reference_date: date) -> int:
    with app.app_context():
        round_ = open_round(
            "sanka",
            reference_date=reference_date,
            deadline=utcnow() + timedelta(days=14),
            opens_at=utcnow() - timedelta(days=1),
        )
        db.session.commit()
        return round_.id


FIGURE_ROWS = [
    ("decimal", "a", "数A"),
    ("decimal", "b", "数B"),
    ("calculate", "ratio", "比", "", "${a} div ${b}"),
    ("calculate", "rounded", "比（小数第1位）", "", "round(${a} div ${b}, 1)"),
    ("calculate", "sum_text", "和（Bがなければ「なし」）", "", "if(${b} > 0, ${a} + ${b}, 'なし')"),
    ("calculate", "tiny", "Aの10万分の1", "", "${a} div 100000"),
]
FIGURES = {
    ("0.1", "0.2"): {"ratio": "0.5", "rounded": "0.5", "sum_text": "0.3", "tiny": "0.000001"},
    ("100", "3"): {
        "ratio": "33.3333333333333",
        "rounded": "33.3",
        "sum_text": "103",
        "tiny": "0.001",
    },
}
"""``(A, B)`` as typed, and each calculation's value as every page shows it — the server's
pages and hub.js alike (tests/questionnaires/test_browser.py): to 15 digits (0.1 + 0.2 is 0.3,
in a text as in a number), rounded where ``round()`` rounds, never with an exponent."""


def figures() -> bytes:
    return definition(FIGURE_ROWS)


def test_a_calculated_number_is_kept_to_fifteen_digits_and_written_without_an_exponent() -> None:
    q = read_xlsform(figures(), "kenshu.xlsx")
    assert q.question("sum_text").kind.value == "text"
    worked = calculated(q, {"a": 0.1, "b": 0.2})
    assert (worked["sum_text"], worked["ratio"], worked["tiny"]) == ("0.3", 0.5, 1e-06)
    assert calculated(q, {"a": 1, "b": 3})["ratio"] == 0.333333333333333
    assert [number_text(x) for x in (1e-06, 2e16, 6.66666666666667e17, -0.5, 12, 3.0)] == [
        "0.000001",
        "20000000000000000",
        "666666666666667000",
        "-0.5",
        "12",
        "3",
    ]


@pytest.mark.parametrize(("typed", "shown"), list(FIGURES.items()))
def test_a_calculated_value_reads_the_same_on_every_page_and_in_the_api(
    app, web, api_as, typed, shown
) -> None:
    """The form's read-only box, the confirmation and the answers, and the API: the value the
    calculation yields, as hub.js shows it live."""
    import_file(app, figures(), "kenshu.xlsx")
    round_id = open_kenshu(app, date(2025, 6, 1))
    respondent = web("respondent", municipality=CHIYODA)
    url = f"/respond/rounds/{round_id}/{CHIYODA}"
    values = {k: v for k, v in field_values(respondent.get(url)).items() if v not in (None, [])}
    values.update({"a": typed[0], "b": typed[1], "action": "save"})
    assert respondent.post(url, values).status_code == 302
    doc = page(respondent.get(url))
    assert {name: doc.xpath(f"//input[@name='{name}']/@value")[0] for name in shown} == shown
    q = read_xlsform(figures(), "kenshu.xlsx")
    labels = {q.question(name).label.ja: name for name in shown}
    confirm = page(respondent.get(f"{url}/confirm"))
    listed = {
        labels[row.findtext("dt").strip()]: row.findtext("dd").strip()
        for row in confirm.xpath("//div[contains(@class,'summary-list__row')]")
        if row.findtext("dt").strip() in labels
    }
    assert listed == shown
    answers = api_as("respondent", municipality=CHIYODA).get(
        f"/rounds/{round_id}/responses/{CHIYODA}"
    )
    got = answers.get_json()["answers"]
    assert {name: number_text(got[name]) for name in ("ratio", "rounded", "tiny")} == {
        name: shown[name] for name in ("ratio", "rounded", "tiny")
    }
    assert got["sum_text"] == shown["sum_text"]
