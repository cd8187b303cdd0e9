"""``hub consultations import FILE``: add consultation-desk cases from a CSV, tab-separated text
or xlsx case list."""

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
@click.option(
    "--add-repeats",
    is_flag=True,
    help="Also add rows identical to a stored case or an earlier row (other callers).",
)
@click.option(
    "--rows",
    "rows",
    default=None,
    metavar="N,N,...",
    help="Add only these rows of FILE (row numbers as the spreadsheet shows them).",
)
@friendly
def import_file(file: Path, add_repeats: bool, rows: str | None) -> None:
    """Add the cases of FILE (CSV in UTF-8 or Shift_JIS, tab-separated text as Excel saves it —
    .txt in Shift_JIS or UTF-16 — or xlsx); one bad row adds none. Rows identical to a stored
    case or an earlier row are left out and named unless --add-repeats."""
    from hub.services.consultations import import_cases, serial_days_note
    from hub.services.uploaded_tables import MAX_IMPORT_BYTES

    if file.stat().st_size > MAX_IMPORT_BYTES:
        raise HubError(f"ファイルが大きすぎます（{MAX_IMPORT_BYTES >> 20}MBまで）: {file}")
    lines = _row_numbers(rows) if rows is not None else None
    data = file.read_bytes()
    with unit_of_work():
        result = import_cases(
            data, user=None, filename=file.name, add_repeats=add_repeats, lines=lines
        )
    click.echo(f"{result.added}件の相談記録を追加しました。")
    if result.serial_days:
        read = ",".join(str(day.line) for day in result.serial_days)
        click.echo(serial_days_note(result.serial_days, read), err=True)
    if result.left_out:
        numbers = ",".join(str(row.line) for row in result.left_out)
        click.echo(
            f"登録済みの記録と同じ内容の{len(result.left_out)}件は追加していません"
            f"（{numbers}行目）。別々の相談であれば: "
            f"hub consultations import {file} --add-repeats --rows {numbers}",
            err=True,
        )
    if result.ignored_columns:
        click.echo(
            f"取り込んでいない列（相談記録の項目ではありません）: {'、'.join(result.ignored_columns)}",
            err=True,
        )


def _row_numbers(text: str) -> frozenset[int]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) <= 7 for p in parts):
        raise HubError(f"--rows は行番号をコンマで区切って書きます（例: 5,9,12）: {text}")
    return frozenset(int(p) for p in parts)
