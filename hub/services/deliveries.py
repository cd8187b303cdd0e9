"""Deliveries to the national counterparts: decide, record, send, retry — each exactly once.

:func:`deliver` is idempotent: content identical to the last successful delivery of that recipient
and round is not sent again unless forced, and a change after a delivery goes out as a 訂正版
naming the delivery it corrects and what changed. Unlike other services these functions own their
transactions, because side effects must follow the commit of the data that caused them: the
delivery row (and the claim that makes it unique) is committed before any byte leaves, and the
outcome of every attempt is committed after it. Call them with nothing uncommitted.

Statuses: ``sending`` (an attempt holds a lease until ``next_attempt_at``), ``retrying`` (failed,
next try at ``next_attempt_at``), ``sent``, ``failed`` (given up; shown to staff) and
``superseded`` (the data changed before it could be sent; a newer delivery replaced it).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update

from exports.assembly import table_title
from exports.channels import ChannelError, Parcel, channel, copies
from exports.channels.base import manifest_of
from exports.channels.words import CHANNEL_SAYINGS, channel_text, unnamed
from exports.delivery import (
    Composition,
    Marking,
    changes_between,
    compose,
    no_tables_text,
    render,
    unencodable_text,
)
from forms.tokyo import TOKYO, in_message
from hub.db import db, utcnow
from hub.errors import Conflict, HubError, NotFound
from hub.models import Delivery, DeliveryRequest, Recipient, Round, User
from hub.services import audit, sharing
from hub.services.claims import claim, finish, last_claimed_at, last_run
from hub.services.recipients import OFF, ON_CLOSE, get_recipient
from hub.services.responses import get_round

log = logging.getLogger(__name__)

SENDING, RETRYING, SENT, FAILED, SUPERSEDED = "sending", "retrying", "sent", "failed", "superseded"
UNFINISHED = (SENDING, RETRYING)
OUTBOX = "outbox"
"""The channel whose folder is the delivery itself; the others' are kept as copies."""
WAITING = "waiting"
"""An outcome, not a delivery: too few responses for the summary to leave 都 (hub.services.sharing)."""
REFUSED = "refused"
"""A request's outcome when the delivery could not even be made (a character the recipient's
cp932 CSV cannot hold, no tables to send …): nothing was created, the message says why."""
UNEXPECTED = "unexpected"
"""A request's outcome when an error nobody foresaw stopped it: the exception's text may hold
anything, so it goes to the log only."""
ALREADY_SENT = "already_sent"
"""What a 「今すぐ送信」 says when its content is what the recipient last received for the round
(outcome ``unchanged``): nothing was sent, the delivery that carried it is named; a request
made with 「送信済みと同じ内容でも送る」 (``force``) sends it again."""
INTERRUPTED = _l("送信が中断されました。")
SUPERSEDED_ERROR = _l("送信前にデータが変わったため、新しい配信に置き換えました。")
"""The errors the hub itself writes on a delivery's row, in Japanese (:func:`_japanese`; the
API's ``error`` says them so); a page says them in its language (:func:`delivery_error`; the
API's ``error_text``, with their code in ``error_code``: :func:`delivery_error_code`)."""

STATUS_LABELS = {
    SENDING: _l("送信中"),
    RETRYING: _l("再試行待ち"),
    SENT: _l("送信済み"),
    FAILED: _l("失敗"),
    SUPERSEDED: _l("差し替え済み"),
}
"""How each status reads on a page (staff's log, a counterpart's home)."""
TRIGGER_LABELS = {
    "schedule": _l("定期配信"),
    "on-close": _l("締切時の配信"),
    "request": _l("今すぐ送信"),
    "cli": _l("コマンド（hub export）"),
    "manual": _l("手動"),
}
"""What started a delivery, as a page says it."""
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)
LEASE = timedelta(minutes=5)
"""How long an attempt may take before another process assumes it died and tries again."""
RECENT = timedelta(days=90)
"""Closed rounds stay in scheduled deliveries this long, so late corrections still go out."""


@dataclass(frozen=True)
class Outcome:
    """What a call did: ``status`` is ``sent``, ``unchanged``, ``busy``, ``retrying``,
    ``failed`` or ``waiting`` (too few responses to share the summary yet; nothing was created);
    a "send now" request's may also be ``refused`` (:data:`REFUSED`).

    What happened is kept as data — ``says`` names the sentence (a key of :data:`SAYINGS`) and
    ``params`` fills it — and worded only when read (:attr:`message`, in the reader's
    language), so a request's row (``delivery_request.details``) reads in English on an English
    page and a change of wording reaches old rows."""

    status: str
    delivery: Delivery | None
    says: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return outcome_text(self.says, self.params)


