"""``hub recipient list`` and ``hub recipient set``: the settings shown, and every mistake
refused in one Japanese line before anything changes."""

from __future__ import annotations

import pytest

from hub.db import db
from hub.models import Recipient
from tests.deliveries.conftest import Seeded


def test_init_made_both_recipients_and_list_shows_them(runner):
    result = runner("recipient", "list")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["moj", "tokyo-probation"]
    moj = lines[0].split("\t")
    assert moj[1] == "法務省 保護局"
    assert moj[2] == "outbox"
    assert "xlsx,csv,json" in moj
    assert "配信なし" in moj


def test_set_changes_the_profile(runner, ctx):
    result = runner(
        "recipient",
        "set",
        "tokyo-probation",
        "--schedule",
        "０ ９ ＊ ＊ １",
        "--channel",
        "smtp",
        "--address",
        "kansatsu@example.go.jp",
        "--formats",
        "csv, JSON",
    )
    assert result.exit_code == 0, result.output
    assert "cron「0 9 * * 1」" in result.output
    recipient = db.session.get_one(Recipient, "tokyo-probation")
    assert (recipient.schedule, recipient.channel, recipient.address, recipient.formats) == (
        "0 9 * * 1",
        "smtp",
        "kansatsu@example.go.jp",
        ["csv", "json"],
    )
    assert runner("recipient", "set", "tokyo-probation", "--schedule", "ON-CLOSE").exit_code == 0
    db.session.expire_all()
    assert db.session.get_one(Recipient, "tokyo-probation").schedule == "on-close"


def test_switching_to_https_prints_a_new_secret_once(runner, ctx):
    result = runner(
        "recipient", "set", "moj", "--channel", "https", "--address", "https://moj.example.go.jp/in"
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert len(secret) >= 40
    assert db.session.get_one(Recipient, "moj").secret == secret
    again = runner("recipient", "set", "moj", "--formats", "json")
    assert secret not in again.output
    rotated = runner("recipient", "set", "moj", "--new-secret")
    assert rotated.output.strip().splitlines()[-1] != secret


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--schedule", "61 * * * *"], "cron の分「61」が正しくありません"),
        (["--schedule", "* * * *"], "5項目"),
        (["--schedule", "0 9 * * 8"], "曜日は 0〜7"),
        (["--schedule", '=HYPERLINK("x")'], "5項目"),
        (["--channel", "ftp"], "送信方法は outbox, smtp, https"),
        (["--channel", "smtp"], "メールアドレスが必要"),
        (["--channel", "smtp", "--address", "kansatsu@"], "形式が正しくありません"),
        (["--channel", "https", "--address", "http://moj.example.go.jp/"], "https://"),
        (["--formats", "xlsx,pdf"], "使えない形式: pdf"),
        (["--formats", ","], "形式を1つ以上"),
    ],
)
def test_mistakes_are_refused_in_one_line_and_change_nothing(runner, ctx, args, message):
    result = runner("recipient", "set", "moj", *args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    recipient = db.session.get_one(Recipient, "moj")
    assert (recipient.schedule, recipient.channel, recipient.formats) == (
        "off",
        "outbox",
        ["xlsx", "csv", "json"],
    )


def test_unknown_recipient_and_nothing_to_change(runner):
    unknown = runner("recipient", "set", "mhlw", "--schedule", "off")
    assert unknown.exit_code == 1
    assert "送付先 mhlw はありません（登録済み: moj, tokyo-probation）" in unknown.output
    nothing = runner("recipient", "set", "moj")
    assert nothing.exit_code == 2
    assert "変更する設定を指定してください" in nothing.output


def test_list_words_the_last_deliverys_status_as_the_recipients_page_does(
    runner, seeded: Seeded
) -> None:
    """The last delivery's status in the command's language (``STATUS_LABELS``, as on 国への配信),
    never its code."""
    sent = runner("export", "moj", "--round", str(seeded.round_id))
    assert sent.exit_code == 0, sent.output
    delivery_id = sent.output.strip().splitlines()[-1]
    moj = runner("recipient", "list").output.splitlines()[0].split("\t")
    assert moj[-1] == f"送信済み {delivery_id}"
    moj = runner("recipient", "list", "--lang", "en").output.splitlines()[0].split("\t")
    assert moj[-1] == f"Sent {delivery_id}"
