"""The delivery log over the API: a counterpart reads its own recipient's deliveries, staff all;
and the files of a delivery (an outbox folder's, or the copy kept of a mail or HTTPS delivery)
and its ``manifest.json``, handed out again as they were delivered.

A delivery is described by what was sent (files with their SHA-256 sums, the tables, the 訂正版
marker) and how it went; never by the tables' content. Error messages and the place a delivery
went (a folder of this server, a mail address) are for staff only: ``null`` for counterparts.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from exports.delivery import CSV_MEDIA_TYPES, MEDIA_TYPES
from hub.api import blp
from hub.api.schemas import AUTH_ERRORS
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.errors import Forbidden
from hub.files import delivered_file_response
from hub.models import Delivery, Role, User
from hub.services.deliveries import (
    changed_tables,
    delivery_error,
    delivery_error_code,
    delivery_log,
)
from hub.services.recipients import get_recipient

ERRORS = {
    **AUTH_ERRORS,
    "403": {"description": "role may not, or another counterpart's recipient"},
    "404": {"description": "no such recipient"},
}


class DeliveriesQuery(Schema):
    recipient = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "staff: only this recipient's deliveries (counterparts: own)"},
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=500),
        metadata={"description": "newest first, at most this many (1–500, default 100)"},
    )


class DeliveredFileOut(Schema):
    name = fields.String()
    sha256 = fields.String()
    bytes = fields.Integer()


class RefusedAddressOut(Schema):
    address = fields.String()
    reply = fields.String(
        allow_none=True, metadata={"description": "what the mail server said, as it said it"}
    )


class DeliveryOut(Schema):
    id = fields.String(required=True)
    recipient = fields.String(required=True)
    recipient_title = fields.String()
    round = fields.Integer(allow_none=True)
    status = fields.String(
        required=True, metadata={"description": "sending, retrying, sent, failed or superseded"}
    )
    attempts = fields.Integer()
    trigger = fields.String(metadata={"description": "schedule, on-close, request, cli, manual"})
    forced = fields.Boolean()
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    correction_of = fields.String(
        allow_none=True, metadata={"description": "the delivery this 訂正版 corrects"}
    )
    changed_tables = fields.List(
        fields.String(), metadata={"description": "訂正版: titles of the tables that changed"}
    )
    changed_table_keys = fields.List(
        fields.String(),
        metadata={
            "description": "訂正版: names of the tables that changed (as in tables), in the "
            "order of changed_tables"
        },
    )
    changed_table_titles = fields.List(
        fields.String(),
        metadata={
            "description": "訂正版: the tables that changed, titled in the caller's language "
            "(?lang=en); in Japanese, changed_tables"
        },
    )
    tables = fields.List(fields.String(), metadata={"description": "names of the tables sent"})
    files = fields.List(fields.Nested(DeliveredFileOut))
    error = fields.String(
        allow_none=True, metadata={"description": "staff only: why it failed, in Japanese"}
    )
    error_code = fields.String(
        allow_none=True,
        metadata={
            "description": "staff only: what the error is, as a code (outbox_unwritable, "
            "http_status, unreachable, addresses_refused …, superseded, interrupted, or other "
            "for an error kept as text only); null without one"
        },
    )
    error_text = fields.String(
        allow_none=True,
        metadata={
            "description": "staff only: the error as the delivery log says it, in the caller's "
            "language (?lang=en); null without one"
        },
    )
    location = fields.String(allow_none=True, metadata={"description": "staff only"})
    refused_addresses = fields.List(
        fields.Nested(RefusedAddressOut),
        allow_none=True,
        metadata={
            "description": "staff only: the addresses a mail server refused (while it took the "
            "delivery for the others, or all of them), each with its reply; [] when none"
        },
    )


def recipient_in_scope(user: User, asked: str | None) -> str | None:
    """The recipient whose deliveries ``user`` reads (``None``: every recipient, staff only).

    A counterpart reads only its own recipient's; asking for another one is refused.
    """
    if user.role != Role.COUNTERPART:
        return get_recipient(asked).name if asked else None
    if not user.recipient_name:
        raise Forbidden(_("この利用者には送付先（連携先）が割り当てられていません。"))
    if asked and asked != user.recipient_name:
        raise Forbidden(_("他の連携先の配信記録は見られません。"))
    return user.recipient_name


def delivery_json(delivery: Delivery, *, for_staff: bool) -> dict[str, Any]:
    changes = delivery.changes or {}
    code = delivery_error_code(delivery)
    return {
        "id": delivery.id,
        "recipient": delivery.recipient_name,
        "recipient_title": delivery.recipient.title,
        "round": delivery.round_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "trigger": delivery.trigger,
        "forced": delivery.forced,
        "created_at": delivery.created_at,
        "sent_at": delivery.sent_at,
        "next_attempt_at": delivery.next_attempt_at,
        "correction_of": delivery.correction_of_id,
        "changed_tables": list(changes.get("titles") or []) if delivery.correction_of_id else [],
        "changed_table_keys": list(changes.get("tables") or [])
        if delivery.correction_of_id
        else [],
        "changed_table_titles": changed_tables(delivery),
        "tables": list(changes.get("snapshot") or {}),
        "files": [
            {"name": f.get("name"), "sha256": f.get("sha256"), "bytes": f.get("bytes")}
            for f in delivery.files or []
        ],
        "error": delivery.error if for_staff else None,
        "error_code": code if for_staff else None,
        "error_text": delivery_error(delivery) if for_staff and code else None,
        "location": delivery.location if for_staff else None,
        "refused_addresses": refused_addresses(delivery) if for_staff else None,
    }


def refused_addresses(delivery: Delivery) -> list[dict[str, str | None]]:
    """The addresses a mail server refused, kept with the delivery's error (``error_details``)."""
    details = delivery.error_details or {}
    if details.get("says") != "addresses_refused":
        return []
    replies = details.get("replies") or {}
    return [{"address": a, "reply": replies.get(a)} for a in details.get("addresses") or []]


