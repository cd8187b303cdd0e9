"""The suite's own reset (``tests/conftest.empty_tables``) puts back exactly what ``hub init``
stores: running the reference import again on a reset database finds nothing to add or change."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from hub.db import db
from hub.models import Municipality, Round
from hub.services import reference
from tests.conftest import empty_tables, make_round


def test_the_reset_puts_back_what_hub_init_stores_and_nothing_else(ctx: Flask) -> None:
    make_round()
    db.session.execute(Municipality.__table__.update().values(name="書き換え"))
    db.session.commit()
    empty_tables()
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0
    with db.unit_of_work():
        again = reference.initialize()
    assert (again.added, again.updated, again.unchanged) == (0, 0, 62)
