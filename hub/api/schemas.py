"""Request and response bodies of ``/api/v1`` (they also make the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_smorest.fields import Upload
from marshmallow import (
    INCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_dump,
    validate,
    validates_schema,
)

from forms import registry
from forms.model import BY_REGION, LISTED, NUMBER_KINDS, Kind
from forms.normalize import MAX_YEAR, InvalidValue
from forms.tokyo import CLOSED_DAY_KINDS, parse_datetime
from hub.db import MAX_ID
from hub.services.rounds import DEADLINE_NOTE_CODES

AUTH_ERRORS = {
    "401": {"description": "no or unknown token"},
    "403": {"description": "role may not"},
}
"""The answers every authenticated operation may give, for ``@blp.doc(responses=...)``."""

ROUND_ERRORS = {**AUTH_ERRORS, "404": {"description": "no such round"}}
RESPONSE_ERRORS = {
    **AUTH_ERRORS,
    "403": {"description": "role may not, or another municipality's response"},
    "404": {"description": "no such round, or no response of that municipality in it"},
}
"""What every operation on one response may answer besides its own success."""
CHANGE_ERRORS = {
    **RESPONSE_ERRORS,
    "409": {
        "description": "stale version (current_version and current_answers in the body), or "
        "the response's state does not allow it: submitted or accepted until staff return it, "
        "the round closed, the deadline passed without an extension (respondents)"
    },
    "422": {"description": "the answers or the body refused, each field named (errors)"},
}
"""What a change of a response may answer besides 200."""


class CheckedByService(Schema):
    """A body the service checks key by key (referrals, consultation cases), so that the web form
    and the API say the same. It refuses keys it does not know (422 naming each, with the body's
    other problems at once), and the OpenAPI document says so (``additionalProperties: false``);
    to be named there, they are loaded with the rest: ``@blp.arguments(..., **LOAD_UNKNOWN)``."""

    class Meta:
        unknown = RAISE


LOAD_UNKNOWN = {"unknown": INCLUDE}
"""Load a :class:`CheckedByService` body with its unknown keys, which the service names."""


def whole_number(*, minimum: int = 1, strict: bool = False, **kwargs: Any) -> fields.Integer:
    """Every id, version and page number a body or query string gives: ``minimum`` up to
    ``MAX_ID`` (larger ones cannot exist), 422 otherwise. Path parameters are bounded the same
    way by ``hub.routing`` (404)."""
    return fields.Integer(strict=strict, validate=validate.Range(min=minimum, max=MAX_ID), **kwargs)


class UploadedFile(Upload):
    """A multipart file the operation needs: without one, 422 saying where to put it, in the
    caller's language — worded when the request is read (a string of ``error_messages`` is fixed
    when the schema is defined, and a lazy one marshmallow splits into its characters)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=True, **kwargs)

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        if key == "required":
            return ValidationError(_("ファイルを選択してください（multipart の file 欄）。"))
        return super().make_error(key, **kwargs)


class ClosedDayOut(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(CLOSED_DAY_KINDS),
        metadata={
            "description": "year_end (年末年始, 29 December to 3 January), holiday, "
            "substitute_holiday (振替休日), closed_by_tokyo (a day 都 closes its offices on, "
            "HUB_CLOSED_DAYS), saturday or sunday — the first that applies"
        },
    )
    holiday = fields.String(
        allow_none=True,
        metadata={
            "description": "for holiday and substitute_holiday, the national holiday's name as "
            "the Cabinet Office lists it, in Japanese (勤労感謝の日, 国民の休日; for a 振替休日 the "
            "holiday it stands for); null otherwise"
        },
    )


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
    deadline_closed_because = fields.String(
        allow_none=True,
        metadata={
            "description": "why the offices are closed on the deadline's day in Tokyo (日曜日, "
            "祝日（…）, 年末年始 …), as the page warns, in the caller's language (Sunday, "
            "national holiday (…), year-end closure with ?lang=en); null on a day they are "
            "open. Programs read deadline_closed_day"
        },
    )
    deadline_closed_day = fields.Nested(
        ClosedDayOut,
        allow_none=True,
        metadata={
            "description": "deadline_closed_because for programs, the same whatever the "
            "language; null on a day the offices are open"
        },
    )


