"""The life cycle of a referral: sent → accepted or declined (→ re-routed) → contacts → closed.

Every step is a ``ReferralEvent`` (who, when, what). Callers check who may act with the object
rules of ``hub.auth.policy`` first; these functions check that the step fits the state (409
otherwise) before reading what was typed, so that a step taken from a page opened before another
step says what happened rather than naming a field of a form that no longer applies. The audit
log gets the action, the id and the municipality — never personal text. Services flush; the caller commits (and only then sends the new-referral mail).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from forms import tokyo
from forms.consultation import fiscal_year_at
from hub.db import db, serialize, utcnow
from hub.errors import Conflict, Invalid
from hub.models import REFERRAL_STATUS_LABELS, Referral, ReferralEvent, ReferralStatus, User
from hub.services import audit
from hub.services.referrals import intake, personal

OPEN_STATES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


def _event(referral: Referral, action: str, user: User | None, **values: Any) -> ReferralEvent:
    event = ReferralEvent(referral_id=referral.id, action=action, at=utcnow(), user=user, **values)
    referral.events.append(event)
    db.session.flush()
    return event


def _audit(action: str, referral: Referral, user: User | None, **details: Any) -> None:
    audit.record(
        f"referral.{action}",
        user=user,
        target=str(referral.id),
        municipality_code=referral.municipality_code,
        **details,
    )


def create(
    data: Mapping[str, Any],
    *,
    referrer: str,
    user: User,
    submission_key: str | None = None,
    idempotency: Idempotency | None = None,
) -> Referral:
    """A new referral from ``referrer`` (``staff`` or a recipient name); ``Invalid`` without
    consent or with any bad field (nothing stored). ``submission_key`` is the page form's own
    key (:func:`sent_before` finds the referral it made); ``idempotency`` the API's
    ``Idempotency-Key`` with the body it came with (:func:`made_with` finds the referral)."""
    new = intake.new_referral(data)
    now = utcnow()
    referral = Referral(
        municipality_code=new.municipality_code,
        referrer=referrer,
        status=ReferralStatus.SENT,
        needs=new.needs,
        fiscal_year=fiscal_year_at(now),
        consent_obtained_on=new.consent_obtained_on,
        consent_obtained_by=new.consent_obtained_by,
        created_at=now,
        created_by_id=user.id,
        sent_at=now,
        submission_key=idempotency.stored if idempotency else _stored_key(submission_key, user),
    )
    db.session.add(referral)
    db.session.flush()
    personal.seal_person(
        referral,
        {"person": new.person, "summary": new.summary, "needs_other": new.needs_other},
    )
    personal.seal_scope(referral, new.consent_scope)
    _event(referral, "sent", user, municipality_code=new.municipality_code)
    _audit("create", referral, user)
    return referral


SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,40}")
"""A page form's key as :func:`new_submission_key` makes it; anything else is not kept."""


def new_submission_key() -> str:
    """A fresh key for a page form that makes a referral."""
    return secrets.token_urlsafe(16)


def _stored_key(submission_key: str | None, user: User) -> str | None:
    """The key as stored: the user's own (another user's form with the same key is another
    referral), ``None`` for none or one not made here."""
    if not submission_key or not SUBMISSION_KEY.fullmatch(submission_key):
        return None
    return f"{user.id}:{submission_key}"


def sent_before(submission_key: str | None, *, user: User) -> Referral | None:
    """The referral ``user`` made with the page form of this key, if it was sent already (the
    same form sent twice)."""
    stored = _stored_key(submission_key, user)
    if stored is None:
        return None
    return db.session.scalar(select(Referral).where(Referral.submission_key == stored))


IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""An API caller's ``Idempotency-Key``: 1 to 64 letters, digits, ``_`` and ``-``."""
API_PREFIX = personal.API_KEY_PREFIX


def _digest(data: bytes, key: bytes | None = None) -> str:
    """128 bits of SHA-256 (HMAC-SHA-256 with ``key``), as 22 URL-safe characters."""
    raw = hmac.digest(key, data, "sha256") if key else hashlib.sha256(data).digest()
    return base64.urlsafe_b64encode(raw[:16]).decode().rstrip("=")


class Idempotency:
    """An API caller's ``Idempotency-Key`` and the body sent with it, as stored in
    ``referral.submission_key``: ``api:<key>:<body>``, where ``<key>`` is a digest of the user's
    id and the key (so another user's same key is another referral, and an API key can never
    meet a page form's ``<user id>:<key>``) and ``<body>`` a keyed HMAC (the app's secret key) of
    the body as sent, in a canonical form: the body's personal data is never kept in clear or
    as a plain hash that a guess could be checked against, and goes when the referral's personal
    data is erased (:func:`personal.erase`). Both are 22 characters; the whole at most 49."""

    def __init__(self, key: str, body: Any, user: User) -> None:
        self.prefix = API_PREFIX + _digest(f"{user.id}:{key}".encode())
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        app_secret = current_app.secret_key or ""
        if isinstance(app_secret, str):
            app_secret = app_secret.encode()
        secret = b"referral idempotency:" + app_secret
        self.stored = f"{self.prefix}:{_digest(canonical.encode(), secret)}"

    def earlier(self) -> Referral | None:
        """The referral this user made with this key, whatever the body; the key's lock
        (:func:`hub.db.serialize`) is held from this look to the commit, so that two requests
        with one key at once — the same body or not — run one after the other (the unique
        column is the net under it)."""
        serialize(f"referral idempotency {self.prefix}")
        return db.session.scalar(
            select(Referral).where(
                or_(
                    Referral.submission_key == self.prefix,
                    Referral.submission_key.startswith(f"{self.prefix}:", autoescape=True),
                )
            )
        )

    def same_body(self, referral: Referral) -> bool:
        """Whether ``referral`` was made with this very body (not one since erased)."""
        return referral.submission_key == self.stored


