"""Delivery channels by name: each takes a finished ``Parcel`` and returns where it went."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from exports.channels import https, outbox, smtp
from exports.channels.base import (
    Channel,
    ChannelError,
    DeliveryFile,
    Parcel,
    Went,
    redact_url,
)

CHANNELS: dict[str, Channel] = {"outbox": outbox.send, "smtp": smtp.send, "https": https.send}
CHANNEL_LABELS = {
    "outbox": _l("出力フォルダ（outbox）"),
    "smtp": _l("メール（SMTP）"),
    "https": _l("HTTPS 送信"),
}
"""How each channel reads on a page; a new channel adds its label here, beside its ``send``."""

__all__ = [
    "CHANNELS",
    "CHANNEL_LABELS",
    "Channel",
    "ChannelError",
    "DeliveryFile",
    "Parcel",
    "Went",
    "channel",
    "redact_url",
]


def channel(name: str) -> Channel:
    try:
        return CHANNELS[name]
    except KeyError:
        raise ChannelError.saying(
            "unknown_channel", permanent=True, name=name, channels=list(CHANNELS)
        ) from None
