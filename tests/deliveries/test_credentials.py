"""Passwords in delivery settings never leak: an SMTP URL's password stays out of every message
(delivery log, audit log, staff page, CLI output), an SMTP URL without a host is refused at start,
and an HTTPS address carrying ``user:password@`` is refused outright."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from exports.channels import redact_url
from hub.config import ConfigError, load_settings
from hub.db import db
from hub.models import AuditEvent, Delivery, Recipient
from tests.conftest import csrf_of
from tests.deliveries.conftest import Seeded, free_port, hub_env

PASSWORD = "S3cret-Pw_9"


def everything_logged() -> str:
    """The delivery log's errors and every audit entry's details, as one text."""
    errors = [d.error or "" for d in db.session.scalars(select(Delivery))]
    details = [f"{e.target} {e.details}" for e in db.session.scalars(select(AuditEvent))]
    return "\n".join(errors + details)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"smtp://kanri:{PASSWORD}@:587", "failed"),
        (f"smtp://kanri:{PASSWORD}@", "failed"),
        (f"smtp+starttls://kanri:{PASSWORD}@127.0.0.1:{free_port()}", "retrying"),
    ],
)
def test_the_smtp_password_appears_in_no_message(
    app: Flask, runner, seeded: Seeded, login, monkeypatch, url: str, status: str
):
    settings = app.extensions["hub_settings"]
    monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
    smtp = runner("recipient", "set", "tokyo-probation", "--channel", "smtp", "--address", "k@x.jp")
    assert smtp.exit_code == 0, smtp.output

    result = runner("export", "tokyo-probation", "--round", str(seeded.round_id))

    assert result.exit_code == 1
    assert PASSWORD not in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        (delivery,) = db.session.scalars(select(Delivery))
        delivery_id, error = delivery.id, delivery.error or ""
        assert delivery.status == status
        assert PASSWORD not in everything_logged()
    assert error
    if status == "failed":
        assert "HUB_SMTP_URL" in error
        assert "kanri" not in error
    assert PASSWORD not in runner("recipient", "list").output
    page = login("staff").get("/staff/recipients/")
    assert page.status_code == 200
    assert delivery_id in page.text
    assert PASSWORD not in page.text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("smtp://kanri:pw@mail.example.jp:587", "smtp://***@mail.example.jp:587"),
        ("smtp://kanri:p@ss/w#rd@mail.example.jp", "smtp://***@mail.example.jp"),
        ("https://user:pw@:443/in", "https://***@:443/in"),
        ("smtp://mail.example.jp:25", "smtp://mail.example.jp:25"),
        ("kanri:pw@mail.example.jp", "***@mail.example.jp"),
    ],
)
def test_redact_url_hides_everything_before_the_host(url: str, shown: str):
    assert redact_url(url) == shown


@pytest.mark.parametrize(
    "url",
    [
        f"smtp://u:{PASSWORD}@:587",
        f"smtps://u:{PASSWORD}@",
        f"smtp://u:{PASSWORD}@mail.example.jp:port",
        "smtp://u:pa/ss@mail.example.jp:587",
        "smtp://[::1:25",
    ],
)
def test_an_smtp_url_without_a_usable_host_is_refused_at_start(tmp_path: Path, url: str):
    env = {
        "HUB_INSTANCE_DIR": str(tmp_path),
        "HUB_SECRET_KEY": "k" * 40,
        "HUB_SMTP_URL": url,
    }
    with pytest.raises(ConfigError) as refused:
        load_settings(env)
    assert "HUB_SMTP_URL" in str(refused.value)
    assert PASSWORD not in str(refused.value)


def test_a_good_smtp_url_is_kept(tmp_path: Path):
    env = {"HUB_INSTANCE_DIR": str(tmp_path), "HUB_SECRET_KEY": "k" * 40}
    url = "smtp+starttls://kanri:p%40ss@mail.example.jp:587"
    assert load_settings({**env, "HUB_SMTP_URL": url}).smtp_url == url


def test_the_hub_command_names_the_bad_setting_without_the_password(app: Flask, tmp_path: Path):
    env = hub_env(app.extensions["hub_settings"], HUB_SMTP_URL=f"smtp://kanri:{PASSWORD}@:587")
    env["HUB_INSTANCE_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "hub", "recipient", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (1, 2), done.stdout + done.stderr
    assert "HUB_SMTP_URL" in done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "address",
    [
        "https://kanri:pw@moj.example.go.jp/in",
        "https://kanri@moj.example.go.jp/in",
        "https://kanri:12/x@moj.example.go.jp/in",
        "http://kanri:pw@127.0.0.1:8080/in",
    ],
)
def test_an_https_address_with_credentials_is_refused(runner, ctx, address: str):
    result = runner("recipient", "set", "moj", "--channel", "https", "--address", address)
    assert result.exit_code == 1
    assert "user:password@" in result.output
    assert "Traceback" not in result.output
    db.session.expire_all()
    assert db.session.get_one(Recipient, "moj").channel == "outbox"
    assert "pw@" not in runner("recipient", "list").output
    assert "moj.example.go.jp" not in everything_logged()


def test_the_staff_form_refuses_credentials_in_the_address_too(app: Flask, login):
    browser = login("staff")
    form = browser.get("/staff/recipients/moj")
    answer = browser.post(
        "/staff/recipients/moj",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "off",
            "channel": "https",
            "address": "https://kanri:pw@moj.example.go.jp/in",
            "formats": ["xlsx"],
        },
    )
    assert answer.status_code == 422
    assert "user:password@" in answer.text
    with app.app_context():
        assert db.session.get_one(Recipient, "moj").address == ""
