"""Key rotation: every sealed value re-sealed with a new data key, in one transaction.

With the key kept in ``instance/data_key`` (the default), :func:`rotate` writes the new key in
front of the old one first (both open values during the rotation), re-seals and commits, then
keeps only the new key: a crash at any point leaves a key file that opens every value. With
``HUB_DATA_KEY`` the operator puts the new key first (``NEW,OLD``), runs the rotation, then
removes the old key from the variable. Running hubs pick up a rotated key file by themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import select

from hub.crypto import DataKeys, encode_key, new_key, write_key_file
from hub.db import db
from hub.errors import Invalid
from hub.models import Referral, ReferralEvent
from hub.services import audit
from hub.services.referrals import personal


@dataclass(frozen=True)
class Rotation:
    values: int
    """Sealed values re-sealed with the new key."""
    key_file: Path | None
    """The key file that now holds only the new key (None: the keys came from HUB_DATA_KEY)."""


def reseal_all(keys: DataKeys) -> int:
    """Every sealed value (``personal.SEALED``) opened with ``keys`` and sealed again with the
    first of them."""
    count = 0
    for model, name, context_of in personal.SEALED:
        found = db.session.scalars(select(model).where(getattr(model, name).is_not(None)))
        for row in cast(Iterable[Referral | ReferralEvent], found):
            context = context_of(row.id)
            opened = personal.open_with(keys, getattr(row, name), context)
            setattr(row, name, keys.seal(opened, context))
            count += 1
    db.session.flush()
    return count


def sealed_without_key() -> int:
    """How many sealed values name a key the hub does not hold (a lost or replaced key file,
    instances with different keys, a backup from before a rotation); nothing is opened."""
    keys = personal.data_keys()
    blobs = [
        blob
        for model, name, _ in personal.SEALED
        for blob in db.session.scalars(
            select(getattr(model, name)).where(getattr(model, name).is_not(None))
        )
    ]
    return sum(1 for blob in blobs if blob is not None and not keys.holds_key_of(blob))


def rotate() -> Rotation:
    """Re-seal everything with a new key (key file) or with the first key of HUB_DATA_KEY.
    Commits (it must order the key file's writes around the commit, see the module docstring)."""
    keys: DataKeys = personal.data_keys()
    if keys.source == "HUB_DATA_KEY":
        if keys.count < 2:
            raise Invalid(
                {
                    "HUB_DATA_KEY": [
                        _(
                            "HUB_DATA_KEY で鍵を渡しているときは、新しい鍵を先頭に「新しい鍵,古い鍵」"
                            "と設定してから実行してください（新しい鍵は hub keys generate で作れます）。"
                        )
                    ]
                }
            )
        count = reseal_all(keys)
        audit.record("keys.rotate", user=None, values=count, source="HUB_DATA_KEY")
        db.session.commit()
        return Rotation(count, None)
    path = Path(keys.source)
    both = keys.with_first(new_key())
    write_key_file(path, both)
    personal.use_keys(both)
    count = reseal_all(both)
    audit.record("keys.rotate", user=None, values=count, source="key file")
    db.session.commit()
    only_new = both.only_current()
    write_key_file(path, only_new)
    personal.use_keys(only_new)
    return Rotation(count, path)


def generated_key() -> str:
    """A new key as HUB_DATA_KEY takes it (not stored anywhere)."""
    return encode_key(new_key())
