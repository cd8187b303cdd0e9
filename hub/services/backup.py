"""Backups and restores of the whole database.

SQLite is copied with SQLite's online backup API (a consistent copy even while the hub runs);
PostgreSQL goes through ``pg_dump``/``pg_restore`` in the custom format, when they are installed.
What goes wrong is said in the command's language (``--lang``, :func:`hub.cli.app_context`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy.engine import make_url

from hub.errors import HubError, Invalid

BACKUP_SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".dump"}


class BackupError(HubError):
    status = 500


def _dialect(url: str) -> str:
    return make_url(url).get_backend_name()


PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
"""A backup holds every answer and account: only the hub's own user may read it (like the
secret key under ``instance/``)."""


def default_path(url: str, folder: Path, now: datetime) -> Path:
    return folder / f"hub-{now:%Y%m%d-%H%M%S}{BACKUP_SUFFIX.get(_dialect(url), '.bak')}"


def backup_folder(instance_dir: Path) -> Path:
    """``instance/backups``, created or tightened to 0700 (it is the hub's own folder)."""
    folder = instance_dir / "backups"
    _make_folders(folder)
    folder.chmod(PRIVATE_FOLDER)
    return folder


def backup(url: str, target: Path) -> Path:
    """Write a consistent copy of the database to ``target`` (mode 0600) and return it.

    Folders the target needs are created 0700; folders that exist are left as they are."""
    dialect = _dialect(url)
    if dialect not in BACKUP_SUFFIX:
        raise BackupError(_("%(dialect)s のバックアップには対応していません。", dialect=dialect))
    _make_folders(target.parent)
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        raise Invalid(
            {"file": [_("%(file)s は既に存在します。別の名前を指定してください。", file=target)]}
        ) from None
    try:
        if dialect == "sqlite":
            _sqlite_copy(_sqlite_path(url), target)
        else:
            _run(
                ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url)],
                "pg_dump",
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def _make_folders(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each 0700."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    for created in missing:
        created.chmod(PRIVATE_FOLDER)


def restore(url: str, source: Path) -> None:
    """Replace the database's content with the backup in ``source``."""
    if not source.is_file():
        raise Invalid({"file": [_("%(file)s が見つかりません。", file=source)]})
    dialect = _dialect(url)
    if dialect == "sqlite":
        _check_sqlite_backup(source)
        _sqlite_copy(source, _sqlite_path(url))
    elif dialect == "postgresql":
        if source.read_bytes()[:5] != b"PGDMP":
            raise Invalid(
                {
                    "file": [
                        _(
                            "%(file)s は pg_dump のカスタム形式のバックアップではありません。",
                            file=source,
                        )
                    ]
                }
            )
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq(url)}",
                str(source),
            ],
            "pg_restore",
        )
    else:
        raise BackupError(_("%(dialect)s の復元には対応していません。", dialect=dialect))


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(_("メモリ上のデータベースはバックアップできません。"))
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def _check_sqlite_backup(source: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise Invalid(
            {"file": [_("%(file)s はハブのバックアップ（SQLite）ではありません。", file=source)]}
        ) from None


def _libpq(url: str) -> str:
    """The URL in the form libpq tools take (no SQLAlchemy driver suffix)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


LOCK_TIMEOUT = "30s"
"""How long pg_restore waits for a table another connection holds before giving up."""


def _run(command: list[str], tool: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(
            _(
                "%(tool)s が見つかりません（PostgreSQL のクライアントをインストールしてください）。",
                tool=tool,
            )
        )
    env = {**os.environ, "PGOPTIONS": f"-c lock_timeout={LOCK_TIMEOUT}"}
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=3600, check=False, env=env
    )
    if result.returncode != 0 and "lock timeout" in result.stderr:
        raise BackupError(
            _(
                "%(tool)s: 他の接続がテーブルを使用中です。ハブ（hub serve / hub scheduler）を"
                "止めてからやり直してください。",
                tool=tool,
            )
        )
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        said = lines[-1] if lines else result.returncode
        raise BackupError(_("%(tool)s が失敗しました: %(said)s", tool=tool, said=said))
