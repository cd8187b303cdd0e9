"""Field encryption at rest: AES-256-GCM (``cryptography``) with the keys of ``HUB_DATA_KEY``.

A sealed value is ``version (1 byte) | key id (4 bytes) | nonce (12 bytes) | ciphertext+tag``.
The key id is the first 4 bytes of the key's SHA-256, so a value names the key that opens it and
a rotation can run while old and new keys are both held. The associated data binds a value to
the row and field it was written for: a ciphertext copied into another row does not open.

Only the referral services (``hub.services.referrals``) and the settings import this module
(checked by import-linter). The keys never appear in a ``repr``, a log line or an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_BYTES = 4
HEADER = len(VERSION) + KEY_ID_BYTES + NONCE_BYTES
KEY_FILE = "data_key"


def N_(text: str) -> str:
    """Marks ``text`` as a message of the hub's catalog without translating it (see
    ``hub.config.ConfigError``, which says a key's problem at start)."""
    return text


class DataKeyError(ValueError):
    """A key is malformed or missing for a sealed value; the message never holds a key.

    ``message`` with ``values`` (``%(name)s`` placeholders): the Japanese msgid of the hub's
    catalog for a key the settings read (``HUB_DATA_KEY``, the key file), said at start as a
    ``ConfigError``; a value that does not open says why in English, for the log only."""

    def __init__(self, message: str, **values: Any) -> None:
        self.message = message
        self.values = values
        super().__init__(message % values if values else message)


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:KEY_ID_BYTES]


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str, *, name: str, number: int = 1) -> bytes:
    """The key ``text``, the ``number``th of those in ``name`` (a variable or a file)."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise DataKeyError(
            N_("%(name)s の %(number)s 番目の鍵が base64url の文字列ではありません。"),
            name=name,
            number=number,
        ) from None
    if len(key) != KEY_BYTES:
        raise DataKeyError(
            N_(
                "%(name)s の %(number)s 番目の鍵は %(bytes)s バイトを base64url にしたもの"
                "（44 文字）で指定してください。"
            ),
            name=name,
            number=number,
            bytes=KEY_BYTES,
        )
    return key


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


class DataKeys:
    """The keys that open sealed values; the first one seals. Its ``repr`` names no key."""

    def __init__(self, keys: Sequence[bytes], *, source: str) -> None:
        if not keys:
            raise DataKeyError("no data key")
        self._keys = tuple(keys)
        self._by_id = {key_id(k): k for k in self._keys}
        self.source = source
        """``"HUB_DATA_KEY"`` or the path of the key file under ``instance/``."""

    def __repr__(self) -> str:
        return f"<DataKeys {len(self._keys)} key(s) from {self.source}>"

    __str__ = __repr__

    @property
    def current_id(self) -> bytes:
        return key_id(self._keys[0])

    @property
    def count(self) -> int:
        return len(self._keys)

    def with_first(self, key: bytes) -> DataKeys:
        """These keys with ``key`` in front (it seals from now on)."""
        rest = [k for k in self._keys if k != key]
        return DataKeys([key, *rest], source=self.source)

    def only_current(self) -> DataKeys:
        return DataKeys(self._keys[:1], source=self.source)

    def encoded(self) -> list[str]:
        return [encode_key(k) for k in self._keys]

    def seal(self, plaintext: str, context: str) -> bytes:
        key = self._keys[0]
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return VERSION + key_id(key) + nonce + sealed

    def open(self, blob: bytes, context: str) -> str:
        if len(blob) <= HEADER or blob[:1] != VERSION:
            raise DataKeyError("not a sealed value")
        key = self._by_id.get(blob[1 : 1 + KEY_ID_BYTES])
        if key is None:
            raise DataKeyError("the key that sealed this value is not among the data keys")
        nonce = blob[1 + KEY_ID_BYTES : HEADER]
        try:
            plain = AESGCM(key).decrypt(nonce, blob[HEADER:], context.encode("utf-8"))
        except InvalidTag:
            raise DataKeyError("a sealed value failed its integrity check") from None
        return plain.decode("utf-8")

    def holds_key_of(self, blob: bytes) -> bool:
        """Whether one of these keys sealed ``blob`` (by the key id it names; nothing opened)."""
        return blob[1 : 1 + KEY_ID_BYTES] in self._by_id

    def is_current(self, blob: bytes) -> bool:
        return blob[1 : 1 + KEY_ID_BYTES] == self.current_id


def parse_keys(text: str, *, name: str) -> list[bytes]:
    """Keys separated by commas or new lines (the first seals), as in ``HUB_DATA_KEY``."""
    parts = [p for p in text.replace("\n", ",").split(",") if p.strip()]
    return [decode_key(p, name=name, number=i) for i, p in enumerate(parts, start=1)]


def load_or_create(env_value: str | None, instance_dir: Path) -> DataKeys:
    """The keys of ``HUB_DATA_KEY``; when it is unset, those kept in ``instance/data_key``
    (created 0600 with a new key the first time, like the secret key)."""
    if env_value:
        keys = parse_keys(env_value, name="HUB_DATA_KEY")
        if not keys:
            raise DataKeyError(N_("HUB_DATA_KEY に鍵がありません。"))
        return DataKeys(keys, source="HUB_DATA_KEY")
    path = instance_dir / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        keys = parse_keys(path.read_text(), name=str(path))
        if not keys:
            raise DataKeyError(
                N_("%(path)s に鍵がありません。鍵のバックアップから戻してください。"),
                path=str(path),
            ) from None
        return DataKeys(keys, source=str(path))
    key = new_key()
    with os.fdopen(fd, "w") as f:
        f.write(encode_key(key) + "\n")
    return DataKeys([key], source=str(path))


def write_key_file(path: Path, keys: DataKeys) -> None:
    """Replace the key file atomically (mode 0600): a crash leaves the old file or the new one."""
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(keys.encoded()) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)
