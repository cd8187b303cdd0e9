"""Mails about referrals: to the receiving window's users, with a link and nothing else.

No personal data ever goes into a mail, a log line or the audit log: the subject and body name
neither the person nor the needs, only that there is something to look at (issue 13). Mails go
after the commit of what caused them; a mail server that refuses is logged (with the referral id
only) and the referral stands, visible in the window's inbox.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select

from exports.channels import ChannelError
from exports.channels.smtp import send_mail
from hub.db import db
from hub.models import Municipality, Referral, Role, User
from hub.services.mails import closing, link

log = logging.getLogger(__name__)

NEW_REFERRAL_SUBJECT = "新しいつなぎ依頼が1件あります"


def window_addresses(municipality_code: str) -> list[str]:
    return list(
        db.session.scalars(
            select(User.email)
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


def greeting(municipality_code: str) -> list[str]:
    """The lines a mail to a municipality's windows opens with, as the hub's mails to a
    municipality open: 「八王子市 相談窓口 ご担当者様」."""
    municipality = db.session.get(Municipality, municipality_code)
    name = municipality.name if municipality is not None else municipality_code
    return [f"{name} 相談窓口 ご担当者様", ""]


def new_referral(referral: Referral) -> bool:
    """Tell the receiving municipality's window users that a referral arrived (call after the
    commit). True if the mail went."""
    body = "\n".join(
        [
            *greeting(referral.municipality_code),
            f"{NEW_REFERRAL_SUBJECT}。",
            "",
            "再犯防止 連携調査ハブにログインして確認してください:",
            link("referrals.case", referral_id=referral.id),
            *closing(),
        ]
    )
    return send(
        window_addresses(referral.municipality_code),
        NEW_REFERRAL_SUBJECT,
        body + "\n",
        about=f"referral {referral.id}",
    )
