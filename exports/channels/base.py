"""What every channel receives (a finished parcel of files) and how it reports a failure."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, Self

from exports.channels.words import japanese
from hub.config import Settings

MANIFEST = "manifest.json"


def redact_url(url: str) -> str:
    """``url`` fit for a message or a log: any ``user:password@`` becomes ``***@``.

    Everything between ``scheme://`` and the last ``@`` is hidden, not just what a URL parser
    calls the user info: a password may hold unencoded ``/``, ``#`` or ``@`` that would make a
    parser cut it elsewhere, and hiding a little too much from an error message costs nothing.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        scheme, rest = "", url
    if "@" not in rest:
        return url
    return f"{scheme}{separator}***@{rest.rpartition('@')[2]}"


class ChannelError(Exception):
    """Sending failed. ``permanent`` failures (bad address, no secret) are not worth retrying.

    ``message`` is for the people who act on it (staff, the delivery log) and may name an
    address; ``for_log`` is the same without personal data, for the application log.
    A failure raised with :meth:`saying` also keeps what it says as data: ``says`` (a key of
    :data:`exports.channels.words.CHANNEL_SAYINGS`) and ``params`` (what it names; what a server
    or the system said, as it was said), so that a page words it in its own language;
    ``message`` is then that sentence in Japanese."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        for_log: str | None = None,
        says: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.for_log = message if for_log is None else for_log
        self.says = says
        self.params: dict[str, Any] = dict(params or {})

    @classmethod
    def saying(
        cls,
        says: str,
        *,
        permanent: bool = False,
        for_log: str | None = None,
        **params: Any,
    ) -> Self:
        """The failure ``says`` with ``params``; its ``message`` is the Japanese sentence."""
        return cls(
            japanese(says, params), permanent=permanent, for_log=for_log, says=says, params=params
        )

    def as_data(self) -> dict[str, Any] | None:
        """What the failure says, for a delivery's ``error_details``; ``None`` when it was raised
        with a message only (shown as it was said)."""
        return {"says": self.says, **self.params} if self.says else None


@dataclass(frozen=True)
class DeliveryFile:
    name: str
    content: bytes
    media_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)

    def entry(self) -> dict[str, Any]:
        """The file's line in ``manifest.json``."""
        return {"name": self.name, "sha256": self.sha256, "bytes": self.size}


@dataclass(frozen=True)
class Parcel:
    """One delivery, ready to go: its files and the manifest describing them."""

    delivery_id: str
    recipient: str
    recipient_title: str
    address: str
    round_id: int
    round_title: str
    created_at: datetime
    files: tuple[DeliveryFile, ...]
    correction_of: str | None = None
    changes: dict[str, Any] | None = None
    secret: str | None = field(default=None, repr=False)

    def manifest(self) -> dict[str, Any]:
        """``manifest.json`` as docs/deliveries.md fixes it, plus the correction marker when there is one."""
        return manifest_of(
            recipient=self.recipient,
            round_id=self.round_id,
            created_at=self.created_at,
            files=[f.entry() for f in self.files],
            delivery_id=self.delivery_id,
            correction_of=self.correction_of,
            changes=self.changes,
        )

    def manifest_file(self) -> DeliveryFile:
        return DeliveryFile(MANIFEST, manifest_bytes(self.manifest()), "application/json")


def manifest_of(
    *,
    recipient: str,
    round_id: int | None,
    created_at: datetime,
    files: Sequence[Mapping[str, Any]],
    delivery_id: str,
    correction_of: str | None,
    changes: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The one shape of ``manifest.json``: what a parcel sends, and what the hub writes again from
    a delivery's record (its recorded checksums) for a counterpart to download."""
    manifest: dict[str, Any] = {
        "recipient": recipient,
        "round": round_id,
        "created_at": created_at.isoformat(),
        "files": [{"name": f["name"], "sha256": f["sha256"], "bytes": f["bytes"]} for f in files],
        "delivery_id": delivery_id,
    }
    if correction_of:
        manifest["correction_of"] = correction_of
        manifest["changes"] = dict(changes or {})
    return manifest


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """``manifest.json``'s bytes, as every channel writes them."""
    return json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")


@dataclass(frozen=True)
class Went:
    """Where a parcel went (a folder, ``mailto:`` the addresses that took it, a URL), and the
    addresses a mail server refused while it took the parcel for the others: address → the
    server's reply (``550 5.1.1 …``), as it was said."""

    location: str
    refused: Mapping[str, str] = field(default_factory=dict)

    def refusal(self) -> ChannelError | None:
        """The refused addresses as a channel's failure says them (``addresses_refused``, with
        each server reply), for the delivery's row; ``None`` when none was refused."""
        if not self.refused:
            return None
        return ChannelError.saying(
            "addresses_refused",
            for_log=f"宛先{len(self.refused)}件が受け付けられませんでした",
            addresses=list(self.refused),
            replies=dict(self.refused),
        )


class Channel(Protocol):
    def __call__(self, parcel: Parcel, settings: Settings) -> Went:
        """Send the parcel; return where it went (a folder, a mail address, a URL) and, for
        mail, which addresses the server refused while it took the others.

        Raises ``ChannelError`` on failure. Sending the same parcel twice must be harmless.
        """
        ...
