"""Mails about referrals: to the receiving window's users, with a link and nothing else.

No personal data ever goes into a mail, a log line or the audit log: the subject and body name
neither the person nor the needs, only that there is something to look at (issue 13). Mails go
after the commit of what caused them; a mail server that refuses is logged (with the referral id
only) and the referral stands, visible in the window's inbox.

Each mail is in Japanese, with the same in English after it for the accounts that chose English
(:func:`send_to_users`), as the hub's mails to one account are (``users.reset_message``); the
English is in ``messages.po``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from exports.channels import ChannelError
from exports.channels.smtp import send_mail
from hub.db import db
from hub.models import Municipality, Referral, Role, User
from hub.services.mails import closing, link, reads_english, with_english

log = logging.getLogger(__name__)

Writer = Callable[[bool], tuple[str, list[str]]]
"""Writes a mail's subject and lines (without the closing) in the current locale, given whether it
is English (for what gettext does not translate: a municipality's name)."""


def window_users(municipality_code: str) -> list[User]:
    """The active window accounts of ``municipality_code``: whom its つなぎ notices go to."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.WINDOW,
                User.municipality_code == municipality_code,
                User.active.is_(True),
            )
            .order_by(User.email)
        )
    )


def send(to: Sequence[str], subject: str, body: str, *, about: str) -> bool:
    settings = current_app.extensions["hub_settings"]
    if not settings.smtp_url:
        log.info("%s: no mail sent, HUB_SMTP_URL is not set", about)
        return False
    if not to:
        log.info("%s: no mail sent, no active user to send it to", about)
        return False
    try:
        send_mail(settings, to=list(to), subject=subject, body=body)
    except ChannelError as exc:
        log.warning("%s: mail not sent: %s", about, exc.for_log)
        return False
    return True


def send_to_users(users: Sequence[User], write: Writer, *, about: str) -> bool:
    """Send the mail ``write`` writes to ``users``: in Japanese, with the English after it (and
    after the subject) for those who chose English; one mail per language. True if every one
    went (False, and nothing sent, without users or a mail server)."""
    by_language: dict[bool, list[str]] = {}
    for user in users:
        by_language.setdefault(reads_english(user.locale), []).append(user.email)
    if not by_language:
        return send([], "", "", about=about)
    went = True
    for english, to in sorted(by_language.items()):
        with force_locale("ja"):
            subject, lines = write(False)
        body = "\n".join([*lines, *closing()]) + "\n"
        if english:
            with force_locale("en"):
                subject_en, lines_en = write(True)
            subject, body = with_english(subject, body, subject_en, "\n".join(lines_en))
        went = send(to, subject, body, about=about) and went
    return went


def greeting(municipality_code: str, *, english: bool = False) -> list[str]:
    """The lines a mail to a municipality's windows opens with, as the hub's mails to a
    municipality open: 「八王子市 相談窓口 ご担当者様」 (in English, with its English name)."""
    municipality = db.session.get(Municipality, municipality_code)
    name = municipality_code
    if municipality is not None:
        name = municipality.name_for(english=english)
    return [_("%(name)s 相談窓口 ご担当者様", name=name), ""]


def new_referral(referral: Referral) -> bool:
    """Tell the receiving municipality's window users that a referral arrived (call after the
    commit). True if the mail went."""

    def write(english: bool) -> tuple[str, list[str]]:
        subject = _("新しいつなぎ依頼が1件あります")
        return subject, [
            *greeting(referral.municipality_code, english=english),
            _("新しいつなぎ依頼が1件あります。"),
            "",
            _("再犯防止 連携調査ハブにログインして確認してください:"),
            link("referrals.case", referral_id=referral.id),
        ]

    return send_to_users(
        window_users(referral.municipality_code), write, about=f"referral {referral.id}"
    )
