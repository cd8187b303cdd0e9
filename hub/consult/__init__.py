"""Consultation desk pages: case entry and import, hearings, and the shared statistics."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from hub.consult.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Register the blueprint and its menu entries (one call from ``create_app``)."""
    from hub.web.nav import add_nav_item

    app.register_blueprint(bp)
    add_nav_item(app, "consult.statistics", _l("相談窓口の統計"), "consultations.summary", order=50)
    add_nav_item(app, "consult.cases", _l("相談記録"), "consultations.write", order=51)
    add_nav_item(app, "consult.hearings", _l("聞き取り"), "hearings.manage", order=52)
