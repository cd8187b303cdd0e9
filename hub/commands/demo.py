"""``hub demo``: demo accounts and a demo round, once."""

from __future__ import annotations

import click

from hub.cli import friendly, unit_of_work


def register(cli: click.Group) -> None:
    cli.add_command(demo)


@click.command()
@friendly
def demo() -> None:
    """Create demo accounts and a demo round, once; prints the accounts the first time."""
    from hub.services.demo import ensure_demo

    with unit_of_work() as app:
        lines = ensure_demo(app.extensions["hub_settings"].instance_dir)
    for line in lines:
        click.echo(line)
