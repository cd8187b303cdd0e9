"""What every page shares: template filters, the navigation and the questionnaire pages' logic.

``init_app`` registers the filters and globals the templates under ``hub/templates`` rely on
(``tokyo``, ``wareki``, ``state_label``, ``nav_items``, ``has_endpoint`` ...), and the sign-in
that gives a questionnaire's typed answers back when its session ended (``hub.web.expired``),
and the way back from a button-only page opened again (``hub.web.post_only``).
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import MethodNotAllowed, RequestEntityTooLarge

from hub.auth import sessions
from hub.web import display, nav


def init_app(app: Flask) -> None:
    from hub.web import expired, post_only, resume

    display.init_app(app)
    nav.init_app(app)
    app.register_blueprint(resume.bp)
    app.register_error_handler(CSRFError, expired.handle_csrf_error)
    app.register_error_handler(MethodNotAllowed, post_only.handle_method_not_allowed)
    app.register_error_handler(RequestEntityTooLarge, post_only.handle_too_large)
    sessions.on_expired_post(app, expired.rescue_timed_out_post)
