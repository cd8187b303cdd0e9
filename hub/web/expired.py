"""Page POSTs whose session ended or whose CSRF token was refused: nothing is saved, and nothing
typed is lost.

- A questionnaire POST (a respondent's form or staff 代理入力), or a POST to a view marked with
  ``hub.web.carried.carries``, gives the typing back: to a person still signed in as the account
  that typed, the page with their values in the fields; to one whose session ended (timed out,
  or logged out in another tab), a sign-in page that keeps them (``hub.web.resume``).
- Any other page POST refused for its CSRF token gets a page that says what happened in
  Japanese, not a bare 400 (and a timed-out one the sign-in page): a confirmation, a removal or
  another one-step button is not refilled.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, g, get_flashed_messages, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from hub.auth import sessions
from hub.auth.gate import is_api_request, permission_of
from hub.auth.policy import permits
from hub.db import db
from hub.errors import HubError
from hub.errors_http import handle_http_exception
from hub.models import Round, User
from hub.web import carried as carrying
from hub.web.carried import Carry, carry_of
from hub.web.editing import (
    REGISTERED,
    Pages,
    load_response,
    new_form,
    pages_posted_to,
    pages_submitted_to,
)
from hub.web.editing import render_form as render_questionnaire
from hub.web.resume import (
    pages_for,
    refilled_notice,
    refilled_page,
    sign_in_again_page,
    typed_answers_form,
)

RESUME_ENDPOINT = "resume.resume"


def timed_out_reason() -> str:
    return _("一定時間操作がなかったため、ログアウトしました。")


def signed_out_reason() -> str:
    return _("ログインの有効期限が切れたか、別の画面でログアウトしたため、保存できませんでした。")


def rescue_timed_out_post() -> ResponseReturnValue | None:
    """For :func:`hub.auth.sessions.on_expired_post`: the session has just ended. A questionnaire
    POST (or the sign-in page keeping one) gets the sign-in page that keeps its answers; a final
    提出 is sent to sign in and then to its confirmation page (the answers are already saved);
    other POSTs pass."""
    pages = pages_posted_to(request.endpoint)
    if pages is not None:
        return _sign_in_again(pages, reason=timed_out_reason(), status=401)
    if request.endpoint == RESUME_ENDPOINT:
        return _resume_again(status=401)
    pages = pages_submitted_to(request.endpoint)
    if pages is not None:
        flash(
            _("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。"),
            "info",
        )
        confirm = url_for(pages.confirm, **(request.view_args or {}))
        return redirect(url_for("auth.login", next=confirm))
    rule = carry_of(request.endpoint)
    typist = sessions.previous_user_id()
    if rule is not None and typist is not None:
        carried = carrying.from_page_request(rule, typist)
        return sign_in_again_page(carried, reason=timed_out_reason(), status=401)
    return None


def handle_csrf_error(exc: CSRFError) -> ResponseReturnValue:
    """A POST without a valid CSRF token: refused (400) and nothing saved, in words people
    understand; a questionnaire's typed answers come back (see the module's docstring)."""
    if is_api_request():
        return handle_http_exception(exc)
    db.session.rollback()
    pages = pages_posted_to(request.endpoint)
    if pages is not None and request.method == "POST":
        user = _signed_in_user()
        if user is None:
            return _sign_in_again(pages, reason=signed_out_reason(), status=400)
        if sessions.previous_user_id() not in (None, user.id):
            return refused_page()  # typed in another account's session
        return _typed_back(pages, user)
    if request.endpoint == RESUME_ENDPOINT:
        return _resume_again(status=400)
    rule = carry_of(request.endpoint)
    if rule is not None and request.method == "POST":
        return _page_typing_back(rule)
    return refused_page()


def _page_typing_back(rule: Carry) -> ResponseReturnValue:
    """A marked page's POST refused for its token: signed out, the sign-in page that keeps the
    typing; still signed in as the account that typed, the page again with it. Typing of
    another account's session (someone else signed in since) is not shown: the refusal page."""
    user = _signed_in_user()
    typist = sessions.previous_user_id()
    if user is None:
        if typist is None:
            return refused_page()
        carried = carrying.from_page_request(rule, typist)
        return sign_in_again_page(carried, reason=signed_out_reason(), status=400)
    if typist != user.id and (typist is not None or rule.sensitive):
        return refused_page()
    if not permits(user, permission_of(request.endpoint or "") or ""):
        return refused_page()
    carried = carrying.from_page_request(rule, user.id)
    problem = _(
        "画面を開いてから時間がたったか、別の画面でログインし直したため、保存できませんでした。"
        "入力した内容は入力欄に残っています。確かめてから、もう一度ボタンを押してください。"
    )
    shown = refilled_page(carried, notice=problem, status=400)
    if shown.status_code != 400:  # the page itself is not this user's (or not there): refused
        get_flashed_messages()  # the notice was for that page
        return refused_page()
    return shown


