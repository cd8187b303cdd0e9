"""``hub backup`` and ``hub restore``."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli import app_context, friendly
from hub.db import db, utcnow
from hub.services import backup as backups


def register(cli: click.Group) -> None:
    cli.add_command(backup_command)
    cli.add_command(restore_command)


@click.command("backup")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="file to write (default: instance/backups/hub-<time>.*)",
)
@friendly
def backup_command(output: Path | None) -> None:
    """Write a consistent copy of the whole database."""
    with app_context() as app:
        url = app.extensions["hub_settings"].database_url
        if output is None:
            folder = backups.backup_folder(app.extensions["hub_settings"].instance_dir)
            output = backups.default_path(url, folder, utcnow())
        target = output
        written = backups.backup(url, target)
    click.echo(str(written))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@friendly
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database's content with a backup made by `hub backup`."""
    if not yes and not click.confirm(
        "現在のデータはすべてバックアップの内容で置き換えられます。続けますか？"
    ):
        raise click.Abort()
    from hub.services.users import end_every_session, highest_session_version

    with app_context() as app:
        issued = highest_session_version()
        db.session.remove()
        assert db.engine is not None
        db.engine.dispose()
        backups.restore(app.extensions["hub_settings"].database_url, file)
        db.engine.dispose()
        end_every_session(above=issued)
        db.session.commit()
    click.echo(f"restored from {file}")
    click.echo("すべての利用者のログインを終了しました（次に使うときに、もう一度ログインします）。")
