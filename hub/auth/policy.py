"""Who may do what: the one place where roles are checked.

Every view names a permission with :func:`allow` (or is marked :func:`public`); the gate in
``hub.auth.gate`` refuses any view that names none. Object-level rules (a respondent sees only
their own municipality) are the functions below, called by the views before any service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import gettext as _

from hub.errors import Forbidden, Hidden, Refused
from hub.models import REFERRER_STAFF, Delivery, Referral, Role, User

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTR = "_hub_permission"
PUBLIC = "public"
SIGNED_IN = "signed_in"

S, R, C, A = Role.STAFF, Role.RESPONDENT, Role.COUNTERPART, Role.ADMIN
W = Role.WINDOW

PERMISSIONS: dict[str, frozenset[str]] = {
    SIGNED_IN: frozenset({S, R, C, A, W}),
    "rounds.read": frozenset({S, R, C}),
    "rounds.manage": frozenset({S}),
    "response.read": frozenset({S, R}),
    "response.write": frozenset({S, R}),
    "response.review": frozenset({S}),
    "reminders.send": frozenset({S}),
    "summary.read": frozenset({S, R, C}),
    "workbook.read": frozenset({S}),
    "template.use": frozenset({S, R}),
    "recipients.manage": frozenset({S}),
    "deliveries.read": frozenset({S, C}),
    # The files of a delivery: every role reaches the object rule (see_delivery), which answers
    # 404 to all but staff and the delivery's own counterpart, as for referrals.
    "deliveries.files": frozenset({S, R, C, A, W}),
    "consultations.write": frozenset({S}),
    "consultations.summary": frozenset({S, R, C}),
    "hearings.manage": frozenset({S}),
    "users.manage": frozenset({A}),
    "municipalities.manage": frozenset({A}),
    "audit.read": frozenset({S, A}),
    # Referrals (issue 13). "referrals.read" lets every role reach the object rule
    # (see_referral), which answers 404 for a referral the user may not see: invisible and
    # nonexistent look the same.
    "referrals.read": frozenset({S, R, C, A, W}),
    "referrals.list": frozenset({S, C, W}),
    "referrals.refer": frozenset({S, C}),
    "referrals.handle": frozenset({W}),
    "referrals.summary": frozenset({S, R, C, W}),
    "summary.annotate": frozenset({S}),
    "questionnaires.read": frozenset({S, R, C}),
    "questionnaires.manage": frozenset({S}),
}


def refused(permission: str, message: str) -> Forbidden:
    """The 403 of a user whose role lacks ``permission``: on a referral route (要配慮個人情報)
    one recorded in the audit log as ``referral.forbidden``, elsewhere a plain one."""
    if permission.startswith("referrals."):
        return Refused(message, action="referral.forbidden")
    return Forbidden(message)


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
        raise Forbidden(_("この自治体の回答を見る権限がありません。"))


def sees_true_counts(user: User) -> bool:
    """Only staff see small counts; everyone else gets suppressed cells."""
    return user.role == Role.STAFF


def can_see_delivery(user: User, delivery: Delivery) -> bool:
    """Staff see every delivery; a counterpart those addressed to its own recipient; nobody else
    any (not another recipient's counterpart, respondents, windows or administrators)."""
    if not user.active:
        return False
    if user.role == Role.STAFF:
        return True
    return (
        user.role == Role.COUNTERPART
        and user.recipient_name is not None
        and user.recipient_name == delivery.recipient_name
    )


def see_delivery(user: User, delivery: Delivery | None) -> Delivery:
    """``delivery`` if ``user`` may see it; otherwise 404, as if it did not exist (``Hidden``:
    the attempt is recorded in the audit log as ``delivery.refused``)."""
    if delivery is None or not can_see_delivery(user, delivery):
        raise Hidden(_("配信が見つかりません。"), action="delivery.refused")
    return delivery


REFERRING_RECIPIENTS = frozenset({"tokyo-probation"})
"""Counterparts whose users may refer a person (東京保護観察所); 法務省 (``moj``) may not."""


def referrer_of(user: User) -> str | None:
    """The referring organisation ``user`` acts for (``Referral.referrer``), or None."""
    if user.role == Role.STAFF:
        return REFERRER_STAFF
    if user.role == Role.COUNTERPART and user.recipient_name in REFERRING_RECIPIENTS:
        return user.recipient_name
    return None


def has_referrals(user: User) -> bool:
    """Whether any referral can concern ``user``: a referrer's or a window's (not ``moj``'s)."""
    return referrer_of(user) is not None or user.role == Role.WINDOW


def ensure_may_refer(user: User) -> str:
    referrer = referrer_of(user)
    if referrer is None:
        raise Refused(
            _("つなぎを依頼できるのは都の相談窓口と東京保護観察所だけです。"),
            action="referral.forbidden",
        )
    return referrer


def is_referrer(user: User, referral: Referral) -> bool:
    return referrer_of(user) == referral.referrer


def is_receiving_window(user: User, referral: Referral) -> bool:
    return user.role == Role.WINDOW and user.municipality_code == referral.municipality_code


def can_see_referral(user: User, referral: Referral) -> bool:
    """The referring organisation and the receiving municipality's windows; nobody else (not
    other municipalities, respondents, admins or ``moj``)."""
    return user.active and (is_referrer(user, referral) or is_receiving_window(user, referral))


def see_referral(user: User, referral: Referral | None) -> Referral:
    """``referral`` if ``user`` may see it; otherwise 404, as if it did not exist (``Hidden``:
    the attempt is recorded in the audit log as ``referral.refused``)."""
    if referral is None or not can_see_referral(user, referral):
        raise Hidden(_("つなぎが見つかりません。"), action="referral.refused")
    return referral


def handle_referral(user: User, referral: Referral | None) -> Referral:
    """The receiving window's own referral (accept, decline, contacts, close); else 404."""
    if referral is None or not is_receiving_window(user, referral):
        raise Hidden(_("つなぎが見つかりません。"), action="referral.refused")
    return referral


def own_referral(user: User, referral: Referral | None) -> Referral:
    """A referral of the organisation ``user`` refers for (re-route, withdraw consent); else 404."""
    if referral is None or not is_referrer(user, referral):
        raise Hidden(_("つなぎが見つかりません。"), action="referral.refused")
    return referral
