"""The administrator's pages: users (create, deactivate, reactivate, reset password, change the
role or the municipality or recipient bound to it) and their API tokens (list, revoke).

An administrator reads no survey data, so holds no working credential of anyone else: tokens are
minted by their owners (``hub.account.tokens``), a reset mails a temporary password to the user,
and the first password of a new account (shown once here) must be replaced at the first login."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from forms import tokyo
from forms.wording import noted
from hub.account.tokens import revoke_and_tell, secret_page
from hub.admin.forms import BindForm, CreateUserForm, ProfileForm, RoleForm
from hub.auth.gate import require_actor
from hub.auth.policy import allow
from hub.db import db
from hub.errors import Conflict, Invalid
from hub.models import ApiToken, Municipality, Recipient, Role, User
from hub.services import users
from hub.web.carried import carries, refill_form
from hub.web.display import data_choice, place_choice, role_label

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _municipality_choices(current: str | None = None) -> list[SelectChoice]:
    """The municipalities that exist today (one retired on a day still to come is offered until
    then, marked with its day), and ``current`` (an account's own, retired since) marked."""
    rows = db.session.scalars(
        select(Municipality)
        .where(Municipality.existed_on(tokyo.today()) | (Municipality.code == current))
        .order_by(Municipality.code)
    )
    return [
        SelectChoice("", "—"),
        *(SelectChoice(m.code, f"{m.code} {place_choice(m)}") for m in rows),
    ]


def _recipient_choices() -> list[SelectChoice]:
    rows = db.session.execute(select(Recipient.name, Recipient.title).order_by(Recipient.name))
    return [
        SelectChoice("", "—"),
        *(data_choice(name, noted(title, name), title) for name, title in rows),
    ]


@bp.get("/")
@allow("users.manage")
def home() -> ResponseReturnValue:
    search = request.args.get("q", "")
    found = users.users_page(request.args.get("page", ""), search=search)
    return render_template("admin/users.html", page=found, search=search.strip())


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, role_label(role.value)) for role in Role]


def _create_form() -> CreateUserForm:
    form = CreateUserForm()
    form.role.choices = _role_choices()
    form.municipality.choices = _municipality_choices()
    form.recipient.choices = _recipient_choices()
    return form


@bp.route("/users/new", methods=["GET", "POST"])
@allow("users.manage")
@carries()
def new_user() -> ResponseReturnValue:
    form = _create_form()
    if not form.is_submitted():
        return render_template("admin/new_user.html", form=refill_form(form), errors={})
    password = form.password.data or secrets.token_urlsafe(12)
    try:
        user = users.create_user(
            form.email.data or "",
            role=form.role.data or "",
            password=password,
            municipality_code=form.municipality.data or None,
            recipient_name=form.recipient.data or None,
            display_name=form.display_name.data or "",
            organisation=form.organisation.data or "",
            phone=form.phone.data or "",
            actor=require_actor(),
            must_change_password=True,
        )
        db.session.commit()
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        errors = _errors_of(exc, "email")
        return render_template("admin/new_user.html", form=form, errors=errors), 422
    generated = None if form.password.data else password
    admin = require_actor()
    session[JUST_CREATED] = {
        "user": user.id,
        "password": users.sealed_for_showing(generated, _created_context(admin, user))
        if generated
        else None,
    }
    return redirect(url_for("admin.created", user_id=user.id), 303)


JUST_CREATED = "just_created"
"""The session key holding the account just added (and its generated password, sealed) until the
page after the redirect shows it: reloading that page adds no one and shows the password no more."""


def _created_context(admin: User, user: User) -> str:
    return f"admin.new_user:{admin.id}:{user.id}"


@bp.get("/users/<int:user_id>/created")
@allow("users.manage")
def created(user_id: int) -> ResponseReturnValue:
    """The account just added, with a generated initial password shown this once; opened again
    (a reload, the history), the account's page, saying why the password is not there."""
    account = users.get_user(user_id)
    kept = session.pop(JUST_CREATED, None)
    if not isinstance(kept, dict) or kept.get("user") != user_id:
        flash(
            _(
                "初期パスワードは、追加した直後に一度だけ表示されます。控えていないときは、"
                "パスワードをリセットしてください。"
            ),
            "info",
        )
        return redirect(url_for("admin.user", user_id=user_id))
    password = users.opened_for_showing(
        kept.get("password"), _created_context(require_actor(), account)
    )
    return secret_page("admin/created.html", user=account, password=password)


