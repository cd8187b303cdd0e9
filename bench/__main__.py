"""Run every benchmark in ``bench/``: ``python -m bench [NAME ...]``.

A benchmark is a module of this package with ``main(argv: list[str] | None = None) -> int``;
modules without one (data generators) are skipped. Each runs in its own process, so that its
time and memory figures are its own. The exit status is non-zero when any benchmark fails.
"""

from __future__ import annotations

import importlib
import pkgutil
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


def main(argv: list[str] | None = None) -> int:
    names = list(sys.argv[1:] if argv is None else argv) or benchmarks()
    unknown = sorted(set(names) - set(benchmarks()))
    if unknown:
        print(f"bench: no such benchmark: {', '.join(unknown)} (have: {', '.join(benchmarks())})")
        return 2
    failed = []
    for name in names:
        print(f"=== bench.{name}", flush=True)
        started = time.perf_counter()
        status = subprocess.call([sys.executable, "-m", f"bench.{name}"], cwd=PACKAGE.parent)
        print(
            f"=== bench.{name}: exit {status} in {time.perf_counter() - started:.1f} s", flush=True
        )
        if status != 0:
            failed.append(name)
    if failed:
        print(f"bench: failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
