"""``hub backup`` and ``hub restore``: what they say in Japanese, or in English with
``--lang en`` (the shared option of the commands an operator reads)."""

from __future__ import annotations

from pathlib import Path

import click
from flask_babel import gettext as _

from hub.cli import app_context, fail, friendly, lang_option
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
@lang_option
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
@lang_option
@friendly
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database's content with a backup made by `hub backup`."""
    from hub.services.users import end_every_session, highest_session_version

    with app_context() as app:
        if not yes and not click.confirm(
            _("現在のデータはすべてバックアップの内容で置き換えられます。続けますか？")
        ):
            fail(_("中止しました。"))  # as the group says it on an abort, in --lang's language
        issued = highest_session_version()
        db.session.remove()
        assert db.engine is not None
        db.engine.dispose()
        backups.restore(app.extensions["hub_settings"].database_url, file)
        db.engine.dispose()
        end_every_session(above=issued)
        db.session.commit()
        click.echo(_("%(file)s から復元しました。", file=file))
        click.echo(
            _("すべての利用者のログインを終了しました（次に使うときに、もう一度ログインします）。")
        )
