"""The ``hub`` command as an operator types it wrongly — an unknown command or option, a value not
among the choices, not a number, a missing file, a day without its year — answered in one
Japanese line with a non-zero status; and the listing commands' ``--lang en`` (one shared option,
Japanese by default), of a command or of ``hub`` itself, which the messages every command shares
(usage mistakes, 中止しました, the shared error handler's) follow too."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import one_line_error, open_round
from tests.conftest import HubRunner


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("nope",), ("nope というコマンドはありません。",)),
        (("keys", "rotate", "--nope"), ("--nope というオプションはありません。",)),
        (("municipalities", "list", "--status", "nope"), ("--status は active, retired, all",)),
        (("recipient", "list", "--lang", "fr"), ("--lang は ja, en のいずれか",)),
        (("round", "close", "abc"), ("ROUND_ID は数字で指定してください: 'abc'",)),
        (("serve", "--workers", "0"), ("--workers は 1〜64 の数で指定してください: 0",)),
        (("questionnaire", "export", "torikumi", "--version", "０", "-o", "x.xlsx"), ("1 以上",)),
        (("municipalities", "import", "/nonexistent/list.csv"), ("ファイルがありません: /nonexistent/list.csv",)),
        (("consultations", "import", "/nonexistent/cases.csv"), ("ファイルがありません",)),
        (("user", "add", "a@example.jp"), ("--role を指定してください。",)),
        (("export", "moj", "--round"), ("--round に値を指定してください。",)),
        (("user", "add", "a@example.jp", "--role", "staff", "--name", "都", "花子"),
         ("余分な引数があります: 花子", "引用符")),
    ],
)  # fmt: skip
def test_a_usage_mistake_is_one_japanese_line(
    runner: HubRunner, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    err = one_line_error(runner(*args), *fragments, status=2)
    for english in ("Invalid value", "No such", "Missing", "does not exist", "unexpected"):
        assert english not in err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("municipalities", "retire", "131016", "--on", "12/1"), "年も入力してください（例: "),
        (("municipalities", "retire", "131016", "--on", "１２月１日"), "-12-01）"),
    ],
)
def test_a_day_without_its_year_asks_for_the_year(
    runner: HubRunner, args: tuple[str, ...], fragment: str
) -> None:
    one_line_error(runner(*args), fragment)


def test_a_reference_date_without_its_year_asks_for_the_year(runner: HubRunner) -> None:
    result = runner(
        "round", "open", "torikumi", "--reference-date", "4/1", "--deadline", "2099-05-31T17:00"
    )
    one_line_error(result, "--reference-date", "年も入力してください（例: ", "-04-01）", status=2)


def test_the_listing_commands_speak_english_with_lang_en(runner: HubRunner) -> None:
    assert open_round(runner).exit_code == 0
    wards = runner("municipalities", "list", "--search", "131016", "--lang", "en")
    assert wards.exit_code == 0, wards.stderr
    assert wards.output.split("\n")[0] == "131016\tChiyoda\tSpecial wards\tSpecial ward\tActive"
    recipients = runner("recipient", "list", "--lang", "en")
    assert recipients.exit_code == 0, recipients.stderr
    assert "Stopped (manual only)\t" in recipients.output
    assert "Totals only\tActive\tNo delivery yet" in recipients.output
    surveys = runner("questionnaire", "list", "--lang", "en")
    assert surveys.output.startswith("torikumi\tv1\tSurvey of ")
    assert surveys.output.rstrip().endswith("Rounds: 1")
    rounds = runner("round", "list", "--lang", "en")
    assert rounds.exit_code == 0, rounds.stderr
    assert "(as of 2021-04-01)" in rounds.output
    assert "\tOpen\t" in rounds.output  # the round's state as the pages word it
    refused = runner("export", "nobody", "--lang", "en")
    one_line_error(refused, "There is no recipient nobody")
    for args in (
        ("municipalities", "list", "--search", "131016"),
        ("recipient", "list"),
        ("questionnaire", "list"),
        ("round", "list"),
    ):
        japanese = runner(*args)
        assert japanese.exit_code == 0, (args, japanese.stderr)
        assert any("\u3040" <= c <= "\u9fff" for c in japanese.output), args
    assert (
        "千代田区\t区部\t特別区\t有効"
        in runner("municipalities", "list", "--search", "131016").output
    )
    for command in (("recipient", "list"), ("round", "list"), ("municipalities", "list"),
                    ("questionnaire", "list"), ("export",)):  # fmt: skip
        shown = runner(*command, "--help")
        assert shown.exit_code == 0
        assert "--lang [ja|en]" in shown.output, command


@pytest.mark.parametrize(
    ("args", "english", "japanese"),
    [
        (("--lang", "en", "municipalities", "import", "/nonexistent/list.csv"),
         "No such file: /nonexistent/list.csv", "ファイルがありません"),
        (("restore", "--lang", "en", "/nonexistent/backup.zip"),
         "No such file: /nonexistent/backup.zip", "ファイルがありません"),
        (("--lang", "en", "round", "list", "--nope"), "There is no option --nope.", "オプション"),
        (("round", "list", "--lang", "en", "--nope"), "There is no option --nope.", "オプション"),
        (("recipient", "list", "--lang=en", "--lang", "fr"), "--lang must be one of ja, en", "いずれか"),
        (("--lang", "en", "nope"), "There is no command nope.", "コマンド"),
        (("--lang", "en", "round", "close", "abc"), "ROUND_ID must be a number: 'abc'", "数字"),
        (("--lang", "en", "serve", "--workers", "0"), "--workers must be a number from 1 to 64: 0", "数"),
        (("--lang", "en", "user", "add", "a@example.jp"), "Give --role.", "指定"),
        (("export", "moj", "--lang", "en", "--round"), "Give a value for --round.", "指定"),
    ],
)  # fmt: skip
def test_a_usage_mistake_is_said_in_english_with_lang_en(
    runner: HubRunner, args: tuple[str, ...], english: str, japanese: str
) -> None:
    err = one_line_error(runner(*args), english, "(hub --help shows how to use it)", status=2)
    assert japanese not in err
    assert not any("\u3040" <= c <= "\u9fff" for c in err), err
    without = [a for a in args if a not in ("--lang", "en", "--lang=en")]
    if "fr" not in without:  # the same mistake without --lang: Japanese, as before
        one_line_error(runner(*without), japanese, "（hub --help で使い方を表示）", status=2)


def test_a_cancelled_confirmation_says_so_in_the_chosen_language(
    runner: HubRunner, tmp_path
) -> None:
    """No answer to the question (the input ends, as after Ctrl-D or Ctrl-C): the group's
    「中止しました」, in --lang's language."""
    backup = runner("backup", "-o", str(tmp_path / "hub.zip"))
    assert backup.exit_code == 0, backup.stderr
    english = runner("restore", str(tmp_path / "hub.zip"), "--lang", "en", input="")
    assert english.stderr.strip().splitlines()[-1] == "hub: Cancelled."
    japanese = runner("restore", str(tmp_path / "hub.zip"), input="")
    assert japanese.stderr.strip().splitlines()[-1] == "hub: 中止しました。"


