"""JSON out of the app with orjson (Flask's ``app.json``), written as Flask's own provider would.

Flask's rules are kept: keys sorted, dates and times as Flask writes them (the API's bodies are
already strings from marshmallow), dataclasses and ``__html__`` through Flask's fallback; UTF-8
instead of ``\\uXXXX`` escapes. What orjson cannot write (an integer beyond 64 bits, a lone
surrogate, a ``dumps`` call with options such as ``indent``) is written by Flask's provider.
Input stays with Python's parser: it takes what people's systems send today (a lone surrogate
escaped in a string, half of a character a program cut in two), where orjson would refuse the
whole body.

JSON into the app: :class:`JsonRequest` (Flask's ``app.request_class``) hands every reader of a
JSON body — Flask's ``get_json``, the API's argument parser (webargs), the depth and NUL checks of
:mod:`hub.security` — the body without a leading UTF-8 byte order mark, which PowerShell and some
Windows tools write by default and RFC 8259 §8.1 lets a parser ignore — and without the lone
surrogates its strings and keys hold (``"\\ud800"``), dropped as :func:`forms.normalize.clean_text`
drops them from what it stores: no text can hold one, so the database refuses it, and a value
that every query reads as it came (a questionnaire's id, a municipality's code) was a 500 there.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
from flask import Request
from flask.json.provider import DefaultJSONProvider

BOM = b"\xef\xbb\xbf"

SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
"""How a JSON text writes a surrogate (only as an escape: UTF-8 cannot hold one); a pair that
makes one character is looked at too, and kept."""

LONE_SURROGATE = re.compile("[\ud800-\udfff]")

OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)

COMPACT = (",", ":")


class OrjsonProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("separators") == COMPACT:
            kwargs.pop("separators")  # what orjson writes anyway
        if not kwargs:
            try:
                return orjson.dumps(obj, default=self.default, option=OPTIONS).decode()
            except orjson.JSONEncodeError:
                pass
        return super().dumps(obj, **kwargs)


class JsonRequest(Request):
    """Flask's request, whose JSON body is read as if a leading byte order mark were absent."""

    def get_data(
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> Any:
        data = super().get_data(cache=cache, as_text=False, parse_form_data=parse_form_data)
        if self.is_json:
            if data.startswith(BOM):
                data = data[len(BOM) :]
            if SURROGATE_ESCAPE.search(data):
                data = without_lone_surrogates(data)
        return data.decode(errors="replace") if as_text else data


def without_lone_surrogates(body: bytes) -> bytes:
    """``body`` with the lone surrogates of its strings and keys left out; as it came when it is
    no JSON (the readers refuse it, 400) or nests too deep for this reading (400 likewise)."""
    try:
        document = json.loads(body)
        return json.dumps(_dropped(document), ensure_ascii=False).encode()
    except (ValueError, RecursionError):
        return body


def _dropped(value: Any) -> Any:
    if isinstance(value, str):
        return LONE_SURROGATE.sub("", value)
    if isinstance(value, dict):
        return {LONE_SURROGATE.sub("", key): _dropped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dropped(item) for item in value]
    return value
