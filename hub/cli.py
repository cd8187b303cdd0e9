"""The ``hub`` command. User mistakes end in one line on stderr and exit status 1, never a traceback."""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask
from sqlalchemy.exc import OperationalError, ProgrammingError

from forms.normalize import InvalidValue, parse_date
from forms.tokyo import TOKYO, parse_datetime
from hub.config import ConfigError
from hub.errors import HubError, Invalid

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("hub.cli")


def fail(message: str, status: int = 1) -> None:
    click.echo(f"hub: {message}", err=True)
    sys.exit(status)


def _one_line(exc: HubError) -> str:
    if isinstance(exc, Invalid):
        details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.errors.items())
        return f"{exc.message} {details}"
    return exc.message


def friendly(command: F) -> F:
    """Turn the errors a user can cause into one line on stderr."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except HubError as exc:
            fail(_one_line(exc))
        except ConfigError as exc:
            fail(f"設定エラー: {exc}")
        except (OperationalError, ProgrammingError) as exc:
            fail(_database_problem(exc))
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            log.debug("hub %s failed", command.__name__, exc_info=True)
            fail(f"予期しないエラーが発生しました（{type(exc).__name__}）: {str(exc)[:200]}")

    return run  # type: ignore[return-value]


def _database_problem(exc: OperationalError | ProgrammingError) -> str:
    detail = str(exc.orig).splitlines()[0] if str(exc.orig) else type(exc.orig).__name__
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        return "データベースが初期化されていません。先に hub init を実行してください。"
    return f"データベースに接続できません: {detail}"


class HubGroup(click.Group):
    """The ``hub`` group: usage mistakes end in one line on stderr too, not click's block."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.exceptions.Abort:
            fail("中止しました。")
        except click.ClickException as exc:
            fail(f"{exc.format_message()}（hub --help で使い方を表示）", exc.exit_code)
        sys.exit(result if isinstance(result, int) else 0)


def current_app_or_new() -> Flask:
    """The app given by the caller (tests pass one as the click ``obj``), else one from settings."""
    from hub import create_app

    ctx = click.get_current_context(silent=True)
    if ctx is not None and isinstance(ctx.find_root().obj, Flask):
        return ctx.find_root().obj
    return create_app()


@contextmanager
def app_context() -> Iterator[Flask]:
    app = current_app_or_new()
    with app.app_context():
        yield app


@contextmanager
def unit_of_work() -> Iterator[Flask]:
    """An app context whose session commits once at the end (or rolls back on error)."""
    from hub.db import db

    with app_context() as app, db.unit_of_work():
        yield app


def parse_tokyo_datetime(value: str, option: str) -> datetime:
    """A date and time as the staff page takes them (``2099-05-31T17:00``, ``令和8年12月28日 17時``
    …), in Asia/Tokyo unless an offset is given: :func:`forms.tokyo.parse_datetime`."""
    try:
        return parse_datetime(value)
    except InvalidValue as exc:
        raise click.BadParameter(
            f"{exc} YYYY-MM-DDTHH:MM や 令和8年12月28日 17時 の形で指定してください: {value!r}",
            param_hint=option,
        ) from None


