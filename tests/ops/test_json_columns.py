"""JSON columns are written with orjson, with Python's json for whatever orjson refuses: every
value stores and reads back as it did with Python's json alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import db, write_json
from hub.models import AuditEvent, ResponseState
from hub.services import audit


@dataclass
class Point:
    x: int


STORABLE: list[Any] = [
    {"q1": "全角　テキスト、改行\nも", "q2": [1, 2.5, None, True], "q3": {"z": "=SUM(A1)"}},
    {"state": ResponseState.SUBMITTED, "empty": {}, "list": []},
    {"big": 2**80, "small": -(2**63), "float": 0.1},
    {"lone": "特に\ud800なし"},
    "plain",
    12,
]


@pytest.mark.parametrize("value", STORABLE)
def test_written_text_reads_back_as_pythons_json_would(value: Any) -> None:
    assert json.loads(write_json(value)) == json.loads(json.dumps(value))


def test_japanese_is_written_as_utf8() -> None:
    assert write_json({"q": "東京都"}) == '{"q":"東京都"}'


@pytest.mark.parametrize("value", [datetime(2026, 11, 29, tzinfo=UTC), date(2026, 4, 1), Point(1)])
def test_what_pythons_json_refused_is_still_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        write_json({"value": value})


def test_a_json_column_round_trips_through_the_database(ctx: Flask) -> None:
    details = {
        "changed": ["q1", "q2"],
        "typed": "令和元年５月１日　＝ＳＵＭ（Ａ１）",
        "big": 2**70,
        "nested": {"list": [1, 2.5, None, True, "全角"]},
    }
    audit.record("test.json", user=None, target="json/1", **details)
    db.session.commit()
    db.session.expunge_all()
    stored = db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "test.json"))
    assert stored == details
