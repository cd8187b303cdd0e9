"""An address that names another municipality than the receiving one is asked about before the
person's data goes anywhere: most often the list's neighbour was picked by mistake."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from hub.db import db
from hub.models import Referral
from tests.conftest import add_hiroshima_fuchu
from tests.referrals.conftest import Cast, referral_body
from tests.referrals.test_pages import FORM
from tests.web.conftest import Web, page, text_of

FUCHU_TOKYO = "132063"


def person(address: str) -> dict[str, Any]:
    return {"name": "山田 花子", "address": address}


def stored(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Referral)) or 0


@pytest.mark.parametrize(
    "address",
    [
        "東京都千代田区丸の内1-1",
        "千代田区丸の内1-1",
        "東京都　千代田区丸の内１－１",  # full-width, a space after the prefecture
        "西多摩郡瑞穂町箱根ケ崎2335",  # a district before the town
        "東京都西多摩郡瑞穂町箱根ヶ崎2335",
    ],
)
def test_an_address_in_another_municipality_is_refused_until_confirmed(
    cast: Cast, app: Flask, address: str
):
    refused = cast.staff.post("/referrals", referral_body(person=person(address)))
    assert refused.status_code == 422
    message = refused.get_json()["errors"]["address_outside_confirmed"][0]
    assert "つなぎ先は八王子市です" in message
    assert "住所は千代田区" in message or "住所は瑞穂町" in message
    assert stored(app) == 0
    meant = referral_body(person=person(address), address_outside_confirmed=True)
    assert cast.staff.post("/referrals", meant).status_code == 201
    assert stored(app) == 1


@pytest.mark.parametrize(
    "address",
    [
        "八王子市元本郷町3-24-1",
        "東京都八王子市元本郷町3-24-1",
        "丸の内1-1",  # names no municipality at its start
        "住所不定",
        "",
    ],
)
def test_an_address_in_the_receiving_municipality_or_naming_none_goes_through(
    cast: Cast, address: str
):
    body = referral_body(person={"name": "山田 花子", "phone": "090-1234-5678", "address": address})
    answer = cast.staff.post("/referrals", body)
    assert answer.status_code == 201, answer.get_json()


def test_a_confirmation_that_is_not_true_or_false_is_named(cast: Cast, app: Flask):
    body = referral_body(person=person("千代田区丸の内1-1"), address_outside_confirmed="yes")
    answer = cast.staff.post("/referrals", body)
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["address_outside_confirmed"] == [
        "true か false で指定してください。"
    ]
    assert stored(app) == 0


def test_a_name_two_prefectures_share_is_told_apart_by_the_prefecture(cast: Cast, app: Flask):
    add_hiroshima_fuchu(app)
    to_tokyo = {"municipality": FUCHU_TOKYO}
    same_name = cast.staff.post(
        "/referrals", referral_body(person=person("府中市宮西町2-24"), **to_tokyo)
    )
    assert same_name.status_code == 201
    other = cast.staff.post(
        "/referrals", referral_body(person=person("広島県府中市府川町315"), **to_tokyo)
    )
    assert other.status_code == 422
    assert "address_outside_confirmed" in other.get_json()["errors"]


def test_the_form_asks_with_a_tick_and_keeps_everything_typed(desk: Web, app: Flask):
    typed = {**FORM, "person-address": "東京都千代田区丸の内1-1"}
    desk.get("/referrals/new")
    refused = desk.post("/referrals/new", typed)
    assert refused.status_code == 422
    shown = text_of(refused)
    assert "住所は千代田区ですが、つなぎ先は八王子市です。" in shown
    html = page(refused)
    tick = html.xpath("//input[@id='address_outside_confirmed']")[0]
    assert tick.get("checked") is None
    assert tick.get("aria-invalid") == "true"
    assert html.xpath("//div[@class='error-summary']//a[@href='#field-address_outside_confirmed']")
    assert html.xpath("//input[@id='person-address']")[0].get("value") == "東京都千代田区丸の内1-1"
    assert "相談員 佐藤" in refused.get_data(as_text=True)
    assert stored(app) == 0
    sent = desk.post("/referrals/new", {**typed, "address_outside_confirmed": "yes"})
    assert sent.status_code == 302
    assert stored(app) == 1


def test_a_form_without_such_an_address_shows_no_tick(desk: Web):
    html = page(desk.get("/referrals/new"))
    assert not html.xpath("//input[@id='address_outside_confirmed']")


def test_the_question_reads_in_english(desk: Web):
    desk.get("/language/en")
    desk.get("/referrals/new")
    refused = desk.post("/referrals/new", {**FORM, "person-address": "千代田区丸の内1-1"})
    shown = text_of(refused)
    assert "The address is in Chiyoda" in shown
    assert "to Hachioji" in shown
    assert "I have checked that the address is outside the receiving municipality" in shown
