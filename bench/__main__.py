"""Run every benchmark in ``bench/``: ``python -m bench [NAME ...]``.

A benchmark is a module of this package with ``main(argv: list[str] | None = None) -> int``;
modules without one (data generators) are skipped. Each runs in its own process, so that its
time and memory figures are its own. The exit status is non-zero when any benchmark fails.

A benchmark states each figure against its floor measured in the same run: a line beginning
``floor`` first, then ``hub`` (or ``ratio``) lines, then ``PASS``/``FAIL``. Those lines are
repeated in a summary at the end, with the machine's load average, since a ratio is only as good
as the quietness of the machine it was measured on.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
import time
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def benchmarks() -> list[str]:
    """Names of the modules in ``bench/`` that have a ``main``, alphabetically."""
    found = []
    for module in pkgutil.iter_modules([str(PACKAGE)]):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"bench.{module.name}")
        if callable(getattr(loaded, "main", None)):
            found.append(module.name)
    return sorted(found)


FIGURE = re.compile(r"^(floor|hub|ratio|cpu|PASS|FAIL)\b")


def run(name: str) -> tuple[int, list[str]]:
    """Run ``bench.<name>``, echoing its output; return its exit status and its figure lines."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", f"bench.{name}"],
        cwd=PACKAGE.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    figures = []
    for line in process.stdout:
        print(line, end="", flush=True)
        if FIGURE.match(line):
            figures.append(line.rstrip())
    return process.wait(), figures


def main(argv: list[str] | None = None) -> int:
    names = list(sys.argv[1:] if argv is None else argv) or benchmarks()
    unknown = sorted(set(names) - set(benchmarks()))
    if unknown:
        print(f"bench: no such benchmark: {', '.join(unknown)} (have: {', '.join(benchmarks())})")
        return 2
    failed = []
    summary: list[str] = []
    for name in names:
        print(f"=== bench.{name}", flush=True)
        started = time.perf_counter()
        status, figures = run(name)
        print(
            f"=== bench.{name}: exit {status} in {time.perf_counter() - started:.1f} s", flush=True
        )
        summary += [f"bench.{name}:", *(f"  {line}" for line in figures)]
        if status != 0:
            failed.append(name)
    print("=== summary: each figure against its floor, same run")
    print("\n".join(summary))
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if failed:
        print(f"bench: failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