def _moment(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _at(moment: str | None, pattern: str) -> str:
    return datetime.fromisoformat(moment).astimezone(TOKYO).strftime(pattern) if moment else ""


def _japanese(message: Any) -> str:
    """A message of the hub as the database keeps it: in Japanese, whatever the locale."""
    with force_locale("ja"):
        return str(message)


def hub_words(text: str) -> str:
    """A sentence stored before outcomes were kept as data (migration 0013), or an error the hub
    wrote on a delivery's row: in the reader's language when it is one of the hub's own
    messages, else as stored (what a channel or a receiving server said stays as it was said)."""
    return _(text) if text else ""


def _sent_text(p: Mapping[str, Any]) -> str:
    if p.get("correction"):
        return _(
            "訂正版を配信しました: %(id)s → %(location)s", id=p["delivery"], location=p["location"]
        )
    return _("配信しました: %(id)s → %(location)s", id=p["delivery"], location=p["location"])


def _unchanged_text(p: Mapping[str, Any]) -> str:
    return _("前回の配信 %(id)s から変更がないため送信しません。", id=p["delivery"])


def _already_sent_text(p: Mapping[str, Any]) -> str:
    """A 「今すぐ送信」 that found the recipient already holds this content: which delivery
    carried it and when, in the page's language (how to send it again is the page's button)."""
    moment = p.get("sent_at")
    if not moment:
        return _("配信 %(id)s と同じ内容のため、送りませんでした。", id=p["delivery"])
    return _(
        "%(when)s の送信（配信 %(id)s）と同じ内容のため、送りませんでした。",
        when=in_message(datetime.fromisoformat(moment)),
        id=p["delivery"],
    )


def _busy_text(p: Mapping[str, Any]) -> str:
    if p.get("next_attempt"):
        return _(
            "同じ内容の配信 %(id)s が送信中か再試行待ちです（次の試行 %(when)s）。",
            id=p["delivery"],
            when=_at(p["next_attempt"], "%m/%d %H:%M"),
        )
    return _("同じ内容の配信 %(id)s が送信中か再試行待ちです。", id=p["delivery"])


def _busy_elsewhere_text(p: Mapping[str, Any]) -> str:
    return _("別のプロセスが同じ内容を配信しています。")


def _already_failed_text(p: Mapping[str, Any]) -> str:
    return _(
        "同じ内容の配信 %(id)s は失敗しています（%(error)s）。"
        "再送するには --force（画面では「今すぐ送信」）を使ってください。",
        id=p["delivery"],
        error=hub_words(p.get("error") or ""),
    )


def _retrying_text(p: Mapping[str, Any]) -> str:
    return _(
        "配信 %(id)s の送信に失敗しました。%(when)s に再試行します: %(error)s",
        id=p["delivery"],
        when=_at(p.get("next_attempt"), "%H:%M"),
        error=hub_words(p.get("error") or ""),
    )


def _failed_text(p: Mapping[str, Any]) -> str:
    return ngettext(
        "配信 %(id)s は失敗しました（%(attempts)s回試行）: %(error)s",
        "配信 %(id)s は失敗しました（%(attempts)s回試行）: %(error)s",
        p["attempts"],
        id=p["delivery"],
        attempts=p["attempts"],
        error=hub_words(p.get("error") or ""),
    )


def _refused_text(p: Mapping[str, Any]) -> str:
    """A refusal the hub has no words of its own for: the refusing message as it was raised."""
    return str(p.get("reason") or "")


def _unexpected_text(p: Mapping[str, Any]) -> str:
    return _(
        "予期しないエラーのため送れませんでした。システム管理者にログの確認を依頼してください。"
    )


SAYINGS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "sent": _sent_text,
    "unchanged": _unchanged_text,
    ALREADY_SENT: _already_sent_text,
    "busy": _busy_text,
    "busy_elsewhere": _busy_elsewhere_text,
    "already_failed": _already_failed_text,
    RETRYING: _retrying_text,
    FAILED: _failed_text,
    WAITING: sharing.waiting_text,
    REFUSED: _refused_text,
    "no_tables": no_tables_text,
    "unencodable": unencodable_text,
    UNEXPECTED: _unexpected_text,
}
"""The one function that words each outcome (:attr:`Outcome.says`) from its parameters."""


