"""A questionnaire's own rules through the API, on the example definition file: constraints and
the 基準日 rule at save (422 naming the field, with the file's message), requirements at submit,
answers to questions not asked dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.api.conftest import CHIYODA
from tests.conftest import Api
from tests.forms.example import example_round


@pytest.fixture
def round_id(app: Flask, monkeypatch: pytest.MonkeyPatch) -> int:
    return example_round(app, monkeypatch)


@pytest.fixture
def chiyoda(api_as: Callable[..., Api]) -> Api:
    return api_as("respondent", municipality=CHIYODA)


def url(round_id: int) -> str:
    return f"/rounds/{round_id}/responses/{CHIYODA}"


def stored(api: Api, round_id: int) -> dict[str, Any]:
    body: dict[str, Any] = api.get(url(round_id)).get_json()
    return body


COMPLETE = {
    "training_attended": "yes",
    "training_participants": "３",
    "training_date": "令和7年5月20日",
    "training_topics": ["welfare_link", "other"],
    "training_topics_other": "地域の支援団体の紹介",
    "liaison_status": "定期的に開催している",
    "liaison_meetings": "４",
    "liaison_hours": "１．５",
    "liaison_members": "police、hogoshi",
    "contact_name": "都庁 花子",
    "contact_phone": "０３－５３２１－１１１１",
}


def test_typed_answers_come_back_normalized(round_id: int, chiyoda: Api) -> None:
    saved = chiyoda.save(round_id, CHIYODA, COMPLETE, version=0)
    assert saved.status_code == 200, saved.get_json()
    answers = stored(chiyoda, round_id)["answers"]
    assert answers["training_participants"] == 3
    assert answers["training_date"] == "2025-05-20"
    assert answers["liaison_status"] == "regular"
    assert answers["liaison_hours"] == 1.5
    assert answers["liaison_members"] == ["police", "hogoshi"]
    assert answers["contact_phone"] == "03-5321-1111"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"training_participants": "60"},
            "training_participants",
            "1〜50人の範囲で入力してください。",
        ),
        ({"liaison_hours": "9"}, "liaison_hours", "0より大きく8時間以下で入力してください。"),
        ({"liaison_hours": "0"}, "liaison_hours", "0より大きく8時間以下で入力してください。"),
        (
            {"training_topics": ["legal_system", "welfare_link", "employment", "housing"]},
            "training_topics",
            "3つまで選んでください。",
        ),
        (
            {"training_date": "2025-06-02"},
            "training_date",
            "基準日（令和7年6月1日）より後の日付は入力できません。",
        ),
        ({"liaison_meetings": "-1"}, "liaison_meetings", "0以上の整数で入力してください。"),
        (
            {"contact_name": "あ" * 101},
            "contact_name",
            "100文字以内で入力してください（現在101文字）。",
        ),
    ],
)
def test_a_broken_constraint_is_422_naming_the_field_and_nothing_is_saved(
    round_id: int, chiyoda: Api, changes: dict[str, Any], field: str, message: str
) -> None:
    before = stored(chiyoda, round_id)
    r = chiyoda.save(round_id, CHIYODA, {**COMPLETE, **changes}, version=0)
    assert r.status_code == 422
    assert r.get_json()["errors"] == {field: [message]}
    assert stored(chiyoda, round_id) == before


def test_required_if_is_checked_at_submit(round_id: int, chiyoda: Api) -> None:
    answers = {k: v for k, v in COMPLETE.items() if k != "training_participants"}
    assert chiyoda.save(round_id, CHIYODA, answers, version=0).status_code == 200
    r = chiyoda.post(f"{url(round_id)}/submit", {})
    assert r.status_code == 422
    assert r.get_json()["errors"] == {"training_participants": ["入力してください（必須）。"]}
    r = chiyoda.submit(
        round_id, CHIYODA, {**answers, "training_attended": "no", "absence_reasons": ["schedule"]}
    )
    assert r.status_code == 200, r.get_json()


def test_answers_to_questions_not_asked_are_dropped_on_submit(round_id: int, chiyoda: Api) -> None:
    answers = {**COMPLETE, "training_attended": "no", "absence_reasons": ["no_info"]}
    saved = chiyoda.save(round_id, CHIYODA, answers, version=0)
    assert saved.status_code == 200
    assert stored(chiyoda, round_id)["answers"]["training_participants"] == 3
    submitted = chiyoda.post(f"{url(round_id)}/submit", {})
    assert submitted.status_code == 200, submitted.get_json()
    kept = stored(chiyoda, round_id)["answers"]
    for hidden in (
        "training_participants",
        "training_date",
        "training_topics",
        "training_topics_other",
    ):
        assert hidden not in kept
    assert kept["absence_reasons"] == ["no_info"]
    assert kept["liaison_hours"] == 1.5


def test_required_questions_of_the_file_at_submit(round_id: int, chiyoda: Api) -> None:
    assert chiyoda.save(round_id, CHIYODA, {"liaison_status": "none"}, version=0).status_code == 200
    r = chiyoda.post(f"{url(round_id)}/submit", {})
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"training_attended", "contact_name", "contact_phone"}