def _signed_in_user() -> User | None:
    """The user whose session this still is (a timed-out session ends here)."""
    if not current_user.is_authenticated:
        return None
    if sessions.session_timed_out():
        sessions.end_session()
        return None
    user: User = current_user._get_current_object()
    return user


def _sign_in_again(pages: Pages, *, reason: str, status: int) -> ResponseReturnValue:
    args = request.view_args or {}
    round_ = db.session.get(Round, args.get("round_id"))
    if round_ is None:
        return refused_page()
    carried = carrying.from_request(pages.form, round_.id, str(args["code"]), round_.questionnaire)
    carried = carrying.with_typist(carried, sessions.previous_user_id())
    return sign_in_again_page(carried, reason=reason, status=status)


def _typed_back(pages: Pages, user: User) -> ResponseReturnValue:
    """The questionnaire again with what was posted in its fields (and a fresh token); the
    refusal page when this user may not edit it (the refusal is the CSRF one, 400, either way)."""
    g.actor = user
    args = request.view_args or {}
    if not permits(user, permission_of(pages.form) or ""):
        return refused_page()
    try:
        response = load_response(int(args["round_id"]), str(args["code"]))
    except HubError:
        db.session.rollback()
        return refused_page()
    problem = _(
        "画面を開いてから時間がたったか、別の画面でログインし直したため、保存できませんでした。"
        "入力した内容は下の入力欄に残っています。確かめてから、もう一度「一時保存」または"
        "「提出」を押してください。"
    )
    form = new_form(response, from_request=True)
    return render_questionnaire(response, form, pages, status=400, problem=problem)


def _resume_again(*, status: int) -> ResponseReturnValue:
    """The sign-in page of ``hub.web.resume`` posted with a stale token: show it again (or, to
    someone who signed in meanwhile in another tab, the questionnaire with the answers)."""
    carried = carrying.load(request.form.get("carried", ""))
    if carried is None:
        return refused_page()
    user = _signed_in_user()
    if user is not None and carried.user_id in (None, user.id):
        if carried.endpoint not in REGISTERED:
            return refilled_page(carried, notice=refilled_notice())
        pages = pages_for(user, carried)
        if pages is not None:
            return typed_answers_form(user, carried, pages)
    return sign_in_again_page(carried, reason=signed_out_reason(), status=status)


def refused_page() -> ResponseReturnValue:
    message = _("画面の有効期限が切れたため、この操作は受け付けられませんでした。")
    detail = _(
        "画面を開いてから時間がたったか、別の画面でログアウトまたはログインし直した可能性があります。"
        "入力した内容は保存されていません。画面を開き直してから、もう一度操作してください。"
    )
    return (
        render_template(
            "error.html",
            status=400,
            message=message,
            detail=detail,
            back=_same_site_referrer(),
            sign_in=not current_user.is_authenticated,
        ),
        400,
    )


def _same_site_referrer() -> str | None:
    """The page the refused form was on, if it was one of ours (to open it again)."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
