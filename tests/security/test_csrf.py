"""CSRF on every browser POST: each non-API write in the URL map, posted without a token by a
signed-in user of every role, is a 400 and changes nothing. The API is exempt because it takes
no cookies at all: only a bearer token."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import Base, db
from hub.models import Role
from tests.security.test_roles import actor
from tests.security.walk import UNSAFE, World, build_world, is_api, request, routes, url_of


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


def snapshot(app: Flask) -> dict[str, list[Any]]:
    """Every row of every table, in a stable order."""
    with app.app_context():
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in db.session.execute(select(table))), key=str
            )
            for table in Base.metadata.sorted_tables
        }


def page_writes(app: Flask) -> list[tuple[Any, str]]:
    return [(rule, method) for rule, method in routes(app) if method in UNSAFE and not is_api(rule)]


@pytest.mark.parametrize("role", ["anonymous", Role.RESPONDENT, Role.STAFF, Role.ADMIN])
def test_every_page_post_without_a_token_is_refused_and_changes_nothing(app, world, role):
    web, _ = actor(app, role)
    before = snapshot(app)
    writes = page_writes(app)
    assert len(writes) >= 20
    for rule, method in writes:
        url = url_of(rule, world.ids)
        answer = request(web.client, rule, method, url, version=world.version, csrf=None)
        assert answer.status_code == 400, f"{role} {method} {url}: {answer.status_code}"
    assert snapshot(app) == before
    if role != "anonymous":
        home = web.get("/")
        assert home.status_code == 302
        assert not home.headers["Location"].startswith("/login"), "still signed in"


def test_a_token_from_another_session_is_refused(app, world):
    staff, _ = actor(app, Role.STAFF)
    other, _ = actor(app, Role.STAFF)
    stolen = other.csrf()
    url = f"/staff/rounds/{world.ids['round_id']}/close"
    assert staff.client.post(url, data={"csrf_token": stolen}).status_code == 400


def test_the_walk_would_see_writes_that_carry_a_token(app, world):
    """Control: with the token the same posts reach their views (so 400 above is CSRF)."""
    web, _ = actor(app, Role.STAFF)
    token = web.csrf()
    statuses = []
    for rule, method in page_writes(app):
        url = url_of(rule, world.ids)
        statuses.append(
            request(web.client, rule, method, url, version=world.version, csrf=token).status_code
        )
    assert sum(status != 400 for status in statuses) >= len(statuses) - 2


def test_the_api_takes_a_bearer_token_and_no_csrf_token(app, world, api_as):
    api = api_as("staff")
    url = f"/rounds/{world.ids['round_id']}/responses/{world.ids['code']}"
    saved = api.put(url, {"answers": {"contact_name": "都庁 次郎"}, "version": world.version})
    assert saved.status_code == 200, saved.get_json()


def test_the_api_ignores_a_browser_session(app, world):
    """A signed-in browser's cookie does not authenticate an API call, so a forged cross-site
    request to the API (which has no CSRF check) carries no authority."""
    web, _ = actor(app, Role.STAFF)
    url = f"/api/v1/rounds/{world.ids['round_id']}/responses/{world.ids['code']}"
    assert web.client.get(url).status_code == 401
    body = {"answers": {"contact_name": "改ざん"}, "version": world.version}
    assert web.client.put(url, json=body).status_code == 401
