"""Mails to municipalities about their response: that staff returned it, or that its deadline
moved. Each goes to the municipality's active respondent accounts.

A returned response waits as a draft until someone of the municipality opens it, and nobody does
unless told; a deadline moved is news only if it reaches them. The mails say which survey, by
when and where — never a text staff typed (a return's reason stays on the response's page behind
the sign-in: no text a person typed goes into a mail, issue 13).

The mails are queued with what caused them, in its transaction, and the scheduler sends them
(:mod:`hub.services.mail_queue`): a page never waits for a mail server, however many municipalities.
Each is written in Japanese and in English; a respondent who chose English reads both
(:func:`hub.services.mails.with_english`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from forms.tokyo import format_datetime
from hub.db import db, utcnow
from hub.models import ReminderSent, Response
from hub.services import mail_queue
from hub.services.mails import (
    addressed_to,
    closing,
    in_language,
    link,
    locale_of,
    mail_configured,
    respondents,
)
from hub.services.reminders import INVITE

RETURN_MAIL = "response.return_mail"
DEADLINE_MAIL = "round.deadline_mail"


def return_mail(response: Response, *, english: bool = False) -> tuple[str, str]:
    """The Japanese subject and body of the mail about one returned response (``english``: its
    English, without the closing lines, which the mail has once, after the Japanese)."""
    with in_language(english):
        round_ = response.round
        title = round_.title_in(locale_of(english))
        lines = [
            *addressed_to(response, english),
            _("「%(title)s」の回答を、東京都の担当者が差し戻しました。", title=title),
            _(
                "差し戻しの理由は回答画面に表示されています。理由を確かめて回答を直し、"
                "もう一度「提出」を押してください。"
            ),
            _by_when(response.deadline_for(), english, again=True),
            *_page(response, english),
        ]
        return _("【差し戻し】%(title)sの回答", title=title), "\n".join(lines) + "\n"


def deadline_mail(
    response: Response, before: datetime, *, english: bool = False
) -> tuple[str, str]:
    """The Japanese subject and body of the mail saying that the round's deadline moved
    (``english``: as :func:`return_mail`)."""
    with in_language(english):
        round_ = response.round
        after = response.deadline_for()
        title = round_.title_in(locale_of(english))
        lines = [
            *addressed_to(response, english),
            _("「%(title)s」の提出期限を変更しました。", title=title),
            _("変更前: %(when)s", when=format_datetime(before, locale_of(english))),
            _("変更後: %(when)s", when=format_datetime(after, locale_of(english))),
            "",
            _by_when(after, english),
            *_page(response, english),
        ]
        subject = _(
            "【提出期限の変更】%(title)s（締切 %(when)s）",
            title=title,
            when=format_datetime(after, locale_of(english)),
        )
        return subject, "\n".join(lines) + "\n"


def _by_when(deadline: datetime, english: bool, *, again: bool = False) -> str:
    when = format_datetime(deadline, locale_of(english))
    if deadline > utcnow():
        if again:
            return _("直した回答は %(when)s までに提出してください。", when=when)
        return _("回答は %(when)s までに提出してください。", when=when)
    return _(
        "提出期限（%(when)s）を過ぎています。"
        "提出し直すには期限の延長が必要なため、東京都の担当者にご相談ください。",
        when=when,
    )


def _page(response: Response, english: bool) -> list[str]:
    return [
        "",
        _("回答画面（ログインが必要です）:"),
        link("respond.form", round_id=response.round_id, code=response.municipality_code),
        *([] if english else closing()),
    ]


@dataclass(frozen=True)
class Queued:
    """Whom the mails will reach: municipality codes."""

    queued: tuple[str, ...] = ()
    no_address: tuple[str, ...] = ()
    """No active respondent account to write to: nothing queued."""
    no_server: bool = False
    """``HUB_SMTP_URL`` is not set: nothing queued."""
    by_invitation: tuple[str, ...] = ()
    """Not yet sent the round's request to answer, which will name the new deadline: no mail
    about a change to a deadline they were never told."""


def tell_returned(responses: Sequence[Response]) -> Queued:
    """Queue the mail about each returned response (the caller commits with the returns)."""
    return _queue(
        [(r, *return_mail(r), *return_mail(r, english=True)) for r in responses],
        about=RETURN_MAIL,
    )


def tell_new_deadline(moved: Sequence[tuple[Response, datetime]]) -> Queued:
    """Queue the mail telling each response's municipality its new deadline, with the one it had
    before (the caller commits with the change) — except to a municipality whose request to
    answer (依頼メール) is still to go: that mail names the new deadline, and a 【提出期限の変更】
    before it would tell of a survey and a deadline it never heard of."""
    waiting = _invitation_to_come([r for r, _before in moved])
    told = [
        (r, *deadline_mail(r, before), *deadline_mail(r, before, english=True))
        for r, before in moved
        if r.id not in waiting
    ]
    queued = _queue(told, about=DEADLINE_MAIL) if told else Queued()
    by_invitation = tuple(r.municipality_code for r, _before in moved if r.id in waiting)
    return replace(queued, by_invitation=by_invitation)


def _invitation_to_come(responses: Sequence[Response]) -> set[int]:
    """The responses of a round that invites whose request to answer the scheduler has not
    yet queued (``reminder_sent`` holds a row once it has: :mod:`hub.services.reminders`)."""
    inviting = [r for r in responses if r.round.invite]
    if not inviting:
        return set()
    claimed = {
        (round_id, code)
        for round_id, code in db.session.execute(
            select(ReminderSent.round_id, ReminderSent.municipality_code).where(
                ReminderSent.round_id.in_({r.round_id for r in inviting}),
                ReminderSent.kind == INVITE,
            )
        )
    }
    return {r.id for r in inviting if (r.round_id, r.municipality_code) not in claimed}


Mail = tuple[Response, str, str, str, str]
"""A response and its mail's subject and body, in Japanese then in English."""


def _queue(mails: Sequence[Mail], *, about: str) -> Queued:
    """Queue each mail; each asks the municipality to submit, so one that has by the time the
    mail would go is not sent (``until_submitted``)."""
    if not mail_configured():
        return Queued(no_server=True)
    reachable = respondents(mail[0].municipality_code for mail in mails).keys()
    queued: list[str] = []
    no_address: list[str] = []
    for response, subject, body, subject_en, body_en in mails:
        code = response.municipality_code
        if code in reachable:
            mail_queue.queue(
                response.round_id,
                code,
                subject,
                body,
                about=about,
                until_submitted=True,
                subject_en=subject_en,
                body_en=body_en,
            )
            queued.append(code)
        else:
            no_address.append(code)
    return Queued(tuple(queued), tuple(no_address))
