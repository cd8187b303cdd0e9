"""Why a delivery failed reads in the delivery log's language: the channel's failure is kept as
data (``delivery.error_details``) and worded when the page is shown, while what a server or the
system said is shown as it was said and the row's ``error`` (the API's) stays Japanese; rows from
before keep their stored text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import Delivery
from tests.deliveries.conftest import Receiver, Seeded
from tests.deliveries.test_https import use_https
from tests.deliveries.test_mail_session import Relay
from tests.deliveries.test_outcome_words import log_on_page
from tests.deliveries.test_send_now_outcome import outcome_on_page, run_scheduler, send_now
from tests.deliveries.test_smtp import use_smtp
from tests.mailbox import start_server


def failed_on_the_page(
    app: Flask, client: FlaskClient, recipient: str, round_id: int
) -> tuple[str, str, str, str]:
    """Press 「今すぐ送信」, let the scheduler try once; the log in Japanese and English, the
    request's outcome in English and the error the delivery's row (and the API) keeps."""
    send_now(client, recipient, round_id)
    run_scheduler(app)
    with app.app_context():
        (delivery,) = db.session.scalars(select(Delivery)).all()
        assert delivery.status in ("retrying", "failed")
        error = delivery.error or ""
    return log_on_page(client), log_on_page(client, "en"), outcome_on_page(client, "en"), error


def test_an_outbox_folder_that_cannot_be_written_says_so_in_the_page_language(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox: Path
):
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / "moj").write_text("a file where the recipient's folder should be")
    client = login("staff")
    ja, en, outcome, error = failed_on_the_page(app, client, "moj", seeded.round_id)

    said = f"File exists ({outbox / 'moj'})"
    assert f"出力フォルダに書き込めません: {said}" in ja
    assert f"Cannot write to the outbox folder: {said}" in en
    assert f"Cannot write to the outbox folder: {said}" in outcome
    assert "出力フォルダ" not in en
    assert error == f"出力フォルダに書き込めません: {said}", "the API's error stays as it was"


def test_an_endpoint_answering_503_is_quoted_in_the_page_language(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, receiver: Receiver
):
    with app.app_context():
        use_https(receiver.url)
    receiver.status = 503
    client = login("staff")
    ja, en, outcome, error = failed_on_the_page(app, client, "moj", seeded.round_id)

    assert "送信先が 503 を返しました: 受信できません" in ja
    assert "The receiving server answered 503: 受信できません" in en, "its reply as it was said"
    assert "The receiving server answered 503: 受信できません" in outcome
    assert "送信先が" not in en
    assert error == "送信先が 503 を返しました: 受信できません"


def test_an_address_the_relay_refuses_is_named_in_the_page_language(
    app: Flask,
    login: Callable[..., FlaskClient],
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
):
    with app.app_context():
        use_smtp("moved@example.go.jp")
    client = login("staff")
    with start_server(Relay(refuse_to="moved@example.go.jp")) as url:
        settings = app.extensions["hub_settings"]
        monkeypatch.setitem(app.extensions, "hub_settings", settings.with_(smtp_url=url))
        ja, en, outcome, error = failed_on_the_page(app, client, "tokyo-probation", seeded.round_id)

    assert "宛先が受け付けられませんでした: moved@example.go.jp" in ja
    assert "The mail server did not accept these addresses: moved@example.go.jp" in en
    assert "The mail server did not accept these addresses: moved@example.go.jp" in outcome
    assert "宛先が" not in en
    assert error == "宛先が受け付けられませんでした: moved@example.go.jp（550 5.1.1 no such user）"


def test_a_failure_stored_before_it_was_kept_as_data_shows_its_stored_text(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded
):
    stored = "出力フォルダに書き込めません: Permission denied (/srv/outbox/moj)"
    with app.app_context():
        db.session.add(
            Delivery(
                id="20261201T010500Z-abcd",
                recipient_name="moj",
                round_id=seeded.round_id,
                content_hash="0" * 64,
                channel="outbox",
                status="failed",
                attempts=5,
                error=stored,
                created_at=utcnow() - timedelta(days=1),
            )
        )
        db.session.commit()
    client = login("staff")
    assert stored in log_on_page(client)
    assert stored in log_on_page(client, "en")


def test_the_api_gives_the_error_as_a_code_and_in_the_caller_s_language(
    app: Flask, login: Callable[..., FlaskClient], api_as, seeded: Seeded, outbox: Path
):
    """``GET /api/v1/deliveries``: ``error`` keeps the Japanese sentence, ``error_code`` says
    what it is, ``error_text`` says it as the log does, in Japanese or with ``?lang=en``;
    a counterpart gets none of them."""
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / "moj").write_text("a file where the recipient's folder should be")
    failed_on_the_page(app, login("staff"), "moj", seeded.round_id)
    said = f"File exists ({outbox / 'moj'})"
    staff = api_as("staff")
    [english] = staff.get("/deliveries?lang=en").get_json()
    assert english["error"] == f"出力フォルダに書き込めません: {said}"
    assert english["error_code"] == "outbox_unwritable"
    assert english["error_text"] == f"Cannot write to the outbox folder: {said}"
    [japanese] = staff.get("/deliveries").get_json()
    assert japanese["error_text"] == japanese["error"]
    [theirs] = api_as("counterpart", recipient="moj").get("/deliveries?lang=en").get_json()
    assert (theirs["error"], theirs["error_code"], theirs["error_text"]) == (None, None, None)
