"""The questionnaire pages: fill in, 一時保存, 提出 with a confirmation step.

Used twice: by respondents for their own municipality (``hub.respond``) and by staff entering or
correcting a response on a municipality's behalf, 代理入力 (``hub.staff``); :class:`Pages` names
the endpoints of each. The views parse the form, call one response service, commit and redirect;
the services validate and normalize. Whatever goes wrong, the page comes back with everything
that was typed still in the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField

from forms import rules
from forms.model import Question
from forms.numbers import whole_number
from forms.schema import completeness_errors, rule_answers
from forms.webform import QuestionnaireForm, form_class, initial_data
from hub.auth.gate import require_actor
from hub.db import db, utcnow
from hub.errors import Conflict, Invalid
from hub.models import EDITABLE, Response, ResponseState
from hub.services import responses, rounds
from hub.web.display import answer_text, locale_code, place


@dataclass(frozen=True)
class Pages:
    """The endpoints of one set of questionnaire pages; each takes ``round_id`` and ``code``."""

    form: str
    confirm: str
    submit: str
    done: str
    """The read-only view, shown after submitting and whenever the response is locked."""
    on_behalf: bool = False

    def url(self, page: str, response: Response) -> str:
        return url_for(
            getattr(self, page), round_id=response.round_id, code=response.municipality_code
        )


REGISTERED: dict[str, Pages] = {}
"""Every set of questionnaire pages, by the endpoint of its form page."""


def register(pages: Pages) -> Pages:
    """Make ``pages`` known to the handlers that give a timed-out or refused POST's answers back
    (``hub.web.expired``); each blueprint registers its set once, at import."""
    REGISTERED[pages.form] = pages
    return pages


def pages_posted_to(endpoint: str | None) -> Pages | None:
    """The pages whose form page ``endpoint`` is (``None`` for any other endpoint)."""
    return REGISTERED.get(endpoint or "")


def pages_submitted_to(endpoint: str | None) -> Pages | None:
    """The pages whose final 提出 (the confirmation's button) ``endpoint`` is."""
    return next((p for p in REGISTERED.values() if p.submit == endpoint), None)


class ConfirmForm(FlaskForm):
    version = HiddenField()

    def posted_version(self) -> int:
        version = whole_number(self.version.data)
        return -1 if version is None else version


def load_response(round_id: int, code: str) -> Response:
    """The response, after checking that the signed-in user may see this municipality."""
    return responses.response_for(round_id, code, require_actor())


def new_form(
    response: Response, *, from_request: bool, formdata: MultiDict[str, str] | None = None
) -> QuestionnaireForm:
    """The questionnaire form: what this request posted, what ``formdata`` holds (answers carried
    across a new sign-in) or, with neither, the stored answers."""
    locale = locale_code()
    form_type = form_class(response.round.questionnaire, locale)
    if formdata is not None:
        return form_type(formdata=formdata)
    if from_request:
        return form_type()
    shown = initial_data(response.round.questionnaire, response.answers, response.version, locale)
    return form_type(formdata=None, data=shown)


def form_page(response: Response, pages: Pages) -> ResponseReturnValue:
    """GET shows the form (stored answers, pre-filled ones included); POST saves or submits.

    A POST to a response that was submitted meanwhile (say, from another tab) is refused by the
    service and comes back with the typed input, never silently dropped.
    """
    if request.method == "GET":
        if response.state not in EDITABLE:
            return redirect(pages.url("done", response))
        return render_form(response, new_form(response, from_request=False), pages)
    return _save_posted(response, pages, submitting=request.form.get("action") == "submit")


def _save_posted(response: Response, pages: Pages, *, submitting: bool) -> ResponseReturnValue:
    """Save what was posted as a draft; on 提出, go on to the confirmation if it is complete."""
    form = new_form(response, from_request=True)
    raw = form.answers()
    seen = response.version
    try:
        try:
            _save_draft(response, form, raw)
        except Invalid as exc:
            unasked = raw.keys() - form.answers(relevant_only=True).keys()
            if not submitting or not exc.errors.keys() <= unasked:
                raise
            raw = {name: value for name, value in raw.items() if name not in exc.errors}
            _save_draft(response, form, raw)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        errors = exc.errors
        if submitting:
            errors = _with_missing(response, raw, errors)
        return render_form(
            response, form, pages, errors=errors, status=422, error_note=_unsaved(submitting)
        )
    except Conflict as exc:
        db.session.rollback()
        return _conflict(response, form, pages, exc)
    changed = response.version != seen
    if not submitting:
        flash(
            _saved_message(response, pages) if changed else _unchanged_message(response), "success"
        )
        return redirect(pages.url("form", response))
    problems = completeness_errors(
        response.round.questionnaire, response.answers, response.round.reference_date
    )
    if problems:
        form.version.data = str(response.version)
        notice = _incomplete_notice(response, changed=changed)
        return render_form(response, form, pages, errors=problems, status=422, notice=notice)
    return redirect(pages.url("confirm", response))


def _save_draft(response: Response, form: QuestionnaireForm, raw: Mapping[str, Any]) -> None:
    """Keep what the page sent as the draft, the answers to questions not asked included: 提出
    leads to the confirmation, and who goes back from it to change an answer finds what they
    typed (the submit itself drops them). On 提出, one that cannot be kept (not a date, say) is
    left out rather than holding up a question nobody asks (``_save_posted``)."""
    responses.save_draft(
        response, raw, version=form.posted_version(), user=require_actor(), record_unchanged=False
    )


def _unsaved(submitting: bool) -> str:
    """What the error summary says when a value could not be read: nothing was kept yet."""
    if submitting:
        return _(
            "一時保存も提出もしていません。下の項目を直してから、もう一度「提出」を押して"
            "ください。入力した内容は入力欄に残っています。"
        )
    return _(
        "一時保存していません。下の項目を直してから、もう一度「一時保存」を押してください。"
        "入力した内容は入力欄に残っています。"
    )


def _with_missing(
    response: Response, raw: Mapping[str, Any], errors: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Add the required-but-empty fields, so that one round trip names every problem.

    Without a reference date the schema's completeness rules look only at what is empty, which
    the raw values tell as well as normalized ones (choices are posted as codes).
    """
    missing = completeness_errors(response.round.questionnaire, raw, None)
    return {**{k: v for k, v in missing.items() if k not in errors}, **errors}


def _conflict(
    response: Response, form: QuestionnaireForm, pages: Pages, exc: Conflict
) -> ResponseReturnValue:
    current = exc.details.get("current_answers")
    if not isinstance(current, Mapping):
        return render_form(
            response,
            form,
            pages,
            status=409,
            problem=exc.message,
            problem_note=_(
                "一時保存していません。入力した内容は下の入力欄に残っています"
                "（この画面を閉じると消えます）。"
            ),
        )
    form.version.data = str(exc.details.get("current_version", response.version))
    theirs = form.answers()
    rows = []
    for question in response.round.questionnaire:
        mine, saved = (
            answer_text(question, theirs.get(question.id)),
            answer_text(question, current.get(question.id)),
        )
        if mine != saved:
            rows.append((question, mine, saved))
    return render_form(
        response,
        form,
        pages,
        status=409,
        problem=exc.message,
        conflict={"rows": rows, "by": exc.details.get("updated_by")},
    )


def render_form(
    response: Response,
    form: QuestionnaireForm,
    pages: Pages,
    *,
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
    problem: str | None = None,
    problem_note: str = "",
    notice: str | None = None,
    error_note: str = "",
    conflict: Mapping[str, Any] | None = None,
) -> ResponseReturnValue:
    questionnaire = response.round.questionnaire
    errors = dict(errors or {})
    known = {q.id for q in questionnaire}
    return (
        render_template(
            "questionnaire/form.html",
            response=response,
            round=response.round,
            questionnaire=questionnaire,
            form=form,
            pages=pages,
            errors=errors,
            not_asked=_not_asked(response, form, errors),
            general_errors=[m for k, msgs in errors.items() if k not in known for m in msgs],
            problem=problem,
            problem_note=problem_note,
            notice=notice,
            error_note=error_note,
            conflict=conflict,
            past_deadline=utcnow() > response.deadline_for(),
            closed=not pages.on_behalf and responses.closed_to_respondents(response),
            previous=rounds.previous_answers(response),
            prefilled_from=_prefilled_from(response),
            carried=_carried_unsaved(response),
        ),
        status,
    )


def _prefilled_from(response: Response) -> Response | None:
    """The earlier response a draft not yet saved was prefilled from — the latest accepted, which
    is not always last year's (a year not answered, or not accepted, is passed over) —, so that
    the page names its round instead of saying 「前回」."""
    if response.prefilled_from_id is None or response.version != 0:
        return None
    return db.session.get(Response, response.prefilled_from_id)


def _carried_unsaved(response: Response) -> dict[str, Response]:
    """The fields whose answer was carried from an earlier round and not yet saved (a draft
    nobody saved yet), each with the response it came from: each says so beside it."""
    if response.version != 0:
        return {}
    return rounds.still_carried(response)


def _carried_personal(response: Response) -> list[tuple[Question, Response]]:
    """The questions holding personal data (the contact person) whose answer is still the one
    carried from an earlier round, with the response it came from: listed on the confirmation
    to be checked before submitting (people change every April)."""
    carried = rounds.still_carried(response)
    return [
        (q, carried[q.id]) for q in response.round.questionnaire if q.personal and q.id in carried
    ]


def _not_asked(
    response: Response, form: QuestionnaireForm, errors: Mapping[str, list[str]]
) -> frozenset[str]:
    """The questions and notes the page shows hidden: not asked given the answers in its fields
    (what was posted, or what is stored), unless they carry an error. The page's script decides
    the same as answers change; without it, a save brings up what an answer asks next (a
    hidden field still sends its value: nothing typed is lost)."""
    questionnaire = response.round.questionnaire
    asked = rules.asked(
        questionnaire,
        rule_answers(questionnaire, form.answers()),
        reference_date=response.round.reference_date,
    )
    return frozenset(name for name, shown in asked.items() if not shown and not errors.get(name))


def confirm_page(response: Response, pages: Pages) -> ResponseReturnValue:
    """The check before submitting: every answer as it will be sent, and one button."""
    if response.state not in EDITABLE:
        return redirect(pages.url("done", response))
    problems = completeness_errors(
        response.round.questionnaire, response.answers, response.round.reference_date
    )
    if problems:
        flash(_("未入力または誤りのある項目があります。直してから提出してください。"), "error")
        return redirect(pages.url("form", response))
    form = ConfirmForm(formdata=None, data={"version": str(response.version)})
    return render_template(
        "questionnaire/confirm.html",
        response=response,
        round=response.round,
        questionnaire=response.round.questionnaire,
        form=form,
        pages=pages,
        past_deadline=utcnow() > response.deadline_for(),
        carried_personal=_carried_personal(response),
    )


def submit_post(response: Response, pages: Pages) -> ResponseReturnValue:
    form = ConfirmForm()
    try:
        responses.submit(response, user=require_actor(), version=form.posted_version())
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return render_form(
            response, new_form(response, from_request=False), pages, errors=exc.errors, status=422
        )
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(pages.url("form", response))
    flash(_submitted_message(response, pages), "success")
    return redirect(pages.url("done", response))


def _saved_message(response: Response, pages: Pages) -> str:
    """After 一時保存, for whoever pressed it: the clerk, or 都 staff entering on the municipality's
    behalf."""
    if pages.on_behalf:
        return _(
            "%(name)sの回答を代理入力として一時保存しました。まだ提出されていません。",
            name=place(response.municipality),
        )
    return _("一時保存しました。")


def _unchanged_message(response: Response) -> str:
    """After 一時保存 of what was already saved (or of a form not started, as it was shown):
    nothing was written, nothing is lost."""
    if response.state == ResponseState.NOT_STARTED:
        return _(
            "入力欄が最初に表示された内容のままのため、一時保存していません（未着手のままです）。"
        )
    return _("前回の一時保存から変更がないため、保存済みの内容のままです。")


def _incomplete_notice(response: Response, *, changed: bool) -> str:
    """After 提出 with blanks still to fill: whether what was typed is saved meanwhile."""
    if changed:
        return _("入力内容は一時保存しました。エラーのある項目を直してから提出してください。")
    if response.state == ResponseState.NOT_STARTED:
        return _(
            "まだ何も入力されていないため、保存していません（未着手のままです）。"
            "エラーのある項目を入力してから提出してください。"
        )
    return _("入力内容は一時保存済みです。エラーのある項目を直してから提出してください。")


def _submitted_message(response: Response, pages: Pages) -> str:
    """After 提出: the clerk that it went (the page below says 都 will check it); staff, who
    are 都, what they just did and what comes next."""
    if pages.on_behalf:
        return _(
            "%(name)sに代わって提出しました。提出済みとして進捗に数えられます。"
            "内容を確認して受理するか、差し戻してください。",
            name=place(response.municipality),
        )
    return _("提出しました。")
