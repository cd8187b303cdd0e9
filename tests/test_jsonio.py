"""The orjson provider writes what Flask's own provider wrote, value for value."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from hub.jsonio import OrjsonProvider
from hub.models import ResponseState


@dataclass
class Point:
    x: int
    label: str


VALUES: list[Any] = [
    {"b": 1, "a": [1, 2.5, None, True], "c": {"z": "全角　テキスト", "y": "=SUM(A1)"}},
    {"when": datetime(2026, 11, 29, 3, 0, tzinfo=UTC), "day": date(2021, 4, 1)},
    {"state": ResponseState.SUBMITTED},
    {3: "int key", 1: "another"},
    {"point": Point(1, "東京"), "html": Markup("<b>x</b>")},
    {"big": 2**80, "small": -(2**63)},
    {"lone": "特に\ud800なし"},
    [],
    "plain",
]


@pytest.mark.parametrize("value", VALUES)
def test_orjson_output_reads_back_as_flasks_does(value: Any) -> None:
    app = Flask(__name__)
    ours, flasks = OrjsonProvider(app), DefaultJSONProvider(app)
    with app.app_context():
        assert json.loads(ours.dumps(value)) == json.loads(flasks.dumps(value))
        body = ours.response(value)
        assert body.mimetype == "application/json"
        assert json.loads(body.get_data()) == json.loads(flasks.response(value).get_data())


def test_japanese_is_written_as_utf8_and_keys_sorted() -> None:
    app = Flask(__name__)
    text = OrjsonProvider(app).dumps({"b": "千代田区", "a": 1})
    assert text == '{"a":1,"b":"千代田区"}'


def test_the_app_uses_it(app: Flask) -> None:
    assert isinstance(app.json, OrjsonProvider)
