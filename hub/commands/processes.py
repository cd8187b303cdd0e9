"""``hub scheduler``, ``hub serve`` and ``hub run``: the long-running processes."""

from __future__ import annotations

import click

from hub.cli import current_app_or_new, friendly
from hub.cli import words as _


def register(cli: click.Group) -> None:
    cli.add_command(scheduler)
    cli.add_command(serve)
    cli.add_command(run)


@click.command()
@friendly
def scheduler() -> None:
    """Run the scheduler in the foreground (one per deployment); Ctrl-C stops it."""
    from hub.commands.keys import warn_if_keys_are_missing
    from hub.jobs import build_scheduler

    app = current_app_or_new()
    with app.app_context():
        warn_if_keys_are_missing()
    sched = build_scheduler(app, blocking=True)
    click.echo(
        _(
            "スケジューラーを開始しました（ジョブ %(jobs)s 件）。Ctrl-C で停止します。",
            jobs=len(sched.get_jobs()),
        ),
        err=True,
    )
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if sched.running:
            sched.shutdown(wait=False)
    click.echo(_("スケジューラーを停止しました。"), err=True)


@click.command()
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="threads per worker (gthread); docs/performance.md has the measured mix",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@friendly
def serve(workers: int, threads: int, host: str) -> None:
    """The production server (gunicorn) on HUB_PORT. Run `hub scheduler` beside it."""
    from hub.config import load_settings
    from hub.server import run_gunicorn

    settings = load_settings()
    _check_port(host, settings.port)
    run_gunicorn(host=host, port=settings.port, workers=workers, threads=threads)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--demo",
    "with_demo",
    is_flag=True,
    help="first do what `hub init` and `hub demo` do (make run: one process, a faster start)",
)
@friendly
def run(host: str, with_demo: bool) -> None:
    """One development process: the web app on HUB_PORT with the scheduler inside."""
    from hub.commands.demo import create_demo
    from hub.commands.reference import initialize_database
    from hub.config import load_settings
    from hub.server import run_development

    _check_port(host, load_settings().port)
    if with_demo:
        initialize_database()
        create_demo()
    run_development(host=host)


def _check_port(host: str, port: int) -> None:
    """:func:`hub.server.check_port`, its refusal said in the command's language."""
    from hub.errors import HubError
    from hub.server import PortUnavailable, check_port

    try:
        check_port(host, port)
    except PortUnavailable as exc:
        raise HubError(exc.worded(_)) from None
