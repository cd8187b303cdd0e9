"""How errors reach people: JSON under ``/api``, a page elsewhere, never a traceback."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from hub.auth.gate import current_actor, is_api_request
from hub.db import db, discard_session
from hub.errors import Hidden, HubError, Invalid, Refused, flatten_errors
from hub.services import audit


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
    rollback_quietly()
    if isinstance(exc, Hidden):
        record_refusal(exc.action)
    elif isinstance(exc, Refused):
        record_refusal(exc.action, route=f"{request.method} {request.url_rule}")
    errors = exc.errors if isinstance(exc, Invalid) else None
    body, status = _body(exc.status, exc.message, errors, _jsonable(exc.details))
    if status == 401:
        return body, status, {"WWW-Authenticate": "Bearer"}
    return body, status


def handle_http_exception(exc: HTTPException) -> Any:
    if exc.response is not None and not is_api_request():
        return exc.response
    status = exc.code or 500
    rollback_quietly()
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    message = _messages().get(status, exc.name)
    if _is_unreadable_json(messages):
        return _body(status, _("リクエスト本文を JSON として読めません。"), None, {})
    errors = None
    if isinstance(messages, dict):
        errors = {
            field: [japanese(m) for m in msgs]
            for field, msgs in flatten_errors(_unwrap_location(messages)).items()
        }
    body, status = _body(status, message, errors, {})
    return body, status, _kept_headers(exc)


def _kept_headers(exc: HTTPException) -> dict[str, str]:
    """The headers Werkzeug's own answer would carry that the rebuilt one must keep: ``Allow``
    of a 405, ``WWW-Authenticate`` of a 401."""
    kept = {
        name: value
        for name, value in exc.get_headers()
        if name.lower() in ("allow", "www-authenticate")
    }
    if exc.code == 401 and "WWW-Authenticate" not in kept:
        kept["WWW-Authenticate"] = "Bearer"
    return kept


def _is_unreadable_json(messages: Any) -> bool:
    """webargs' answer to a body that is not JSON: ``{"json": ["Invalid JSON body."]}``."""
    return (
        isinstance(messages, dict)
        and set(messages) == {"json"}
        and isinstance(messages["json"], list)
    )


def _marshmallow_japanese() -> dict[str, str]:
    return {
        "Missing data for required field.": _("必須の項目です。"),
        "Field may not be null.": _("null は指定できません。"),
        "Invalid value.": _("値が正しくありません。"),
        "Not a valid integer.": _("整数で指定してください。"),
        "Not a valid number.": _("数値で指定してください。"),
        "Number too large.": _("数が大きすぎます。"),
        "Not a valid string.": _("文字列で指定してください。"),
        "Not a valid utf-8 string.": _("UTF-8 の文字列で指定してください。"),
        "Not a valid mapping type.": _("オブジェクト（{…}）で指定してください。"),
        "Not a valid list.": _("リスト（[…]）で指定してください。"),
        "Not a valid boolean.": _("true か false で指定してください。"),
        "Not a valid date.": _("日付は YYYY-MM-DD で指定してください。"),
        "Invalid type.": _("値の型が正しくありません。"),
        "Invalid input type.": _("JSON オブジェクト（{…}）で送ってください。"),
        "Unknown field.": _("この項目は受け付けていません。"),
        "Special numeric values (nan or infinity) are not permitted.": _(
            "NaN や Infinity は使えません。"
        ),
    }


_DATETIME_RE = re.compile(r"Not a valid (?:aware |naive )?datetime\.")
_BETWEEN_RE = re.compile(r"Must be greater than or equal to (.+) and less than or equal to (.+)\.")
_RANGE_RE = re.compile(r"Must be (greater|less) than( or equal to)? (.+)\.")
_LONGER_RE = re.compile(r"Longer than maximum length (\d+)\.")
_SHORTER_RE = re.compile(r"Shorter than minimum length (\d+)\.")
_LENGTH_BETWEEN_RE = re.compile(r"Length must be between (\d+) and (\d+)\.")
_ONE_OF_RE = re.compile(r"Must be one of: (.*)\.")


