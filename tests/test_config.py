"""Settings from HUB_* variables: a wrong value fails at start with a message naming it."""

from __future__ import annotations

import stat
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from babel.support import Translations

import hub
from hub.config import ConfigError, Settings, load_settings

KEY = "k" * 40


def english(refused: ConfigError) -> str:
    """The refusal as an English-speaking operator reads it (``hub --lang en``), from the catalog."""
    catalog = Translations.load(str(Path(hub.__file__).parent / "translations"), ["en"])
    return refused.worded(catalog.gettext)


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"HUB_INSTANCE_DIR": str(tmp_path), "HUB_SECRET_KEY": KEY, **values}


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(env(tmp_path))
    assert isinstance(settings, Settings)
    assert settings.port == 5000
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'hub.sqlite3'}"
    assert settings.outbox_dir == tmp_path.resolve() / "outbox"
    assert settings.smtp_url is None
    assert settings.secret_key == KEY


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(env(tmp_path))
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]
    assert settings.with_(port=8080).port == 8080
    assert settings.port == 5000


@pytest.mark.parametrize("port", ["abc", "50.5", "0", "70000", "-1", "5000a"])
def test_bad_port_names_hub_port(tmp_path: Path, port: str) -> None:
    with pytest.raises(ConfigError, match="HUB_PORT"):
        load_settings(env(tmp_path, HUB_PORT=port))


@pytest.mark.parametrize("port", ["1", "8080", "65535"])
def test_good_ports(tmp_path: Path, port: str) -> None:
    assert load_settings(env(tmp_path, HUB_PORT=port)).port == int(port)


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u@h/db",
        "http://example.jp/db",
        "hub.sqlite3",
        "oracle+cx://x",
        "://x",
        "postgresq://u:s3cret@h/db",
        "postgresqll://u:s3cret@h/db",
        "postgresql+psycopg2://u:s3cret@h/db",
        "postgresql://u:s3cret@h:54x2/db",
        "postgresql//u:s3cret@h/db",
    ],
)
def test_bad_database_url_scheme_names_the_variable(tmp_path: Path, url: str) -> None:
    """Typos in the scheme, the driver or the port are refused at start, never later by
    SQLAlchemy in the first request; the message does not repeat the password."""
    with pytest.raises(ConfigError, match="HUB_DATABASE_URL") as refused:
        load_settings(env(tmp_path, HUB_DATABASE_URL=url))
    assert "s3cret" not in str(refused.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://postgres@127.0.0.1:5432/hub",
            "postgresql+psycopg://postgres@127.0.0.1:5432/hub",
        ),
        ("postgres://u:p@db/hub", "postgresql+psycopg://u:p@db/hub"),
        ("postgresql+psycopg://u@db/hub", "postgresql+psycopg://u@db/hub"),
        ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
    ],
)
def test_database_urls_accepted(tmp_path: Path, url: str, expected: str) -> None:
    assert load_settings(env(tmp_path, HUB_DATABASE_URL=url)).database_url == expected


@pytest.mark.parametrize("key", ["short", "x" * 31])
def test_short_secret_key_names_the_variable(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError, match="HUB_SECRET_KEY"):
        load_settings(env(tmp_path, HUB_SECRET_KEY=key))


def test_secret_key_is_generated_once_and_kept_under_instance(tmp_path: Path) -> None:
    plain = {"HUB_INSTANCE_DIR": str(tmp_path)}
    first = load_settings(plain).secret_key
    kept = tmp_path / "secret_key"
    assert kept.read_text() == first
    assert len(first) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert load_settings(plain).secret_key == first
    assert load_settings({**plain, "HUB_SECRET_KEY": KEY}).secret_key == KEY
    assert kept.read_text() == first


def test_a_truncated_secret_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ConfigError, match="secret_key"):
        load_settings({"HUB_INSTANCE_DIR": str(tmp_path)})


def test_each_instance_gets_its_own_key(tmp_path: Path) -> None:
    a = load_settings({"HUB_INSTANCE_DIR": str(tmp_path / "a")}).secret_key
    b = load_settings({"HUB_INSTANCE_DIR": str(tmp_path / "b")}).secret_key
    assert a != b


@pytest.mark.parametrize("url", ["http://mail.example.jp", "mail.example.jp:25", "ftp://x"])
def test_bad_smtp_url_names_the_variable(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="HUB_SMTP_URL"):
        load_settings(env(tmp_path, HUB_SMTP_URL=url))


