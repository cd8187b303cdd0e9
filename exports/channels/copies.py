"""The copies the hub keeps of what it sent by mail or HTTPS, so that the counterpart can download
those files again as the outbox's are: ``$HUB_DELIVERY_COPIES_DIR/<recipient>/<delivery-id>/``,
the same bytes and ``manifest.json``, written like an outbox folder (complete or not at all), and
removed :data:`hub.config.Settings.delivery_copy_days` after they were written by the hourly
housekeeping. The outbox keeps its own folders: no copy of an outbox delivery is made."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from exports.channels.base import Parcel
from exports.channels.outbox import PARTIAL_PREFIX, STALE_AFTER_SECONDS, write_folder
from hub.config import Settings

DAY_SECONDS = 24 * 3600


def keep(parcel: Parcel, settings: Settings) -> Path:
    """The copy of a parcel just sent; its folder. Raises ``ChannelError`` when it cannot be
    written (the caller logs it: the delivery went all the same)."""
    return write_folder(settings.delivery_copies_dir, parcel)


def expire(root: Path, *, days: int, now: float | None = None) -> int:
    """Remove the copies written more than ``days`` ago (by their folder's time) and partial
    folders older than a day; how many folders went."""
    if not root.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for recipient in root.iterdir():
        if not recipient.is_dir():
            continue
        for folder in recipient.iterdir():
            age = now - folder.stat().st_mtime
            partial = folder.name.startswith(PARTIAL_PREFIX)
            if age > (STALE_AFTER_SECONDS if partial else days * DAY_SECONDS):
                shutil.rmtree(folder, ignore_errors=True)
                removed += 0 if partial else 1
    return removed
