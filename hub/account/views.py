"""Signing in and out, changing one's password, choosing the language. Each role lands on its
own home page after signing in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from exports.channels import CHANNEL_LABELS
from forms.normalize import InvalidValue, normalize_email
from hub.auth import sessions
from hub.auth.passwords import typed_in_full_width
from hub.auth.policy import SIGNED_IN, allow, has_referrals, public
from hub.auth.sessions import end_session, start_session
from hub.db import db
from hub.errors import Invalid
from hub.files import delivered_file_response
from hub.models import Role, Round, User
from hub.services import audit, sharing, throttle
from hub.services.delivered_files import files_kept, manifest_offered
from hub.services.deliveries import (
    LOG_ON_THE_PAGE,
    STATUS_LABELS,
    changed_tables,
    delivery_log,
    last_look,
)
from hub.services.recipients import describe_schedule, get_recipient
from hub.services.users import AccountUnusable, authenticate, change_password, log_out_everywhere
from hub.web.display import round_title

bp = Blueprint("auth", __name__)

LANGUAGES = ("ja", "en")
LANG_COOKIE_AGE = 365 * 24 * 3600


class LoginForm(FlaskForm):
    email = EmailField(
        _l("メールアドレス"),
        validators=[
            DataRequired(_l("メールアドレスを入力してください。")),
            Length(max=254, message=_l("メールアドレスが長すぎます。")),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("パスワード"),
        validators=[
            DataRequired(_l("パスワードを入力してください。")),
            Length(max=256, message=_l("パスワードが長すぎます。")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("現在のパスワード"), render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("新しいパスワード"),
        description=_l("12文字以上。メールアドレスの一部や同じ文字の繰り返しは使えません。"),
        render_kw={"autocomplete": "new-password"},
    )
    new_password_again = PasswordField(
        _l("新しいパスワード（確認）"), render_kw={"autocomplete": "new-password"}
    )


def home_for(role: str) -> str:
    """Where each role lands after signing in."""
    homes: dict[str, str] = {
        Role.RESPONDENT: "respond.home",
        Role.STAFF: "staff.home",
        Role.ADMIN: "admin.home",
        Role.COUNTERPART: "auth.counterpart_home",
        Role.WINDOW: "referrals.index",
    }
    return homes.get(role, "auth.login")


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def typed_login(email: str) -> str:
    """What the audit log keeps of a failed login's e-mail field: people type their password
    there by mistake, so anything that is not a well-formed e-mail address is not kept."""
    try:
        return normalize_email(email)[:200]
    except InvalidValue:
        return "（メールアドレス以外の入力）"


class LoginThrottled(Exception):
    """Too many failed sign-ins for the account or the address: wait for the window to pass."""


class LoginRefused(Exception):
    """The right password of an account that cannot sign in (deactivated, or its temporary
    password expired): ``message`` says so and whom to ask."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_login(email: str, password: str) -> User | None:
    """The user these credentials belong to, or ``None`` (the failure is counted and logged).

    Raises :class:`LoginThrottled` while the account or the address is locked out, and
    :class:`LoginRefused` for the right password of an account that cannot sign in (counted and
    logged as a failure too); signs nobody in (:func:`finish_login` does), so a caller may still
    refuse the user.
    """
    address = request.remote_addr or ""
    if throttle.is_throttled(email, address):
        audit.record("auth.login_throttled", user=None, target=typed_login(email))
        db.session.commit()
        raise LoginThrottled
    refusal = None
    try:
        user = authenticate(email, password)
    except AccountUnusable as exc:
        user, refusal = None, exc.message
    if user is not None:
        throttle.clear_failures(email)
        return user
    throttle.record_failure(email, address)
    audit.record("auth.login_failed", user=None, target=typed_login(email))
    db.session.commit()
    if refusal is not None:
        raise LoginRefused(refusal)
    return None


def finish_login(user: User) -> None:
    """Sign ``user`` in with a fresh session, and log it."""
    start_session(user)
    audit.record("auth.login", user=user, target=user.email)
    db.session.commit()


def wrong_credentials_message(password: str = "") -> str:
    """The answer to a wrong e-mail or password; when the password was typed with the IME on
    (全角), the likely cause is said too (passwords are never typed in 全角)."""
    message = _("メールアドレスまたはパスワードが正しくありません。")
    if typed_in_full_width(password):
        message += " " + _(
            "パスワードが全角で入力されています。入力モードを半角英数にしてから入力してください。"
        )
    return message


