"""Referrals (つなぎ, issue 13) over the API.

A referral the caller may not see answers 404, exactly like one that does not exist. Lists carry
no personal data; ``GET /referrals/{id}`` returns the person's data and logs the read. Bodies are
checked by the service (``hub.services.referrals.intake``), so the web form and the API give the
same Japanese messages.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_smorest.pagination import PaginationMetadataSchema
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import IntegrityError

from exports.referral_counts import summary as referral_summary
from forms.consultation import current_fiscal_year
from hub.api import blp
from hub.api.schemas import (
    AUTH_ERRORS,
    LOAD_UNKNOWN,
    CheckedByService,
    FiscalYearQuery,
    counts_field,
    whole_number,
)
from hub.auth.gate import require_actor
from hub.auth.policy import (
    allow,
    ensure_may_refer,
    handle_referral,
    own_referral,
    sees_true_counts,
)
from hub.db import db
from hub.errors import Invalid
from hub.models import CONTACT_METHODS, NEEDS, OUTCOMES, Referral, User
from hub.services.referrals import lifecycle, notify, queries

API_PAGE_SIZE = 500
"""The list's page when the caller asks for none: what one call answered before it was paged."""
ERRORS = {**AUTH_ERRORS, "404": {"description": "no such referral, or one the caller may not see"}}
WRITE_ERRORS = {
    **ERRORS,
    "409": {"description": "the step does not fit the referral's status"},
    "422": {"description": "invalid body: {errors: {field: [messages]}}"},
}


class Said(fields.Raw):
    """A key of a body the service reads (:class:`CheckedByService`), documented in the OpenAPI
    document as the service takes it (``type``, ``nullable``; ``required`` in the body's list),
    while a missing or null value is left to the service, which names it in its own words beside
    the body's other problems."""

    def __init__(self, shape: dict[str, Any], *, required: bool = False, **kwargs: Any) -> None:
        if required and shape.get("type") == "string":
            shape = {**shape, "minLength": 1}  # empty is refused as missing is
        super().__init__(required=required, metadata=shape, **kwargs)

    def _validate_missing(self, value: Any) -> None:
        return None


TEXT = {"type": "string"}
OPTIONAL_TEXT = {"type": "string", "nullable": True}


def date_text(what: str, *, optional: bool = False, nearest: bool = False) -> dict[str, Any]:
    """A day as people write it: 2026-12-05, 令和8年12月5日 (and 12/5 where ``nearest``)."""
    also = ", or 12/5 (the nearest such day)" if nearest else ""
    written = f"{what}: 2026-12-05 or as people write it (令和8年12月5日{also})"
    return text(written, optional=optional)


def text(description: str, *, optional: bool = False) -> dict[str, Any]:
    return {**(OPTIONAL_TEXT if optional else TEXT), "description": description}


def documented(schema: type[Schema], description: str) -> dict[str, Any]:
    """The OpenAPI shape of an object nested in a body (``person``, ``consent``), from its
    fields; ``additionalProperties: false`` when the service refuses other keys in it (a
    :class:`CheckedByService`: ``person``)."""
    fields_ = schema().fields
    shape: dict[str, Any] = {
        "type": "object",
        "description": description,
        "properties": {name: dict(field.metadata) for name, field in fields_.items()},
    }
    if issubclass(schema, CheckedByService):
        shape["additionalProperties"] = False
    if required := [name for name, field in fields_.items() if field.required]:
        shape["required"] = required
    return shape


class PersonIn(CheckedByService):
    name = Said(text("氏名"), required=True)
    kana = Said(text("ふりがな", optional=True))
    birth_year = Said(
        {
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "nullable": True,
            "description": "生年: 1965, or as people write it (昭和40年)",
        }
    )
    age_group = Said(text("年代 (instead of birth_year): 10s … 80s+", optional=True))
    phone = Said(text("電話 (phone or address required)", optional=True))
    address = Said(text("住所, in the receiving municipality", optional=True))


class ConsentIn(Schema):
    """``consent`` of ``POST /referrals`` (the service names each key missing)."""

    obtained_on = Said(date_text("the day consent was obtained"), required=True)
    obtained_by = Said(text("who obtained it"), required=True)
    scope = Said(text("what may be shared with whom"), required=True)


class RerouteConsentIn(Schema):
    scope = Said(
        text("what the person agreed may be passed to the new municipality"), required=True
    )
    confirmed = Said(
        {"type": "boolean", "enum": [True], "description": "true: the person agreed"},
        required=True,
    )


CODES = "a code or its Japanese or English label: "


