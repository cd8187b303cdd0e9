"""The files of a delivery, handed out again to its addressee (and to 都 staff).

The outbox keeps a delivery's files on 都's server (``$HUB_OUTBOX_DIR/<recipient>/<id>/``); of
what mail and HTTPS put in the counterpart's hands the hub keeps a copy of the same bytes
(``$HUB_DELIVERY_COPIES_DIR/<recipient>/<id>/``, :mod:`exports.channels.copies`) for
``HUB_DELIVERY_COPY_DAYS`` days. A file is handed out only as it was delivered: its bytes are
checked against the SHA-256 the delivery recorded, and a file that is gone or changed is refused
(410), the refusal written to the audit log for 都 staff to look into. ``manifest.json`` is offered
beside the files: an outbox delivery's as it lies in its folder (its list of files checked against
the recorded one), the others' written again from the record. Who may ask is decided before this
module is called (``hub.auth.policy.see_delivery``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from exports.channels import copies
from exports.channels.base import MANIFEST, manifest_bytes
from exports.channels.outbox import read_delivered
from exports.delivery import media_type_of
from hub.config import Settings
from hub.db import db
from hub.errors import Gone, NotFound
from hub.models import Delivery, User
from hub.services import audit
from hub.services.deliveries import OUTBOX, SENT, recorded_manifest

log = logging.getLogger(__name__)

ID_LENGTH = 64
"""The longest delivery id (``delivery.id``'s column); a longer one is none."""


@dataclass(frozen=True)
class DeliveredFile:
    """One file of a delivery, read back from where it was delivered and verified."""

    delivery_id: str
    name: str
    content: bytes
    media_type: str


def find_delivery(delivery_id: str) -> Delivery | None:
    """The delivery of that id, or ``None`` (the caller's policy makes both a 404)."""
    if not delivery_id or len(delivery_id) > ID_LENGTH:
        return None
    return db.session.get(Delivery, delivery_id)


def _settings() -> Settings:
    settings: Settings = current_app.extensions["hub_settings"]
    return settings


def _root(delivery: Delivery, settings: Settings) -> Path:
    """Where the delivery's files lie on 都's server: its outbox folder, or the copy of them."""
    return settings.outbox_dir if delivery.channel == OUTBOX else settings.delivery_copies_dir


def manifest_offered(delivery: Delivery) -> bool:
    """Whether the delivery's ``manifest.json`` is offered: a sent delivery with files, whatever
    its channel (for mail and HTTPS it is written again from the record)."""
    return delivery.status == SENT and bool(delivery.files)


def files_kept(delivery: Delivery) -> bool:
    """Whether the hub offers this delivery's files: a sent outbox delivery, or a sent mail or
    HTTPS one whose copy is still kept (not yet past ``HUB_DELIVERY_COPY_DAYS``, nor sent before
    the hub kept copies)."""
    if not manifest_offered(delivery):
        return False
    if delivery.channel == OUTBOX:
        return True
    copy = read_delivered(
        _settings().delivery_copies_dir, delivery.recipient_name, delivery.id, MANIFEST
    )
    return copy is not None


def delivered_file(delivery: Delivery, name: str, *, user: User) -> DeliveredFile:
    """``name`` of ``delivery`` exactly as it was delivered, with the download in the audit log
    (who, which delivery and file; the caller commits); ``manifest.json`` as
    :func:`delivered_manifest` gives it.

    ``NotFound`` for a name the delivery did not send; ``Gone`` — committed to the audit log
    first, since the request's transaction is rolled back — for a file no longer on 都's server
    (the outbox, or the copy of a mail or HTTPS delivery) or no longer the bytes that were sent."""
    if name == MANIFEST:
        return delivered_manifest(delivery, user=user)
    entry = next((f for f in delivery.files or [] if f.get("name") == name), None)
    if entry is None or delivery.status != SENT:
        raise NotFound(_no_such_file())
    content = read_delivered(
        _root(delivery, _settings()), delivery.recipient_name, delivery.id, name
    )
    if content is None:
        _unavailable(delivery, name, user, "missing")
        raise Gone(_missing(delivery))
    recorded = str(entry.get("sha256") or "")
    if not hmac.compare_digest(hashlib.sha256(content).hexdigest(), recorded):
        _unavailable(delivery, name, user, "changed")
        raise Gone(_changed())
    audit.record("delivery.download", user=user, target=f"delivery/{delivery.id}", file=name)
    return DeliveredFile(delivery.id, name, content, media_type_of(name, content))


def delivered_manifest(delivery: Delivery, *, user: User) -> DeliveredFile:
    """``manifest.json`` of a sent delivery, audited like its files. An outbox delivery's is the
    file in its folder, handed out only while its list of files, its id, recipient and round are
    those the delivery recorded (else ``Gone``, as for a file); a mail or HTTPS delivery's is
    written again from the record, in the shape it was sent (:func:`recorded_manifest`), so it is
    offered even once the copy of its files is gone."""
    if not manifest_offered(delivery):
        raise NotFound(_no_such_file())
    recorded = recorded_manifest(delivery)
    if delivery.channel == OUTBOX:
        content = read_delivered(
            _settings().outbox_dir, delivery.recipient_name, delivery.id, MANIFEST
        )
        if content is None:
            _unavailable(delivery, MANIFEST, user, "missing")
            raise Gone(_missing(delivery))
        if not _describes(content, recorded):
            _unavailable(delivery, MANIFEST, user, "changed")
            raise Gone(_changed())
    else:
        content = manifest_bytes(recorded)
    audit.record("delivery.download", user=user, target=f"delivery/{delivery.id}", file=MANIFEST)
    return DeliveredFile(delivery.id, MANIFEST, content, "application/json")


IDENTITY = ("recipient", "round", "delivery_id", "files")
"""What an outbox folder's manifest must still say as the delivery recorded it."""


def _describes(content: bytes, recorded: dict[str, Any]) -> bool:
    """Whether a manifest found in the outbox names the delivery and the files as recorded."""
    try:
        found = json.loads(content)
    except ValueError:
        return False
    return isinstance(found, dict) and all(found.get(key) == recorded[key] for key in IDENTITY)


def _no_such_file() -> str:
    return _("この配信にそのファイルはありません。配信記録のファイル名を確かめてください。")


def _missing(delivery: Delivery) -> str:
    if delivery.channel == OUTBOX:
        return _(
            "このファイルは東京都のサーバーの出力フォルダに残っていないため、お渡しできません。"
            "都の担当者にお問い合わせください。"
        )
    days = _settings().delivery_copy_days
    return ngettext(
        "このファイルの控えは東京都のサーバーに残っていないため、お渡しできません"
        "（メール・HTTPS で送ったファイルの控えは、送信から%(days)s日で削除します）。"
        "届いたファイルを配信記録の SHA-256 で確かめるか、都の担当者にお問い合わせください。",
        "このファイルの控えは東京都のサーバーに残っていないため、お渡しできません"
        "（メール・HTTPS で送ったファイルの控えは、送信から%(days)s日で削除します）。"
        "届いたファイルを配信記録の SHA-256 で確かめるか、都の担当者にお問い合わせください。",
        days,
        days=days,
    )


def _changed() -> str:
    return _(
        "サーバーにあるこのファイルは配信したときのもの（SHA-256）と一致しないため、"
        "お渡しできません。都の担当者にお問い合わせください。"
    )


def _unavailable(delivery: Delivery, name: str, user: User, why: str) -> None:
    """A delivered file that could not be handed out, in the log and the audit log at once."""
    log.warning("delivered file %s/%s cannot be handed out: %s", delivery.id, name, why)
    audit.record(
        "delivery.file_unavailable",
        user=user,
        target=f"delivery/{delivery.id}",
        file=name,
        reason=why,
    )
    db.session.commit()


def prune_copies(now: datetime) -> int:
    """Remove the copies of mail and HTTPS deliveries older than ``HUB_DELIVERY_COPY_DAYS`` (the
    hourly housekeeping); how many deliveries' copies went. Their manifests stay offered."""
    settings = _settings()
    return copies.expire(
        settings.delivery_copies_dir, days=settings.delivery_copy_days, now=now.timestamp()
    )
