"""Every ``hub …`` command the README and docs/ name is a real command, with real options: the
documents stay true when commands change (and operations.md is followed by people at 2 a.m.)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from hub.cli import cli

ROOT = Path(__file__).parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SPAN = re.compile(r"`(hub [a-z][^`]*)`")


def named_commands() -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8").replace("\n", " ")
        found += [(document.name, span) for span in SPAN.findall(text)]
    return found


def resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    """The command the words name (groups followed), and the words after it."""
    context = click.Context(cli)
    command: click.Command = cli
    while words and isinstance(command, click.Group):
        found = command.get_command(context, words[0])
        if found is None:
            break
        command, words = found, words[1:]
    return command, words


def test_the_documents_name_commands() -> None:
    names = {span for _, span in named_commands()}
    assert {"hub init", "hub backup", "hub municipalities import FILE.csv --retire-missing "
            "--dry-run"} & names  # fmt: skip
    assert len(names) > 20


@pytest.mark.parametrize(("document", "span"), named_commands())
def test_each_named_command_and_option_exists(document: str, span: str) -> None:
    words = span.split()[1:]
    command, rest = resolve([w for w in words if re.fullmatch(r"[a-z][a-z-]*", w)][:2])
    assert command is not cli, f"{document}: `{span}` names no command"
    if rest and isinstance(command, click.Group):
        pytest.fail(f"{document}: `{span}`: {command.name} has no command {rest[0]}")
    options = {opt for param in command.params for opt in param.opts}
    for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", span):
        assert option in options | {"--help"}, f"{document}: `{span}`: no option {option}"
