"""The ``hub`` command. User mistakes end in one line on stderr and exit status 1, never a traceback."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click
from flask import Flask
from sqlalchemy.exc import OperationalError, ProgrammingError

from hub.config import ConfigError
from hub.errors import HubError, Invalid

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("hub.cli")


def fail(message: str, status: int = 1) -> None:
    click.echo(f"hub: {message}", err=True)
    sys.exit(status)


def _one_line(exc: HubError) -> str:
    """The error as one line: each field's messages after its name (``5行目 受付日: …``), those
    about the whole file (key ``file``) without one, as the pages show them."""
    if isinstance(exc, Invalid):
        details = "; ".join(
            " ".join(msgs) if field == "file" else f"{field}: {' '.join(msgs)}"
            for field, msgs in exc.errors.items()
        )
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


@click.group(cls=HubGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """再犯防止 連携調査ハブ: surveys, consolidation and deliveries."""


def main() -> None:
    cli(prog_name="hub")


def _register_areas() -> None:
    from hub.commands import register_all

    register_all(cli)


_register_areas()
