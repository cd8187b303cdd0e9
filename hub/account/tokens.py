"""Your own API tokens: list them, mint one (shown once), revoke one.

Only the account itself mints its tokens — an administrator, who reads no survey data, may revoke
anyone's but mint none (``hub.services.users.create_token``). The views are on the account's
blueprint (``auth.tokens`` …); the administrator's page reuses :func:`revoke_and_tell` and
:func:`secret_page`.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from hub.account.views import bp
from hub.auth.gate import require_actor
from hub.auth.policy import SIGNED_IN, allow
from hub.db import db
from hub.errors import Conflict
from hub.services import users


class TokenForm(FlaskForm):
    description = StringField(
        _l("用途（省略可）"),
        description=_l("例: 庁内システム連携用"),
        render_kw={"autocomplete": "off"},
    )


def secret_page(template: str, **context: Any) -> ResponseReturnValue:
    """A page showing a password or token once: never cached by the browser or a proxy."""
    return render_template(template, **context), 200, {"Cache-Control": "no-store"}


def revoke_and_tell(token_id: int) -> None:
    """Revoke a token the signed-in user may revoke (404 otherwise) and say so on the next page."""
    try:
        revoked = users.revoke_token(token_id, actor=require_actor())
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return
    db.session.commit()
    flash(_("トークン %(prefix)s… を無効にしました。", prefix=revoked.prefix), "success")


@bp.get("/account/tokens")
@allow(SIGNED_IN)
def tokens() -> ResponseReturnValue:
    return render_template(
        "account/tokens.html",
        tokens=users.tokens_of(require_actor()),
        form=TokenForm(formdata=None),
    )


@bp.post("/account/tokens")
@allow(SIGNED_IN)
def create_token() -> ResponseReturnValue:
    user = require_actor()
    form = TokenForm()
    token = users.create_token(user, description=form.description.data or "", actor=user)
    db.session.commit()
    return secret_page("account/token.html", token=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
@allow(SIGNED_IN)
def revoke_token(token_id: int) -> ResponseReturnValue:
    revoke_and_tell(token_id)
    return redirect(url_for("auth.tokens"))