def outcome_text(says: str, params: Mapping[str, Any]) -> str:
    return SAYINGS[says](params)


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, 8 … minutes."""
    return FIRST_RETRY * 2 ** max(attempts - 1, 0)


def latest_round() -> Round:
    round_ = db.session.scalar(
        select(Round).order_by(Round.reference_date.desc(), Round.id.desc()).limit(1)
    )
    if round_ is None:
        raise NotFound(_("調査回がまだありません（hub round open で開始してください）。"))
    return round_


def deliver(
    recipient_name: str,
    round_id: int | None = None,
    *,
    force: bool = False,
    trigger: str = "manual",
    slot: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Send the recipient's export of the round (default: the latest round) unless unchanged.

    ``force`` sends even identical content. ``slot`` names a "send now" request's own intent for
    the claim, used when it is forced or retries failed content (:func:`_claimed_intent`); two
    processes with the same intent create one delivery between them.
    """
    now = now or utcnow()
    recipient = get_recipient(recipient_name)
    round_ = get_round(round_id) if round_id is not None else latest_round()
    if not sharing.is_shared(round_):
        db.session.commit()
        return Outcome(WAITING, None, WAITING, sharing.waiting_counts(round_))
    composition = compose(recipient, round_)
    last = last_sent(recipient.name, round_.id)
    if not force:
        if last is not None and last.content_hash == composition.content_hash:
            db.session.commit()
            return Outcome(
                "unchanged",
                last,
                "unchanged",
                {"delivery": last.id, "sent_at": _moment(last.sent_at)},
            )
        pending = _unfinished(recipient.name, round_.id, composition.content_hash)
        if pending is not None:
            db.session.commit()
            return _busy(pending)
    job = f"deliver:{recipient.name}:{round_.id}"
    intent = _claimed_intent(job, recipient.name, composition, last, force=force, slot=slot)
    if intent is None:
        db.session.rollback()
        return _already_claimed(recipient.name, round_.id, composition.content_hash)
    delivery = _create(recipient, composition, last, force=force, trigger=trigger, now=now)
    finish(job, intent)
    db.session.commit()
    return _send(delivery, composition, now)


def _claimed_intent(
    job: str,
    recipient_name: str,
    composition: Composition,
    last: Delivery | None,
    *,
    force: bool,
    slot: str | None,
) -> str | None:
    """Claim this delivery's intent for ``job``; the intent claimed, or ``None`` when another
    process (or an earlier delivery) holds it.

    Content not sent yet is claimed by what it is — its hash after the last delivery sent — from
    the schedule and from a 「今すぐ送信」 alike: the two at the same moment, each having seen
    nothing sent, make one delivery between them. A request's own ``slot`` is claimed when it is
    forced (sending the same again is what was asked), or to try again content whose delivery
    failed (「今すぐ送信」 is how staff send it again; the schedule does not retry it)."""
    if force:
        intent = slot or f"forced:{secrets.token_hex(8)}"
        return intent if claim(job, intent) else None
    content = f"{composition.content_hash[:32]}:after:{last.id if last else '-'}"
    if claim(job, content):
        return content
    if slot is None:
        return None
    earlier = _newest_of(recipient_name, composition.round.id, composition.content_hash)
    if earlier is not None and earlier.status == FAILED and claim(job, slot):
        return slot
    return None


def _newest_of(recipient_name: str, round_id: int, content_hash: str) -> Delivery | None:
    """The newest delivery of this content to the recipient for the round."""
    return db.session.scalar(
        select(Delivery)
        .where(
            Delivery.recipient_name == recipient_name,
            Delivery.round_id == round_id,
            Delivery.content_hash == content_hash,
        )
        .order_by(Delivery.created_at.desc())
        .limit(1)
    )


def last_sent(recipient_name: str, round_id: int) -> Delivery | None:
    return db.session.scalar(
        select(Delivery)
        .where(
            Delivery.recipient_name == recipient_name,
            Delivery.round_id == round_id,
            Delivery.status == SENT,
        )
        .order_by(Delivery.sent_at.desc(), Delivery.created_at.desc())
        .limit(1)
    )


def _unfinished(recipient_name: str, round_id: int, content_hash: str) -> Delivery | None:
    return db.session.scalar(
        select(Delivery)
        .where(
            Delivery.recipient_name == recipient_name,
            Delivery.round_id == round_id,
            Delivery.content_hash == content_hash,
            Delivery.status.in_(UNFINISHED),
        )
        .limit(1)
    )


def _busy(delivery: Delivery) -> Outcome:
    return Outcome(
        "busy",
        delivery,
        "busy",
        {"delivery": delivery.id, "next_attempt": _moment(delivery.next_attempt_at)},
    )


def _already_claimed(recipient_name: str, round_id: int, content_hash: str) -> Outcome:
    """The intent was claimed before: by a failed delivery of this content, by one another
    process sent a moment ago, or by a process now."""
    earlier = _newest_of(recipient_name, round_id, content_hash)
    db.session.commit()
    if earlier is not None and earlier.status == SENT:
        return Outcome(
            "unchanged",
            earlier,
            "unchanged",
            {"delivery": earlier.id, "sent_at": _moment(earlier.sent_at)},
        )
    if earlier is not None and earlier.status == FAILED:
        return Outcome(
            FAILED, earlier, "already_failed", {"delivery": earlier.id, "error": earlier.error}
        )
    if earlier is not None and earlier.status in UNFINISHED:
        return _busy(earlier)
    return Outcome("busy", earlier, "busy_elsewhere")


