"""Deny by default: every request passes here before its view runs.

API requests are identified by their bearer token, browser requests by their Flask-Login session.
A view without a declared permission is refused, so a forgotten decorator fails closed.
"""

from __future__ import annotations

from flask import Flask, current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from hub.auth.policy import ACCESS_ATTR, PUBLIC, permits, refused
from hub.auth.tokens import user_for_token
from hub.errors import Forbidden, HubError
from hub.models import User

PUBLIC_ENDPOINTS = frozenset({"static", "api-docs.openapi_json", "health.healthz"})
WHILE_CHANGING_PASSWORD = frozenset({"auth.password", "auth.logout"})
"""All a signed-in user whose password must be changed may reach besides public pages."""


class Unauthorized(HubError):
    status = 401


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def permission_of(endpoint: str) -> str | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None)


def bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_token(token.strip())


def current_actor() -> User | None:
    """The user behind this request, whichever way they authenticated."""
    return g.get("actor")


def require_actor() -> User:
    """The user behind this request, in a view that needs one (every view but the public ones:
    the gate has already turned anonymous requests away, so this only guards a mistake)."""
    user = current_actor()
    if user is None:
        raise Unauthorized(_("認証が必要です。"))
    return user


def check_access() -> WerkzeugResponse | None:
    endpoint = request.endpoint
    if endpoint is None:
        return None
    permission = permission_of(endpoint)
    if permission is None:
        current_app.logger.error("view %s declares no permission; refused", endpoint)
        raise Forbidden(_("このページへのアクセスは許可されていません。"))
    if endpoint == "static":
        return None  # a file is the same for everyone: no need to know who asks (no query)
    if is_api_request():
        user = bearer_user()
    else:
        user = current_user._get_current_object() if current_user.is_authenticated else None
    g.actor = user
    if permission == PUBLIC:
        return None
    if must_change_password(user) and endpoint not in WHILE_CHANGING_PASSWORD:
        return redirect(url_for("auth.password"))
    if user is None:
        if is_api_request():
            raise Unauthorized(_("認証が必要です（Authorization: Bearer トークン）。"))
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not permits(user, permission):
        raise refused(permission, _("この操作を行う権限がありません。"))
    return None


def must_change_password(user: User | None) -> bool:
    """A browser session whose user must replace a password someone else set (an administrator's
    reset, a new account): every page but the password page sends them there. API tokens are
    the user's own credentials and keep working."""
    return user is not None and user.must_change_password and not is_api_request()


def init_app(app: Flask) -> None:
    app.before_request(check_access)
