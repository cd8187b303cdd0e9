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
from hub.models import AuditEvent, Hearing
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


def test_a_hearing_recorded_for_the_wrong_municipality_is_removed_once(
    app: Flask, browser: Browser
) -> None:
    """A hearing typed against the wrong municipality counted it as heard, with no way back: it
    is removed from the list (and "n/62 heard"), audited without its notes; the second click, or
    the tab of a colleague who removed it first, leads back to the list with a word on why."""
    staff = browser("staff")
    wrong = {
        "municipality": "131024",
        "held_on": "R3.6.10",
        "department": "地域福祉課",
        "notes": "相手方の担当者の話",
    }
    assert _record(staff, wrong).status_code == 302  # type: ignore[attr-defined]
    with app.app_context():
        hearing_id = db.session.scalars(select(Hearing.id)).one()
    listing = staff.get("/hearings?fiscal_year=2021").get_data(as_text=True)
    assert "1/62" in listing
    action = f'action="/hearings/{hearing_id}/remove?fiscal_year=2021"'
    assert action in listing
    token = csrf_of(listing)
    other_tab = browser("staff")
    other_token = csrf_of(other_tab.get("/hearings?fiscal_year=2021").get_data(as_text=True))

    url = f"/hearings/{hearing_id}/remove?fiscal_year=2021"
    done = staff.post(url, data={"csrf_token": token}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "聞き取りの記録を削除しました（令和3年6月10日・中央区・地域福祉課）。" in page
    assert "0/62" in page
    assert _hearings(app) == 0
    with app.app_context():
        audited = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "hearing.remove")
        ).one()
        assert audited.municipality_code == "131024"
        assert audited.details["held_on"] == "2021-06-10"
        assert "相手方の担当者の話" not in str(audited.details), "free text stays out of the log"

    late = other_tab.post(url, data={"csrf_token": other_token})
    assert late.status_code == 302
    assert late.headers["Location"].endswith("/hearings?fiscal_year=2021")
    again = other_tab.get(late.headers["Location"]).get_data(as_text=True)
    assert "この聞き取りの記録は、すでに削除されています。" in again
    other_tab.set_cookie("lang", "en")
    twice = other_tab.post(url, data={"csrf_token": other_token}, follow_redirects=True)
    assert "This hearing record has already been removed." in twice.get_data(as_text=True)

    respondent = browser("respondent", municipality=CHIYODA)
    own_token = csrf_of(respondent.get("/account/tokens").get_data(as_text=True))
    assert respondent.post(url, data={"csrf_token": own_token}).status_code == 403
