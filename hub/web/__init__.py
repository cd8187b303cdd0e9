"""What every page shares: template filters, the navigation and the questionnaire pages' logic.

``init_app`` registers the filters and globals the templates under ``hub/templates`` rely on
(``tokyo``, ``wareki``, ``state_label``, ``nav_items``, ``has_endpoint`` ...).
"""

from __future__ import annotations

from flask import Flask

from hub.web import display, nav


def init_app(app: Flask) -> None:
    display.init_app(app)
    nav.init_app(app)
