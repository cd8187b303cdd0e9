"""What became of a 「今すぐ送信」 (and the delivery log) reads in the page's language: the outcome
is kept as data (``delivery_request.details``) and worded when the page is shown, so an English
page says it in English; rows from before keep their Japanese ``message``, shown as stored."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import Delivery, DeliveryRequest, User
from hub.services import deliveries
from tests.deliveries.conftest import BUNKYO, Seeded, submit_answers
from tests.deliveries.test_send_now_outcome import outcome_on_page, run_scheduler, send_now

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def log_on_page(client: FlaskClient, lang: str = "ja") -> str:
    page = client.get(f"/staff/recipients/?lang={lang}").text
    found = re.search(r'<table class="table" id="delivery-log">(.*?)</table>', page, re.S)
    assert found is not None, "the page lists the deliveries"
    return " ".join(found.group(1).split())


def test_an_unchanged_delivery_says_which_one_it_matches_in_either_language(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox
):
    client = login("staff")
    send_now(client, "moj", seeded.round_id)
    run_scheduler(app)
    with app.app_context():
        (first,) = db.session.scalars(select(Delivery)).all()
        first_id = first.id
    send_now(client, "moj", seeded.round_id)
    run_scheduler(app)

    ja = outcome_on_page(client)
    assert re.fullmatch(
        rf"令和\d+年\d+月\d+日（.）\d{{1,2}}:\d{{2}} の送信（配信 {first_id}）と同じ内容のため、"
        r"送りませんでした。",
        ja,
    ), ja
    en = outcome_on_page(client, "en")
    assert re.fullmatch(
        rf"Not sent: the content is the same as what was sent on \w{{3}} \d+ \w{{3}} \d{{4}} "
        rf"\d{{2}}:\d{{2}} \(delivery {first_id}\)\.",
        en,
    ), en
    log = log_on_page(client, "en")
    assert "Sent" in log
    assert first_id in log


def test_a_delivery_replaced_before_it_was_sent_says_so_in_the_log_in_either_language(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded, outbox, monkeypatch
):
    from exports.channels import CHANNELS, ChannelError

    def busy(parcel, settings):
        raise ChannelError("宛先が混み合っています")

    client = login("staff")
    monkeypatch.setitem(CHANNELS, "outbox", busy)
    send_now(client, "moj", seeded.round_id)
    run_scheduler(app)
    en = outcome_on_page(client, "en")
    assert "automatically" in en.lower() or "retr" in en.lower(), en
    assert "宛先が混み合っています" in en, "what the channel said is shown as it was said"
    monkeypatch.undo()
    with app.app_context():
        submit_answers(seeded.round_id, BUNKYO, db.session.get_one(User, seeded.staff_id))
        outcomes = deliveries.retry_due(utcnow() + timedelta(hours=1))
        assert [o.status for o in outcomes] == ["sent"]
        sent_id = outcomes[0].delivery.id
        db.session.remove()

    ja = log_on_page(client)
    assert "送信前にデータが変わったため、新しい配信に置き換えました。" in ja
    assert "送信済み" in ja
    assert sent_id in ja
    en = log_on_page(client, "en")
    assert "The data changed before it was sent, so a new delivery replaced it." in en
    assert "送信前" not in en
    assert "Sent" in en
    assert sent_id in en
    with app.app_context():
        replaced = db.session.scalars(select(Delivery).where(Delivery.status == "superseded")).one()
        assert replaced.error == "送信前にデータが変わったため、新しい配信に置き換えました。", (
            "the API's error keeps the Japanese text"
        )


def test_a_request_from_before_outcomes_were_data_shows_its_stored_message(
    app: Flask, login: Callable[..., FlaskClient], seeded: Seeded
):
    stored = "配信しました: 20261201T010500Z-abcd → /srv/outbox/moj/20261201T010500Z-abcd"
    with app.app_context():
        old = DeliveryRequest(
            recipient_name="moj",
            round_id=seeded.round_id,
            picked_at=utcnow() - timedelta(days=1),
            outcome="unchanged",
            message=stored,
        )
        unexpected = DeliveryRequest(
            recipient_name="moj",
            round_id=seeded.round_id,
            picked_at=utcnow() - timedelta(days=1),
            outcome="failed",
            message="予期しないエラーのため送れませんでした。"
            "システム管理者にログの確認を依頼してください。",
        )
        db.session.add_all([old, unexpected])
        db.session.commit()
        old_id, unexpected_id = old.id, unexpected.id
    client = login("staff")
    for lang in ("ja", "en"):
        page = " ".join(client.get(f"/staff/recipients/?lang={lang}").text.split())
        assert stored in page, lang
        assert f'id="request-{old_id}"' in page
        assert f'id="request-{unexpected_id}"' in page
    en = " ".join(client.get("/staff/recipients/?lang=en").text.split())
    assert "Not sent because of an unexpected error." in en, "the hub's own sentence is translated"
