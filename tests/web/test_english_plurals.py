"""English pages count right: "1 municipality", "2 municipalities" (ngettext, a plural entry in
the catalog); a closed day's holiday is named in English ("Culture Day"); the Japanese pages say
exactly what they said before."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import jpholiday

from forms import tokyo
from hub.db import db
from hub.services.consultations import record_case
from tests.conftest import complete_answers, make_round
from tests.web.conftest import page, text_of

CHIYODA = "131016"
CHUO = "131024"


def _noon_in(days: int) -> datetime:
    day = tokyo.now().date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 12, tzinfo=tokyo.TOKYO)


def test_the_board_counts_one_municipality_and_one_day_in_the_singular(app, web):
    with app.app_context():
        one = make_round(municipalities=[CHIYODA], deadline=_noon_in(1)).id
        two = make_round(municipalities=[CHIYODA, CHUO], deadline=_noon_in(2)).id
    staff = web("staff")
    staff.get("/language/en")
    shown = {n: text_of(staff.get(f"/staff/rounds/{n}")) for n in (one, two)}
    assert "Showing 1 municipality." in shown[one]
    assert "1 day left" in shown[one]
    assert "Showing 2 municipalities." in shown[two]
    assert "2 days left" in shown[two]
    assert "1 municipalities" not in shown[one], re.findall(
        ".{120}1 municipalities.{60}", shown[one]
    )
    assert "1 days" not in shown[one]
    staff.get("/language/ja")
    assert "1団体を表示しています。" in text_of(staff.get(f"/staff/rounds/{one}"))
    assert "あと1日" in text_of(staff.get(f"/staff/rounds/{one}"))
    assert "2団体を表示しています。" in text_of(staff.get(f"/staff/rounds/{two}"))


def _asked(staff, municipalities: str, **more: str):
    return staff.post(
        "/staff/rounds/new",
        {
            "survey": "torikumi",
            "reference_date": "令和8年4月1日",
            "deadline": "2099-06-01 17:00",
            "municipalities": municipalities,
            **more,
        },
    )


def test_the_list_of_whom_a_round_asks_and_its_opening_count_in_the_singular(app, web):
    staff = web("staff")
    staff.get("/staff/rounds/new")
    staff.get("/language/en")
    one = page(_asked(staff, "千代田区", action="preview"))
    two = page(_asked(staff, "千代田区、中央区", action="preview"))
    title = "normalize-space(//*[@id='preview-title'])"
    assert one.xpath(title) == "Who will be asked: 1 municipality"
    assert two.xpath(title) == "Who will be asked: 2 municipalities"
    opened = _asked(staff, "千代田区")
    assert opened.status_code == 302
    board = text_of(staff.get(opened.headers["Location"]))
    assert "(1 municipality)" in board
    assert "Showing 1 municipality." in board
    staff.get("/language/ja")
    assert page(_asked(staff, "千代田区", action="preview")).xpath(title) == "依頼先の確認: 1団体"
    opened = _asked(staff, "千代田区、中央区")
    assert "（2団体）" in text_of(staff.get(opened.headers["Location"]))


def test_the_summary_counts_one_response_in_the_singular(app, web, api_as, shared_always):
    with app.app_context():
        round_id = make_round(municipalities=[CHIYODA, CHUO]).id
    staff = web("staff")
    staff.get("/language/en")
    summary = f"/staff/rounds/{round_id}/summary"
    for code in (CHIYODA, CHUO):
        submitted = api_as("respondent", municipality=code).submit(
            round_id, code, complete_answers()
        )
        assert submitted.status_code == 200, submitted.get_json()
        if code == CHIYODA:
            assert (
                "Counted over the 1 submitted or accepted response (municipalities asked: 2)."
                in text_of(staff.get(summary))
            )
    assert "Counted over the 2 submitted or accepted responses (municipalities asked: 2)." in (
        text_of(staff.get(summary))
    )
    staff.get("/language/ja")
    assert "提出済み・受理済みの 2 自治体（対象 2 自治体）の回答を集計しています。" in text_of(
        staff.get(summary)
    )


def test_a_closed_day_names_the_holiday_in_english(web):
    staff = web("staff")
    staff.get("/staff/rounds/new")
    staff.get("/language/en")
    note = "normalize-space(//*[@data-deadline-note])"
    culture = page(_asked(staff, "千代田区", action="preview", deadline="2099-11-03 17:00"))
    assert "national holiday (Culture Day)" in culture.xpath(note)
    assert "文化の日" not in culture.xpath(note)
    moved = page(_asked(staff, "千代田区", action="preview", deadline="2027-03-22 17:00"))
    assert "substitute holiday for Vernal Equinox Day" in moved.xpath(note)
    staff.get("/language/ja")
    culture = page(_asked(staff, "千代田区", action="preview", deadline="2099-11-03 17:00"))
    assert "閉庁日（祝日（文化の日））です。" in culture.xpath(note)


def test_every_holiday_jpholiday_names_has_an_english_name():
    names = {
        name.removesuffix(tokyo.TRANSFERRED)
        for year in range(1955, 2100)
        for _, name in jpholiday.year_holidays(year)
    }
    assert names <= set(tokyo.HOLIDAY_NAMES), names - set(tokyo.HOLIDAY_NAMES)


def test_the_desks_statistics_count_one_consultation_in_the_singular(app, web):
    staff = web("staff")
    url = "/consultations/statistics?fiscal_year=2020"
    figure = "normalize-space(//*[@data-total]/..)"
    for day in ("2020-08-01", "2020-08-02"):
        with app.app_context():
            record_case(
                {
                    "received_on": day,
                    "channel": "phone",
                    "age_group": "30s",
                    "caller": "self",
                    "referred_to": ["municipal_window"],
                    "municipality": CHIYODA,
                },
                user=None,
            )
            db.session.commit()
        staff.get("/language/en")
        count = "1 consultation" if day.endswith("1") else "2 consultations"
        assert page(staff.get(url)).xpath(figure) == count
    staff.get("/language/ja")
    assert page(staff.get(url)).xpath(figure) == "2 件の相談"
