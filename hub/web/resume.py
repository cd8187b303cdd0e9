"""Signing in again without losing what was typed.

The page for a page POST whose session had ended (:func:`sign_in_again_page`) holds what was
typed in a signed token (``hub.web.carried``) next to a sign-in form; a questionnaire's answers
are listed there too, a referral's never. Signing in there (``POST /resume``) as the account that
typed opens the page with the typing in its fields, not saved: for a questionnaire its form
(:func:`typed_answers_form`), for another page the GET of the page the form was on, run inside
this request with the typing for its view (:func:`refilled_page`, ``carried.refill``). The person
checks and presses the button again, which saves with a valid session and CSRF token like any
other post. Another account signing in gets the page empty and is told the typing was discarded.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from forms.model import Questionnaire
from hub.account.views import (
    LoginForm,
    LoginRefused,
    LoginThrottled,
    check_login,
    finish_login,
    home_for,
    retry_after_headers,
    throttled_message,
    wrong_credentials_message,
)
from hub.auth.gate import permission_of
from hub.auth.policy import can_see_municipality, permits, public
from hub.db import db
from hub.models import Role, Round, User
from hub.web import carried as carrying
from hub.web.carried import REFILL, REFILL_FROM, Carried
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
    """The sign-in page that keeps ``carried``: why it was not saved, a sign-in form and, for a
    questionnaire, what was typed (nothing of any other form: a referral's is 要配慮個人情報).
    Never cached: it may show answers to whoever holds the browser."""
    questionnaire: Questionnaire | None = None
    if carried.endpoint in REGISTERED:
        round_ = db.session.get(Round, carried.round_id)
        questionnaire = round_.questionnaire if round_ is not None else None
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
        return carried.page_url()
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
    if carried.user_id is not None and carried.user_id != user.id:
        return _discarded(user, carried)
    if carried.endpoint not in REGISTERED:
        finish_login(user)
        return refilled_page(carried, notice=refilled_notice())
    pages = pages_for(user, carried)
    if pages is None:
        problem = _(
            "このアカウントではこの回答を入力できません。入力したときのアカウントでログインしてください。"
        )
        return sign_in_again_page(carried, reason="", status=403, form=form, problem=problem)
    finish_login(user)
    return typed_answers_form(user, carried, pages)


def _discarded(user: User, carried: Carried) -> ResponseReturnValue:
    """Another account than the one that typed signs in: signed in, the typing dropped and
    said so, the page opened empty when they may use it (their home otherwise)."""
    finish_login(user)
    flash(
        _(
            "入力したときとは別のアカウントでログインしたため、入力されていた内容は破棄しました。"
            "保存されたものはありません。"
        ),
        "info",
    )
    if carried.endpoint in REGISTERED:
        pages = pages_for(user, carried)
        if pages is not None:
            return redirect(url_for(pages.form, round_id=carried.round_id, code=carried.code))
    elif permits(user, permission_of(carried.page_endpoint()) or ""):
        return redirect(carried.page_url())
    return redirect(url_for(home_for(user.role)))


def refilled_notice() -> str:
    return _(
        "入力した内容を入力欄に戻しました。まだ保存されていません。"
        "内容を確かめてから、もう一度ボタンを押してください。"
    )


def refilled_page(carried: Carried, *, notice: str, status: int | None = None) -> Response:
    """The page the carried form was on, as its GET shows it to the user now signed in — the
    gate, the view and its own checks run as for any GET, so the token gives no authority —
    with the typing in its fields (``carried.refill``). It runs inside this request (the
    typing never travels in a cookie or a URL); the page's forms name where they post."""
    ctx = request_ctx  # the proxy: what is set on it is set on this request's context
    outer_request, outer_adapter = ctx.request, ctx.url_adapter
    target = urlsplit(carried.page_url())
    environ = dict(outer_request.environ)
    environ.update(
        REQUEST_METHOD="GET",
        PATH_INFO=target.path,
        QUERY_STRING=target.query,
        CONTENT_LENGTH="0",
        CONTENT_TYPE="",
    )
    inner = current_app.request_class(environ)
    ctx.request = inner
    ctx.url_adapter = current_app.create_url_adapter(inner)
    g.setdefault(REFILL, carried.formdata())
    g.setdefault(REFILL_FROM, carried.endpoint)
    flash(notice, "info")
    try:
        ctx.match_request()
        if inner.routing_exception is not None:
            raise inner.routing_exception
        answer = current_app.preprocess_request()
        if answer is None:
            answer = current_app.dispatch_request()
        response = current_app.make_response(answer)
    except Exception as exc:  # an HTTP error or a HubError: answered as the page's GET would be
        response = current_app.make_response(current_app.handle_user_exception(exc))
    finally:
        ctx.request, ctx.url_adapter = outer_request, outer_adapter
        g.pop(REFILL, None)
        g.pop(REFILL_FROM, None)
    if status is not None and response.status_code == 200:
        response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def token_refused_page() -> ResponseReturnValue:
    message = _(
        "入力した内容を保持できる時間（1時間）を過ぎたか、内容が正しくありません。"
        "お手数ですが、もう一度ログインして入力してください。"
    )
    return render_template("error.html", status=400, message=message), 400