def test_the_shared_error_handler_speaks_the_chosen_language(
    runner: HubRunner, monkeypatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from hub.services import rounds

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("select", {}, Exception("no such table: round"))

    monkeypatch.setattr(rounds, "list_rounds", broken)
    one_line_error(
        runner("round", "list", "--lang", "en"),
        "hub: The database has not been set up. Run hub init first.",
    )
    one_line_error(runner("round", "list"), "データベースが初期化されていません。")

    def failing(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(rounds, "list_rounds", failing)
    one_line_error(
        runner("--lang", "en", "round", "list"),
        "hub: An unexpected error occurred (RuntimeError): boom",
    )
    one_line_error(runner("round", "list"), "予期しないエラーが発生しました（RuntimeError）: boom")


BAD_SETTINGS = [
    (
        {"HUB_PORT": "abc"},
        "設定エラー: HUB_PORT は整数で指定してください: 'abc'",
        "Settings error: HUB_PORT must be a whole number, got 'abc'",
    ),
    (
        {"HUB_PORT": "99999"},
        "設定エラー: HUB_PORT は 1〜65535 の数で指定してください: 99999",
        "Settings error: HUB_PORT must be between 1 and 65535, got 99999",
    ),
    (
        {"HUB_BEHIND_PROXY": "maybe"},
        "HUB_BEHIND_PROXY は 1/true/yes/on か 0/false/no/off で指定してください: 'maybe'",
        "HUB_BEHIND_PROXY must be 1/true/yes/on or 0/false/no/off, got 'maybe'",
    ),
    (
        {"HUB_DATA_KEY": "not-a-key"},
        "HUB_DATA_KEY の 1 番目の鍵が base64url の文字列ではありません。",
        "Key 1 of HUB_DATA_KEY is not base64url text.",
    ),
    (
        {"HUB_SMTP_URL": "ftp://mail.example.jp"},
        "HUB_SMTP_URL は smtp://[user:password@]host[:port] の形で指定してください",
        "HUB_SMTP_URL must look like smtp://[user:password@]host[:port] (or smtps://",
    ),
]


@pytest.mark.parametrize(("env", "japanese", "english"), BAD_SETTINGS)
@pytest.mark.parametrize(
    "args", [("serve",), ("round", "list"), ("recipient", "list")], ids=" ".join
)
def test_a_bad_setting_is_one_line_in_the_commands_language(
    tmp_path, env: dict[str, str], japanese: str, english: str, args: tuple[str, ...]
) -> None:
    """The settings are read before any app or language exists; the message is still said in
    Japanese, or in English with ``--lang en``, the variable named, never half and half."""
    from click.testing import CliRunner

    from hub.cli import cli

    settings = {"HUB_INSTANCE_DIR": str(tmp_path), "HUB_SECRET_KEY": "k" * 40, **env}
    said = CliRunner().invoke(cli, list(args), env=settings)
    err = one_line_error(said, japanese)
    assert " must " not in err
    assert "Settings error" not in err
    said = CliRunner().invoke(cli, ["--lang", "en", *args], env=settings)
    err = one_line_error(said, english)
    assert not any("\u3040" <= c <= "\u30ff" for c in err), err  # no kana left


def test_what_a_command_prints_after_its_work_is_in_english_with_lang_en(runner: HubRunner):
    """``hub --lang en``: a command's closing lines in English (the names it quotes as stored),
    a role or a change in words, not its code."""
    from tests.conftest import PASSWORD

    def english(*args: str, input: str | None = None) -> list[str]:
        done = runner("--lang", "en", *args, input=input)
        assert done.exit_code == 0, done.output + done.stderr
        return done.output.strip().splitlines()

    opened = english(
        "round",
        "open",
        "torikumi",
        "--reference-date",
        "2021-04-01",
        "--deadline",
        "2099-05-31T17:00",
    )
    assert opened[0].startswith("Opened ")
    assert opened[0].endswith("(torikumi v1); deadline 2099-05-31 17:00 (Tokyo time)")
    assert english("round", "close", opened[-1]) == [f"Closed round {opened[-1]}."]
    assert english("round", "change", opened[-1], "--deadline", "2099-06-01T17:00") == [
        f"Changed round {opened[-1]}: deadline 2099-06-01 17:00 (Tokyo time); it takes answers again."
    ]
    assert english("municipalities", "retire", "131016") == [
        "Retired\t131016\t千代田区",
        "1 retired, 0 already so",
    ]
    assert english("municipalities", "reactivate", "131016", "131024") == [
        "Reactivated\t131016\t千代田区",
        "1 reactivated, 1 already so",
    ]
    created = english("user", "add", "a@example.lg.jp", "--role", "staff", input=PASSWORD + "\n")
    assert created == ["Created a@example.lg.jp (Metropolitan staff)."]
