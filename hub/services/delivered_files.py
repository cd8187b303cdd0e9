"""The files of a delivery, handed out again to its addressee (and to 都 staff).

Only the outbox keeps a delivery's files on 都's server (``$HUB_OUTBOX_DIR/<recipient>/<id>/``):
mail and HTTPS put them in the counterpart's hands and the hub keeps no copy, so their files are
not offered. A file is handed out only as it was delivered: its bytes are checked against the
SHA-256 the delivery recorded, and a file that is gone or changed is refused (410), the refusal
written to the audit log for 都 staff to look into. Who may ask is decided before this module is
called (``hub.auth.policy.see_delivery``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from exports.channels.outbox import read_delivered
from exports.delivery import media_type_of
from hub.db import db
from hub.errors import Gone, NotFound
from hub.models import Delivery, User
from hub.services import audit
from hub.services.deliveries import SENT

log = logging.getLogger(__name__)

KEEPING_CHANNEL = "outbox"
"""The one channel whose files stay on the hub's server after a delivery."""
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


def files_kept(delivery: Delivery) -> bool:
    """Whether the hub keeps this delivery's files to hand out: a sent outbox delivery."""
    return delivery.status == SENT and delivery.channel == KEEPING_CHANNEL and bool(delivery.files)


def delivered_file(delivery: Delivery, name: str, *, user: User, outbox_dir: Path) -> DeliveredFile:
    """``name`` of ``delivery`` exactly as it was delivered, with the download in the audit log
    (who, which delivery and file; the caller commits).

    ``NotFound`` for a name the delivery did not send, or a delivery whose files the hub does not
    keep (mail, HTTPS); ``Gone`` — committed to the audit log first, since the request's
    transaction is rolled back — for a file no longer in the outbox or no longer the bytes that
    were sent."""
    entry = next((f for f in delivery.files or [] if f.get("name") == name), None)
    if entry is None:
        raise NotFound(
            _("この配信にそのファイルはありません。配信記録のファイル名を確かめてください。")
        )
    if not files_kept(delivery):
        raise NotFound(
            _(
                "この配信のファイルはメールまたは HTTPS で送付先に直接お届けしたもので、"
                "ハブには保管していません。届いたファイルを配信記録の SHA-256 で確かめてください。"
            )
        )
    content = read_delivered(outbox_dir, delivery.recipient_name, delivery.id, name)
    if content is None:
        _unavailable(delivery, name, user, "missing")
        raise Gone(
            _(
                "このファイルは東京都のサーバーの出力フォルダに残っていないため、お渡しできません。"
                "都の担当者にお問い合わせください。"
            )
        )
    recorded = str(entry.get("sha256") or "")
    if not hmac.compare_digest(hashlib.sha256(content).hexdigest(), recorded):
        _unavailable(delivery, name, user, "changed")
        raise Gone(
            _(
                "サーバーにあるこのファイルは配信したときのもの（SHA-256）と一致しないため、"
                "お渡しできません。都の担当者にお問い合わせください。"
            )
        )
    audit.record("delivery.download", user=user, target=f"delivery/{delivery.id}", file=name)
    return DeliveredFile(delivery.id, name, content, media_type_of(name, content))


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
