"""``hub consultations import FILE``: add consultation-desk cases from a CSV, tab-separated text
or xlsx case list."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli import counted as ngettext
from hub.cli import friendly, unit_of_work
from hub.cli import words as _
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
        raise HubError(
            _(
                "ファイルが大きすぎます（%(mb)sMBまで）: %(file)s",
                mb=MAX_IMPORT_BYTES >> 20,
                file=file,
            )
        )
    lines = _row_numbers(rows) if rows is not None else None
    data = file.read_bytes()
    with unit_of_work():
        result = import_cases(
            data, user=None, filename=file.name, add_repeats=add_repeats, lines=lines
        )
        serial_days = (
            serial_days_note(result.serial_days, ",".join(str(d.line) for d in result.serial_days))
            if result.serial_days
            else None
        )  # worded in the app context, which speaks the command's language
    click.echo(
        ngettext(
            "%(count)s件の相談記録を追加しました。",
            "%(count)s件の相談記録を追加しました。",
            result.added,
        )
    )
    if serial_days:
        click.echo(serial_days, err=True)
    if result.left_out:
        click.echo(_left_out(file, [row.line for row in result.left_out]), err=True)
    if result.ignored_columns:
        click.echo(
            _(
                "取り込んでいない列（相談記録の項目ではありません）: %(columns)s",
                columns=_("、").join(result.ignored_columns),
            ),
            err=True,
        )
    if result.unread_note:
        click.echo(
            _(
                "%(note)s 今回の取り込みでは、列がない項目を空欄として登録しました。",
                note=result.unread_note,
            ),
            err=True,
        )


def _left_out(file: Path, lines: list[int]) -> str:
    """The rows left out as repeats, and the command that adds them after all."""
    numbers = ",".join(map(str, lines))
    return ngettext(
        "登録済みの記録と同じ内容の%(count)s件は追加していません（%(lines)s行目）。"
        "別々の相談であれば: %(command)s",
        "登録済みの記録と同じ内容の%(count)s件は追加していません（%(lines)s行目）。"
        "別々の相談であれば: %(command)s",
        len(lines),
        lines=numbers,
        command=f"hub consultations import {file} --add-repeats --rows {numbers}",
    )


def _row_numbers(text: str) -> frozenset[int]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) <= 7 for p in parts):
        raise HubError(
            _("--rows は行番号をコンマで区切って書きます（例: 5,9,12）: %(rows)s", rows=text)
        )
    return frozenset(int(p) for p in parts)
