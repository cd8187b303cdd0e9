"""The HTTPS channel against a local server: a signed multipart POST of the files, a failing
server retried with exponential backoff until given up, and a staff "send now" afterwards."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from email import message_from_bytes, policy

from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import AuditEvent
from hub.services import deliveries
from hub.services.recipients import Changes, update_recipient
from tests.deliveries.conftest import Receiver, Seeded


def use_https(url: str) -> str:
    _, secret = update_recipient("moj", Changes(channel="https", address=url), user=None)
    db.session.commit()
    assert secret
    return secret


def parts_of(headers: dict[str, str], body: bytes) -> dict[str, bytes]:
    head = f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode()
    message = message_from_bytes(head + body, policy=policy.default)
    return {p.get_filename(): p.get_payload(decode=True) for p in message.iter_parts()}  # type: ignore[attr-defined]


def test_the_files_arrive_signed_with_the_shared_secret(ctx, seeded: Seeded, receiver: Receiver):
    secret = use_https(receiver.url)
    outcome = deliveries.deliver("moj", seeded.round_id)
    assert outcome.status == "sent", outcome.message
    ((headers, body),) = receiver.posts
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Hub-Signature-256"], expected)
    assert outcome.delivery is not None
    assert headers["X-Hub-Delivery"] == outcome.delivery.id
    files = parts_of(headers, body)
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["recipient"] == "moj"
    for entry in manifest["files"]:
        assert hashlib.sha256(files[entry["name"]]).hexdigest() == entry["sha256"]
    assert {n.rsplit(".", 1)[1] for n in files} == {"xlsx", "csv", "json"}


def test_a_failing_endpoint_is_retried_with_backoff_then_given_up(
    ctx, seeded: Seeded, receiver: Receiver
):
    use_https(receiver.url)
    receiver.status = 503
    now = utcnow()
    outcome = deliveries.deliver("moj", seeded.round_id, now=now)
    assert outcome.status == "retrying"
    assert outcome.delivery is not None
    delivery_id = outcome.delivery.id
    assert "503" in (outcome.delivery.error or "")
    waits = []
    for _ in range(deliveries.MAX_ATTEMPTS - 1):
        assert outcome.delivery is not None
        due = outcome.delivery.next_attempt_at
        assert due is not None
        waits.append(due - now)
        assert deliveries.retry_due(due - timedelta(seconds=1)) == []
        now = due
        (outcome,) = deliveries.retry_due(now)
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert outcome.status == "failed"
    assert len(receiver.posts) == deliveries.MAX_ATTEMPTS
    assert deliveries.retry_due(now + timedelta(days=1)) == []
    failures = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.target == f"delivery/{delivery_id}",
            AuditEvent.action == "delivery.attempt_failed",
        )
        .order_by(AuditEvent.id)
    ).all()
    assert sorted(e.details["attempt"] for e in failures) == [1, 2, 3, 4, 5]
    assert [e.details["gave_up"] for e in sorted(failures, key=lambda e: e.details["attempt"])] == [
        False,
        False,
        False,
        False,
        True,
    ]

    again = deliveries.deliver("moj", seeded.round_id)
    assert again.status == "failed"
    assert "--force" in again.message
    assert len(receiver.posts) == deliveries.MAX_ATTEMPTS

    receiver.status = 200
    deliveries.request_delivery("moj", seeded.round_id, user=None)
    db.session.commit()
    (sent,) = deliveries.pick_up_requests()
    assert sent.status == "sent", sent.message
    assert len(receiver.posts) == deliveries.MAX_ATTEMPTS + 1
    assert deliveries.pick_up_requests() == []


def test_an_endpoint_that_does_not_answer_is_retried(ctx, seeded: Seeded):
    from tests.deliveries.conftest import free_port

    use_https(f"http://127.0.0.1:{free_port()}/in")
    outcome = deliveries.deliver("moj", seeded.round_id)
    assert outcome.status == "retrying"
    assert "送信先に接続できません" in outcome.message


def test_a_redirect_is_not_followed_and_not_counted_as_delivered(
    ctx, seeded: Seeded, receiver: Receiver
):
    use_https(receiver.url)
    receiver.redirect_to = "/moved-here"
    outcome = deliveries.deliver("moj", seeded.round_id)
    assert outcome.status == "retrying", "the files never reached anyone"
    assert receiver.gets == [], "no GET without the files (and the signature) to wherever it points"
    assert len(receiver.posts) == 1
    assert outcome.delivery is not None
    assert "302" in (outcome.delivery.error or "")
    assert "/moved-here" in (outcome.delivery.error or "")
    assert "ファイルは届いていません" in (outcome.delivery.error or "")
