"""The outbox: a delivery folder appears complete or not at all, even when the process is killed
mid-write; the interrupted delivery is retried and the partial folder cleaned away."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import AuditEvent, Delivery
from hub.services import deliveries
from tests.deliveries.conftest import Seeded, hub_env
from tests.deliveries.test_export import folders, manifest_of

HERE = Path(__file__).resolve().parent


def wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(process.communicate()[1].decode())
        assert time.monotonic() < deadline, "the export never started writing"
        time.sleep(0.05)


def test_a_killed_delivery_leaves_no_visible_folder_and_is_retried(
    ctx, settings, seeded: Seeded, outbox, tmp_path, runner
):
    marker = tmp_path / "writing"
    process = subprocess.Popen(
        [sys.executable, str(HERE / "blocking_export.py"), str(marker), "export", "moj"],
        env=hub_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(marker, process)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    half_written = Path(marker.read_text(encoding="utf-8"))
    assert half_written.exists()
    assert half_written.parent.name.startswith(".partial-")
    assert folders(outbox, "moj") == []
    (interrupted,) = db.session.scalars(select(Delivery)).all()
    assert (interrupted.status, interrupted.attempts) == ("sending", 1)

    busy = runner("export", "moj")
    assert busy.exit_code == 1
    assert "送信中か再試行待ち" in busy.output
    assert deliveries.retry_due(utcnow()) == []

    later = utcnow() + deliveries.LEASE + timedelta(seconds=1)
    (outcome,) = deliveries.retry_due(later)
    assert outcome.status == "sent", outcome.message
    (folder,) = folders(outbox, "moj")
    assert folder.name == interrupted.id
    assert len(manifest_of(folder)["files"]) >= 3
    assert not half_written.parent.exists()
    assert not list((outbox / "moj").glob(".partial-*"))
    db.session.expire_all()
    assert db.session.get_one(Delivery, interrupted.id).attempts == 2
    events = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target == f"delivery/{interrupted.id}")
        .order_by(AuditEvent.id)
    ).all()
    assert events == ["delivery.create", "delivery.interrupted", "delivery.sent"]
    assert deliveries.retry_due(later + timedelta(minutes=30)) == []


def test_partial_folders_of_other_dead_deliveries_go_after_a_day(ctx, seeded: Seeded, outbox):
    stale = outbox / "moj" / ".partial-20200101T000000Z-deadbeef-0000"
    stale.mkdir(parents=True)
    (stale / "r1.xlsx").write_bytes(b"half")
    day_ago = time.time() - 25 * 3600
    os.utime(stale, (day_ago, day_ago))
    fresh = outbox / "moj" / ".partial-20990101T000000Z-cafebabe-0000"
    fresh.mkdir()
    outcome = deliveries.deliver("moj", seeded.round_id)
    assert outcome.status == "sent"
    assert not stale.exists()
    assert fresh.exists(), "a recent partial folder may belong to a live process"
    assert len(folders(outbox, "moj")) == 1