def japanese(message: str) -> str:
    """marshmallow's and webargs' built-in English messages, in Japanese (others unchanged)."""
    known = _marshmallow_japanese().get(message)
    if known is not None:
        return known
    if _DATETIME_RE.fullmatch(message):
        return _("日時はタイムゾーン付きで指定してください（例: 2021-04-30T17:00:00+09:00）。")
    if match := _BETWEEN_RE.fullmatch(message):
        low, high = match.groups()
        return _("%(low)s以上%(high)s以下で指定してください。", low=low, high=high)
    if match := _RANGE_RE.fullmatch(message):
        direction, or_equal, bound = match.groups()
        if direction == "greater":
            return (
                _("%(bound)s以上で指定してください。", bound=bound)
                if or_equal
                else _("%(bound)sより大きい値で指定してください。", bound=bound)
            )
        return (
            _("%(bound)s以下で指定してください。", bound=bound)
            if or_equal
            else _("%(bound)sより小さい値で指定してください。", bound=bound)
        )
    if match := _LONGER_RE.fullmatch(message):
        return _("%(limit)s文字以内で指定してください。", limit=match.group(1))
    if match := _SHORTER_RE.fullmatch(message):
        return _("%(limit)s文字以上で指定してください。", limit=match.group(1))
    if match := _LENGTH_BETWEEN_RE.fullmatch(message):
        low, high = match.groups()
        return _("%(low)s文字以上%(high)s文字以内で指定してください。", low=low, high=high)
    if match := _ONE_OF_RE.fullmatch(message):
        return _("%(choices)s のいずれかで指定してください。", choices=match.group(1))
    return message


def _unwrap_location(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors under the location ("json"); the API names fields directly."""
    if set(messages) <= {"json", "form", "query", "files", "headers"} and len(messages) == 1:
        inner = next(iter(messages.values()))
        if isinstance(inner, dict):
            return inner
    return messages


TARGET_LENGTH = 200
"""The audit log's ``target`` column: the ids of a probing path longer than that are cut."""


def record_refusal(action: str, route: str | None = None) -> None:
    """The audit row of a refused look at something hidden (404) or a step the role may never
    take (403, with its ``route``): who, and the ids of the path — never the body or the query
    (the answer stays what it is; a failure to record is logged)."""
    ids = "/".join(str(v) for v in (request.view_args or {}).values())[:TARGET_LENGTH]
    try:
        details: dict[str, Any] = {"route": route} if route else {}
        audit.record(action, user=current_actor(), target=ids, **details)
        db.session.commit()
    except DBAPIError:
        current_app.logger.exception("the refusal %s could not be recorded", action)
        rollback_quietly()


def rollback_quietly() -> None:
    """Roll back; when the database itself is gone, there is nothing to roll back."""
    try:
        db.session.rollback()
    except DBAPIError:
        discard_session()


DATABASE_UNAVAILABLE_JA = (
    "データベースに一時的に接続できません。入力内容はまだ保存されていません。"
    "しばらくしてからもう一度操作してください。"
)
DATABASE_UNAVAILABLE_EN = (
    "The database cannot be reached for a moment. Nothing was saved yet; please try again shortly."
)


def _unavailable_page() -> str:
    """A page built without templates: Flask-Login's context processor would load the user."""
    css = escape(url_for("static", filename="hub.css"))
    again = escape(request.full_path.rstrip("?"))
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>再犯防止 連携調査ハブ</title>"
        f'<link rel="stylesheet" href="{css}"></head>'
        f'<body><main id="main" class="container"><h1>{DATABASE_UNAVAILABLE_JA}</h1>'
        f'<p lang="en">{DATABASE_UNAVAILABLE_EN}</p>'
        f'<p><a href="{again}">再読み込み / Reload</a></p></main></body></html>'
    )


def handle_database_unavailable(exc: Exception) -> Any:
    """The database dropped the connection or is restarting: 503, try again shortly.

    Nothing here may touch the database again (no signed-in user, no locale from the account),
    so the page is a standalone one in both languages.
    """
    rollback_quietly()
    current_app.logger.warning(
        "database unavailable on %s %s: %s", request.method, request.path, type(exc).__name__
    )
    if is_api_request():
        english = request.cookies.get("lang") == "en"
        message = DATABASE_UNAVAILABLE_EN if english else DATABASE_UNAVAILABLE_JA
        response = make_response(jsonify({"message": message}), 503)
    else:
        response = make_response(_unavailable_page(), 503)
    response.headers["Retry-After"] = "5"
    return response


def handle_unexpected(exc: Exception) -> Any:
    if isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return handle_database_unavailable(exc)
    rollback_quietly()
    if isinstance(exc, RecursionError):
        current_app.logger.warning("nesting too deep on %s %s", request.method, request.path)
        return _body(400, _("リクエストの入れ子が深すぎます。"), None, {})
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return _body(500, _messages()[500], None, {})


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in details.items()
        if isinstance(v, str | int | float | bool | dict | list | None)
    }


def init_app(app: Flask) -> None:
    """The handlers every request gets. Pages may register their own for narrower errors (the
    CSRF refusal: :func:`hub.web.init_app`); Flask picks the most specific one."""
    app.register_error_handler(HubError, handle_hub_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
