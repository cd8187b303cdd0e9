"""Questionnaire definitions in the browser: list the stored versions and the rounds using each,
upload a file (every problem in a table by sheet and row), preview it exactly as a respondent
will see it — conditions live, rules checked by the server, its Excel template — and publish it.

An upload is kept as a draft until it is published; nothing a round uses changes before that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from marshmallow import ValidationError

from exports.definition_upload import LIMITS
from exports.template import TemplateInfo, build_template
from forms import describe, rules
from forms.compare import (
    Aspect,
    ChangedGroup,
    ChangedQuestion,
    GroupAspect,
    Setting,
    group_in_words,
    in_words,
    moved_groups,
)
from forms.model import Questionnaire
from forms.schema import completeness_errors, load_answers
from forms.webform import form_class, initial_data
from forms.wording import listed
from forms.xlsform import DefinitionError, Problem, write_xlsform
from forms.xlsform.starter import FILENAME as STARTER_NAME
from forms.xlsform.starter import FORM_ID as STARTER_ID
from forms.xlsform.starter import starter_file
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.db import db
from hub.errors import flatten_errors
from hub.files import xlsx_response
from hub.models import QuestionnaireDraft
from hub.questionnaires import guide as facts
from hub.services import questionnaires
from hub.services.questionnaires import DraftName, VersionComparison
from hub.web.carried import carries, refill_form
from hub.web.display import locale_code

bp = Blueprint("questionnaires", __name__, url_prefix="/staff/questionnaires")


class UploadForm(FlaskForm):
    file = FileField(
        _l("調査票の定義ファイル（XLSForm 形式の .xlsx）"),
        validators=[FileRequired(_l("ファイルを選択してください。"))],
    )


class ActionForm(FlaskForm):
    """The CSRF token of the publish and discard buttons."""


@bp.get("/")
@allow("questionnaires.manage")
def index() -> ResponseReturnValue:
    """Every stored version, grouped by id, with the rounds using it; drafts waiting."""
    versions = questionnaires.stored_versions()
    groups: dict[str, list[Any]] = {}
    for survey in versions:
        groups.setdefault(survey.key, []).append(survey)
    drafts = db.session.query(QuestionnaireDraft).order_by(QuestionnaireDraft.uploaded_at).all()
    return render_template(
        "questionnaires/index.html",
        groups={k: list(reversed(v)) for k, v in groups.items()},
        rounds=questionnaires.rounds_by_survey(),
        drafts=drafts,
        draft_days=questionnaires.DRAFT_DAYS,
    )


@bp.route("/upload", methods=["GET", "POST"])
@allow("questionnaires.manage")
def upload() -> ResponseReturnValue:
    """A definition file: refused with every problem listed, or kept as a draft to preview."""
    form = UploadForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _upload_page(form, [], status)
    file = form.file.data
    data = file.stream.read(LIMITS.max_bytes + 1)
    filename = file.filename or ""
    try:
        definition = questionnaires.read_upload(data, filename)
        draft = questionnaires.keep_draft(definition, filename, user=require_actor())
    except DefinitionError as exc:
        db.session.rollback()
        return _upload_page(form, exc.problems, 422, filename=filename)
    db.session.commit()
    for notice in definition.read_past():
        flash(notice, "info")
    return redirect(url_for("questionnaires.draft", draft_id=draft.id))


upload.max_upload_bytes = LIMITS.max_bytes  # type: ignore[attr-defined]
"""What the page states and the 413 handler says for a file over the app's limit."""


@bp.get("/guide")
@allow("questionnaires.manage")
def guide() -> ResponseReturnValue:
    """調査票の書き方: how to write a definition, its facts taken from the reader's own."""
    begin, end = facts.group_spellings()
    return render_template(
        "questionnaires/guide.html",
        sheet_names=facts.sheets(),
        survey_columns=facts.survey_columns(),
        choice_columns=facts.choice_columns(),
        setting_columns=facts.setting_columns(),
        types=facts.type_rows(),
        group_begin=begin,
        group_end=end,
        appearances=facts.appearances(),
        functions=facts.functions(),
        refused_types=facts.refused_types(),
        refused_columns=facts.refused_columns(),
        refused_sheets=facts.refused_sheets(),
        read_past=facts.read_past_types(),
        starter_name=STARTER_NAME,
        starter_id=STARTER_ID,
    )


