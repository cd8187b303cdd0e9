"""再犯防止 連携調査ハブ. ``create_app`` is the only place the application is assembled."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request
from flask_login import AnonymousUserMixin

from hub.config import Settings, load_settings
from hub.jsonio import JsonRequest, OrjsonProvider


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = settings or load_settings()
    if overrides:
        settings = settings.with_(**overrides)
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.json = OrjsonProvider(app)
    app.request_class = JsonRequest
    app.config.from_mapping(settings.flask_config())
    app.extensions["hub_settings"] = settings
    _trust_proxy(app, settings)

    from hub import routing
    from hub.db import db

    routing.init_app(app)

    db.init_app(app, settings.database_url)
    _init_extensions(app)
    _register_blueprints(app)

    from hub import auth, errors_http, security, statics

    statics.init_app(app)
    auth.init_app(app)
    # The body's checks after the gate: a caller without a token or whose role may not is told
    # so (401, 403) whatever it sent, not that its body is unreadable or holds a NUL.
    security.init_app(app)
    errors_http.init_app(app)
    return app


def _trust_proxy(app: Flask, settings: Settings) -> None:
    """Behind one reverse proxy (``HUB_BEHIND_PROXY``), take the client's address and scheme from
    its X-Forwarded-* headers; otherwise ignore them, so nobody can fake an address."""
    if settings.behind_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    from hub.auth.sessions import load_user
    from hub.extensions import babel, csrf, login_manager

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "ログインしてください。"
    login_manager.anonymous_user = AnonymousUserMixin
    login_manager.user_loader(load_user)
    babel.init_app(app, locale_selector=_select_locale)


def _select_locale() -> str:
    from flask_login import current_user

    if not has_request_context():
        return "ja"
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in ("ja", "en"):
        return chosen
    if request.path.startswith("/api/"):
        # A program says its language the HTTP way too (Accept-Language: en). Not the pages:
        # a browser set to English would turn them English for staff who chose nothing.
        asked = request.accept_languages.best_match(("ja", "en"))
        if asked is not None:
            return str(asked)
    if getattr(current_user, "is_authenticated", False) and current_user.locale in ("ja", "en"):
        return str(current_user.locale)
    return "ja"


def _register_blueprints(app: Flask) -> None:
    from hub import health, pages
    from hub.api import blp as api_blp
    from hub.extensions import api, csrf

    app.register_blueprint(health.bp)
    pages.init_app(app)
    api.init_app(app)
    api.document_bearer_auth()
    api.register_blueprint(api_blp)
    health.describe(api.spec, app)
    csrf.exempt(api_blp)
