"""Data protection: the name and phone number are nowhere in the database, a backup, the server
log, the audit log or the notification mail; the data key never shows in the settings."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import inspect, text

from hub.config import load_settings
from hub.crypto import DataKeyError, DataKeys, encode_key, new_key
from hub.db import db
from tests.referrals.conftest import HACHIOJI, NAME, PHONE, SENT_ON, Cast

SECRETS = (NAME, PHONE, PHONE.replace("-", ""), "やまだ はなこ")


def leaks(data: bytes) -> list[str]:
    """Which of the person's values appear in ``data`` (UTF-8, as any tool would read it)."""
    return [s for s in SECRETS if s.encode("utf-8") in data]


def database_bytes(app: Flask) -> bytes:
    """Every byte of the SQLite file (and its WAL), or every row of PostgreSQL as text."""
    url = app.extensions["hub_settings"].database_url
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        with app.app_context():
            db.session.execute(text("PRAGMA wal_checkpoint(FULL)"))
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    with app.app_context():
        chunks = [
            str(row[0]).encode("utf-8")
            for table in inspect(db.engine).get_table_names()
            for row in db.session.execute(text(f'SELECT t::text FROM "{table}" t'))  # noqa: S608
        ]
    return b"\n".join(chunks)


def test_a_raw_look_at_the_database_finds_no_name_or_phone(
    app: Flask, cast: Cast, refer: Callable[..., int]
):
    referral_id = refer(sent_on=SENT_ON)
    cast.window.get(f"/referrals/{referral_id}")
    cast.window.post(f"/referrals/{referral_id}/accept")
    contact = cast.window.post(
        f"/referrals/{referral_id}/contacts",
        {"on": "2025-04-03", "method": "phone", "note": f"{NAME}さんに{PHONE}で連絡"},
    )
    assert contact.status_code == 201, contact.get_json()
    assert cast.window.get(f"/referrals/{referral_id}").get_json()["person"]["name"] == NAME
    assert leaks(database_bytes(app)) == []


def test_a_backup_holds_no_name_or_phone(
    app: Flask, runner, cast: Cast, refer: Callable[..., int], tmp_path: Path
):
    refer()
    target = tmp_path / "hub.backup"
    result = runner("backup", "-o", str(target))
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    if not app.extensions["hub_settings"].database_url.startswith("sqlite"):
        data = subprocess.run(
            ["pg_restore", "--file=-", str(target)], capture_output=True, check=True, timeout=60
        ).stdout
        assert b"referral" in data
    assert leaks(data) == []


