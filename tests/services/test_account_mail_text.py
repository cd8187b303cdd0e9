"""The mails the hub sends to one account — a temporary password (a reset, a reactivation) and a
changed role — word for word: their Japanese, and for a user who chose English the same with
the English after it (subject too), the English from the catalog. Pinned whole, so that their
text and layout stay as they were written; the Japanese stays Japanese whatever language the
administrator who caused the mail reads the hub in."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from hub.db import db
from hub.models import User
from hub.services import users
from hub.services.users import Binding
from tests.conftest import make_user


def with_english(japanese: tuple[str, str], subject: str, lines: list[str]) -> tuple[str, str]:
    """The Japanese mail as a reader who chose English gets it: the English subject after the
    Japanese one, the English lines after the whole Japanese body."""
    english = "\n".join(["", "-- English --", *lines]) + "\n"
    return f"{japanese[0]} / {subject}", japanese[1] + english


# fmt: off
RESET_JA = (
    '【再犯防止 連携調査ハブ】パスワードが再設定されました',
    "\n".join(
        [
            '川田 花子（千代田区 保健福祉部） 様',
            '',
            '管理者が、再犯防止 連携調査ハブのアカウント（kawa@example.lg.jp）のパスワードを再設定しました。',
            '次の仮パスワードでログインし、表示される画面で新しいパスワードを決めてください。',
            '',
            '仮パスワード: TEMP-pass-123',
            '',
            'ログイン画面:',
            'http://127.0.0.1:5000/login',
            '',
            '仮パスワードは72時間有効です。新しいパスワードを決めるまで、ほかの画面は使えません。',
            '心当たりがない場合は、このメールを破棄し、管理者に連絡してください。',
            '',
            'このメールはシステムから自動送信されています。',
            'ご不明な点、宛先の変更や配信の停止は、東京都の担当者にご連絡ください。',
            '',
            '東京都 再犯防止 連携調査ハブ',
        ]
    )
    + "\n",
)

REACTIVATED_JA = (
    '【再犯防止 連携調査ハブ】アカウントが再び有効になりました',
    "\n".join(
        [
            '川田 花子（千代田区 保健福祉部） 様',
            '',
            '管理者が、無効になっていた再犯防止 連携調査ハブのアカウント（kawa@example.lg.jp）を再び有効にしました。以前のパスワードとAPIトークンは使えません。',
            '次の仮パスワードでログインし、表示される画面で新しいパスワードを決めてください。',
            '',
            '仮パスワード: TEMP-pass-123',
            '',
            'ログイン画面:',
            'http://127.0.0.1:5000/login',
            '',
            '仮パスワードは72時間有効です。新しいパスワードを決めるまで、ほかの画面は使えません。',
            '心当たりがない場合は、このメールを破棄し、管理者に連絡してください。',
            '',
            'このメールはシステムから自動送信されています。',
            'ご不明な点、宛先の変更や配信の停止は、東京都の担当者にご連絡ください。',
            '',
            '東京都 再犯防止 連携調査ハブ',
        ]
    )
    + "\n",
)

ROLE_JA = (
    '【再犯防止 連携調査ハブ】アカウントの役割が変更されました',
    "\n".join(
        [
            '川田 花子（千代田区 保健福祉部） 様',
            '',
            '管理者が、再犯防止 連携調査ハブのアカウント（kawa@example.lg.jp）の役割または所属を変更しました。',
            '',
            '変更前: 都職員',
            '変更後: 相談窓口（区市町村） 千代田区',
            '',
            '今のログインはすべて終了し、APIトークンはすべて無効になりました。パスワードは変わりません。もう一度ログインしてください。APIトークンが必要なときは、ログイン後に発行し直してください。',
            '',
            'ログイン画面:',
            'http://127.0.0.1:5000/login',
            '',
            '心当たりがない場合は、管理者に連絡してください。',
            '',
            'このメールはシステムから自動送信されています。',
            'ご不明な点、宛先の変更や配信の停止は、東京都の担当者にご連絡ください。',
            '',
            '東京都 再犯防止 連携調査ハブ',
        ]
    )
    + "\n",
)

ROLE2_JA = (
    '【再犯防止 連携調査ハブ】アカウントの役割が変更されました',
    "\n".join(
        [
            '川田 花子（千代田区 保健福祉部） 様',
            '',
            '管理者が、再犯防止 連携調査ハブのアカウント（kawa@example.lg.jp）の役割または所属を変更しました。',
            '',
            '変更前: 連携先（国） 法務省 保護局',
            '変更後: 相談窓口（区市町村） 千代田区',
            '',
            '今のログインはすべて終了し、APIトークンはすべて無効になりました。パスワードは変わりません。もう一度ログインしてください。APIトークンが必要なときは、ログイン後に発行し直してください。',
            '',
            'ログイン画面:',
            'http://127.0.0.1:5000/login',
            '',
            '心当たりがない場合は、管理者に連絡してください。',
            '',
            'このメールはシステムから自動送信されています。',
            'ご不明な点、宛先の変更や配信の停止は、東京都の担当者にご連絡ください。',
            '',
            '東京都 再犯防止 連携調査ハブ',
        ]
    )
    + "\n",
)

RESET_EN = with_english(
    RESET_JA,
    'Password reset',
    [
        'An administrator has reset the password of your account (kawa@example.lg.jp) on the hub.',
        'Sign in with the temporary password above on the page linked above, then choose your own password.',
        'The temporary password is valid for 72 hours. If you did not expect this mail, delete it and tell your administrator.',
        '',
        'This mail was sent automatically by the system.',
        'For questions, or to change the addresses or stop these mails, contact the Tokyo Metropolitan Government staff in charge.',
        '',
        'Tokyo Metropolitan Government — Recidivism Prevention Survey Hub',
    ],
)

REACTIVATED_EN = with_english(
    REACTIVATED_JA,
    'Account reactivated',
    [
        'An administrator has reactivated your account (kawa@example.lg.jp) on the hub; your former password and API tokens no longer work.',
        'Sign in with the temporary password above on the page linked above, then choose your own password.',
        'The temporary password is valid for 72 hours. If you did not expect this mail, delete it and tell your administrator.',
        '',
        'This mail was sent automatically by the system.',
        'For questions, or to change the addresses or stop these mails, contact the Tokyo Metropolitan Government staff in charge.',
        '',
        'Tokyo Metropolitan Government — Recidivism Prevention Survey Hub',
    ],
)

ROLE_EN = with_english(
    ROLE_JA,
    'Your role has changed',
    [
        'An administrator has changed the role of your account (kawa@example.lg.jp) on the hub.',
        'Before: Metropolitan staff',
        'Now: Municipal window Chiyoda',
        'You have been signed out everywhere and your API tokens no longer work; your password is unchanged. Sign in again on the page linked above and mint new API tokens if you need them. If you did not expect this mail, tell your administrator.',
        '',
        'This mail was sent automatically by the system.',
        'For questions, or to change the addresses or stop these mails, contact the Tokyo Metropolitan Government staff in charge.',
        '',
        'Tokyo Metropolitan Government — Recidivism Prevention Survey Hub',
    ],
)

ROLE2_EN = with_english(
    ROLE2_JA,
    'Your role has changed',
    [
        'An administrator has changed the role of your account (kawa@example.lg.jp) on the hub.',
        'Before: Counterpart (national) 法務省 保護局',
        'Now: Municipal window Chiyoda',
        'You have been signed out everywhere and your API tokens no longer work; your password is unchanged. Sign in again on the page linked above and mint new API tokens if you need them. If you did not expect this mail, tell your administrator.',
        '',
        'This mail was sent automatically by the system.',
        'For questions, or to change the addresses or stop these mails, contact the Tokyo Metropolitan Government staff in charge.',
        '',
        'Tokyo Metropolitan Government — Recidivism Prevention Survey Hub',
    ],
)

# fmt: on


@pytest.fixture
def kawada(ctx: Flask) -> User:
    user = make_user(role="window", municipality="131016", email="kawa@example.lg.jp")
    user.display_name = "川田 花子"
    user.organisation = "千代田区 保健福祉部"
    db.session.commit()
    return user


def _mails(user: User) -> dict[str, tuple[str, str]]:
    return {
        "reset": users.reset_message(user, "TEMP-pass-123"),
        "reactivated": users.reset_message(user, "TEMP-pass-123", reactivated=True),
        "role": users.role_change_message(user, Binding("staff")),
        "role2": users.role_change_message(user, Binding("counterpart", None, "moj")),
    }


@pytest.mark.parametrize("admin_reads", ["ja", "en"])
def test_the_mails_to_a_user_who_reads_japanese_are_japanese_only(
    kawada: User, admin_reads: str
) -> None:
    kawada.locale = "ja"
    with force_locale(admin_reads):
        mails = _mails(kawada)
    assert mails == {
        "reset": RESET_JA,
        "reactivated": REACTIVATED_JA,
        "role": ROLE_JA,
        "role2": ROLE2_JA,
    }


@pytest.mark.parametrize("admin_reads", ["ja", "en"])
def test_the_mails_to_a_user_who_chose_english_have_the_english_after_the_japanese(
    kawada: User, admin_reads: str
) -> None:
    kawada.locale = "en"
    with force_locale(admin_reads):
        mails = _mails(kawada)
    assert mails == {
        "reset": RESET_EN,
        "reactivated": REACTIVATED_EN,
        "role": ROLE_EN,
        "role2": ROLE2_EN,
    }
