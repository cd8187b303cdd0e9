"""The deadline burst's requests in SQL statements (counts, not times), and the guarantees the
short save path keeps: 409 on a stale version, a revision and an audit row for every change, the
choice index equal to the answers, a revoked token refused at once.

``bench/statements.py`` prints the same counts with the statements themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, text, update

from hub.auth.tokens import LAST_USE_PRECISION
from hub.db import CONNECTIONS, counting_statements, db
from hub.errors import Conflict
from hub.models import ApiToken, AuditEvent, Response, ResponseChoice, Revision
from hub.services import responses
from hub.services.users import create_token, revoke_token
from tests.api.conftest import CHIYODA, response_url
from tests.conftest import Api, complete_answers, make_user

WITH_CHOICES = complete_answers(
    plan_status="formulated",
    plan_name="再犯防止推進計画",
    plan_date="令和3年3月31日",
    programs=["shamei_campaign", "awareness_events"],
)


def on_postgresql() -> bool:
    return db.engine is not None and db.engine.dialect.name == "postgresql"


def written(*verbs: str) -> list[str]:
    """What a change sends after its two lookups: on PostgreSQL one statement (``WITH changed AS
    (UPDATE …) INSERT/DELETE …``), elsewhere the update and then each write."""
    return ["WITH"] if on_postgresql() else ["UPDATE", *verbs]


def counted(call: Callable[[], Any]) -> tuple[Any, list[str]]:
    with counting_statements() as log:
        reply = call()
    return reply, log.verbs()


def test_each_step_of_the_burst_sends_the_fewest_statements(
    app: Flask, round_id: int, chiyoda: Api
) -> None:
    """Each request in its own app context and session, as in the server: nothing loaded by an
    earlier request can hide a query."""
    url = response_url(round_id)
    health, verbs = counted(lambda: chiyoda.client.get("/healthz"))
    assert (health.status_code, verbs) == (200, ["SELECT"])
    assert closed(chiyoda.get("/rounds")).status_code == 200  # the token's use, written once

    got, verbs = counted(lambda: chiyoda.get(url))
    assert got.status_code == 200
    assert verbs == ["SELECT", "SELECT"], "token + user, then response + round in one each"

    body = {"answers": WITH_CHOICES, "version": got.get_json()["version"]}
    saved, verbs = counted(lambda: chiyoda.put(url, body))
    assert saved.status_code == 200, saved.get_json()
    # token, response (the questionnaire from the process's cache, its definition not read);
    # the version check and the update in one; revision, choice rows and audit row written
    # without reading anything back (nothing to delete in a fresh index)
    assert verbs == ["SELECT", "SELECT", *written("INSERT", "INSERT", "INSERT")]

    submitted, verbs = counted(lambda: chiyoda.post(url + "/submit", {}))
    assert submitted.status_code == 200, submitted.get_json()
    # the same answers again: the choice index is left alone
    assert verbs == ["SELECT", "SELECT", *written("INSERT", "INSERT")]
    assert submitted.get_json()["version"] == saved.get_json()["version"] + 1


def test_a_save_that_changes_choices_rewrites_only_the_rows_that_differ(
    app: Flask, round_id: int, chiyoda: Api
) -> None:
    assert chiyoda.save(round_id, CHIYODA, WITH_CHOICES).status_code == 200
    changed = {**WITH_CHOICES, "programs": ["awareness_events", "hogoshi_support"]}
    saved, verbs = counted(lambda: chiyoda.save(round_id, CHIYODA, changed, version=1))
    assert saved.status_code == 200, saved.get_json()
    assert verbs == ["SELECT", "SELECT", *written("INSERT", "DELETE", "INSERT", "INSERT")]
    with app.app_context():
        response_id = db.session.scalar(
            select(Response.id).filter_by(round_id=round_id, municipality_code=CHIYODA)
        )
        rows = db.session.execute(
            select(ResponseChoice.question_id, ResponseChoice.code).filter_by(
                response_id=response_id
            )
        )
        index = {(question, code) for question, code in rows}
        response = responses.get_response(round_id, CHIYODA)
        assert index == {(r["question_id"], r["code"]) for r in responses.choice_rows(response)}
        assert ("programs", "shamei_campaign") not in index
        assert ("programs", "hogoshi_support") in index


def test_a_version_changed_between_reading_and_updating_is_409_and_writes_nothing(
    app: Flask, round_id: int
) -> None:
    """The race the single UPDATE … WHERE version = :seen closes: the response was read at version
    0, someone else's save lands before this one's UPDATE; this one must not overwrite it."""
    with app.app_context():
        user = make_user(role="respondent", municipality=CHIYODA)
        response = responses.get_response(round_id, CHIYODA)
        response_id = response.id
        with db.engine.begin() as other:  # type: ignore[union-attr]
            other.execute(
                update(Response).where(Response.id == response_id).values(version=1, state="draft")
            )
        with pytest.raises(Conflict):
            responses.save_draft(response, WITH_CHOICES, version=0, user=user)
        # still inside the failed save's transaction: it wrote nothing, not even to be undone
        assert db.session.scalar(select(func.count()).select_from(Revision)) == 0
        changes = select(func.count()).where(AuditEvent.action.startswith("response."))
        assert db.session.scalar(changes) == 0
        assert db.session.scalar(select(func.count()).select_from(ResponseChoice)) == 0
        assert db.session.scalar(select(Response.version).filter_by(id=response_id)) == 1


def test_every_change_has_its_revision_and_audit_row(
    app: Flask, round_id: int, chiyoda: Api, staff: Api
) -> None:
    url = response_url(round_id)
    assert chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"}).status_code == 200
    assert chiyoda.submit(round_id, CHIYODA, WITH_CHOICES).status_code == 200
    assert staff.post(url + "/return", {"reason": "連絡先を確認してください"}).status_code == 200
    assert chiyoda.submit(round_id, CHIYODA).status_code == 200
    assert staff.post(url + "/accept").status_code == 200
    assert chiyoda.save(round_id, CHIYODA, WITH_CHOICES, version=1).status_code == 409
    with app.app_context():
        history = [
            (r.number, r.action, r.state)
            for r in db.session.scalars(select(Revision).order_by(Revision.number))
        ]
        assert history == [
            (1, "save", "draft"),
            (2, "save", "draft"),
            (3, "submit", "submitted"),
            (4, "return", "draft"),
            (5, "submit", "submitted"),
            (6, "accept", "accepted"),
        ]
        events = [
            (e.action, e.details["version"], e.target, e.address)
            for e in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.startswith("response."))
                .order_by(AuditEvent.id)
            )
        ]
        target = f"round/{round_id}/response/{CHIYODA}"
        assert events == [
            ("response.save", 1, target, "127.0.0.1"),
            ("response.save", 2, target, "127.0.0.1"),
            ("response.submit", 3, target, "127.0.0.1"),
            ("response.return", 4, target, "127.0.0.1"),
            ("response.submit", 5, target, "127.0.0.1"),
            ("response.accept", 6, target, "127.0.0.1"),
        ]
        response = responses.get_response(round_id, CHIYODA)
        assert (response.state, response.version, response.return_reason) == ("accepted", 6, None)
        assert response.accepted_at is not None
        assert response.submitted_at is not None


def test_the_answer_given_back_is_what_was_saved_not_a_stale_copy(
    round_id: int, chiyoda: Api, staff: Api
) -> None:
    """Nothing is read again after the save, so what the PUT answers must be what the next GET
    reads: version, state, answers, who saved it and on whose behalf."""
    saved = staff.save(round_id, CHIYODA, WITH_CHOICES).get_json()
    fetched = chiyoda.get(response_url(round_id)).get_json()
    assert saved == fetched
    assert (saved["version"], saved["state"], saved["updated_on_behalf"]) == (1, "draft", True)
    assert saved["updated_by"].startswith("staff-")


def test_token_lookup_is_one_indexed_query_and_a_revoked_token_is_refused_at_once(
    app: Flask, round_id: int, chiyoda: Api
) -> None:
    with counting_statements() as log:
        chiyoda.get("/rounds")
    token_query = log.statements[0]
    with app.app_context():
        assert "api_token" in token_query
        assert "JOIN api_token" in token_query  # the user and its token: one query
        assert "token_hash" in token_query.split("WHERE", 1)[1]
        unique = inspect(db.engine).get_unique_constraints("api_token")
        assert ["token_hash"] in [constraint["column_names"] for constraint in unique]
    # the same process, the same token, warm: revoking it takes effect on the very next request
    assert chiyoda.get("/rounds").status_code == 200
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id).order_by(ApiToken.id.desc())).first()
        assert token_id is not None
        revoke_token(token_id, actor=None)
        db.session.commit()
    assert chiyoda.get("/rounds").status_code == 401
    assert chiyoda.get(response_url(round_id)).status_code == 401
    with app.app_context():
        user = make_user(role="respondent", municipality=CHIYODA)
        fresh = create_token(user)
        db.session.commit()
    assert Api(chiyoda.client, fresh).get(response_url(round_id)).status_code == 200


def closed(response: Any) -> Any:
    """``response`` after the server has closed it, as a WSGI server does once it has sent it
    (the test client leaves that to its caller)."""
    response.close()
    return response


def test_a_token_s_last_use_is_written_once_an_hour_in_a_transaction_of_its_own(
    app: Flask, round_id: int, chiyoda: Api
) -> None:
    """最終利用 for the pages that list tokens: the first use in an hour writes it once the answer
    has gone (committed even for a request that commits nothing, or is refused), later ones send
    nothing more."""
    first, verbs = counted(lambda: closed(chiyoda.get(response_url(round_id))))
    assert first.status_code == 200
    assert verbs == ["SELECT", "SELECT", "UPDATE"], "the use written after the answer"
    again, verbs = counted(lambda: closed(chiyoda.get(response_url(round_id))))
    assert again.status_code == 200
    assert verbs == ["SELECT", "SELECT"]
    with app.app_context():
        used = db.session.scalars(select(ApiToken.last_used_at)).one()
        assert used is not None
        db.session.execute(update(ApiToken).values(last_used_at=used - LAST_USE_PRECISION))
        db.session.commit()
    refused, verbs = counted(lambda: closed(chiyoda.get(response_url(round_id, "999999"))))
    assert refused.status_code in (403, 404)
    assert verbs[-1] == "UPDATE"
    with app.app_context():
        assert db.session.scalars(select(ApiToken.last_used_at)).one() > used


def prepared_statements_per_connection() -> list[int]:
    """How many statements each pooled PostgreSQL connection holds prepared (checking each
    connection out once: the pool hands them out in turn)."""
    assert db.engine is not None
    counts = []
    for _ in range(db.engine.pool.checkedin()):
        with db.engine.connect() as conn:
            counts.append(
                conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
            )
    return counts


def test_reading_requests_keep_the_connection_s_prepared_statements(
    app: Flask, round_id: int, chiyoda: Api
) -> None:
    """psycopg prepares a statement a connection has run five times, and forgets all of them on a
    ROLLBACK: a request that only read ends with COMMIT, so the burst's lookups stay prepared
    instead of being parsed and planned by the server on every request."""
    if not on_postgresql():
        pytest.skip("prepared statements are psycopg's (PostgreSQL)")
    for _ in range(20):  # the pool hands its connections out in turn: five uses each
        assert chiyoda.get(response_url(round_id)).status_code == 200
    assert max(prepared_statements_per_connection()) >= 2, "the token and response lookups"


def test_a_request_that_ends_without_committing_its_writes_leaves_nothing_written(
    app: Flask, round_id: int
) -> None:
    """Only a transaction that sent nothing but SELECTs is committed at the end of a request:
    a statement that wrote, or an ORM change never flushed, is rolled back as before."""
    with app.app_context():
        db.session.execute(
            update(Response).where(Response.round_id == round_id).values(return_reason="書きかけ")
        )
    with app.app_context():
        response = db.session.scalars(select(Response).where(Response.round_id == round_id)).first()
        assert response is not None
        response.return_reason = "保存していない変更"
    with app.app_context():
        reasons = db.session.scalars(
            select(Response.return_reason).where(Response.round_id == round_id)
        ).all()
    assert set(reasons) == {None}


def test_a_long_lived_session_holds_only_its_current_transaction_s_connection(app: Flask) -> None:
    """A scheduler's or a command's session runs many transactions: what it remembers for the
    end of a request does not grow with them."""
    with app.app_context():
        for _ in range(5):
            db.session.execute(select(func.count(Response.id)))
            db.session.commit()
        db.session.execute(select(func.count(Response.id)))
        assert len(db.session.info[CONNECTIONS]) == 1