def parse_day(value: str, option: str) -> date:
    """A date as people type it: 2021-04-01, 2021/4/1, 令和3年4月1日, R3.4.1 ..."""
    try:
        return parse_date(value)
    except InvalidValue as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@click.group(cls=HubGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """再犯防止 連携調査ハブ: surveys, consolidation and deliveries."""


@cli.command()
@friendly
def init() -> None:
    """Create or upgrade the schema, load the Tokyo municipalities and the questionnaires."""
    from hub.db import db
    from hub.migrate import upgrade
    from hub.services.reference import initialize

    with app_context():
        assert db.engine is not None
        upgrade(db.engine)
        with db.unit_of_work():
            result = initialize()
    click.echo(
        f"schema up to date; municipalities: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged; questionnaires and recipients loaded"
    )


@cli.group()
def municipalities() -> None:
    """Reference data: the municipalities (区市町村)."""


@municipalities.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly
def municipalities_import(file: Path) -> None:
    """Add or update municipalities from a CSV shaped like tokyo_municipalities.csv."""
    from hub.services.reference import import_municipalities, read_municipality_csv

    rows = read_municipality_csv(file.read_bytes())
    with unit_of_work():
        result = import_municipalities(rows)
    click.echo(f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged")


@cli.group()
def user() -> None:
    """Accounts."""


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            fail("パスワードが一致しません。")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        fail("パスワードを標準入力から渡してください（例: echo 'PASSWORD' | hub user add ...）。")
    return line


@user.command("add")
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice(["respondent", "staff", "counterpart", "admin"])
)
@click.option("--municipality", "municipality_code", help="6-digit code (respondents)")
@click.option("--recipient", "recipient_name", help="recipient name (counterparts)")
@click.option("--name", "display_name", default="", help="display name")
@friendly
def user_add(
    email: str,
    role: str,
    municipality_code: str | None,
    recipient_name: str | None,
    display_name: str,
) -> None:
    """Create an account; the password is read from stdin."""
    from hub.services.users import create_user

    password = _read_password()
    with unit_of_work():
        created = create_user(
            email,
            role=role,
            password=password,
            municipality_code=municipality_code,
            recipient_name=recipient_name,
            display_name=display_name,
        )
        click.echo(f"created {created.email} ({created.role})")


@cli.group()
def token() -> None:
    """API tokens."""


@token.command("add")
@click.argument("email")
@click.option("--description", default="", help="what the token is for")
@friendly
def token_add(email: str, description: str) -> None:
    """Print a new API token for that user (last line of stdout)."""
    from hub.errors import NotFound
    from hub.services.users import create_token, find_by_email

    with unit_of_work():
        account = find_by_email(email)
        if account is None:
            raise NotFound(f"ユーザー {email} は登録されていません。")
        value = create_token(account, description=description)
    click.echo(value)


@cli.group("round")
def round_group() -> None:
    """Rounds (調査回)."""


@round_group.command("open")
@click.argument("survey")
@click.option("--reference-date", required=True, help="基準日 YYYY-MM-DD")
@click.option(
    "--deadline", required=True, help="YYYY-MM-DDTHH:MM or 令和8年12月28日 17時, in Asia/Tokyo"
)
@click.option("--opens-at", default=None, help="as --deadline (default: now)")
@click.option("--title", default="", help="title shown to respondents")
@friendly
def round_open(
    survey: str, reference_date: str, deadline: str, opens_at: str | None, title: str
) -> None:
    """Open a round for all municipalities; prints its id (last line)."""
    from hub.services.rounds import open_round

    with unit_of_work():
        opened = open_round(
            survey,
            reference_date=parse_day(reference_date, "--reference-date"),
            deadline=parse_tokyo_datetime(deadline, "--deadline"),
            opens_at=parse_tokyo_datetime(opens_at, "--opens-at") if opens_at else None,
            title=title,
        )
        click.echo(
            f"opened {opened.title}; deadline {opened.deadline.astimezone(TOKYO):%Y-%m-%d %H:%M} JST"
        )
        click.echo(str(opened.id))


@round_group.command("list")
@friendly
def round_list() -> None:
    """Show every round with its state and deadline."""
    from hub.db import utcnow
    from hub.services.rounds import list_rounds

    with app_context():
        now = utcnow()
        for r in list_rounds():
            click.echo(
                f"{r.id}\t{r.survey.key}\t{r.reference_date}\t"
                f"{r.deadline.astimezone(TOKYO):%Y-%m-%d %H:%M}\t{r.state_at(now).value}\t{r.title}"
            )


@round_group.command("close")
@click.argument("round_id", type=int)
@friendly
def round_close(round_id: int) -> None:
    """Close a round now: respondents can no longer save or submit (extensions excepted)."""
    from hub.services.responses import get_round
    from hub.services.rounds import close_round

    with unit_of_work():
        close_round(get_round(round_id), user=None)
    click.echo(f"closed round {round_id}")


@cli.command()
@friendly
def scheduler() -> None:
    """Run the scheduler in the foreground (one per deployment); Ctrl-C stops it."""
    from hub.jobs import build_scheduler

    app = current_app_or_new()
    sched = build_scheduler(app, blocking=True)
    click.echo(f"scheduler running with {len(sched.get_jobs())} job(s); Ctrl-C stops it", err=True)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if sched.running:
            sched.shutdown(wait=False)
    click.echo("scheduler stopped", err=True)


@cli.command()
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--host", default="127.0.0.1", show_default=True)
@friendly
def serve(workers: int, host: str) -> None:
    """The production server (gunicorn) on HUB_PORT. Run `hub scheduler` beside it."""
    from hub.config import load_settings
    from hub.server import run_gunicorn

    settings = load_settings()
    run_gunicorn(host=host, port=settings.port, workers=workers)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@friendly
def run(host: str) -> None:
    """One development process: the web app on HUB_PORT with the scheduler inside."""
    from hub.server import run_development

    run_development(host=host)


@cli.command()
@friendly
def demo() -> None:
    """Create demo accounts and a demo round, once; prints the accounts the first time."""
    from hub.services.demo import ensure_demo

    with unit_of_work() as app:
        lines = ensure_demo(app.extensions["hub_settings"].instance_dir)
    for line in lines:
        click.echo(line)


def main() -> None:
    cli(prog_name="hub")


def _register_areas() -> None:
    from hub.commands import register_all

    register_all(cli)


_register_areas()
