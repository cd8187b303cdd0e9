"""The outbox channel: ``$HUB_OUTBOX_DIR/<recipient>/<delivery-id>/`` appears complete or not at all.

Files are written and fsynced inside a hidden ``.partial-<delivery-id>-<random>`` folder next to the
final one, the manifest last, and the folder is then renamed into place (atomic on one file
system). A process killed mid-write leaves only a hidden partial folder, which the next attempt of
the same delivery (or any attempt a day later) removes.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path

from exports.channels.base import MANIFEST, ChannelError, Parcel, Went
from hub.config import Settings

PARTIAL_PREFIX = ".partial-"
STALE_AFTER_SECONDS = 24 * 3600
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def send(parcel: Parcel, settings: Settings) -> Went:
    """Write the parcel's folder; return its path. A folder already in place counts as sent."""
    return Went(str(write_folder(settings.outbox_dir, parcel)))


def write_folder(root: Path, parcel: Parcel) -> Path:
    """``root/<recipient>/<delivery-id>/`` with the parcel's files and its manifest, complete or
    not at all; a folder already in place is left as it is. The outbox's folders, and the copies
    the hub keeps of what it sent by mail or HTTPS (:mod:`exports.channels.copies`)."""
    base = recipient_folder(root, parcel.recipient)
    final = base / _safe(parcel.delivery_id)
    if (final / MANIFEST).is_file():
        return final
    try:
        base.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(base, parcel.delivery_id)
        partial = base / f"{PARTIAL_PREFIX}{parcel.delivery_id}-{secrets.token_hex(4)}"
        partial.mkdir()
        for item in (*parcel.files, parcel.manifest_file()):
            write_file(partial / _safe(item.name), item.content)
        _fsync_dir(partial)
        _rename_into_place(partial, final)
        _fsync_dir(base)
    except OSError as exc:
        raise ChannelError.saying(
            "outbox_unwritable", reason=str(exc.strerror or exc), folder=str(base)
        ) from exc
    return final


def _rename_into_place(partial: Path, final: Path) -> None:
    """Rename; if another attempt of the same delivery got there first, its folder stands."""
    try:
        os.rename(partial, final)
    except OSError:
        if not (final / MANIFEST).is_file():
            raise
        shutil.rmtree(partial, ignore_errors=True)


def recipient_folder(outbox_dir: Path, recipient: str) -> Path:
    return outbox_dir / _safe(recipient)


def read_delivered(root: Path, recipient: str, delivery_id: str, name: str) -> bytes | None:
    """The bytes of one file of a delivery as they lie in ``root`` (the outbox, or the copies'
    folder) now, or ``None`` when the file (or its folder) is no longer there. Every part of the
    path must be a name the channel itself would write (no ``..``, no separator), so nothing
    outside ``root`` can be read; the caller checks the bytes against the delivery's recorded
    SHA-256."""
    try:
        path = recipient_folder(root, recipient) / _safe(delivery_id) / _safe(name)
    except ChannelError:
        return None
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def write_file(path: Path, content: bytes) -> None:
    """Write and fsync one file, so that a renamed folder never holds a half-written file."""
    with open(path, "xb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def remove_stale_partials(base: Path, delivery_id: str) -> list[Path]:
    """Remove partial folders of earlier attempts of this delivery and any older than a day."""
    removed = []
    now = time.time()
    for entry in base.glob(f"{PARTIAL_PREFIX}*"):
        mine = entry.name.startswith(f"{PARTIAL_PREFIX}{delivery_id}-")
        if mine or now - entry.stat().st_mtime > STALE_AFTER_SECONDS:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _safe(name: str) -> str:
    if not SAFE_NAME.match(name) or ".." in name:
        raise ChannelError.saying("unsafe_name", permanent=True, name=name)
    return name
