"""Every error of the API in the caller's language: walk each route of the URL map under
``/api/v1`` as each role with ``?lang=en`` — as it is, with ids that exist nowhere, with a body
that is not JSON, of another type, empty or full of nasty values (全角, 令和元年, formula-looking
text), and without a file where one is uploaded — and fail on a ``message`` (or a field's or a
cell's message) that holds the hub's own Japanese. Then the errors the walk cannot reach by
chance, one by one: no token, a revoked token, another recipient's log, a stale version, a
locked response, a closed round, a passed deadline, invalid answers.

What may stay Japanese is named precisely, as in the page walk (tests/web/test_english_walk.py):
the world's data as stored (municipality names, titles, answers), what the request itself sent
(a typed value echoed back) and the Japanese the English catalogue writes on purpose (examples
such as 令和3年4月1日). The same walk without ``?lang=en`` finds Japanese in every message.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import ApiToken, Role, User
from hub.services import responses
from hub.services.rounds import close_round
from hub.services.users import create_token, revoke_token
from tests.api.test_malformed import JAPANESE
from tests.conftest import Api, complete_answers, make_round, make_user, response_of
from tests.security.test_roles import actor, allowed
from tests.security.walk import (
    OWN,
    ROLES,
    UNSAFE,
    World,
    api_body,
    build_world,
    is_api,
    permission,
    routes,
    url_of,
)
from tests.web.test_english_walk import catalogue_runs, data_runs, runs, strings_in

NASTY = {
    "answers": {
        "plan_status": "令和元年",
        "formulation_year": "１２３４５６７８９０",
        "contact_phone": '=HYPERLINK("http://x")',
        "contact_email": "全角＠例.jp",
        "no_such_question": "＝SUM(A1:A9)",
    },
    "version": "一",
    "reason": "",
    "until": "令和元年13月32日 25時",
    "deadline": "令和元年2月30日",
    "reference_date": "１２月",
    "opens_at": "明日",
    "survey": "存在しない調査票",
    "title": "題" * 300,
    "municipalities": ["存在しない区", "999999"],
    "resend": "はい",
    "note": "備" * 500,
    "outcome": "？",
    "method": "伝書鳩",
    "on": "令和元年",
    "next_follow_up": "=NOW()",
    "received_on": "=SUM(A1)",
    "channel": "狼煙",
    "age_group": "百代",
    "caller": "本人？",
    "crime_related": "多分",
    "referred_to": "どこか;=1+1",
    "municipality": "架空市",
    "person": {"name": "", "phone": "〇三"},
    "needs": ["何か"],
    "consent": {"obtained_on": "昨日", "scope": ""},
}
"""A body for every write, each value wrong the way people get it wrong."""

BAD_QUERY = {
    "limit": "全角１０",
    "page": "-1",
    "fiscal_year": "令和元年",
    "recipient": "存在しない連携先",
    "status": "？",
    "search": "=1+1",
    "round": "一",
}
"""Query parameters as wrong (a list's that does not take one ignores it)."""

RUN_TOGETHER = re.compile(r"[a-z)][.!?][A-Z]")
"""Two English sentences with no space between them, as Japanese ones are joined."""

UNKNOWN_IDS = {
    "round_id": 999999,
    "code": "999999",
    "referral_id": 999999,
    "question": "no_such_question",
    "questionnaire_id": "no-such-questionnaire",
    "version": 999,
}


def messages_of(body: Any) -> Iterable[str]:
    """The messages of an error body: ``message``, and each field's (``{"field": [...]}``) or
    each cell's (``[{"sheet", "row", "column", "message"}]``); not the names it keys them by."""
    if not isinstance(body, dict):
        return
    if isinstance(body.get("message"), str):
        yield body["message"]
    errors = body.get("errors")
    if isinstance(errors, dict):
        yield from strings_in(list(errors.values()))
    elif isinstance(errors, list):
        for item in errors:
            yield from strings_in(item.get("message") if isinstance(item, dict) else item)


class Walk:
    """Requests in one language; each error's Japanese beyond what may be, by request."""

    def __init__(self, app: Flask, client: FlaskClient, language: str | None) -> None:
        self.client = client
        self.language = language
        self.allowed_runs = data_runs(app) | catalogue_runs()
        self.statuses: Counter[int] = Counter()
        self.messages: dict[str, list[str]] = {}
        self.japanese: dict[str, list[str]] = {}
        self.run_together: list[str] = []

    def __call__(
        self,
        method: str,
        url: str,
        *,
        token: str | None,
        query: dict[str, str] | None = None,
        sent: Any = None,
        **kwargs: Any,
    ) -> Any:
        params = dict(query or {})
        if self.language:
            params["lang"] = self.language
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = self.client.open(
            url, method=method, query_string=params, headers=headers, **kwargs
        )
        where = f"{method} {url} {sorted(params)} {kwargs.get('content_type', '')}: "
        where += str(answer.status_code)
        assert answer.status_code < 500, where
        self.statuses[answer.status_code] += 1
        if answer.status_code >= 400 and answer.is_json:
            said = list(messages_of(answer.get_json()))
            assert said, f"{where}: an error without a message"
            self.messages[where] = said
            typed = runs(strings_in(sent)) | runs(strings_in(query))
            left = sorted(runs(said) - self.allowed_runs - typed)
            if left:
                self.japanese[where] = [*left, *said]
            if self.language == "en":
                self.run_together += [m for m in said if RUN_TOGETHER.search(m)]
        return answer


def walk_routes(app: Flask, walk: Walk, world: World, role: str) -> None:
    """Every API route as ``role``: once as it is (refused if the role may not), and — where the
    role may — with unknown ids and with bodies and queries that are wrong in every way."""
    _web, token = actor(app, role)
    unknown = {**world.ids, **UNKNOWN_IDS}
    for rule, method in routes(app):
        if not is_api(rule):
            continue
        url = url_of(rule, world.ids)
        body = api_body(url, world.version) if method in UNSAFE else None
        walk(method, url, token=token, json=body, sent=body)
        if not allowed(role, permission(app, rule)):
            continue
        walk(method, url_of(rule, unknown), token=token, json=body, sent=body)
        if method not in UNSAFE:
            walk(method, url, token=token, query=BAD_QUERY)
            continue
        walk(method, url, token=token, data='{"answers": {', content_type="application/json")
        walk(method, url, token=token, data="answers=1", content_type="text/plain")
        walk(method, url, token=token, json=[])
        walk(method, url, token=token, json={})
        walk(method, url, token=token, json=NASTY, sent=NASTY)
        nasty = {**NASTY, "version": world.version}  # past the version, to the answers
        walk(method, url, token=token, json=nasty, sent=nasty)
        if url.endswith("/template") or url.endswith("/questionnaires"):
            walk(method, url, token=token, data={}, content_type="multipart/form-data")
            walk(
                method,
                url,
                token=token,
                data={"version": "一", "file": (_file("=1+1"), "回答.xlsx")},
                content_type="multipart/form-data",
                sent={"version": "一"},
            )


def _file(text: str) -> Any:
    from io import BytesIO

    return BytesIO(text.encode())


@pytest.fixture
def world(app: Flask, shared_always: None) -> World:
    return build_world(app)


@pytest.mark.parametrize("role", ROLES)
def test_every_api_error_of_every_role_reads_in_english(
    app: Flask, client: FlaskClient, world: World, role: str
):
    walk = Walk(app, client, "en")
    walk_routes(app, walk, world, role)
    assert walk.statuses[401 if role == "anonymous" else 403] > 0 or role == Role.ADMIN
    if role in (Role.STAFF, Role.RESPONDENT, Role.WINDOW):
        assert {400, 404, 415, 422} <= set(walk.statuses), walk.statuses
    assert not walk.japanese, "\n".join(f"{w}\n  {found}" for w, found in walk.japanese.items())
    assert not walk.run_together


@pytest.mark.parametrize("role", [Role.STAFF, Role.COUNTERPART])
def test_the_same_walk_without_lang_finds_japanese_in_every_message(
    app: Flask, client: FlaskClient, world: World, role: str
):
    """The control: what the English walk reads is the hub's own words, and it would see them."""
    walk = Walk(app, client, None)
    walk_routes(app, walk, world, role)
    assert len(walk.messages) > 10
    assert sorted(walk.japanese) == sorted(walk.messages)


def test_the_errors_a_walk_cannot_reach_by_chance_read_in_english(
    app: Flask, client: FlaskClient, shared_always: None
):
    """No token, a revoked one, a counterpart reading another recipient's log or none assigned,
    a stale version, a response locked once submitted, a closed round, a passed deadline,
    answers that are invalid, an unknown round: each refused with its status, in English —
    and, as the control, in Japanese without ``?lang=en``."""
    with app.app_context():
        open_id = make_round().id
        closed = make_round(reference_date=date(2022, 4, 1))
        close_round(closed, user=None)
        late_id = make_round(
            reference_date=date(2023, 4, 1),
            opens_at=utcnow() - timedelta(days=3),
            deadline=utcnow() - timedelta(hours=1),
        ).id
        closed_id = closed.id
        staff = make_user(role=Role.STAFF)
        respondent = make_user(role=Role.RESPONDENT, municipality=OWN)
        moj = make_user(role=Role.COUNTERPART, recipient="moj")
        unassigned = make_user(role=Role.COUNTERPART, recipient="tokyo-probation")
        revoked = make_user(role=Role.STAFF)
        tokens = {u.id: create_token(u) for u in (staff, respondent, moj, unassigned, revoked)}
        revoke_token(
            db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == revoked.id)),
            actor=None,
        )
        db.session.get_one(User, unassigned.id).recipient_name = None
        submitted = response_of(open_id, "131024")
        responses.save_draft(submitted, complete_answers(), version=0, user=staff)
        responses.submit(submitted, user=staff)
        saved = response_of(open_id, OWN)
        responses.save_draft(saved, {"contact_name": "都庁 花子"}, version=0, user=respondent)
        version, locked = saved.version, submitted.version
        db.session.commit()
        ids = {name: tokens[u.id] for name, u in (
            ("staff", staff), ("respondent", respondent), ("moj", moj),
            ("unassigned", unassigned), ("revoked", revoked),
        )}  # fmt: skip
    own = f"/api/v1/rounds/{open_id}/responses/{OWN}"
    bad_answers = {"answers": {"contact_phone": "でんわ", "contact_email": "メール"}}
    cases: list[tuple[int, str, str, str | None, Any]] = [
        (401, "GET", "/api/v1/rounds", None, None),
        (401, "GET", "/api/v1/rounds", ids["revoked"], None),
        (403, "GET", "/api/v1/deliveries?recipient=tokyo-probation", ids["moj"], None),
        (403, "GET", "/api/v1/deliveries", ids["unassigned"], None),
        (403, "GET", "/api/v1/deliveries", ids["respondent"], None),
        (404, "GET", f"/api/v1/rounds/{open_id + late_id + 1000}", ids["staff"], None),
        (409, "PUT", own, ids["respondent"], {"answers": {}, "version": version - 1}),
        (409, "PUT", f"/api/v1/rounds/{open_id}/responses/131024", ids["staff"],
         {"answers": {}, "version": locked}),
        (409, "POST", f"/api/v1/rounds/{closed_id}/responses/{OWN}/submit", ids["respondent"],
         {}),
        (409, "POST", f"/api/v1/rounds/{late_id}/responses/{OWN}/submit", ids["respondent"], {}),
        (409, "POST", f"/api/v1/rounds/{open_id}/responses/{OWN}/accept", ids["staff"], {}),
        (422, "POST", f"{own}/submit", ids["respondent"], {}),
        (422, "PUT", own, ids["respondent"], {**bad_answers, "version": version}),
        (422, "POST", f"{own}/submit", ids["respondent"], bad_answers),
        (422, "POST", f"{own}/return", ids["staff"], {"reason": "　"}),
    ]  # fmt: skip
    for language in ("en", None):
        walk = Walk(app, client, language)
        for status, method, url, token, body in cases:
            path, _, query = url.partition("?")
            answer = walk(
                method,
                path,
                token=token,
                query=dict([query.split("=")]) if query else None,
                json=body,
                sent=body,
            )
            assert answer.status_code == status, (method, url, answer.get_json())
        if language:
            assert not walk.japanese, "\n".join(f"{w}\n  {j}" for w, j in walk.japanese.items())
            assert not walk.run_together
        else:
            assert sorted(walk.japanese) == sorted(walk.messages)


@pytest.mark.parametrize(
    ("header", "english"),
    [
        ("en", True),
        ("en-US,en;q=0.9", True),
        ("fr, en;q=0.5", True),
        ("ja,en;q=0.8", False),
        ("fr", False),
        ("*", False),
    ],
)
def test_an_api_caller_may_ask_for_english_by_accept_language(
    client: FlaskClient, staff: Api, header: str, english: bool
) -> None:
    """A program that says ``Accept-Language: en`` is answered in English, as with ``?lang=en``
    (before: Japanese whatever it asked); ``?lang=ja`` still wins, and the pages do not follow the
    header."""
    headers = {**staff.headers(), "Accept-Language": header}
    refused = client.post("/api/v1/rounds", json={"survey": 1}, headers=headers)
    assert refused.status_code == 422
    message = refused.get_json()["message"]
    assert (JAPANESE.search(message) is None) is english, message
    asked_ja = client.post("/api/v1/rounds?lang=ja", json={"survey": 1}, headers=headers)
    assert JAPANESE.search(asked_ja.get_json()["message"])
    page = client.get("/login", headers={"Accept-Language": header})
    assert "ログイン" in page.get_data(as_text=True)
