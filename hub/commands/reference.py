"""``hub init``: the schema and the reference data (``hub municipalities`` is in
``municipalities.py``)."""

from __future__ import annotations

import click

from hub.cli import app_context, friendly, language
from hub.cli import words as _


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
    from hub.services.referrals.personal import data_keys

    with app_context():
        assert db.engine is not None
        before = current_revision(db.engine)
        upgrade(db.engine, data_keys=data_keys())  # 0020 seals the scopes of consent
        after = current_revision(db.engine)
        with db.unit_of_work():
            result = initialize()
        warn_if_keys_are_missing()
    if before == after:
        schema = _("データベースは最新です。")
    elif before is None:
        schema = _("空のデータベースに %(after)s までのスキーマを作りました。", after=after)
    else:
        schema = _(
            "データベースを %(before)s から %(after)s に更新しました。", before=before, after=after
        )
    loaded = _(
        "区市町村: 追加 %(added)s、更新 %(updated)s、変更なし %(unchanged)s。"
        "調査票と配信先を読み込みました。",
        added=result.added,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    click.echo(f"{schema} {loaded}" if language() == "en" else schema + loaded)
