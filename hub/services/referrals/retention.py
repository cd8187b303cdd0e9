"""Retention: personal fields of referrals closed more than ``HUB_REFERRAL_RETENTION_DAYS`` days
ago (default 365; 0 erases every closed referral at the next run) are erased; the case, its needs,
outcome and dates stay for the counts. Idempotent: an erased referral is not touched again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from hub.db import db, utcnow
from hub.models import Referral, ReferralEvent, ReferralStatus
from hub.services import audit
from hub.services.referrals import personal


def retention_days() -> int:
    days: int = current_app.extensions["hub_settings"].referral_retention_days
    return days


def purge(now: datetime | None = None, *, days: int | None = None) -> int:
    """Erase the personal fields of every referral closed ``days`` or more days before ``now``;
    return how many were erased (flushed; the caller commits)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days() if days is None else days)
    due = db.session.scalars(
        select(Referral)
        .where(
            Referral.status == ReferralStatus.CLOSED,
            Referral.closed_at <= cutoff,
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
