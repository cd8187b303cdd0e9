"""The rules of a browser session: who it belongs to, when it starts, when it ends.

- A session names its user and the user's ``session_version`` (``User.get_id``); bumping the
  version (logout, password change, deactivation) ends every session of the account, copies of
  the cookie included (:func:`load_user`).
- A session starts fresh at sign-in (:func:`start_session`: nothing of the previous one survives).
- It ends after 30 minutes idle or 12 hours in all (:func:`enforce_session_timeouts`, ASVS 3.3.2).
  A POST that arrives too late saves nothing; handlers added with :func:`on_expired_post` may
  answer it (the questionnaire pages give the typed answers back) instead of the redirect to the
  sign-in page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from hub.db import db
from hub.models import User

IDLE_TIMEOUT_SECONDS = 30 * 60
ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60
WARNING_SECONDS = 2 * 60
"""How long before a timeout the page warns and offers to stay signed in (WCAG 2.2.1 Timing
Adjustable asks for a warning and at least 20 seconds to extend with a simple action)."""
STATUS_ENDPOINT = "auth.session_status"
"""A page asking how long its session has left: not activity, so it keeps no session alive."""
EXPIRED_POST_HANDLERS = "hub_expired_post_handlers"
PREVIOUS_USER = "previous_user"
"""The id of the account this browser was signed in as before (kept across a sign-out and the
next sign-in, nothing else): whose typing a form posted from an ended session holds
(``hub.web.carried``). It gives no authority."""


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the active user the session names, if its version is still current."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def start_session(user: User) -> None:
    """A fresh session for ``user``: nothing of the previous one survives (no fixation), and
    its idle and absolute timeouts start now. A CSRF token made earlier in this request (and
    cached by Flask-WTF in ``g``) belonged to the old session, so a page rendered after this
    gets a new one."""
    before = _session_user_id()
    session.clear()
    g.pop("csrf_token", None)
    login_user(user)
    mark_session_start()
    if before is not None:
        session[PREVIOUS_USER] = before


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


def time_left() -> dict[str, Any]:
    """What a page needs to warn before its session ends: whether it is signed in, as whom
    (the user's id, so that a page can tell its own user signing in again from someone else),
    and the seconds to the idle and to the absolute timeout (the second cannot be extended)."""
    if not current_user.is_authenticated:
        return {"signed_in": False, "user": None, "idle_seconds": 0, "absolute_seconds": 0}
    now = int(time.time())
    seen = session.get("seen_at", now)
    started = session.get("started_at", now)
    return {
        "signed_in": True,
        "user": current_user.id,
        "idle_seconds": max(0, IDLE_TIMEOUT_SECONDS - (now - seen)),
        "absolute_seconds": max(0, ABSOLUTE_TIMEOUT_SECONDS - (now - started)),
    }


def end_session() -> None:
    """Sign out and forget the session, its CSRF token included (also the one Flask-WTF caches
    in ``g`` for this request, so a page rendered after this gets a token for the new one).
    Only who it was is kept (:data:`PREVIOUS_USER`)."""
    before = _session_user_id()
    logout_user()
    session.clear()
    g.pop("csrf_token", None)
    if before is not None:
        session[PREVIOUS_USER] = before


def _session_user_id() -> int | None:
    """Who this browser's session is (or last was) signed in as."""
    if current_user.is_authenticated:
        return int(current_user.id)
    kept = session.get(PREVIOUS_USER)
    return kept if isinstance(kept, int) else None


def previous_user_id() -> int | None:
    """The account this browser was signed in as before its current session (or, signed out,
    before it signed out); ``None`` when it is not known."""
    kept = session.get(PREVIOUS_USER)
    return kept if isinstance(kept, int) else None


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
    """End browser sessions idle for 30 minutes or older than 12 hours. A POST that arrives too
    late saves nothing; handlers added with :func:`on_expired_post` may answer it instead of the
    redirect to the login page."""
    if request.path.startswith(("/api/", "/static/")) or not current_user.is_authenticated:
        return None
    now = int(time.time())
    session.setdefault("started_at", now)
    looking_only = request.endpoint == STATUS_ENDPOINT
    if session_timed_out():
        end_session()
        if looking_only:
            return None  # the status says "signed out"; the page decides what to show
        answer = _answer_expired_post()
        if answer is not None:
            return answer
        flash(
            _("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。"),
            "info",
        )
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not looking_only:
        session["seen_at"] = now
    return None


def init_app(app: Flask) -> None:
    app.before_request(enforce_session_timeouts)
    app.add_template_global(time_left, "session_time_left")
    app.add_template_global(warning_seconds, "session_warning_seconds")


def warning_seconds() -> int:
    return WARNING_SECONDS
