"""The staff page: profiles and the delivery log, the edit form's checks, and 「今すぐ送信」,
which only queues a request row for the scheduler."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db import db
from hub.models import AuditEvent, Delivery, DeliveryRequest, Recipient
from hub.services import deliveries
from tests.conftest import csrf_of
from tests.deliveries.conftest import CHIYODA, Seeded


@contextmanager
def database(app: Flask) -> Iterator[Session]:
    """A look at the database from outside any request."""
    with app.app_context():
        yield db.session()


def test_staff_see_recipients_and_the_log_with_failures_highlighted(
    app, login, seeded: Seeded, outbox, monkeypatch
):
    from exports.channels import CHANNELS, ChannelError

    def refuse(parcel, settings):
        raise ChannelError("宛先が見つかりません", permanent=True)

    with app.app_context():
        assert deliveries.deliver("moj", seeded.round_id).status == "sent"
        monkeypatch.setitem(CHANNELS, "outbox", refuse)
        assert deliveries.deliver("tokyo-probation", seeded.round_id).status == "failed"
    client = login("staff")
    page = client.get("/staff/recipients/")
    assert page.status_code == 200
    html = page.text
    assert "法務省 保護局" in html
    assert "東京保護観察所" in html
    assert "今すぐ送信" in html
    assert html.count('data-failed="true"') == 1
    assert "宛先が見つかりません" in html
    assert "失敗" in html
    assert 'href="/staff/recipients/"' in client.get("/staff/").text


def test_only_staff_may_manage_recipients(app, login):
    client = login("respondent", municipality=CHIYODA)
    assert client.get("/staff/recipients/").status_code == 403
    page = client.get("/", follow_redirects=True)
    refused = client.post(
        "/staff/recipients/moj/send", data={"round_id": "1", "csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 403
    with database(app) as session:
        assert session.scalars(select(DeliveryRequest)).all() == []


def test_the_edit_form_refuses_mistakes_and_keeps_what_was_typed(app, login):
    client = login("staff")
    form = client.get("/staff/recipients/moj")
    assert form.status_code == 200
    assert 'value="off"' in form.text
    bad = client.post(
        "/staff/recipients/moj",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "cron",
            "cron": "0 25 * * *",
            "channel": "smtp",
            "address": "moj＠example",
            "formats": ["xlsx"],
        },
    )
    assert bad.status_code == 422
    assert "cron の時「25」が正しくありません" in bad.text
    assert "メールアドレスの形式が正しくありません" in bad.text
    assert 'value="0 25 * * *"' in bad.text
    assert "moj＠example" in bad.text
    with database(app) as session:
        assert session.get_one(Recipient, "moj").schedule == "off"

    good = client.post(
        "/staff/recipients/moj",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "cron",
            "cron": "30 8 * * 1-5",
            "channel": "smtp",
            "address": "hogo@example.go.jp",
            "formats": ["xlsx", "json"],
            "include_detail": "y",
            "active": "y",
        },
    )
    assert good.status_code == 302
    with database(app) as session:
        saved = session.get_one(Recipient, "moj")
        assert (saved.schedule, saved.channel, saved.formats, saved.include_detail) == (
            "30 8 * * 1-5",
            "smtp",
            ["xlsx", "json"],
            True,
        )
    assert "cron「30 8 * * 1-5」" in client.get("/staff/recipients/").text


def test_full_width_as_typed_with_the_ime_is_read_and_stored_half_width(app, login):
    """A time and addresses typed in 全角, the addresses separated by 、 ， or ；, are what the
    rest of the hub accepts: read, and stored as an account's address is (moj@…)."""
    client = login("staff")
    form = client.get("/staff/recipients/moj")
    saved = client.post(
        "/staff/recipients/moj",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "daily",
            "at": "９：００",
            "channel": "smtp",
            "address": "moj＠example.go.jp、b@Example.GO.JP，c@example.go.jp；ｄ@example.go.jp",
            "formats": ["xlsx"],
        },
    )
    assert saved.status_code == 302, saved.text
    with database(app) as session:
        stored = session.get_one(Recipient, "moj")
        assert stored.schedule == "0 9 * * *"
        assert stored.address == (
            "moj@example.go.jp, b@example.go.jp, c@example.go.jp, d@example.go.jp"
        )
    wrong = client.post(
        "/staff/recipients/moj",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "daily",
            "at": "９：００",
            "channel": "smtp",
            "address": "moj@example.go.jp、ｂ＠ｅｘａｍｐｌｅ",
            "formats": ["xlsx"],
        },
    )
    assert wrong.status_code == 422
    assert "メールアドレスの形式が正しくありません: ｂ＠ｅｘａｍｐｌｅ（" in wrong.text