class ReferralIn(CheckedByService):
    municipality = Said(text("the receiving municipality: its code or its name"), required=True)
    person = Said(documented(PersonIn, "the person referred"), required=True)
    needs = Said(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
                {"type": "string", "minLength": 1},
            ],
            "description": CODES + ", ".join(NEEDS) + " (a list; one alone also as a string)",
        },
        required=True,
    )
    needs_other = Said(text("text when needs has other", optional=True))
    summary = Said(text("short summary, at most 400 characters", optional=True))
    consent = Said(documented(ConsentIn, "the person's consent (422 without it)"), required=True)
    address_outside_confirmed = Said(
        {
            "type": "boolean",
            "nullable": True,
            "description": "true when person.address names another municipality than the "
            "receiving one on purpose; without it such an address is refused (422 names this key)",
        }
    )


class ReasonIn(CheckedByService):
    reason = Said(text("why the window cannot take it"), required=True)


class RerouteIn(CheckedByService):
    municipality = Said(text("the new receiving municipality: its code or its name"), required=True)
    consent = Said(
        documented(RerouteConsentIn, "the person's consent to the new municipality"),
        required=True,
    )


class ContactIn(CheckedByService):
    on = Said(date_text("the day of the contact", nearest=True), required=True)
    method = Said(text(CODES + ", ".join(CONTACT_METHODS)), required=True)
    note = Said(text("short note (window only)", optional=True))
    next_follow_up = Said(date_text("the next follow-up day", optional=True, nearest=True))


class CloseIn(CheckedByService):
    outcome = Said(text(CODES + ", ".join(OUTCOMES)), required=True)


class CreatedOut(Schema):
    id = fields.Integer(required=True)


class ReferralSummaryOut(Schema):
    id = fields.Integer()
    municipality = fields.String()
    status = fields.String(metadata={"description": "sent, accepted, declined or closed"})
    needs = fields.List(fields.String())
    outcome = fields.String(allow_none=True)
    referrer = fields.String(metadata={"description": "staff or the counterpart's recipient"})
    fiscal_year = fields.Integer()
    sent_at = fields.String()
    accepted_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    next_follow_up = fields.String(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "a follow-up date has passed"})
    late = fields.Boolean(metadata={"description": "not accepted within 5 working days"})
    erased = fields.Boolean(metadata={"description": "personal data erased"})


class ReferralOut(ReferralSummaryOut):
    person = fields.Dict(allow_none=True, metadata={"description": "null once erased"})
    summary = fields.String(allow_none=True)
    needs_other = fields.String(allow_none=True)
    consent = fields.Dict()
    erased_at = fields.String(allow_none=True)
    erased_because = fields.String(allow_none=True)
    timeline = fields.List(fields.Dict())


class AccessOut(Schema):
    at = fields.String()
    user = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields")
    via = fields.String()


class ListQuery(Schema):
    status = fields.String(
        load_default=None, validate=validate.OneOf(["sent", "accepted", "declined", "closed"])
    )
    page = whole_number(load_default=1, metadata={"description": "1 by default"})
    page_size = fields.Integer(
        load_default=API_PAGE_SIZE,
        validate=validate.Range(min=1, max=API_PAGE_SIZE),
        metadata={"description": f"at most {API_PAGE_SIZE}, the default"},
    )


PAGINATION = "X-Pagination"
PAGINATION_HEADER = {
    PAGINATION: {
        "description": "the total and the pages, as a JSON object in the header's text",
        "content": {"application/json": {"schema": PaginationMetadataSchema}},
    }
}


