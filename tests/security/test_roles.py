"""The role checks, walked over the WHOLE URL map (pages and API) for every role: each answer
must agree with ``PERMISSIONS`` in hub/auth/policy.py. Path parameters are real ids (the
respondent's own municipality), so allowed views really run rather than answering 404."""

from __future__ import annotations

from collections import Counter

import pytest
from flask import Flask

from hub.auth.policy import PERMISSIONS, PUBLIC
from hub.db import db
from hub.models import Role
from hub.services.users import create_token
from tests.conftest import make_user
from tests.security.conftest import Web
from tests.security.walk import (
    OWN,
    ROLES,
    World,
    build_world,
    is_api,
    permission,
    request,
    routes,
    url_of,
)

REFUSED = (401, 403)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


def actor(app: Flask, role: str) -> tuple[Web, str | None]:
    """A signed-in browser and an API token for ``role`` (nothing for anonymous)."""
    if role == "anonymous":
        return Web(app), None
    kwargs = {"municipality": OWN} if role in (Role.RESPONDENT, Role.WINDOW) else {}
    if role == Role.COUNTERPART:
        kwargs = {"recipient": "moj"}
    with app.app_context():
        user = make_user(role=role, **kwargs)
        token = create_token(user)
        db.session.commit()
        email = user.email
    web = Web(app)
    assert web.login(email).status_code == 302
    return web, token


OBJECT_REFUSALS = {(Role.COUNTERPART, "referrals.refer")}
"""Permissions a role holds but the walk's user is refused by an object rule, with 403: the walk's
counterpart is 法務省 (``moj``), and only 東京保護観察所 may refer (``policy.ensure_may_refer``)."""


def allowed(role: str, needed: str) -> bool:
    return needed == PUBLIC or (role != "anonymous" and role in PERMISSIONS[needed])


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_policy_says(app: Flask, world: World, role: str):
    web, token = actor(app, role)
    csrf = web.csrf()
    outcomes: Counter[str] = Counter()
    for rule, method in routes(app):
        url = url_of(rule, world.ids)
        needed = permission(app, rule)
        answer = request(
            web.client, rule, method, url, version=world.version, token=token, csrf=csrf
        )
        where = f"{role} {method} {url} ({rule.endpoint}, {needed}): {answer.status_code}"
        assert answer.status_code < 500, where
        if (role, needed) in OBJECT_REFUSALS and answer.status_code == 403:
            outcomes["refused"] += 1
        elif allowed(role, needed):
            assert answer.status_code not in REFUSED, where
            assert not is_login_redirect(answer), where
            outcomes["allowed"] += 1
        elif role == "anonymous" and not is_api(rule):
            assert answer.status_code in REFUSED or is_login_redirect(answer), where
            outcomes["refused"] += 1
        else:
            expected = 401 if role == "anonymous" else 403
            assert answer.status_code == expected, where
            outcomes["refused"] += 1
    assert sum(outcomes.values()) == len(routes(app))
    assert outcomes["allowed"] > 0
    if role != Role.ADMIN:
        assert outcomes["refused"] > 0


def is_login_redirect(answer) -> bool:
    """The gate's answer to a page that needs a session: back to the login, to return here."""
    return answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=")


def test_the_walk_covers_every_view(app: Flask):
    walked = {rule.endpoint for rule, _ in routes(app)}
    assert walked == set(app.view_functions) - {"static"}


def test_the_sensitive_permissions_are_what_the_product_says():
    """A change to who may manage users, read every response or the audit log is deliberate."""
    assert PERMISSIONS["users.manage"] == {Role.ADMIN}
    assert PERMISSIONS["audit.read"] == {Role.STAFF, Role.ADMIN}
    assert PERMISSIONS["response.review"] == {Role.STAFF}
    assert PERMISSIONS["workbook.read"] == {Role.STAFF}
    assert PERMISSIONS["reminders.send"] == {Role.STAFF}
    assert Role.COUNTERPART not in PERMISSIONS["response.read"]
    assert Role.ADMIN not in PERMISSIONS["response.read"]
