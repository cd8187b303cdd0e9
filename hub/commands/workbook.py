"""``hub workbook ROUND -o FILE.xlsx``: write a round's consolidated workbook."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it: never a half-written file.

    The file gets the mode any program's new file gets (0666 less the umask); the temporary file
    stays private (0600, as ``mkstemp`` makes it) until it is complete."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            os.fchmod(out.fileno(), 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _round_id(value: str) -> int:
    from hub.cli import fail
    from hub.cli import words as _

    text = value.strip()
    if not text.isascii() or not text.isdigit():
        fail(
            _(
                "調査回は番号で指定してください（hub round list で確認できます）: %(value)s",
                value=repr(value),
            ),
            2,
        )
    return int(text)


def _check_target(path: Path) -> None:
    from hub.cli import fail
    from hub.cli import words as _

    if path.is_dir():
        fail(_("出力先がフォルダです。ファイル名を指定してください: %(path)s", path=path), 2)
    if not path.parent.is_dir():
        fail(_("出力先のフォルダがありません: %(path)s", path=path.parent))
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(_("出力先に書き込めません: %(path)s", path=path))


def register(cli: click.Group) -> None:
    from hub.cli import app_context, fail, friendly
    from hub.cli import words as _

    @cli.command("workbook")
    @click.argument("round_id", metavar="ROUND")
    @click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        help="書き出すファイル（.xlsx）。省略時は現在のフォルダに調査名と基準日の名前で書き出す",
    )
    @click.option(
        "--without-personal",
        is_flag=True,
        help="回答者の氏名・連絡先と更新者名、聞き取りのメモを含めず、相談窓口の少ない件数を"
        "伏せる（外部への提供用）",
    )
    @friendly
    def workbook(round_id: str, output: Path | None, without_personal: bool) -> None:
        """Write the consolidated workbook of ROUND, the same file as the download button
        (集計・提出状況・回答一覧・経年比較・相談窓口・聞き取り・定義)."""
        from exports.workbook import build_workbook, workbook_filename
        from hub.services.responses import get_round

        number = _round_id(round_id)
        if output is not None:
            _check_target(output)
        with app_context():
            round_ = get_round(number)
            if output is None:
                output = Path(workbook_filename(round_))
                _check_target(output)
            data = build_workbook(round_, for_staff=not without_personal)
        try:
            write_atomically(output, data)
        except OSError as exc:
            fail(
                _(
                    "出力先に書き込めません: %(path)s（%(reason)s）",
                    path=output,
                    reason=exc.strerror or exc,
                )
            )
        click.echo(
            _("%(file)s を書き出しました（%(size)s バイト）。", file=output, size=f"{len(data):,}")
        )
