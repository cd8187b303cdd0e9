"""A page address that only a button reaches (a POST: the 督促 preview, a refused 差し戻し) opened
again by reloading, a bookmark or the history: the nearest page above it, with a word on why,
instead of a bare 405. And a page's upload over the size limit: back to its form, the limit
said, instead of a bare 413."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlencode

from flask import current_app, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import (
    ClientDisconnected,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)
from werkzeug.routing import RequestRedirect
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wsgi import LimitedStream

from hub.auth.gate import is_api_request
from hub.errors_http import handle_http_exception, rollback_quietly


def handle_method_not_allowed(exc: MethodNotAllowed) -> ResponseReturnValue:
    """A GET of a POST-only page goes to the nearest page above it that a GET opens; anything
    else (the API, a POST to a page that only shows) is the usual 405."""
    if is_api_request() or request.method not in ("GET", "HEAD"):
        return handle_http_exception(exc)
    above = page_above(request.path)
    if above is None:
        return handle_http_exception(exc)
    flash(
        _(
            "この画面は、ボタンを押したときにだけ表示されます（再読み込みやブックマークからは"
            "開けません）。必要なら、もう一度操作してください。"
        ),
        "info",
    )
    return redirect(request.script_root + above)  # behind a proxy's path prefix too


def page_above(path: str) -> str | None:
    """The longest leading part of ``path`` that a GET opens (``/staff/rounds/3/reminders`` →
    ``/staff/rounds/3``); ``None`` when no part does. The page checks who may see it, as
    always."""
    urls = current_app.url_map.bind("localhost")
    parts = path.rstrip("/").split("/")
    for end in range(len(parts) - 1, 0, -1):
        candidate = "/".join(parts[:end]) or "/"
        for tried in (candidate, candidate + "/"):
            try:
                urls.match(tried, method="GET")
            except RequestRedirect as moved:
                return str(moved.new_url).removeprefix("http://localhost")
            except (MethodNotAllowed, NotFound):
                continue
            return tried
    return None


def handle_too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    """A page's upload over the size limit: back to the form it came from (the page itself, or
    for an address only the upload button reaches the page above it, which holds the form),
    saying the limit — the page's own (a view's ``max_upload_bytes``, as the page states it) when
    it is lower than the app's. The API, and a page's form that is no upload (only a hostile client sends
    megabytes of text), get 413 as before. A view's ``kept_on_too_large`` (field names) are read
    from the upload and carried to the form's page as its query (the prefecture chosen with the
    file), for the page to choose them again."""
    uploading = request.mimetype == "multipart/form-data"
    if is_api_request() or request.method != "POST" or not uploading:
        return handle_http_exception(exc)
    rollback_quietly()
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "max_upload_bytes", None) or current_app.config.get("MAX_CONTENT_LENGTH")
    limit = limit or 0
    flash(
        _(
            "ファイルが大きすぎます（%(size)s MB まで）。小さくしてから、もう一度選んでください。",
            size=f"{limit / (1024 * 1024):g}",
        ),
        "error",
    )
    form = request.path if _opens(request.path) else page_above(request.path) or "/"
    kept = _small_fields(getattr(view, "kept_on_too_large", ()), 4 * limit)
    query = f"?{urlencode(kept)}" if kept else ""
    return redirect(request.script_root + form + query, 303)


MAX_KEPT_VALUE = 200
"""A kept field longer than this is no choice of the form's: left out."""


def _small_fields(names: Collection[str], most: int) -> dict[str, str]:
    """The values of the upload's fields ``names`` (not files), read from the body that was too
    large — only when it says its length and that is at most ``most`` (the browser sends it all
    anyway; reading it also spares the browser a reset connection). Empty when the body is not
    read or cannot be."""
    length = request.content_length
    boundary = request.mimetype_params.get("boundary")
    if not names or not boundary or length is None or length > most:
        return {}
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    stream = LimitedStream(request.environ["wsgi.input"], length)
    found: dict[str, str] = {}
    field: str | None = None
    value = bytearray()
    try:
        while True:
            chunk = stream.read(64 * 1024)
            decoder.receive_data(chunk or None)
            while not isinstance(event := decoder.next_event(), NeedData):
                if isinstance(event, Epilogue):
                    return found
                if isinstance(event, Field | File):
                    field = event.name if isinstance(event, Field) and event.name in names else None
                    value = bytearray()
                elif isinstance(event, Data) and field is not None:
                    value += event.data
                    if len(value) > MAX_KEPT_VALUE:
                        field = None
                    elif not event.more_data:
                        found[field] = value.decode("utf-8", "replace")
            if not chunk:
                return found
    except (ValueError, OSError, ClientDisconnected):  # a broken body, a client gone
        return found


def _opens(path: str) -> bool:
    """Whether a GET of ``path`` opens a page."""
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except (MethodNotAllowed, NotFound, RequestRedirect):
        return False
    return True
