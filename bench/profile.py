"""Reading a py-spy profile (``--format raw``: one collapsed stack and its sample count a line).

``bench.load --profile FILE.txt`` prints :func:`summary` after the run: the samples of each request
kind (the view whose frame is on the stack), and per kind the functions with the largest share
of its samples, each function counted once per stack (inclusive time).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

VIEWS = {
    "healthz (hub/health.py": "GET /healthz",
    "get_response (hub/api/rounds.py": "GET response",
    "put_response (hub/api/rounds.py": "PUT response",
    "submit_response (hub/api/rounds.py": "POST submit",
    "return_response (hub/api/rounds.py": "POST return",
}
HOOKS = "Flask.preprocess_request ("
"""Before the view: the gate (token lookup), JSON limits, session timeouts."""
REQUEST = "Flask.wsgi_app ("
"""Frames under Flask are request work; the rest is the server (accept, parse) or start-up."""
WAIT = "Connection.wait (psycopg/"
"""psycopg waiting for the server's answer: time in the database (or the network), not Python."""
LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")


def _function(frame: str) -> str:
    """``name (path:line)`` without the line number: one entry per function."""
    return re.sub(r":\d+\)$", ")", frame)


def read(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text(errors="replace").splitlines():
        match = LINE.match(line)
        if match:
            stacks.append((match["stack"].split(";"), int(match["count"])))
    return stacks


def kind_of(frames: list[str]) -> str:
    for frame in frames:
        for marker, kind in VIEWS.items():
            if frame.startswith(marker):
                return kind
    if any(frame.startswith(HOOKS) for frame in frames):
        return "before the view (gate, token lookup, JSON limits)"
    if any(frame.startswith(REQUEST) for frame in frames):
        return "other request work (routing, teardown, errors)"
    if any("wsgi" in frame or "gunicorn" in frame for frame in frames):
        return "server outside the app"
    return "start-up and the rest"


def summary(path: Path, top: int = 18) -> str:
    totals: Counter[str] = Counter()
    inclusive: dict[str, Counter[str]] = defaultdict(Counter)
    waiting: Counter[str] = Counter()
    for frames, count in read(path):
        kind = kind_of(frames)
        totals[kind] += count
        if any(frame.startswith(WAIT) for frame in frames):
            waiting[kind] += count
        for function in {_function(f) for f in frames[1:] if not f.startswith("process ")}:
            inclusive[kind][function] += count
    everything = sum(totals.values()) or 1
    lines = [f"py-spy samples: {everything}"]
    for kind, samples in totals.most_common():
        lines.append(
            f"\n{kind}: {samples} samples ({100 * samples / everything:.1f} %), "
            f"waiting for the database {100 * waiting[kind] / samples:.0f} %"
        )
        for function, n in inclusive[kind].most_common(top):
            lines.append(f"  {100 * n / samples:5.1f} %  {function[:150]}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(summary(Path(sys.argv[1]), top=int(sys.argv[2]) if len(sys.argv) > 2 else 18))
