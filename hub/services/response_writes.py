"""Writing one change of a response — the response row, its revision, its choice index and the
audit row — in as few round trips as the database allows.

On PostgreSQL the whole change is ONE statement: the ``UPDATE … WHERE version = :seen`` in a
data-modifying CTE, the other writes as INSERT/DELETE … SELECT FROM that CTE, so they happen only
when the update found its row (a stale version changes nothing), and the statement answers with
the number of rows updated. Elsewhere (SQLite, in-process, no network) the same writes are sent
one after another, the update first. Either way the caller's transaction holds them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    String,
    Table,
    column,
    delete,
    func,
    insert,
    literal,
    select,
    true,
    tuple_,
    update,
    values,
)
from sqlalchemy.sql.selectable import CTE

from hub.db import db
from hub.models import AuditEvent, Response, ResponseChoice, Revision

Pair = tuple[str, str]


@dataclass(frozen=True)
class Change:
    response_id: int
    seen_version: int
    response: dict[str, Any]
    """Columns of ``response`` to set (the new version among them)."""
    revision: dict[str, Any]
    audit: dict[str, Any]
    removed_choices: list[Pair]
    added_choices: list[Pair]


def write_change(change: Change) -> bool:
    """Write ``change``; ``False`` (and nothing written) when the response is no longer at the
    version it was read at."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _in_one_statement(change)
    return _one_after_another(change)


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _one_after_another(change: Change) -> bool:
    responses, choices = _table(Response), _table(ResponseChoice)
    updated = db.session.execute(
        update(responses)
        .where(responses.c.id == change.response_id, responses.c.version == change.seen_version)
        .values(change.response)
    )
    if cast(CursorResult[Any], updated).rowcount != 1:
        return False
    db.session.execute(insert(_table(Revision)), [change.revision])
    if change.removed_choices:
        db.session.execute(
            delete(choices).where(
                choices.c.response_id == change.response_id,
                tuple_(choices.c.question_id, choices.c.code).in_(change.removed_choices),
            )
        )
    if change.added_choices:
        db.session.execute(
            insert(choices),
            [
                {"response_id": change.response_id, "question_id": q, "code": c}
                for q, c in change.added_choices
            ],
        )
    db.session.execute(insert(_table(AuditEvent)), [change.audit])
    return True


def _in_one_statement(change: Change) -> bool:
    responses, choices = _table(Response), _table(ResponseChoice)
    changed = (
        update(responses)
        .where(responses.c.id == change.response_id, responses.c.version == change.seen_version)
        .values(change.response)
        .returning(responses.c.id)
        .cte("changed")
    )
    writes = [
        _insert_if_changed(_table(Revision), change.revision, changed, "revision_written"),
        _insert_if_changed(_table(AuditEvent), change.audit, changed, "audit_written"),
    ]
    if change.removed_choices:
        writes.append(
            delete(choices)
            .where(
                choices.c.response_id.in_(select(changed.c.id)),
                tuple_(choices.c.question_id, choices.c.code).in_(change.removed_choices),
            )
            .returning(choices.c.response_id)
            .cte("choices_removed")
        )
    if change.added_choices:
        added = values(column("question_id", String), column("code", String), name="added").data(
            change.added_choices
        )
        writes.append(
            insert(choices)
            .from_select(
                ["response_id", "question_id", "code"],
                select(changed.c.id, added.c.question_id, added.c.code).select_from(
                    changed.join(added, true())
                ),
            )
            .returning(choices.c.response_id)
            .cte("choices_added")
        )
    statement = select(func.count()).select_from(changed).add_cte(*writes)
    return db.session.execute(statement).scalar_one() == 1


def _insert_if_changed(table: Table, row: dict[str, Any], changed: CTE, name: str) -> CTE:
    """``INSERT INTO table SELECT <row> FROM changed``: one row when the update found its row."""
    names = list(row)
    chosen = select(*(literal(row[n], type_=table.c[n].type).label(n) for n in names))
    return (
        insert(table)
        .from_select(names, chosen.select_from(changed))
        .returning(table.c.id)
        .cte(name)
    )
