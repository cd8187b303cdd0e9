"""The README's Quick start is two steps a newcomer can follow: `make run` (which keeps running)
and, in another terminal, `make test` (issue 14, item 23)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def _quick_start() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Quick start\n(?P<body>.*?)^## ", text, re.MULTILINE | re.DOTALL)
    assert match, "README has a Quick start section"
    return match.group("body")


def test_quick_start_is_two_numbered_steps_each_with_its_command():
    steps = re.split(r"^\d\. ", _quick_start(), flags=re.MULTILINE)[1:]
    assert len(steps) == 2
    commands = [re.findall(r"```sh\n(.*?)\n\s*```", step, re.DOTALL) for step in steps]
    assert [[c.strip() for c in found] for found in commands] == [["make run"], ["make test"]]
    assert "Ctrl-C" in steps[0], "says that make run keeps running"
    assert "another terminal" in steps[1]
