"""Protections every response and request gets, whichever blueprint serves it.

- Security headers: a strict Content-Security-Policy (no inline script or style, nothing from
  outside the hub), nosniff, no framing, no referrer leaks, HSTS when served over TLS.
- JSON bodies: a nesting limit, so a deeply nested body is a 400 and not a parser recursion error.

The session rules (timeouts, the session version) are part of auth: :mod:`hub.auth.sessions`.
"""

from __future__ import annotations

import json

from flask import Flask, request, session
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

MAX_JSON_DEPTH = 32


def set_security_headers(response: Response) -> Response:
    """Add each header the view did not set itself (one pass over the response's headers)."""
    wanted = dict(HEADERS)
    if request.is_secure:
        wanted["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.path.startswith("/api/") or (
        "_user_id" in session and not request.path.startswith("/static/")
    ):
        wanted["Cache-Control"] = "no-store"
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend(
        [(name, value) for name, value in wanted.items() if name.lower() not in present]
    )
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


def init_app(app: Flask) -> None:
    app.before_request(limit_json_depth)
    app.after_request(set_security_headers)
