"""Forms of the administrator's pages; the user services decide what is acceptable."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField


class CreateUserForm(FlaskForm):
    email = StringField(
        _l("メールアドレス"), render_kw={"autocomplete": "off", "spellcheck": "false"}
    )
    display_name = StringField(
        _l("氏名（表示名）"),
        description=_l("画面や履歴にメールアドレスの代わりに表示します。例: 山田 花子"),
        render_kw={"autocomplete": "off"},
    )
    organisation = StringField(
        _l("所属（組織・部署）"),
        description=_l("例: 千代田区 保健福祉部 福祉総務課、東京都 福祉局"),
        render_kw={"autocomplete": "off"},
    )
    phone = StringField(
        _l("電話番号（省略可）"),
        description=_l("督促の連絡先として都の担当者に表示します。"),
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    role = SelectField(_l("役割"), validate_choice=False)
    municipality = SelectField(
        _l("自治体（回答者・相談窓口のみ）"),
        validate_choice=False,
        description=_l("回答者と相談窓口は必ず選びます。"),
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


class ProfileForm(FlaskForm):
    display_name = CreateUserForm.display_name
    organisation = CreateUserForm.organisation
    phone = CreateUserForm.phone


class RoleForm(FlaskForm):
    role = SelectField(_l("役割"), validate_choice=False)
    municipality = SelectField(
        CreateUserForm.municipality.args[0],
        validate_choice=False,
        description=_l(
            "回答者と相談窓口は必ず選びます。ほかの役割に変えると、今の区市町村は外れます。"
        ),
    )
    recipient = SelectField(
        CreateUserForm.recipient.args[0],
        validate_choice=False,
        description=_l("連携先は必ず選びます。ほかの役割に変えると、今の送付先は外れます。"),
    )
