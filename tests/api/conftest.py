"""Helpers for the API tests: rounds made in their own app context, and tokens by role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from hub.db import utcnow
from tests.conftest import Api, make_round

CHIYODA = "131016"
CHUO = "131024"


@pytest.fixture
def new_round(app: Flask) -> Callable[..., int]:
    """``new_round(deadline=..., reference_date=...)``: open a round, return its id."""

    def make(**kwargs: Any) -> int:
        with app.app_context():
            return make_round(**kwargs).id

    return make


@pytest.fixture
def round_id(new_round: Callable[..., int]) -> int:
    return new_round()


@pytest.fixture
def staff(api_as: Callable[..., Api]) -> Api:
    return api_as("staff")


@pytest.fixture
def chiyoda(api_as: Callable[..., Api]) -> Api:
    """A respondent of 千代田区."""
    return api_as("respondent", municipality=CHIYODA)


def past(**delta: float) -> datetime:
    return utcnow() - timedelta(**delta)


def future(**delta: float) -> datetime:
    return utcnow() + timedelta(**delta)


def response_url(round_id: int, code: str = CHIYODA, action: str = "") -> str:
    suffix = f"/{action}" if action else ""
    return f"/rounds/{round_id}/responses/{code}{suffix}"


REFERENCE_DATE = date(2021, 4, 1)
