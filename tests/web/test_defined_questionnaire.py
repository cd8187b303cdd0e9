"""The web form of a questionnaire defined by a file (the example): groups as sections, a note,
decimal and date inputs, relevant rules for the script, errors from the file's rules, and a
submit that leaves out what is not asked."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask

from hub.models import ResponseState
from tests.conftest import response_of
from tests.forms.example import example_round
from tests.web.conftest import Web, page, text_of
from tests.web.test_questionnaire import CHIYODA, fill, form_url


@pytest.fixture
def round_id(app: Flask, monkeypatch: pytest.MonkeyPatch) -> int:
    return example_round(app, monkeypatch)


@pytest.fixture
def respondent(web: Callable[..., Web]) -> Web:
    return web("respondent", municipality=CHIYODA)


def test_the_page_is_built_from_the_file(respondent: Web, round_id: int) -> None:
    doc = page(respondent.get(form_url(round_id)))
    headings = [h.text_content() for h in doc.xpath("//form//h2")]
    assert headings == ["A. 都主催の研修会", "B. 連絡会・情報交換", "C. 回答者"]
    note = doc.xpath("//div[@id='field-respondent_note']")[0]
    assert "集計や外部への提供には含めません" in note.text_content()
    assert not note.xpath(".//input")
    hours = doc.xpath("//input[@name='liaison_hours']")[0]
    assert hours.get("inputmode") == "decimal"
    participants = doc.xpath("//div[@id='field-training_participants']")[0]
    assert json.loads(participants.get("data-relevant")) == [
        "=",
        ["r", "training_attended"],
        ["s", "yes"],
    ]
    assert participants.get("data-kind") == "integer"
    form = doc.xpath("//form[@data-questionnaire]")[0]
    assert form.get("data-reference-date") == "2025-06-01"


def test_errors_from_the_files_rules_show_beside_the_fields(respondent: Web, round_id: int) -> None:
    answer = fill(
        respondent,
        form_url(round_id),
        {"training_attended": "yes", "training_participants": "６０", "liaison_hours": "10"},
    )
    assert answer.status_code == 422
    text = text_of(answer)
    assert "1〜50人の範囲で入力してください。" in text
    assert "0より大きく8時間以下で入力してください。" in text
    doc = page(answer)
    assert doc.xpath("//input[@name='training_participants']/@value") == ["６０"]


def test_submit_leaves_out_what_is_not_asked(respondent: Web, round_id: int, app: Flask) -> None:
    fill(respondent, form_url(round_id), {"training_attended": "yes", "training_participants": "3"})
    answer = fill(
        respondent,
        form_url(round_id),
        {
            "training_attended": "no",
            "absence_reasons": "schedule",
            "training_participants": "abc",
            "liaison_status": "none",
            "liaison_support_wanted": "y",
            "contact_name": "都庁 花子",
            "contact_phone": "03-5321-1111",
        },
        action="submit",
    )
    assert answer.status_code == 302, text_of(answer)
    confirm = respondent.get(answer.headers["Location"])
    assert "提出内容の確認" in text_of(confirm)
    with app.app_context():
        response = response_of(round_id, CHIYODA)
        assert response.state == ResponseState.DRAFT
        assert "training_participants" not in response.answers
        assert response.answers["liaison_support_wanted"] is True