def _errors_of(exc: Invalid | Conflict, field: str) -> Mapping[str, list[str]]:
    if isinstance(exc, Invalid):
        return exc.errors
    return {field: [exc.message]}


@bp.get("/users/<int:user_id>")
@allow("users.manage")
def user(user_id: int) -> ResponseReturnValue:
    """An account's page; its profile or role typed before the session ended given back in its
    form (``hub.web.carried``)."""
    return _user_page(users.get_user(user_id))


def _user_page(
    account: User,
    *,
    errors: Mapping[str, list[str]] | None = None,
    bind_form: BindForm | None = None,
    profile_form: ProfileForm | None = None,
    role_form: RoleForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if profile_form is None:
        profile_form = ProfileForm(formdata=None, obj=account)
        refill_form(profile_form, posted_to="admin.profile")
    # a deactivated account whose municipality was retired meanwhile is reactivated with
    # another one (the same field, in the reactivation's form), the retired one not offered
    new_municipality = not account.active and users.needs_new_municipality(account)
    current = None if new_municipality else account.municipality_code
    if bind_form is None:
        bind_form = BindForm(formdata=None, data={"municipality": current})
    bind_form.municipality.choices = _municipality_choices(current)
    if role_form is None:
        role_form = RoleForm(formdata=None, obj=account)
        role_form.municipality.data = account.municipality_code
        role_form.recipient.data = account.recipient_name
        refill_form(role_form, posted_to="admin.change_role")
    role_form.role.choices = _role_choices()
    role_form.municipality.choices = _municipality_choices(account.municipality_code)
    role_form.recipient.choices = _recipient_choices()
    return (
        render_template(
            "admin/user.html",
            account=account,
            tokens=users.tokens_of(account),
            errors=dict(errors or {}),
            bind_form=bind_form,
            profile_form=profile_form,
            role_form=role_form,
            mail_configured=bool(current_app.extensions["hub_settings"].smtp_url),
            retired_meanwhile=users.retired_meanwhile(account) if new_municipality else None,
        ),
        status,
    )


def _changed_meanwhile(account: User, refusal: Conflict) -> ResponseReturnValue:
    """An action the account's state no longer allows — a second click on a page left open, or
    another administrator first: the account's page as it is now, saying why nothing was done
    (as staff's accept and return do), instead of a bare 409."""
    db.session.rollback()
    db.session.refresh(account)
    messages = [refusal.message, _("このアカウントの現在の状態を確かめてください。")]
    return _user_page(account, errors={"state": messages}, status=409)


@bp.post("/users/<int:user_id>/deactivate")
@allow("users.manage")
def deactivate(user_id: int) -> ResponseReturnValue:
    """Deactivate: no login, every session ended, every API token revoked."""
    account = users.get_user(user_id)
    try:
        users.deactivate(account, actor=require_actor())
    except Conflict as exc:
        return _changed_meanwhile(account, exc)
    db.session.commit()
    flash(_("%(email)s を無効化しました。", email=account.email), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/reactivate")
@allow("users.manage")
def reactivate(user_id: int) -> ResponseReturnValue:
    """Undo a deactivation: a temporary password mailed as a reset does (the old password and
    tokens are gone), and another municipality for one whose own was retired meanwhile."""
    account = users.get_user(user_id)
    form = BindForm()
    try:
        users.reactivate(
            account, actor=require_actor(), municipality_code=form.municipality.data or None
        )
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _user_page(account, errors=exc.errors, bind_form=form, status=422)
    except Conflict as exc:
        db.session.rollback()
        db.session.refresh(account)
        if account.active:  # a second click, or another administrator first
            return _changed_meanwhile(account, exc)
        # the mail did not go: nothing changed, the municipality chosen stays chosen
        return _user_page(account, errors={"reactivate": [exc.message]}, bind_form=form, status=409)
    flash(
        _(
            "%(email)s を再有効化しました。仮パスワードをメールで送りました。次のログインで"
            "新しいパスワードを決めてもらいます。以前のAPIトークンは使えません。",
            email=account.email,
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
@allow("users.manage")
def reset_password(user_id: int) -> ResponseReturnValue:
    """Mail the user a temporary password (the administrator never sees it)."""
    account = users.get_user(user_id)
    try:
        users.reset_password(account, actor=require_actor())
        db.session.commit()
    except Conflict as exc:
        db.session.rollback()
        return _user_page(account, errors={"reset": [exc.message]}, status=exc.status)
    flash(
        _(
            "%(email)s に仮パスワードをメールで送りました。次のログインで新しいパスワードを"
            "決めてもらいます。今のログインはすべて終了しました。",
            email=account.email,
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/profile")
@allow("users.manage")
@carries(page="admin.user")
def profile(user_id: int) -> ResponseReturnValue:
    """Name, organisation/department and phone: how pages name and staff reach the person."""
    account = users.get_user(user_id)
    form = ProfileForm()
    try:
        users.update_profile(
            account,
            display_name=form.display_name.data or "",
            organisation=form.organisation.data or "",
            phone=form.phone.data or "",
            actor=require_actor(),
        )
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _user_page(account, errors=exc.errors, profile_form=form, status=422)
    flash(_("氏名・所属・電話番号を変更しました。"), "success")
    return redirect(url_for("admin.user", user_id=user_id))


def _as_shown(chosen: str | None, present: str | None) -> str | users.Shown | None:
    """The municipality or recipient the role form sends: the form comes filled with the
    account's present one, which :func:`hub.services.users.change_role` keeps or lets go as the
    new role asks (:data:`~hub.services.users.PRESENT`); one the administrator chose is passed on
    as chosen."""
    if (chosen or None) == present:
        return users.PRESENT
    return chosen or None


@bp.post("/users/<int:user_id>/role")
@allow("users.manage")
@carries(page="admin.user")
def change_role(user_id: int) -> ResponseReturnValue:
    """Another role, municipality or recipient: the account signs in again (every session ended,
    every API token revoked) and is told by mail, after the change is committed."""
    account = users.get_user(user_id)
    form = RoleForm()
    try:
        before = users.change_role(
            account,
            role=form.role.data or "",
            municipality_code=_as_shown(form.municipality.data, account.municipality_code),
            recipient_name=_as_shown(form.recipient.data, account.recipient_name),
            actor=require_actor(),
        )
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _user_page(account, errors=exc.errors, role_form=form, status=422)
    except Conflict as exc:
        db.session.rollback()
        db.session.refresh(account)
        return _user_page(account, errors={"role": [exc.message]}, role_form=form, status=409)
    if before is None:
        flash(_("役割・自治体・送付先は変わっていないため、何も変更していません。"), "info")
        return redirect(url_for("admin.user", user_id=user_id))
    flash(
        _(
            "%(email)s の役割・所属を変更しました。今のログインはすべて終了し、APIトークンは"
            "すべて無効にしました。",
            email=account.email,
        ),
        "success",
    )
    if released := users.let_go(before, account):
        flash(released, "info")
    if (unsent := users.tell_role_changed(account, before)) is None:
        flash(_("本人に、もう一度ログインするようメールで知らせました。"), "info")
    else:
        flash(
            _(
                "本人へのお知らせメールは送れませんでした（%(reason)s）。もう一度ログインする"
                "よう、本人に直接伝えてください。",
                reason=unsent.rstrip("。"),
            ),
            "warning",
        )
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/tokens/<int:token_id>/revoke")
@allow("users.manage")
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke anyone's token (minting one is for its owner only)."""
    owner_id = db.session.scalar(select(ApiToken.user_id).where(ApiToken.id == token_id))
    revoke_and_tell(token_id)
    return redirect(url_for("admin.user", user_id=owner_id))
