"""The ``hub`` command. User mistakes end in one line on stderr and exit status 1, never a traceback."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from babel.support import NullTranslations, Translations
from flask import Flask
from sqlalchemy.exc import OperationalError, ProgrammingError

from hub.config import ConfigError
from hub.errors import HubError, Invalid

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("hub.cli")


def _(text: str, **values: Any) -> str:
    """``text`` (Japanese, its msgid in the hub's catalog) in the command's language
    (:func:`language`), its values put in: read from the catalog directly, as these messages are
    said where no app may be (the settings did not load, the command line was not understood)."""
    said = _said(text)
    return said % values if values else said


def words(text: str, **values: Any) -> str:
    """A message of the hub's catalog in the command's language, in an app context or out of
    one — what a command prints after its work (``from hub.cli import words as _``, so that the
    extractor sees the message)."""
    return _(text, **values)


def counted(singular: str, plural: str, count: int, **values: Any) -> str:
    """A message with a count, in the command's language: ``ngettext`` of the hub's catalog (the
    Japanese twice, one form; the English's singular for one), ``count`` put in as ``count``
    with the other values — in an app context or out of one, as :func:`words`."""
    lang = language()
    said = (
        (singular if count == 1 else plural)
        if lang == LANGUAGES[0]
        else _catalog(lang).ngettext(singular, plural, count)
    )
    return said % {"count": count, **values}


def _said(text: str) -> str:
    """``text`` from the catalog in the command's language, nothing put in."""
    lang = language()
    return text if lang == LANGUAGES[0] else _catalog(lang).gettext(text)


@cache
def _catalog(lang: str) -> NullTranslations:
    return Translations.load(str(Path(__file__).parent / "translations"), [lang])


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
            fail(config_problem(exc))
        except (OperationalError, ProgrammingError) as exc:
            fail(_database_problem(exc))
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            log.debug("hub %s failed", command.__name__, exc_info=True)
            fail(
                _(
                    "予期しないエラーが発生しました（%(kind)s）: %(error)s",
                    kind=type(exc).__name__,
                    error=str(exc)[:200],
                )
            )

    return run  # type: ignore[return-value]


def config_problem(exc: ConfigError) -> str:
    """A setting's problem as every entry point says it, in the command's language (Japanese
    where there is no command: ``wsgi.py``, gunicorn's workers)."""
    return _("設定エラー: %(error)s", error=exc.worded(_said))


def _database_problem(exc: OperationalError | ProgrammingError) -> str:
    detail = str(exc.orig).splitlines()[0] if str(exc.orig) else type(exc.orig).__name__
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        return _("データベースが初期化されていません。先に hub init を実行してください。")
    return _("データベースに接続できません: %(detail)s", detail=detail)


class HubGroup(click.Group):
    """The ``hub`` group: usage mistakes end in one line on stderr too, not click's block."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        typed = args[0] if args else kwargs.get("args")
        token = _language.set(typed_language(sys.argv[1:] if typed is None else typed))
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.exceptions.Abort:
            fail(_("中止しました。"))
        except click.exceptions.NoArgsIsHelpError as exc:  # ``hub round``: its commands
            click.echo(exc.format_message(), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            fail(
                _("%(problem)s（hub --help で使い方を表示）", problem=usage_problem(exc)),
                exc.exit_code,
            )
        finally:
            _language.reset(token)
        sys.exit(result if isinstance(result, int) else 0)


def typed_language(args: Sequence[str]) -> str:
    """The language ``--lang`` asks for on the command line as typed (the last one, before a
    ``--``), ``ja`` without one: what the messages said before or around the command — a usage
    mistake, 中止しました — are said in, as the command's own are (:func:`lang_option`)."""
    found = LANGUAGES[0]
    words = list(args)
    for number, word in enumerate(words):
        if word == "--":
            break
        value = words[number + 1] if word == "--lang" and number + 1 < len(words) else None
        if word.startswith("--lang="):
            value = word.removeprefix("--lang=")
        if value in LANGUAGES:
            found = value
    return found


_QUOTED = re.compile(r"'(.*)'")
# click's "Got unexpected extra argument (花子)" / "… extra arguments (a b)"
_EXTRA = re.compile(r"Got unexpected extra arguments? \((.*)\)$")


def usage_problem(exc: click.ClickException) -> str:
    """What click refused in what was typed, in the command's language (click words it in
    English): an unknown command or option, a missing value, a value not among the choices, not
    a number, or a file that is not there. Anything else as click says it."""
    if isinstance(exc, click.NoSuchOption):
        if exc.possibilities:
            return _(
                "%(option)s というオプションはありません（%(similar)s のことですか）。",
                option=exc.option_name,
                similar=", ".join(sorted(exc.possibilities)),
            )
        return _("%(option)s というオプションはありません。", option=exc.option_name)
    if isinstance(exc, click.BadOptionUsage):
        return _("%(option)s に値を指定してください。", option=exc.option_name)
    if isinstance(exc, click.BadParameter):
        return _bad_parameter(exc)
    if isinstance(exc, click.UsageError) and exc.message.startswith("No such command"):
        found = _QUOTED.search(exc.message)
        name = found.group(1) if found else ""
        return _("%(name)s というコマンドはありません。", name=name)
    if isinstance(exc, click.UsageError) and (extra := _EXTRA.match(exc.message)):
        return _(
            "余分な引数があります: %(extra)s（空白を含む値は引用符で囲んでください。"
            "例: --name '都 花子'）",
            extra=extra.group(1),
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
        return _("%(name)s を指定してください。", name=hint)
    if isinstance(kind, click.Choice):
        choices = ", ".join(map(str, kind.choices))
        return _(
            "%(name)s は %(choices)s のいずれかを指定してください%(typed)s",
            name=hint,
            choices=choices,
            typed=typed,
        )
    if isinstance(kind, click.IntRange) and kind.min is not None and kind.max is None:
        return _(
            "%(name)s は %(min)s 以上の数で指定してください%(typed)s",
            name=hint,
            min=kind.min,
            typed=typed,
        )
    if isinstance(kind, click.IntRange) and kind.min is not None and kind.max is not None:
        return _(
            "%(name)s は %(min)s〜%(max)s の数で指定してください%(typed)s",
            name=hint,
            min=kind.min,
            max=kind.max,
            typed=typed,
        )
    if isinstance(kind, click.types.IntParamType):
        return _("%(name)s は数字で指定してください%(typed)s", name=hint, typed=typed)
    if isinstance(kind, click.Path) and (found := _QUOTED.search(exc.message)):
        if "does not exist" in exc.message:
            return _("ファイルがありません: %(file)s", file=found.group(1))
        return _("%(name)s に使えないファイルです: %(file)s", name=hint, file=found.group(1))
    return f"{hint}: {exc.message}" if hint else exc.message


LANGUAGES = ("ja", "en")
_language: ContextVar[str] = ContextVar("hub_cli_language", default=LANGUAGES[0])


def lang_option(command: F) -> F:
    """``--lang ja|en`` (ja by default, or what ``hub --lang`` says), the one option of every
    listing and reporting command that an English-speaking operator reads: what the command
    prints — and the hub's translated messages, its refusals among them — in that language. The
    command reads it with :func:`language`; the app context of :func:`app_context` speaks it;
    the messages every command shares (:func:`friendly`, :class:`HubGroup`) say it too."""

    @wraps(command)
    def run(*args: Any, lang: str | None, **kwargs: Any) -> Any:
        token = _language.set(lang or language())
        try:
            return command(*args, **kwargs)
        finally:
            _language.reset(token)

    return LANG_OPTION(run)  # type: ignore[return-value]


LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    show_default=LANGUAGES[0],
    help="表示する言語（ja: 日本語、en: English）",
)
"""``--lang``, of a command or of ``hub`` itself (``hub --lang en …``: every command, and the
messages every command shares). Its value is read from the command line as typed
(:func:`typed_language`, in :class:`HubGroup`) and, for a command that has it, by
:func:`lang_option`."""


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
@LANG_OPTION
def cli(lang: str | None) -> None:
    """再犯防止 連携調査ハブ: surveys, consolidation and deliveries."""


def main() -> None:
    cli(prog_name="hub")


def _register_areas() -> None:
    from hub.commands import register_all

    register_all(cli)


_register_areas()
