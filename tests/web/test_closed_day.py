"""A deadline on a day the offices are closed (a Sunday, a holiday, 年末年始) is warned of — on
「依頼先を確かめる」 before the round opens, after opening, after a new deadline and after an
extension, and by the CLI — but never refused: a round may well close on a Saturday."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select

from forms import tokyo
from hub.db import db
from hub.models import Round
from tests.conftest import HubRunner, make_round, response_of
from tests.web.conftest import page, text_of

YEAR_END = "2099-12-29 17:00"  # a Tuesday, in the year-end closure
SUNDAY = "2099-05-31 17:00"
MONDAY = "2099-06-01 17:00"


def new_round(deadline: str, **more: str) -> dict[str, str]:
    return {
        "survey": "torikumi",
        "reference_date": "令和8年4月1日",
        "deadline": deadline,
        "municipalities": "千代田区",
        **more,
    }


def test_closed_because_names_the_reason_and_agrees_with_office_days(app: Flask) -> None:
    with app.test_request_context():
        assert tokyo.closed_because(date(2099, 12, 29)) == "年末年始"
        assert tokyo.closed_because(date(2027, 1, 1)) == "年末年始"
        assert tokyo.closed_because(date(2026, 11, 23)) == "祝日（勤労感謝の日）"
        assert tokyo.closed_because(date(2099, 5, 31)) == "日曜日"
        assert tokyo.closed_because(date(2099, 5, 30)) == "土曜日"
        assert tokyo.closed_because(date(2099, 6, 1)) is None
        day = date(2026, 1, 1)
        while day < date(2028, 1, 1):
            assert (tokyo.closed_because(day) is None) == tokyo.is_office_day(day), day
            day += timedelta(days=1)


def test_the_check_before_opening_warns_of_a_deadline_in_the_year_end_closure(web) -> None:
    staff = web("staff")
    staff.get("/staff/rounds/new")
    checked = staff.post("/staff/rounds/new", new_round(YEAR_END, action="preview"))
    assert checked.status_code == 200
    [note] = page(checked).xpath("//*[@data-deadline-note]")
    assert " ".join(note.text_content().split()) == (
        "注意 提出期限（令和81年12月29日（火）17:00）は閉庁日（年末年始）です。"
        "区市町村の担当者が期限の日に回答できないおそれがあります。"
    )
    fine = staff.post("/staff/rounds/new", new_round(MONDAY, action="preview"))
    assert not page(fine).xpath("//*[@data-deadline-note]")


def test_opening_on_a_sunday_deadline_opens_and_warns(app: Flask, web) -> None:
    staff = web("staff")
    staff.get("/staff/rounds/new")
    opened = staff.post("/staff/rounds/new", new_round(SUNDAY))
    assert opened.status_code == 302
    board = text_of(staff.get(opened.headers["Location"]))
    assert "調査回を開始しました" in board
    assert "は閉庁日（日曜日）です。" in board
    with app.app_context():
        assert db.session.scalars(select(Round)).one().deadline.year == 2099
    again = staff.post("/staff/rounds/new", new_round(MONDAY))
    assert "閉庁日" not in text_of(staff.get(again.headers["Location"]))


def test_a_new_deadline_or_an_extension_on_a_closed_day_warns(app: Flask, web) -> None:
    with app.app_context():
        round_id = make_round(municipalities=["131016"]).id
    staff = web("staff")
    staff.get(f"/staff/rounds/{round_id}/change")
    moved = staff.post(f"/staff/rounds/{round_id}/change", {"title": "調査", "deadline": YEAR_END})
    assert moved.status_code == 302
    assert "は閉庁日（年末年始）です。" in text_of(staff.get(moved.headers["Location"]))
    titled = staff.post(
        f"/staff/rounds/{round_id}/change", {"title": "調査（改題）", "deadline": YEAR_END}
    )
    assert "閉庁日" not in text_of(staff.get(titled.headers["Location"])), "no new deadline"

    staff.get(f"/staff/rounds/{round_id}/responses/131016")
    extended = staff.post(
        f"/staff/rounds/{round_id}/responses/131016/extension", {"until": "2100-01-01 17:00"}
    )
    assert extended.status_code == 302
    assert "は閉庁日（年末年始）です。" in text_of(staff.get(extended.headers["Location"]))
    with app.app_context():
        assert tokyo.in_tokyo(response_of(round_id, "131016").extension_until).year == 2100


def test_the_cli_warns_on_stderr_and_opens(runner: HubRunner) -> None:
    result = runner(
        "round", "open", "torikumi", "--reference-date", "2026-04-01", "--deadline", SUNDAY
    )
    assert result.exit_code == 0, result.output
    assert "注意: 提出期限（" in result.stderr
    assert "閉庁日（日曜日）" in result.stderr
    assert result.stdout.strip().splitlines()[-1].isdigit()
    round_id = result.stdout.strip().splitlines()[-1]
    moved = runner("round", "change", round_id, "--deadline", MONDAY)
    assert moved.exit_code == 0, moved.output
    assert "閉庁日" not in moved.stderr


BEFORE_REFERENCE = "2099-03-16 17:00"  # a Monday, before the 基準日 令和81年4月1日 (2099)


def test_a_deadline_before_the_reference_date_is_warned_of_but_opens(app: Flask, web) -> None:
    staff = web("staff")
    staff.get("/staff/rounds/new")
    typed = new_round(BEFORE_REFERENCE, reference_date="令和81年4月1日")
    checked = staff.post("/staff/rounds/new", {**typed, "action": "preview"})
    [note] = page(checked).xpath("//*[@data-deadline-note]")
    assert " ".join(note.text_content().split()) == (
        "注意 提出期限（令和81年3月16日（月）17:00）が基準日（令和81年4月1日）より前です。"
        "基準日は、いつ現在の状況を答えてもらうかの日付です。どちらの日付も確かめてください。"
    )
    opened = staff.post("/staff/rounds/new", typed)
    assert opened.status_code == 302
    assert "が基準日（令和81年4月1日）より前です。" in text_of(
        staff.get(opened.headers["Location"])
    )
    fine = staff.post("/staff/rounds/new", new_round(MONDAY, action="preview"))
    assert not page(fine).xpath("//*[@data-deadline-note]")
    staff.get("/language/en")
    english = staff.post("/staff/rounds/new", {**typed, "action": "preview"})
    [note] = page(english).xpath("//*[@data-deadline-note]")
    assert "is before the reference date (2099-04-01)" in note.text_content()


def test_moving_a_deadline_before_the_reference_date_warns(app: Flask, web, runner) -> None:
    with app.app_context():
        round_ = make_round(municipalities=["131016"])
        round_.reference_date = date(2099, 4, 1)
        db.session.commit()
        round_id = round_.id
    staff = web("staff")
    staff.get(f"/staff/rounds/{round_id}/change")
    moved = staff.post(
        f"/staff/rounds/{round_id}/change", {"title": "調査", "deadline": BEFORE_REFERENCE}
    )
    assert moved.status_code == 302
    assert "より前です。" in text_of(staff.get(moved.headers["Location"]))
    by_cli = runner("round", "change", str(round_id), "--deadline", "2099-03-17 17:00")
    assert by_cli.exit_code == 0, by_cli.output
    assert "が基準日（令和81年4月1日）より前です。" in by_cli.stderr


def test_a_deadline_on_a_day_tokyo_closes_on_is_warned_of(app: Flask, web, monkeypatch) -> None:
    """A day 都 names in ``HUB_CLOSED_DAYS`` is warned of as a holiday is, in its own words."""
    settings = app.extensions["hub_settings"]
    office = tokyo.OfficeDays(closed=frozenset({date(2099, 6, 1)}))
    monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(office_days=office))
    staff = web("staff")
    staff.get("/staff/rounds/new")
    checked = staff.post("/staff/rounds/new", new_round(MONDAY, action="preview"))
    [note] = page(checked).xpath("//*[@data-deadline-note]")
    assert "提出期限（令和81年6月1日（月）17:00）は閉庁日（都の指定）です。" in note.text_content()
    staff.get("/language/en")
    english = staff.post("/staff/rounds/new", new_round(MONDAY, action="preview"))
    [note] = page(english).xpath("//*[@data-deadline-note]")
    assert "the offices are closed (designated by Tokyo)" in note.text_content()


def test_the_reference_date_is_warned_of_when_the_deadline_moves_not_on_other_edits(
    app: Flask, web, runner
) -> None:
    """The warning that the deadline is before 基準日 comes when one of the two is set — the
    round opened, its deadline moved, an extension granted — and not when staff change only
    the title, or send the deadline back as it is."""
    with app.app_context():
        round_ = make_round(municipalities=["131016"])
        round_.reference_date = date(2099, 4, 1)
        round_.deadline = tokyo.parse_datetime(BEFORE_REFERENCE)
        db.session.commit()
        round_id = round_.id
    staff = web("staff")
    staff.get(f"/staff/rounds/{round_id}/change")
    titled = staff.post(
        f"/staff/rounds/{round_id}/change", {"title": "改題", "deadline": BEFORE_REFERENCE}
    )
    assert titled.status_code == 302
    board = text_of(staff.get(titled.headers["Location"]))
    assert "調査回の設定を変更しました。" in board
    assert "より前です。" not in board
    by_cli = runner(
        "round", "change", str(round_id), "--title", "再改題", "--deadline", BEFORE_REFERENCE
    )
    assert by_cli.exit_code == 0, by_cli.output
    assert "より前です。" not in by_cli.stderr, "the deadline did not move"

    staff.get(f"/staff/rounds/{round_id}/responses/131016")
    extended = staff.post(
        f"/staff/rounds/{round_id}/responses/131016/extension", {"until": "2099-03-20 17:00"}
    )
    assert extended.status_code == 302
    assert "が基準日（令和81年4月1日）より前です。" in text_of(
        staff.get(extended.headers["Location"])
    )
