"""The URL converters of every route (pages and API), installed by ``create_app``."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map, ValidationError

from hub.db import MAX_ID


class DatabaseId(IntegerConverter):
    """``<int:…>`` of every route: a whole number up to ``MAX_ID``. A larger one is 404, like an
    id that does not exist, instead of overflowing the database driver (500).

    The 404 is raised here rather than as a ``ValidationError``: Werkzeug's matcher answers that
    with 405 when the same path has a rule for another method (``PATCH /rounds/<id>``)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


def init_app(app: Flask) -> None:
    """Before any route is added: the rules take their converter when they are registered."""
    app.url_map.converters["int"] = DatabaseId
