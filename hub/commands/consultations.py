"""``hub consultations import FILE``: add consultation-desk cases from a CSV or xlsx case list."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli import friendly, unit_of_work
from hub.errors import HubError


def register(cli: click.Group) -> None:
    cli.add_command(consultations)


@click.group()
def consultations() -> None:
    """Consultation desk (犯罪お悩みなんでも相談)."""


@consultations.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly
def import_file(file: Path) -> None:
    """Add every case of FILE (CSV in UTF-8 or Shift_JIS, or xlsx); one bad row adds none."""
    from hub.services.consultations import import_cases
    from hub.services.uploaded_tables import MAX_IMPORT_BYTES

    if file.stat().st_size > MAX_IMPORT_BYTES:
        raise HubError(f"ファイルが大きすぎます（{MAX_IMPORT_BYTES >> 20}MBまで）: {file}")
    data = file.read_bytes()
    with unit_of_work():
        result = import_cases(data, user=None, filename=file.name)
    click.echo(f"{result.added}件の相談記録を追加しました。")
    if result.ignored_columns:
        click.echo(
            f"取り込んでいない列（相談記録の項目ではありません）: {'、'.join(result.ignored_columns)}",
            err=True,
        )
