"""The ``hub`` command as people type it: user and token, rounds, one-line errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.cli import cli
from hub.db import db
from hub.models import AuditEvent, Response, Round, User
from hub.services.users import find_by_email, verify_password
from tests.conftest import PASSWORD, Api, HubRunner

PROJECT = Path(__file__).resolve().parents[2]


def one_line_error(result: Result, *fragments: str, status: int = 1) -> str:
    assert result.exit_code == status, (result.exit_code, result.output, result.stderr)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    err = result.stderr.strip()
    assert "Traceback" not in result.output
    assert len(err.splitlines()) == 1, err
    assert err.startswith("hub: ")
    for fragment in fragments:
        assert fragment in err, err
    return err


def add_user(runner: HubRunner, email: str, *options: str, password: str = PASSWORD) -> Result:
    return runner("user", "add", email, *options, input=password + "\n")


def open_round(runner: HubRunner, *extra: str) -> Result:
    return runner(
        "round", "open", "torikumi",
        "--reference-date", "2021-04-01", "--deadline", "2099-05-31T17:00", *extra,
    )  # fmt: skip


# ---------------------------------------------------------------------------- user add


def test_user_add_reads_the_password_from_stdin(app: Flask, runner: HubRunner) -> None:
    result = add_user(
        runner, "Tanaka@Example.LG.JP", "--role", "respondent", "--municipality", "131016"
    )
    assert result.exit_code == 0, result.stderr
    assert result.output.strip() == "Tanaka@example.lg.jp を作成しました（回答者（区市町村））。"
    assert PASSWORD not in result.output + result.stderr
    with app.app_context():
        user = find_by_email("tanaka@example.lg.jp")
        assert user is not None
        assert (user.role, user.municipality_code) == ("respondent", "131016")
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user, PASSWORD)
        assert not verify_password(user, PASSWORD + "x")


@pytest.mark.parametrize(
    ("options", "password", "fragments"),
    [
        (["--role", "staff"], "short", ["password", "12文字以上"]),
        (["--role", "staff"], "aaaaaaaaaaaaaaaa", ["password", "繰り返し"]),
        (["--role", "staff"], "brand-NEW-password-2021", ["password", "メールアドレス"]),
        (["--role", "respondent"], PASSWORD, ["municipality", "自治体コードが必要"]),
        (["--role", "respondent", "--municipality", "999999"], PASSWORD, ["999999", "登録されていません"]),
        (["--role", "staff", "--municipality", "131016"], PASSWORD, ["回答者（respondent）と相談窓口（window）だけ"]),
        (["--role", "counterpart"], PASSWORD, ["recipient", "送付先名が必要"]),
        (["--role", "counterpart", "--recipient", "nobody"], PASSWORD, ["nobody"]),
    ],
)  # fmt: skip
def test_user_add_mistakes_are_one_line(
    app: Flask, runner: HubRunner, options: list[str], password: str, fragments: list[str]
) -> None:
    one_line_error(add_user(runner, "new@example.jp", *options, password=password), *fragments)
    with app.app_context():
        assert find_by_email("new@example.jp") is None


def test_user_add_bad_email_duplicate_and_empty_stdin(runner: HubRunner) -> None:
    one_line_error(add_user(runner, "not-an-email", "--role", "staff"), "email")
    assert add_user(runner, "dup@example.jp", "--role", "staff").exit_code == 0
    one_line_error(add_user(runner, "DUP@example.jp", "--role", "staff"), "既に登録")
    one_line_error(runner("user", "add", "x@example.jp", "--role", "staff", input=""), "標準入力")


def test_user_add_unknown_role_is_a_usage_error(runner: HubRunner) -> None:
    result = add_user(runner, "x@example.jp", "--role", "superuser")
    one_line_error(result, "superuser", status=2)


def test_counterpart_bound_to_a_recipient(app: Flask, runner: HubRunner) -> None:
    result = add_user(runner, "moj@example.go.jp", "--role", "counterpart", "--recipient", "moj")
    assert result.exit_code == 0, result.stderr
    with app.app_context():
        user = find_by_email("moj@example.go.jp")
        assert user is not None
        assert user.recipient_name == "moj"


def test_an_offices_list_of_people_names_municipalities_and_recipients_as_it_writes_them(
    app: Flask, runner: HubRunner
) -> None:
    """April's list of new respondents and windows, read into ``hub user add`` line by line:
    the municipality by its name (青ケ島村 for 青ヶ島村 too) or 総務省's five digits in 全角 as
    well as by the six, and 東京保護観察所 by the name the pages show; what names none says what
    to write instead, and the recipients there are."""
    from tests.conftest import add_hiroshima_fuchu

    for email, options, code in (
        ("takahashi@city.hachioji.lg.jp", ("--municipality", "八王子市"), "132012"),
        ("yamazaki@city.hachioji.lg.jp", ("--municipality", "１３２０１"), "132012"),
        ("aogashima@vill.aogashima.lg.jp", ("--municipality", "青ケ島村"), "134023"),
    ):
        done = add_user(runner, email, "--role", "window", *options)
        assert done.exit_code == 0, done.stderr
        with app.app_context():
            assert find_by_email(email).municipality_code == code, options  # type: ignore[union-attr]
    moved = runner("user", "set-role", "takahashi@city.hachioji.lg.jp", "respondent",
                   "--municipality", "立川市")  # fmt: skip
    assert moved.exit_code == 0, moved.stderr
    hogo = add_user(
        runner, "hogo@moj.go.jp", "--role", "counterpart", "--recipient", "東京保護観察所"
    )
    assert hogo.exit_code == 0, hogo.stderr
    with app.app_context():
        assert find_by_email("takahashi@city.hachioji.lg.jp").municipality_code == "132021"  # type: ignore[union-attr]
        assert find_by_email("hogo@moj.go.jp").recipient_name == "tokyo-probation"  # type: ignore[union-attr]
    one_line_error(
        add_user(runner, "x@city.hachioji.lg.jp", "--role", "window", "--municipality", "八王子"),
        "「八王子」という区市町村はありません。団体コード（6桁、例: 132012）か名前（例: 八王子市）",
    )
    add_hiroshima_fuchu(app)
    one_line_error(
        add_user(runner, "x@city.fuchu.lg.jp", "--role", "respondent", "--municipality", "府中市"),
        "府中市 という名前の区市町村が複数あります。団体コード（6桁）で指定してください。",
    )
    one_line_error(
        add_user(runner, "x@moj.go.jp", "--role", "counterpart", "--recipient", "保護観察所"),
        "登録されている送付先: moj（法務省 保護局）、tokyo-probation（東京保護観察所）",
    )


# --------------------------------------------------------------------------- token add


def test_token_add_prints_a_token_that_works(
    app: Flask, runner: HubRunner, client: FlaskClient
) -> None:
    add_user(runner, "staff@example.jp", "--role", "staff")
    result = runner("token", "add", "staff@example.jp", "--description", "都の集計システム")
    assert result.exit_code == 0, result.stderr
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("hub_")
    assert Api(client, token).get("/rounds").status_code == 200
    assert Api(client, token[:-1] + "x").get("/rounds").status_code == 401
    with app.app_context():
        from hub.models import ApiToken

        stored = db.session.scalars(select(ApiToken.token_hash)).all()
        assert token not in stored
        assert len(stored) == 1


def test_token_add_for_a_respondent_sees_only_its_municipality(
    runner: HubRunner, client: FlaskClient
) -> None:
    add_user(runner, "r@example.jp", "--role", "respondent", "--municipality", "131016")
    token = runner("token", "add", "r@example.jp").output.strip().splitlines()[-1]
    round_id = open_round(runner).output.strip().splitlines()[-1]
    api = Api(client, token)
    assert api.get(f"/rounds/{round_id}/responses/131016").status_code == 200
    assert api.get(f"/rounds/{round_id}/responses/131024").status_code == 403


def test_token_add_unknown_user(runner: HubRunner) -> None:
    one_line_error(runner("token", "add", "ghost@example.jp"), "ghost@example.jp")


# ------------------------------------------------------------------------------ rounds


def test_round_open_prints_the_id_last(app: Flask, runner: HubRunner) -> None:
    result = open_round(runner, "--title", "令和3年度 取組状況調査")
    assert result.exit_code == 0, result.stderr
    lines = result.output.strip().splitlines()
    round_id = int(lines[-1])
    assert "提出期限: 2099-05-31 17:00（日本時間）" in lines[0]
    with app.app_context():
        opened = db.session.get(Round, round_id)
        assert opened is not None
        assert opened.title == "令和3年度 取組状況調査"
        assert opened.deadline.isoformat() == "2099-05-31T08:00:00+00:00"
        assert str(opened.reference_date) == "2021-04-01"
        events = db.session.scalars(select(AuditEvent.action)).all()
        assert "round.open" in events


def test_two_rounds_of_one_survey_may_be_open(runner: HubRunner) -> None:
    first = open_round(runner)
    late = runner(
        "round", "open", "torikumi", "--reference-date", "2020-04-01", "--deadline", "2099-06-30T17:00"
    )  # fmt: skip
    assert first.exit_code == late.exit_code == 0
    assert first.output.splitlines()[-1] != late.output.splitlines()[-1]
    listing = runner("round", "list").output.strip().splitlines()
    assert len(listing) == 2
    assert all("\t受付中\t" in line for line in listing)


def test_a_round_for_the_municipalities_named(app: Flask, runner: HubRunner) -> None:
    opened = open_round(runner, "--municipalities", "町村部,八王子市")
    assert opened.exit_code == 0, opened.output
    round_id = int(opened.output.splitlines()[-1])
    with app.app_context():
        asked = db.session.scalars(
            select(Response.municipality_code).where(Response.round_id == round_id)
        ).all()
    assert len(asked) == 14, "13 towns and villages and 八王子市"
    refused = open_round(runner, "--municipalities", "町村部,八王子")
    one_line_error(refused, "区市町村の団体コード・名称・区分ではありません: 八王子")
    assert len(runner("round", "list").output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--reference-date", "令和1年4月30日", "--deadline", "2099-05-31T17:00"], "令和元年"),
        (["--reference-date", "4月1日", "--deadline", "2099-05-31T17:00"], "--reference-date"),
        (["--reference-date", "2021-02-30", "--deadline", "2099-05-31T17:00"], "30日"),
        (["--reference-date", "2021-04-01", "--deadline", "tomorrow"], "YYYY-MM-DDTHH:MM"),
        (["--reference-date", "2021-04-01", "--deadline", "2099-13-01T17:00"], "YYYY-MM-DDTHH:MM"),
        (["--reference-date", "2021-04-01", "--deadline", "2099-05-31"], "時刻も入力"),
        (["--reference-date", "2021-04-01", "--deadline", "2099-05-31 25:00"], "23:59"),
    ],
)
def test_round_open_bad_dates(runner: HubRunner, args: list[str], fragment: str) -> None:
    result = runner("round", "open", "torikumi", *args)
    one_line_error(result, fragment, status=2)
    assert runner("round", "list").output.strip() == ""


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("令和8年12月28日 17時", "2026-12-28 17:00"),
        ("2026/12/28 17:30", "2026-12-28 17:30"),
        ("２０２６－１２－２８Ｔ１７：００", "2026-12-28 17:00"),
        ("2026-12-28T08:00+00:00", "2026-12-28 17:00"),
    ],
)
def test_round_open_takes_the_deadline_as_the_staff_page_does(
    runner: HubRunner, typed: str, shown: str
) -> None:
    result = runner(
        "round", "open", "torikumi", "--reference-date", "2026-04-01", "--deadline", typed
    )
    assert result.exit_code == 0, result.stderr
    assert f"提出期限: {shown}（日本時間）" in result.output


@pytest.mark.parametrize("typed", ["2021/4/1", "令和3年4月1日", "R3.4.1", "２０２１－０４－０１"])
def test_round_open_takes_the_reference_date_as_people_type_it(
    runner: HubRunner, typed: str
) -> None:
    result = runner(
        "round", "open", "torikumi", "--reference-date", typed, "--deadline", "2099-05-31T17:00"
    )
    assert result.exit_code == 0, result.stderr
    assert "2021-04-01" in runner("round", "list").output


@pytest.mark.parametrize(
    "args",
    [
        ["user", "add", "x@example.jp", "--role", "bogus"],
        ["round", "close", "abc"],
        ["municipalities", "import", "/nonexistent/file.csv"],
        ["no-such-command"],
    ],
)
def test_usage_mistakes_are_one_line_too(runner: HubRunner, args: list[str]) -> None:
    one_line_error(runner(*args, input=""), status=2)


def test_commands_before_hub_init_say_to_run_it(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HUB_INSTANCE_DIR": str(tmp_path),
        "HUB_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    env.pop("HUB_TEST_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "hub", "round", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "hub: データベースが初期化されていません。先に hub init を実行してください。"
    ]


def test_round_open_deadline_in_the_past(runner: HubRunner) -> None:
    result = runner(
        "round", "open", "torikumi", "--reference-date", "2021-04-01", "--deadline", "2000-01-01T00:00"
    )  # fmt: skip
    one_line_error(result, "提出期限")


def test_round_open_unknown_survey(runner: HubRunner) -> None:
    result = runner(
        "round", "open", "nope", "--reference-date", "2021-04-01", "--deadline", "2099-05-31T17:00"
    )  # fmt: skip
    one_line_error(result, "nope", "torikumi")


def test_round_open_asks_for_the_request_to_answer_only_when_told(
    app: Flask, runner: HubRunner
) -> None:
    plain = open_round(runner).output.strip().splitlines()[-1]
    invited = open_round(runner, "--invite").output.strip().splitlines()[-1]
    with app.app_context():
        assert [db.session.get(Round, int(r)).invite for r in (plain, invited)] == [False, True]


def test_round_close_and_list(runner: HubRunner) -> None:
    round_id = open_round(runner).output.strip().splitlines()[-1]
    listed = runner("round", "list").output.strip().split("\t")
    assert listed[:5] == [round_id, "torikumi", "2021-04-01", "2099-05-31 17:00", "受付中"]
    closed = runner("round", "close", round_id)
    assert closed.exit_code == 0, closed.stderr
    assert "\t締切済み\t" in runner("round", "list").output
    one_line_error(runner("round", "close", round_id), "既に締め切られて")
    one_line_error(runner("round", "close", "424242"), "424242")
    one_line_error(runner("round", "close", "abc"), "abc", status=2)


def test_round_change_reopens_and_remove_takes_back(runner: HubRunner) -> None:
    round_id = open_round(runner).output.strip().splitlines()[-1]
    assert runner("round", "close", round_id).exit_code == 0
    changed = runner("round", "change", round_id, "--deadline", "令和81年6月1日 17時")
    assert changed.exit_code == 0, changed.stderr
    assert changed.output == (
        f"調査回 {round_id} を変更しました。提出期限: 2099-06-01 17:00（日本時間）。受付を再開しました。\n"
    )
    assert "\t2099-06-01 17:00\t受付中\t" in runner("round", "list").output
    one_line_error(
        runner("round", "change", round_id, "--deadline", "2001-01-01T00:00"), "今より後"
    )
    one_line_error(runner("round", "change", round_id), "--deadline", status=2)
    removed = runner("round", "remove", round_id)
    assert removed.exit_code == 0, removed.stderr
    assert runner("round", "list").output.strip() == ""
    one_line_error(runner("round", "remove", round_id), round_id)


def test_token_of_a_deactivated_user_is_refused(
    app: Flask, runner: HubRunner, client: FlaskClient
) -> None:
    add_user(runner, "gone@example.jp", "--role", "staff")
    token = runner("token", "add", "gone@example.jp").output.strip().splitlines()[-1]
    with app.app_context(), db.unit_of_work():
        user = db.session.scalar(select(User).filter_by(email="gone@example.jp"))
        assert user is not None
        user.active = False
    assert Api(client, token).get("/rounds").status_code == 401
    one_line_error(runner("token", "add", "gone@example.jp"), "無効")


# -------------------------------------------------------------------- python -m hub


def run_module(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")} | {
        "HUB_INSTANCE_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_python_m_hub_help(tmp_path: Path) -> None:
    result = run_module(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("init", "municipalities", "user", "token", "round", "serve", "scheduler"):
        assert command in result.stdout


BAD_SETTINGS = [
    ({"HUB_DATABASE_URL": "postgresq://u:s3cret@127.0.0.1/hub"}, "HUB_DATABASE_URL"),
    ({"HUB_DATABASE_URL": "postgresql://u:s3cret@127.0.0.1:54x2/hub"}, "HUB_DATABASE_URL"),
    ({"HUB_PUBLIC_URL": "hub.example.lg.jp"}, "HUB_PUBLIC_URL"),
    ({"HUB_INSTANCE_DIR": "/dev/null/instance"}, "HUB_INSTANCE_DIR"),
]


@pytest.mark.parametrize("command", ["serve", "scheduler"])
@pytest.mark.parametrize(("env", "fragment"), BAD_SETTINGS)
def test_the_long_running_commands_refuse_each_bad_setting_in_one_line(
    tmp_path: Path, command: str, env: dict[str, str], fragment: str
) -> None:
    """Each bad setting, through ``hub`` as :func:`run_module` runs it (the settings read from
    the environment alone) but in this process: one line naming it, no password, exit status 1.
    The process itself is the next test's."""
    environment: dict[str, str | None] = {k: None for k in os.environ if k.startswith("HUB_")}
    environment |= {"HUB_INSTANCE_DIR": str(tmp_path), **env}
    result = CliRunner().invoke(cli, [command], env=environment, prog_name="hub")
    assert "s3cret" not in one_line_error(result, fragment)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["serve", "scheduler"])
