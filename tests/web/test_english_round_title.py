"""English pages name a round by the questionnaire's English title and an ISO date when the hub
gave the title (「…（令和3年4月1日現在）」, stored in Japanese); a title staff typed stays as typed."""

from __future__ import annotations

from datetime import date, timedelta

from hub.db import db, utcnow
from hub.services.rounds import change_round, open_round
from tests.conftest import make_round
from tests.web.conftest import page, text_of

CHIYODA = "131016"
ENGLISH = "Survey of municipal efforts to prevent recidivism (as of 2021-04-01)"
JAPANESE = "区市町村における再犯防止等の推進に向けた取組状況調査（令和3年4月1日現在）"


def test_the_generated_title_reads_in_english_on_the_respondents_pages(app, web):
    clerk = web("respondent", municipality=CHIYODA)
    with app.app_context():
        round_id = make_round().id
    clerk.get("/language/en")
    for url in (
        "/respond/",
        f"/respond/rounds/{round_id}/{CHIYODA}",
        f"/respond/rounds/{round_id}/{CHIYODA}/view",
        f"/respond/rounds/{round_id}/{CHIYODA}/history",
    ):
        shown = clerk.get(url)
        assert shown.status_code == 200, url
        assert ENGLISH in text_of(shown), url
        assert "現在）" not in shown.get_data(as_text=True), url
    clerk.get("/language/ja")
    assert JAPANESE in text_of(clerk.get("/respond/"))


def test_the_staff_pages_and_the_tab_title_read_it_in_english(app, web):
    staff = web("staff")
    with app.app_context():
        round_id = make_round().id
    staff.get("/language/en")
    board = staff.get(f"/staff/rounds/{round_id}")
    assert ENGLISH in page(board).findtext(".//title")
    assert ENGLISH in page(board).xpath("string(//h1)")
    for url in ("/staff/", f"/staff/rounds/{round_id}/summary"):
        shown = staff.get(url)
        assert ENGLISH in text_of(shown), url
        assert "現在）" not in text_of(shown), url
    staff.get("/language/ja")
    assert JAPANESE in page(staff.get(f"/staff/rounds/{round_id}")).findtext(".//title")


def test_a_title_staff_typed_stays_as_typed(app, web):
    staff = web("staff")
    with app.app_context():
        typed = open_round(
            "torikumi",
            reference_date=date(2021, 4, 1),
            deadline=utcnow() + timedelta(days=14),
            opens_at=utcnow() - timedelta(days=1),
            title="令和3年度 臨時調査",
        )
        db.session.commit()
        typed_id = typed.id
        changed = make_round()
        change_round(changed, title="取組状況調査（再調査）", deadline=None, user=None)
        db.session.commit()
        changed_id = changed.id
    staff.get("/language/en")
    assert "令和3年度 臨時調査" in page(staff.get(f"/staff/rounds/{typed_id}")).xpath(
        "string(//h1)"
    )
    assert "取組状況調査（再調査）" in page(staff.get(f"/staff/rounds/{changed_id}")).xpath(
        "string(//h1)"
    )
