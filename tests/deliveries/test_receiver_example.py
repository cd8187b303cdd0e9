"""The example receiver of docs/deliveries.md ("Receiving HTTPS deliveries"), run as it is written
there — taken out of the document, so that the two cannot drift — as a real TLS server in its own
process, with the hub delivering to it through the HTTPS channel: it checks the signature, stores
the files the manifest lists with their checksums, takes a retry as a duplicate, and refuses a
body that was changed or signed with another secret."""

from __future__ import annotations

import ast
import hashlib
import ipaddress
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from exports.channels.base import MANIFEST, DeliveryFile
from exports.channels.https import DELIVERY_HEADER, SIGNATURE_HEADER, multipart, signature
from hub.db import db, utcnow
from hub.models import Delivery
from hub.services import deliveries
from hub.services.recipients import Changes, update_recipient
from tests.deliveries.conftest import Seeded, free_port

DOCUMENT = Path(__file__).parents[2] / "docs" / "deliveries.md"
SECTION = "## Receiving HTTPS deliveries"


def example_receiver() -> str:
    """The one ``python`` block of the document's section on receiving HTTPS deliveries."""
    text = DOCUMENT.read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"^```python\n(.*?)^```$", section, flags=re.M | re.S)
    return code


def test_the_example_is_short_and_uses_the_standard_library_only() -> None:
    code = example_receiver()
    assert 30 <= len(code.splitlines()) <= 50
    imported = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported
    assert imported <= set(sys.stdlib_module_names), imported


@dataclass
class Example:
    url: str
    inbox: Path
    context: ssl.SSLContext
    """What trusts the example's certificate (as the hub's machine must)."""

    def received(self) -> dict[str, Path]:
        return {p.name: p for p in self.inbox.iterdir()} if self.inbox.exists() else {}

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310  (https://127.0.0.1, made above)
            self.url, data=body, method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=10, context=self.context
            ) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the example receiver stopped: {log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("the example receiver did not start listening")


@pytest.fixture
def example(
    ctx: object, seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Example]:
    """The document's receiver at ``https://127.0.0.1:<port>/hub/deliveries``, holding the secret
    the hub made for ``moj`` when its channel became https; the hub trusts its certificate."""
    port = free_port()
    url = f"https://127.0.0.1:{port}/hub/deliveries"
    _, secret = update_recipient("moj", Changes(channel="https", address=url), user=None)
    db.session.commit()
    assert secret
    cert, key = certificate(tmp_path)
    script = tmp_path / "receiver.py"
    script.write_text(example_receiver(), encoding="utf-8")
    inbox, log = tmp_path / "inbox", tmp_path / "receiver.log"
    environment = {
        **os.environ,
        "HUB_SHARED_SECRET": secret,
        "INBOX": str(inbox),
        "PORT": str(port),
        "TLS_CERT": str(cert),
        "TLS_KEY": str(key),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(script)], env=environment, stdout=output, stderr=output
        )
    try:
        listening(port, process, log)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the hub's machine trusts its CA
        for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.delenv(name, raising=False)
        yield Example(url, inbox, ssl.create_default_context(cafile=str(cert)))
    finally:
        process.terminate()
        process.wait(timeout=10)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_example_stores_a_delivery_with_the_manifests_checksums(
    seeded: Seeded, example: Example
) -> None:
    outcome = deliveries.deliver("moj", seeded.round_id)
    assert outcome.status == "sent", outcome.message
    delivery = outcome.delivery
    assert delivery is not None
    assert delivery.location == example.url
    assert list(example.received()) == [delivery.id]
    folder = example.received()[delivery.id]
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["delivery_id"] == delivery.id
    assert manifest["files"] == delivery.files  # what the hub recorded as sent
    stored = {p.name: sha256(p) for p in folder.iterdir() if p.name != MANIFEST}
    assert stored == {f["name"]: f["sha256"] for f in manifest["files"]}
    assert {name.rsplit(".", 1)[1] for name in stored} == {"xlsx", "csv", "json"}

    # the hub did not get the answer (a timeout after the example stored the files): the retry
    # carries the same delivery_id, the example answers 200 and keeps what it holds
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    row = db.session.get_one(Delivery, delivery.id)
    row.status, row.next_attempt_at = deliveries.RETRYING, utcnow()
    db.session.commit()
    (retried,) = deliveries.retry_due(utcnow())
    assert retried.status == "sent", retried.message
    assert retried.delivery is not None
    assert retried.delivery.id == delivery.id
    assert list(example.received()) == [delivery.id]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_the_example_refuses_a_changed_body_and_a_wrong_secret(
    seeded: Seeded, example: Example
) -> None:
    outcome = deliveries.deliver("moj", seeded.round_id)
    assert outcome.status == "sent", outcome.message
    assert outcome.delivery is not None
    first = outcome.delivery.id
    folder = example.received()[first]
    secret = db.session.get_one(Delivery, first).recipient.secret
    assert secret

    # a body the hub's channel would send for another delivery, then changed after signing
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["delivery_id"] = other = "20261201T000000Z-0badc0de"
    files = [
        *(DeliveryFile(p.name, p.read_bytes(), "application/octet-stream")
          for p in sorted(folder.iterdir()) if p.name != MANIFEST),
        DeliveryFile(MANIFEST, json.dumps(manifest).encode(), "application/json"),
    ]  # fmt: skip
    body, content_type = multipart(files)
    headers = {
        "Content-Type": content_type,
        SIGNATURE_HEADER: signature(secret, body),
        DELIVERY_HEADER: other,
    }
    at = body.index(b"\r\n\r\n", body.index(b".csv")) + 10
    tampered = body[:at] + bytes([body[at] ^ 1]) + body[at + 1 :]
    assert example.post(tampered, headers) == (403, "signature does not match")
    assert example.post(body, {**headers, SIGNATURE_HEADER: "sha256=" + "0" * 64})[0] == 403
    assert example.post(body, {"Content-Type": content_type})[0] == 403
    # signed, but a file is not what the manifest says it is: refused, nothing stored
    wrong = {
        **manifest,
        "files": [{**manifest["files"][0], "sha256": "0" * 64}, *manifest["files"][1:]],
    }
    bad_body, bad_type = multipart(
        [*files[:-1], DeliveryFile(MANIFEST, json.dumps(wrong).encode(), "application/json")]
    )
    bad_headers = {"Content-Type": bad_type, SIGNATURE_HEADER: signature(secret, bad_body)}
    status, reply = example.post(bad_body, bad_headers)
    assert (status, reply) == (400, "a file's checksum does not match the manifest")
    # signed, but holding a file the manifest does not list: refused, nothing stored
    extra = DeliveryFile("r0_20261201_moj_extra.csv", b"a,b\r\n", "text/csv")
    more_body, more_type = multipart([extra, *files])
    more_headers = {"Content-Type": more_type, SIGNATURE_HEADER: signature(secret, more_body)}
    assert example.post(more_body, more_headers) == (
        400,
        "the files are not those the manifest lists",
    )
    assert list(example.received()) == [first]
    # the same body as signed is taken: it was the change that was refused
    assert example.post(body, headers) == (200, f"{other} received")
    assert sorted(example.received()) == sorted([first, other])

    # the hub with a new secret the counterpart was not given: refused, and retried
    update_recipient("moj", Changes(new_secret=True), user=None)
    db.session.commit()
    again = deliveries.deliver("moj", seeded.round_id, force=True)
    assert again.status == "retrying", again.message
    assert again.delivery is not None
    assert "403" in (again.delivery.error or "")
    assert "signature does not match" in (again.delivery.error or "")
    assert sorted(example.received()) == sorted([first, other])
