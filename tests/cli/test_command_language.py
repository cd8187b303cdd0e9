"""The commands whose closing lines and refusals were Japanese only follow ``hub --lang`` like
the rest (``hub --lang en``: English from the catalog; Japanese by default, as before):
``questionnaire import``, ``recipient set`` (one format or address refused: the singular),
``user reset-password`` and ``reactivate``, ``workbook`` and ``questionnaire export``'s target,
``round change`` and ``remind``, ``municipalities import --prefecture``, ``export --round`` and
the port ``serve`` and ``run`` cannot listen on. ``keys rotate`` and ``referrals purge`` are in
tests/referrals/test_jobs.py, ``consultations import`` in tests/consultations/test_import.py."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from flask import Flask

from tests.cli.test_cli import one_line_error
from tests.conftest import PASSWORD, HubRunner, make_user
from tests.questionnaires.files import broken, kenshu_v1

JAPANESE = ("\u3040", "\u30ff")  # kana: an English line has none (names aside)


def _kana_in(text: str) -> bool:
    return any(JAPANESE[0] <= c <= JAPANESE[1] for c in text)


def test_questionnaire_import_says_what_it_stored_in_the_chosen_language(
    runner: HubRunner, tmp_path: Path
) -> None:
    path = tmp_path / "kenshu.xlsx"
    path.write_bytes(kenshu_v1())
    stored = runner("--lang", "en", "questionnaire", "import", str(path))
    assert stored.exit_code == 0, stored.stderr
    assert stored.output.splitlines() == ["Stored 研修会参加状況調査 (kenshu.xlsx).", "kenshu v1"]
    same = runner("--lang", "en", "questionnaire", "import", str(path))
    assert same.output.splitlines() == [
        "研修会参加状況調査 (kenshu.xlsx) is the same as stored version 1. Nothing was changed.",
        "kenshu v1",
    ]
    assert runner("questionnaire", "import", str(path)).output.splitlines() == [
        "研修会参加状況調査（kenshu.xlsx）は登録済みの第1版と同じ内容です。何も変更していません。",
        "kenshu v1",
    ]
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(broken())
    refused = runner("--lang", "en", "questionnaire", "import", str(bad))
    assert refused.exit_code == 1
    said = refused.stderr.strip().splitlines()
    assert (
        refused.stdout.strip().splitlines()[-1] == "hub: broken.xlsx was not stored (3 problems)."
    )
    assert sorted(said) == [  # one line a problem, its place in English as its cause
        'hub: Sheet survey, row 3, column name: The name "memo" is also used in row 2.',
        "hub: Sheet survey, row 4, column relevant: At character 1: There is no question named "
        '"nothere".',
        'hub: Sheet survey, row 5, column type: The choice list "missing_list" is not on the '
        "choices sheet.",
    ]
    assert not any(_kana_in(line) for line in said), said
    japanese = runner("questionnaire", "import", str(bad))
    assert (
        japanese.stdout.strip().splitlines()[-1]
        == "hub: broken.xlsx は登録しませんでした（問題 3 件）。"
    )
    assert sorted(japanese.stderr.strip().splitlines()) == [
        "hub: surveyシート 3行目 name列: 名前「memo」は2行目でも使われています。",
        "hub: surveyシート 4行目 relevant列: 1文字目: 「nothere」という名前の質問はありません。",
        "hub: surveyシート 5行目 type列: 選択肢リスト「missing_list」が choices シートにありません。",
    ]
    missing = runner("--lang", "en", "questionnaire", "import", str(tmp_path / "none.xlsx"))
    one_line_error(missing, f"hub: No such file: {tmp_path / 'none.xlsx'}")
    one_line_error(
        runner("questionnaire", "import", str(tmp_path / "none.xlsx")), "ファイルがありません: "
    )


def test_recipient_set_speaks_the_chosen_language_with_one_or_several_refused(
    runner: HubRunner,
) -> None:
    nothing = runner("--lang", "en", "recipient", "set", "moj")
    one_line_error(nothing, "hub: Give a setting to change (--schedule, --channel", status=2)
    one_line_error(runner("recipient", "set", "moj"), "変更する設定を指定してください", status=2)
    one = runner("--lang", "en", "recipient", "set", "moj", "--formats", "pdf")
    one_line_error(one, "formats: Format that cannot be used: pdf (choose from xlsx, csv, json)")
    two = runner("--lang", "en", "recipient", "set", "moj", "--formats", "pdf,doc")
    one_line_error(two, "formats: Formats that cannot be used: doc, pdf")
    mail = runner("--lang", "en", "recipient", "set", "moj", "--channel", "smtp", "--address", "a@")
    one_line_error(mail, "address: This e-mail address cannot be used: a@")
    japanese = runner("recipient", "set", "moj", "--formats", "pdf")
    one_line_error(japanese, "使えない形式: pdf（xlsx, csv, json から選択）")
    secret = runner("--lang", "en", "recipient", "set", "tokyo-probation", "--new-secret")
    assert secret.exit_code == 0, secret.stderr
    lines = secret.output.splitlines()
    assert lines[-2] == (
        "Shared secret (shown this once only; give it to the recipient by a safe way):"
    )
    assert (
        runner("recipient", "set", "tokyo-probation", "--new-secret").output.splitlines()[-2]
        == "共有シークレット（この一度だけ表示します。送付先に安全な方法で伝えてください）:"
    )


def test_a_temporary_password_set_from_the_command_line_says_so_in_the_chosen_language(
    app: Flask, runner: HubRunner
) -> None:
    from hub.services.users import deactivate, find_by_email

    with app.app_context():
        make_user(role="staff", email="kari@example.lg.jp")
    english = runner(
        "--lang", "en", "user", "reset-password", "kari@example.lg.jp", input=f"{PASSWORD}\n"
    )
    assert english.output == (
        "kari@example.lg.jp: the user chooses a new password at the next sign-in\n"
    )
    japanese = runner("user", "reset-password", "kari@example.lg.jp", input=f"{PASSWORD}\n")
    assert (
        japanese.output == "kari@example.lg.jp: 次のログインで新しいパスワードを決めてもらいます\n"
    )
    with app.app_context():
        from hub.db import db

        account = find_by_email("kari@example.lg.jp")
        assert account is not None
        deactivate(account, actor=None)
        db.session.commit()
    back = runner("--lang", "en", "user", "reactivate", "kari@example.lg.jp", input=f"{PASSWORD}\n")
    assert back.output == (
        "kari@example.lg.jp: reactivated; the user chooses a new password at the next sign-in\n"
    )
    empty = runner("--lang", "en", "user", "reset-password", "kari@example.lg.jp", input="\n")
    one_line_error(empty, "hub: Give the password on standard input (for example: echo ")
    one_line_error(
        runner("user", "reset-password", "kari@example.lg.jp", input="\n"),
        "hub: パスワードを標準入力から渡してください",
    )


@pytest.mark.parametrize(
    ("args", "english", "japanese", "status"),
    [
        (("workbook", "abc"),
         "hub: Give the round by its number (hub round list shows them): 'abc'",
         "hub: 調査回は番号で指定してください（hub round list で確認できます）: 'abc'", 2),
        (("workbook", "1", "-o", "/nonexistent/book.xlsx"),
         "hub: The output's folder does not exist: /nonexistent",
         "hub: 出力先のフォルダがありません: /nonexistent", 1),
        (("questionnaire", "export", "torikumi", "-o", "."),
         "hub: The output is a folder; give a file name: .",
         "hub: 出力先がフォルダです。ファイル名を指定してください: .", 2),
        (("round", "change", "1"),
         "hub: Give --deadline, --title or --opens-at. (hub --help shows how to use it)",
         "hub: --deadline・--title・--opens-at のどれかを指定してください。", 2),
        (("municipalities", "import", "--prefecture", "東京府", "tests/test_code_list.py"),
         "hub: There are problems with what was entered. prefecture: Not a prefecture's code or "
         "name: 東京府",
         "hub: 入力内容に誤りがあります。 prefecture: 都道府県のコードか名称ではありません: 東京府", 1),
        (("export", "moj", "--round", "x"),
         "hub: There are problems with what was entered. --round: Give the round's number "
         "(digits): 'x'",
         "hub: 入力内容に誤りがあります。 --round: 調査回の番号（数字）を指定してください: 'x'", 1),
    ],
)  # fmt: skip
def test_a_refusal_of_the_command_itself_is_said_in_the_chosen_language(
    runner: HubRunner, args: tuple[str, ...], english: str, japanese: str, status: int
) -> None:
    said = one_line_error(runner("--lang", "en", *args), english, status=status)
    assert not _kana_in(said.replace("東京府", "")), said
    one_line_error(runner(*args), japanese, status=status)


def test_a_round_reminded_without_a_mail_server_is_refused_in_the_chosen_language(
    app: Flask, runner: HubRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.services import reminders
    from tests.cli.test_cli import open_round

    opened = open_round(runner)
    round_id = opened.output.strip().splitlines()[-1]

    class NoServer:
        no_server = True

    monkeypatch.setattr(reminders, "chase", lambda *_a, **_k: NoServer())
    english = runner("--lang", "en", "round", "remind", round_id)
    one_line_error(english, "Nothing can be sent: HUB_SMTP_URL is not set.")
    one_line_error(runner("round", "remind", round_id), "HUB_SMTP_URL が設定されていないため")


@pytest.mark.parametrize("command", ["serve", "run"])
def test_a_port_in_use_is_said_in_the_chosen_language(
    runner: HubRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    monkeypatch.setenv("HUB_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("HUB_SECRET_KEY", "k" * 40)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("HUB_PORT", str(port))
        english = runner("--lang", "en", command)
        one_line_error(
            english,
            f"hub: 127.0.0.1:{port} is in use by another program. Stop that program, or choose "
            "another port with HUB_PORT.",
        )
        one_line_error(runner(command), f"hub: 127.0.0.1:{port} は他のプログラムが使用中です。")
