"""Signing in again without losing a questionnaire's typed answers.

The page for a questionnaire POST whose session had ended (:func:`sign_in_again_page`) lists what
was typed and holds it in a signed token (``hub.web.carried``) next to a sign-in form. Signing
in there (``POST /resume``) opens the questionnaire with those answers in the fields, not saved:
the person checks them and presses 一時保存, which saves them with a valid session and CSRF token
like any other save.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from forms.model import Questionnaire
from hub.account.views import (
    LoginForm,
    LoginRefused,
    LoginThrottled,
    check_login,
    finish_login,
    retry_after_headers,
    throttled_message,
    wrong_credentials_message,
)
from hub.auth.gate import permission_of
from hub.auth.policy import can_see_municipality, permits, public
from hub.db import db
from hub.models import Role, Round, User
from hub.web import carried as carrying
from hub.web.carried import Carried
from hub.web.editing import REGISTERED, Pages, load_response, new_form, render_form

bp = Blueprint("resume", __name__)


def sign_in_again_page(
    carried: Carried,
    *,
    reason: str,
    status: int,
    form: LoginForm | None = None,
    problem: str | None = None,
    headers: dict[str, str] | None = None,
) -> ResponseReturnValue:
    """The sign-in page that keeps ``carried``: why the answers were not saved, a sign-in form
    and what was typed. Never cached: it shows answers to whoever holds the browser."""
    round_ = db.session.get(Round, carried.round_id)
    questionnaire: Questionnaire | None = round_.questionnaire if round_ is not None else None
    token = carrying.sign(carried)
    body = render_template(
        "questionnaire/resume.html",
        form=form or LoginForm(formdata=None),
        reason=reason,
        problem=problem,
        token=token,
        questionnaire=questionnaire,
        typed=carried.typed(questionnaire) if questionnaire is not None else [],
        form_url=_form_url(carried),
    )
    return body, status, {**(headers or {}), "Cache-Control": "no-store"}


def _form_url(carried: Carried) -> str:
    pages = REGISTERED.get(carried.endpoint)
    if pages is None:
        return "/"
    return url_for(pages.form, round_id=carried.round_id, code=carried.code)


def pages_for(user: User, carried: Carried) -> Pages | None:
    """The questionnaire pages ``user`` edits the carried response on: staff their 代理入力
    pages, respondents their own; ``None`` when the user may not edit it at all."""
    for pages in REGISTERED.values():
        if (
            pages.on_behalf == (user.role == Role.STAFF)
            and permits(user, permission_of(pages.form) or "")
            and can_see_municipality(user, carried.code)
        ):
            return pages
    return None


def typed_answers_form(user: User, carried: Carried, pages: Pages) -> ResponseReturnValue:
    """The questionnaire of the carried response with the carried answers in its fields, for a
    signed-in ``user``; nothing is saved until they press 一時保存."""
    g.actor = user
    response = load_response(carried.round_id, carried.code)
    form = new_form(response, from_request=False, formdata=carried.formdata())
    notice = _(
        "入力した内容を入力欄に戻しました。まだ保存されていません。"
        "内容を確かめて「一時保存」を押してください。"
    )
    return render_form(response, form, pages, notice=notice)


@bp.post("/resume")
@public
def resume() -> ResponseReturnValue:
    """Sign in from the page of :func:`sign_in_again_page` and get the typed answers back."""
    carried = carrying.load(request.form.get("carried", ""))
    if carried is None:
        return token_refused_page()
    form = LoginForm()
    if not form.validate_on_submit():
        return sign_in_again_page(carried, reason="", status=422, form=form)
    try:
        user = check_login(form.email.data or "", form.password.data or "")
    except LoginThrottled:
        return sign_in_again_page(
            carried,
            reason="",
            status=429,
            form=form,
            problem=throttled_message(),
            headers=retry_after_headers(),
        )
    except LoginRefused as exc:
        return sign_in_again_page(carried, reason="", status=403, form=form, problem=exc.message)
    if user is None:
        problem = wrong_credentials_message(form.password.data or "")
        return sign_in_again_page(carried, reason="", status=200, form=form, problem=problem)
    pages = pages_for(user, carried)
    if pages is None:
        problem = _(
            "このアカウントではこの回答を入力できません。入力したときのアカウントでログインしてください。"
        )
        return sign_in_again_page(carried, reason="", status=403, form=form, problem=problem)
    finish_login(user)
    return typed_answers_form(user, carried, pages)


def token_refused_page() -> ResponseReturnValue:
    message = _(
        "入力した内容を保持できる時間（1時間）を過ぎたか、内容が正しくありません。"
        "お手数ですが、もう一度ログインして入力してください。"
    )
    return render_template("error.html", status=400, message=message), 400
