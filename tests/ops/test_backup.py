"""``hub backup`` / ``hub restore``: a round trip brings back exactly what was saved."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import func, select

from hub.db import db
from hub.models import Municipality, User
from tests.conftest import make_user


def test_backup_and_restore_round_trip(ctx, runner, tmp_path: Path) -> None:
    make_user(role="staff", email="before-backup@example.jp")
    target = tmp_path / "backup.bin"
    result = runner("backup", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    make_user(role="staff", email="after-backup@example.jp")
    db.session.execute(Municipality.__table__.update().values(name="改ざん"))
    db.session.commit()

    result = runner("restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
    db.session.remove()
    emails = set(db.session.scalars(select(User.email)))
    assert "before-backup@example.jp" in emails
    assert "after-backup@example.jp" not in emails
    assert db.session.scalar(select(func.count()).where(Municipality.name == "改ざん")) == 0
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 62


def test_backups_are_private_files_in_private_folders(ctx, runner, tmp_path: Path) -> None:
    """0600 files in 0700 folders, whatever the umask, as the secret key under instance/ is."""
    before = os.umask(0o022)
    try:
        nested = tmp_path / "new" / "folder" / "hub.bak"
        assert runner("backup", "-o", str(nested)).exit_code == 0
        result = runner("backup")
    finally:
        os.umask(before)
    assert result.exit_code == 0, result.output
    default = Path(result.output.strip().splitlines()[-1])
    try:
        for written in (nested, default):
            assert stat.S_IMODE(written.stat().st_mode) == 0o600, written
            assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700, written.parent
        assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
        assert default.parent.name == "backups"
    finally:
        default.unlink()


def test_backup_refuses_to_overwrite(ctx, runner, tmp_path: Path) -> None:
    target = tmp_path / "exists.bin"
    target.write_bytes(b"keep me")
    result = runner("backup", "-o", str(target))
    assert result.exit_code == 1
    assert "既に存在します" in result.output
    assert target.read_bytes() == b"keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(ctx, runner, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.bin"
    bogus.write_bytes(b"this is not a database")
    result = runner("restore", str(bogus), "--yes")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 62


def test_restore_of_a_missing_file_is_one_line_before_any_question(
    ctx, runner, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.bin"
    for asked in ((), ("--yes",)):
        result = runner("restore", str(missing), *asked)
        assert result.exit_code == 2
        assert result.output.count("\n") == 1
        assert f"ファイルがありません: {missing}" in result.output
        assert "続けますか" not in result.output
