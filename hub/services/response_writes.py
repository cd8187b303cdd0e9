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
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Select,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
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


def table_of(model: Any) -> Table:
    """A mapped class's table, for statements written in SQLAlchemy Core."""
    return cast(Table, model.__table__)


def _one_after_another(change: Change) -> bool:
    responses, choices = table_of(Response), table_of(ResponseChoice)
    updated = db.session.execute(
        update(responses)
        .where(responses.c.id == change.response_id, responses.c.version == change.seen_version)
        .values(change.response)
    )
    if cast(CursorResult[Any], updated).rowcount != 1:
        return False
    db.session.execute(insert(table_of(Revision)), [change.revision])
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
    db.session.execute(insert(table_of(AuditEvent)), [change.audit])
    return True


def _in_one_statement(change: Change) -> bool:
    statement = _one_statement(
        tuple(change.response),
        tuple(change.revision),
        tuple(change.audit),
        removing=bool(change.removed_choices),
        adding=bool(change.added_choices),
    )
    parameters: dict[str, Any] = {
        "response_id": change.response_id,
        "seen_version": change.seen_version,
        **{f"response_{name}": value for name, value in change.response.items()},
        **{f"revision_{name}": value for name, value in change.revision.items()},
        **{f"audit_{name}": value for name, value in change.audit.items()},
    }
    for kind, pairs in (("removed", change.removed_choices), ("added", change.added_choices)):
        if pairs:
            parameters[f"{kind}_questions"] = [question for question, _ in pairs]
            parameters[f"{kind}_codes"] = [code for _, code in pairs]
    return db.session.execute(statement, parameters).scalar_one() == 1


@lru_cache(maxsize=64)
def _one_statement(
    response_columns: tuple[str, ...],
    revision_columns: tuple[str, ...],
    audit_columns: tuple[str, ...],
    *,
    removing: bool,
    adding: bool,
) -> Select[Any]:
    """The one statement of a change of this shape (which columns, whether choices go or come),
    built once per process with every value a named parameter: building and walking a statement
    this size costs more Python than sending it, so each request only supplies the values."""
    responses, choices = table_of(Response), table_of(ResponseChoice)
    changed = (
        update(responses)
        .where(
            responses.c.id == bindparam("response_id"),
            responses.c.version == bindparam("seen_version"),
        )
        .values({name: _parameter("response", responses, name) for name in response_columns})
        .returning(responses.c.id)
        .cte("changed")
    )
    writes = [
        _insert_if_changed(table_of(Revision), "revision", revision_columns, changed),
        _insert_if_changed(table_of(AuditEvent), "audit", audit_columns, changed),
    ]
    if removing:
        removed = _unnested("removed")
        writes.append(
            delete(choices)
            .where(
                choices.c.response_id.in_(select(changed.c.id)),
                tuple_(choices.c.question_id, choices.c.code).in_(
                    select(removed.c.question_id, removed.c.code)
                ),
            )
            .returning(choices.c.response_id)
            .cte("choices_removed")
        )
    if adding:
        added = _unnested("added")
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
    return select(func.count()).select_from(changed).add_cte(*writes)


def _parameter(prefix: str, table: Table, name: str) -> Any:
    return bindparam(f"{prefix}_{name}", type_=table.c[name].type)


def _unnested(kind: str) -> Any:
    """``unnest(:<kind>_questions, :<kind>_codes) AS <kind>(question_id, code)``: pairs as two
    array parameters, so that the statement is the same however many pairs there are (a
    ``VALUES`` list would be compiled anew for every call)."""
    questions = bindparam(f"{kind}_questions", type_=ARRAY(String))
    codes = bindparam(f"{kind}_codes", type_=ARRAY(String))
    return func.unnest(questions, codes).table_valued("question_id", "code").render_derived(kind)


def _insert_if_changed(table: Table, prefix: str, names: tuple[str, ...], changed: CTE) -> CTE:
    """``INSERT INTO table SELECT <row> FROM changed``: one row when the update found its row."""
    chosen = select(*(_parameter(prefix, table, name).label(name) for name in names))
    return (
        insert(table)
        .from_select(list(names), chosen.select_from(changed))
        .returning(table.c.id)
        .cte(f"{prefix}_written")
    )