class DeadlineNoteOut(Schema):
    code = fields.String(
        required=True,
        validate=validate.OneOf(DEADLINE_NOTE_CODES),
        metadata={
            "description": "closed_day (the offices are closed on the deadline's day: "
            "deadline_closed_day says why) or before_reference_date (the deadline comes before "
            "the round's 基準日)"
        },
    )
    message = fields.String(
        required=True,
        metadata={"description": "the warning as the page words it, in the caller's language"},
    )


class RoundChangeOut(RoundOut):
    deadline_notes = fields.List(
        fields.Nested(DeadlineNoteOut),
        required=True,
        metadata={
            "description": "what the page and hub round change warn of when the deadline "
            "moved (a day the offices are closed, a deadline before the 基準日): not refusals; "
            "empty when the deadline did not move or there is nothing to warn of"
        },
    )


class RoundIn(Schema):
    survey = fields.String(
        required=True, metadata={"description": "questionnaire id, e.g. torikumi"}
    )
    survey_version = whole_number(
        metadata={"description": "a stored version; the latest without it"},
    )
    reference_date = fields.String(
        required=True,
        metadata={"description": "基準日: 2021-04-01, or as staff type it (令和3年4月1日)"},
    )
    deadline = fields.String(
        required=True,
        metadata={"description": "2021-05-31T17:00 (Asia/Tokyo unless an offset is given)"},
    )
    opens_at = fields.String(metadata={"description": "as deadline; now without it"})
    title = fields.String(metadata={"description": "shown to respondents; a default without it"})
    municipalities = fields.List(
        fields.String(),
        metadata={
            "description": "only these: codes, names or regions (区部); every municipality that "
            "exists today without it"
        },
    )
    invite = fields.Boolean(
        load_default=False,
        metadata={
            "description": "mail each municipality asked a request to answer once the round "
            "opens (依頼メール)"
        },
    )


class RoundChangeIn(Schema):
    title = fields.String(metadata={"description": "a new title; unchanged without it"})
    opens_at = fields.String(
        metadata={
            "description": "a new opening time for a round not yet open, as for opening "
            "(empty: now); unchanged without it"
        }
    )
    deadline = fields.String(
        metadata={
            "description": "a new deadline, as for opening; unchanged without it. A closed round "
            "with a deadline still to come takes answers again"
        }
    )
    notify = fields.Boolean(
        load_default=False,
        metadata={
            "description": "mail the municipalities still to submit whose deadline moved "
            "(as the page's tick box does)"
        },
    )


class RemindIn(Schema):
    municipalities = fields.List(
        fields.String(),
        metadata={
            "description": "codes of late municipalities to remind; every late one without it "
            "(the board's 「遅れている団体をすべて選んで確認へ」)"
        },
    )
    resend = fields.Boolean(
        load_default=False,
        metadata={"description": "remind also those already reminded today (Tokyo)"},
    )


class RemindOut(Schema):
    queued = fields.List(
        fields.String(),
        metadata={"description": "codes whose reminder the scheduler sends within a minute"},
    )
    no_address = fields.List(
        fields.String(), metadata={"description": "codes with no respondent account"}
    )
    reminded_today = fields.List(
        fields.String(),
        metadata={"description": "codes left out: reminded today already (see resend)"},
    )