@bp.get("/starter.xlsx")
@allow("questionnaires.manage")
def starter() -> ResponseReturnValue:
    """ひな形（記入例つき）: the guide's example questionnaire as an XLSForm file."""
    return xlsx_response(starter_file(), filename=STARTER_NAME, fallback=STARTER_NAME)


def _upload_page(
    form: UploadForm, problems: list[Problem], status: int, filename: str = ""
) -> ResponseReturnValue:
    page = render_template(
        "questionnaires/upload.html",
        form=form,
        problems=problems,
        filename=filename,
        max_megabytes=LIMITS.max_bytes // (1024 * 1024),
    )
    return page, status


# ------------------------------------------------------------------------------- preview


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@allow("questionnaires.manage")
@carries()
def draft(draft_id: int) -> ResponseReturnValue:
    """A draft as respondents will see it; POST checks what was typed (nothing is stored)."""
    found = questionnaires.get_draft(draft_id)
    return _preview(found.questionnaire, draft=found, rivals=questionnaires.rivals(found))


@bp.route("/<questionnaire_id>/versions/<int:version>", methods=["GET", "POST"])
@allow("questionnaires.manage")
@carries()
def version(questionnaire_id: str, version: int) -> ResponseReturnValue:
    """A stored version as respondents see it."""
    survey = questionnaires.get_version(questionnaire_id, version)
    rounds = questionnaires.rounds_by_survey().get(survey.id, [])
    return _preview(survey.questionnaire, rounds=rounds)


