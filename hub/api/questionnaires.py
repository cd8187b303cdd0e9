"""Stored questionnaire definitions over the API: list them, read one version, import a file.

``POST`` takes an XLSForm file (multipart ``file``) and stores it as a new version at once (201
``{"id", "version"}``); a refused file is a 422 listing every problem as ``{sheet, row, column,
message}``, and nothing is stored. The staff pages add a preview step before publishing.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_smorest.fields import Upload
from marshmallow import Schema, fields
from werkzeug.datastructures import FileStorage

from exports.definition_upload import LIMITS
from forms.xlsform import DefinitionError, Problem, xlsform_rows
from hub.api import blp
from hub.api.schemas import AUTH_ERRORS
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.db import db
from hub.models import Survey
from hub.services import questionnaires


class DefinitionFileIn(Schema):
    file = Upload(
        load_default=None,
        metadata={
            "description": "the definition (.xlsx in XLSForm layout); without it 422 in the "
            "same shape as a refused file"
        },
    )


class QuestionnaireVersionOut(Schema):
    id = fields.String(required=True, metadata={"description": "form_id, e.g. torikumi"})
    version = fields.Integer(required=True)
    title = fields.Dict(keys=fields.String(), values=fields.String())
    imported_at = fields.AwareDateTime()
    rounds = fields.List(fields.Integer(), metadata={"description": "rounds opened on it"})


class QuestionnaireOut(QuestionnaireVersionOut):
    xlsform = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Dict()),
        metadata={
            "description": "the sheets survey, choices and settings as rows of {column: text}, "
            "in the words of the XLSForm file"
        },
    )


class ImportedOut(Schema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    notices = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "what of the file the hub read past (device-metadata rows, columns "
            "and settings it does not use), each named; empty when nothing was"
        },
    )


def version_json(survey: Survey, rounds: list[int]) -> dict[str, Any]:
    questionnaire = survey.questionnaire
    return {
        "id": survey.key,
        "version": survey.version,
        "title": {"ja": questionnaire.title.ja, "en": questionnaire.title.en},
        "imported_at": survey.loaded_at,
        "rounds": rounds,
    }


@blp.route("/questionnaires", methods=["GET"])
@blp.response(200, QuestionnaireVersionOut(many=True))
@blp.doc(responses=AUTH_ERRORS)
@allow("questionnaires.read")
def list_questionnaires() -> list[dict[str, Any]]:
    """Every stored questionnaire version, by id and version, with the rounds using it."""
    used = questionnaires.rounds_by_survey()
    return [
        version_json(s, [r.id for r in used.get(s.id, [])])
        for s in questionnaires.stored_versions()
    ]


@blp.route("/questionnaires/<questionnaire_id>/versions/<int:version>", methods=["GET"])
@blp.response(200, QuestionnaireOut)
@blp.doc(responses={**AUTH_ERRORS, "404": {"description": "no such questionnaire version"}})
@allow("questionnaires.read")
def get_questionnaire(questionnaire_id: str, version: int) -> dict[str, Any]:
    """One stored version: its title and the definition as XLSForm rows."""
    survey = questionnaires.get_version(questionnaire_id, version)
    used = questionnaires.rounds_by_survey().get(survey.id, [])
    return {
        **version_json(survey, [r.id for r in used]),
        "xlsform": xlsform_rows(survey.questionnaire),
    }


@blp.route("/questionnaires", methods=["POST"])
@blp.arguments(DefinitionFileIn, location="files", as_kwargs=True)
@blp.response(201, ImportedOut)
@blp.doc(
    responses={
        **AUTH_ERRORS,
        "200": {
            "description": "the same id, version and definition is stored already (the same "
            "file sent again, or one written by hub questionnaire export): nothing stored"
        },
        "422": {
            "description": "refused, nothing stored: "
            '{"errors": [{"sheet", "row", "column", "message"}]}'
        },
    }
)
@allow("questionnaires.manage")
def import_questionnaire(file: FileStorage | None) -> ResponseReturnValue:
    """Check an XLSForm file and store it as a new version (higher than any stored one)."""
    try:
        if file is None:
            missing = _("ファイルを選択してください（multipart の file 欄）。")
            raise DefinitionError([Problem("", None, "", missing)])
        data = file.stream.read(LIMITS.max_bytes + 1)
        filename = file.filename or ""
        definition = questionnaires.read_upload(data, filename, stored_ok=True)
        survey = questionnaires.store(definition, source_name=filename, user=require_actor())
    except questionnaires.AlreadyStored as same:  # exported and sent back: nothing to store
        return {"id": same.key, "version": same.version, "notices": []}, 200
    except DefinitionError as exc:
        db.session.rollback()
        body = {
            "message": _("調査票の定義に問題があるため登録しませんでした。"),
            "errors": [p.as_dict() for p in exc.problems],
        }
        return jsonify(body), 422
    db.session.commit()
    return {"id": survey.key, "version": survey.version, "notices": definition.notices()}
