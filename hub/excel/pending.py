"""An upload between its preview and its confirmation, kept in a signed form field.

The parsed answers travel to the browser and back inside a token signed with the app's secret
key, bound to the user, the response and the version the preview was made against, and valid for
an hour. The browser can carry the token but cannot change what it holds; a changed or expired
token is refused and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from hub.errors import HubError
from hub.models import Response, User

SALT = "hub.excel.pending-upload"
MAX_AGE_SECONDS = 60 * 60
MAX_TOKEN_CHARS = 256 * 1024


class PendingExpired(HubError):
    status = 400


@dataclass(frozen=True)
class Pending:
    answers: dict[str, Any]
    version: int
    cells: dict[str, str]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=SALT)


def sign(response: Response, user: User, pending: Pending) -> str:
    token = _serializer().dumps(
        {
            "round": response.round_id,
            "code": response.municipality_code,
            "user": user.id,
            "version": pending.version,
            "answers": pending.answers,
            "cells": pending.cells,
        }
    )
    if len(token) > MAX_TOKEN_CHARS:
        raise HubError(_("アップロードした内容が大きすぎるため確認画面を作れません。"))
    return token


def load(token: str, response: Response, user: User) -> Pending:
    """The pending upload, only if this user made it for this response within the hour."""
    expired = PendingExpired(
        _(
            "確認の有効期限が切れたか、確認画面の内容が正しくありません。"
            "お手数ですが、もう一度ファイルをアップロードしてください。"
        )
    )
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise expired
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        raise expired from None
    if (
        not isinstance(data, dict)
        or data.get("round") != response.round_id
        or data.get("code") != response.municipality_code
        or data.get("user") != user.id
        or not isinstance(data.get("answers"), dict)
        or not isinstance(data.get("version"), int)
    ):
        raise expired
    return Pending(
        answers=data["answers"], version=data["version"], cells=dict(data.get("cells") or {})
    )
