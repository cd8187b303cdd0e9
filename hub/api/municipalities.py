"""The municipalities over the API: the reference list other systems map codes with, active or
retired (合併・廃止), by code. Changing it is the administrator's (pages and CLI)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from hub.api import blp
from hub.api.schemas import AUTH_ERRORS
from hub.auth.policy import SIGNED_IN, allow
from hub.db import db
from hub.services import municipalities


class MunicipalitiesIn(Schema):
    status = fields.String(
        load_default="active",
        validate=validate.OneOf(municipalities.STATUSES),
        metadata={"description": "active (the default), retired or all"},
    )


class MunicipalityOut(Schema):
    code = fields.String(
        required=True, metadata={"description": "全国地方公共団体コード (6 digits)"}
    )
    name = fields.String(required=True)
    kana = fields.String()
    name_en = fields.String()
    region = fields.String()
    type = fields.String()
    active = fields.Boolean(required=True, metadata={"description": "false once retired"})
    retired_on = fields.Date(allow_none=True, metadata={"description": "the day it was retired"})


@blp.route("/municipalities", methods=["GET"])
@blp.arguments(MunicipalitiesIn, location="query", as_kwargs=True)
@blp.response(200, MunicipalityOut(many=True))
@blp.doc(responses=AUTH_ERRORS)
@allow(SIGNED_IN)
def list_municipalities(status: str) -> list[dict[str, Any]]:
    """Every municipality of ``status``, by code."""
    found = db.session.scalars(municipalities.listed(status=status))
    return [
        {
            "code": m.code,
            "name": m.name,
            "kana": m.kana,
            "name_en": m.name_en,
            "region": m.region,
            "type": m.type,
            "active": m.active,
            "retired_on": m.retired_on,
        }
        for m in found
    ]