@pytest.mark.parametrize("name", ["HUB_MAIL_FROM", "HUB_MAIL_REPLY_TO"])
@pytest.mark.parametrize("value", ["saihan", "東京都 福祉局", "a@b, c@d", "名前 <>", "@example.jp"])
def test_a_mail_address_that_is_none_names_the_variable(
    tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings(env(tmp_path, **{name: value}))


def test_mail_addresses_with_or_without_a_name_are_read(tmp_path: Path) -> None:
    named = "東京都 福祉局 再犯防止担当 <saihan@example.metro.tokyo.lg.jp>"
    settings = load_settings(
        env(tmp_path, HUB_MAIL_FROM="hub@example.lg.jp", HUB_MAIL_REPLY_TO=f" {named} ")
    )
    assert (settings.mail_from, settings.mail_reply_to) == ("hub@example.lg.jp", named)
    assert load_settings(env(tmp_path)).mail_reply_to is None


def test_outbox_and_smtp_are_read(tmp_path: Path) -> None:
    settings = load_settings(
        env(tmp_path, HUB_OUTBOX_DIR=str(tmp_path / "out"), HUB_SMTP_URL="smtp://127.0.0.1:2525")
    )
    assert settings.outbox_dir == (tmp_path / "out").resolve()
    assert settings.smtp_url == "smtp://127.0.0.1:2525"


def test_flask_config_carries_the_secret_and_upload_limit(tmp_path: Path) -> None:
    config = load_settings(env(tmp_path)).flask_config()
    assert config["SECRET_KEY"] == KEY
    assert config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    assert config["SESSION_COOKIE_HTTPONLY"] is True


def test_an_instance_folder_that_cannot_be_made_names_the_variable(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(ConfigError, match="HUB_INSTANCE_DIR"):
        load_settings({"HUB_INSTANCE_DIR": str(a_file / "instance")})


@pytest.mark.parametrize(
    ("kept", "variable"), [("secret_key", "HUB_SECRET_KEY"), ("data_key", "HUB_DATA_KEY")]
)
def test_a_key_file_that_cannot_be_read_or_made_names_the_folder(
    tmp_path: Path, kept: str, variable: str
) -> None:
    """An instance folder the hub's user cannot write (here: the key file's name taken by a
    folder) is a setting problem, said at start with the way out."""
    (tmp_path / kept).mkdir()
    with pytest.raises(ConfigError, match=f"HUB_INSTANCE_DIR.*{variable}"):
        load_settings({"HUB_INSTANCE_DIR": str(tmp_path)})


def test_the_documented_settings_are_the_settings_read() -> None:
    """README's Settings, security.md's table and operations.md name exactly the HUB_*
    variables hub/config.py reads: none documented that does nothing, none read in secret."""
    import re

    from hub.config import PROJECT_ROOT

    read = set(re.findall(r'"(HUB_[A-Z_]+)"', (PROJECT_ROOT / "hub" / "config.py").read_text()))
    readme = (PROJECT_ROOT / "README.md").read_text()
    settings = readme[readme.index("## Settings") : readme.index("## Production")]
    assert set(re.findall(r"HUB_[A-Z_]+", settings)) == read
    for doc in ("security.md", "operations.md"):
        named = set(re.findall(r"`(HUB_[A-Z_]+)", (PROJECT_ROOT / "docs" / doc).read_text()))
        assert named <= read, (doc, named - read)


def test_the_offices_open_at_half_past_eight_with_no_day_of_tokyo_s_own(tmp_path: Path) -> None:
    office = load_settings(env(tmp_path)).office_days
    assert (office.opens, office.closed) == (time(8, 30), frozenset())


def test_the_office_hour_and_tokyo_s_closed_days_are_read(tmp_path: Path) -> None:
    office = load_settings(
        env(tmp_path, HUB_OFFICE_OPENS="9:15", HUB_CLOSED_DAYS="2027-08-13, 2027-08-16 2027-08-17")
    ).office_days
    assert office.opens == time(9, 15)
    assert office.closed == {date(2027, 8, 13), date(2027, 8, 16), date(2027, 8, 17)}


@pytest.mark.parametrize("value", ["8", "8:3", "24:00", "08:60", "8時30分", "08:30:00", "noon"])
def test_a_bad_office_hour_names_the_variable(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=r"HUB_OFFICE_OPENS は東京の時刻を HH:MM") as refused:
        load_settings(env(tmp_path, HUB_OFFICE_OPENS=value))
    assert english(refused.value) == (
        f"HUB_OFFICE_OPENS must be a time of day in Tokyo as HH:MM (08:30), got {value!r}"
    )


@pytest.mark.parametrize("value", ["2027-02-30", "2027/08/13", "20270813", "Aug-13", "R9.8.13"])
def test_a_closed_day_that_is_no_day_is_named(tmp_path: Path, value: str) -> None:
    with pytest.raises(
        ConfigError, match=f"HUB_CLOSED_DAYS は日付を YYYY-MM-DD で.*{value}"
    ) as refused:
        load_settings(env(tmp_path, HUB_CLOSED_DAYS=f"2027-08-12,{value}"))
    assert english(refused.value).startswith("HUB_CLOSED_DAYS must list days as YYYY-MM-DD")


def test_closed_days_may_not_close_the_offices_longer_than_the_reminders_look_ahead(
    tmp_path: Path,
) -> None:
    """Two weeks of 都's own days with the weekends around them: the due-soon reminders of a
    deadline after them could not be brought forward, so the hub refuses to start."""
    fortnight = ",".join(str(date(2027, 8, 2) + timedelta(days=n)) for n in range(12))
    with pytest.raises(
        ConfigError, match="2027-07-31 から 2027-08-15 まで閉庁日が 14 日を"
    ) as refused:
        load_settings(env(tmp_path, HUB_CLOSED_DAYS=fortnight))
    assert "from 2027-07-31 to 2027-08-15, more than 14 days" in english(refused.value)
    week = ",".join(str(date(2027, 8, 2) + timedelta(days=n)) for n in range(5))
    assert len(load_settings(env(tmp_path, HUB_CLOSED_DAYS=week)).office_days.closed) == 5


def test_an_installed_hub_without_its_instance_folder_asks_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release installed into a virtual environment (``pip install``, as operations.md's
    upgrade does) has no checkout around its code: without HUB_INSTANCE_DIR its keys, SQLite
    database and backups went into ``site-packages/instance``, lost with the next fresh virtual
    environment — the data key with them. Now the first ``hub init`` asks for the folder in one
    line; a folder an earlier release made there goes on being used."""
    from click.testing import CliRunner

    from hub import config
    from hub.cli import cli

    site_packages = tmp_path / "lib" / "python3.11" / "site-packages"
    site_packages.mkdir(parents=True)
    monkeypatch.setattr(config, "PROJECT_ROOT", site_packages)
    database = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    env = {"HUB_INSTANCE_DIR": None, "HUB_DATABASE_URL": database, "HUB_DATA_KEY": None}
    for lang, said in (
        ("ja", "hub: 設定エラー: HUB_INSTANCE_DIR を指定してください（例: HUB_INSTANCE_DIR=/var/lib/hub）。"),
        ("en", "hub: Settings error: Set HUB_INSTANCE_DIR (for example HUB_INSTANCE_DIR=/var/lib/hub)."),
    ):  # fmt: skip
        refused = CliRunner().invoke(cli, ["--lang", lang, "init"], env=env)
        assert refused.exit_code == 1, refused.output
        assert refused.stderr.startswith(said), refused.stderr
        assert refused.stderr.count("\n") == 1
        assert str(site_packages / "instance") in refused.stderr
    assert not (site_packages / "instance").exists(), "no key made where it would be lost"
    with pytest.raises(ConfigError, match="HUB_INSTANCE_DIR"):
        load_settings({})
    named = load_settings({"HUB_INSTANCE_DIR": str(tmp_path / "var-lib-hub")})
    assert named.instance_dir == tmp_path / "var-lib-hub"
    (site_packages / "instance").mkdir()
    assert load_settings({}).instance_dir == site_packages / "instance"


def test_an_at_sign_in_the_database_password_is_named_without_printing_the_password(
    tmp_path: Path,
) -> None:
    """``postgresql://hub:S3c@et@db/hub``: the URL reads the password as ``S3c`` and the host as
    ``et@db``, and the connection's refusal printed that host — the password's end — in the
    terminal and the journal, without saying why. Now the setting is refused at start, saying
    how to write the ``@``, and nothing of the password is printed."""
    from click.testing import CliRunner

    from hub.cli import cli

    env = {
        "HUB_DATABASE_URL": "postgresql://hub:S3cr@etPw@127.0.0.1:5432/hub",
        "HUB_INSTANCE_DIR": str(tmp_path),
    }
    for lang, said in (
        ("ja", "hub: 設定エラー: HUB_DATABASE_URL のユーザー名かパスワードに「@」があります。"
               "URL の中では「@」を%40 と書いてください（例: パスワード pa@ss は pa%40ss）。"),
        ("en", 'hub: Settings error: HUB_DATABASE_URL has an "@" in its user name or password. '
               'Inside the URL, write "@" as %40 (the password pa@ss as pa%40ss).'),
    ):  # fmt: skip
        refused = CliRunner().invoke(cli, ["--lang", lang, "init"], env=env)
        assert refused.exit_code == 1, refused.output
        assert refused.stderr == said + "\n"
        assert "etPw" not in refused.output
        assert "S3cr" not in refused.output
    encoded = load_settings({**env, "HUB_DATABASE_URL": "postgresql://hub:S3cr%40etPw@db/hub"})
    assert encoded.database_url.endswith("@db/hub")
