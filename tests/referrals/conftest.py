"""Actors of the referral tests (each an API client with its own token) and a valid body."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms.tokyo import TOKYO
from hub.db import db
from hub.models import Referral
from hub.services.users import create_token
from tests.conftest import Api, make_user
from tests.web.conftest import Web

HACHIOJI = "132012"
CHIYODA = "131016"
NAME = "山田 花子"
PHONE = "090-1234-5678"
SENT_ON = date(2025, 4, 1)
"""The day ``refer(sent_on=SENT_ON)`` dates a referral: contacts may be dated from it on, and a
follow-up date soon after it has long passed."""
SURELY_LATE = timedelta(days=30)
"""Sent this long ago, a referral is past its 5 working days whatever today is: the year-end
closure and Golden Week close the offices at most ten days in a row."""


def referral_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "municipality": HACHIOJI,
        "person": {"name": NAME, "kana": "やまだ はなこ", "birth_year": 1958, "phone": PHONE},
        "needs": ["housing", "elderly_welfare"],
        "needs_other": "",
        "summary": "出所後の住まいが決まっていない。高齢で年金の手続きにも支援が必要。",
        "consent": {
            "obtained_on": "2025-04-01",
            "obtained_by": "都 相談員 佐藤",
            "scope": "氏名・連絡先・概要を八王子市の相談窓口に伝えること",
        },
    }
    body.update(overrides)
    return body


@dataclass
class Cast:
    staff: Api
    probation: Api
    moj: Api
    window: Api
    """八王子市's window."""
    other_window: Api
    """千代田区's window."""
    respondent: Api
    """八王子市's survey respondent."""
    admin: Api
    emails: dict[str, str]


@pytest.fixture
def cast(app: Flask, client: FlaskClient) -> Cast:
    made: dict[str, tuple[str, str]] = {}
    roles: dict[str, dict[str, Any]] = {
        "staff": {"role": "staff"},
        "probation": {"role": "counterpart", "recipient": "tokyo-probation"},
        "moj": {"role": "counterpart", "recipient": "moj"},
        "window": {"role": "window", "municipality": HACHIOJI},
        "other_window": {"role": "window", "municipality": CHIYODA},
        "respondent": {"role": "respondent", "municipality": HACHIOJI},
        "admin": {"role": "admin"},
    }
    with app.app_context():
        for name, kwargs in roles.items():
            user = make_user(**kwargs)
            made[name] = (create_token(user), user.email)
        db.session.commit()
    apis = {name: Api(client, token) for name, (token, _) in made.items()}
    return Cast(**apis, emails={name: email for name, (_, email) in made.items()})


@pytest.fixture
def refer(app: Flask, cast: Cast) -> Callable[..., int]:
    """``refer(by=cast.staff, sent_on=None, **overrides)``: a new referral's id; ``sent_on`` a
    day (Tokyo) it was sent instead of now, so that its contacts may be dated in the past."""

    def make(by: Api | None = None, sent_on: date | None = None, **overrides: Any) -> int:
        answer = (by or cast.staff).post("/referrals", referral_body(**overrides))
        assert answer.status_code == 201, answer.get_json()
        referral_id = int(answer.get_json()["id"])
        if sent_on is not None:
            with app.app_context():
                sent_at = datetime.combine(sent_on, time(9), TOKYO).astimezone(UTC)
                db.session.get_one(Referral, referral_id).sent_at = sent_at
                db.session.commit()
        return referral_id

    return make


@pytest.fixture
def desk(app: Flask, cast: Cast) -> Web:
    """都 staff (the referrer) signed in with a browser-like client."""
    web = Web(app)
    assert web.login(cast.emails["staff"]).status_code == 302
    return web


@pytest.fixture
def window(app: Flask, cast: Cast) -> Web:
    """八王子市's window signed in with a browser-like client (it lands on its inbox)."""
    web = Web(app)
    answer = web.login(cast.emails["window"])
    assert answer.headers["Location"] == "/referrals"
    return web


@pytest.fixture
def overdue(app: Flask, cast: Cast, smtp, refer: Callable[..., int]) -> int:
    """A referral sent on :data:`SENT_ON`, accepted, its follow-up due 2025-04-08; no mail yet."""
    referral_id = refer(sent_on=SENT_ON)
    cast.window.post(f"/referrals/{referral_id}/accept")
    cast.window.post(
        f"/referrals/{referral_id}/contacts",
        {"on": "2025-04-01", "method": "phone", "note": "初回", "next_follow_up": "2025-04-08"},
    )
    smtp.envelopes.clear()
    smtp.messages.clear()
    return referral_id
