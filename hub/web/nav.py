"""The site navigation in ``base.html``: links a user may follow, for endpoints that exist.

Each page area declares its entries as ``MENU`` in its package (:mod:`hub.pages` collects them
when it registers the area); an entry shows only when its endpoint is registered and the
signed-in user's role has its permission, so a link never leads to a refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, url_for
from flask_login import current_user

from hub.auth.policy import permits

EXTENSION_KEY = "hub_nav"


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    """An endpoint that takes no URL arguments."""
    label: Any
    """A string or a ``lazy_gettext`` string (translated when the page is drawn)."""
    permission: str
    order: int = 100
    """Position in the menu, smallest first (areas leave gaps: respond/staff/admin 10-20,
    recipients 40, consultation desk 50-52, audit 90)."""
    municipal: bool = False
    """Only for users bound to a municipality (respondents)."""
    shown_to: Callable[[Any], bool] | None = None
    """A rule of :mod:`hub.auth.policy` narrowing the permission to the users the page serves
    (a role's permission may reach an object rule that leaves some of its users nothing)."""


def add_items(app: Flask, items: Iterable[MenuItem]) -> None:
    """Add an area's entries to the navigation of every page."""
    app.extensions.setdefault(EXTENSION_KEY, []).extend(items)


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def nav_items() -> list[tuple[str, str]]:
    """``(url, label)`` of the links the signed-in user may follow, in menu order."""
    if not getattr(current_user, "is_authenticated", False):
        return []
    user = current_user._get_current_object()
    items = sorted(current_app.extensions.get(EXTENSION_KEY, []), key=lambda i: i.order)
    return [
        (url_for(i.endpoint), str(i.label))
        for i in items
        if has_endpoint(i.endpoint)
        and permits(user, i.permission)
        and (user.municipality_code or not i.municipal)
        and (i.shown_to is None or i.shown_to(user))
    ]


def current_marks(urls: Iterable[str], path: str) -> dict[str, str]:
    """``aria-current`` of the menu's links on the page at ``path``: ``page`` for the link to it,
    else ``true`` for the section holding it — the link whose URL is the longest that starts
    the path at a ``/`` (a referral's case page, or a step's page after an error, is in つなぎ)."""
    urls = list(urls)
    if path in urls:
        return {path: "page"}
    holding = [u for u in urls if path.startswith(u.rstrip("/") + "/") and u.rstrip("/")]
    return {max(holding, key=len): "true"} if holding else {}


def init_app(app: Flask) -> None:
    app.add_template_global(nav_items)
    app.add_template_global(current_marks)
    app.add_template_global(has_endpoint)
