"""Fixtures of the consultation-desk tests: the municipalities of the database and the 令和2年度
case list written to files as people save them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import db
from hub.models import Municipality
from tests.conftest import make_user, sign_in
from tests.consultations.cases import Case, r2_cases


@pytest.fixture
def municipalities(app: Flask) -> dict[str, tuple[str, str]]:
    """``{code: (name, region)}`` of the loaded municipalities (Tokyo's 62)."""
    with app.app_context():
        rows = db.session.execute(
            select(Municipality.code, Municipality.name, Municipality.region)
        ).all()
    return {code: (name, region) for code, name, region in rows}


@pytest.fixture
def names(municipalities: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {code: name for code, (name, _) in municipalities.items()}


@pytest.fixture
def r2(municipalities: dict[str, tuple[str, str]]) -> list[Case]:
    return r2_cases(sorted(municipalities))


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, bytes], Path]:
    def put(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return put


@pytest.fixture
def browser(app: Flask) -> Callable[..., FlaskClient]:
    """``browser("staff")``: a test client signed in through the login form as a new user."""

    def signed_in(role: str, **kwargs: str) -> FlaskClient:
        with app.app_context():
            user = make_user(role=role, **kwargs)
            email = user.email
        client = app.test_client()
        sign_in(client, email)
        return client

    return signed_in