def throttled_message() -> str:
    return ngettext(
        "ログインの失敗が続いたため、このアカウントまたはこの端末からのログインを"
        "一時的に止めています。%(minutes)s分ほど待ってからやり直してください。",
        "ログインの失敗が続いたため、このアカウントまたはこの端末からのログインを"
        "一時的に止めています。%(minutes)s分ほど待ってからやり直してください。",
        throttle.WINDOW_MINUTES,
        minutes=throttle.WINDOW_MINUTES,
    )


def retry_after_headers() -> dict[str, str]:
    return {"Retry-After": str(throttle.WINDOW_MINUTES * 60)}


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    """Sign in; after too many failures for the account or the address (counted in the
    database, so across every worker process) the answer is 429 until the window passes."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = check_login(form.email.data or "", form.password.data or "")
        except LoginThrottled:
            flash(throttled_message(), "error")
            return render_template("auth/login.html", form=form), 429, retry_after_headers()
        except LoginRefused as exc:
            flash(exc.message, "error")
            return render_template("auth/login.html", form=form), 403
        if user is not None:
            finish_login(user)
            return redirect(_safe_next(request.args.get("next")) or url_for(home_for(user.role)))
        flash(wrong_credentials_message(form.password.data or ""), "error")
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@allow(SIGNED_IN)
def logout() -> Any:
    """Sign out: the session is revoked (a copied cookie stops working), on every device."""
    log_out_everywhere(current_user._get_current_object())
    db.session.commit()
    end_session()
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for("auth.login"))


@bp.get("/session")
@public
def session_status() -> Any:
    """How long this browser's session has left, for the page's timeout warning. Looking is not
    activity: it keeps no session alive (``hub.auth.sessions.STATUS_ENDPOINT``). A signed-in
    answer carries a CSRF token of the session as it is now: a page whose session ended and was
    signed in again (in another tab) puts it in its forms, so what was typed can still be sent
    (only other pages of this site can read the answer)."""
    return _session_reply()


@bp.post("/session")
@allow(SIGNED_IN)
def extend_session() -> Any:
    """「ログインを続ける」 on the timeout warning: this request is the activity that restarts the
    idle timeout (the 12-hour limit stays); answers the new time left."""
    return _session_reply()


def _session_reply() -> Any:
    left = sessions.time_left()
    if left["signed_in"]:
        left["csrf_token"] = generate_csrf()
    return jsonify(left), 200, {"Cache-Control": "no-store"}


@bp.route("/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
def password() -> Any:
    """Change one's own password; every other session of the account ends."""
    form = PasswordForm()
    if not form.is_submitted():
        return render_template("auth/password.html", form=form, errors={})
    user = current_user._get_current_object()
    new = form.new_password.data or ""
    if new != (form.new_password_again.data or ""):
        errors = {
            "new_password_again": [_("確認のため、同じパスワードをもう一度入力してください。")]
        }
        return render_template("auth/password.html", form=form, errors=errors), 422
    try:
        change_password(user, form.current_password.data or "", new)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return render_template("auth/password.html", form=form, errors=exc.errors), 422
    start_session(user)
    flash(_("パスワードを変更しました。他の端末のログインは終了しました。"), "success")
    return redirect(url_for(home_for(user.role)))


@bp.get("/language/<lang>")
@public
def language(lang: str) -> Any:
    """Switch the language of the pages (a cookie; no script needed) and go back."""
    target = _safe_next(request.args.get("next")) or url_for("auth.index")
    response = redirect(target)
    if lang in LANGUAGES:
        response.set_cookie(
            "lang", lang, max_age=LANG_COOKIE_AGE, httponly=True, samesite="Lax", path="/"
        )
    return response


@bp.get("/")
@public
def index() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for(home_for(current_user.role)))
    return redirect(url_for("auth.login"))


