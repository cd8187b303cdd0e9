"""Request and response bodies of ``/api/v1`` (they also make the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from forms import registry

AUTH_ERRORS = {
    "401": {"description": "no or unknown token"},
    "403": {"description": "role may not"},
}
"""The answers every authenticated operation may give, for ``@blp.doc(responses=...)``."""


class RoundOut(Schema):
    id = fields.Integer(required=True)
    survey = fields.String(
        required=True, metadata={"description": "questionnaire id, e.g. torikumi"}
    )
    survey_version = fields.Integer()
    title = fields.String()
    reference_date = fields.Date(required=True)
    opens_at = fields.AwareDateTime()
    deadline = fields.AwareDateTime(required=True)
    state = fields.String(required=True, metadata={"description": "upcoming, open or closed"})
    overdue = fields.Boolean(metadata={"description": "the deadline has passed"})


class ResponseOut(Schema):
    round = fields.Integer(required=True)
    municipality = fields.String(required=True)
    municipality_name = fields.String()
    state = fields.String(
        required=True, metadata={"description": "not_started, draft, submitted, accepted"}
    )
    version = fields.Integer(required=True)
    answers = fields.Dict(
        keys=fields.String(), required=True, metadata={"description": "keyed by question id"}
    )
    return_reason = fields.String(allow_none=True)
    deadline = fields.AwareDateTime()
    extension_until = fields.AwareDateTime(allow_none=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    accepted_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)
    updated_on_behalf = fields.Boolean()


class ResponseListItem(Schema):
    municipality = fields.String()
    municipality_name = fields.String()
    region = fields.String()
    state = fields.String()
    version = fields.Integer()
    submitted_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)
    extension_until = fields.AwareDateTime(allow_none=True)


class RevisionOut(Schema):
    number = fields.Integer()
    action = fields.String()
    state = fields.String()
    changes = fields.Dict()
    reason = fields.String(allow_none=True)
    source = fields.String()
    user = fields.String(allow_none=True)
    on_behalf = fields.Boolean()
    event = fields.String(
        metadata={
            "description": "What happened: saved, submitted, uploaded, saved_on_behalf, "
            "submitted_on_behalf, uploaded_on_behalf, returned or accepted."
        }
    )
    created_at = fields.AwareDateTime()


class SaveIn(Schema):
    answers = fields.Dict(keys=fields.String(), required=True)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class SubmitIn(Schema):
    answers = fields.Dict(keys=fields.String(), load_default=None)
    version = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=0))


class ReturnIn(Schema):
    reason = fields.String(required=True)


class ExtensionIn(Schema):
    until = fields.AwareDateTime(required=True)


class MessageOut(Schema):
    message = fields.String()


def _summary_schema() -> type[Schema]:
    """The summary body, with one count table per choice question of the built-in questionnaires."""
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    declared: dict[str, fields.Field] = {
        "round": fields.Integer(),
        "survey": fields.String(),
        "reference_date": fields.String(),
        "municipalities": fields.Integer(),
        "responded": fields.Integer(),
        "municipalities_by_region": counts,
        "responded_by_region": counts,
    }
    for questionnaire in registry.BUILT_IN:
        if questionnaire.headline:
            declared[f"{questionnaire.headline}_by_region"] = fields.Dict(
                keys=fields.String(), values=fields.Dict()
            )
            declared[f"{questionnaire.listed_choice}_municipalities"] = fields.Dict(
                keys=fields.String(), values=fields.List(fields.String())
            )
        for question in questionnaire.choice_questions:
            declared[question.id] = fields.Dict(
                keys=fields.String(),
                values=fields.Integer(),
                metadata={"description": f"{question.label.ja}: choice code -> count"},
            )
    return Schema.from_dict(declared, name="Summary")


SummaryOut = _summary_schema()