def test_the_mail_server_log_and_audit_text_hold_no_personal_data(
    app: Flask, cast: Cast, smtp, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    answer = cast.staff.post(
        "/referrals",
        {
            "municipality": HACHIOJI,
            "person": {"name": NAME, "phone": PHONE},
            "needs": ["housing"],
            "summary": f"{NAME}（{PHONE}）",
            "consent": {"obtained_on": "2025-04-01", "obtained_by": "佐藤", "scope": "窓口へ"},
        },
    )
    assert answer.status_code == 201
    referral_id = answer.get_json()["id"]
    cast.window.get(f"/referrals/{referral_id}")
    messages = smtp.to(cast.emails["window"])
    assert len(messages) == 1
    mail = messages[0]
    assert mail["Subject"] == "新しいつなぎ依頼が1件あります"
    body = mail.get_content()
    assert f"/referrals/{referral_id}" in body
    assert "住居" not in body
    assert leaks(smtp.as_read) == []
    assert all(cast.emails["window"] in rcpts for rcpts, _ in smtp.envelopes)
    assert leaks(caplog.text.encode("utf-8")) == []
    with app.app_context():
        audit = db.session.execute(text("SELECT action, target, details FROM audit_event")).all()
    assert any(row[0] == "referral.create" for row in audit)
    assert leaks(repr(audit).encode("utf-8")) == []


def test_only_the_receiving_windows_are_mailed(cast: Cast, smtp, refer: Callable[..., int]):
    refer()
    recipients = {address for rcpts, _ in smtp.envelopes for address in rcpts}
    assert recipients == {cast.emails["window"]}


def test_the_settings_never_show_the_data_key(tmp_path: Path):
    key = encode_key(new_key())
    settings = load_settings(
        {"HUB_INSTANCE_DIR": str(tmp_path), "HUB_DATA_KEY": key, "HUB_SECRET_KEY": "x" * 40}
    )
    assert key not in repr(settings)
    assert key not in str(settings.data_keys)
    assert "HUB_DATA_KEY" in repr(settings.data_keys)


def test_a_missing_key_is_generated_under_instance_as_a_private_file(tmp_path: Path):
    first = load_settings({"HUB_INSTANCE_DIR": str(tmp_path), "HUB_SECRET_KEY": "x" * 40})
    path = tmp_path / "data_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = load_settings({"HUB_INSTANCE_DIR": str(tmp_path), "HUB_SECRET_KEY": "x" * 40})
    assert first.data_keys is not None
    assert again.data_keys is not None
    sealed = first.data_keys.seal("山田", "ctx")
    assert again.data_keys.open(sealed, "ctx") == "山田"


def test_a_malformed_key_is_refused_without_echoing_it(tmp_path: Path):
    from hub.config import ConfigError

    with pytest.raises(ConfigError) as refused:
        load_settings(
            {
                "HUB_INSTANCE_DIR": str(tmp_path),
                "HUB_DATA_KEY": "not-a-key-本当",
                "HUB_SECRET_KEY": "x" * 40,
            }
        )
    assert "not-a-key" not in str(refused.value)
    assert "HUB_DATA_KEY" in str(refused.value)


def test_a_sealed_value_is_bound_to_its_row_and_checked():
    keys = DataKeys([new_key()], source="test")
    sealed = keys.seal("山田 花子", "referral:1:person")
    assert "山田".encode() not in sealed
    assert keys.open(sealed, "referral:1:person") == "山田 花子"
    with pytest.raises(DataKeyError):
        keys.open(sealed, "referral:2:person")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(DataKeyError):
        keys.open(tampered, "referral:1:person")
    with pytest.raises(DataKeyError):
        DataKeys([new_key()], source="other").open(sealed, "referral:1:person")


@pytest.mark.slow
def test_a_real_server_log_holds_no_name_or_phone(
    app: Flask, settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """``hub run`` (werkzeug and the scheduler in one process) with a real SMTP server: a
    referral is made, read and mailed about; its log and the mail hold neither value."""
    import json
    import time

    from aiosmtpd.controller import Controller

    from hub.services.users import create_token
    from tests.conftest import make_user
    from tests.mailbox import Inbox
    from tests.servers import free_port, hub_server, request

    with app.app_context():
        staff = create_token(make_user(role="staff"))
        window_user = make_user(role="window", municipality=HACHIOJI)
        window = create_token(window_user)
        db.session.commit()
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("HUB_SMTP_URL", f"smtp://127.0.0.1:{port}")
    try:
        with hub_server(settings, tmp_path, "run") as (hub_port, log):
            body = {
                "municipality": HACHIOJI,
                "person": {"name": NAME, "phone": PHONE},
                "needs": ["housing"],
                "summary": f"{NAME} {PHONE}",
                "consent": {"obtained_on": "2025-04-01", "obtained_by": "佐藤", "scope": "窓口へ"},
            }
            status, _, text_ = request(
                hub_port,
                "POST",
                "/api/v1/referrals",
                json.dumps(body).encode(),
                {"Authorization": f"Bearer {staff}", "Content-Type": "application/json"},
            )
            assert status == 201, text_
            referral_id = json.loads(text_)["id"]
            status, _, text_ = request(
                hub_port,
                "GET",
                f"/api/v1/referrals/{referral_id}",
                headers={"Authorization": f"Bearer {window}"},
            )
            assert status == 200
            assert NAME in text_
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not inbox.envelopes:
                time.sleep(0.1)
            written = log.read_bytes()
    finally:
        controller.stop()
    assert f"/api/v1/referrals/{referral_id}".encode() in written
    assert leaks(written) == []
    assert len(inbox.envelopes) == 1
    assert leaks(inbox.as_read) == []
