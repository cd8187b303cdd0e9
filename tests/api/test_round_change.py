"""Changing a round through the API (PATCH /rounds/<id>), and the mails an API return sends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask

from forms.tokyo import OfficeDays
from hub.db import db
from hub.models import Round
from hub.services import rounds
from tests.api.conftest import CHIYODA, CHUO, future, past, response_url
from tests.conftest import Api, complete_answers, make_user
from tests.mailbox import Inbox, send_queued
from tests.web.test_english_walk import runs


def test_a_closed_round_gets_a_new_deadline_and_those_still_to_submit_are_told(
    app: Flask, new_round: Callable[..., int], staff: Api, chiyoda: Api, smtp: Inbox
) -> None:
    round_id = new_round()
    with app.app_context():
        make_user(role="respondent", municipality=CHUO, email="clerk@chuo.example.jp")
        rounds.close_round(db.session.get_one(Round, round_id), user=None)
        db.session.commit()
    assert staff.get(f"/rounds/{round_id}").get_json()["state"] == "closed"
    later = future(days=5).replace(microsecond=0)
    changed = staff.patch(f"/rounds/{round_id}", {"deadline": later.isoformat(), "notify": True})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["state"] == "open"
    assert changed.get_json()["deadline"] == later.isoformat()
    send_queued(app)
    assert "clerk@chuo.example.jp" in {str(m["To"]) for m in smtp.messages}
    assert chiyoda.submit(round_id, CHIYODA, complete_answers()).status_code == 200


def test_a_deadline_gone_or_nothing_to_change_is_a_422_and_nothing_changes(
    new_round: Callable[..., int], staff: Api
) -> None:
    round_id = new_round()
    before = staff.get(f"/rounds/{round_id}").get_json()
    gone = staff.patch(f"/rounds/{round_id}", {"deadline": past(hours=1).isoformat(), "title": ""})
    assert gone.status_code == 422
    assert set(gone.get_json()["errors"]) == {"deadline", "title"}
    nothing = staff.patch(f"/rounds/{round_id}", {"notify": True})
    assert nothing.status_code == 422
    assert staff.get(f"/rounds/{round_id}").get_json() == before


def test_a_respondent_cannot_change_a_round(new_round: Callable[..., int], chiyoda: Api) -> None:
    round_id = new_round()
    assert chiyoda.patch(f"/rounds/{round_id}", {"title": "改ざん"}).status_code == 403


def test_a_return_through_the_api_tells_the_municipality_too(
    new_round: Callable[..., int], staff: Api, chiyoda: Api, smtp: Inbox, app: Flask
) -> None:
    round_id = new_round()
    with app.app_context():
        make_user(role="respondent", municipality=CHIYODA, email="clerk@chiyoda.example.jp")
    assert chiyoda.submit(round_id, CHIYODA, complete_answers()).status_code == 200
    returned = staff.post(response_url(round_id, action="return"), {"reason": "桁を確かめて"})
    assert returned.status_code == 200
    send_queued(app)
    [mail] = smtp.to("clerk@chiyoda.example.jp")
    assert str(mail["Subject"]).startswith("【差し戻し】")
    assert "桁" not in mail.get_content()


def test_a_new_title_alone_leaves_a_closed_round_closed(
    app: Flask, new_round: Callable[..., int], staff: Api
) -> None:
    round_id = new_round()
    with app.app_context():
        rounds.close_round(db.session.get_one(Round, round_id), user=None)
        db.session.commit()
    changed = staff.patch(f"/rounds/{round_id}", {"title": "令和8年度 調査"})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["title"], changed.get_json()["state"]) == (
        "令和8年度 調査",
        "closed",
    )


def test_an_opening_time_for_a_round_already_open_is_a_422(
    new_round: Callable[..., int], staff: Api
) -> None:
    round_id = new_round()
    refused = staff.patch(f"/rounds/{round_id}", {"opens_at": "2099-01-01T09:00"})
    assert refused.status_code == 422
    assert list(refused.get_json()["errors"]) == ["opens_at"]


def test_a_round_says_when_its_deadline_falls_on_a_day_the_offices_are_closed(
    new_round: Callable[..., int], staff: Api
) -> None:
    round_id = new_round()
    sunday = staff.patch(f"/rounds/{round_id}", {"deadline": "2099-05-31 17:00"})
    assert sunday.status_code == 200
    assert sunday.get_json()["deadline_closed_because"] == "日曜日"
    year_end = staff.patch(f"/rounds/{round_id}", {"deadline": "令和81年12月29日 17:00"})
    assert year_end.get_json()["deadline_closed_because"] == "年末年始"
    monday = staff.patch(f"/rounds/{round_id}", {"deadline": "2099-06-01 17:00"})
    assert monday.get_json()["deadline_closed_because"] is None
    assert staff.get("/rounds").get_json()[0]["deadline_closed_because"] is None


def test_a_closed_deadline_day_is_worded_for_the_caller_and_coded_for_programs(
    new_round: Callable[..., int], staff: Api
) -> None:
    """``deadline_closed_because`` is worded in the caller's language (``?lang=en``) as the API's
    messages are; ``deadline_closed_day`` says the same in codes and Japanese holiday names that
    no language changes, and is null on a day the offices are open."""
    round_id = new_round()
    cases = (
        ("2099-05-31 17:00", "日曜日", "Sunday", {"kind": "sunday", "holiday": None}),
        ("2099-05-30 17:00", "土曜日", "Saturday", {"kind": "saturday", "holiday": None}),
        ("2099-12-29 17:00", "年末年始", "year-end closure", {"kind": "year_end", "holiday": None}),
        (
            "2099-11-23 17:00",
            "祝日（勤労感謝の日）",
            "national holiday (Labor Thanksgiving Day)",
            {"kind": "holiday", "holiday": "勤労感謝の日"},
        ),
        (
            "2099-05-06 17:00",
            "祝日（憲法記念日 振替休日）",
            "national holiday (substitute holiday for Constitution Memorial Day)",
            {"kind": "substitute_holiday", "holiday": "憲法記念日"},
        ),
        (
            "2099-09-22 17:00",
            "祝日（国民の休日）",
            "national holiday (Citizens' Holiday)",
            {"kind": "holiday", "holiday": "国民の休日"},
        ),
    )
    for deadline, japanese, english, coded in cases:
        changed = staff.patch(f"/rounds/{round_id}", {"deadline": deadline})
        assert changed.status_code == 200, changed.get_json()
        assert changed.get_json()["deadline_closed_because"] == japanese
        assert changed.get_json()["deadline_closed_day"] == coded
        in_english = staff.get(f"/rounds/{round_id}?lang=en").get_json()
        assert in_english["deadline_closed_because"] == english
        assert in_english["deadline_closed_day"] == coded
        listed = staff.get("/rounds?lang=en").get_json()
        assert [r["deadline_closed_day"] for r in listed if r["id"] == round_id] == [coded]
    open_day = staff.patch(f"/rounds/{round_id}", {"deadline": "2099-06-01 17:00"}).get_json()
    assert (open_day["deadline_closed_because"], open_day["deadline_closed_day"]) == (None, None)


def test_the_openapi_document_describes_the_closed_day(staff: Api) -> None:
    document = staff.get("/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    closed = schemas["ClosedDayOut"]
    assert closed["properties"]["kind"]["enum"] == [
        "year_end",
        "holiday",
        "substitute_holiday",
        "closed_by_tokyo",
        "saturday",
        "sunday",
    ]
    assert "deadline_closed_day" in schemas["RoundOut"]["properties"]
    assert (
        "caller's language"
        in (schemas["RoundOut"]["properties"]["deadline_closed_because"]["description"])
    )


def test_a_day_tokyo_closes_on_is_named_as_such(
    app: Flask, new_round: Callable[..., int], staff: Api, monkeypatch
) -> None:
    """A day 都 names in ``HUB_CLOSED_DAYS`` (a Wednesday here) is a closed day of its own kind;
    a national holiday 都 names too stays the holiday."""
    settings = app.extensions["hub_settings"]
    named = frozenset({date(2099, 6, 3), date(2099, 11, 23)})
    office = OfficeDays(closed=named)
    monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(office_days=office))
    round_id = new_round()
    changed = staff.patch(f"/rounds/{round_id}", {"deadline": "2099-06-03 17:00"}).get_json()
    assert changed["deadline_closed_because"] == "都の指定"
    assert changed["deadline_closed_day"] == {"kind": "closed_by_tokyo", "holiday": None}
    in_english = staff.get(f"/rounds/{round_id}?lang=en").get_json()
    assert in_english["deadline_closed_because"] == "designated by Tokyo"
    holiday = staff.patch(f"/rounds/{round_id}", {"deadline": "2099-11-23 17:00"}).get_json()
    assert holiday["deadline_closed_day"] == {"kind": "holiday", "holiday": "勤労感謝の日"}
    monkeypatch.setitem(app.extensions, "hub_settings", settings)
    assert staff.get(f"/rounds/{round_id}").get_json()["deadline_closed_day"]["kind"] == "holiday"
    plain = staff.patch(f"/rounds/{round_id}", {"deadline": "2099-06-03 17:00"}).get_json()
    assert plain["deadline_closed_day"] is None, "without the setting, an ordinary Wednesday"


def test_a_moved_deadline_is_answered_with_what_the_page_warns_of(
    new_round: Callable[..., int], staff: Api
) -> None:
    """``deadline_notes``, as the page and ``hub round change`` say them when the deadline
    moves: a day the offices are closed, a deadline before the 基準日, each coded for programs
    and worded in the caller's language; none when the deadline did not move."""
    round_id = new_round(reference_date=date(2099, 7, 1))
    url = f"/rounds/{round_id}"
    sunday = staff.patch(url, {"deadline": "2099-05-31 17:00"})
    assert sunday.status_code == 200, sunday.get_json()
    notes = sunday.get_json()["deadline_notes"]
    assert [n["code"] for n in notes] == ["closed_day", "before_reference_date"]
    assert "閉庁日（日曜日）" in notes[0]["message"]
    assert "基準日（令和81年7月1日）より前" in notes[1]["message"]
    assert sunday.get_json()["deadline_closed_day"] == {"kind": "sunday", "holiday": None}
    monday = staff.patch(f"{url}?lang=en", {"deadline": "2099-06-01 17:00"}).get_json()
    [note] = monday["deadline_notes"]
    assert note["code"] == "before_reference_date"
    assert "2099-07-01" in note["message"]
    assert not runs([note["message"]]), note
    for unmoved in ({"title": "新しい名称"}, {"deadline": "2099-06-01 17:00"}):
        answer = staff.patch(url, unmoved)
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["deadline_notes"] == [], unmoved
    later = staff.patch(url, {"deadline": "2099-07-06 17:00"}).get_json()
    assert later["deadline_notes"] == []
    assert staff.get(url).get_json().keys() == later.keys() - {"deadline_notes"}


def test_the_openapi_document_describes_the_deadline_notes(staff: Api) -> None:
    schemas = staff.get("/openapi.json").get_json()["components"]["schemas"]
    assert schemas["DeadlineNoteOut"]["properties"]["code"]["enum"] == [
        "closed_day",
        "before_reference_date",
    ]
    assert "deadline_notes" in schemas["RoundChangeOut"]["properties"]
    assert "deadline_notes" not in schemas["RoundOut"]["properties"]