def _preview(
    questionnaire: Questionnaire,
    *,
    draft: QuestionnaireDraft | None = None,
    rivals: list[QuestionnaireDraft] | None = None,
    rounds: list[Any] | None = None,
    problems: list[Problem] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    locale = locale_code()
    form_type = form_class(questionnaire, locale)
    errors: dict[str, list[str]] = {}
    checked = False
    if request.method == "POST" and problems is None:
        form = form_type()
        errors = _check(questionnaire, form.answers(relevant_only=True))
        checked = True
        status = 422 if errors else 200
    else:
        shown = initial_data(questionnaire, questionnaire.defaults(), 0, locale)
        form = refill_form(form_type(formdata=None, data=shown))
    page = render_template(
        "questionnaires/preview.html",
        questionnaire=questionnaire,
        form=form,
        errors=errors,
        checked=checked,
        draft=draft,
        rivals_notice=rivals_notice(draft, rivals) if draft and rivals else "",
        starter_notice=questionnaires.starter_warning(questionnaire) if draft else "",
        rounds=rounds or [],
        problems=problems or [],
        actions=ActionForm(),
        reference_date=rules.today(),
        previous=None,
        comparisons=questionnaires.changes_for_draft(questionnaire) if draft else [],
        unclosed=questionnaires.unclosed_rounds(questionnaire.id) if draft else [],
        aspects=ASPECT_LABELS,
        setting_labels=SETTING_LABELS,
        group_aspects=GROUP_ASPECT_LABELS,
        rules_of=lambda q: [
            describe.sentence(text, locale)
            for text in describe.rule_texts(q, questionnaire, locale)
        ],
        rule_words=lambda compared, item: rule_words(compared, item, questionnaire, locale),
        group_words=lambda compared, item: group_words(compared, item, questionnaire, locale),
        moved_words=lambda compared, item: moved_words(compared, item, questionnaire, locale),
        group_rule=lambda group: describe.group_asked_text(group, questionnaire, locale),
    )
    return page, status


def rule_words(
    compared: VersionComparison, item: ChangedQuestion, questionnaire: Questionnaire, locale: str
) -> list[tuple[Aspect, str, str]]:
    """Each changed rule of ``item`` (``relevant``, ``required``, …) as it read before, with the
    earlier version's labels, and as it reads in ``questionnaire``."""
    if compared.earlier is None:
        return []
    found = []
    for change in item.changes:
        words = in_words(item, change.aspect, compared.earlier, questionnaire, locale)
        if words is not None:
            found.append((change.aspect, *words))
    return found


def group_words(
    compared: VersionComparison, item: ChangedGroup, questionnaire: Questionnaire, locale: str
) -> tuple[str, str] | None:
    """A group's changed ``relevant`` as it read before and reads in ``questionnaire``."""
    if compared.earlier is None:
        return None
    return group_in_words(item, compared.earlier, questionnaire, locale)


def moved_words(
    compared: VersionComparison, item: ChangedQuestion, questionnaire: Questionnaire, locale: str
) -> str:
    """A question moved to another group, in words: 「グループ「研修会」から「連携」へ移動」."""
    if compared.earlier is None:
        return str(ASPECT_LABELS[Aspect.GROUP])
    before, after = moved_groups(compared.earlier, questionnaire, item)
    if before is not None and after is not None:
        return _(
            "グループ「%(before)s」から「%(after)s」へ移動",
            before=before.title.inline(locale),
            after=after.title.inline(locale),
        )
    if after is not None:
        return _("グループの外から「%(after)s」へ移動", after=after.title.inline(locale))
    if before is not None:
        return _("グループ「%(before)s」からグループの外へ移動", before=before.title.inline(locale))
    return str(ASPECT_LABELS[Aspect.GROUP])


ASPECT_LABELS: dict[str, LazyString] = {
    Aspect.LABEL: _l("質問文"),
    Aspect.KIND: lazy_pgettext("question aspect", "形式"),
    Aspect.CALCULATION: _l("計算式（calculation）"),
    Aspect.CHOICES_ADDED: _l("選択肢の追加"),
    Aspect.CHOICES_REMOVED: _l("選択肢の削除"),
    Aspect.CHOICE_LABELS: _l("選択肢の表示名"),
    Aspect.REQUIRED: _l("必須"),
    Aspect.RELEVANT: _l("表示条件（relevant）"),
    Aspect.CONSTRAINT: _l("入力の制約（constraint）"),
    Aspect.CHOICE_FILTER: _l("選択肢の絞り込み（choice_filter）"),
    Aspect.DEFAULT: _l("初期値（default）"),
    Aspect.PERSONAL: _l("個人情報の指定（personal）"),
    Aspect.HINT: _l("説明（hint・guidance_hint）"),
    Aspect.MESSAGES: _l("エラー文（constraint_message・required_message）"),
    Aspect.APPEARANCE: _l("表示形式（appearance）"),
    Aspect.GROUP: _l("グループ（begin_group）の移動"),
}
"""How the preview names what changed about a question (:class:`forms.compare.Aspect`)."""

GROUP_ASPECT_LABELS: dict[str, LazyString] = {
    GroupAspect.LABEL: _l("見出し（label）"),
    GroupAspect.RELEVANT: _l("グループの表示条件（relevant）"),
}
"""How the preview names what changed about a group (:class:`forms.compare.GroupAspect`)."""

SETTING_LABELS: dict[str, LazyString] = {
    Setting.HEADLINE: _l("集計の先頭の表の質問（headline）"),
    Setting.LISTED_CHOICE: _l("名前を挙げる区市町村の選択肢（listed_choice）"),
    Setting.HEADLINE_TITLE: _l("集計の先頭の表の見出し（headline_title）"),
}
"""How the preview names a summary setting that changed (:class:`forms.compare.Setting`)."""


def _check(questionnaire: Questionnaire, raw: dict[str, Any]) -> dict[str, list[str]]:
    """What saving and then submitting ``raw`` would say, with today as the 基準日."""
    today = rules.today()
    try:
        answers = load_answers(questionnaire, raw, reference_date=today)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return flatten_errors(messages)
    return completeness_errors(questionnaire, answers, today)


@bp.post("/drafts/<int:draft_id>/publish")
@allow("questionnaires.manage")
def publish(draft_id: int) -> ResponseReturnValue:
    found = questionnaires.get_draft(draft_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("questionnaires.draft", draft_id=draft_id))
    try:
        published = questionnaires.publish_draft(found, user=require_actor())
    except DefinitionError as exc:
        db.session.rollback()
        rivals = questionnaires.rivals(found)
        return _preview(
            found.questionnaire, draft=found, rivals=rivals, problems=exc.problems, status=422
        )
    db.session.commit()
    survey = published.survey
    flash(
        _(
            "「%(title)s」（%(id)s 第%(version)s版）を公開しました。調査回を開始できます。",
            title=survey.title,
            id=survey.key,
            version=survey.version,
        ),
        "success",
    )
    if published.dropped:
        flash(dropped_notice(published.dropped), "info")
    return redirect(url_for("questionnaires.index"))


def drafts_named(drafts: Sequence[QuestionnaireDraft | DraftName]) -> str:
    """``下書き5「研修会（案）.xlsx」第1版、…``: how the pages name drafts to one another."""
    return listed(
        _(
            "下書き%(id)s「%(file)s」第%(version)s版",
            id=d.id,
            file=d.source_name,
            version=d.version,
        )
        for d in drafts
    )


def rivals_notice(draft: QuestionnaireDraft, rivals: Sequence[QuestionnaireDraft]) -> str:
    """The other drafts of a draft's version, named on its page before anyone publishes: a
    corrected file uploaded again is a second draft, and publishing either drops the other."""
    return _(
        "同じ版（第%(version)s版）の下書きがほかにもあります（%(drafts)s）。"
        "この下書きを公開すると、ほかの下書きは取り消されます。",
        version=draft.version,
        drafts=drafts_named(rivals),
    )


def dropped_notice(dropped: Sequence[DraftName]) -> str:
    """What publishing dropped: the other drafts of the version (and earlier ones), which a
    version stored once leaves nothing to publish."""
    return _(
        "同じ版か前の版のほかの下書きは、公開できなくなったため取り消しました: %(drafts)s。",
        drafts=drafts_named(dropped),
    )


@bp.post("/drafts/<int:draft_id>/discard")
@allow("questionnaires.manage")
def discard(draft_id: int) -> ResponseReturnValue:
    found = questionnaires.get_draft(draft_id)
    if ActionForm().validate_on_submit():
        questionnaires.discard_draft(found, user=require_actor())
        db.session.commit()
        flash(_("アップロードした調査票を取り消しました。"), "success")
    return redirect(url_for("questionnaires.index"))


# ------------------------------------------------------------------------------- files


def _template(questionnaire: Questionnaire) -> bytes:
    """The Excel template as a municipality gets it, for no municipality and no round: the
    definition's defaults filled in, as a new round fills them in."""
    info = TemplateInfo(
        questionnaire=questionnaire,
        municipality_code="",
        municipality_name=_("（見本）"),
        round_id=0,
        round_title=_("プレビュー"),
        reference_date=rules.today(),
        answers=questionnaire.defaults(),
    )
    return build_template(info)


def _stem(questionnaire: Questionnaire) -> str:
    return f"{questionnaire.id}_v{questionnaire.version}"


@bp.get("/drafts/<int:draft_id>/template.xlsx")
@allow("questionnaires.manage")
def draft_template(draft_id: int) -> ResponseReturnValue:
    return _template_download(questionnaires.get_draft(draft_id).questionnaire)


@bp.get("/<questionnaire_id>/versions/<int:version>/template.xlsx")
@allow("questionnaires.manage")
def version_template(questionnaire_id: str, version: int) -> ResponseReturnValue:
    return _template_download(questionnaires.get_version(questionnaire_id, version).questionnaire)


def _template_download(questionnaire: Questionnaire) -> ResponseReturnValue:
    """The sample answer template of a definition (a draft's or a published version's)."""
    name = f"{_stem(questionnaire)}_template.xlsx"
    return xlsx_response(_template(questionnaire), filename=name, fallback=name)


@bp.get("/<questionnaire_id>/versions/<int:version>/definition.xlsx")
@allow("questionnaires.manage")
def definition(questionnaire_id: str, version: int) -> ResponseReturnValue:
    """The stored definition as an XLSForm file (``hub questionnaire export``)."""
    questionnaire = questionnaires.get_version(questionnaire_id, version).questionnaire
    name = f"{_stem(questionnaire)}.xlsx"
    return xlsx_response(write_xlsform(questionnaire), filename=name, fallback=name)