@bp.get("/counterpart")
@allow("deliveries.read")
def counterpart_home() -> Any:
    """A counterpart's home: its recipient's delivery profile and the log of what was sent to it
    (only its own recipient's; no table content, errors or server paths). Staff, who may read
    every recipient's log, are sent to the recipients page."""
    user = current_user._get_current_object()
    if user.role == Role.STAFF:
        return redirect(url_for("recipients.index"))
    recipient = get_recipient(user.recipient_name) if user.recipient_name else None
    log = delivery_log(recipient.name, limit=LOG_ON_THE_PAGE) if recipient else []
    round_ids = {d.round_id for d in log if d.round_id is not None}
    rounds = list(db.session.scalars(select(Round).where(Round.id.in_(round_ids))))
    return render_template(
        "auth/counterpart.html",
        recipient=recipient,
        log=log,
        look=last_look(recipient.name) if recipient else None,
        log_limit=LOG_ON_THE_PAGE,
        round_titles={r.id: round_title(r) for r in rounds},
        schedule=describe_schedule(recipient.schedule) if recipient else "",
        channel_labels=CHANNEL_LABELS,
        status_labels=STATUS_LABELS,
        api_calls=api_calls(user),
        files_kept=files_kept,
        manifest_offered=manifest_offered,
        changed_tables=changed_tables,
        copy_days=current_app.extensions["hub_settings"].delivery_copy_days,
    )


@bp.get("/counterpart/deliveries/<delivery_id>/files/<file_name>")
@allow("deliveries.files")
def delivered_file(delivery_id: str, file_name: str) -> Any:
    """One file of a delivery in the counterpart's log, as it was delivered (staff too; 404 to
    anyone else)."""
    return delivered_file_response(delivery_id, file_name)


@dataclass(frozen=True)
class ApiCall:
    """One operation of ``/api/v1`` a counterpart may call, as its page lists it."""

    method: str
    path: str
    what: str


def api_calls(user: User) -> list[ApiCall]:
    """What the counterpart's page says it may call with a token (``hub/auth/policy.py`` decides;
    a test holds the list to the URL map both ways): the reads every counterpart has, and the
    つなぎ of a referring one (東京保護観察所)."""
    minimum = sharing.minimum()
    summary = (
        ngettext(
            "調査回の集計（JSON。提出した区市町村が%(minimum)s団体に達するまでは 409）",
            "調査回の集計（JSON。提出した区市町村が%(minimum)s団体に達するまでは 409）",
            minimum,
            minimum=minimum,
        )
        if minimum > 0
        else _("調査回の集計（JSON）")  # shared however few submitted: never a 409 for that
    )
    calls = [
        ApiCall("GET", "/api/v1/deliveries", _("配信記録（このページの一覧と同じ）")),
        ApiCall(
            "GET",
            "/api/v1/deliveries/{id}/files/{name}",
            _(
                "配信したファイルと manifest.json（配信したときのまま。メール・HTTPS の控えは保管期間内のみ）"
            ),
        ),
        ApiCall("GET", "/api/v1/rounds", _("調査回の一覧")),
        ApiCall("GET", "/api/v1/rounds/{round}", _("調査回")),
        ApiCall("GET", "/api/v1/rounds/{round}/summary", summary),
        ApiCall(
            "GET", "/api/v1/consultations/summary", _("相談窓口の集計（少ない件数は伏せます）")
        ),
        ApiCall("GET", "/api/v1/referrals/summary", _("つなぎの集計（少ない件数は伏せます）")),
        ApiCall("GET", "/api/v1/questionnaires", _("調査票とその版の一覧")),
        ApiCall("GET", "/api/v1/questionnaires/{id}/versions/{n}", _("調査票の版（設問と選択肢）")),
        ApiCall("GET", "/api/v1/municipalities", _("区市町村の一覧")),
    ]
    if has_referrals(user):
        calls += [
            ApiCall("POST", "/api/v1/referrals", _("つなぎの依頼")),
            ApiCall("GET", "/api/v1/referrals", _("依頼したつなぎの一覧")),
            ApiCall("GET", "/api/v1/referrals/{id}", _("依頼したつなぎ（経過を含む）")),
            ApiCall("GET", "/api/v1/referrals/{id}/access-log", _("つなぎの閲覧記録")),
            ApiCall("POST", "/api/v1/referrals/{id}/reroute", _("つなぎ先の変更")),
            ApiCall("POST", "/api/v1/referrals/{id}/withdraw-consent", _("同意の撤回")),
        ]
    return calls
