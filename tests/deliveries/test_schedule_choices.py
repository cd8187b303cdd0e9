"""The delivery schedule as choices — 手動のみ / 締切後に1回 / 毎日 / 毎週 曜日 / 毎月 日 + 時刻 — with
cron as the advanced option, stored as before (off / on-close / cron) (issue 14, item 10)."""

from __future__ import annotations

import pytest

from hub.models import Recipient
from hub.recipients.schedule import Choice, from_schedule, to_schedule
from tests.conftest import csrf_of
from tests.deliveries.test_recipients_web import database


@pytest.mark.parametrize(
    ("choice", "stored"),
    [
        (Choice("off"), "off"),
        (Choice("on-close"), "on-close"),
        (Choice("daily", at="9:00"), "0 9 * * *"),
        (Choice("weekly", weekday=1, at="09:00"), "0 9 * * 1"),
        (
            Choice("monthly", month_day=1, at="８：３０".replace("８", "8").replace("３", "3")),
            "30 8 1 * *",
        ),
        (Choice("cron", cron=" 0  9 * * 1-5 "), "0 9 * * 1-5"),
    ],
)
def test_each_choice_is_stored_as_before_and_read_back(choice, stored):
    assert to_schedule(choice) == stored
    assert to_schedule(from_schedule(stored)) == stored


def test_the_page_offers_choices_and_stores_them(app, login):
    client = login("staff")
    form = client.get("/staff/recipients/moj")
    assert 'name="schedule_kind"' in form.text
    saved = client.post(
        "/staff/recipients/moj",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "weekly",
            "weekday": "1",
            "month_day": "1",
            "at": "9:00",
            "channel": "outbox",
            "formats": ["xlsx"],
            "active": "y",
        },
    )
    assert saved.status_code == 302, saved.text
    with database(app) as session:
        assert session.get_one(Recipient, "moj").schedule == "0 9 * * 1"
    assert "毎週月曜日 09:00（日本時間）" in client.get("/staff/recipients/").text
    shown = client.get("/staff/recipients/moj").text
    assert (
        'value="weekly" checked' in shown
        or 'checked type="radio" value="weekly"' in shown
        or ('value="weekly"' in shown and "checked" in shown.split('value="weekly"')[0][-120:])
    )

    bad = client.post(
        "/staff/recipients/moj",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "daily",
            "at": "25:00",
            "channel": "outbox",
            "formats": ["xlsx"],
        },
    )
    assert bad.status_code == 422
    assert "時刻は 9:00 や 17:30 のように" in bad.text
    assert 'value="25:00"' in bad.text
    with database(app) as session:
        assert session.get_one(Recipient, "moj").schedule == "0 9 * * 1"
