"""``hub demo``: demo accounts, a demo round, consultation cases and hearings, once."""

from __future__ import annotations

import click

from hub.cli import friendly, lang_option, unit_of_work


def register(cli: click.Group) -> None:
    cli.add_command(demo)


@click.command()
@lang_option
@friendly
def demo() -> None:
    """Create demo accounts, a demo round, consultation cases and hearings, once; prints the
    accounts the first time (in English with ``--lang en``)."""
    create_demo()


def create_demo() -> None:
    """What ``hub demo`` does (also ``hub run --demo``)."""
    from hub.services.demo import ensure_demo

    with unit_of_work() as app:
        lines = ensure_demo(app.extensions["hub_settings"].instance_dir)
    for line in lines:
        click.echo(line)
