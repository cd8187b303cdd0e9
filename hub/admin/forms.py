"""Forms of the administrator's pages; the user services decide what is acceptable."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField


class CreateUserForm(FlaskForm):
    email = StringField(
        _l("メールアドレス"), render_kw={"autocomplete": "off", "spellcheck": "false"}
    )
    display_name = StringField(_l("表示名（省略可）"), render_kw={"autocomplete": "off"})
    role = SelectField(_l("役割"), validate_choice=False)
    municipality = SelectField(
        _l("自治体（回答者のみ）"), validate_choice=False, description=_l("回答者は必ず選びます。")
    )
    recipient = SelectField(
        _l("送付先（連携先のみ）"), validate_choice=False, description=_l("連携先は必ず選びます。")
    )
    password = PasswordField(
        _l("初期パスワード（省略可）"),
        description=_l("省略すると自動で作り、この後に一度だけ表示します。12文字以上。"),
        render_kw={"autocomplete": "new-password"},
    )


class BindForm(FlaskForm):
    municipality = SelectField(_l("自治体"), validate_choice=False)
