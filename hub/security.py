"""Protections every response and request gets, whichever blueprint serves it.

- Security headers: a strict Content-Security-Policy (no inline script or style, nothing from
  outside the hub), nosniff, no framing, no referrer leaks, HSTS when served over TLS.
- Bodies sent in chunks (``Transfer-Encoding: chunked``, no Content-Length): over the size limit
  (``MAX_CONTENT_LENGTH``) a 413, as for a body that says its length.
- JSON bodies: a nesting limit, so a deeply nested body is a 400 and not a parser recursion error.
- The NUL character, which PostgreSQL refuses in text: in the path (404), a query string or a JSON
  body (422 naming where), refused here once instead of as a database error (500) wherever the
  value would reach a query.

The session rules (timeouts, the session version) are part of auth: :mod:`hub.auth.sessions`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request, session
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, NotFound, RequestEntityTooLarge
from werkzeug.wrappers import Response
from werkzeug.wsgi import LimitedStream

from hub.errors import Invalid

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


def limit_chunked_body() -> None:
    """Read a chunked body here, up to the limit, and refuse it (413) when more follows.

    Werkzeug stops reading such a body at ``MAX_CONTENT_LENGTH`` without a word, so a JSON body
    over the limit reached the parser cut short and was refused as unreadable (400), an upload as
    a broken file. The byte past the limit is looked for in the server's own stream, so a body
    of exactly the limit is still taken."""
    if (
        request.content_length is not None
        or "chunked" not in request.headers.get("Transfer-Encoding", "").lower()
    ):
        return
    request.get_data(cache=True)
    stream = request.stream
    if (
        isinstance(stream, LimitedStream)
        and stream.is_exhausted
        and request.environ["wsgi.input"].read(1)
    ):
        raise RequestEntityTooLarge()


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


NUL = "\x00"


def _nul_message() -> str:
    return _("NUL 文字（\\u0000）は使えません。")


def refuse_nul() -> None:
    """No NUL in the path (nothing is named with one: 404), a query string or a JSON body (422
    naming the parameter, the body's field or, in ``answers``, the question)."""
    if NUL in request.path:
        raise NotFound()
    errors = {
        name: [_nul_message()]
        for name, value in request.args.items(multi=True)
        if NUL in name + value
    }
    if request.is_json:
        body = request.get_data(cache=True)
        if b"\\u0000" in body:  # a JSON text holds a NUL only as this escape
            errors.update(_fields_with_nul(json.loads(body)))
    if errors:
        raise Invalid(errors)


def _fields_with_nul(document: Any) -> dict[str, list[str]]:
    if not isinstance(document, dict):
        return {"_schema": [_nul_message()]} if _holds_nul(document) else {}
    fields = dict(document)
    if isinstance(fields.get("answers"), dict):
        fields.update(fields.pop("answers"))  # named by question, as the answers' errors are
    return {
        str(name): [_nul_message()]
        for name, value in fields.items()
        if NUL in name or _holds_nul(value)
    }


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(NUL in key or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def init_app(app: Flask) -> None:
    app.before_request(limit_chunked_body)
    app.before_request(limit_json_depth)
    app.before_request(refuse_nul)
    app.after_request(set_security_headers)
