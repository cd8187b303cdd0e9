"""The SMTP channel through a real SMTP conversation (aiosmtpd on 127.0.0.1): files attached,
Japanese subject and body decoded correctly, 訂正版 marked, and a dead server retried."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from hub.db import db, utcnow
from hub.models import Recipient, User
from hub.services import deliveries
from hub.services.recipients import Changes, update_recipient
from tests.deliveries.conftest import CHUO, Inbox, Seeded, free_port, submit_answers


def use_smtp(address: str) -> None:
    update_recipient("tokyo-probation", Changes(channel="smtp", address=address), user=None)
    db.session.commit()


def test_a_delivery_arrives_with_its_files_and_a_japanese_subject(ctx, seeded: Seeded, smtp: Inbox):
    use_smtp("kansatsu@example.go.jp, tanto@example.go.jp")
    outcome = deliveries.deliver("tokyo-probation", seeded.round_id)
    assert outcome.status == "sent", outcome.message
    (message,) = smtp.messages
    assert set(smtp.envelopes[0][0]) == {"kansatsu@example.go.jp", "tanto@example.go.jp"}
    assert "=?utf-8?" in message.as_string().split("\n\n", 1)[0].lower()
    subject = str(message["Subject"])
    assert subject.startswith("再犯防止 連携調査ハブ:")
    assert "集計データ（東京保護観察所）" in subject
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "東京保護観察所 御中" in text
    assert outcome.delivery is not None
    assert outcome.delivery.id in text
    attachments = {
        part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()
    }
    manifest = json.loads(attachments.pop("manifest.json"))
    csv_part = next(p for p in message.iter_attachments() if p.get_filename().endswith(".csv"))
    assert csv_part.get_content_type() == "text/csv"
    assert csv_part.get_param("charset") == "utf-8"
    assert {f["name"] for f in manifest["files"]} == set(attachments)
    for entry in manifest["files"]:
        assert hashlib.sha256(attachments[entry["name"]]).hexdigest() == entry["sha256"]
    assert any(name.endswith(".xlsx") for name in attachments)
    assert outcome.delivery.location == "mailto:kansatsu@example.go.jp,tanto@example.go.jp"


def test_a_correction_is_marked_in_the_subject(ctx, seeded: Seeded, smtp: Inbox):
    use_smtp("kansatsu@example.go.jp")
    first = deliveries.deliver("tokyo-probation", seeded.round_id)
    staff = db.session.get_one(User, seeded.staff_id)
    submit_answers(seeded.round_id, CHUO, staff, plan_status="internal_planning")
    second = deliveries.deliver("tokyo-probation", seeded.round_id)
    assert second.status == "sent", second.message
    assert first.delivery is not None
    subject = str(smtp.messages[-1]["Subject"])
    assert subject.startswith("【訂正版】")
    body = smtp.messages[-1].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert f"配信 {first.delivery.id} の訂正版" in body
    assert "計画の策定状況" in body
    assert len(smtp.messages) == 2
    assert deliveries.deliver("tokyo-probation", seeded.round_id).status == "unchanged"
    assert len(smtp.messages) == 2


def test_an_unreachable_mail_server_is_retried_with_backoff(ctx, app, seeded: Seeded, monkeypatch):
    settings = app.extensions["hub_settings"]
    monkeypatch.setitem(
        app.extensions, "hub_settings", settings.with_(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    )
    use_smtp("kansatsu@example.go.jp")
    now = utcnow()
    outcome = deliveries.deliver("tokyo-probation", seeded.round_id, now=now)
    assert outcome.status == "retrying"
    assert outcome.delivery is not None
    assert "メールサーバー 127.0.0.1" in (outcome.delivery.error or "")
    assert outcome.delivery.next_attempt_at == now + timedelta(minutes=1)


def test_smtp_without_a_mail_server_setting_fails_at_once(ctx, app, seeded: Seeded):
    assert app.extensions["hub_settings"].smtp_url is None
    use_smtp("kansatsu@example.go.jp")
    outcome = deliveries.deliver("tokyo-probation", seeded.round_id)
    assert outcome.status == "failed"
    assert "HUB_SMTP_URL" in outcome.message
    recipient = db.session.get_one(Recipient, "tokyo-probation")
    assert recipient.channel == "smtp"


def test_a_refused_address_is_on_the_delivery_log_and_not_in_the_audit_log(
    ctx, app, seeded: Seeded, monkeypatch
):
    """The relay refuses the recipient's address: the delivery's row names it, for staff to mend
    the recipient; the audit log counts it (an address may name a person)."""
    from sqlalchemy import select

    from hub.models import AuditEvent
    from tests.deliveries.test_mail_session import Relay
    from tests.mailbox import start_server

    with start_server(Relay(refuse_to="moved@example.go.jp")) as url:
        settings = app.extensions["hub_settings"]
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
        use_smtp("moved@example.go.jp")
        outcome = deliveries.deliver("tokyo-probation", seeded.round_id)
    assert outcome.status in ("failed", "retrying"), outcome.message
    assert outcome.delivery is not None
    assert "moved@example.go.jp" in (outcome.delivery.error or "")
    (details,) = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "delivery.attempt_failed")
    )
    assert "moved@" not in str(details)
    assert details["error"] == "宛先1件が受け付けられませんでした"


def test_a_delivery_mail_reads_as_written_with_the_closing_lines(
    app, ctx, seeded: Seeded, smtp: Inbox
):
    from exports.channels.smtp import closing
    from hub.models import Round
    from tests.mailbox import SPECIAL, read_as_received

    db.session.get_one(Round, seeded.round_id).title = f"取組状況{SPECIAL}"
    use_smtp("kansatsu@example.go.jp")
    outcome = deliveries.deliver("tokyo-probation", seeded.round_id)
    assert outcome.status == "sent", outcome.message
    (raw,) = smtp.raw_to("kansatsu@example.go.jp")
    settings = app.extensions["hub_settings"]
    message, text = read_as_received(raw, settings.public_url)
    assert SPECIAL in str(message["Subject"])
    assert f"「取組状況{SPECIAL}」" in text
    assert text.endswith("\n".join(closing(settings)) + "\n")
    assert message["Auto-Submitted"] == "auto-generated"
