"""Flask extensions, created here and configured in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect
from marshmallow import INCLUDE, Schema, fields


class ErrorOut(Schema):
    """Every error body of the API: ``message``; ``errors`` (``{field: [message, ...]}``) with
    422; a 409 for a stale version adds the current version, its answers and who saved it."""

    class Meta:
        unknown = INCLUDE

    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    current_version = fields.Integer()
    current_answers = fields.Dict()
    updated_by = fields.String(allow_none=True)


class HubApi(Api):
    """flask-smorest without its app-wide HTTP error handler: ``hub.errors_http`` answers instead,
    in JSON under ``/api`` and as pages elsewhere. Its error bodies are documented by ``ErrorOut``
    and every operation by the bearer scheme."""

    ERROR_SCHEMA = ErrorOut

    def _register_error_handlers(self) -> None:
        return None

    def document_bearer_auth(self) -> None:
        self.spec.components.security_scheme(
            "bearerAuth",
            {"type": "http", "scheme": "bearer", "description": "`hub token add EMAIL`"},
        )


csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
api = HubApi()
