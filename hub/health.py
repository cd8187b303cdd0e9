"""``/healthz``: 200 when the database answers, 503 when it does not. No authentication."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hub.auth.policy import public
from hub.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz() -> Any:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "down"}), 503
    return jsonify({"status": "ok", "database": "ok"})


def describe(spec: Any, app: Flask) -> None:
    """``/healthz`` in the OpenAPI document beside ``/api/v1`` (no token needed)."""
    (rule,) = (r for r in app.url_map.iter_rules() if r.endpoint == "health.healthz")
    answer = {
        "type": "object",
        "properties": {"status": {"type": "string"}, "database": {"type": "string"}},
    }
    spec.path(
        rule=rule,
        operations={
            "get": {
                "summary": "200 when the database answers, 503 when it does not",
                "tags": ["health"],
                "security": [],
                "responses": {
                    "200": {
                        "description": '{"status": "ok", "database": "ok"}',
                        "content": {"application/json": {"schema": answer}},
                    },
                    "503": {
                        "description": '{"status": "unavailable", "database": "down"}',
                        "content": {"application/json": {"schema": answer}},
                    },
                },
            }
        },
    )
