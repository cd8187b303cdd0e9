"""Recording a hearing (聞き取り) through the page: a day still to come and the same hearing sent
twice (a double click) are refused with what was typed kept, and nothing is counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forms import tokyo
from forms.normalize import to_wareki
from hub.db import db
from hub.models import Hearing
from tests.conftest import csrf_of

Browser = Callable[..., FlaskClient]
CHIYODA = "131016"


def _hearings(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Hearing)) or 0)


def _record(client: FlaskClient, data: dict[str, object]) -> object:
    token = csrf_of(client.get("/hearings").get_data(as_text=True))
    return client.post("/hearings", data={**data, "csrf_token": token})


def test_a_hearing_dated_after_today_is_refused_like_a_case(app: Flask, browser: Browser) -> None:
    staff = browser("staff")
    tomorrow = to_wareki(tokyo.today() + timedelta(days=1))
    refused = _record(
        staff, {"municipality": CHIYODA, "held_on": tomorrow, "department": "地域福祉課"}
    )
    assert refused.status_code == 422  # type: ignore[attr-defined]
    page = refused.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "未来の日付は入力できません。" in page
    assert f'value="{tomorrow}"' in page, "what was typed is kept"
    assert _hearings(app) == 0

    today = to_wareki(tokyo.today())
    done = _record(staff, {"municipality": CHIYODA, "held_on": today, "department": "地域福祉課"})
    assert done.status_code == 302, "today itself is fine"  # type: ignore[attr-defined]
    assert _hearings(app) == 1


def test_the_same_hearing_sent_twice_is_stored_once(app: Flask, browser: Browser) -> None:
    staff = browser("staff")
    hearing = {
        "municipality": CHIYODA,
        "held_on": "R3.6.10",
        "department": "地域福祉課",
        "topics": ["plan_challenges.no_lead_department", "plan_challenges.other"],
        "notes": "初回",
    }
    assert _record(staff, hearing).status_code == 302  # type: ignore[attr-defined]
    again = _record(staff, {**hearing, "topics": list(reversed(hearing["topics"]))})  # type: ignore[call-overload]
    assert again.status_code == 422  # type: ignore[attr-defined]
    page = again.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "この聞き取りは記録済みです（令和3年6月10日・千代田区・地域福祉課、同じ課題）。" in page
    assert 'value="地域福祉課"' in page, "what was typed is kept"
    assert f'<option value="{CHIYODA}" selected' in page
    assert _hearings(app) == 1
    listing = staff.get("/hearings?fiscal_year=2021").get_data(as_text=True)
    assert "1/62" in listing

    for different in (
        {"department": "高齢福祉課"},
        {"held_on": "R3.6.11"},
        {"topics": ["plan_challenges.no_lead_department"]},
        {"municipality": "131024"},
    ):
        assert _record(staff, {**hearing, **different}).status_code == 302, different  # type: ignore[attr-defined]
    assert _hearings(app) == 5


def test_english_pages_name_the_fiscal_year_in_english(app: Flask, browser: Browser) -> None:
    staff = browser("staff")
    staff.set_cookie("lang", "en")
    year = tokyo.today().year if tokyo.today().month >= 4 else tokyo.today().year - 1
    english = staff.get("/hearings").get_data(as_text=True)
    assert f"FY{year}" in english
    assert "年度" not in english.split("<main", 1)[1].split("</main>", 1)[0]
    staff.set_cookie("lang", "ja")
    assert "年度" in staff.get("/hearings").get_data(as_text=True)
