"""The personal fields of referrals: sealing, opening (each read logged), erasing.

Values are sealed with the hub's data keys (:mod:`hub.crypto`, AES-GCM) and bound to their row:
the associated data names the table, the row id and the field. Reading a person's data always
goes through :func:`read_person`, which writes the access log row (who, when, which, how) in
the same unit of work as the read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from hub.crypto import DataKeyError, DataKeys, load_or_create
from hub.db import db, utcnow
from hub.errors import HubError
from hub.models import Referral, ReferralEvent, ReferralRead, User

log = logging.getLogger(__name__)


class SealedDataUnreadable(HubError):
    """A sealed value the hub's data keys do not open: the key that sealed it is not held (a
    lost or replaced ``instance/data_key``, a ``HUB_DATA_KEY`` without the old key, a backup
    from before a rotation) or the value was altered. One clear answer, never a traceback."""

    status = 503

    def __init__(self) -> None:
        super().__init__(
            _(
                "つなぎの個人情報を開く鍵がハブにありません。システム管理者がデータ鍵を"
                "鍵のバックアップから戻すまで、個人情報は開けません。"
            )
        )


def open_with(keys: DataKeys, blob: bytes, context: str) -> str:
    """``keys.open``, with a key that does not open the value as ``SealedDataUnreadable`` (logged
    without the value, the key or the person)."""
    try:
        return keys.open(blob, context)
    except DataKeyError as exc:
        log.warning(
            "sealed value %s not opened with the data keys of %s: %s", context, keys.source, exc
        )
        raise SealedDataUnreadable() from None


def data_keys() -> DataKeys:
    keys: DataKeys | None = current_app.extensions["hub_settings"].data_keys
    if keys is None:
        raise RuntimeError("the hub has no data key (HUB_DATA_KEY)")
    return keys


def use_keys(keys: DataKeys) -> None:
    """From now on this app seals and opens with ``keys`` (after a rotation)."""
    settings = current_app.extensions["hub_settings"]
    current_app.extensions["hub_settings"] = settings.with_(data_keys=keys)


def _open(blob: bytes, context: str) -> str:
    """Open a sealed value; if its key is unknown and the keys come from the key file, read the
    file again once (another process rotated the key) before giving up."""
    keys = data_keys()
    try:
        return keys.open(blob, context)
    except DataKeyError:
        if keys.source == "HUB_DATA_KEY":
            return open_with(keys, blob, context)
        fresh = load_or_create(None, current_app.extensions["hub_settings"].instance_dir)
        use_keys(fresh)
        return open_with(fresh, blob, context)


def person_context(referral_id: int) -> str:
    return f"referral:{referral_id}:person"


def scope_context(referral_id: int) -> str:
    return f"referral:{referral_id}:consent_scope"


def text_context(event_id: int) -> str:
    return f"referral_event:{event_id}:text"


SEALED: tuple[tuple[type[Referral] | type[ReferralEvent], str, Callable[[int], str]], ...] = (
    (Referral, "person_sealed", person_context),
    (Referral, "consent_scope_sealed", scope_context),
    (ReferralEvent, "text_sealed", text_context),
)
"""Every sealed column with the associated data of its values (by the row's id): what a key
rotation re-seals and what ``hub init`` counts when no key opens a value."""


def seal_person(referral: Referral, person: dict[str, Any]) -> None:
    """``{"person": {...}, "summary", "needs_other"}`` sealed into ``referral`` (flushed)."""
    plain = json.dumps(person, ensure_ascii=False, sort_keys=True)
    referral.person_sealed = data_keys().seal(plain, person_context(referral.id))


def seal_scope(referral: Referral, scope: str) -> None:
    """The scope of the person's consent sealed into ``referral`` (flushed, so it has an id)."""
    referral.consent_scope_sealed = data_keys().seal(scope, scope_context(referral.id))


def seal_text(event: ReferralEvent, text: str) -> None:
    event.text_sealed = data_keys().seal(text, text_context(event.id)) if text else None


def open_person(referral: Referral) -> dict[str, Any] | None:
    if referral.person_sealed is None:
        return None
    opened: dict[str, Any] = json.loads(_open(referral.person_sealed, person_context(referral.id)))
    return opened


def open_scope(referral: Referral) -> str | None:
    if referral.consent_scope_sealed is None:
        return None
    return _open(referral.consent_scope_sealed, scope_context(referral.id))


def open_text(event: ReferralEvent) -> str:
    if event.text_sealed is None:
        return ""
    return _open(event.text_sealed, text_context(event.id))


def read_person(referral: Referral, *, user: User, via: str) -> dict[str, Any] | None:
    """The personal data — the person, ``summary``, ``needs_other`` and ``consent_scope`` —
    (None once erased); the read is logged unless there was nothing."""
    personal = open_person(referral)
    scope = open_scope(referral)
    if personal is None and scope is None:
        return None
    personal = {**(personal or {}), "consent_scope": scope}
    fields = [f"person.{k}" for k in sorted(personal.get("person", {}))]
    fields += [k for k in ("summary", "needs_other") if personal.get(k)]
    fields += ["consent.scope"] if scope else []
    db.session.add(
        ReferralRead(
            referral_id=referral.id,
            user_id=user.id,
            at=utcnow(),
            fields=",".join(fields)[:200],
            via=via,
        )
    )
    return personal


def erase(referral: Referral, *, because: str) -> bool:
    """Erase every personal field of ``referral``; False if there was nothing left to erase."""
    if referral.erased_at is not None:
        return False
    referral.person_sealed = None
    referral.consent_scope_sealed = None
    for event in referral.events:
        event.text_sealed = None
    referral.erased_at = utcnow()
    referral.erased_because = because
    _forget_body(referral)
    return True


API_KEY_PREFIX = "api:"
"""What ``referral.submission_key`` starts with when an API ``Idempotency-Key`` made it
(``api:<key>:<body>``, :class:`hub.services.referrals.lifecycle.Idempotency`); a page form's
starts with the user id (digits)."""


def _forget_body(referral: Referral) -> None:
    """Drop the body's HMAC of an API key with the personal data it was computed from; the
    key stays, so that a late retry still makes no second referral."""
    key = referral.submission_key
    if key is not None and key.startswith(API_KEY_PREFIX):
        referral.submission_key = key.rsplit(":", 1)[0]