def test_the_long_running_processes_refuse_a_bad_setting_in_one_line(
    tmp_path: Path, command: str
) -> None:
    """What the service manager's log shows when a setting is wrong: one line naming it (no
    gunicorn worker traceback, no password), and the process ends."""
    env, fragment = BAD_SETTINGS[1]
    result = run_module(tmp_path, command, **env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert fragment in result.stderr
    assert "s3cret" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ((), "hub: 設定エラー: HUB_PORT は整数で指定してください: 'abc'"),
        (("--lang", "en"), "hub: Settings error: HUB_PORT must be a whole number, got 'abc'"),
    ],
)
def test_hub_serve_with_a_bad_port_says_so_in_one_line_in_its_language(
    tmp_path: Path, lang: tuple[str, ...], line: str
) -> None:
    result = run_module(tmp_path, *lang, "serve", HUB_PORT="abc")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [line]
    assert result.stdout == ""


def _gunicorn_on_wsgi_py(
    tmp_path: Path, workers: int, *options: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")} | {
        "HUB_INSTANCE_DIR": str(tmp_path),
        "HOME": str(tmp_path),
        **env,
    }
    gunicorn = ("gunicorn", "--no-control-socket", "-b", "127.0.0.1:0", "-w", str(workers))
    return subprocess.run(
        [sys.executable, "-m", *gunicorn, *options, "wsgi:app"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"HUB_PORT": "abc"}, "hub: 設定エラー: HUB_PORT は整数で指定してください: 'abc'"),
        (
            {"HUB_DATABASE_URL": "nonsense://x"},
            "hub: 設定エラー: HUB_DATABASE_URL は postgresql:// か sqlite:// の URL で指定して"
            "ください: 'nonsense'",
        ),
    ],
)
def test_gunicorn_on_wsgi_py_with_several_workers_and_a_bad_setting_says_it_once(
    tmp_path: Path, env: dict[str, str], line: str
) -> None:
    """``gunicorn wsgi:app`` without ``hub serve`` (which reads the settings before gunicorn
    starts): gunicorn.conf.py has the master read them before any worker starts — each of four
    workers failed on the same setting at once, and the master, halting at the first, halted
    again with a traceback of its own at the next. One line, as ``hub`` says it; no worker."""
    result = _gunicorn_on_wsgi_py(tmp_path, 4, **env)
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    said = [row for row in result.stderr.splitlines() if row.startswith("hub: ")]
    assert said == [line], result.stderr
    assert "Booting worker" not in result.stderr