def _create(
    recipient: Recipient,
    composition: Composition,
    last: Delivery | None,
    *,
    force: bool,
    trigger: str,
    now: datetime,
) -> Delivery:
    delivery_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
    changes: dict[str, Any] = {"snapshot": composition.snapshot}
    is_correction = last is not None and last.content_hash != composition.content_hash
    if is_correction and last is not None:
        before = (last.changes or {}).get("snapshot", {})
        changes.update(changes_between(before, composition.snapshot))
        changes["correction_number"] = 1 + _corrections_sent(recipient.name, composition.round.id)
    delivery = Delivery(
        id=delivery_id,
        recipient_name=recipient.name,
        round_id=composition.round.id,
        content_hash=composition.content_hash,
        files=[],
        channel=recipient.channel,
        status=SENDING,
        attempts=1,
        next_attempt_at=now + LEASE,
        forced=force,
        correction_of_id=last.id if is_correction and last is not None else None,
        changes=changes,
        trigger=trigger,
        created_at=now,
    )
    db.session.add(delivery)
    db.session.flush()
    claim(f"delivery:{delivery_id}", "attempt:1")
    audit.record(
        "delivery.create",
        user=None,
        target=f"delivery/{delivery_id}",
        recipient=recipient.name,
        round=composition.round.id,
        forced=force,
        trigger=trigger,
        correction_of=delivery.correction_of_id,
    )
    return delivery


def _corrections_sent(recipient_name: str, round_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.recipient_name == recipient_name,
                Delivery.round_id == round_id,
                Delivery.status == SENT,
                Delivery.correction_of_id.is_not(None),
            )
        )
        or 0
    )


def _marking(delivery: Delivery) -> Marking:
    changes = {k: v for k, v in (delivery.changes or {}).items() if k != "snapshot"}
    return Marking(
        delivery_id=delivery.id,
        created_at=delivery.created_at,
        correction_of=delivery.correction_of_id,
        correction_number=int(changes.pop("correction_number", 0) or 0),
        changes=changes if delivery.correction_of_id else None,
    )


def _send(delivery: Delivery, composition: Composition | None, now: datetime) -> Outcome:
    """One attempt, already claimed and committed as ``sending``; commits its outcome."""
    recipient = delivery.recipient
    try:
        if composition is None:
            composition = compose(recipient, get_round(_round_id(delivery)))
        if composition.content_hash != delivery.content_hash:
            return _supersede(delivery, now)
        marking = _marking(delivery)
        parcel = _parcel(recipient, composition, marking)
        delivery.channel = recipient.channel
        db.session.commit()
        went = channel(recipient.channel)(parcel, current_app.extensions["hub_settings"])
    except ChannelError as exc:
        return _failed(
            delivery,
            exc.message,
            exc.for_log,
            permanent=exc.permanent,
            now=now,
            details=exc.as_data(),
        )
    except Exception as exc:
        log.exception("delivery %s failed", delivery.id)
        message = f"{type(exc).__name__}: {exc}"
        return _failed(delivery, message, type(exc).__name__, permanent=False, now=now)
    location = went.location
    if delivery.channel != OUTBOX:
        _keep_copy(delivery, parcel)
    partly = went.refusal()
    delivery.status = SENT
    delivery.sent_at = utcnow()
    delivery.location = location
    delivery.files = [f.entry() for f in parcel.files]
    # sent, but a mail server refused some of its addresses: the log says which and why
    delivery.error = partly.message[:2000] if partly else None
    delivery.error_details = partly.as_data() if partly else None
    delivery.next_attempt_at = None
    counted: dict[str, Any] = {"refused": len(went.refused)} if went.refused else {}
    audit.record(
        "delivery.sent",
        user=None,
        target=f"delivery/{delivery.id}",
        attempt=delivery.attempts,
        location=location,
        **counted,
    )
    db.session.commit()
    return Outcome(
        SENT,
        delivery,
        "sent",
        {
            "delivery": delivery.id,
            "location": location,
            "correction": delivery.correction_of_id is not None,
        },
    )


def _keep_copy(delivery: Delivery, parcel: Parcel) -> None:
    """A copy of what mail or HTTPS just delivered, for the counterpart to download again
    (:mod:`exports.channels.copies`). One that cannot be written is logged, without personal
    data; the delivery went all the same, and its files are then refused as gone (410)."""
    try:
        copies.keep(parcel, current_app.extensions["hub_settings"])
    except ChannelError as exc:
        log.warning("delivery %s: no copy kept: %s", delivery.id, exc.for_log)


def recorded_manifest(delivery: Delivery) -> dict[str, Any]:
    """``manifest.json`` of a delivery as the hub writes it again from its record (the files'
    recorded checksums, its id, round, time and 訂正版 marker): the shape every channel sent."""
    marking = _marking(delivery)
    return manifest_of(
        recipient=delivery.recipient_name,
        round_id=delivery.round_id,
        created_at=delivery.created_at,
        files=delivery.files or [],
        delivery_id=delivery.id,
        correction_of=marking.correction_of,
        changes=marking.changes,
    )