def test_the_mail_channel_splits_a_list_at_japanese_separators_too():
    from exports.channels.smtp import addresses

    assert addresses("a@x.jp、b@x.jp，c@x.jp；d@x.jp; e@x.jp,,") == [
        "a@x.jp", "b@x.jp", "c@x.jp", "d@x.jp", "e@x.jp",
    ]  # fmt: skip


def test_switching_to_https_shows_the_secret_once(app, login):
    client = login("staff")
    form = client.get("/staff/recipients/tokyo-probation")
    shown = client.post(
        "/staff/recipients/tokyo-probation",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "off",
            "channel": "https",
            "address": "https://probation.example.go.jp/hub",
            "formats": ["json"],
            "active": "y",
        },
    )
    assert shown.status_code == 200
    with database(app) as session:
        secret = session.get_one(Recipient, "tokyo-probation").secret
    assert secret
    assert secret in shown.text
    assert secret not in client.get("/staff/recipients/tokyo-probation").text


def test_send_now_queues_a_request_that_the_scheduler_delivers(app, login, seeded: Seeded, outbox):
    with app.app_context():
        assert deliveries.deliver("moj", seeded.round_id).status == "sent"
    client = login("staff")
    page = client.get("/staff/recipients/")
    queued = client.post(
        "/staff/recipients/moj/send",
        data={"csrf_token": csrf_of(page.text), "round_id": str(seeded.round_id), "force": "y"},
    )
    assert queued.status_code == 302
    assert "同じ内容をもう一度送る依頼を受け付けました" in client.get("/staff/recipients/").text
    with database(app) as session:
        request = session.scalars(select(DeliveryRequest)).one()
        assert request.picked_at is None
        assert request.force is True
        assert len(session.scalars(select(Delivery)).all()) == 1, "the web worker sends nothing"
        (outcome,) = deliveries.pick_up_requests()
        assert outcome.status == "sent"
        assert len(session.scalars(select(Delivery)).all()) == 2


def test_send_now_without_a_token_or_with_a_bad_round_is_refused(app, login, seeded: Seeded):
    client = login("staff")
    assert client.post("/staff/recipients/moj/send", data={"round_id": "1"}).status_code == 400
    page = client.get("/staff/recipients/")
    unknown = client.post(
        "/staff/recipients/moj/send",
        data={"csrf_token": csrf_of(page.text), "round_id": "９９９"},
    )
    assert unknown.status_code in (302, 404)
    with database(app) as session:
        assert session.scalars(select(DeliveryRequest)).all() == []


def test_every_channel_has_a_label_beside_it():
    from exports.channels import CHANNEL_LABELS, CHANNELS

    assert set(CHANNEL_LABELS) == set(CHANNELS)


def test_the_edit_form_chooses_the_csv_encoding(app, login):
    client = login("staff")
    form = client.get("/staff/recipients/moj")
    assert "CSVの文字コード" in form.text
    assert 'value="cp932"' in form.text
    saved = client.post(
        "/staff/recipients/moj",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "off",
            "channel": "outbox",
            "formats": ["csv"],
            "csv_encoding": "cp932",
        },
    )
    assert saved.status_code == 302, saved.text
    with database(app) as session:
        assert session.get_one(Recipient, "moj").csv_encoding == "cp932"
    listing = client.get("/staff/recipients/")
    assert "（CSV: Shift_JIS）" in listing.text
    wrong = client.post(
        "/staff/recipients/moj",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "off",
            "channel": "outbox",
            "formats": ["csv"],
            "csv_encoding": "euc-jp",
        },
    )
    assert wrong.status_code == 422
    assert "utf-8-sig か cp932" in wrong.text


