"""Isolation walked over every referral route (API and pages) for every outsider role: a
referral someone may not see answers 404, exactly like one that does not exist, and a role that
may never take a step gets 403 whatever the id. Nothing of the person ever shows, every 404 is
recorded in the audit log (``referral.refused``: who tried which number), and so is every 403
(``referral.forbidden``: who, which route, which number — nothing that was sent)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from hub.auth.policy import permits
from hub.db import db
from hub.models import AuditEvent, User
from hub.services.users import find_by_email
from tests.referrals.conftest import NAME, Cast, referral_body
from tests.security.walk import api_body, form_body, permission, routes
from tests.web.conftest import Web, text_of

MISSING = 987654

OUTSIDERS = ("other_window", "respondent", "admin", "moj", "probation")


def referral_routes(app: Flask):
    return [(rule, method) for rule, method in routes(app) if "referral_id" in rule.arguments]


def test_every_referral_route_is_walked(app: Flask):
    endpoints = {rule.endpoint for rule, _ in referral_routes(app)}
    assert {"api.get_referral", "api.accept_referral", "referrals.case"} <= endpoints
    assert len(endpoints) == 15  # 8 API routes, 7 pages


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = find_by_email(email)
        assert user is not None
        db.session.expunge(user)
        return user


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_every_route_of_a_referral_they_may_not_see(
    app: Flask, cast: Cast, refer: Callable[..., int], who: str
):
    referral_id = refer()
    email = cast.emails[who]
    user = _user(app, email)
    web = Web(app)
    assert web.login(email).status_code == 302
    token = getattr(cast, who).token
    refused: list[str] = []
    forbidden: list[tuple[str, str]] = []
    for rule, method in referral_routes(app):
        needed = permission(app, rule)
        expected = 404 if permits(user, needed) else 403
        for target in (referral_id, MISSING):
            url = rule.build({"referral_id": target}, append_unknown=False)[1]
            if rule.rule.startswith("/api/"):
                body = api_body(url, 0) if method == "POST" else None
                answer = web.client.open(
                    url, method=method, json=body, headers={"Authorization": f"Bearer {token}"}
                )
            elif method == "POST":
                answer = web.client.post(url, data={**form_body(web.csrf()), "confirm": "yes"})
            else:
                answer = web.client.get(url)
            where = f"{who} {method} {url}: {answer.status_code}"
            assert answer.status_code == expected, where
            assert NAME not in answer.get_data(as_text=True), where
            if expected == 404:
                refused.append(str(target))
            else:
                forbidden.append((str(target), f"{method} {rule.rule}"))
    with app.app_context():
        recorded = db.session.scalars(
            select(AuditEvent.target).where(
                AuditEvent.action == "referral.refused", AuditEvent.user_id == user.id
            )
        ).all()
        probed = db.session.execute(
            select(AuditEvent.target, AuditEvent.details).where(
                AuditEvent.action == "referral.forbidden", AuditEvent.user_id == user.id
            )
        ).all()
    assert sorted(recorded) == sorted(refused)
    assert sorted((target, details["route"]) for target, details in probed) == sorted(forbidden)
    assert all(set(details) == {"route"} for _, details in probed)  # nothing that was sent
    assert cast.window.get(f"/referrals/{referral_id}").get_json()["status"] == "sent"
    assert cast.staff.get(f"/referrals/{referral_id}").get_json()["person"]["name"] == NAME


def test_a_role_that_may_never_refer_is_refused_and_recorded(app: Flask, cast: Cast) -> None:
    """A window, a respondent or 法務省 sending a referral — with a person in it — answers 403
    and leaves an audit row naming who and the route, and nothing of the person."""
    for who in ("window", "respondent", "moj"):
        answer = getattr(cast, who).post("/referrals", referral_body())
        assert answer.status_code == 403, who
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "referral.forbidden")
        ).all()
        assert sorted(row.user.email for row in rows if row.user) == sorted(
            cast.emails[who] for who in ("window", "respondent", "moj")
        )
        assert {row.details["route"] for row in rows} == {"POST /api/v1/referrals"}
        assert all(row.target == "" for row in rows)
        assert not any(NAME in f"{row.target} {row.details}" for row in rows)
    staff = Web(app)
    assert staff.login(cast.emails["staff"]).status_code == 302
    shown = text_of(staff.get("/audit/?action=referral.forbidden"))
    assert "権限のない役割によるつなぎの操作（403）" in shown
    assert "操作（メソッドとURL）: POST /api/v1/referrals" in shown
