"""Serving the hub: gunicorn in production, one threaded process with the scheduler for ``make run``."""

from __future__ import annotations

import errno
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from gunicorn.app.base import BaseApplication

from hub.accesslog import RedactingGunicornLogger, RedactingRequestHandler
from hub.config import N_, ConfigError
from hub.errors import HubError
from hub.security import ACCESS_LOG_FORMAT


class PortUnavailable(HubError):
    """The address the server would listen on is taken (or not this machine's). ``msgid`` is
    the Japanese text (a message of the hub's catalog, said before any app exists), ``values``
    what it names; the message is the Japanese, :meth:`worded` it in a command's language."""

    def __init__(self, msgid: str, **values: Any) -> None:
        self.msgid = msgid
        self.values = values
        super().__init__(msgid % values)

    def worded(self, gettext: Callable[[str], str]) -> str:
        return gettext(self.msgid) % self.values


def check_port(host: str, port: int) -> None:
    """Bind ``host:port`` once and let it go, so that a port in use is one line at start
    (gunicorn would retry five times, a line each, and werkzeug would print after the banner)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortUnavailable(
                    N_(
                        "%(address)s は他のプログラムが使用中です。そのプログラムを止めるか、"
                        "HUB_PORT で別のポートを指定してください。"
                    ),
                    address=f"{host}:{port}",
                ) from None
            raise PortUnavailable(
                N_(
                    "%(address)s で待ち受けできません（%(reason)s）。--host と HUB_PORT を"
                    "確かめてください。"
                ),
                address=f"{host}:{port}",
                reason=exc.strerror,
            ) from None


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # control_socket_* exist from gunicorn 25.1 on
                self.cfg.set(key, value)

    def load(self) -> Any:
        return web_app()


APP_LOAD_ERROR = 4
"""The exit status with which a gunicorn worker tells its master that the app cannot be loaded:
the master stops ("App failed to load.") instead of starting workers again and again."""


def web_app() -> Any:
    """The app a gunicorn worker serves (``hub serve``, ``gunicorn wsgi:app``). A wrong setting
    is one line on stderr — ``hub: 設定エラー: …``, as the ``hub`` command says it — and the
    server stops, never a traceback per worker."""
    from forms.normalize import normalize_email
    from hub import create_app

    try:
        app = create_app()
    except ConfigError as exc:
        _say_and_stop(exc)
    normalize_email("warm-up@example.jp")  # reads the Public Suffix List before requests do
    return app


def check_settings(_server: Any = None) -> None:
    """gunicorn's ``on_starting`` hook (``gunicorn.conf.py``, which ``gunicorn wsgi:app`` reads
    from the project's folder): the settings read once, in the master, before any worker starts.
    A wrong setting is then one line and gunicorn stops — with several workers, each would fail
    on it at the same moment, and gunicorn's master, halting at the first, halted again with a
    traceback of its own at the next. :func:`web_app` still says it in a worker started under
    another configuration file."""
    from hub.config import load_settings

    try:
        load_settings()
    except ConfigError as exc:
        _say_and_stop(exc)


def _say_and_stop(problem: ConfigError) -> NoReturn:
    """``hub: 設定エラー: …`` as the ``hub`` command says it, and the exit status that stops
    gunicorn."""
    from hub.cli import config_problem

    print(f"hub: {config_problem(problem)}", file=sys.stderr, flush=True)
    raise SystemExit(APP_LOAD_ERROR) from None


def run_gunicorn(*, host: str, port: int, workers: int, threads: int = 8) -> None:
    """Workers never start a scheduler: run ``hub scheduler`` as its own process.

    The access log is written through ``hub.accesslog`` (no token from a query string in it).
    gunicorn's control socket (``gunicornc``, from gunicorn 25.1) stays off: it would be opened
    under the home directory, beside nothing else of the hub, as one more way to command the
    server; ``hub serve`` is run by the service manager and stopped or reloaded by signals."""
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 60,
            "graceful_timeout": 20,
            "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT,
            "logger_class": RedactingGunicornLogger,
            "control_socket_disable": True,
            "preload_app": False,
        }
    ).run()


def _stop_on_sigterm(_signum: int, _frame: Any) -> None:
    """``kill`` stops the development process as Ctrl-C does: the scheduler shuts down too."""
    raise KeyboardInterrupt


def run_development(*, host: str) -> None:
    from werkzeug.serving import run_simple

    from hub import create_app
    from hub.cli import words as _
    from hub.jobs import build_scheduler

    app = create_app()
    settings = app.extensions["hub_settings"]
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    url = f"http://{host}:{settings.port}/"
    print(_("再犯防止 連携調査ハブ: %(url)s（Ctrl-C で停止）", url=url), flush=True)
    try:
        run_simple(
            host,
            settings.port,
            app,
            threaded=True,
            use_reloader=False,
            request_handler=RedactingRequestHandler,
        )
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=False)
        print(_("停止しました。"), flush=True)
