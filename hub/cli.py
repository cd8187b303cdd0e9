"""The ``hub`` command. User mistakes end in one line on stderr and exit status 1, never a traceback."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
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
        except click.exceptions.NoArgsIsHelpError as exc:  # ``hub round``: its commands
            click.echo(exc.format_message(), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            fail(f"{usage_problem(exc)}（hub --help で使い方を表示）", exc.exit_code)
        sys.exit(result if isinstance(result, int) else 0)


_QUOTED = re.compile(r"'(.*)'")
# click's "Got unexpected extra argument (花子)" / "… extra arguments (a b)"
_EXTRA = re.compile(r"Got unexpected extra arguments? \((.*)\)$")


def usage_problem(exc: click.ClickException) -> str:
    """What click refused in what was typed, in Japanese (click words it in English): an unknown
    command or option, a missing value, a value not among the choices, not a number, or a file
    that is not there. Anything else as click says it."""
    if isinstance(exc, click.NoSuchOption):
        line = f"{exc.option_name} というオプションはありません"
        if exc.possibilities:
            line += f"（{', '.join(sorted(exc.possibilities))} のことですか）"
        return line + "。"
    if isinstance(exc, click.BadOptionUsage):
        return f"{exc.option_name} に値を指定してください。"
    if isinstance(exc, click.BadParameter):
        return _bad_parameter(exc)
    if isinstance(exc, click.UsageError) and exc.message.startswith("No such command"):
        found = _QUOTED.search(exc.message)
        name = found.group(1) if found else ""
        return f"{name} というコマンドはありません。"
    if isinstance(exc, click.UsageError) and (extra := _EXTRA.match(exc.message)):
        return (
            f"余分な引数があります: {extra.group(1)}"
            "（空白を含む値は引用符で囲んでください。例: --name '都 花子'）"
        )
    return exc.format_message()


def _bad_parameter(exc: click.BadParameter) -> str:
    param = exc.param
    kind = param.type if param is not None else None
    hint = exc.param_hint if isinstance(exc.param_hint, str) else ""
    if not hint and param is not None:
        is_option = param.param_type_name == "option" and param.opts
        hint = param.opts[0] if is_option else param.human_readable_name
    # click's words start with what was typed: "'abc' is not a valid integer."
    typed = exc.message.split(" is not ", 1)[0] if " is not " in exc.message else ""
    typed = f": {typed}" if typed else ""
    if isinstance(exc, click.MissingParameter):
        return f"{hint} を指定してください。"
    if isinstance(kind, click.Choice):
        choices = ", ".join(map(str, kind.choices))
        return f"{hint} は {choices} のいずれかを指定してください{typed}"
    if isinstance(kind, click.IntRange) and kind.min is not None and kind.max is None:
        return f"{hint} は {kind.min} 以上の数で指定してください{typed}"
    if isinstance(kind, click.IntRange) and kind.min is not None and kind.max is not None:
        return f"{hint} は {kind.min}〜{kind.max} の数で指定してください{typed}"
    if isinstance(kind, click.types.IntParamType):
        return f"{hint} は数字で指定してください{typed}"
    if isinstance(kind, click.Path) and (found := _QUOTED.search(exc.message)):
        if "does not exist" in exc.message:
            return f"ファイルがありません: {found.group(1)}"
        return f"{hint} に使えないファイルです: {found.group(1)}"
    return f"{hint}: {exc.message}" if hint else exc.message


LANGUAGES = ("ja", "en")
_language: ContextVar[str] = ContextVar("hub_cli_language", default=LANGUAGES[0])


def lang_option(command: F) -> F:
    """``--lang ja|en`` (ja by default), the one option of every listing and reporting command
    that an English-speaking operator reads: what the command prints — and the hub's translated
    messages, its refusals among them — in that language. The command reads it with
    :func:`language`; the app context of :func:`app_context` speaks it."""

    @wraps(command)
    def run(*args: Any, lang: str, **kwargs: Any) -> Any:
        token = _language.set(lang)
        try:
            return command(*args, **kwargs)
        finally:
            _language.reset(token)

    option = click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=LANGUAGES[0],
        show_default=True,
        help="表示する言語（ja: 日本語、en: English）",
    )
    return option(run)  # type: ignore[return-value]


def language() -> str:
    """``ja`` or ``en``: the language the running command prints in (``--lang``)."""
    return _language.get()


def current_app_or_new() -> Flask:
    """The app given by the caller (tests pass one as the click ``obj``), else one from settings."""
    from hub import create_app

    ctx = click.get_current_context(silent=True)
    if ctx is not None and isinstance(ctx.find_root().obj, Flask):
        return ctx.find_root().obj
    return create_app()


@contextmanager
def app_context() -> Iterator[Flask]:
    from flask_babel import force_locale

    app = current_app_or_new()
    lang = language()
    with app.app_context(), force_locale(lang) if lang != LANGUAGES[0] else nullcontext():
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
