"""Headless LibreOffice for the tests that check what the real spreadsheet program reads."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
MISSING = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"


@cache
def _profile() -> Path:
    """This test run's own LibreOffice user profile, made by its first conversion and reused by
    the others (a new profile costs each start ~2 s more); no other run shares it."""
    folder = Path(tempfile.mkdtemp(prefix="hub-lo-profile-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def convert(
    source: Path, target: str, outdir: Path, *, infilter: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Convert ``source`` to the ``--convert-to`` ``target`` into ``outdir``, with this run's
    private profile (so that parallel or earlier runs never share LibreOffice's user settings);
    ``infilter`` names the import filter and its options (CSV: separators, formula evaluation)."""
    if SOFFICE is None:
        pytest.skip(MISSING)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = _profile()
    return subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
