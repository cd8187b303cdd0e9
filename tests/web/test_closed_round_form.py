"""A round closed while a clerk still had its form open (the scheduler closes it at the deadline,
or staff with 「調査回を締め切る」): the form no longer tells them 「一時保存はできますが」, a save
is refused saying the round closed, that nothing was saved, that what they typed is still in the
fields, and to ask 都 for an extension; once an extension is granted the form saves again."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from flask import Flask

from hub.db import db, utcnow
from hub.models import Round
from hub.services import responses, rounds
from tests.conftest import make_round, response_of
from tests.web.conftest import Web, field_values, page, text_of

CHIYODA = "131016"
SAVABLE = "一時保存はできますが"


@pytest.fixture
def round_id(app: Flask) -> int:
    with app.app_context():
        return make_round(municipalities=[CHIYODA]).id


def close(app: Flask, round_id: int) -> None:
    with app.app_context():
        rounds.close_round(db.session.get_one(Round, round_id), user=None)
        db.session.commit()


def test_a_save_after_the_round_closed_says_so_and_keeps_what_was_typed(
    app: Flask, web, round_id: int
) -> None:
    clerk: Web = web("respondent", municipality=CHIYODA)
    url = f"/respond/rounds/{round_id}/{CHIYODA}"
    shown = field_values(clerk.get(url))
    close(app, round_id)
    typed = {**shown, "action": "save", "comments": "締切の直前まで書いていた文章"}
    typed = {k: v for k, v in typed.items() if v is not None}
    refused = clerk.post(url, typed)
    assert refused.status_code == 409
    said = text_of(refused)
    assert "締め切られた" in said
    assert "一時保存していません" in said
    assert "入力欄に残っています" in said
    assert "延長" in said
    assert SAVABLE not in said
    assert field_values(refused)["comments"] == "締切の直前まで書いていた文章"
    with app.app_context():
        assert response_of(round_id, CHIYODA).version == 0


def test_the_closed_round_form_and_answers_say_it_is_closed(app: Flask, web, round_id: int) -> None:
    clerk: Web = web("respondent", municipality=CHIYODA)
    url = f"/respond/rounds/{round_id}/{CHIYODA}"
    close(app, round_id)
    form = text_of(clerk.get(url))
    assert SAVABLE not in form
    assert "締め切られました" in form
    assert "延長" in form
    view = clerk.get(f"{url}/view")
    assert not page(view).xpath(f"//a[@href='{url}']"), "no 回答を編集する on a closed round"
    assert "締め切られました" in text_of(view)

    with app.app_context():
        response = response_of(round_id, CHIYODA)
        responses.grant_extension(response, utcnow() + timedelta(days=3), user=None)
        db.session.commit()
    reopened = clerk.get(url)
    assert "締め切られました" not in text_of(reopened)
    saved = clerk.post(url, {**field_values(reopened), "action": "save", "comments": "延長後"})
    assert saved.status_code == 302
    assert page(clerk.get(f"{url}/view")).xpath(f"//a[@href='{url}']")


def test_the_closed_round_reads_in_english(app: Flask, web, round_id: int) -> None:
    clerk: Web = web("respondent", municipality=CHIYODA)
    url = f"/respond/rounds/{round_id}/{CHIYODA}"
    shown = field_values(clerk.get(url))
    close(app, round_id)
    clerk.get("/language/en")
    typed = {k: v for k, v in {**shown, "action": "save", "comments": "x"}.items() if v}
    said = text_of(clerk.post(url, typed))
    assert "This survey has closed, so your answers cannot be saved." in said
    assert "Nothing was saved. What you typed is still in the fields below" in said
    assert "You can still save a draft" not in said
    assert "締め切" not in said


def test_the_excel_pages_say_the_round_closed_before_the_file_is_filled_in(
    app: Flask, web, round_id: int
) -> None:
    clerk: Web = web("respondent", municipality=CHIYODA)
    base = f"/rounds/{round_id}/responses/{CHIYODA}/template"
    book = openpyxl.load_workbook(io.BytesIO(clerk.get(f"{base}.xlsx").data))
    sheet = book["回答"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "comments")
    sheet.cell(row, 3).value = "締切後に記入した文章"
    filled = io.BytesIO()
    book.save(filled)
    close(app, round_id)

    upload_page = clerk.get(f"{base}/upload")
    assert page(upload_page).xpath("//*[@data-round-closed]")
    preview = clerk.post(f"{base}/upload", {"file": (io.BytesIO(filled.getvalue()), "filled.xlsx")})
    assert preview.status_code == 200
    assert page(preview).xpath("//*[@data-round-closed]")
    token = page(preview).xpath("//input[@name='token']/@value")[0]
    refused = clerk.post(f"{base}/confirm", {"token": token})
    assert refused.status_code == 409
    assert "この調査は締め切られたため、回答を保存できません。" in text_of(refused)
    with app.app_context():
        assert response_of(round_id, CHIYODA).version == 0
