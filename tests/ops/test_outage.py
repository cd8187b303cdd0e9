"""A database that drops out: requests get a clear 503, the scheduler keeps running and catches up.

The outage is simulated by making every statement fail the way a dropped connection does
(``OperationalError``); the real restart is exercised by ``bench/load.py --restart-db``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from hub.db import db, utcnow
from hub.jobs import JOBS, _in_context
from hub.services.responses import get_round
from tests.conftest import PASSWORD, make_round, make_user


@pytest.fixture
def database_down():
    """``go_down()`` makes every statement fail as a dropped connection does; ``come_back()``."""

    def refuse(*args, **kwargs):
        raise OperationalError("SELECT", {}, ConnectionError("server closed the connection"))

    def go_down() -> None:
        event.listen(db.engine, "before_cursor_execute", refuse)

    def come_back() -> None:
        if event.contains(db.engine, "before_cursor_execute", refuse):
            event.remove(db.engine, "before_cursor_execute", refuse)

    yield go_down, come_back
    come_back()


def test_api_answers_503_with_retry_after_while_the_database_is_down(client, api_as, database_down):
    api = api_as("staff")
    go_down, come_back = database_down
    go_down()
    response = api.get("/rounds")
    come_back()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "データベース" in response.get_json()["message"]
    assert api.get("/rounds").status_code == 200


def _signed_in(client, email: str) -> None:
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token is not None
    answer = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token[1]}
    )
    assert answer.status_code == 302


def test_pages_answer_503_not_a_traceback(app, client, database_down):
    with app.app_context():
        email = make_user(role="staff").email
    _signed_in(client, email)
    go_down, come_back = database_down
    go_down()
    response = client.get("/staff/")
    come_back()
    assert response.status_code == 503
    assert "データベース" in response.get_data(as_text=True)
    assert b"Traceback" not in response.data
    assert client.get("/staff/").status_code == 200


def test_healthz_says_unavailable_while_the_database_is_down(client, database_down):
    go_down, come_back = database_down
    go_down()
    response = client.get("/healthz")
    come_back()
    assert response.status_code == 503
    assert response.get_json()["database"] == "down"


def test_a_job_survives_an_outage_and_catches_up_afterwards(app, ctx, database_down, caplog):
    round_id = make_round(
        opens_at=utcnow() - timedelta(days=3), deadline=utcnow() - timedelta(minutes=5)
    ).id
    closing = next(job for job in JOBS if job.id == "rounds.close")
    run = _in_context(app, closing)
    go_down, come_back = database_down

    go_down()
    run()
    come_back()
    assert "job rounds.close failed (database: " in caplog.text
    assert "Traceback" not in caplog.text, "one line a tick while the database is down"
    db.session.remove()
    assert get_round(round_id).closed_at is None

    run()
    db.session.remove()
    assert get_round(round_id).closed_at is not None


def test_a_scheduled_delivery_in_an_outage_is_one_line(ctx, monkeypatch, caplog):
    from hub import jobs
    from hub.services.recipients import Changes, update_recipient

    update_recipient("moj", Changes(schedule="on-close"), user=None)
    db.session.commit()

    def refused(*args, **kwargs):
        raise OperationalError("SELECT", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(jobs, "claimed", refused)
    assert jobs.scheduled_deliveries(utcnow()) == []
    assert "scheduled delivery to moj failed (database: server closed the connection)" in (
        caplog.text
    )
    assert "Traceback" not in caplog.text
