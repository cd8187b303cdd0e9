"""``hub init`` and ``hub municipalities import``: the schema and the reference data."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli import app_context, friendly, unit_of_work


def register(cli: click.Group) -> None:
    cli.add_command(init)
    cli.add_command(municipalities)


@click.command()
@friendly
def init() -> None:
    """Create or upgrade the schema, load the Tokyo municipalities and the questionnaires."""
    initialize_database()


def initialize_database() -> None:
    """What ``hub init`` does (also ``hub run --demo``)."""
    from hub.db import db
    from hub.migrate import upgrade
    from hub.services.reference import initialize

    with app_context():
        assert db.engine is not None
        upgrade(db.engine)
        with db.unit_of_work():
            result = initialize()
    click.echo(
        f"schema up to date; municipalities: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged; questionnaires and recipients loaded"
    )


@click.group()
def municipalities() -> None:
    """Reference data: the municipalities (区市町村)."""


@municipalities.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly
def municipalities_import(file: Path) -> None:
    """Add or update municipalities from a CSV shaped like tokyo_municipalities.csv."""
    from hub.services.reference import import_municipalities, read_municipality_csv

    rows = read_municipality_csv(file.read_bytes())
    with unit_of_work():
        result = import_municipalities(rows)
    click.echo(f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged")
