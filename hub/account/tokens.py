"""Your own API tokens: list them, mint one (shown once), revoke one.

A new token is shown by a GET after the POST that mints it (Post/Redirect/Get): the POST keeps
it in the session cookie for one showing, sealed with the data key (the cookie is signed, not
encrypted: a copied cookie or a proxy's log must not hold a working token), and the page that
shows it takes it out, so reloading either page mints nothing and shows the secret no more.

Only the account itself mints its tokens — an administrator, who reads no survey data, may revoke
anyone's but mint none (``hub.services.users.create_token``). The views are on the account's
blueprint (``auth.tokens`` …); the administrator's page reuses :func:`revoke_and_tell` and
:func:`secret_page`.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from hub.account.views import bp
from hub.auth.gate import require_actor
from hub.auth.policy import SIGNED_IN, allow
from hub.db import db
from hub.errors import Conflict
from hub.models import TOKEN_DESCRIPTION_LENGTH
from hub.services import users

JUST_MINTED = "just_minted"
"""The session key holding a token just minted until the page showing it takes it out."""


class TokenForm(FlaskForm):
    description = StringField(
        _l("用途（省略可）"),
        description=_l("例: 庁内システム連携用（%(n)s文字以内）", n=TOKEN_DESCRIPTION_LENGTH),
        validators=[
            Length(
                max=TOKEN_DESCRIPTION_LENGTH,
                message=_l("用途は%(n)s文字以内で入力してください。", n=TOKEN_DESCRIPTION_LENGTH),
            )
        ],
        render_kw={"autocomplete": "off", "maxlength": False},
    )
    """No ``maxlength`` (which ``Length`` would add): a browser would cut a pasted text silently;
    the server names the excess instead, as the questionnaire forms do."""


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
    return _tokens_page(TokenForm(formdata=None))


def _tokens_page(form: TokenForm, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "account/tokens.html", tokens=users.tokens_of(require_actor()), form=form
    )
    return page, status


@bp.post("/account/tokens")
@allow(SIGNED_IN)
def create_token() -> ResponseReturnValue:
    """Mint a token and go to the page that shows it: reloading that page mints no second."""
    user = require_actor()
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, 422)
    token = users.create_token(user, description=form.description.data or "", actor=user)
    db.session.commit()
    session[JUST_MINTED] = users.sealed_for_showing(token, users.new_token_context(user))
    return redirect(url_for("auth.new_token"))


@bp.get("/account/tokens/new")
@allow(SIGNED_IN)
def new_token() -> ResponseReturnValue:
    """The token just minted, shown this once; opened again (a reload, a bookmark, the
    history), the list of tokens, saying why the secret is not there."""
    kept = session.pop(JUST_MINTED, None)
    token = users.opened_for_showing(kept, users.new_token_context(require_actor()))
    if token is None:
        flash(
            _(
                "トークンは発行した直後に一度だけ表示されます。控えていないときは、"
                "そのトークンを無効にして、新しく発行してください。"
            ),
            "info",
        )
        return redirect(url_for("auth.tokens"))
    return secret_page("account/token.html", token=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
@allow(SIGNED_IN)
def revoke_token(token_id: int) -> ResponseReturnValue:
    revoke_and_tell(token_id)
    return redirect(url_for("auth.tokens"))
