"""Headless LibreOffice for the tests that check what the real spreadsheet program reads."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
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


def profile() -> Path:
    """This run's LibreOffice user profile, for a LibreOffice a test starts itself (one at a time:
    a LibreOffice started on a profile in use hands its work to the one using it)."""
    return _profile()


def convert(
    source: Path | Sequence[Path], target: str, outdir: Path, *, infilter: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Convert ``source`` to the ``--convert-to`` ``target`` into ``outdir``, with this run's
    private profile (so that parallel or earlier runs never share LibreOffice's user settings);
    ``infilter`` names the import filter and its options (CSV: separators, formula evaluation).
    Several sources are converted by one start of LibreOffice (each start costs seconds), each
    into its own file named after it."""
    if SOFFICE is None:
        pytest.skip(MISSING)
    sources = [source] if isinstance(source, Path) else list(source)
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
            *map(str, sources),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
