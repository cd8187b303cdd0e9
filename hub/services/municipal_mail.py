"""Mails to municipalities about their response: that staff returned it, or that its deadline
moved. Each goes to the municipality's active respondent accounts.

A returned response waits as a draft until someone of the municipality opens it, and nobody does
unless told; a deadline moved is news only if it reaches them. The mails say which survey, by
when and where — never a text staff typed (a return's reason stays on the response's page behind
the sign-in: no text a person typed goes into a mail, issue 13).

Mails go after the commit of what caused them, over one connection for many; a mail server that
cannot be reached, or :data:`~hub.services.mails.SEND_SECONDS` gone by, leaves the rest
unsent and named, and what caused them stands. Each mail sent is audited with codes and counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from forms.tokyo import format_datetime
from hub.db import utcnow
from hub.models import Response, User
from hub.services import audit, mails
from hub.services.mails import MailBatch, link
from hub.services.reminders import respondent_addresses

RETURN_MAIL = "response.return_mail"
DEADLINE_MAIL = "round.deadline_mail"
SIGNATURE = ["", "このメールはシステムから自動送信されています。", "東京都 再犯防止 連携調査ハブ"]


@dataclass(frozen=True)
class MailOutcome:
    """Whom the mails reached: municipality codes."""

    sent: tuple[str, ...] = ()
    no_address: tuple[str, ...] = ()
    """No active respondent account to write to."""
    unsent: tuple[str, ...] = ()
    """The mail server refused, could not be reached or is not configured, or time ran out."""
    error: str | None = None
    """Why the last of ``unsent`` did not go."""


def return_mail(response: Response) -> tuple[str, str]:
    """The Japanese subject and body of the mail about one returned response."""
    round_ = response.round
    lines = [
        f"{response.municipality.name} ご担当者様",
        "",
        f"「{round_.title}」の回答を、東京都の担当者が差し戻しました。",
        "差し戻しの理由は回答画面に表示されています。理由を確かめて回答を直し、"
        "もう一度「提出」を押してください。",
        _by_when(response.deadline_for(), "直した回答は"),
        *_page(response),
    ]
    return f"【差し戻し】{round_.title}の回答", "\n".join(lines) + "\n"


def deadline_mail(response: Response, before: datetime) -> tuple[str, str]:
    """The Japanese subject and body of the mail saying that the round's deadline moved."""
    round_ = response.round
    after = response.deadline_for()
    lines = [
        f"{response.municipality.name} ご担当者様",
        "",
        f"「{round_.title}」の提出期限を変更しました。",
        f"変更前: {format_datetime(before)}",
        f"変更後: {format_datetime(after)}",
        "",
        _by_when(after, "回答は"),
        *_page(response),
    ]
    return f"【提出期限の変更】{round_.title}（締切 {format_datetime(after)}）", "\n".join(
        lines
    ) + "\n"


def _by_when(deadline: datetime, what: str) -> str:
    if deadline > utcnow():
        return f"{what} {format_datetime(deadline)} までに提出してください。"
    return (
        f"提出期限（{format_datetime(deadline)}）を過ぎています。"
        "提出し直すには期限の延長が必要なため、東京都の担当者にご相談ください。"
    )


def _page(response: Response) -> list[str]:
    return [
        "",
        "回答画面（ログインが必要です）:",
        link("respond.form", round_id=response.round_id, code=response.municipality_code),
        *SIGNATURE,
    ]


def tell_returned(responses: Sequence[Response], *, user: User | None) -> MailOutcome:
    """Mail each returned response's municipality (call after the commit of the returns); the
    caller commits the audit rows."""
    return send_each([(r, *return_mail(r)) for r in responses], action=RETURN_MAIL, user=user)


def tell_new_deadline(
    moved: Sequence[tuple[Response, datetime]], *, user: User | None
) -> MailOutcome:
    """Mail each response's municipality its new deadline, with the one it had before (call
    after the commit of the change); the caller commits the audit rows."""
    mails_ = [(r, *deadline_mail(r, before)) for r, before in moved]
    return send_each(mails_, action=DEADLINE_MAIL, user=user)


def send_each(
    mails_: Sequence[tuple[Response, str, str]], *, action: str, user: User | None
) -> MailOutcome:
    """Send each ``(response, subject, body)`` to the response's municipality over one
    connection, auditing each mail sent as ``action``."""
    settings = current_app.extensions["hub_settings"]
    if not settings.smtp_url:
        codes = tuple(response.municipality_code for response, _s, _b in mails_)
        return MailOutcome(
            unsent=codes, error=_("メールサーバー（HUB_SMTP_URL）が設定されていません。")
        )
    sent: list[str] = []
    no_address: list[str] = []
    unsent: list[str] = []
    with MailBatch(mails.SEND_SECONDS) as batch:
        for response, subject, body in mails_:
            code = response.municipality_code
            to = respondent_addresses(code)
            if not to:
                no_address.append(code)
            elif (
                batch.unreachable
                or batch.out_of_time
                or not batch.send(
                    to=to, subject=subject, body=body, about=f"{action} for response {response.id}"
                )
            ):
                unsent.append(code)
            else:
                sent.append(code)
                audit.record(
                    action,
                    user=user,
                    target=f"round/{response.round_id}",
                    municipality_code=code,
                    recipients=len(to),
                )
    out_of_time = _("時間内に送り終わらなかったため、残りは送っていません。")
    reason = batch.error.message if batch.error else (out_of_time if unsent else None)
    return MailOutcome(tuple(sent), tuple(no_address), tuple(unsent), reason)
