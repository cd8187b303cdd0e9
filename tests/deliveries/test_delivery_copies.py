"""What the hub sent by mail or HTTPS is kept as a copy of the same bytes, so that the counterpart
downloads those files again as it does an outbox delivery's — its own recipient's only, checked
against the recorded SHA-256, 410 when the copy is gone or changed, audited — and every delivery's
``manifest.json`` is offered beside its files. HTTPS requests also carry a timestamped signature
with the key id, beside the old one, unchanged."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import db, utcnow
from hub.jobs import run_job
from hub.models import AuditEvent, Delivery
from hub.services import deliveries
from hub.services.recipients import Changes, update_recipient
from hub.services.users import create_token
from tests.conftest import Api, HubRunner, make_user, sign_in
from tests.deliveries.conftest import Inbox, Receiver, Seeded
from tests.web.conftest import page

DOCUMENT = Path(__file__).parents[2] / "docs" / "deliveries.md"


def browser(app: Flask, role: str, **kwargs: Any) -> FlaskClient:
    client = app.test_client()
    with app.app_context():
        email = make_user(role=role, **kwargs).email
    sign_in(client, email)
    return client


def api_client(app: Flask, role: str, **kwargs: Any) -> Api:
    with app.app_context():
        user = make_user(role=role, **kwargs)
        token = create_token(user)
        db.session.commit()
    return Api(app.test_client(), token)


def audited(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        events = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )
        db.session.expunge_all()
        return events


def only_delivery(app: Flask, recipient: str) -> Delivery:
    with app.app_context():
        (delivery,) = db.session.scalars(
            select(Delivery).where(Delivery.recipient_name == recipient)
        )
        db.session.expunge(delivery)
        return delivery


def mailed(app: Flask, seeded: Seeded, runner: HubRunner, smtp: Inbox) -> tuple[Delivery, dict]:
    """東京保護観察所 by mail, delivered by ``hub export``; the delivery and the attachments."""
    with app.app_context():
        update_recipient(
            "tokyo-probation", Changes(channel="smtp", address="kansatsu@example.go.jp"), user=None
        )
        db.session.commit()
    result = runner("export", "tokyo-probation", "--round", str(seeded.round_id))
    assert result.exit_code == 0, result.output
    (message,) = smtp.messages
    attached = {p.get_filename(): p.get_payload(decode=True) for p in message.iter_attachments()}
    return only_delivery(app, "tokyo-probation"), attached


def posted(app: Flask, seeded: Seeded, receiver: Receiver) -> tuple[Delivery, str, tuple]:
    """法務省 by HTTPS, delivered by the scheduler's pick-up of a 「今すぐ送信」; the delivery,
    the secret and the request as the receiver got it."""
    with app.app_context():
        _, secret = update_recipient(
            "moj", Changes(channel="https", address=receiver.url), user=None
        )
        deliveries.request_delivery("moj", seeded.round_id, user=None)
        db.session.commit()
        run_job("deliveries.requests")
    assert secret
    (request,) = receiver.posts
    return only_delivery(app, "moj"), secret, request


def parts_of(headers: dict[str, str], body: bytes) -> dict[str, bytes]:
    head = f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode()
    message = message_from_bytes(head + body, policy=policy.default)
    return {p.get_filename(): p.get_payload(decode=True) for p in message.iter_parts()}  # type: ignore[attr-defined]


def downloads_on_the_page(client: FlaskClient, delivery_id: str) -> dict[str, str]:
    doc = page(client.get("/counterpart"))
    [row] = doc.xpath(f"//tr[@id='delivery-{delivery_id}']")
    links = row.xpath(".//a[@data-download] | .//a[@data-download-manifest]")
    return {a.xpath("string(code)"): a.get("href") for a in links}


def test_a_mail_delivery_sent_by_the_command_is_downloaded_again_by_its_counterpart(
    app: Flask, seeded: Seeded, runner: HubRunner, smtp: Inbox, settings: Any
):
    delivery, attached = mailed(app, seeded, runner, smtp)
    sent_manifest = json.loads(attached.pop("manifest.json"))
    client = browser(app, "counterpart", recipient="tokyo-probation")
    links = downloads_on_the_page(client, delivery.id)
    assert set(links) == {*attached, "manifest.json"}
    api = api_client(app, "counterpart", recipient="tokyo-probation")
    for name, content in attached.items():
        answer = client.get(links[name])
        assert answer.status_code == 200, (name, answer.text[:300])
        assert answer.get_data() == content, "the bytes the mail carried"
        assert answer.headers["Cache-Control"] == "no-store"
        by_api = api.get(f"/deliveries/{delivery.id}/files/{name}")
        assert by_api.status_code == 200
        assert by_api.get_data() == content
        copy = settings.delivery_copies_dir / "tokyo-probation" / delivery.id / name
        text = copy.read_bytes().decode("utf-8", "replace")
        assert not any(value in text for value in seeded.personal)
    manifest = client.get(links["manifest.json"])
    assert manifest.status_code == 200
    assert manifest.headers["Content-Type"] == "application/json"
    assert json.loads(manifest.get_data()) == sent_manifest, "the shape and content it was sent in"
    for entry in sent_manifest["files"]:
        assert hashlib.sha256(attached[entry["name"]]).hexdigest() == entry["sha256"]
    assert json.loads(api.get(f"/deliveries/{delivery.id}/files/manifest.json").get_data()) == (
        sent_manifest
    )
    downloads = audited(app, "delivery.download")
    assert sorted(e.details["file"] for e in downloads) == sorted(
        [*attached, *attached, "manifest.json", "manifest.json"]
    )
    assert {e.user.role for e in downloads} == {"counterpart"}


def test_another_recipient_s_counterpart_finds_no_such_delivery(
    app: Flask, seeded: Seeded, runner: HubRunner, smtp: Inbox
):
    delivery, attached = mailed(app, seeded, runner, smtp)
    name = next(n for n in attached if n != "manifest.json")
    api = api_client(app, "counterpart", recipient="moj")
    client = browser(app, "counterpart", recipient="moj")
    for file_name in (name, "manifest.json"):
        answer = api.get(f"/deliveries/{delivery.id}/files/{file_name}")
        assert answer.status_code == 404
        assert answer.get_json() == {"message": "配信が見つかりません。"}
        on_page = client.get(f"/counterpart/deliveries/{delivery.id}/files/{file_name}")
        assert on_page.status_code == 404
        assert attached[name] not in on_page.get_data()
    assert len(audited(app, "delivery.refused")) == 4
    assert audited(app, "delivery.download") == []


def test_an_https_delivery_sent_by_the_scheduler_is_downloaded_again_and_signed_twice(
    app: Flask, seeded: Seeded, receiver: Receiver
):
    before = int(time.time())
    delivery, secret, (headers, body) = posted(app, seeded, receiver)
    after = int(time.time())
    received = Message()
    for header, value in headers.items():
        received[header] = value
    key = secret.encode("utf-8")
    assert received["X-Hub-Signature-256"] == (
        "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    ), "the old signature, of the body alone, exactly as before"
    timestamp = received["X-Hub-Timestamp"]
    assert before <= int(timestamp) <= after
    assert received["X-Hub-Key-Id"] == hashlib.sha256(key).hexdigest()[:16]
    signed = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert received["X-Hub-Signature-256-v2"] == f"sha256={signed}"
    files = parts_of(headers, body)
    sent_manifest = json.loads(files.pop("manifest.json"))
    api = api_client(app, "counterpart", recipient="moj")
    for name, content in files.items():
        answer = api.get(f"/deliveries/{delivery.id}/files/{name}")
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_data() == content
    manifest = json.loads(api.get(f"/deliveries/{delivery.id}/files/manifest.json").get_data())
    assert manifest == sent_manifest
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == {
        name: hashlib.sha256(content).hexdigest() for name, content in files.items()
    }
    links = downloads_on_the_page(browser(app, "counterpart", recipient="moj"), delivery.id)
    assert set(links) == {*files, "manifest.json"}
    outsider = api_client(app, "counterpart", recipient="tokyo-probation")
    assert outsider.get(f"/deliveries/{delivery.id}/files/{next(iter(files))}").status_code == 404


def test_the_documented_v2_check_accepts_the_hub_s_request_and_refuses_a_replay_or_a_change(
    app: Flask, seeded: Seeded, receiver: Receiver
):
    section = DOCUMENT.read_text(encoding="utf-8").split("## Signature v2", 1)[1]
    (code,) = re.findall(r"^```python\n(.*?)^```$", section, flags=re.M | re.S)
    example: dict[str, Any] = {}
    exec(compile(code, "docs/deliveries.md", "exec"), example)  # noqa: S102  (our own document)
    verify = example["verify_v2"]
    _, secret, (headers, body) = posted(app, seeded, receiver)
    received = Message()
    for header, value in headers.items():
        received[header] = value
    old, new = b"the-secret-before-it-was-replaced", secret.encode()
    assert verify(received, body, [old, new])
    assert not verify(received, body, [old]), "another secret"
    assert not verify(received, body + b" ", [new]), "a changed body"
    assert not verify(received, body, [new], max_age=-1), "a request too old (a replay)"
    del received["X-Hub-Signature-256-v2"]
    assert not verify(received, body, [new])


def test_a_changed_copy_is_refused_with_410_and_a_removed_one_is_no_longer_offered(
    app: Flask, seeded: Seeded, runner: HubRunner, smtp: Inbox, settings: Any
):
    delivery, attached = mailed(app, seeded, runner, smtp)
    folder = settings.delivery_copies_dir / "tokyo-probation" / delivery.id
    csv_name = next(n for n in attached if n.endswith(".csv"))
    (folder / csv_name).write_bytes(attached[csv_name] + b"=1+1\r\n")
    api = api_client(app, "counterpart", recipient="tokyo-probation")
    changed = api.get(f"/deliveries/{delivery.id}/files/{csv_name}")
    assert changed.status_code == 410
    assert "一致しないため" in changed.get_json()["message"]
    assert b"=1+1" not in changed.get_data()
    for leftover in folder.iterdir():
        leftover.unlink()
    folder.rmdir()
    gone = api.get(f"/deliveries/{delivery.id}/files/{csv_name}")
    assert gone.status_code == 410
    assert gone.get_json()["message"].startswith(
        "このファイルの控えは東京都のサーバーに残っていないため"
    )
    assert "90日" in gone.get_json()["message"]
    english = api.get(f"/deliveries/{delivery.id}/files/{csv_name}?lang=en").get_json()
    assert "90 days" in english["message"]
    client = browser(app, "counterpart", recipient="tokyo-probation")
    assert set(downloads_on_the_page(client, delivery.id)) == {"manifest.json"}
    doc = page(client.get("/counterpart"))
    assert doc.xpath(f"//tr[@id='delivery-{delivery.id}']//*[@data-not-kept]")
    manifest = api.get(f"/deliveries/{delivery.id}/files/manifest.json")
    assert manifest.status_code == 200, "written again from the record, copy or not"
    assert json.loads(manifest.get_data()) == json.loads(attached["manifest.json"])
    reasons = [e.details["reason"] for e in audited(app, "delivery.file_unavailable")]
    assert reasons == ["changed", "missing", "missing"]


def test_the_housekeeping_removes_copies_past_their_keeping(
    app: Flask, seeded: Seeded, runner: HubRunner, smtp: Inbox, settings: Any
):
    delivery, attached = mailed(app, seeded, runner, smtp)
    folder = settings.delivery_copies_dir / "tokyo-probation" / delivery.id
    with app.app_context():
        run_job("housekeeping", utcnow() + timedelta(days=89))
    assert folder.is_dir(), "kept for 90 days"
    written = time.time() - 91 * 24 * 3600
    os.utime(folder, (written, written))
    with app.app_context():
        run_job("housekeeping", utcnow() + timedelta(hours=1))
    assert not folder.exists()
    api = api_client(app, "counterpart", recipient="tokyo-probation")
    name = next(n for n in attached if n != "manifest.json")
    assert api.get(f"/deliveries/{delivery.id}/files/{name}").status_code == 410


def test_an_outbox_delivery_offers_the_manifest_of_its_folder(
    app: Flask, seeded: Seeded, outbox: Path, settings: Any
):
    with app.app_context():
        outcome = deliveries.deliver("moj", seeded.round_id)
        assert outcome.status == "sent", outcome.message
        assert outcome.delivery is not None
        delivery_id = outcome.delivery.id
        db.session.remove()
    assert not settings.delivery_copies_dir.exists(), "no copy of an outbox delivery"
    folder = outbox / "moj" / delivery_id
    client = browser(app, "counterpart", recipient="moj")
    links = downloads_on_the_page(client, delivery_id)
    answer = client.get(links["manifest.json"])
    assert answer.status_code == 200
    assert answer.get_data() == (folder / "manifest.json").read_bytes()
    manifest = json.loads(answer.get_data())
    for entry in manifest["files"]:
        assert client.get(links[entry["name"]]).get_data() == (folder / entry["name"]).read_bytes()
    staff = page(browser(app, "staff").get("/staff/recipients/"))
    assert staff.xpath("//table[@id='delivery-log']//a[@data-download-manifest]")
    manifest["files"][0]["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    tampered = client.get(links["manifest.json"])
    assert tampered.status_code == 410
    (folder / "manifest.json").unlink()
    assert client.get(links["manifest.json"]).status_code == 410
    reasons = [e.details["reason"] for e in audited(app, "delivery.file_unavailable")]
    assert reasons == ["changed", "missing"]
