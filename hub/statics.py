"""The hub's static files (``hub/static/``) cached by browsers, safely.

Every ``url_for("static", filename=…)`` — the templates', the database-unavailable page's — gets
the file's version, a short hash of its content, as ``?v=`` (``/static/hub.css?v=3f2a9c1b04``),
added by Flask's ``url_defaults`` hook so templates name the file alone. Each file is hashed once
per process, the first time a URL names it: a file changed while the hub runs keeps its old
version until the hub is restarted (a deployment restarts it).

A file asked for with its current version is answered ``Cache-Control: public,
max-age=31536000, immutable``: the browser (and a proxy) keeps it for a year without asking
again, and a new content comes under a new URL. Without a version, or with another one (a page
still open in a tab from before a deployment), the file is answered as before — ``no-cache``,
revalidated with its ETag each time —, so nothing old is kept for a year under a URL that now
means something else.

A file's response does not vary with the session cookie, and does not set it: nothing a static
request does is kept in the session (the session rules pass ``/static/`` by), but Flask-Login
looks into the session after every request, which would add ``Vary: Cookie``: the cookie changes
at each page (``seen_at``), so a proxy would keep a copy of the file per cookie, and a browser may
ask again once it changed (Chromium revalidated the favicon at each page).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response as FlaskResponse
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

VERSION_ARG = "v"
"""The query parameter carrying a file's version."""

IMMUTABLE = "public, max-age=31536000, immutable"
"""A year: the browser keeps the file until its content, and with it its URL, changes."""

VERSION_LENGTH = 10
"""Hex digits of the SHA-256 kept: 40 bits, plenty to tell one file's contents apart."""

VERSIONS = "hub_static_versions"
"""Where an app keeps the versions it has worked out: ``{(static folder, file name): version}``."""

SERVED = frozenset({200, 206, 304})
"""The statuses of a file handed out (whole, a range of it, or not modified)."""


def version_of(filename: str) -> str | None:
    """The version of the static file ``filename`` (a short hash of its content), computed once
    per process and static folder; ``None`` when there is no such file."""
    folder = current_app.static_folder
    if folder is None:
        return None
    known: dict[tuple[str, str], str | None] = current_app.extensions[VERSIONS]
    key = (folder, filename)
    if key not in known:
        known[key] = _hash_of(folder, filename)
    return known[key]


def _hash_of(folder: str, filename: str) -> str | None:
    path = safe_join(folder, filename)
    if path is None or not Path(path).is_file():
        return None
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return digest[:VERSION_LENGTH]


def add_version(endpoint: str, values: dict[str, Any]) -> None:
    """``url_defaults``: a static file's URL names its version, unless it names one already."""
    if endpoint != "static" or VERSION_ARG in values:
        return
    filename = values.get("filename")
    if not isinstance(filename, str):
        return
    version = version_of(filename)
    if version is not None:
        values[VERSION_ARG] = version


def cache_versioned(response: Response) -> Response:
    """A static file asked for with its current version is kept by the browser for a year;
    every other response is left as it is."""
    if not _file_served(response):
        return response
    asked = request.args.get(VERSION_ARG)
    filename = (request.view_args or {}).get("filename")
    if asked and isinstance(filename, str) and asked == version_of(filename):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def _file_served(response: Response) -> bool:
    return request.endpoint == "static" and response.status_code in SERVED


class SessionsBesideFiles(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, not saved with a static file's response: no
    ``Vary: Cookie``, no ``Set-Cookie`` on what browsers and proxies keep for a year."""

    def save_session(self, app: Flask, session: SessionMixin, response: FlaskResponse) -> None:
        if _file_served(response):
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.extensions[VERSIONS] = {}
    app.session_interface = SessionsBesideFiles()
    app.url_defaults(add_version)
    app.after_request(cache_versioned)
