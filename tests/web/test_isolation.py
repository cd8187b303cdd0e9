"""Respondent isolation on every page and download: a respondent of 千代田区 walks the whole URL
map with the ids of 八王子市's response, user and token, and must never see or change them."""

from __future__ import annotations

import html
import io
import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter, Rule

from hub.auth.gate import PUBLIC_ENDPOINTS
from hub.auth.policy import ACCESS_ATTR, PERMISSIONS, PUBLIC
from hub.db import db
from hub.models import ApiToken, Response, User
from hub.services import responses
from hub.services.users import create_token
from tests.conftest import complete_answers, make_round, make_user, response_of

ATTACKER, VICTIM = "131016", "132012"
SECRET = "八王子の秘密の回答ZQX"
SKIP_POST = {"auth.logout", "auth.login"}


@pytest.fixture
def victim(app) -> dict[str, Any]:
    """八王子市's submitted response (with a marker in it), its user and API token."""
    with app.app_context():
        round_id = make_round().id
        user = make_user(role="respondent", municipality=VICTIM)
        response = response_of(round_id, VICTIM)
        responses.submit(
            response,
            raw_answers=complete_answers(contact_name=SECRET, comments=SECRET),
            user=user,
        )
        create_token(user, description=SECRET)
        db.session.commit()
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
        return {
            "round_id": round_id,
            "code": VICTIM,
            "user_id": user.id,
            "token_id": token_id,
            "version": response.version,
        }


def readable(body: bytes) -> str:
    """What a page or download says: the text of every part of an xlsx (a zip), JSON with its
    \\u escapes read, or the body with character references resolved."""
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return html.unescape(
                "".join(
                    archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                )
            )
    text = body.decode("utf-8", "replace")
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return html.unescape(text)


def url_for_rule(rule: Rule, ids: dict[str, Any]) -> str | None:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name in ids:
            values[name] = ids[name]
        elif isinstance(rule._converters[name], IntegerConverter):
            values[name] = ids["round_id"]
        else:
            values[name] = ids["code"]
    try:
        return rule.build(values, append_unknown=False)[1]
    except (ValueError, TypeError, KeyError):
        return None


def walk(app, methods: set[str]) -> list[tuple[Rule, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(methods & (rule.methods or set())):
            found.append((rule, method, rule.endpoint))
    return found


def test_every_endpoint_declares_a_permission(app):
    for endpoint, view in app.view_functions.items():
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        permission = getattr(view, ACCESS_ATTR, None)
        assert permission is not None, f"{endpoint} declares no permission"
        assert permission == PUBLIC or permission in PERMISSIONS, endpoint


def test_no_page_about_a_municipality_or_round_is_public(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, ACCESS_ATTR, None) != PUBLIC:
            continue
        assert not {"code", "round_id", "user_id", "token_id"} & set(rule.arguments), rule.rule
        assert not rule.rule.startswith(("/respond", "/staff", "/admin")), rule.rule


def test_another_municipality_sees_nothing_of_theirs_on_any_page(app, victim, web):
    attacker = web("respondent", municipality=ATTACKER)
    checked = 0
    for rule, _, endpoint in walk(app, {"GET"}):
        url = url_for_rule(rule, victim)
        if url is None or url.startswith("/api/"):
            continue
        answer = attacker.client.get(url)
        body = readable(answer.get_data())
        answer.close()
        assert SECRET not in body, f"{endpoint} {url} shows 八王子市's data"
        if "code" in rule.arguments:
            assert answer.status_code in (403, 404), f"{endpoint} {url}: {answer.status_code}"
        else:
            assert answer.status_code in (200, 302, 403, 404, 405), f"{endpoint} {url}"
        checked += 1
    assert checked >= 15


def test_another_municipality_can_change_nothing_of_theirs(app, victim, web):
    attacker = web("respondent", municipality=ATTACKER)
    attacker.get("/respond/")
    token = attacker.csrf()
    for rule, method, endpoint in walk(app, {"POST", "PUT", "DELETE", "PATCH"}):
        url = url_for_rule(rule, victim)
        if url is None or url.startswith("/api/") or endpoint in SKIP_POST:
            continue
        data = {
            "csrf_token": token,
            "version": str(victim["version"]),
            "reason": "x",
            "action": "save",
            "contact_name": "改ざん",
            "until": "2099-01-01 17:00",
            "municipality": ATTACKER,
        }
        answer = attacker.client.open(url, method=method, data=data)
        answer.close()
        if "code" in rule.arguments or rule.endpoint.startswith(("admin.", "staff.")):
            assert answer.status_code in (403, 404, 405), f"{endpoint} {url}: {answer.status_code}"
    assert_untouched(app, victim)


def test_another_municipality_can_reach_nothing_of_theirs_through_the_api(app, victim, client):
    with app.app_context():
        token = create_token(make_user(role="respondent", municipality=ATTACKER))
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for rule, method, endpoint in walk(app, {"GET", "POST", "PUT", "DELETE", "PATCH"}):
        url = url_for_rule(rule, victim)
        if url is None or not url.startswith("/api/"):
            continue
        answer = client.open(url, method=method, json=api_body(url, victim), headers=headers)
        text = readable(answer.get_data())
        answer.close()
        assert SECRET not in text, f"{endpoint} {method} {url}"
        if "code" in rule.arguments and method == "GET":
            assert answer.status_code in (403, 404), f"{endpoint} {method} {url}"
        elif "code" in rule.arguments:
            assert answer.status_code >= 400, f"{endpoint} {method} {url}: {answer.status_code}"
    assert_untouched(app, victim)


def api_body(url: str, victim: dict[str, Any]) -> dict[str, Any]:
    """A well-formed body for each write, so that only the access check can refuse it."""
    if url.endswith("/return"):
        return {"reason": "改ざん"}
    if url.endswith("/extension"):
        return {"until": "2099-01-01T17:00:00+09:00"}
    if url.endswith(("/submit", "/accept")):
        return {}
    return {"answers": {"contact_name": "改ざん"}, "version": victim["version"]}


def assert_untouched(app, victim: dict[str, Any]) -> None:
    with app.app_context():
        response = db.session.scalar(
            select(Response).filter_by(round_id=victim["round_id"], municipality_code=VICTIM)
        )
        assert response is not None
        assert response.version == victim["version"]
        assert response.state == "submitted"
        assert response.answers["contact_name"] == SECRET
        assert response.extension_until is None
        user = db.session.get(User, victim["user_id"])
        assert user is not None
        assert user.active
        assert user.municipality_code == VICTIM
        assert db.session.get(ApiToken, victim["token_id"]).revoked_at is None
        assert response.round.closed_at is None


def test_the_walk_would_see_a_leak(app, victim, web):
    """Control: walking the same URLs as staff finds 八王子市's answers, pages and downloads."""
    staff = web("staff")
    showing = set()
    for rule, _, endpoint in walk(app, {"GET"}):
        url = url_for_rule(rule, victim)
        if url is None or url.startswith("/api/"):
            continue
        answer = staff.client.get(url)
        if SECRET in readable(answer.get_data()):
            showing.add(endpoint)
        answer.close()
    assert "staff.response" in showing
    downloads = {"excel.download", "downloads.round_workbook"} & set(app.view_functions)
    assert downloads <= showing, downloads - showing


def test_the_api_walk_would_see_a_leak(app, victim, client):
    with app.app_context():
        token = create_token(make_user(role="staff"))
        db.session.commit()
    url = f"/api/v1/rounds/{victim['round_id']}/responses/{VICTIM}"
    answer = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert SECRET in readable(answer.get_data())