@blp.route("/deliveries", methods=["GET"])
@blp.arguments(DeliveriesQuery, location="query")
@blp.response(200, DeliveryOut(many=True))
@blp.doc(responses=ERRORS)
@allow("deliveries.read")
def list_deliveries(query: dict[str, Any]) -> list[dict[str, Any]]:
    """The delivery log, newest first: a counterpart's own recipient's deliveries, or (staff)
    every recipient's. What was sent, when, with its checksums, and how it went."""
    user = require_actor()
    name = recipient_in_scope(user, query["recipient"])
    staff = user.role == Role.STAFF
    return [delivery_json(d, for_staff=staff) for d in delivery_log(name, limit=query["limit"])]


_ANY_FILE = {
    media: {"schema": {"type": "string", "format": "binary"}}
    for media in dict.fromkeys((*MEDIA_TYPES.values(), *CSV_MEDIA_TYPES.values()))
}


@blp.route("/deliveries/<delivery_id>/files/<file_name>", methods=["GET"])
@blp.doc(
    responses={
        "200": {
            "description": "the file, byte for byte as it was delivered (its SHA-256 is the one "
            "`GET /deliveries` lists), as an attachment named as delivered",
            "content": _ANY_FILE,
        },
        "401": AUTH_ERRORS["401"],
        "404": {
            "description": "no such delivery, or one the caller may not see (another "
            "recipient's; any role but staff and the addressee's counterpart); no such file in "
            "it (its files, or `manifest.json`)"
        },
        "410": {
            "description": "the file is no longer in 都's outbox or in the copy kept of a mail "
            "or HTTPS delivery (kept HUB_DELIVERY_COPY_DAYS), or no longer the bytes that were "
            "delivered (checked against the recorded SHA-256): nothing is sent"
        },
    }
)
@allow("deliveries.files")
def delivered_file(delivery_id: str, file_name: str) -> Response:
    """One file of a delivery (`files[].name` of `GET /deliveries`, or `manifest.json`), as it
    was delivered — an outbox delivery's from its folder, a mail or HTTPS one's from the copy the
    hub keeps —: a counterpart fetches those addressed to its own recipient, staff any. Each
    download is written to the audit log."""
    return delivered_file_response(delivery_id, file_name)
