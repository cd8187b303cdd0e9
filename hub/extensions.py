"""Flask extensions, created here and configured in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect


class HubApi(Api):
    """flask-smorest without its app-wide HTTP error handler: ``hub.errors_http`` answers instead,
    in JSON under ``/api`` and as pages elsewhere."""

    def _register_error_handlers(self) -> None:
        return None


csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
api = HubApi()
