"""The ``hub`` command as an operator types it wrongly — an unknown command or option, a value not
among the choices, not a number, a missing file, a day without its year — answered in one
Japanese line with a non-zero status; and the listing commands' ``--lang en`` (one shared option,
Japanese by default)."""

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
