"""``/api/v1``: the JSON API of docs/api.md, documented by flask-smorest as OpenAPI 3."""

from __future__ import annotations

import http
from typing import Any

from flask import Request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from hub.errors import HubError


class UnsupportedMediaType(HubError):
    status = 415


class JsonBodyParser(FlaskParser):
    """webargs' parser, which takes a body of another type (``text/plain``, a form) for no body
    at all — its fields then "missing", a 422 that hid the cause — refusing it (415) instead. No
    body (``POST …/submit`` with nothing sent) is still no body, whatever type it names."""

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            if req.get_data(cache=True):
                raise UnsupportedMediaType(
                    _("本文は JSON で送ってください（Content-Type: application/json）。")
                )
            return core.missing
        return super()._raw_load_json(req)


class JsonBlueprint(Blueprint):
    """flask-smorest's blueprint with :class:`JsonBodyParser`; each operation that takes a JSON
    body documents its 415."""

    ARGUMENTS_PARSER = JsonBodyParser()

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        decorate = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return decorate

        def decorator(func: Any) -> Any:
            wrapped = decorate(func)
            responses = wrapped._apidoc["arguments"]["responses"]
            responses[415] = http.HTTPStatus(415).name
            return wrapped

        return decorator


blp = JsonBlueprint(
    "api", __name__, url_prefix="/api/v1", description="Rounds, responses and aggregated tables"
)

from hub.api import consultations as _consultations  # noqa
from hub.api import deliveries as _deliveries  # noqa: E402,F401  (registers the routes)
from hub.api import exports as _exports  # noqa: E402,F401  (registers the routes)
from hub.api import municipalities as _municipalities  # noqa: E402,F401  (registers the routes)
from hub.api import referrals as _referrals  # noqa: E402,F401  (registers the routes)
from hub.api import rounds as _rounds  # noqa: E402,F401  (registers the routes)
from hub.api import questionnaires as _questionnaires  # noqa: E402,F401  (registers the routes)
from hub.api import templates as _templates  # noqa: E402,F401  (registers the routes)
