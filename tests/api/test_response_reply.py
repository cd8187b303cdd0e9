"""The response endpoints write their JSON without a schema pass, and GET reads the response
without ORM objects: both must give exactly what ``ResponseOut`` dumps of the loaded response,
whatever state it is in, and the OpenAPI document must still describe them with ``ResponseOut``."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from forms import registry
from hub.api.rounds import response_json
from hub.api.schemas import ResponseOut
from hub.db import db, utcnow
from hub.services import responses
from tests.api.conftest import CHIYODA, future, past, response_url
from tests.conftest import Api, complete_answers, make_user


def schema_dump(app: Flask, round_id: int, code: str = CHIYODA) -> dict[str, Any]:
    """What the endpoints gave before: ``ResponseOut`` dumping the ORM response, through JSON."""
    with app.app_context():
        staff = make_user(role="staff")
        response = responses.response_for(round_id, code, staff)
        dumped = ResponseOut().dump(response_json(response))
        db.session.rollback()
    return json.loads(json.dumps(dumped))


def read_view(
    app: Flask, round_id: int, code: str = CHIYODA
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same response read both ways: without ORM objects (the API's burst path) and as the
    ORM object pages use."""
    with app.app_context():
        staff = make_user(role="staff")
        plain = response_json(responses.record_for(round_id, code, staff))
        loaded = response_json(responses.response_for(round_id, code, staff))
        db.session.rollback()
    return plain, loaded


def test_every_state_reads_and_replies_as_the_schema_dumps_it(
    app: Flask, round_id: int, chiyoda: Api, staff: Api
) -> None:
    url = response_url(round_id)

    def check(reply: Any) -> None:
        assert reply.status_code == 200, reply.get_json()
        assert reply.mimetype == "application/json"
        assert reply.get_json() == schema_dump(app, round_id)
        assert chiyoda.get(url).get_json() == schema_dump(app, round_id)
        plain, loaded = read_view(app, round_id)
        assert plain == loaded

    check(chiyoda.get(url))  # not started: nobody changed it, no times yet
    check(chiyoda.save(round_id, CHIYODA, {"lead_department": "福祉部　＝ＳＵＭ（Ａ１）"}, 0))
    check(staff.save(round_id, CHIYODA, complete_answers()))  # 代理入力 by staff
    check(chiyoda.submit(round_id, CHIYODA))
    check(staff.post(response_url(round_id, action="return"), {"reason": "記入漏れ：電話番号"}))
    check(
        staff.post(
            response_url(round_id, action="extension"), {"until": future(days=30).isoformat()}
        )
    )
    check(chiyoda.submit(round_id, CHIYODA))
    check(staff.post(response_url(round_id, action="accept")))
    body = chiyoda.get(url).get_json()
    assert body["deadline"] == body["extension_until"]  # the extension is later than the round's
    assert body["updated_by"]
    assert body["accepted_at"]
    assert body["return_reason"] is None


def test_times_are_written_as_iso_8601_with_their_offset(round_id: int, chiyoda: Api) -> None:
    saved = chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"}, 0).get_json()
    for key in ("deadline", "updated_at"):
        assert saved[key].endswith("+00:00"), saved[key]
        assert "T" in saved[key]


def test_the_openapi_document_still_describes_the_replies_with_response_out(
    app: Flask,
) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    path = spec["paths"]["/api/v1/rounds/{round_id}/responses/{code}"]
    for method in ("get", "put"):
        schema = path[method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ResponseOut"}


def test_a_record_s_round_is_the_round(app: Flask, round_id: int, monkeypatch: Any) -> None:
    """What a change reads of the round is the same through the plain statement, and the
    definition is read from the database when the process has not parsed it yet."""
    with app.app_context():
        staff = make_user(role="staff")
        record = responses.record_for(round_id, CHIYODA, staff)
        response = responses.response_for(round_id, CHIYODA, staff)
        assert record.id == response.id
        monkeypatch.setattr(registry, "_STORED", {})
        assert record.round.questionnaire == response.round.questionnaire
        for moment in (past(days=2), utcnow(), future(days=30)):
            assert record.round.state_at(moment) == response.round.state_at(moment)
        assert record.deadline_for() == response.deadline_for()
        db.session.rollback()
