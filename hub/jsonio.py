"""JSON out of the app with orjson (Flask's ``app.json``), written as Flask's own provider would.

Flask's rules are kept: keys sorted, dates and times as Flask writes them (the API's bodies are
already strings from marshmallow), dataclasses and ``__html__`` through Flask's fallback; UTF-8
instead of ``\\uXXXX`` escapes. What orjson cannot write (an integer beyond 64 bits, a lone
surrogate, a ``dumps`` call with options such as ``indent``) is written by Flask's provider.
Input stays with Python's parser: it takes what people's systems send today (a lone surrogate
escaped in a string, which the answers then drop), where orjson would refuse the whole body.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

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
