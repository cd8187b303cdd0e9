"""What people type into the referral pages as they write it: a 生年 in 和暦 with the era's
letter or 元年, a follow-up day without its year, and the hint that keeps names out of the
scope of consent (stored as plain text: docs/referrals.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask

from forms import tokyo
from hub.db import db
from hub.models import Referral
from tests.referrals.conftest import NAME, SENT_ON, Cast, referral_body
from tests.referrals.test_pages import FORM
from tests.web.conftest import Web, page, text_of


@pytest.mark.parametrize(
    ("typed", "year"),
    [("S40", 1965), ("s40", 1965), ("昭和40", 1965), ("平成元年", 1989), ("Ｈ元", 1989)],
)
def test_a_birth_year_in_wareki_is_read_as_people_write_it(
    cast: Cast, typed: str, year: int
) -> None:
    body = referral_body()
    body["person"] = {**body["person"], "birth_year": typed}
    made = cast.probation.post("/referrals", body)
    assert made.status_code == 201, made.get_json()
    shown = cast.probation.get(f"/referrals/{made.get_json()['id']}").get_json()
    assert shown["person"]["birth_year"] == year


def test_a_year_the_era_never_had_is_named_and_everything_typed_stays(
    desk: Web, app: Flask
) -> None:
    desk.get("/referrals/new")
    answer = desk.post("/referrals/new", {**FORM, "person-birth_year": "昭和65年"})
    assert answer.status_code == 422
    assert "昭和は64年までです（昭和65年はありません）。" in text_of(answer)
    doc = page(answer)
    assert doc.xpath("//input[@id='person-birth_year']/@value") == ["昭和65年"]
    assert doc.xpath("//input[@id='person-name']/@value") == [NAME]
    desk.get("/language/en")
    desk.get("/referrals/new")
    english = desk.post("/referrals/new", {**FORM, "person-birth_year": "S99"})
    assert "Showa ends in its year 64 (there is no Showa 99)." in text_of(english)
    with app.app_context():
        assert db.session.query(Referral).count() == 0


@pytest.mark.parametrize(
    ("typed", "year"),
    [
        ("昭和64年1月7日", 1989),
        ("平成元年1月8日", 1989),
        ("令和元年５月１日", 2019),
        ("S40.4.1", 1965),
        ("1965/4/1", 1965),
        ("１９６５年４月１日", 1965),
    ],
)
def test_a_whole_birth_date_keeps_its_year_only(
    desk: Web, app: Flask, typed: str, year: int
) -> None:
    """The clerk copies the 生年月日 from a record as it is written: the form takes it and keeps
    the year, as the hint says, never the day (the least the window needs). Before, every whole
    date was refused with 「年として読めません」."""
    desk.get("/referrals/new")
    answer = desk.post("/referrals/new", {**FORM, "person-birth_year": typed})
    assert answer.status_code == 302, text_of(answer)
    with app.app_context():
        (referral,) = db.session.query(Referral).all()
        referral_id = referral.id
    shown = desk.get(f"/referrals/{referral_id}")
    assert f"{year}" in text_of(shown)
    assert typed not in text_of(shown)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("昭和64年1月8日", "昭和は昭和64年1月7日までです"),
        ("12月5日", "年も入力してください"),
        ("昭和40年ごろ", "年として読めません。例: 1965、昭和40年、S40、昭和40年4月1日"),
    ],
)
def test_a_birth_date_that_cannot_be_read_says_why(
    desk: Web, app: Flask, typed: str, said: str
) -> None:
    desk.get("/referrals/new")
    answer = desk.post("/referrals/new", {**FORM, "person-birth_year": typed})
    assert answer.status_code == 422
    assert said in text_of(answer)
    assert page(answer).xpath("//input[@id='person-birth_year']/@value") == [typed]
    with app.app_context():
        assert db.session.query(Referral).count() == 0


def test_a_birth_date_in_the_api_keeps_its_year_only(cast: Cast) -> None:
    body = referral_body()
    body["person"] = {**body["person"], "birth_year": "昭和64年1月7日"}
    made = cast.probation.post("/referrals", body)
    assert made.status_code == 201, made.get_json()
    shown = cast.probation.get(f"/referrals/{made.get_json()['id']}").get_json()
    assert shown["person"]["birth_year"] == 1989
    tomorrow = tokyo.today() + timedelta(days=1)
    body["person"] = {**body["person"], "birth_year": tomorrow.isoformat()}
    refused = cast.probation.post("/referrals", body)
    assert refused.status_code == 422
    assert "person.birth_year" in refused.get_json()["errors"], refused.get_json()


def _month_day(day: date, *, wide: bool = False) -> str:
    if wide:
        return f"{day.month}月{day.day}日".translate(
            str.maketrans("0123456789", "０１２３４５６７８９")
        )
    return f"{day.month}/{day.day}"


@pytest.mark.parametrize("wide", [False, True], ids=["12/5", "１２月５日"])
def test_a_follow_up_day_typed_without_its_year_is_the_next_such_day(
    app: Flask, window: Web, cast: Cast, refer: Callable[..., int], wide: bool
) -> None:
    referral_id = refer(sent_on=SENT_ON)
    assert cast.window.post(f"/referrals/{referral_id}/accept").status_code == 200
    today = tokyo.today()
    contacted = today - timedelta(days=3)
    follow_up = contacted + timedelta(days=1)  # before today: its year is the contact's
    case_url = f"/referrals/{referral_id}"
    window.get(case_url)
    recorded = window.post(
        f"{case_url}/contact",
        {
            "on": _month_day(contacted, wide=wide),
            "method": "phone",
            "next_follow_up": _month_day(follow_up, wide=wide),
        },
    )
    assert recorded.status_code == 302, text_of(recorded)
    with app.app_context():
        referral = db.session.get_one(Referral, referral_id)
        assert referral.next_follow_up == follow_up
        contact = next(e for e in referral.events if e.action == "contact")
        assert contact.contact_on == contacted
    assert tokyo.format_day(follow_up) in text_of(window.get(case_url))


def test_a_follow_up_day_without_its_year_passed_this_year_is_next_years(
    app: Flask, cast: Cast, refer: Callable[..., int]
) -> None:
    referral_id = refer(sent_on=SENT_ON)
    cast.window.post(f"/referrals/{referral_id}/accept")
    today = tokyo.today()
    passed = today - timedelta(days=1)
    if (passed.month, passed.day) == (2, 29):
        passed -= timedelta(days=1)
    answer = cast.window.post(
        f"/referrals/{referral_id}/contacts",
        {"on": today.isoformat(), "method": "phone", "next_follow_up": _month_day(passed)},
    )
    assert answer.status_code in (200, 201), answer.get_json()
    with app.app_context():
        next_year = passed.replace(year=passed.year + 1)
        assert db.session.get_one(Referral, referral_id).next_follow_up == next_year


def test_the_scope_of_consent_asks_for_no_name(
    desk: Web, cast: Cast, refer: Callable[..., int]
) -> None:
    hint = "氏名など本人を特定する情報は書かないでください"
    assert hint in text_of(desk.get("/referrals/new"))
    declined = refer()
    cast.window.post(f"/referrals/{declined}/decline", {"reason": "管轄外"})
    assert hint in text_of(desk.get(f"/referrals/{declined}"))  # the re-routing form
    desk.get("/language/en")
    assert "Do not write the person's name" in text_of(desk.get("/referrals/new"))
    assert "Do not write the person's name" in text_of(desk.get(f"/referrals/{declined}"))
