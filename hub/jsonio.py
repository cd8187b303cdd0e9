"""JSON out of the app with orjson (Flask's ``app.json``), written as Flask's own provider would.

Flask's rules are kept: keys sorted, dates and times as Flask writes them (the API's bodies are
already strings from marshmallow), dataclasses and ``__html__`` through Flask's fallback; UTF-8
instead of ``\\uXXXX`` escapes. What orjson cannot write (an integer beyond 64 bits, a lone
surrogate, a ``dumps`` call with options such as ``indent``) is written by Flask's provider.
Input stays with Python's parser: it takes what people's systems send today (a lone surrogate
escaped in a string, which the answers then drop), where orjson would refuse the whole body.

JSON into the app: :class:`JsonRequest` (Flask's ``app.request_class``) hands every reader of a
JSON body — Flask's ``get_json``, the API's argument parser (webargs), the depth and NUL checks of
:mod:`hub.security` — the body without a leading UTF-8 byte order mark, which PowerShell and some
Windows tools write by default and RFC 8259 §8.1 lets a parser ignore.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Request
from flask.json.provider import DefaultJSONProvider

BOM = b"\xef\xbb\xbf"

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
        if data.startswith(BOM) and self.is_json:
            data = data[len(BOM) :]
        return data.decode(errors="replace") if as_text else data
