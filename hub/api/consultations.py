"""Consultation desk: record a case (staff) and the shared statistics (suppressed for non-staff)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask_babel import gettext as _
from marshmallow import Schema, fields

from exports.consultation_counts import summary
from forms.consultation import CONSULTATION, current_fiscal_year
from forms.model import Kind
from hub.api import blp
from hub.api.schemas import (
    AUTH_ERRORS,
    LOAD_UNKNOWN,
    CheckedByService,
    FiscalYearQuery,
    counts_field,
)
from hub.auth.gate import require_actor
from hub.auth.policy import allow, sees_true_counts
from hub.db import db
from hub.errors import Invalid
from hub.models import Municipality, Role
from hub.services import consultations


def _case_in_schema() -> type[Schema]:
    """The request body, one field per question of the case record (validated by the service)."""
    declared: dict[str, Any] = {
        q.id: fields.Raw(
            allow_none=True,
            metadata={
                "description": q.label.ja + (f" — codes: {', '.join(q.codes)}" if q.codes else ""),
            },
        )
        for q in CONSULTATION.questions
    }
    return CheckedByService.from_dict(declared, name="ConsultationIn")


ConsultationIn = _case_in_schema()


_OUT_FIELDS: dict[Kind, Callable[[], fields.Field]] = {
    Kind.BOOL: fields.Boolean,
    Kind.INTEGER: lambda: fields.Integer(allow_none=True),
    Kind.MANY_OF: lambda: fields.List(fields.String()),
}


def _case_out_schema() -> type[Schema]:
    """The stored case as the API returns it: one field per question of the case record (codes
    for choices, ``YYYY-MM-DD`` for dates), plus its id and 年度."""
    declared: dict[str, Any] = {
        "id": fields.Integer(),
        "fiscal_year": fields.Integer(metadata={"description": "年度 (April–March), e.g. 2020"}),
    }
    for q in CONSULTATION.questions:
        make = _OUT_FIELDS.get(q.kind, lambda: fields.String(allow_none=True))
        field = make()
        field.metadata = {"description": q.label.ja}
        declared[q.id] = field
    return Schema.from_dict(declared, name="ConsultationOut")


ConsultationOut = _case_out_schema()


class _CountsOut(Schema):
    fiscal_year = fields.Integer()
    total = fields.Integer(allow_none=True)
    by_age_group = counts_field()
    crime_related = fields.Integer(allow_none=True)
    by_crime_type = counts_field()
    referred = fields.Integer(allow_none=True)
    by_referral = counts_field()
    local_window_share = fields.Float(
        allow_none=True,
        metadata={"description": "地域包括支援センター or 区市町村窓口, over the referred cases"},
    )


class OwnCountsOut(_CountsOut):
    code = fields.String()
    name = fields.String()


class ConsultationSummaryOut(_CountsOut):
    municipality = fields.Nested(
        OwnCountsOut,
        metadata={"description": "respondents only: their own residents' cases"},
    )


@blp.route("/consultations", methods=["POST"])
@blp.arguments(ConsultationIn, **LOAD_UNKNOWN)
@blp.response(201, ConsultationOut)
@blp.doc(responses=AUTH_ERRORS)
@allow("consultations.write")
def create_consultation(body: dict[str, Any]) -> dict[str, Any]:
    """Record one consultation-desk case (staff). Labels are accepted where codes are expected;
    ``referred_to`` is a list of codes or a string separated by ``;``. No names or contacts."""
    if not isinstance(request.get_json(silent=True), dict):
        raise Invalid({"_schema": [_("JSON オブジェクト（{…}）で送ってください。")]})
    case = consultations.record_case(body, user=require_actor(), source="api")
    db.session.commit()
    return consultations.case_json(case)


@blp.route("/consultations/summary", methods=["GET"])
@blp.arguments(FiscalYearQuery, location="query")
@blp.response(200, ConsultationSummaryOut)
@blp.doc(responses=AUTH_ERRORS)
@allow("consultations.summary")
def consultation_summary(query: dict[str, Any]) -> dict[str, Any]:
    """The fiscal year's consultation-desk statistics. Staff see true counts; for everyone else
    counts of 1 or 2, and those they would let be recomputed, are ``null``. Respondents also get
    ``municipality``: their own residents' cases, suppressed the same way."""
    user = require_actor()
    year = query["fiscal_year"] or current_fiscal_year()
    own = None
    if user.role == Role.RESPONDENT and user.municipality_code:
        own = db.session.get(Municipality, user.municipality_code)
    return summary(year, suppressed=not sees_true_counts(user), municipality=own)
