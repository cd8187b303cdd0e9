"""Follow-up by mail: overdue follow-ups to the receiving window's users, and referrals not
accepted within 5 working days to the person who referred them.

Each is sent once: the referral is marked (``follow_up_reminded_on`` for the follow-up date it
was reminded of, ``late_flagged_at``) and committed before the mail goes; if the mail server
refuses, the mark is taken back and the next run retries. The mails say how many and link to
the hub — never who, or what they need. Runs from ``hub.jobs`` (claimed per minute), and does
nothing while the offices are closed (:func:`forms.tokyo.office_open`: weekends, holidays, 29
December to 3 January, the days 都 names in ``HUB_CLOSED_DAYS``, and before ``HUB_OFFICE_OPENS``,
8:30): what came due meanwhile goes at the next opening.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select

from forms import tokyo
from hub.config import office_days
from hub.db import db, utcnow
from hub.models import Referral, ReferralStatus
from hub.services.referrals import notify, queries


@dataclass(frozen=True)
class FollowUpRun:
    reminded: int
    """Municipalities whose windows were told about overdue follow-ups."""
    flagged: int
    """Referrals flagged to their referrer as not accepted in time."""


def run(now: datetime | None = None) -> FollowUpRun:
    now = now or utcnow()
    if not tokyo.office_open(now, office_days()):  # held, not lost: the next opening finds them all
        return FollowUpRun(0, 0)
    today = now.astimezone(tokyo.TOKYO).date()
    return FollowUpRun(remind_overdue(today), flag_late(today, now))


def remind_overdue(today: date) -> int:
    """One mail per municipality whose windows have follow-ups past due not yet reminded of."""
    due = list(
        db.session.scalars(
            select(Referral).where(
                Referral.status == ReferralStatus.ACCEPTED,
                Referral.next_follow_up < today,
                or_(
                    Referral.follow_up_reminded_on.is_(None),
                    Referral.follow_up_reminded_on != Referral.next_follow_up,
                ),
            )
        )
    )
    by_municipality: dict[str, list[Referral]] = defaultdict(list)
    for referral in due:
        by_municipality[referral.municipality_code].append(referral)
    sent = 0
    for code, referrals in sorted(by_municipality.items()):
        ids = [r.id for r in referrals]
        for referral in referrals:
            referral.follow_up_reminded_on = referral.next_follow_up
        db.session.commit()

        def write(english: bool, code: str = code, count: int = len(ids)) -> tuple[str, list[str]]:
            return _("フォロー予定日を過ぎたつなぎがあります"), [
                *notify.greeting(code, english=english),
                ngettext(
                    "フォロー予定日を過ぎたつなぎが%(num)d件あります。",
                    "フォロー予定日を過ぎたつなぎが%(num)d件あります。",
                    count,
                ),
                "",
                _("受付箱で確認し、連絡を記録してください:"),
                notify.link("referrals.index"),
            ]

        if notify.send_to_users(notify.window_users(code), write, about=f"follow-up {code}"):
            sent += 1
            continue
        for referral_id in ids:
            referral = db.session.get_one(Referral, referral_id)
            referral.follow_up_reminded_on = None
        db.session.commit()
    return sent


def flag_late(today: date, now: datetime) -> int:
    """Tell the referrer (the user who sent it) about each referral not accepted within 5 working
    days; it is also shown as late in the referrer's list."""
    waiting = db.session.scalars(
        select(Referral).where(
            Referral.status == ReferralStatus.SENT, Referral.late_flagged_at.is_(None)
        )
    )
    late = [r for r in waiting if queries.is_late(r, today)]
    flagged = 0
    for referral in late:
        referral.late_flagged_at = now
        db.session.commit()
        creator = referral.created_by
        to = [creator] if creator is not None and creator.active else []

        def write(
            english: bool, referral_id: int = referral.id, person: str = to[0].label if to else ""
        ) -> tuple[str, list[str]]:
            return _("5営業日以内に受理されていないつなぎがあります"), [
                _("%(person)s 様", person=person),
                "",
                _(
                    "つなぎ No.%(id)s は、依頼から5営業日を過ぎても受理されていません。",
                    id=referral_id,
                ),
                _("つなぎ先に確認するか、別の区市町村につなぎ直してください:"),
                notify.link("referrals.case", referral_id=referral_id),
            ]

        sent = notify.send_to_users(to, write, about=f"referral {referral.id} late")
        if to and not sent:  # the mail server refused or is not set: the next run retries
            referral.late_flagged_at = None
            db.session.commit()
            continue
        flagged += 1
    return flagged
