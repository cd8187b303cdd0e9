"""When a round's summary may leave 都: the minimum number of responses (issue 14, item 27).

With one municipality submitted, "the summary" is that municipality's unpublished answer. Below
``Settings.min_responses_shared`` (``HUB_MIN_RESPONSES``, 3 by default) submitted or accepted
responses, respondents and counterparts do not see a round's summary and deliveries wait; staff
see everything. This is a gate in front of the summary and the delivery (which stay as they are),
so what they contain is decided elsewhere (``exports/aggregate.py``, ``exports/delivery.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import func, select

from hub.auth.policy import sees_true_counts
from hub.db import db
from hub.errors import Conflict
from hub.models import COUNTED, Response, Round, User


def minimum() -> int:
    settings = current_app.extensions["hub_settings"]
    return int(settings.min_responses_shared)


def responses_counted(round_: Round) -> int:
    """Submitted or accepted responses of the round (what the summary counts)."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.round_id == round_.id, Response.state.in_([str(s) for s in COUNTED]))
        )
        or 0
    )


def is_shared(round_: Round) -> bool:
    """Whether enough municipalities responded for the summary to leave 都."""
    return responses_counted(round_) >= minimum()


def waiting_message(round_: Round) -> str:
    return waiting_text(waiting_counts(round_))


def waiting_counts(round_: Round) -> dict[str, int]:
    """What :func:`waiting_text` says, as data (kept with a 「今すぐ送信」 that had to wait)."""
    return {"minimum": minimum(), "count": responses_counted(round_)}


def waiting_text(counts: Mapping[str, Any]) -> str:
    return ngettext(
        "この調査回の集計は、提出した区市町村が%(minimum)s団体に達するまで公開・送付されません"
        "（現在%(count)s団体）。",
        "この調査回の集計は、提出した区市町村が%(minimum)s団体に達するまで公開・送付されません"
        "（現在%(count)s団体）。",
        counts["minimum"],
        minimum=counts["minimum"],
        count=counts["count"],
    )


def ensure_shared_with(user: User, round_: Round) -> None:
    """Refuse a respondent's or counterpart's look at a summary that must still wait."""
    if sees_true_counts(user) or is_shared(round_):
        return
    raise Conflict(waiting_message(round_))