def _require(referral: Referral, *states: str) -> None:
    """A step that does not fit the state (409): taken from a page opened before someone else
    took another step, so the message says in words what has happened since."""
    if referral.status not in states:
        raise Conflict(_("%(already)sこの操作はできません。", already=_already(referral)))


def _already(referral: Referral) -> str:
    """The referral's state as a sentence with the status label the pages show."""
    label = REFERRAL_STATUS_LABELS.get(referral.status)
    status = label.get(intake.locale()) if label is not None else referral.status
    if referral.status == ReferralStatus.SENT:
        return _("このつなぎはまだ受理されていません（%(status)s）。", status=status)
    if referral.status == ReferralStatus.ACCEPTED:
        return _("このつなぎは既に受理されています（%(status)s）。", status=status)
    if referral.status == ReferralStatus.DECLINED:
        return _("このつなぎは既に受理できないと伝えられています（%(status)s）。", status=status)
    return _("このつなぎは既に終了しています（%(status)s）。", status=status)


def accept(referral: Referral, *, user: User) -> Referral:
    _require(referral, ReferralStatus.SENT)
    referral.status = ReferralStatus.ACCEPTED
    referral.accepted_at = utcnow()
    _event(referral, "accepted", user)
    _audit("accept", referral, user)
    return referral


def decline(referral: Referral, data: Mapping[str, Any], *, user: User) -> Referral:
    _require(referral, ReferralStatus.SENT)
    reason = intake.reason(data)
    referral.status = ReferralStatus.DECLINED
    event = _event(referral, "declined", user)
    personal.seal_text(event, reason)
    _audit("decline", referral, user)
    return referral


def reroute(referral: Referral, data: Mapping[str, Any], *, user: User) -> Referral:
    """The referrer sends a declined (or not yet accepted) referral to another municipality;
    the new window's clock starts now. The consent recorded named the old municipality, so the
    referrer gives the scope the person agreed to for the new one (sealed as the consent's scope,
    like the first) and the timeline and the audit log say that consent was confirmed again. The
    scope it replaces stays on the timeline's ``consent_reconfirmed`` step, sealed like a note
    (and erased with the person). The person's own data is not opened."""
    _require(referral, ReferralStatus.SENT, ReferralStatus.DECLINED)
    if referral.erased:
        raise Conflict(_("本人の情報が消去されたつなぎは、つなぎ先を変えられません。"))
    new = intake.reroute(data)
    if new.municipality_code == referral.municipality_code:
        raise Invalid({"municipality": [_("今のつなぎ先と同じ区市町村です。")]})
    replaced_scope = personal.open_scope(referral) or ""
    referral.municipality_code = new.municipality_code
    personal.seal_scope(referral, new.consent_scope)
    referral.status = ReferralStatus.SENT
    referral.sent_at = utcnow()
    referral.late_flagged_at = None
    reconfirmed = _event(
        referral, "consent_reconfirmed", user, municipality_code=new.municipality_code
    )
    personal.seal_text(reconfirmed, replaced_scope)
    _event(referral, "rerouted", user, municipality_code=new.municipality_code)
    _audit("reroute", referral, user, consent_reconfirmed=True)
    return referral


def add_contact(referral: Referral, data: Mapping[str, Any], *, user: User) -> ReferralEvent:
    _require(referral, ReferralStatus.ACCEPTED)
    contact = intake.contact(data, sent_on=tokyo.in_tokyo(referral.sent_at).date())
    event = _event(
        referral,
        "contact",
        user,
        contact_on=contact.on,
        method=contact.method,
        next_follow_up=contact.next_follow_up,
    )
    if not referral.erased:
        personal.seal_text(event, contact.note)
    referral.next_follow_up = contact.next_follow_up
    _audit("contact", referral, user)
    return event


def close(referral: Referral, data: Mapping[str, Any], *, user: User) -> Referral:
    _require(referral, ReferralStatus.ACCEPTED)
    outcome = intake.outcome(data)
    _close(referral, outcome)
    _event(referral, "closed", user, outcome=outcome)
    _audit("close", referral, user, outcome=outcome)
    return referral


def _close(referral: Referral, outcome: str) -> None:
    referral.status = ReferralStatus.CLOSED
    referral.outcome = outcome
    referral.closed_at = utcnow()
    referral.next_follow_up = None


def withdraw_consent(referral: Referral, *, user: User) -> Referral:
    """The person withdrew consent: every personal field is erased at once. The case stays for
    the counts; an open one is closed as 本人辞退 (there is no one left to follow up)."""
    if referral.erased:
        raise Conflict(_("このつなぎの本人情報は既に消去されています。"))
    personal.erase(referral, because="withdrawn")
    if referral.status != ReferralStatus.CLOSED:
        _close(referral, "declined_by_person")
    _event(referral, "consent_withdrawn", user)
    _audit("withdraw_consent", referral, user)
    return referral
