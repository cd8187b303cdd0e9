"""Headless LibreOffice for the tests that check what the real spreadsheet program reads."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
MISSING = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"


def convert(
    source: Path, target: str, outdir: Path, *, infilter: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Convert ``source`` to the ``--convert-to`` ``target`` into ``outdir``, with a private
    profile (so that parallel or earlier runs never share LibreOffice's user settings);
    ``infilter`` names the import filter and its options (CSV: separators, formula evaluation)."""
    if SOFFICE is None:
        pytest.skip(MISSING)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "lo-profile"
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