@pytest.mark.slow
def test_gunicorn_under_a_configuration_file_of_its_own_still_stops_at_a_bad_setting(
    tmp_path: Path,
) -> None:
    """A deployment's own configuration file replaces gunicorn.conf.py: the worker says the
    setting's problem (``hub.server.web_app``), no traceback, and gunicorn stops ("App failed
    to load.") instead of booting workers again."""
    own = tmp_path / "deployment.conf.py"
    own.write_text("timeout = 60\n", encoding="utf-8")
    result = _gunicorn_on_wsgi_py(tmp_path, 1, "-c", str(own), HUB_PORT="abc")
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    said = [row for row in result.stderr.splitlines() if row.startswith("hub: ")]
    assert said == ["hub: 設定エラー: HUB_PORT は整数で指定してください: 'abc'"]
    assert "App failed to load." in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("command", ["serve", "run"])
def test_a_port_in_use_is_one_line_at_start(tmp_path: Path, command: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_module(tmp_path, command, HUB_PORT=str(port))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"hub: 127.0.0.1:{port} は他のプログラムが使用中です。そのプログラムを止めるか、"
        "HUB_PORT で別のポートを指定してください。"
    ]
    assert "http://" not in result.stdout


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"HUB_PORT": "http"}, "HUB_PORT"),
        ({"HUB_DATABASE_URL": "mysql://root@localhost/hub"}, "HUB_DATABASE_URL"),
        ({"HUB_SECRET_KEY": "short"}, "HUB_SECRET_KEY"),
    ],
)
def test_python_m_hub_bad_settings_one_line(
    tmp_path: Path, env: dict[str, str], fragment: str
) -> None:
    result = run_module(tmp_path, "round", "list", **env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert fragment in result.stderr


def test_user_add_takes_a_full_width_municipality_code(runner: HubRunner) -> None:
    result = add_user(
        runner, "zenkaku@example.jp", "--role", "respondent", "--municipality", "１３１０１６"
    )
    assert result.exit_code == 0, result.stderr
    with runner.app.app_context():
        assert find_by_email("zenkaku@example.jp").municipality_code == "131016"


def test_python_m_hub_init_on_a_fresh_sqlite_three_times(tmp_path: Path) -> None:
    """``python -m hub init`` on a fresh SQLite, then again, in Japanese and in English: the
    first names the revision it created the schema at, the others do not and change nothing
    (one test, three process starts: each costs seconds)."""
    from hub.migrate import head_revision

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    first = run_module(tmp_path, "init", HUB_DATABASE_URL=url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(
        f"空のデータベースに {head_revision()} までのスキーマを作りました。"
    )
    again = run_module(tmp_path, "init", HUB_DATABASE_URL=url)
    assert again.returncode == 0, again.stderr
    assert "変更なし 62" in again.stdout
    in_english = run_module(tmp_path, "--lang", "en", "init", HUB_DATABASE_URL=url)
    assert in_english.returncode == 0, in_english.stderr
    assert in_english.stdout == (
        "The database schema is up to date. Municipalities: 0 added, 0 updated, 62 unchanged. "
        "Questionnaires and recipients loaded.\n"
    )