def test_numbers_longer_than_python_reads_are_refused_like_any_bad_number(app, login):
    """``int`` refuses more than 4,300 digits with a ``ValueError`` of its own (an English
    sentence, or a 500): a step or a day that long is a mistake like any other."""
    client = login("staff")
    form = client.get("/staff/recipients/moj")
    common = {"csrf_token": csrf_of(form.text), "channel": "smtp", "address": "hogo@example.go.jp"}
    long_step = client.post(
        "/staff/recipients/moj",
        data={**common, "schedule_kind": "cron", "cron": "0 8 * * */" + "9" * 5000},
    )
    assert long_step.status_code == 422
    assert "cron の書き方が正しくありません" in long_step.text
    assert "曜日の間隔" in long_step.text
    assert "integer string conversion" not in long_step.text
    long_day = client.post(
        "/staff/recipients/moj",
        data={**common, "schedule_kind": "monthly", "month_day": "9" * 5000, "at": "08:00"},
    )
    assert long_day.status_code == 422
    with database(app) as session:
        assert session.get_one(Recipient, "moj").schedule == "off"


def test_a_log_cut_at_its_newest_rows_says_so(app, login):
    def add_deliveries(count: int) -> None:
        with database(app) as session:
            for _ in range(count):
                session.add(
                    Delivery(
                        id=os.urandom(16).hex(),
                        recipient_name="moj",
                        content_hash="0" * 64,
                        channel="smtp",
                        status="sent",
                    )
                )
            session.commit()

    client = login("staff")
    notice = f"新しい順に、最新の{deliveries.LOG_OF_ONE_RECIPIENT}件を表示しています。"
    add_deliveries(deliveries.LOG_OF_ONE_RECIPIENT - 1)
    assert notice not in client.get("/staff/recipients/moj").text
    add_deliveries(1)
    assert notice in client.get("/staff/recipients/moj").text


def test_the_edit_form_refuses_in_english_on_an_english_page(app, login):
    """Every refusal of the recipient form reads in the page's language: with the English UI,
    the channel's address, the formats, the CSV encoding and the cron were refused in Japanese."""
    client = login("staff")
    client.get("/language/en")
    form = client.get("/staff/recipients/moj")
    typed = {"csrf_token": csrf_of(form.text), "schedule_kind": "off", "formats": ["xlsx"]}
    cases = [
        ({"channel": "smtp", "address": ""}, "Sending by e-mail needs an e-mail address."),
        ({"channel": "https", "address": "http://example.jp/in"}, "must be a URL starting with"),
        ({"channel": "https", "address": "https://u:p@example.jp/"}, "Do not put a user name"),
        ({"channel": "https", "address": "https://[::1/in"}, "not a well-formed URL"),
        ({"channel": "https", "address": "https://x.jp/in?api_key=k"}, "Do not put a token"),
        ({"channel": "ftp"}, "The channel is one of outbox, smtp, https"),
        ({"formats": []}, "Choose at least one format (xlsx, csv, json)."),
        ({"formats": ["pdf"]}, "Format that cannot be used: pdf"),
        ({"csv_encoding": "euc-jp"}, "The CSV encoding is utf-8-sig or cp932"),
        ({"schedule_kind": "cron", "cron": "* * * *"}, "Give cron as five fields"),
        ({"schedule_kind": "cron", "cron": "0 9 * * 9"}, "weekdays are 0 to 7 or sun to sat"),
        ({"schedule_kind": "cron", "cron": "*/0 9 * * *"}, "The cron minute field"),
        ({"schedule_kind": "cron", "cron": "0 24 * * *"}, "The cron hour field"),
    ]
    for changed, english in cases:
        refused = client.post("/staff/recipients/moj", data={**typed, **changed})
        assert refused.status_code == 422, changed
        assert english in refused.text, changed
        errors = " ".join(refused.text.split('class="error-message"')[1:])
        assert not any("\u3040" <= c <= "\u30ff" for c in errors), (changed, errors)


