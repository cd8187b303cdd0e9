"""The small forms of the staff pages. They only carry the typed text (and the CSRF token);
the views parse dates and times and the services decide what is acceptable."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField


class OpenRoundForm(FlaskForm):
    survey = SelectField(_l("調査票"), validate_choice=False)
    title = StringField(
        _l("調査回の名称（省略可）"),
        description=_l("省略すると「調査票名（基準日現在）」になります。"),
    )
    reference_date = StringField(
        _l("基準日"),
        description=_l("例: 令和3年4月1日、2021-04-01"),
        render_kw={"autocomplete": "off"},
    )
    opens_at = StringField(
        _l("受付開始日時（省略可）"),
        description=_l("省略するとすぐに受付を始めます。例: 2021-04-05 09:00"),
        render_kw={"autocomplete": "off"},
    )
    deadline = StringField(
        _l("提出期限"),
        description=_l("日本時間。例: 2021-05-31 17:00、令和3年5月31日 17:00"),
        render_kw={"autocomplete": "off"},
    )
    municipalities = TextAreaField(
        _l("依頼する区市町村（省略可）"),
        description=_l(
            "省略すると、今日あるすべての区市町村に依頼します。一部の団体に依頼するときは、"
            "団体コード・名称・区分（区部・市部・町村部）を読点・カンマ・改行で区切って入力します。"
            "例: 区部、八王子市、132039"
        ),
        render_kw={"rows": 3, "autocomplete": "off"},
    )
    invite = BooleanField(
        _l("依頼する区市町村の回答者に、依頼メールを送る（受付開始の日時に送ります）"), default=True
    )


class ChangeRoundForm(FlaskForm):
    title = StringField(_l("調査回の名称"))
    opens_at = StringField(
        _l("受付開始日時"),
        description=_l(
            "まだ受付を始めていない調査回だけ変えられます。空にするとすぐに受付を始めます。"
        ),
        render_kw={"autocomplete": "off"},
    )
    deadline = StringField(
        _l("提出期限"),
        description=_l(
            "日本時間。例: 2021-06-15 17:00、令和3年6月15日 17:00。締め切った調査回は、"
            "今より後の期限にすると回答の受付を再開します。"
        ),
        render_kw={"autocomplete": "off"},
    )
    notify = BooleanField(
        _l("まだ提出していない区市町村に、新しい提出期限をメールで知らせる"), default=True
    )


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        _l("差し戻しの理由"),
        description=_l(
            "回答画面に表示されます。直してほしい項目と理由を書いてください。"
            "回答者には差し戻したことをメールで知らせます（理由はメールに書きません）。"
        ),
        render_kw={"rows": 4},
    )


class ExtensionForm(FlaskForm):
    until = StringField(
        _l("延長後の提出期限"),
        description=_l("日本時間。例: 2021-06-15 17:00、令和3年6月15日 17:00"),
        render_kw={"autocomplete": "off"},
    )
