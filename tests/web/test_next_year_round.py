"""Opening next year's round in December, with the clock moved: the 基準日 and the deadline typed
as people type them (R9.3.31, 令和9年1月4日 17時), a day typed without its year refused with the
year to add — on the staff page as by ``hub round open`` —, a 和暦 day that does not exist named."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from hub.db import db
from hub.models import Round
from tests.clock import TokyoClock
from tests.web.conftest import text_of


def _round(reference_date: str, deadline: str = "令和9年1月4日 17時") -> dict[str, str]:
    return {
        "survey": "torikumi",
        "reference_date": reference_date,
        "deadline": deadline,
        "municipalities": "千代田区",
        "action": "preview",
    }


def test_next_years_round_typed_as_people_type_it(app: Flask, web, tokyo_clock: TokyoClock) -> None:
    tokyo_clock.set("2026-12-01 10:00")
    staff = web("staff")
    staff.get("/staff/rounds/new")
    without_year = staff.post("/staff/rounds/new", _round("4/1"))
    assert without_year.status_code == 422
    assert "年も入力してください（例: 2027-04-01）" in text_of(without_year)
    assert 'value="4/1"' in without_year.get_data(as_text=True), "what was typed is kept"
    heisei = staff.post("/staff/rounds/new", _round("平成31年5月1日"))
    assert heisei.status_code == 422
    assert "平成31年5月1日は存在しません" in text_of(heisei)
    closed = staff.post("/staff/rounds/new", _round("R9.3.31", "R9.1.2 17:00"))
    assert "閉庁日（年末年始）" in text_of(closed)
    opened = staff.post("/staff/rounds/new", {**_round("R9.3.31"), "action": "open"})
    assert opened.status_code == 302
    with app.app_context():
        round_ = db.session.scalars(select(Round)).one()
        assert round_.reference_date.isoformat() == "2027-03-31"
        assert round_.title.endswith("（令和9年3月31日現在）")
