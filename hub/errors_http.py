"""How errors reach people: JSON under ``/api``, a page elsewhere, never a traceback."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from hub.auth.gate import is_api_request
from hub.db import db
from hub.errors import HubError, Invalid, flatten_errors


def _messages() -> dict[int, str]:
    return {
        400: _("リクエストの形式が正しくありません。"),
        401: _("認証が必要です。"),
        403: _("この操作を行う権限がありません。"),
        404: _("見つかりません。"),
        405: _("この方法では操作できません。"),
        409: _("現在の状態ではこの操作はできません。"),
        413: _("ファイルまたはリクエストが大きすぎます。"),
        415: _("この形式のデータは受け付けられません。"),
        422: _("入力内容に誤りがあります。"),
        429: _("短時間に操作が集中しました。しばらく待ってからやり直してください。"),
        500: _("内部エラーが発生しました。入力した内容は保存されていない可能性があります。"),
    }


def _body(
    status: int, message: str, errors: dict[str, list[str]] | None, extra: dict[str, Any]
) -> Any:
    if is_api_request():
        payload: dict[str, Any] = {"message": message, **extra}
        if errors is not None:
            payload["errors"] = errors
        return jsonify(payload), status
    return render_template("error.html", status=status, message=message, errors=errors), status


def handle_hub_error(exc: HubError) -> Any:
    db.session.rollback()
    errors = exc.errors if isinstance(exc, Invalid) else None
    return _body(exc.status, exc.message, errors, _jsonable(exc.details))


def handle_http_exception(exc: HTTPException) -> Any:
    if exc.response is not None and not is_api_request():
        return exc.response
    status = exc.code or 500
    db.session.rollback()
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    errors = None
    if isinstance(messages, dict):
        errors = flatten_errors(_unwrap_location(messages))
    message = _messages().get(status, exc.name)
    return _body(status, message, errors, {})


def _unwrap_location(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors under the location ("json"); the API names fields directly."""
    if set(messages) <= {"json", "form", "query", "files", "headers"} and len(messages) == 1:
        inner = next(iter(messages.values()))
        if isinstance(inner, dict):
            return inner
    return messages


def handle_unexpected(exc: Exception) -> Any:
    db.session.rollback()
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return _body(500, _messages()[500], None, {})


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in details.items()
        if isinstance(v, str | int | float | bool | dict | list | None)
    }


def init_app(app: Flask) -> None:
    app.register_error_handler(HubError, handle_hub_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
