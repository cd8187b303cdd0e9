"""Rounds, responses and the round summary."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, cast

from flask import current_app
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from exports.aggregate import round_counts, submission_rows, summary
from forms import tokyo
from hub.api import blp
from hub.api.schemas import (
    AUTH_ERRORS,
    CHANGE_ERRORS,
    RESPONSE_ERRORS,
    ROUND_ERRORS,
    ExtensionIn,
    NoteIn,
    NoteOut,
    RemindIn,
    RemindOut,
    ResponseListItem,
    ResponseOut,
    ReturnIn,
    RevisionOut,
    RoundChangeIn,
    RoundChangeOut,
    RoundIn,
    RoundOut,
    SaveIn,
    SubmitIn,
    SummaryOut,
)
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.config import office_days
from hub.db import db, utcnow
from hub.errors import Conflict, Invalid, NotFound
from hub.models import Response, Revision, Round
from hub.services import municipal_mail, notes, reminders, responses, rounds, sharing
from hub.services.response_records import AnyResponse


def round_json(round_: Round) -> dict[str, Any]:
    now = utcnow()
    day = tokyo.in_tokyo(round_.deadline).date()
    office = office_days()
    closed = tokyo.closed_day(day, office)
    return {
        "id": round_.id,
        "survey": round_.survey.key,
        "survey_version": round_.survey.version,
        "title": round_.title,
        "reference_date": round_.reference_date,
        "opens_at": round_.opens_at,
        "deadline": round_.deadline,
        "state": round_.state_at(now).value,
        "overdue": now > round_.deadline,
        "deadline_closed_because": tokyo.closed_because(day, office),
        "deadline_closed_day": None if closed is None else asdict(closed),
    }


def response_json(response: AnyResponse) -> dict[str, Any]:
    """A response (ORM object or record) as ``ResponseOut`` documents it (times as ``datetime``):
    ``updated_*`` the last change of any kind (an acceptance, a return too), ``answers_updated_*``
    the last that wrote the answers."""
    entered = response.answers_entered
    return {
        "round": response.round_id,
        "municipality": response.municipality_code,
        "municipality_name": response.municipality_name,
        "state": response.state,
        "version": response.version,
        "answers": response.answers,
        "return_reason": response.return_reason,
        "deadline": response.deadline_for(),
        "extension_until": response.extension_until,
        "submitted_at": response.submitted_at,
        "accepted_at": response.accepted_at,
        "updated_at": response.updated_at,
        "updated_by": response.updated_by_label,
        "updated_on_behalf": response.updated_on_behalf,
        "answers_updated_at": entered.at if entered else None,
        "answers_updated_by": entered.by if entered else None,
    }


def response_reply(response: AnyResponse) -> WerkzeugResponse:
    """The JSON reply of every view documented with ``ResponseOut``, written directly: what
    ``ResponseOut`` would dump (times in ISO 8601), without a schema pass on the burst's path
    (``tests/api/test_response_reply.py`` holds it to the schema's output)."""
    document = {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in response_json(response).items()
    }
    return cast(WerkzeugResponse, current_app.json.response(document))


def _response_for(round_id: int, code: str) -> Response:
    return responses.response_for(round_id, code, require_actor())


@blp.route("/rounds", methods=["GET"])
@blp.response(200, RoundOut(many=True))
@blp.doc(responses=AUTH_ERRORS)
@allow("rounds.read")
def list_rounds() -> list[dict[str, Any]]:
    """Every round, newest reference date first; a respondent's, only those that ask its
    municipality (a round opened for other municipalities is none of its business)."""
    return [round_json(r) for r in rounds.list_rounds(asking=require_actor().municipality_code)]


@blp.route("/rounds", methods=["POST"])
@blp.arguments(RoundIn)
@blp.response(201, RoundOut)
@blp.doc(responses=AUTH_ERRORS)
@allow("rounds.manage")
def open_round(body: dict[str, Any]) -> dict[str, Any]:
    """Open a round (staff), as 調査回を開始 does: dates and times as people type them, every
    problem at once by field (422)."""
    errors: dict[str, list[str]] = {}
    try:
        rounds.survey_for(body["survey"], body.get("survey_version"))
    except NotFound as exc:
        errors["survey"] = [exc.message]
    named = body.get("municipalities")
    if named is not None and not any(word.strip() for word in named):
        errors["municipalities"] = [
            _("municipalities には団体を1つ以上挙げてください（すべての団体なら省きます）。")
        ]
    try:
        values = rounds.typed_round(
            reference_date=body["reference_date"],
            deadline=body["deadline"],
            opens_at=body.get("opens_at", ""),
            title=body.get("title", ""),
            municipalities="\n".join(body.get("municipalities", [])),
        )
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    opened = rounds.open_round(
        body["survey"],
        version=body.get("survey_version"),
        user=require_actor(),
        invite=body["invite"],
        **values,
    )
    db.session.commit()
    return round_json(opened)


@blp.route("/rounds/<int:round_id>", methods=["PATCH"])
@blp.arguments(RoundChangeIn)
@blp.response(200, RoundChangeOut)
@blp.doc(responses=AUTH_ERRORS)
@allow("rounds.manage")
def change_round(body: dict[str, Any], round_id: int) -> dict[str, Any]:
    """A new title or deadline (staff), as 期限・名称の変更 does: a closed round with a deadline
    still to come takes answers again; ``notify`` mails the municipalities still to submit whose
    deadline moved. Every problem at once by field (422), nothing changed. The round, with
    ``deadline_notes``: when the deadline moved, what the page warns of then."""
    round_ = responses.get_round(round_id)
    if not {"title", "deadline", "opens_at"} & set(body):
        raise Invalid({"_schema": [_("title・deadline・opens_at のどれかを指定してください。")]})
    change = rounds.change_round(
        round_,
        title=body.get("title", round_.title),
        deadline=body.get("deadline"),
        opens_at=body.get("opens_at"),
        user=require_actor(),
    )
    if body["notify"] and change.newly_due:
        municipal_mail.tell_new_deadline(change.newly_due)
    db.session.commit()
    notes = (
        rounds.deadline_warnings(round_.deadline, round_.reference_date)
        if change.deadline_moved
        else []
    )
    return {**round_json(round_), "deadline_notes": [asdict(note) for note in notes]}


@blp.route("/rounds/<int:round_id>/reminders", methods=["POST"])
@blp.arguments(RemindIn)
@blp.response(200, RemindOut)
@blp.doc(responses=AUTH_ERRORS)
@allow("reminders.send")
def remind(body: dict[str, Any], round_id: int) -> dict[str, Any]:
    """督促 (staff): queue the reminder of the late municipalities named (every late one without
    ``municipalities``); the scheduler sends them within a minute. Those reminded today are left
    out unless ``resend``. 422 when none of them is late; 409 without a mail server."""
    round_ = responses.get_round(round_id)
    outcome = reminders.chase(
        round_, body.get("municipalities"), user=require_actor(), resend=body["resend"]
    )
    if outcome.no_server:
        raise Conflict(_("メールサーバー（HUB_SMTP_URL）が設定されていないため送信できません。"))
    db.session.commit()
    return {
        "queued": list(outcome.queued),
        "no_address": list(outcome.no_address),
        "reminded_today": list(outcome.reminded_today),
    }


@blp.route("/rounds/<int:round_id>", methods=["GET"])
@blp.response(200, RoundOut)
@blp.doc(responses=ROUND_ERRORS)
@allow("rounds.read")
def get_round(round_id: int) -> dict[str, Any]:
    """One round; a respondent's only if it asks its municipality (404 otherwise)."""
    return round_json(rounds.round_asking(round_id, require_actor().municipality_code))


@blp.route("/rounds/<int:round_id>/responses", methods=["GET"])
@blp.response(200, ResponseListItem(many=True))
@blp.doc(responses=ROUND_ERRORS)
@allow("response.review")
def list_responses(round_id: int) -> list[dict[str, Any]]:
    """Every municipality's state in the round (staff): the progress board as data."""
    return [
        {
            "municipality": row.code,
            "municipality_name": row.name,
            "region": row.region,
            "state": row.state,
            "version": row.version,
            "submitted_at": row.submitted_at,
            "updated_at": row.updated_at,
            "updated_by": row.updated_by,
            "answers_updated_at": row.answers_updated_at,
            "answers_updated_by": row.answers_updated_by,
            "extension_until": row.extension_until,
        }
        for row in submission_rows(responses.get_round(round_id))
    ]


@blp.route("/rounds/<int:round_id>/responses/<code>", methods=["GET"])
@blp.response(200, ResponseOut)
@blp.doc(responses=RESPONSE_ERRORS)
@allow("response.read")
def get_response(round_id: int, code: str) -> WerkzeugResponse:
    """One municipality's response; ``version`` is what a later PUT must send back."""
    return response_reply(responses.record_for(round_id, code, require_actor()))


@blp.route("/rounds/<int:round_id>/responses/<code>", methods=["PUT"])
@blp.arguments(SaveIn)
@blp.response(200, ResponseOut)
@blp.doc(responses=CHANGE_ERRORS)
@allow("response.write")
def put_response(body: dict[str, Any], round_id: int, code: str) -> WerkzeugResponse:
    """Save a draft (incomplete is fine). A stale ``version`` gets 409 and saves nothing."""
    user = require_actor()
    response = responses.record_for(round_id, code, user)
    responses.save_draft(
        response, body["answers"], version=body["version"], user=user, source="api"
    )
    db.session.commit()
    return response_reply(response)


@blp.route("/rounds/<int:round_id>/responses/<code>/submit", methods=["POST"])
@blp.arguments(SubmitIn)
@blp.response(200, ResponseOut)
@blp.doc(responses=CHANGE_ERRORS)
@allow("response.write")
def submit_response(body: dict[str, Any], round_id: int, code: str) -> WerkzeugResponse:
    """Submit with full validation: 422 with per-field errors, 409 after the deadline."""
    user = require_actor()
    response = responses.record_for(round_id, code, user)
    responses.submit(
        response,
        user=user,
        source="api",
        raw_answers=body.get("answers"),
        version=body.get("version"),
    )
    db.session.commit()
    return response_reply(response)


@blp.route("/rounds/<int:round_id>/responses/<code>/return", methods=["POST"])
@blp.arguments(ReturnIn)
@blp.response(200, ResponseOut)
@blp.doc(responses=CHANGE_ERRORS)
@allow("response.review")
def return_response(body: dict[str, Any], round_id: int, code: str) -> WerkzeugResponse:
    """Send a submitted response back to the municipality with a reason (staff)."""
    response = _response_for(round_id, code)
    responses.return_response(response, body["reason"], user=require_actor())
    municipal_mail.tell_returned([response])
    db.session.commit()
    return response_reply(response)


@blp.route("/rounds/<int:round_id>/responses/<code>/accept", methods=["POST"])
@blp.response(200, ResponseOut)
@blp.doc(responses={**RESPONSE_ERRORS, "409": {"description": "not submitted"}})
@allow("response.review")
def accept_response(round_id: int, code: str) -> WerkzeugResponse:
    """Accept a submitted response; it is locked from then on (staff)."""
    response = _response_for(round_id, code)
    responses.accept(response, user=require_actor())
    db.session.commit()
    return response_reply(response)


@blp.route("/rounds/<int:round_id>/responses/<code>/unaccept", methods=["POST"])
@blp.response(200, ResponseOut)
@blp.doc(responses={**RESPONSE_ERRORS, "409": {"description": "not accepted"}})
@allow("response.review")
def unaccept_response(round_id: int, code: str) -> WerkzeugResponse:
    """Take back an acceptance made by mistake: the response is submitted again, still locked
    for the municipality (staff; 409 unless accepted)."""
    response = _response_for(round_id, code)
    responses.unaccept(response, user=require_actor())
    db.session.commit()
    return response_reply(response)


@blp.route("/rounds/<int:round_id>/responses/<code>/extension", methods=["POST"])
@blp.arguments(ExtensionIn)
@blp.response(200, ResponseOut)
@blp.doc(responses={**RESPONSE_ERRORS, "422": CHANGE_ERRORS["422"]})
@allow("response.review")
def extend_response(body: dict[str, Any], round_id: int, code: str) -> WerkzeugResponse:
    """Let one municipality submit after the deadline, until ``until`` (staff)."""
    response = _response_for(round_id, code)
    responses.grant_extension(response, body["until"], user=require_actor())
    db.session.commit()
    return response_reply(response)


@blp.route("/rounds/<int:round_id>/responses/<code>/revisions", methods=["GET"])
@blp.response(200, RevisionOut(many=True))
@blp.doc(responses=RESPONSE_ERRORS)
@allow("response.read")
def list_revisions(round_id: int, code: str) -> list[dict[str, Any]]:
    """Every saved version of the response: who, when, what changed."""
    response = _response_for(round_id, code)
    return [_revision_json(r) for r in responses.revisions(response)]


def _revision_json(revision: Revision) -> dict[str, Any]:
    return {
        "number": revision.number,
        "action": revision.action,
        "state": revision.state,
        "changes": revision.changes,
        "reason": revision.reason,
        "source": revision.source,
        "user": revision.user.label if revision.user else None,
        "on_behalf": revision.on_behalf,
        "event": revision.event,
        "created_at": revision.created_at,
    }


@blp.route("/rounds/<int:round_id>/summary", methods=["GET"])
@blp.response(200, SummaryOut)
@blp.doc(
    responses={
        **ROUND_ERRORS,
        "409": {
            "description": "to a respondent or a counterpart, until HUB_MIN_RESPONSES "
            "municipalities have submitted"
        },
    }
)
@allow("summary.read")
def round_summary(round_id: int) -> dict[str, Any]:
    """The aggregated tables, counted over submitted and accepted responses (409 for
    respondents and counterparts while fewer than ``HUB_MIN_RESPONSES`` have responded)."""
    round_ = responses.get_round(round_id)
    sharing.ensure_shared_with(require_actor(), round_)
    return summary(round_counts(round_))


@blp.route("/rounds/<int:round_id>/notes/<question>/<code>", methods=["PUT"])
@blp.arguments(NoteIn)
@blp.response(200, NoteOut)
@blp.doc(responses={**AUTH_ERRORS, "404": {"description": "no such round, question or code"}})
@allow("summary.annotate")
def put_note(body: dict[str, Any], round_id: int, question: str, code: str) -> dict[str, Any]:
    """Write the 備考 of one row of the round's summary tables (staff); an empty note removes it.
    Shown in 集計, in the summary's ``notes`` and in deliveries."""
    round_ = responses.get_round(round_id)
    note = notes.set_note(round_, question, code, body["note"], user=require_actor())
    db.session.commit()
    return {"round": round_id, "question": question, "code": code, "note": note}
