"""``hub init``: the schema and the reference data (``hub municipalities`` is in
``municipalities.py``)."""

from __future__ import annotations

import click

from hub.cli import app_context, friendly


def register(cli: click.Group) -> None:
    cli.add_command(init)


@click.command()
@friendly
def init() -> None:
    """Create or upgrade the schema, load the Tokyo municipalities and the questionnaires."""
    initialize_database()


def initialize_database() -> None:
    """What ``hub init`` does (also ``hub run --demo``)."""
    from hub.commands.keys import warn_if_keys_are_missing
    from hub.db import db
    from hub.migrate import current_revision, upgrade
    from hub.services.reference import initialize

    with app_context():
        assert db.engine is not None
        before = current_revision(db.engine)
        upgrade(db.engine)
        after = current_revision(db.engine)
        with db.unit_of_work():
            result = initialize()
        warn_if_keys_are_missing()
    migrated = (
        "" if before == after else f" (migrated from {before or 'an empty database'} to {after})"
    )
    click.echo(
        f"schema up to date{migrated}; municipalities: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged; questionnaires and recipients loaded"
    )