def test_a_cron_that_never_fires_is_refused(app, login):
    """0 9 30 2 * (30 February) was saved and described as a schedule, and nothing was ever
    sent."""
    client = login("staff")
    form = client.get("/staff/recipients/moj")
    refused = client.post(
        "/staff/recipients/moj",
        data={
            "csrf_token": csrf_of(form.text),
            "schedule_kind": "cron",
            "cron": "0 9 30 2 *",
            "channel": "outbox",
            "formats": ["xlsx"],
        },
    )
    assert refused.status_code == 422
    assert "当てはまる日時がなく、一度も送信されません" in refused.text
    assert 'value="0 9 30 2 *"' in refused.text
    with database(app) as session:
        assert session.get_one(Recipient, "moj").schedule == "off"


def test_send_now_sent_twice_before_the_scheduler_takes_it_sends_once(
    app, login, seeded: Seeded, outbox
):
    """Two posts of 「今すぐ送信」 for the same recipient and round (a double click without
    JavaScript, a second tab, a colleague) queued two forced requests, and 法務省 received the
    same files twice; the second is now refused, saying the first is on its way."""
    client = login("staff")
    page = client.get("/staff/recipients/")
    for _ in range(2):
        posted = client.post(
            "/staff/recipients/moj/send",
            data={"csrf_token": csrf_of(page.text), "round_id": str(seeded.round_id)},
        )
        assert posted.status_code == 302
    shown = " ".join(client.get("/staff/recipients/").text.split())
    assert "すでに受け付けて送信を待っています。二度は送りません。" in shown
    other = client.post(
        "/staff/recipients/tokyo-probation/send",
        data={"csrf_token": csrf_of(page.text), "round_id": str(seeded.round_id)},
    )
    assert other.status_code == 302
    with database(app) as session:
        assert len(session.scalars(select(DeliveryRequest)).all()) == 2
        outcomes = deliveries.pick_up_requests()
        assert [o.status for o in outcomes] == ["sent", "sent"]
        sent = session.scalars(select(Delivery.recipient_name).order_by(Delivery.recipient_name))
        assert list(sent) == ["moj", "tokyo-probation"]
    again = client.post(
        "/staff/recipients/moj/send",
        data={"csrf_token": csrf_of(page.text), "round_id": str(seeded.round_id)},
    )
    assert again.status_code == 302
    with database(app) as session:
        assert len(session.scalars(select(DeliveryRequest)).all()) == 3, (
            "once taken, it may go again"
        )


def test_a_secret_in_the_address_query_is_refused_and_kept_out_of_the_audit_log(app, login):
    """``?token=…`` in an HTTPS address was stored, shown on the pages and written whole into
    the audit log (``recipient.update``), as a ``user:password@`` would have been."""
    client = login("staff")
    form = client.get("/staff/recipients/moj")
    typed = {"csrf_token": csrf_of(form.text), "schedule_kind": "off", "formats": ["xlsx"]}
    refused = client.post(
        "/staff/recipients/moj",
        data={**typed, "channel": "https", "address": "https://x.example.jp/in?id=7&token=s3cr3t"},
    )
    assert refused.status_code == 422
    assert "トークンやパスワードなどの秘密（token）を含めないでください" in refused.text
    plain = client.post(
        "/staff/recipients/moj",
        data={**typed, "channel": "https", "address": "https://x.example.jp/in?id=7"},
    )
    assert plain.status_code == 200, "the new secret is shown once"
    with database(app) as session:
        assert session.get_one(Recipient, "moj").address == "https://x.example.jp/in?id=7"
        details = session.scalars(select(AuditEvent.details)).all()
        assert "s3cr3t" not in repr(details)


def test_a_bad_cron_field_is_named_in_the_pages_language(app, login):
    """APScheduler's own English (「Increment must be higher than 0」) was put inside the Japanese
    refusal; the refusal names the field and what it takes."""
    client = login("staff")
    form = client.get("/staff/recipients/moj")
    typed = {"csrf_token": csrf_of(form.text), "schedule_kind": "cron", "formats": ["xlsx"]}
    for cron, field in (
        ("*/0 9 * * *", "分「*/0」"),
        ("0 9 32 * *", "日「32」"),
        ("0 9 1 13 *", "月「13」"),
    ):
        refused = client.post("/staff/recipients/moj", data={**typed, "cron": cron})
        assert refused.status_code == 422
        assert f"cron の{field}が正しくありません" in refused.text
        assert "Increment" not in refused.text
        assert "Error validating" not in refused.text
