"""Every page area of the hub, registered the same way.

An area is a package beside this module (``hub/staff/``, ``hub/respond/`` …) whose
``__init__.py`` exposes ``bp`` (its blueprint; template filters it needs are registered on the
blueprint with ``add_app_template_filter``) and ``MENU`` (its navigation entries, possibly none).
To add an area, write the package and add it to :data:`AREAS`; nothing else changes.
"""

from __future__ import annotations

from flask import Flask

from hub import (
    account,
    admin,
    audit,
    consult,
    downloads,
    excel,
    questionnaires,
    recipients,
    referrals,
    respond,
    staff,
    web,
)
from hub.web import nav

AREAS = (
    account,
    respond,
    staff,
    admin,
    excel,
    downloads,
    recipients,
    consult,
    audit,
    questionnaires,
    referrals,
)


def init_app(app: Flask) -> None:
    """What every page shares (:mod:`hub.web`), then each area's blueprint and menu entries."""
    web.init_app(app)
    for area in AREAS:
        app.register_blueprint(area.bp)
        nav.add_items(app, area.MENU)
