"""The site navigation in ``base.html``: links a user may follow, for endpoints that exist.

Other blueprints add their own entries with :func:`add_nav_item` (in their ``init_app`` or at
registration); an entry shows only when its endpoint is registered and the signed-in user's role
has its permission, so a link never leads to a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hub.auth.policy import permits

EXTENSION_KEY = "hub_nav"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    """A string or a ``lazy_gettext`` string (translated when the page is drawn)."""
    permission: str
    order: int = 100
    municipal: bool = False
    """Only for users bound to a municipality (respondents)."""


BUILT_IN: tuple[NavItem, ...] = (
    NavItem("respond.home", _l("調査一覧"), "response.write", 10, municipal=True),
    NavItem("staff.home", _l("調査回と進捗"), "response.review", 10),
    NavItem("staff.new_round", _l("調査回を開始"), "rounds.manage", 20),
    NavItem("admin.home", _l("ユーザー管理"), "users.manage", 10),
)


def add_nav_item(
    app: Flask, endpoint: str, label: Any, permission: str, *, order: int = 100
) -> None:
    """Add a link to the navigation of every page (shown to roles with ``permission``).

    The endpoint must take no URL arguments.
    """
    app.extensions.setdefault(EXTENSION_KEY, []).append(NavItem(endpoint, label, permission, order))


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def nav_items() -> list[tuple[str, str]]:
    """``(url, label)`` of the links the signed-in user may follow, in menu order."""
    if not getattr(current_user, "is_authenticated", False):
        return []
    user = current_user._get_current_object()
    items = sorted(
        [*BUILT_IN, *current_app.extensions.get(EXTENSION_KEY, [])], key=lambda i: i.order
    )
    return [
        (url_for(i.endpoint), str(i.label))
        for i in items
        if has_endpoint(i.endpoint)
        and permits(user, i.permission)
        and (user.municipality_code or not i.municipal)
    ]


def init_app(app: Flask) -> None:
    app.add_template_global(nav_items)
    app.add_template_global(has_endpoint)
