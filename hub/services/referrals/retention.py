"""Retention: personal fields of referrals closed more than ``HUB_REFERRAL_RETENTION_DAYS`` days
ago (default 365; 0 erases every closed referral at the next run) are erased; the case, its needs,
outcome and dates stay for the counts. A referral declined by its window and never re-routed is
finished with too: it is erased once its decline is that old. Open referrals (sent, accepted) are
never erased. Idempotent: an erased referral is not touched again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from hub.db import db, utcnow
from hub.models import Referral, ReferralEvent, ReferralStatus
from hub.services import audit
from hub.services.referrals import personal


def retention_days() -> int:
    days: int = current_app.extensions["hub_settings"].referral_retention_days
    return days


def purge(now: datetime | None = None, *, days: int | None = None) -> int:
    """Erase the personal fields of every referral closed — or declined and left so, never
    re-routed — ``days`` or more days before ``now``; return how many were erased (flushed; the
    caller commits)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days() if days is None else days)
    last_declined = (
        select(func.max(ReferralEvent.at))
        .where(ReferralEvent.referral_id == Referral.id, ReferralEvent.action == "declined")
        .scalar_subquery()
    )
    due = db.session.scalars(
        select(Referral)
        .where(
            or_(
                (Referral.status == ReferralStatus.CLOSED) & (Referral.closed_at <= cutoff),
                (Referral.status == ReferralStatus.DECLINED) & (last_declined <= cutoff),
            ),
            Referral.erased_at.is_(None),
        )
        .order_by(Referral.id)
    )
    erased = 0
    for referral in due:
        if personal.erase(referral, because="retention"):
            referral.events.append(
                ReferralEvent(referral_id=referral.id, action="erased", at=now, user=None)
            )
            erased += 1
    db.session.flush()
    if erased:
        audit.record("referral.purge", user=None, erased=erased)
    return erased
