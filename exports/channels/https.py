"""The HTTPS channel: one ``multipart/form-data`` POST of the files, signed with a shared secret.

The receiver checks ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of the exact request
body under the recipient's secret, and may use ``X-Hub-Delivery`` to ignore a repeated delivery.
Beside it (never instead: receivers verify that header as it is), ``X-Hub-Signature-256-v2``
signs ``X-Hub-Timestamp`` (the attempt's Unix time, in seconds), a ``.`` and the body, so that a
receiver can refuse a replayed request, and ``X-Hub-Key-Id`` names the secret that signed
(:func:`key_id`), so that it knows which one to check while a secret is being replaced.
Plain ``http://`` is accepted only for the local machine (tests, a relay on the same host).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from urllib.parse import urlsplit

from exports.channels.base import ChannelError, DeliveryFile, Parcel, Went
from exports.channels.words import URL_PROBLEMS
from hub.config import Settings

TIMEOUT_SECONDS = 30
SIGNATURE_HEADER = "X-Hub-Signature-256"
"""The HMAC of the body alone, as it always was (a stable interface)."""
TIMESTAMPED_SIGNATURE_HEADER = "X-Hub-Signature-256-v2"
"""The HMAC of ``<timestamp>.<body>``."""
TIMESTAMP_HEADER = "X-Hub-Timestamp"
KEY_ID_HEADER = "X-Hub-Key-Id"
DELIVERY_HEADER = "X-Hub-Delivery"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a delivery address (in the current language), or ``None``."""
    kind = url_problem_kind(url)
    return str(URL_PROBLEMS[kind]) if kind else None


def url_problem_kind(url: str) -> str | None:
    """Why ``url`` cannot be a delivery address (a key of ``URL_PROBLEMS``), or ``None``.

    A ``user:password@`` in the URL is refused: the address is shown on pages, printed by the
    CLI and kept in the audit log, and the receiver authenticates by the signature instead. Any
    ``@`` is refused, not only one a parser reads as user info: a password holding an unencoded
    ``/``, ``?`` or ``#`` moves the ``@`` out of the host part, where it would be stored all the same.
    """
    if "@" in url:
        return "credentials"
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # noqa: B018  (urlsplit checks the port only when it is read)
    except ValueError:
        return "malformed"
    if parts.scheme == "https" and hostname:
        return None
    if parts.scheme == "http" and hostname in LOCAL_HOSTS:
        return None
    return "scheme"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def timestamped_signature(secret: str, timestamp: int, body: bytes) -> str:
    """``X-Hub-Signature-256-v2``: the HMAC-SHA256 of ``<timestamp>.`` followed by the body."""
    return signature(secret, str(timestamp).encode("ascii") + b"." + body)


def key_id(secret: str) -> str:
    """``X-Hub-Key-Id``: the first 16 hex digits of the SHA-256 of the secret's UTF-8 bytes. The
    receiver works it out from each secret it holds; it tells nothing of the secret itself."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


def multipart(files: Sequence[DeliveryFile]) -> tuple[bytes, str]:
    """The body and its content type: one part named ``files`` per file."""
    boundary = "hub-" + secrets.token_hex(16)
    chunks: list[bytes] = []
    for item in files:
        chunks += [
            f"--{boundary}\r\n".encode(),
            (
                f'Content-Disposition: form-data; name="files"; filename="{item.name}"\r\n'
                f"Content-Type: {item.media_type}\r\n\r\n"
            ).encode(),
            item.content,
            b"\r\n",
        ]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a place to go: urllib would follow a 301/302/303 with a GET
    that carries no files (and the signature header, perhaps to another host), and a 200 there
    would count as delivered. Refused here, the 3xx comes back as an ``HTTPError``."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def send(parcel: Parcel, settings: Settings) -> Went:
    problem = url_problem_kind(parcel.address)
    if problem:
        raise ChannelError.saying(
            "https_address", permanent=True, recipient=parcel.recipient_title, problem=problem
        )
    if not parcel.secret:
        raise ChannelError.saying("no_secret", permanent=True, recipient=parcel.recipient_title)
    body, content_type = multipart((*parcel.files, parcel.manifest_file()))
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310  (the scheme is checked by url_problem)
        parcel.address,
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            SIGNATURE_HEADER: signature(parcel.secret, body),
            TIMESTAMP_HEADER: str(timestamp),
            KEY_ID_HEADER: key_id(parcel.secret),
            TIMESTAMPED_SIGNATURE_HEADER: timestamped_signature(parcel.secret, timestamp, body),
            DELIVERY_HEADER: parcel.delivery_id,
            "User-Agent": "saihan-hub",
        },
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as answer:
            answer.read()
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            where = (exc.headers.get("Location") or "")[:200]
            raise ChannelError.saying("http_redirect", status=exc.code, location=where) from exc
        reply = exc.read(200).decode("utf-8", "replace").strip().rstrip(": ")
        raise ChannelError.saying("http_status", status=exc.code, reply=reply) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChannelError.saying("unreachable", reason=str(reason)) from exc
    return Went(parcel.address)
