"""``hub backup`` / ``hub restore``: a round trip brings back exactly what was saved."""

from __future__ import annotations

import os
import re
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


def test_a_restore_signs_everyone_out_and_revives_no_ended_session(
    app, runner, tmp_path: Path
) -> None:
    """A cookie copied before a sign-out that happened after the backup, and a session signed in
    before the restore, are both refused after it: the backup's older session versions must not
    bring an ended session back (a shared PC, a cookie in a proxy log)."""
    from tests.web.conftest import Web

    with app.app_context():
        make_user(role="staff", email="signed-in@example.jp")
    target = tmp_path / "backup.bin"
    assert runner("backup", "-o", str(target)).exit_code == 0
    name = app.config["SESSION_COOKIE_NAME"]
    staying, leaving = Web(app), Web(app)
    assert staying.login("signed-in@example.jp").status_code == 302
    assert leaving.login("signed-in@example.jp").status_code == 302
    copied = Web(app)
    cookie = leaving.client.get_cookie(name)
    assert cookie is not None
    copied.client.set_cookie(name, cookie.value)
    assert copied.get("/staff/").status_code == 200
    assert leaving.post("/logout").status_code == 302
    assert copied.get("/staff/").status_code == 302

    result = runner("restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
    assert "ログインを終了しました" in result.output
    for client in (copied, staying):
        answer = client.get("/staff/")
        assert answer.status_code == 302
        assert "/login" in answer.headers["Location"]
    fresh = Web(app)
    assert fresh.login("signed-in@example.jp").status_code == 302
    assert fresh.get("/staff/").status_code == 200


def test_the_sqlite_database_is_a_private_file_like_its_backups(tmp_path: Path) -> None:
    """Created 0600 whatever the umask, and an older release's 0644 file tightened: the live
    database holds what a backup holds. SQLite gives its WAL the database file's mode."""
    from sqlalchemy import text

    from hub.db import make_engine

    fresh, older = tmp_path / "fresh.sqlite3", tmp_path / "older.sqlite3"
    older.touch(mode=0o644)
    older.chmod(0o644)
    before = os.umask(0o022)
    try:
        for path in (fresh, older):
            engine = make_engine(f"sqlite:///{path}")
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE t (x INTEGER)"))
                connection.execute(text("INSERT INTO t VALUES (1)"))
                wal = path.with_name(path.name + "-wal")
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
                assert not wal.exists() or stat.S_IMODE(wal.stat().st_mode) == 0o600, wal
            engine.dispose()
    finally:
        os.umask(before)


def test_backup_and_restore_speak_english_with_lang_en(ctx, runner, tmp_path: Path) -> None:
    """``--lang en``, as the other commands an operator reads: what they say, the question
    and the refusals; Japanese without it."""
    japanese = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
    target = tmp_path / "backup.bin"
    assert runner("backup", "-o", str(target), "--lang", "en").exit_code == 0
    refused = runner("backup", "-o", str(target), "--lang", "en")
    assert refused.exit_code == 1
    assert "already exists" in refused.output
    assert not japanese.search(refused.output), refused.output
    bogus = tmp_path / "bogus.bin"
    bogus.write_bytes(b"this is not a database")
    wrong = runner("restore", str(bogus), "--yes", "--lang", "en")
    assert wrong.exit_code == 1
    assert not japanese.search(wrong.output), wrong.output
    asked = runner("restore", str(target), "--lang", "en", input="n\n")
    assert "Continue?" in asked.output
    assert not japanese.search(asked.output), asked.output
    restored = runner("restore", str(target), "--yes", "--lang", "en")
    assert restored.exit_code == 0, restored.output
    assert "signed out" in restored.output
    assert not japanese.search(restored.output), restored.output
    db.session.remove()
    again = runner("restore", str(target), "--yes")
    assert "すべての利用者のログインを終了しました" in again.output
    assert "既に存在します" in runner("backup", "-o", str(target)).output
