"""Delivery channels by name: each takes a finished ``Parcel`` and returns where it went."""

from __future__ import annotations

from exports.channels import https, outbox, smtp
from exports.channels.base import Channel, ChannelError, DeliveryFile, Parcel, redact_url

CHANNELS: dict[str, Channel] = {"outbox": outbox.send, "smtp": smtp.send, "https": https.send}

__all__ = [
    "CHANNELS",
    "Channel",
    "ChannelError",
    "DeliveryFile",
    "Parcel",
    "channel",
    "redact_url",
]


def channel(name: str) -> Channel:
    try:
        return CHANNELS[name]
    except KeyError:
        raise ChannelError(
            f"送信方法 {name!r} はありません（{', '.join(CHANNELS)}）。", permanent=True
        ) from None