def _round_id(delivery: Delivery) -> int:
    if delivery.round_id is None:
        raise NotFound(_("配信 %(id)s の調査回がありません。", id=delivery.id))
    return delivery.round_id


def _parcel(recipient: Recipient, composition: Composition, marking: Marking) -> Parcel:
    return Parcel(
        delivery_id=marking.delivery_id,
        recipient=recipient.name,
        recipient_title=recipient.title,
        address=recipient.address,
        round_id=composition.round.id,
        round_title=composition.round.title,
        created_at=marking.created_at,
        files=render(recipient, composition, marking),
        correction_of=marking.correction_of,
        changes=marking.changes,
        secret=recipient.secret,
    )


def _failed(
    delivery: Delivery,
    message: str,
    for_audit: str,
    *,
    permanent: bool,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> Outcome:
    """The attempt failed: ``message`` (which may name a refused address) goes to the delivery's
    row, which staff read to mend the recipient, and ``details``, the same as data
    (:meth:`exports.channels.ChannelError.as_data`), which the page words in its language; the
    audit log keeps ``for_audit``, without personal data
    (:attr:`exports.channels.ChannelError.for_log`)."""
    db.session.rollback()
    delivery = db.session.get_one(Delivery, delivery.id)
    delivery.error = message[:2000]
    delivery.error_details = details
    if permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = RETRYING
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    params = {
        "delivery": delivery.id,
        "attempts": delivery.attempts,
        "next_attempt": _moment(delivery.next_attempt_at),
        "error": delivery.error,
    }
    audit.record(
        "delivery.attempt_failed",
        user=None,
        target=f"delivery/{delivery.id}",
        attempt=delivery.attempts,
        error=for_audit[:500],
        gave_up=delivery.status == FAILED,
    )
    db.session.commit()
    return Outcome(delivery.status, delivery, delivery.status, params)


def _supersede(delivery: Delivery, now: datetime) -> Outcome:
    delivery.status = SUPERSEDED
    delivery.next_attempt_at = None
    delivery.error = _japanese(SUPERSEDED_ERROR)
    delivery.error_details = None
    db.session.commit()
    return deliver(
        delivery.recipient_name,
        _round_id(delivery),
        force=delivery.forced,
        trigger=delivery.trigger,
        now=now,
    )


def retry_due(now: datetime | None = None) -> list[Outcome]:
    """Try again every delivery whose retry time (or an interrupted attempt's lease) has come."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Delivery.id)
            .where(Delivery.status.in_(UNFINISHED), Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at)
        )
    )
    db.session.commit()
    return [outcome for delivery_id in due if (outcome := _retry(delivery_id, now))]


def _retry(delivery_id: str, now: datetime) -> Outcome | None:
    delivery = db.session.get_one(Delivery, delivery_id)
    if delivery.status not in UNFINISHED or not claim(
        f"delivery:{delivery.id}", f"attempt:{delivery.attempts + 1}"
    ):
        db.session.rollback()
        return None
    if delivery.status == SENDING:
        audit.record(
            "delivery.interrupted",
            user=None,
            target=f"delivery/{delivery.id}",
            attempt=delivery.attempts,
        )
        if delivery.attempts >= MAX_ATTEMPTS:
            db.session.commit()
            interrupted = _japanese(INTERRUPTED)
            return _failed(delivery, interrupted, interrupted, permanent=True, now=now)
    delivery.attempts += 1
    delivery.status = SENDING
    delivery.next_attempt_at = now + LEASE
    db.session.commit()
    return _send(delivery, None, now)


# --- "send now" requests ----------------------------------------------------------------------


def request_delivery(
    recipient_name: str, round_id: int | None, *, user: User | None, force: bool = False
) -> DeliveryRequest:
    """Queue a delivery for the scheduler (a row, not a thread in the web worker).

    Like any delivery it sends nothing when the content is what the recipient last received for
    the round (the outcome names that delivery, :data:`ALREADY_SENT`): a second press after the
    first was sent, or a colleague's, does not send the ministry the same files again. ``force``
    (「送信済みと同じ内容でも送る」, a deliberate choice) sends it all the same.

    ``Conflict`` when the same delivery (recipient and round) is queued and not yet taken: a
    second click, another tab or a colleague's would otherwise send the same files twice."""
    recipient = get_recipient(recipient_name)
    round_ = get_round(round_id) if round_id is not None else latest_round()
    queued = db.session.scalar(
        select(DeliveryRequest.id)
        .where(
            DeliveryRequest.recipient_name == recipient.name,
            DeliveryRequest.round_id == round_.id,
            DeliveryRequest.picked_at.is_(None),
        )
        .limit(1)
    )
    if queued is not None:
        raise Conflict(
            _(
                "%(title)s へのこの調査回の送信は、すでに受け付けて送信を待っています。"
                "二度は送りません。結果はこのページの「今すぐ送信の結果」に表示されます。",
                title=recipient.title,
            )
        )
    request = DeliveryRequest(
        recipient_name=recipient.name,
        round_id=round_.id,
        force=force,
        requested_by_id=user.id if user else None,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "delivery.request",
        user=user,
        target=f"recipient/{recipient.name}",
        round=round_.id,
        request=request.id,
        forced=force,
    )
    return request


def pick_up_requests(now: datetime | None = None) -> list[Outcome]:
    """Deliver every queued "send now"; each request is taken by exactly one process."""
    now = now or utcnow()
    waiting = list(
        db.session.scalars(
            select(DeliveryRequest.id)
            .where(DeliveryRequest.picked_at.is_(None))
            .order_by(DeliveryRequest.id)
        )
    )
    db.session.commit()
    outcomes = []
    for request_id in waiting:
        taken = db.session.execute(
            update(DeliveryRequest)
            .where(DeliveryRequest.id == request_id, DeliveryRequest.picked_at.is_(None))
            .values(picked_at=now)
        )
        db.session.commit()
        if getattr(taken, "rowcount", 0) != 1:
            continue
        outcomes.append(_serve(db.session.get_one(DeliveryRequest, request_id), now))
    return outcomes


def _serve(request: DeliveryRequest, now: datetime) -> Outcome:
    """Deliver one request and keep its outcome on its row: a request the scheduler took must
    never just vanish from the page — sent, waiting for responses or refused, staff read which."""
    request_id = request.id
    try:
        outcome = deliver(
            request.recipient_name,
            request.round_id,
            force=request.force,
            trigger="request",
            slot=f"request:{request_id}",
            now=now,
        )
        if outcome.status == "unchanged":
            outcome = Outcome(outcome.status, outcome.delivery, ALREADY_SENT, outcome.params)
    except HubError as exc:
        db.session.rollback()
        log.warning("delivery request %s: %s", request_id, exc.message)
        outcome = refusal(exc)
    except Exception:
        db.session.rollback()
        log.exception("delivery request %s failed", request_id)
        outcome = Outcome(FAILED, None, UNEXPECTED)
    _keep_outcome(request_id, outcome)
    return outcome


def refusal(exc: HubError) -> Outcome:
    """A request refused before anything was made: in the hub's words when the refusal came with
    its data (``refusal`` of :mod:`exports.delivery`), else with the refusing message."""
    refusal = exc.details.get("refusal")
    if isinstance(refusal, Mapping) and refusal.get("code") in SAYINGS:
        params = {k: v for k, v in refusal.items() if k != "code"}
        return Outcome(REFUSED, None, str(refusal["code"]), params)
    return Outcome(REFUSED, None, REFUSED, {"reason": exc.message})


def _keep_outcome(request_id: int, outcome: Outcome) -> None:
    """The outcome on the request's row and in the audit log, as the request itself is."""
    db.session.execute(
        update(DeliveryRequest)
        .where(DeliveryRequest.id == request_id)
        .values(
            outcome=outcome.status,
            details={"says": outcome.says, **outcome.params},
            delivery_id=outcome.delivery.id if outcome.delivery is not None else None,
        )
    )
    request = db.session.get_one(DeliveryRequest, request_id)
    audit.record(
        "delivery.request_outcome",
        user=None,
        target=f"recipient/{request.recipient_name}",
        round=request.round_id,
        request=request_id,
        outcome=outcome.status,
        delivery=outcome.delivery.id if outcome.delivery is not None else None,
    )
    db.session.commit()


RECENT_REQUESTS = 10
"""The newest handled 「今すぐ送信」 whose outcome the recipients page tells."""


def handled_requests(limit: int = RECENT_REQUESTS) -> list[DeliveryRequest]:
    """The newest requests the scheduler took, newest first (their outcome, or still running)."""
    return list(
        db.session.scalars(
            select(DeliveryRequest)
            .where(DeliveryRequest.picked_at.is_not(None))
            .order_by(DeliveryRequest.id.desc())
            .limit(limit)
        )
    )


def request_result(request: DeliveryRequest) -> str:
    """What became of a request, in words: its delivery's status as it is now (a retry may have
    sent it or given up since), else the outcome kept when it was handled."""
    delivery = request.delivery
    if request.outcome == "unchanged":
        return _said(request)
    if delivery is not None:
        return _delivery_result(delivery)
    if request.outcome is None:
        return _unrecorded(request)
    if request.outcome in (WAITING, REFUSED, FAILED):
        return _("送れませんでした。%(why)s", why=_said(request))
    return _said(request)


def _said(request: DeliveryRequest) -> str:
    """The outcome kept on the request, worded now from its data; a row from before the data was
    kept (migration 0013) says its stored message."""
    details = request.details or {}
    says = details.get("says")
    if isinstance(says, str) and says in SAYINGS:
        return outcome_text(says, details)
    return hub_words(request.message or "")


def delivery_error(delivery: Delivery) -> str:
    """A delivery's error as a page shows it: the hub's own words in the page's language (a
    channel's failure worded now from its data, ``error_details``), what a channel or a receiving
    server said as it was said; a row from before the data was kept (migration 0014) says its
    stored error."""
    if delivery.status == SUPERSEDED:
        return str(SUPERSEDED_ERROR)
    return worded_error(delivery.error, delivery.error_details)


def changed_tables(delivery: Delivery, locale: str | None = None) -> list[str]:
    """A 訂正版's changed tables as a page or the API names them in ``locale`` (the page's by
    default): the titles stored with it (``changes["titles"]``, Japanese as the delivery carried
    them) for a Japanese reader; for another, each worded from its name (``changes["tables"]``)
    by :func:`exports.assembly.table_title`, the stored title where the name is not one a round's
    table has. Empty for a delivery that corrects none."""
    if not delivery.correction_of_id:
        return []
    changes = delivery.changes or {}
    titles = [str(t) for t in changes.get("titles") or []]
    names = [str(n) for n in changes.get("tables") or []]
    locale = locale or _page_locale()
    if locale == "ja" or len(names) != len(titles) or delivery.round is None:
        return titles
    round_ = delivery.round
    return [table_title(round_, n, locale) or t for n, t in zip(names, titles, strict=True)]


def _page_locale() -> str:
    found = get_locale()
    return found.language if found is not None else "ja"


def delivery_error_code(delivery: Delivery) -> str | None:
    """What a delivery's error is, as a code a program can test (the API's ``error_code``):
    the channel's (``outbox_unwritable``, ``http_status``, ``addresses_refused`` …, a key of
    ``CHANNEL_SAYINGS``), ``superseded`` or ``interrupted`` for the hub's own, ``other`` for an
    error kept as text only (a row from before migration 0014); ``None`` without an error."""
    if delivery.status == SUPERSEDED:
        return "superseded"
    if not delivery.error:
        return None
    says = (delivery.error_details or {}).get("says")
    if isinstance(says, str) and says in CHANNEL_SAYINGS:
        return says
    if delivery.error == _japanese(INTERRUPTED):
        return "interrupted"
    return "other"


def worded_error(
    error: str | None, details: Mapping[str, Any] | None, *, addresses: bool = True
) -> str:
    """A stored failure as a page shows it, a delivery's or a mail's: worded now, in the page's
    language, from its data (``error_details``: a channel's code and what it names; what a
    server said as it was said); a row from before the data was kept says its stored text.
    ``addresses=False`` (a page that names municipalities only): no e-mail address in it."""
    says = (details or {}).get("says")
    if isinstance(says, str) and says in CHANNEL_SAYINGS:
        return channel_text(says, details or {}, addresses=addresses)
    text = hub_words(error or "")
    return text if addresses else unnamed(text)


def _unrecorded(request: DeliveryRequest) -> str:
    """A request taken without an outcome: still being handled, or — past an attempt's lease —
    handled before outcomes were kept (migration 0011) or cut off with its process."""
    picked = request.picked_at
    if picked is not None and picked + LEASE < utcnow():
        return _("結果は記録されていません。配信記録をご覧ください。")
    return _("送信の処理中です。")


def _delivery_result(delivery: Delivery) -> str:
    if delivery.status == SENT:
        return _("送信しました（配信 %(id)s）。", id=delivery.id)
    if delivery.status == RETRYING:
        return _(
            "送信に失敗しました（配信 %(id)s）。自動で再試行します: %(error)s",
            id=delivery.id,
            error=delivery_error(delivery),
        )
    if delivery.status == FAILED:
        return _(
            "送れませんでした（配信 %(id)s）: %(error)s",
            id=delivery.id,
            error=delivery_error(delivery),
        )
    if delivery.status == SUPERSEDED:
        return _(
            "配信 %(id)s は、送信前にデータが変わったため新しい配信に置き換えました。"
            "配信記録をご覧ください。",
            id=delivery.id,
        )
    return _("送信中です（配信 %(id)s）。", id=delivery.id)


# --- scheduled deliveries ---------------------------------------------------------------------


def rounds_in_scope(schedule: str, now: datetime) -> list[Round]:
    """Rounds a scheduled delivery covers: open and recently closed ones for a cron schedule,
    closed ones (by staff or by their deadline) for ``on-close``; none when ``off``."""
    if schedule == OFF:
        return []
    cutoff = now - RECENT
    recently_closed = Round.closed_at >= cutoff
    if schedule == ON_CLOSE:
        condition = or_(
            recently_closed,
            and_(Round.closed_at.is_(None), Round.deadline <= now, Round.deadline >= cutoff),
        )
    else:
        condition = and_(Round.opens_at <= now, or_(Round.closed_at.is_(None), recently_closed))
    return list(db.session.scalars(select(Round).where(condition).order_by(Round.id)))


def deliver_scheduled(recipient_name: str, now: datetime | None = None) -> list[Outcome]:
    """Deliver the recipient's rounds in scope; unchanged ones are skipped by :func:`deliver`."""
    now = now or utcnow()
    recipient = get_recipient(recipient_name)
    if not recipient.active:
        return []
    trigger = "on-close" if recipient.schedule == ON_CLOSE else "schedule"
    round_ids = [r.id for r in rounds_in_scope(recipient.schedule, now)]
    db.session.commit()
    outcomes = []
    for round_id in round_ids:
        try:
            outcomes.append(deliver(recipient.name, round_id, trigger=trigger, now=now))
        except HubError as exc:
            db.session.rollback()
            log.warning("scheduled delivery %s/%s: %s", recipient.name, round_id, exc.message)
            outcomes.append(refusal(exc))
    return outcomes


LOOKED_FOR = ("sent", "failed", "refused", "busy", "waiting", "unchanged")
"""What a scheduled delivery may find for a round, in the order a page names them."""


def look_result(outcomes: list[Outcome]) -> dict[str, Any]:
    """What one scheduled look at a recipient found, kept as its run's ``result``
    (``job_run.result``): how many rounds it covered and how many came to each of
    :data:`LOOKED_FOR` (a delivery retrying counts as failed)."""
    found = dict.fromkeys(LOOKED_FOR, 0)
    for outcome in outcomes:
        status = FAILED if outcome.status == RETRYING else outcome.status
        if status in found:
            found[status] += 1
    return {"rounds": len(outcomes), **found}


@dataclass(frozen=True)
class Look:
    """The scheduler's latest look at a recipient's scheduled delivery: when, and what it found
    (:attr:`found`, in the page's language)."""

    at: datetime
    status: str
    """``running``, ``done`` or ``failed`` (an error stopped the run; its text is in the log)."""
    result: dict[str, Any] | None

    @property
    def found(self) -> str:
        if self.status == "running":
            return _("確認中です。")
        if self.status != "done":
            return _(
                "確認の途中でエラーになりました。システム管理者にログの確認を依頼してください。"
            )
        if self.result is None:
            return _("結果は記録されていません。")
        if not self.result.get("rounds"):
            return _("配信の対象になる調査回はありませんでした。")
        said = [LOOK_WORDS[key](n=n) for key in LOOKED_FOR if (n := int(self.result.get(key) or 0))]
        text = _("、").join(said) + _("。")
        return text[:1].upper() + text[1:]  # English phrases start in lower case


LOOK_WORDS: dict[str, Callable[..., str]] = {
    "sent": lambda n: ngettext(
        "%(n)s件の調査回を配信しました", "%(n)s件の調査回を配信しました", n, n=n
    ),
    "failed": lambda n: _("%(n)s件は送信に失敗しました（配信記録をご覧ください）", n=n),
    "refused": lambda n: _("%(n)s件は内容に問題があり送れませんでした", n=n),
    "busy": lambda n: ngettext(
        "%(n)s件は同じ内容の配信が送信中か再試行待ちでした",
        "%(n)s件は同じ内容の配信が送信中か再試行待ちでした",
        n,
        n=n,
    ),
    "waiting": lambda n: _("%(n)s件は提出した団体がまだ少ないため送っていません", n=n),
    "unchanged": lambda n: _("%(n)s件は前回の配信から変更がなく、送っていません", n=n),
}
"""How a page says each of :data:`LOOKED_FOR`."""


def last_look(recipient_name: str) -> Look | None:
    """The scheduler's latest look at the recipient's scheduled delivery (its claimed run,
    ``deliveries:<name>``; :mod:`hub.jobs`), or ``None`` when it never looked."""
    run = last_run(f"deliveries:{recipient_name}")
    if run is None:
        return None
    return Look(run.finished_at or run.claimed_at, run.status, run.result)


SCHEDULER_TICK = "rounds.close"
"""A job the scheduler claims every minute: when it was last claimed is when a scheduler last
ran at all."""
SCHEDULER_QUIET = timedelta(minutes=5)
"""Longer than this without a tick, a page says the scheduler seems not to be running."""


def scheduler_seen() -> datetime | None:
    """When a scheduler last ran (any process), or ``None`` when none ever did."""
    return last_claimed_at(SCHEDULER_TICK)


LOG_ON_THE_PAGE = 100
"""The newest deliveries the staff's and a counterpart's pages list (the API reads up to 500)."""
LOG_OF_ONE_RECIPIENT = 20
"""The newest deliveries a recipient's edit page lists below its form."""


def delivery_log(recipient_name: str | None = None, *, limit: int = 100) -> list[Delivery]:
    query = select(Delivery).order_by(Delivery.created_at.desc()).limit(limit)
    if recipient_name is not None:
        query = query.where(Delivery.recipient_name == recipient_name)
    return list(db.session.scalars(query))
