"""Protections every response and request gets, whichever blueprint serves it.

- Security headers: a strict Content-Security-Policy (no inline script or style, nothing from
  outside the hub), nosniff, no framing, no referrer leaks, HSTS when served over TLS.
- Sessions: an idle and an absolute timeout on top of the per-user session version that
  ``hub._load_user`` checks (bumped at logout, password change and deactivation).
- JSON bodies: a nesting limit, so a deeply nested body is a 400 and not a parser recursion error.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

ACCESS_LOG_FORMAT = '%(h)s %(l)s - %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
"""gunicorn's default without ``%(u)s``, the user name of an HTTP Basic header: an API client
that sends its token that way would otherwise have it written to the access log."""

IDLE_TIMEOUT_SECONDS = 30 * 60
ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60
MAX_JSON_DEPTH = 32
EXPIRED_POST_HANDLERS = "hub_expired_post_handlers"


def set_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if request.path.startswith("/api/") or (
        "_user_id" in session and not request.path.startswith("/static/")
    ):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays/objects in a JSON text (strings are skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def limit_json_depth() -> None:
    """Refuse, as 400, JSON bodies nested too deeply or that Python's parser refuses outright
    (e.g. an integer literal of thousands of digits, which ``json.loads`` raises ``ValueError``
    for deep inside the argument parser)."""
    if not request.is_json:
        return
    body = request.get_data(cache=True)
    if not body.strip():
        return  # e.g. a GET that names a JSON content type but sends nothing
    if json_depth(body) > MAX_JSON_DEPTH:
        raise BadRequest(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        json.loads(body)
    except ValueError as exc:
        unreadable = BadRequest("JSON body cannot be read")
        unreadable.data = {"messages": {"json": ["Invalid JSON body."]}}  # type: ignore[attr-defined]  # as webargs says it
        raise unreadable from exc


def mark_session_start() -> None:
    """Called at sign-in: both timeouts count from now. The times live in the signed session
    cookie, so a copy of an old cookie is just as expired as the original."""
    now = int(time.time())
    session["started_at"] = now
    session["seen_at"] = now


def session_timed_out() -> bool:
    """Whether the signed-in session has been idle for 30 minutes or is older than 12 hours."""
    now = int(time.time())
    started = session.get("started_at", now)
    seen = session.get("seen_at", now)
    return now - seen > IDLE_TIMEOUT_SECONDS or now - started > ABSOLUTE_TIMEOUT_SECONDS


def end_session() -> None:
    """Sign out and forget the session, its CSRF token included (also the one Flask-WTF caches
    in ``g`` for this request, so a page rendered after this gets a token for the new one)."""
    logout_user()
    session.clear()
    g.pop("csrf_token", None)


def on_expired_post(app: Flask, handler: Callable[[], Any]) -> None:
    """Let ``handler`` answer a POST that arrives after its session timed out (the session has
    already ended, nothing has been saved); it returns a response or ``None`` to pass."""
    app.extensions.setdefault(EXPIRED_POST_HANDLERS, []).append(handler)


def _answer_expired_post() -> Any:
    if request.method != "POST":
        return None
    for handler in current_app.extensions.get(EXPIRED_POST_HANDLERS, ()):
        answer = handler()
        if answer is not None:
            return answer
    return None


def enforce_session_timeouts() -> Any:
    """End browser sessions idle for 30 minutes or older than 12 hours (ASVS 3.3.2). A POST
    that arrives too late saves nothing; handlers added with :func:`on_expired_post` may answer
    it instead of the redirect to the login page."""
    if request.path.startswith(("/api/", "/static/")) or not current_user.is_authenticated:
        return None
    now = int(time.time())
    session.setdefault("started_at", now)
    if session_timed_out():
        end_session()
        answer = _answer_expired_post()
        if answer is not None:
            return answer
        flash(
            _("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。"),
            "info",
        )
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    session["seen_at"] = now
    return None


def init_app(app: Flask) -> None:
    app.before_request(limit_json_depth)
    app.before_request(enforce_session_timeouts)
    app.after_request(set_security_headers)