def _pagination(page: int, page_size: int, total: int) -> str:
    """``X-Pagination``: ``{"total", "total_pages", "first_page", "last_page", "page",
    "previous_page", "next_page"}`` (the pages only when there are rows; ``page`` and its
    neighbours only up to the last page), as JSON."""
    meta: dict[str, int] = {"total": total, "total_pages": -(-total // page_size)}
    if total:
        last = meta["total_pages"]
        meta.update(first_page=1, last_page=last)
        if page <= last:
            meta["page"] = page
            if page > 1:
                meta["previous_page"] = page - 1
            if page < last:
                meta["next_page"] = page + 1
    return json.dumps(meta)


class ReferralCountsOut(Schema):
    fiscal_year = fields.Integer()
    total = fields.Integer(allow_none=True)
    by_municipality = counts_field()
    by_need = counts_field()
    by_outcome = counts_field()
    connected_share = fields.Float(
        allow_none=True, metadata={"description": "closed referrals that reached support, 0..1"}
    )


def _body() -> None:
    if not isinstance(request.get_json(silent=True), dict):
        raise Invalid({"_schema": [_("JSON オブジェクト（{…}）で送ってください。")]})


def _for_window(referral_id: int) -> Referral:
    return handle_referral(require_actor(), db.session.get(Referral, referral_id))


def _for_referrer(referral_id: int) -> Referral:
    return own_referral(require_actor(), db.session.get(Referral, referral_id))


def _detail(referral: Referral) -> dict[str, Any]:
    out = queries.detail_json(referral, user=require_actor(), via="api")
    db.session.commit()
    return out


IDEMPOTENCY_KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": IDEMPOTENCY_KEY,
    "required": False,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "description": "optional; a key of the caller's choosing (a UUID) for this referral: a "
    "retry with the same key and the same body makes nothing new and answers 201 with the "
    f"same id (and {REPLAYED}: true); the same key with another body is 422 naming the "
    "header. Keys are the caller's own: another user's same key is another referral.",
}

REPLAYED_HEADER = {
    REPLAYED: {
        "description": "true when the answer repeats an earlier one (the same Idempotency-Key "
        "and body): nothing was made or mailed this time; absent otherwise",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def _idempotency(user: User) -> lifecycle.Idempotency | None:
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    if not lifecycle.IDEMPOTENCY_KEY.fullmatch(key):
        raise Invalid(
            {
                IDEMPOTENCY_KEY: [
                    _(
                        "Idempotency-Key は 1〜64 文字の半角英数字・「_」・「-」で"
                        "指定してください（UUID など）。"
                    )
                ]
            }
        )
    return lifecycle.Idempotency(key, request.get_json(), user)


def _made_before(
    idempotency: lifecycle.Idempotency, referral: Referral
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answer to a retry: the first answer again (201, its id), or 422 when the key made a
    referral from another body (or one whose personal data has since been erased)."""
    if idempotency.same_body(referral):
        return {"id": referral.id}, {REPLAYED: "true"}
    if referral.erased:
        message = _(
            "この Idempotency-Key は既につなぎ依頼（No.%(id)s）に使われています"
            "（その個人情報は消去済みです）。新しい依頼には新しいキーを使ってください。",
            id=referral.id,
        )
    else:
        message = _(
            "この Idempotency-Key は、別の内容で送られたつなぎ依頼（No.%(id)s）に既に"
            "使われています。新しい依頼には新しいキーを使ってください。",
            id=referral.id,
        )
    raise Invalid({IDEMPOTENCY_KEY: [message]})


@blp.route("/referrals", methods=["POST"])
@blp.arguments(ReferralIn, **LOAD_UNKNOWN)
@blp.response(201, CreatedOut, headers=REPLAYED_HEADER)
@blp.doc(
    parameters=[IDEMPOTENCY_PARAMETER],
    responses={**AUTH_ERRORS, "422": WRITE_ERRORS["422"]},
)
@allow("referrals.refer")
def create_referral(body: dict[str, Any]) -> Any:
    """Refer a person to a municipality's window (都 staff, 東京保護観察所). Consent is required:
    without it 422 names ``consent``. The window's users get a mail without personal data. With
    ``Idempotency-Key``, a retry (a timeout, a lost answer) makes no second referral and no
    second mail: it answers 201 with the first referral's id."""
    _body()
    user = require_actor()
    referrer = ensure_may_refer(user)
    idempotency = _idempotency(user)
    if idempotency is not None and (earlier := idempotency.earlier()) is not None:
        return _made_before(idempotency, earlier)
    try:
        referral = lifecycle.create(body, referrer=referrer, user=user, idempotency=idempotency)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same key's other request was stored first
        earlier = idempotency.earlier() if idempotency is not None else None
        if idempotency is None or earlier is None:
            raise
        return _made_before(idempotency, earlier)
    notify.new_referral(referral)
    return {"id": referral.id}


@blp.route("/referrals", methods=["GET"])
@blp.arguments(ListQuery, location="query")
@blp.response(200, ReferralSummaryOut(many=True), headers=PAGINATION_HEADER)
@blp.doc(responses=AUTH_ERRORS)
@allow("referrals.list")
def list_referrals(query: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The referrals the caller may see, newest first, without personal data: a page at a time
    (``page``, ``page_size`` up to 500, the default; ``X-Pagination`` tells the total and the
    pages — a page past the last is empty)."""
    found = queries.listing(
        require_actor(),
        query["page"],
        status=query["status"],
        per_page=query["page_size"],
        nearest=False,
    )
    items = [queries.summary_json(r) for r in found.items]
    return items, {PAGINATION: _pagination(query["page"], query["page_size"], found.total)}


@blp.route("/referrals/summary", methods=["GET"])
@blp.arguments(FiscalYearQuery, location="query")
@blp.response(200, ReferralCountsOut)
@blp.doc(responses=AUTH_ERRORS)
@allow("referrals.summary")
def referrals_summary(query: dict[str, Any]) -> dict[str, Any]:
    """Referrals of a fiscal year by municipality, need and outcome. Exact for 都 staff; for
    everyone else small cells (and those that would let them be recomputed) are ``null``."""
    year = query["fiscal_year"] or current_fiscal_year()
    return referral_summary(year, suppressed=not sees_true_counts(require_actor())).as_json()


@blp.route("/referrals/<int:referral_id>", methods=["GET"])
@blp.response(200, ReferralOut)
@blp.doc(responses=ERRORS)
@allow("referrals.read")
def get_referral(referral_id: int) -> dict[str, Any]:
    """One referral with the person's data (null once erased); the read is logged."""
    return _detail(queries.get(require_actor(), referral_id))


@blp.route("/referrals/<int:referral_id>/access-log", methods=["GET"])
@blp.response(200, AccessOut(many=True))
@blp.doc(responses=ERRORS)
@allow("referrals.read")
def referral_access_log(referral_id: int) -> list[dict[str, Any]]:
    """Who read this referral's personal data, when, which fields and how; newest first."""
    return queries.access_log_json(queries.get(require_actor(), referral_id))


@blp.route("/referrals/<int:referral_id>/accept", methods=["POST"])
@blp.response(200, ReferralOut)
@blp.doc(responses=WRITE_ERRORS)
@allow("referrals.handle")
def accept_referral(referral_id: int) -> dict[str, Any]:
    """The receiving window accepts the referral."""
    referral = lifecycle.accept(_for_window(referral_id), user=require_actor())
    return _detail(referral)


@blp.route("/referrals/<int:referral_id>/decline", methods=["POST"])
@blp.arguments(ReasonIn, **LOAD_UNKNOWN)
@blp.response(200, ReferralOut)
@blp.doc(responses=WRITE_ERRORS)
@allow("referrals.handle")
def decline_referral(body: dict[str, Any], referral_id: int) -> dict[str, Any]:
    """The receiving window declines, with a reason the referrer sees (to re-route)."""
    referral = _for_window(referral_id)
    _body()
    lifecycle.decline(referral, body, user=require_actor())
    return _detail(referral)


@blp.route("/referrals/<int:referral_id>/reroute", methods=["POST"])
@blp.arguments(RerouteIn, **LOAD_UNKNOWN)
@blp.response(200, ReferralOut)
@blp.doc(responses=WRITE_ERRORS)
@allow("referrals.refer")
def reroute_referral(body: dict[str, Any], referral_id: int) -> dict[str, Any]:
    """The referrer sends a declined (or not yet accepted) referral to another municipality,
    with the person's consent to it (``consent: {scope, confirmed: true}``; 422 without)."""
    referral = _for_referrer(referral_id)
    _body()
    lifecycle.reroute(referral, body, user=require_actor())
    db.session.commit()
    notify.new_referral(referral)
    return _detail(referral)


@blp.route("/referrals/<int:referral_id>/contacts", methods=["POST"])
@blp.arguments(ContactIn, **LOAD_UNKNOWN)
@blp.response(201, ReferralOut)
@blp.doc(responses=WRITE_ERRORS)
@allow("referrals.handle")
def add_referral_contact(body: dict[str, Any], referral_id: int) -> dict[str, Any]:
    """The window records a contact (date, method, short note) and the next follow-up date."""
    referral = _for_window(referral_id)
    _body()
    lifecycle.add_contact(referral, body, user=require_actor())
    return _detail(referral)


@blp.route("/referrals/<int:referral_id>/close", methods=["POST"])
@blp.arguments(CloseIn, **LOAD_UNKNOWN)
@blp.response(200, ReferralOut)
@blp.doc(responses=WRITE_ERRORS)
@allow("referrals.handle")
def close_referral(body: dict[str, Any], referral_id: int) -> dict[str, Any]:
    """The window closes the referral with an outcome the referrer sees."""
    referral = _for_window(referral_id)
    _body()
    lifecycle.close(referral, body, user=require_actor())
    return _detail(referral)


@blp.route("/referrals/<int:referral_id>/withdraw-consent", methods=["POST"])
@blp.response(200, ReferralOut)
@blp.doc(responses=WRITE_ERRORS)
@allow("referrals.refer")
def withdraw_referral_consent(referral_id: int) -> dict[str, Any]:
    """The person withdrew consent (recorded by the referrer): personal data erased at once; the
    case and its counts stay (an open one is closed as declined_by_person)."""
    referral = lifecycle.withdraw_consent(_for_referrer(referral_id), user=require_actor())
    return _detail(referral)
