"""Signing in and out. Each role lands on its own home page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from hub.auth.policy import SIGNED_IN, allow, public
from hub.db import db
from hub.models import Role
from hub.services import audit
from hub.services.users import find_by_email, verify_password

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("メールアドレス"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(), Length(max=256)])


def home_for(role: str) -> str:
    """Where each role lands after signing in."""
    homes: dict[str, str] = {
        Role.RESPONDENT: "respond.home",
        Role.STAFF: "staff.home",
        Role.ADMIN: "admin.home",
        Role.COUNTERPART: "auth.counterpart_home",
    }
    return homes.get(role, "auth.login")


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = find_by_email(form.email.data or "")
        if user is not None and user.active and verify_password(user, form.password.data or ""):
            login_user(user)
            audit.record("auth.login", user=user, target=user.email)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for(home_for(user.role)))
        audit.record("auth.login_failed", user=None, target=(form.email.data or "")[:200])
        db.session.commit()
        flash(_("メールアドレスまたはパスワードが正しくありません。"), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@allow(SIGNED_IN)
def logout() -> Any:
    user = current_user._get_current_object()
    audit.record("auth.logout", user=user, target=user.email)
    db.session.commit()
    logout_user()
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for("auth.login"))


@bp.get("/")
@public
def index() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for(home_for(current_user.role)))
    return redirect(url_for("auth.login"))


@bp.get("/counterpart")
@allow(SIGNED_IN)
def counterpart_home() -> Any:
    return render_template("auth/counterpart.html")
