"""``python blocking_export.py MARKER ARGS...``: ``hub ARGS...`` whose outbox blocks after one file.

The first file of the delivery is written and fsynced, then MARKER appears and the process
waits to be killed: a delivery killed mid-write.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from exports.channels import outbox
from hub.cli import main

_write_file = outbox.write_file


def block_after_first_file(marker: Path) -> None:
    def write_then_block(path: Path, content: bytes) -> None:
        _write_file(path, content)
        marker.write_text(str(path), encoding="utf-8")
        time.sleep(120)

    outbox.write_file = write_then_block


if __name__ == "__main__":
    block_after_first_file(Path(sys.argv[1]))
    sys.argv = ["hub", *sys.argv[2:]]
    main()
