"""What a channel says when sending fails, one function per code (``ChannelError.says``).

A failure is kept as data — which sentence, and what it names: a folder, an HTTP status, the
addresses refused — and worded when it is read, in the reader's language. What came from
outside (a server's reply, an operating system's error) is a parameter and is shown as it was
said. ``ChannelError.message`` is the same sentence in Japanese (:func:`japanese`), which the
delivery's row and the API's ``error`` keep.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

URL_PROBLEMS = {
    "credentials": _l(
        "送信先のURLに利用者名やパスワード（user:password@）を含めないでください"
        "（「@」は使えません）。受け手は共有シークレットによる署名（X-Hub-Signature-256）で"
        "送り手を確認します。"
    ),
    "malformed": _l(
        "送信先のURLの形式が正しくありません（https://ホスト名/パス の形にしてください）。"
    ),
    "scheme": _l(
        "送信先は https:// で始まるURLにしてください（http:// はこのサーバー自身宛てのみ）。"
    ),
}
"""Why an HTTPS address cannot be used (:func:`exports.channels.https.url_problem`)."""


def _unknown_channel(p: Mapping[str, Any]) -> str:
    return _(
        "送信方法 %(name)s はありません（%(channels)s）。",
        name=repr(p["name"]),
        channels=", ".join(p["channels"]),
    )


def _unsafe_name(p: Mapping[str, Any]) -> str:
    return _("ファイル名・フォルダ名に使えない文字があります: %(name)s", name=repr(p["name"]))


def _outbox_unwritable(p: Mapping[str, Any]) -> str:
    return _(
        "出力フォルダに書き込めません: %(reason)s (%(folder)s)",
        reason=p["reason"],
        folder=p["folder"],
    )


def _https_address(p: Mapping[str, Any]) -> str:
    return f"{p['recipient']}: {URL_PROBLEMS[p['problem']]}"


def _no_secret(p: Mapping[str, Any]) -> str:
    return _("%(recipient)s の共有シークレットが設定されていません。", recipient=p["recipient"])


def _http_status(p: Mapping[str, Any]) -> str:
    if p.get("reply"):
        return _(
            "送信先が %(status)s を返しました: %(reply)s", status=p["status"], reply=p["reply"]
        )
    return _("送信先が %(status)s を返しました", status=p["status"])


def _http_redirect(p: Mapping[str, Any]) -> str:
    return _(
        "送信先が %(status)s で別の場所（%(location)s）に転送しようとしました。ファイルは届いていません。"
        "転送先ではなく、受け取る URL そのものを送付先に設定してください。",
        status=p["status"],
        location=p.get("location") or "-",
    )


def _unreachable(p: Mapping[str, Any]) -> str:
    return _("送信先に接続できません: %(reason)s", reason=p["reason"])


def _smtp_url_unset(p: Mapping[str, Any]) -> str:
    return _("HUB_SMTP_URL が設定されていないため、メールを送れません。")


def _smtp_url_malformed(p: Mapping[str, Any]) -> str:
    return _(
        "HUB_SMTP_URL の形式が正しくありません（smtp://ホスト名:ポート の形にしてください）: "
        "%(url)s",
        url=p["url"],
    )


def _no_addresses(p: Mapping[str, Any]) -> str:
    return _("宛先のメールアドレスがありません。")


def _no_respondent_account(p: Mapping[str, Any]) -> str:
    return _("回答者のアカウントがありません。")


def _no_recipient_address(p: Mapping[str, Any]) -> str:
    return _("%(recipient)s の送信先メールアドレスが設定されていません。", recipient=p["recipient"])


def _addresses_refused(p: Mapping[str, Any]) -> str:
    """The refused addresses, each with the mail server's reply when it was kept."""
    replies = p.get("replies") or {}

    def named(address: str) -> str:
        reply = replies.get(address)
        return _("%(address)s（%(reply)s）", address=address, reply=reply) if reply else address

    return _(
        "宛先が受け付けられませんでした: %(addresses)s",
        addresses=", ".join(named(a) for a in p["addresses"]),
    )


def _addresses_refused_unnamed(p: Mapping[str, Any]) -> str:
    """The same without the addresses, for a page that names municipalities only (the board):
    how many, and the server's replies with any address in them left out."""
    replies = sorted({unnamed(r) for r in (p.get("replies") or {}).values() if r})
    if replies:
        return ngettext(
            "メールサーバーが宛先%(n)s件を受け付けませんでした: %(replies)s",
            "メールサーバーが宛先%(n)s件を受け付けませんでした: %(replies)s",
            len(p["addresses"]),
            n=len(p["addresses"]),
            replies=" / ".join(replies),
        )
    return ngettext(
        "メールサーバーが宛先%(n)s件を受け付けませんでした。",
        "メールサーバーが宛先%(n)s件を受け付けませんでした。",
        len(p["addresses"]),
        n=len(p["addresses"]),
    )


ADDRESS = re.compile(r"<?[^\s<>@,;、，（）()]+@[^\s<>,;、，（）()]+>?")
"""An e-mail address in a server's reply (``<moved@example.jp>: Recipient address rejected``)."""


def unnamed(text: str) -> str:
    """``text`` with every e-mail address in it replaced by 「…」."""
    return ADDRESS.sub("…", text)


def _mail_server_failed(p: Mapping[str, Any]) -> str:
    return _(
        "メールサーバー %(server)s への送信に失敗: %(reason)s",
        server=p["server"],
        reason=p["reason"],
    )


CHANNEL_SAYINGS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "unknown_channel": _unknown_channel,
    "unsafe_name": _unsafe_name,
    "outbox_unwritable": _outbox_unwritable,
    "https_address": _https_address,
    "no_secret": _no_secret,
    "http_status": _http_status,
    "http_redirect": _http_redirect,
    "unreachable": _unreachable,
    "smtp_url_unset": _smtp_url_unset,
    "smtp_url_malformed": _smtp_url_malformed,
    "no_addresses": _no_addresses,
    "no_respondent_account": _no_respondent_account,
    "no_recipient_address": _no_recipient_address,
    "addresses_refused": _addresses_refused,
    "mail_server_failed": _mail_server_failed,
}
"""The one function that words each channel failure (``ChannelError.says``) from its data."""


WITHOUT_ADDRESSES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "addresses_refused": _addresses_refused_unnamed,
}
"""The sayings that name addresses, worded without them (:func:`channel_text`)."""


def channel_text(says: str, params: Mapping[str, Any], *, addresses: bool = True) -> str:
    """The failure in the current language; ``addresses=False``: without naming an address."""
    if not addresses and says in WITHOUT_ADDRESSES:
        return WITHOUT_ADDRESSES[says](params)
    return CHANNEL_SAYINGS[says](params)


def japanese(says: str, params: Mapping[str, Any]) -> str:
    """The failure in Japanese, whatever the reader's language: ``ChannelError.message``."""
    with force_locale("ja"):
        return channel_text(says, params)
