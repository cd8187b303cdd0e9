"""Values typed as people type them come back normalized through the API (docs/questionnaire.md, normalization)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import CHIYODA, response_url
from tests.conftest import Api, complete_answers


def saved_value(api: Api, round_id: int, answers: dict[str, Any], key: str) -> Any:
    r = api.save(round_id, CHIYODA, answers, version=0)
    assert r.status_code == 200, r.get_json()
    stored = api.get(response_url(round_id)).get_json()["answers"]
    assert stored[key] == r.get_json()["answers"][key]
    return stored[key]


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("令和3年3月31日", "2021-03-31"),
        ("R2.3.31", "2020-03-31"),
        ("２０２１－０３－０１", "2021-03-01"),
        ("令和元年5月1日", "2019-05-01"),
        ("平成31年4月30日", "2019-04-30"),
        ("H31.4.30", "2019-04-30"),
        ("2021/4/1", "2021-04-01"),
        ("Ｒ３．３．１", "2021-03-01"),
        ("2021-03-31", "2021-03-31"),
    ],
)
def test_dates_come_back_iso(round_id: int, staff: Api, typed: str, iso: str) -> None:
    answers = {"plan_status": "formulated", "plan_date": typed}
    assert saved_value(staff, round_id, answers, "plan_date") == iso


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("令和1年4月30日", "令和元年は5月1日から"),
        ("平成31年5月1日", "平成は平成31年4月30日まで"),
        ("2021-02-29", "28日まで"),
        ("来年の春", "日付として読めません"),
    ],
)
def test_impossible_dates_are_422_naming_the_field(
    round_id: int, staff: Api, typed: str, fragment: str
) -> None:
    r = staff.save(round_id, CHIYODA, {"plan_status": "formulated", "plan_date": typed}, 0)
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert list(errors) == ["plan_date"]
    assert fragment in errors["plan_date"][0]
    assert staff.get(response_url(round_id)).get_json()["version"] == 0


@pytest.mark.parametrize(
    ("typed", "number"),
    [("１２", 12), ("12", 12), (12, 12), ("1,234", 1234), ("１，２３４", 1234), (" 0 ", 0)],
)
def test_integers_come_back_as_numbers(round_id: int, staff: Api, typed: Any, number: int) -> None:
    assert (
        saved_value(staff, round_id, {"cooperating_employers": typed}, "cooperating_employers")
        == number
    )


@pytest.mark.parametrize("typed", ["-1", "－３", "12件", "1.5", 1.5, True, "三"])
def test_bad_integers_are_422(round_id: int, staff: Api, typed: Any) -> None:
    r = staff.save(round_id, CHIYODA, {"consultations_received": typed}, version=0)
    assert r.status_code == 422
    assert list(r.get_json()["errors"]) == ["consultations_received"]


@pytest.mark.parametrize(
    ("typed", "phone"),
    [
        ("０３－５３２１－１１１１", "03-5321-1111"),
        ("0353211111", "03-5321-1111"),
        ("03(5321)1111", "03-5321-1111"),
        ("０４２－５２３－１１１１", "042-523-1111"),
        ("090-1234-5678", "090-1234-5678"),
    ],
)
def test_phone_numbers_come_back_hyphenated(
    round_id: int, staff: Api, typed: str, phone: str
) -> None:
    assert saved_value(staff, round_id, {"contact_phone": typed}, "contact_phone") == phone


@pytest.mark.parametrize(
    ("typed", "email"),
    [
        ("Taro@Example.LG.JP", "Taro@example.lg.jp"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
        ("  hanako@City.Chiyoda.LG.JP ", "hanako@city.chiyoda.lg.jp"),
    ],
)
def test_email_domain_is_lower_cased(round_id: int, staff: Api, typed: str, email: str) -> None:
    assert saved_value(staff, round_id, {"contact_email": typed}, "contact_email") == email


def test_email_without_a_top_level_domain_is_refused(round_id: int, staff: Api) -> None:
    r = staff.save(round_id, CHIYODA, {"contact_email": "hanako@city.hachioji"}, 0)
    assert r.status_code == 422
    (message,) = r.get_json()["errors"]["contact_email"]
    assert "「.hachioji」で終わっています" in message
    assert "hanako@city.hachioji.lg.jp" in message


def test_bad_phone_and_email_are_422_naming_both(round_id: int, staff: Api) -> None:
    r = staff.save(round_id, CHIYODA, {"contact_phone": "5321-1111", "contact_email": "taro"}, 0)
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"contact_phone", "contact_email"}


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("formulated", "formulated"),
        ("①策定済み", "formulated"),
        ("策定済み", "formulated"),
        ("Formulated", "formulated"),
        ("⑥", "no_plan"),
        ("ｎｏ＿ｐｌａｎ", "no_plan"),
    ],
)
def test_one_of_accepts_codes_and_labels(round_id: int, staff: Api, typed: str, code: str) -> None:
    assert saved_value(staff, round_id, {"plan_status": typed}, "plan_status") == code


def test_many_of_is_a_list_of_codes_in_definition_order(round_id: int, staff: Api) -> None:
    typed = {"programs": ["youth_employment", "社会を明るくする運動", "youth_employment"]}
    assert saved_value(staff, round_id, typed, "programs") == [
        "shamei_campaign",
        "youth_employment",
    ]


def test_many_of_typed_as_one_comma_separated_string(round_id: int, staff: Api) -> None:
    typed = {"requests": "training、information"}
    assert saved_value(staff, round_id, typed, "requests") == ["information", "training"]


def test_unknown_choice_code_is_422(round_id: int, staff: Api) -> None:
    r = staff.save(round_id, CHIYODA, {"plan_status": "maybe", "requests": ["training", "x"]}, 0)
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert set(errors) == {"plan_status", "requests"}
    assert "maybe" in errors["plan_status"][0]
    assert "x" in errors["requests"][0]


def test_unknown_question_is_422(round_id: int, staff: Api) -> None:
    r = staff.save(round_id, CHIYODA, {"plan_status": "no_plan", "plan_stauts": "no_plan"}, 0)
    assert r.status_code == 422
    assert r.get_json()["errors"] == {"plan_stauts": ["この調査票にない項目です。"]}


def test_text_is_kept_as_typed_and_trimmed_and_formulas_stay_text(
    round_id: int, staff: Api
) -> None:
    typed = {
        "lead_department": "\u3000福祉部　ＡＢＣ課２３９ ",
        "comments": '=HYPERLINK("http://evil.example/","詳細")',
    }
    r = staff.save(round_id, CHIYODA, typed, version=0)
    answers = r.get_json()["answers"]
    assert answers["lead_department"] == "福祉部　ＡＢＣ課２３９"
    assert answers["comments"] == '=HYPERLINK("http://evil.example/","詳細")'


def test_bool_typed_in_japanese(round_id: int, staff: Api) -> None:
    r = staff.save(round_id, CHIYODA, {"lead_department_undecided": "はい"}, version=0)
    assert r.get_json()["answers"]["lead_department_undecided"] is True


def test_a_bad_value_loses_nothing_already_saved(round_id: int, staff: Api) -> None:
    staff.save(round_id, CHIYODA, complete_answers(), version=0)
    r = staff.save(
        round_id, CHIYODA, {**complete_answers(), "cooperating_employers": "たくさん"}, 1
    )
    assert r.status_code == 422
    assert list(r.get_json()["errors"]) == ["cooperating_employers"]
    kept = staff.get(response_url(round_id)).get_json()
    assert kept["version"] == 1
    assert kept["answers"]["contact_phone"] == "03-5321-1111"


def test_whole_submission_typed_by_a_person(round_id: int, chiyoda: Api) -> None:
    typed = {
        "plan_status": "①策定済み",
        "plan_name": "千代田区再犯防止推進計画",
        "plan_date": "令和3年3月31日",
        "plan_integrated_with": ["地域福祉計画"],
        "lead_department": "保健福祉部　福祉総務課",
        "programs": ["shamei_campaign", "other"],
        "programs_other": "ＪＲ駅前での街頭広報",
        "cooperating_employers": "１２",
        "consultation_setup": "dedicated_window",
        "consultations_received": "２３９",
        "contact_name": "千代田　花子",
        "contact_phone": "０３－３２６４－２１１１",
        "contact_email": "Hanako@City.Chiyoda.LG.JP",
    }
    r = chiyoda.submit(round_id, CHIYODA, typed)
    assert r.status_code == 200, r.get_json()
    answers = r.get_json()["answers"]
    assert answers == {
        "plan_status": "formulated",
        "plan_name": "千代田区再犯防止推進計画",
        "plan_date": "2021-03-31",
        "plan_integrated_with": ["regional_welfare"],
        "lead_department": "保健福祉部　福祉総務課",
        "programs": ["shamei_campaign", "other"],
        "programs_other": "ＪＲ駅前での街頭広報",
        "cooperating_employers": 12,
        "consultation_setup": "dedicated_window",
        "consultations_received": 239,
        "contact_name": "千代田　花子",
        "contact_phone": "03-3264-2111",
        "contact_email": "Hanako@city.chiyoda.lg.jp",
    }
