"""Dates one way (issue 14, item 9): 令和8年12月29日（火）17:00 with 「あと3日」/「2日超過」 on the
respondent's home and the staff board; demo rounds close at 17:00."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from forms import tokyo
from hub.db import db, utcnow
from hub.models import Round
from hub.services.demo import ensure_demo
from tests.conftest import make_round
from tests.web.conftest import page, text_of

CHIYODA = "131016"
WAREKI_TIME = re.compile(r"令和\d+年\d+月\d+日（[月火水木金土日]）\d\d:\d\d")


def _at_17(days: int) -> datetime:
    return datetime.combine(tokyo.today() + timedelta(days=days), time(17), tzinfo=tokyo.TOKYO)


def test_the_respondent_home_says_how_many_days_are_left(app, web):
    clerk = web("respondent", municipality=CHIYODA)
    with app.app_context():
        make_round(deadline=_at_17(3))
    card = page(clerk.get("/respond/")).xpath("//li[contains(@class, 'card')]")[0]
    deadline = " ".join(
        card.xpath(".//dt[normalize-space()='提出期限']/following-sibling::dd")[0]
        .text_content()
        .split()
    )
    assert WAREKI_TIME.match(deadline), deadline
    assert deadline.startswith(tokyo.format_datetime(_at_17(3)))
    assert "17:00" in deadline
    assert deadline.endswith("あと3日")
    assert not re.search(r"\d{4}/\d\d/\d\d", text_of(clerk.get("/respond/")))


def test_the_board_says_how_late(app, web):
    staff = web("staff")
    with app.app_context():
        round_ = make_round(deadline=_at_17(3), opens_at=utcnow() - timedelta(days=10))
        round_.deadline = _at_17(-2)
        db.session.commit()
        round_id = round_.id
    shown = staff.get(f"/staff/rounds/{round_id}")
    row = page(shown).xpath(f"//tr[@data-municipality='{CHIYODA}']")[0]
    deadline = " ".join(row.xpath("td[2]")[0].text_content().split())
    assert deadline == f"{tokyo.format_datetime(_at_17(-2))} 2日超過"
    assert not re.search(r"\d{4}/\d\d/\d\d", text_of(shown))


def test_due_today_and_english(app, web):
    clerk = web("respondent", municipality=CHIYODA)
    with app.app_context():
        make_round(deadline=_at_17(0) + timedelta(hours=6, minutes=59))  # 23:59 today
    assert "本日締切" in text_of(clerk.get("/respond/"))
    clerk.get("/language/en")
    english = text_of(clerk.get("/respond/"))
    assert "Due today" in english
    assert tokyo.format_datetime(_at_17(0) + timedelta(hours=6, minutes=59), "en") in english


def test_demo_rounds_close_at_five_in_the_afternoon(app, tmp_path):
    with app.app_context():
        ensure_demo(tmp_path)
        db.session.commit()
        round_ = db.session.query(Round).one()
        closing = tokyo.in_tokyo(round_.deadline)
        assert (closing.hour, closing.minute) == (17, 0)
        assert closing.date() == tokyo.today() + timedelta(days=30)
