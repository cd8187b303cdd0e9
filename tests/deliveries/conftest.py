"""Fixtures for deliveries: a round with answers carrying contact details that must never leave,
the outbox folder, a real SMTP server (aiosmtpd), a counterpart's HTTPS endpoint and a signed-in
staff browser."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hub.config import PROJECT_ROOT, Settings
from hub.db import db
from hub.models import User
from hub.services import mail_queue, reminders, responses
from hub.services.reminders import Reminder
from tests.conftest import complete_answers, make_round, make_user, sign_in
from tests.mailbox import Inbox, free_port

__all__ = ["Inbox", "free_port"]  # the delivery tests import them from here too


def remind(at: datetime) -> list[Reminder]:
    """The scheduler at ``at``: its ``reminders`` job queues the points reached, then its
    ``mail.queue`` job sends what is due. Returns what the first queued or left."""
    queued = reminders.queue_reminders(at)
    mail_queue.send_due(at)
    return queued


CHIYODA, CHUO, MINATO, SHINJUKU, BUNKYO = "131016", "131024", "131032", "131041", "131059"
CODES = (CHIYODA, CHUO, MINATO, SHINJUKU, BUNKYO)

CONTACTS: dict[str, dict[str, str]] = {
    CHIYODA: {
        "contact_name": "千代田 一郎",
        "contact_phone": "03-3264-0001",
        "contact_email": "ichiro.chiyoda@city.example.lg.jp",
    },
    CHUO: {
        "contact_name": "中央 花子",
        "contact_phone": "03-3543-0002",
        "contact_email": "hanako.chuo@city.example.lg.jp",
    },
    MINATO: {
        "contact_name": "港 三郎",
        "contact_phone": "03-3578-0003",
        "contact_email": "saburo.minato@city.example.lg.jp",
    },
}
"""Answers' contact details, submitted for three municipalities; none may appear in a delivery."""

RESPONDENT_ACCOUNTS = {
    CHIYODA: "yamada.account@city.example.lg.jp",
    SHINJUKU: "shinjuku.tanto@city.example.lg.jp",
    BUNKYO: "bunkyo.tanto@city.example.lg.jp",
}


@dataclass
class Seeded:
    round_id: int
    staff_id: int
    personal: list[str] = field(default_factory=list)
    """Every contact value seeded: what a delivery must never carry."""


def submit_answers(round_id: int, code: str, staff: User, **overrides: Any) -> None:
    """Save and submit ``code``'s answers as staff (代理入力), committed."""
    response = responses.get_response(round_id, code)
    if response.state in ("submitted", "accepted"):
        responses.return_response(response, "修正のため差し戻し", user=staff)
    answers = complete_answers(**{**CONTACTS.get(code, {}), **overrides})
    responses.save_draft(response, answers, version=response.version, user=staff)
    responses.submit(response, user=staff)
    db.session.commit()


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    """A round asking five municipalities; 千代田区 (策定済み), 中央区 and 港区 have submitted,
    新宿区 has a draft, 文京区 has not started. Made in its own app context, so that web tests
    can use the test client without sharing ``g`` with the test."""
    with app.app_context():
        round_ = make_round(municipalities=list(CODES))
        staff = make_user(role="staff")
        submit_answers(
            round_.id,
            CHIYODA,
            staff,
            plan_status="formulated",
            plan_name="千代田区再犯防止推進計画",
            plan_date="令和3年3月1日",
            comments="計画は令和3年3月に策定（全文は区のウェブサイト）",
        )
        submit_answers(round_.id, CHUO, staff, comments='=HYPERLINK("http://x","y")')
        submit_answers(round_.id, MINATO, staff, plan_status="council_review")
        draft = responses.get_response(round_.id, SHINJUKU)
        responses.save_draft(draft, {"plan_status": "no_plan"}, version=0, user=staff)
        db.session.commit()
        personal = [v for contact in CONTACTS.values() for v in contact.values()]
        return Seeded(round_id=round_.id, staff_id=staff.id, personal=personal)


@pytest.fixture
def respondents(app: Flask, seeded: Seeded) -> dict[str, str]:
    """Respondent accounts for 千代田区, 新宿区 and 文京区 (their e-mails are personal data too)."""
    with app.app_context():
        for code, email in RESPONDENT_ACCOUNTS.items():
            make_user(role="respondent", municipality=code, email=email)
    seeded.personal += list(RESPONDENT_ACCOUNTS.values())
    return dict(RESPONDENT_ACCOUNTS)


class Receiver:
    """A counterpart's endpoint: records each POST and answers with ``status``."""

    def __init__(self) -> None:
        self.status = 200
        self.redirect_to: str | None = None
        """A ``Location`` to answer the POST with (302) instead of taking the files."""
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.gets: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append((dict(self.headers), body))
                if receiver.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect_to)
                    self.end_headers()
                    return
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write("受信できません".encode() if receiver.status >= 400 else b"ok")

            def do_GET(self) -> None:
                receiver.gets.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"a page")

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub/deliveries"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def login(app: Flask, client: FlaskClient) -> Callable[..., FlaskClient]:
    """``login("staff")``: a new account of that role, signed in through the login form.

    Tests that browse must not hold an app context of their own (the ``ctx`` fixture): Flask
    would reuse it for every request, sharing ``g`` (and the CSRF token cached there)."""

    def signed_in(role: str, **kwargs: Any) -> FlaskClient:
        with app.app_context():
            email = make_user(role=role, **kwargs).email
        sign_in(client, email)
        return client

    return signed_in


def hub_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment for a ``hub`` subprocess working on the test database and folders."""
    env = dict(os.environ)
    env.update(
        HUB_INSTANCE_DIR=str(settings.instance_dir),
        HUB_DATABASE_URL=settings.database_url,
        HUB_SECRET_KEY=settings.secret_key,
        HUB_OUTBOX_DIR=str(settings.outbox_dir),
        PYTHONPATH=str(PROJECT_ROOT),
        **extra,
    )
    return env
