"""Schema changes go through Alembic only; nothing calls ``create_all``.

A migration that seals or opens referrals' personal data (0020: the scope of consent) uses the
data keys given here (``hub init`` gives the hub's); without them it refuses when there is
something to seal or open, and nothing changes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

if TYPE_CHECKING:
    from hub.crypto import DataKeys

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


DATA_KEYS = "data_keys"
"""The name under which a migration finds the data keys (``context.config.attributes``)."""


def upgrade(engine: Engine, revision: str = "head", *, data_keys: DataKeys | None = None) -> None:
    with _migrating(engine) as connection:
        command.upgrade(_config(engine, connection, data_keys), revision)


def downgrade(engine: Engine, revision: str, *, data_keys: DataKeys | None = None) -> None:
    with _migrating(engine) as connection:
        command.downgrade(_config(engine, connection, data_keys), revision)


def _config(engine: Engine, connection: Connection, data_keys: DataKeys | None) -> Config:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    config.attributes["connection"] = connection
    config.attributes[DATA_KEYS] = data_keys
    return config


class DataKeysNeeded(RuntimeError):
    """A migration must seal or open referrals' personal data and was given no data keys (run
    it with ``hub init``, which gives the hub's); nothing of it was kept."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"{revision}: つなぎの個人情報を暗号化するためのデータ鍵が渡されていません。"
            "hub init で実行してください（HUB_DATA_KEY または instance/data_key を使います）。"
        )


class BrokenReferences(RuntimeError):
    """A migration left rows naming rows that do not exist; nothing of it was kept."""


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A transaction for migrations. On SQLite, foreign keys are off while they run, as SQLite's
    own procedure for changing a table asks (https://sqlite.org/lang_altertable.html, "other
    kinds of table schema changes"): a table rebuilt by a batch migration is copied, dropped and
    renamed, and with foreign keys on, dropping it would delete every row that refers to it.
    Before the transaction commits, ``PRAGMA foreign_key_check`` must find nothing."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:  # only outside a transaction does SQLite take it
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise BrokenReferences("a migration broke foreign keys; rolled back")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
