"""Who may do what: the one place where roles are checked.

Every view names a permission with :func:`allow` (or is marked :func:`public`); the gate in
``hub.auth.gate`` refuses any view that names none. Object-level rules (a respondent sees only
their own municipality) are the functions below, called by the views before any service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from hub.errors import Forbidden
from hub.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTR = "_hub_permission"
PUBLIC = "public"
SIGNED_IN = "signed_in"

S, R, C, A = Role.STAFF, Role.RESPONDENT, Role.COUNTERPART, Role.ADMIN

PERMISSIONS: dict[str, frozenset[str]] = {
    SIGNED_IN: frozenset({S, R, C, A}),
    "rounds.read": frozenset({S, R, C}),
    "rounds.manage": frozenset({S}),
    "response.read": frozenset({S, R}),
    "response.write": frozenset({S, R}),
    "response.review": frozenset({S}),
    "summary.read": frozenset({S, R, C}),
    "workbook.read": frozenset({S}),
    "template.use": frozenset({S, R}),
    "recipients.manage": frozenset({S}),
    "deliveries.read": frozenset({S, C}),
    "consultations.write": frozenset({S}),
    "consultations.summary": frozenset({S, R, C}),
    "hearings.manage": frozenset({S}),
    "users.manage": frozenset({A}),
    "audit.read": frozenset({S, A}),
    "questionnaires.read": frozenset({S, R, C}),
    "questionnaires.manage": frozenset({S}),
}


def allow(permission: str) -> Callable[[F], F]:
    """Declare the permission a view needs; roles are looked up in ``PERMISSIONS``."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission}")

    def mark(view: F) -> F:
        setattr(view, ACCESS_ATTR, permission)
        return view

    return mark


def public(view: F) -> F:
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def permits(user: User | None, permission: str) -> bool:
    if permission == PUBLIC:
        return True
    return user is not None and user.active and user.role in PERMISSIONS[permission]


def can_see_municipality(user: User, municipality_code: str) -> bool:
    """Staff see every municipality; a respondent only their own; nobody else any."""
    if user.role == Role.STAFF:
        return True
    return user.role == Role.RESPONDENT and user.municipality_code == municipality_code


def ensure_municipality(user: User, municipality_code: str) -> None:
    if not can_see_municipality(user, municipality_code):
        raise Forbidden("この自治体の回答を見る権限がありません。")


def sees_true_counts(user: User) -> bool:
    """Only staff see small counts; everyone else gets suppressed cells."""
    return user.role == Role.STAFF