class ResponseOut(Schema):
    round = fields.Integer(required=True)
    municipality = fields.String(required=True)
    municipality_name = fields.String()
    state = fields.String(
        required=True, metadata={"description": "not_started, draft, submitted, accepted"}
    )
    version = fields.Integer(required=True)
    answers = fields.Dict(required=True, metadata={"description": "keyed by question id"})
    return_reason = fields.String(allow_none=True)
    deadline = fields.AwareDateTime()
    extension_until = fields.AwareDateTime(allow_none=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    accepted_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(
        allow_none=True,
        metadata={"description": "who changed the response last in any way (also accepting it)"},
    )
    updated_on_behalf = fields.Boolean()
    answers_updated_at = fields.AwareDateTime(allow_none=True)
    answers_updated_by = fields.String(
        allow_none=True,
        metadata={"description": "who last entered or changed the answers (save, submit, upload)"},
    )


class ResponseListItem(Schema):
    municipality = fields.String()
    municipality_name = fields.String()
    region = fields.String()
    state = fields.String()
    version = fields.Integer()
    submitted_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(
        allow_none=True,
        metadata={"description": "who changed the response last in any way (also accepting it)"},
    )
    answers_updated_at = fields.AwareDateTime(allow_none=True)
    answers_updated_by = fields.String(
        allow_none=True,
        metadata={"description": "who last entered or changed the answers (save, submit, upload)"},
    )
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
    answers = fields.Dict(required=True)
    version = whole_number(minimum=0, strict=True, required=True)


class SubmitIn(Schema):
    answers = fields.Dict(load_default=None)
    version = whole_number(minimum=0, strict=True, load_default=None)

    @validates_schema
    def version_with_answers(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Answers replace the saved ones only with the version they were based on (409 when
        stale), as a save does: without it they would overwrite what someone saved meanwhile."""
        if data.get("answers") is not None and data.get("version") is None:
            raise ValidationError(
                _("回答を送るときは、元にした version も指定してください。"), "version"
            )


class ReturnIn(Schema):
    reason = fields.String(required=True)


class TokyoDateTime(fields.Field):
    """A date and time as staff type it, read as opening a round reads its deadline
    (:func:`forms.tokyo.parse_datetime`): in Asia/Tokyo unless an offset is given."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str):
            raise ValidationError(_("日時は文字列で指定してください（例: 2021-05-31T17:00）。"))
        try:
            return parse_datetime(value)
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from exc


class ExtensionIn(Schema):
    until = TokyoDateTime(
        required=True,
        metadata={
            "type": "string",
            "description": "2021-05-31T17:00 (Asia/Tokyo unless an offset is given), or as staff "
            "type it (令和3年5月31日 17時)",
        },
    )


class NoteIn(Schema):
    note = fields.String(
        required=True,
        metadata={"description": "the 備考 of the row, as typed; empty removes it"},
    )


class NoteOut(Schema):
    round = fields.Integer()
    question = fields.String()
    code = fields.String()
    note = fields.String(
        metadata={"description": "as stored (control characters and surrounding blanks removed)"}
    )


class MessageOut(Schema):
    message = fields.String()


class _Summary(Schema):
    """Dumps every key of the summary: the declared ones (for the OpenAPI document) and the keys
    of any questionnaire's questions, which are known only per round."""

    @post_dump(pass_original=True)
    def keep_every_question(
        self, data: dict[str, Any], original: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any]:
        return {**original, **data}


NUMBER_STATS = {"n", "sum", "min", "median", "max"}


def _summary_schema() -> type[Schema]:
    """The summary body; the fields of the built-in questionnaires are declared as examples, and
    every questionnaire's questions are keyed the same way (docs/api.md)."""
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    declared: dict[str, fields.Field] = {
        "round": fields.Integer(),
        "survey": fields.String(),
        "reference_date": fields.String(),
        "municipalities": fields.Integer(),
        "responded": fields.Integer(),
        "municipalities_by_region": counts,
        "responded_by_region": counts,
        "notes": fields.Dict(
            keys=fields.String(),
            values=fields.Dict(keys=fields.String(), values=fields.String()),
            metadata={"description": "備考 of the summary rows: question -> choice code -> text"},
        ),
    }
    for questionnaire in registry.BUILT_IN:
        if questionnaire.headline:
            declared[f"{questionnaire.listed_choice}{LISTED}"] = fields.Dict(
                keys=fields.String(), values=fields.List(fields.String())
            )
        for question in questionnaire.questions:
            label = question.label.ja
            if question.has_choices:
                declared[question.id] = fields.Dict(
                    keys=fields.String(),
                    values=fields.Integer(),
                    metadata={"description": f"{label}: choice code -> count"},
                )
            if question.kind == Kind.ONE_OF:
                declared[f"{question.id}{BY_REGION}"] = fields.Dict(
                    keys=fields.String(),
                    values=fields.Dict(),
                    metadata={"description": f"{label}: region -> choice code -> count"},
                )
            if question.kind in NUMBER_KINDS:
                declared[question.id] = fields.Dict(
                    keys=fields.String(validate=validate.OneOf(sorted(NUMBER_STATS))),
                    metadata={"description": f"{label}: n, sum, min, median, max"},
                )
    return _Summary.from_dict(declared, name="Summary")


SummaryOut = _summary_schema()


class FiscalYearQuery(Schema):
    """``?fiscal_year=YYYY`` of the statistics summaries (consultations, referrals)."""

    fiscal_year = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1989, max=MAX_YEAR),
        metadata={"description": "年度 named by the year it starts in; default: the current one"},
    )


def counts_field() -> fields.Dict:
    """``{code: n}`` where a suppressed cell is ``null``."""
    return fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True))
