"""Telling a municipality that its response was returned: a mail to its respondents.

A returned response waits as a draft until someone of the municipality opens it, and nobody does
unless told: without a mail, staff phoned each one. The mail says which survey was returned, by
when to submit it again and where — not why: the reason is free text staff typed, and it stays
on the response's page behind the sign-in (no text a person typed goes into a mail, issue 13).

Mails go after the commit of the return, over one connection for many; a mail server that
cannot be reached, or :data:`~hub.services.reminders.SEND_SECONDS` gone by, leaves the rest
unsent and named, and the returns stand. Each mail sent is audited with codes and counts only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from exports.channels import ChannelError
from exports.channels.smtp import MailServerUnavailable, MailSession
from forms.tokyo import format_datetime
from hub.db import utcnow
from hub.models import Response, User
from hub.services import audit
from hub.services.mails import link
from hub.services.reminders import SEND_SECONDS, respondent_addresses

log = logging.getLogger(__name__)

RETURN_MAIL = "response.return_mail"


@dataclass(frozen=True)
class ReturnNotice:
    """Whom the mails reached: municipality codes."""

    sent: tuple[str, ...] = ()
    no_address: tuple[str, ...] = ()
    """No active respondent account to write to."""
    unsent: tuple[str, ...] = ()
    """The mail server refused, could not be reached or is not configured, or time ran out."""
    error: str | None = None
    """Why the last of ``unsent`` did not go, in Japanese."""


def return_mail(response: Response) -> tuple[str, str]:
    """The Japanese subject and body of the mail about one returned response."""
    round_ = response.round
    deadline = response.deadline_for()
    when = format_datetime(deadline)
    if deadline > utcnow():
        by_when = f"直した回答は {when} までに提出してください。"
    else:
        by_when = (
            f"提出期限（{when}）を過ぎています。"
            "提出し直すには期限の延長が必要なため、東京都の担当者にご相談ください。"
        )
    body = "\n".join(
        [
            f"{response.municipality.name} ご担当者様",
            "",
            f"「{round_.title}」の回答を、東京都の担当者が差し戻しました。",
            "差し戻しの理由は回答画面に表示されています。理由を確かめて回答を直し、"
            "もう一度「提出」を押してください。",
            by_when,
            "",
            "回答画面（ログインが必要です）:",
            link("respond.form", round_id=round_.id, code=response.municipality_code),
            "",
            "このメールはシステムから自動送信されています。",
            "東京都 再犯防止 連携調査ハブ",
        ]
    )
    return f"【差し戻し】{round_.title}の回答", body + "\n"


def tell_returned(responses: Sequence[Response], *, user: User | None) -> ReturnNotice:
    """Mail each returned response's municipality (call after the commit of the returns); the
    caller commits the audit rows."""
    settings = current_app.extensions["hub_settings"]
    codes = [r.municipality_code for r in responses]
    if not settings.smtp_url:
        return ReturnNotice(
            unsent=tuple(codes), error=_("メールサーバー（HUB_SMTP_URL）が設定されていません。")
        )
    sent: list[str] = []
    no_address: list[str] = []
    unsent: list[str] = []
    error: ChannelError | None = None
    give_up_at = time.monotonic() + SEND_SECONDS
    with MailSession(settings) as mail:
        for response in responses:
            code = response.municipality_code
            to = respondent_addresses(code)
            if not to:
                no_address.append(code)
                continue
            if isinstance(error, MailServerUnavailable) or (sent and time.monotonic() > give_up_at):
                unsent.append(code)
                continue
            subject, body = return_mail(response)
            try:
                mail.send(to=to, subject=subject, body=body)
            except ChannelError as exc:
                log.warning("return mail for response %s not sent: %s", response.id, exc.for_log)
                unsent.append(code)
                error = exc
                continue
            sent.append(code)
            audit.record(
                RETURN_MAIL,
                user=user,
                target=f"round/{response.round_id}",
                municipality_code=code,
                recipients=len(to),
            )
    out_of_time = _("時間内に送り終わらなかったため、残りは送っていません。")
    reason = error.message if error else (out_of_time if unsent else None)
    return ReturnNotice(tuple(sent), tuple(no_address), tuple(unsent), reason)
