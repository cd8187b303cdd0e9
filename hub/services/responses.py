"""The life of a response: save a draft, submit, return, accept, extend.

Every change goes through :func:`_record`, which bumps the version, writes an immutable revision,
refreshes the choice index used by the aggregated tables and writes the audit log. Services only
flush; the request, command or job that called them commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from forms.model import Question, Questionnaire
from forms.normalize import MAX_YEAR, MIN_YEAR, clean_text
from forms.schema import load_answers
from hub.auth.policy import ensure_municipality
from hub.db import MAX_ID, db, utcnow
from hub.errors import Conflict, Invalid, NotFound
from hub.models import (
    EDITABLE,
    Municipality,
    Response,
    ResponseState,
    Revision,
    Role,
    Round,
    RoundState,
    Survey,
    User,
    is_valid_code,
)
from hub.models.survey import Entered, moves_answers_entered
from hub.services import audit
from hub.services.response_records import (
    AnyResponse,
    Changed,
    ResponseRecord,
    read_record,
)
from hub.services.response_writes import Change, Pair, write_change


def get_response(round_id: int, municipality_code: str) -> Response:
    if not is_valid_code(municipality_code):
        raise NotFound(_("この調査回・自治体の回答はありません。"))
    response = db.session.scalar(
        select(Response).filter_by(round_id=round_id, municipality_code=municipality_code)
    )
    if response is None:
        raise NotFound(_("この調査回・自治体の回答はありません。"))
    return response


def get_round(round_id: int) -> Round:
    if not 0 < round_id <= MAX_ID:
        raise NotFound(_("調査回 %(round)s はありません。", round=round_id))
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise NotFound(_("調査回 %(round)s はありません。", round=round_id))
    return round_


def response_for(round_id: int, municipality_code: str, user: User) -> Response:
    """The response a page or API call names, once ``user`` may see that municipality: the one
    lookup behind every URL ``…/rounds/<round>/…/<code>`` (an unknown round is 404 before any
    check, another municipality's response 403).

    One query when the response exists (it brings its round, survey and municipality along);
    only a miss looks the round up on its own, to tell an unknown round from a municipality
    outside it."""
    response = None
    if _may_exist(round_id, municipality_code):
        response = db.session.scalar(
            _RESPONSE_WITH_ROUND, {"round_id": round_id, "code": municipality_code}
        )
    _ensure_found(round_id, municipality_code, user, found=response is not None)
    assert response is not None
    return response


def record_for(round_id: int, municipality_code: str, user: User) -> ResponseRecord:
    """:func:`response_for` without ORM objects, for the deadline burst's requests (reading,
    saving and submitting through the API): the same lookup, answers and refusals, the response
    with what a change needs of its round in one plain statement
    (:mod:`hub.services.response_records`). ``save_draft`` and ``submit`` take it as they take a
    :class:`Response`."""
    record = None
    if _may_exist(round_id, municipality_code):
        record = read_record(round_id, municipality_code)
    _ensure_found(round_id, municipality_code, user, found=record is not None)
    assert record is not None
    return record


def _may_exist(round_id: int, municipality_code: str) -> bool:
    return 0 < round_id <= MAX_ID and is_valid_code(municipality_code)


def _ensure_found(round_id: int, municipality_code: str, user: User, *, found: bool) -> None:
    if not found:
        get_round(round_id)
    ensure_municipality(user, municipality_code)
    if not found:
        raise NotFound(_("この調査回・自治体の回答はありません。"))


_RESPONSE_WITH_ROUND = (
    select(Response)
    .where(
        Response.round_id == bindparam("round_id"),
        Response.municipality_code == bindparam("code"),
    )
    .options(
        joinedload(Response.round)
        .load_only(
            Round.survey_id,
            Round.title,
            Round.reference_date,
            Round.opens_at,
            Round.deadline,
            Round.closed_at,
        )
        .joinedload(Round.survey)
        .load_only(Survey.key, Survey.version, Survey.title, Survey.fingerprint),
        joinedload(Response.municipality).load_only(Municipality.name, Municipality.region),
    )
)
"""The lookup behind every response URL, built once: the response with the columns of its
round, questionnaire row and municipality that the pages, the API and the services read (any
other loads on first use)."""


def is_on_behalf(user: User | None, response: AnyResponse) -> bool:
    """Staff (or anyone not of that municipality) writing a municipality's answers: 代理入力."""
    return user is not None and user.municipality_code != response.municipality_code


def normalized(response: AnyResponse, raw_answers: Mapping[str, Any]) -> dict[str, Any]:
    """``raw_answers`` as a draft save would store them (``Invalid`` if a draft would refuse)."""
    return _load(response, raw_answers, submit=False)


def save_draft(
    response: Changed,
    raw_answers: Mapping[str, Any],
    *,
    version: int,
    user: User | None,
    source: str = "web",
    ignore_unknown: bool = False,
    record_unchanged: bool = True,
) -> Changed:
    """Replace the draft's answers with ``raw_answers`` (validated, normalized, may be incomplete).

    ``record_unchanged=False``: a save that changes no answer writes nothing (no revision, no
    audit row, the same version, the same state): a page's 一時保存 pressed again, or its 提出
    pressed with blanks still to fill — and on a response not started, a form sent as it was
    shown (empty, or its pre-filled answers), which stays 未着手 rather than counting as begun."""
    _check_editable(response, user)
    _check_version(response, version, user)
    answers = _load(response, raw_answers, submit=False, ignore_unknown=ignore_unknown)
    if not record_unchanged and not diff(dict(response.answers or {}), answers):
        return response
    _record(response, "save", answers=answers, state=ResponseState.DRAFT, user=user, source=source)
    return response


def submit(
    response: Changed,
    *,
    user: User | None,
    source: str = "web",
    raw_answers: Mapping[str, Any] | None = None,
    version: int | None = None,
) -> Changed:
    """Validate everything the questionnaire requires and mark the response submitted."""
    _check_editable(response, user)
    if version is not None:
        _check_version(response, version, user)
    _check_deadline(response, user)
    source_answers = response.answers if raw_answers is None else raw_answers
    answers = _load(response, source_answers, submit=True, sent=raw_answers is not None)
    _record(
        response,
        "submit",
        answers=answers,
        state=ResponseState.SUBMITTED,
        user=user,
        source=source,
        columns={"submitted_at": utcnow(), "return_reason": None},
    )
    return response


def return_response(response: Response, reason: str, *, user: User | None) -> Response:
    """Send a submitted response back to its municipality as a draft, with the reason."""
    reason = _return_reason(reason)
    if response.state != ResponseState.SUBMITTED:
        raise Conflict(_("差し戻せるのは提出済みの回答だけです。"))
    _record(
        response,
        "return",
        state=ResponseState.DRAFT,
        user=user,
        reason=reason,
        columns={"return_reason": reason},
    )
    return response


def _return_reason(typed: str) -> str:
    reason = clean_text(typed or "")
    if not reason:
        raise Invalid({"reason": [_("差し戻しの理由を入力してください。")]})
    if len(reason) > 2000:
        raise Invalid({"reason": [_("理由は2000文字以内で入力してください。")]})
    return reason


def accept(response: Response, *, user: User | None) -> Response:
    if response.state != ResponseState.SUBMITTED:
        raise Conflict(_("受理できるのは提出済みの回答だけです。"))
    _record(
        response,
        "accept",
        state=ResponseState.ACCEPTED,
        user=user,
        columns={"accepted_at": utcnow()},
    )
    return response


def unaccept(response: Response, *, user: User | None) -> Response:
    """Take back an acceptance made by mistake (a tick too many on まとめて受理): the response is
    submitted again, still locked for the municipality, and staff may accept or return it. A
    revision and the audit log record who did it."""
    if response.state != ResponseState.ACCEPTED:
        raise Conflict(_("受理を取り消せるのは受理済みの回答だけです。"))
    _record(
        response,
        "unaccept",
        state=ResponseState.SUBMITTED,
        user=user,
        columns={"accepted_at": None},
    )
    return response


def submitted_in(round_: Round) -> list[Response]:
    """The round's responses waiting to be accepted (submitted), by municipality code."""
    return list(
        db.session.scalars(
            select(Response)
            .where(Response.round_id == round_.id, Response.state == ResponseState.SUBMITTED)
            .order_by(Response.municipality_code)
        )
    )


@dataclass(frozen=True)
class ManyDecided:
    done: tuple[Response, ...]
    """The responses accepted, or returned (their municipalities are told by mail after the
    commit)."""
    changed: tuple[str, ...]
    """Municipality codes left alone: no longer submitted, or changed since staff saw them."""


def accept_many(round_: Round, seen: Mapping[str, int], *, user: User | None) -> ManyDecided:
    """Accept each of the round's responses that staff chose, as :func:`accept` does one (its own
    revision and audit row), if it is still the version they saw: one returned, re-submitted or
    accepted by someone else since the list was shown is left as it is and named."""
    return _decide_many(round_, seen, lambda response: accept(response, user=user))


def return_many(
    round_: Round, seen: Mapping[str, int], reason: str, *, user: User | None
) -> ManyDecided:
    """Return each chosen response with the one reason, as :func:`return_response` does one, if
    it is still the version staff saw (as :func:`accept_many`). ``Invalid`` for a missing or too
    long reason, before anything is returned."""
    reason = _return_reason(reason)
    return _decide_many(round_, seen, lambda response: return_response(response, reason, user=user))


def _decide_many(
    round_: Round, seen: Mapping[str, int], decide: Callable[[Response], Response]
) -> ManyDecided:
    found = {
        r.municipality_code: r
        for r in db.session.scalars(
            select(Response).where(
                Response.round_id == round_.id, Response.municipality_code.in_(list(seen))
            )
        )
    }
    done: list[Response] = []
    changed: list[str] = []
    for code in sorted(seen):
        response = found.get(code)
        if response is None or response.version != seen[code]:
            changed.append(code)
            continue
        try:
            decide(response)
        except Conflict:
            changed.append(code)
            continue
        done.append(response)
    return ManyDecided(tuple(done), tuple(changed))


def grant_extension(response: Response, until: datetime, *, user: User | None) -> Response:
    """Let this municipality submit until ``until`` although the round's deadline has passed.
    A day past ``MAX_YEAR`` is refused as every other date is (it could not even be stored at
    9999-12-31 with a negative offset)."""
    if not MIN_YEAR <= until.year <= MAX_YEAR:
        raise Invalid(
            {"until": [_("延長後の期限は%(max)s年までの日時で指定してください。", max=MAX_YEAR)]}
        )
    if until <= utcnow():
        raise Invalid({"until": [_("延長後の期限は現在より後にしてください。")]})
    response.extension_until = until
    audit.record(
        "response.extend",
        user=user,
        target=target_of(response),
        municipality_code=response.municipality_code,
        until=until.isoformat(),
    )
    db.session.flush()
    return response


def _load(
    response: AnyResponse,
    raw: Mapping[str, Any],
    *,
    submit: bool,
    ignore_unknown: bool = False,
    sent: bool = True,
) -> dict[str, Any]:
    """``raw`` validated and normalized, each ``calculate`` worked out; ``sent``: ``raw`` came
    from a client (not the stored answers), so a value given for a ``calculate`` is refused."""
    if not isinstance(raw, Mapping):
        raise Invalid(
            {"answers": [_("answers は項目IDをキーとするオブジェクトで指定してください。")]}
        )
    if not ignore_unknown:
        _refuse_many_unknown(response.round.questionnaire.get, raw)
    if sent:
        _refuse_calculated(response.round.questionnaire, raw)
    try:
        return load_answers(
            response.round.questionnaire,
            raw,
            submit=submit,
            reference_date=response.round.reference_date,
            ignore_unknown=ignore_unknown,
        )
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"answers": exc.messages}
        raise Invalid(_unknown_field_messages(messages)) from exc


def _refuse_calculated(questionnaire: Questionnaire, raw: Mapping[str, Any]) -> None:
    """A value sent for a ``calculate`` is refused, naming it: the hub works it out."""
    given = [key for key in raw if key in questionnaire.calculated_ids]
    if given:
        message = _(
            "この項目は計算項目（calculate）で、値はほかの回答からハブが計算します。"
            "送らないでください。"
        )
        raise Invalid({key: [message] for key in given})


UNKNOWN_LISTED = 20
"""Ids that are no question of the questionnaire, named one by one in a refusal; past that the
refusal names these and counts the rest (a body of 250,000 made-up ids had been answered with
every one of them: 13 MB after 14 s)."""


def _refuse_many_unknown(question: Any, raw: Mapping[str, Any]) -> None:
    """More unknown ids than :data:`UNKNOWN_LISTED`: refused at once, the first of them named."""
    unknown = [key for key in raw if not isinstance(key, str) or question(key) is None]
    if len(unknown) <= UNKNOWN_LISTED:
        return
    errors: dict[str, list[str]] = {
        str(key)[:50]: [_("この調査票にない項目です。")] for key in unknown[:UNKNOWN_LISTED]
    }
    errors["answers"] = [
        _(
            "この調査票にない項目が%(count)s件あります（最初の%(listed)s件を示しています）。"
            "項目IDを確かめてください。",
            count=len(unknown),
            listed=UNKNOWN_LISTED,
        )
    ]
    raise Invalid(errors)


def _unknown_field_messages(messages: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: [_("この調査票にない項目です。")] if value == ["Unknown field."] else value
        for key, value in messages.items()
    }


def _check_editable(response: AnyResponse, user: User | None) -> None:
    if response.state not in EDITABLE:
        raise Conflict(_("提出済み・受理済みの回答は編集できません（差し戻し後に編集できます）。"))
    if _is_staff(user):
        return
    if response.round.state_at(utcnow()) == RoundState.UPCOMING:
        raise Conflict(_("この調査はまだ開始されていません。"))
    if closed_to_respondents(response):
        raise Conflict(
            _(
                "この調査は締め切られたため、回答を保存できません。続けて入力・提出するには、"
                "東京都の担当者に提出期限の延長を依頼してください。"
            )
        )


def _check_deadline(response: AnyResponse, user: User | None) -> None:
    if _is_staff(user):
        return
    if utcnow() > response.deadline_for():
        raise Conflict(_("提出期限を過ぎています。期限の延長は東京都の担当者にご相談ください。"))


def closed_to_respondents(response: AnyResponse, now: datetime | None = None) -> bool:
    """The round is closed (by staff, or by the scheduler at the deadline) and this
    municipality holds no extension still running: its respondents can neither save nor
    submit (staff still can, 代理入力)."""
    state = response.round.state_at(now or utcnow())
    return state == RoundState.CLOSED and not _has_open_extension(response)


def _has_open_extension(response: AnyResponse) -> bool:
    return response.extension_until is not None and response.extension_until > utcnow()


def _is_staff(user: User | None) -> bool:
    return user is not None and user.role == Role.STAFF


def _check_version(response: AnyResponse, version: int, user: User | None) -> None:
    if version != response.version:
        raise Conflict(
            _(
                "この回答は、あなたが別の画面で先に保存しています。"
                "最新の内容を確認してから保存し直してください。"
            )
            if user is not None and response.updated_by_id == user.id
            else _(
                "他の人が先にこの回答を保存しました。最新の内容を確認してから保存し直してください。"
            ),
            current_version=response.version,
            current_answers=response.answers,
            updated_by=response.updated_by_label,
        )


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    keys = [*before.keys(), *(k for k in after if k not in before)]
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _record(
    response: AnyResponse,
    action: str,
    *,
    state: str,
    user: User | None,
    answers: dict[str, Any] | None = None,
    source: str = "web",
    reason: str | None = None,
    columns: Mapping[str, Any] | None = None,
) -> None:
    """Write one change: the response, its revision, its choice index and the audit row.

    As few round trips as the guarantees allow (:mod:`hub.services.response_writes`): the
    version check and the update are one ``UPDATE … WHERE version = :seen`` (no row updated:
    someone saved first, 409, nothing written); the revision, the audit row and the rows of the
    choice index that differ are written with it, nothing read back. What was written is set on
    ``response`` as committed state, so no second UPDATE follows at commit."""
    before = dict(response.answers or {})
    after = before if answers is None else answers
    on_behalf = answers is not None and is_on_behalf(user, response)
    seen = response.version
    now = utcnow()
    changes = diff(before, after)
    entered = answers is not None and moves_answers_entered(
        changed=bool(changes), entered_before=response.answers_entered_at is not None
    )
    values: dict[str, Any] = {
        "answers": after,
        "state": state,
        "version": seen + 1,
        "updated_at": now,
        "updated_by_id": user.id if user else None,
        "updated_on_behalf": on_behalf,
        **(_entered_columns(now, user, on_behalf) if entered else {}),
        **(columns or {}),
    }
    questions = response.round.questionnaire.choice_questions
    old = set(_choice_pairs(questions, before)) if answers is not None else set()
    new = set(_choice_pairs(questions, after)) if answers is not None else set()
    written = write_change(
        Change(
            response_id=response.id,
            seen_version=seen,
            response=values,
            revision={
                "response_id": response.id,
                "number": seen + 1,
                "action": action,
                "state": state,
                "answers": after,
                "changes": changes,
                "reason": reason,
                "source": source,
                "user_id": user.id if user else None,
                "on_behalf": on_behalf,
                "created_at": now,
            },
            audit=audit.row(
                f"response.{action}",
                user=user,
                target=target_of(response),
                municipality_code=response.municipality_code,
                on_behalf=on_behalf,
                at=now,
                version=seen + 1,
                changed=sorted(changes),
                source=source,
            ),
            # the index always matches the answers (every write of answers comes here, or is
            # ``rounds.open_round`` indexing what it prefills): only the rows that differ change
            removed_choices=sorted(old - new),
            added_choices=sorted(new - old),
        )
    )
    if not written:
        raise Conflict(
            _(
                "他の人が同時にこの回答を保存しました。最新の内容を確認してから保存し直してください。"
            )
        )
    if isinstance(response, ResponseRecord):
        for key, value in values.items():
            if key not in _NAMED_ON_RECORD:
                setattr(response, key, value)
        response.updated_by_label = user.label if user else None
        if entered:
            response.answers_entered = Entered(now, response.updated_by_label, on_behalf)
        return
    for key, value in values.items():
        set_committed_value(response, key, value)
    set_committed_value(response, "updated_by", user)
    if entered:
        set_committed_value(response, "answers_entered_by", user)


def _entered_columns(now: datetime, user: User | None, on_behalf: bool) -> dict[str, Any]:
    """The columns of who entered the answers (:attr:`Response.answers_entered`), set by the
    change's own write when it moves them."""
    return {
        "answers_entered_at": now,
        "answers_entered_by_id": user.id if user else None,
        "answers_entered_on_behalf": on_behalf,
    }


_NAMED_ON_RECORD = (
    "answers_entered_at",
    "answers_entered_by_id",
    "answers_entered_on_behalf",
)
"""Columns a :class:`ResponseRecord` holds as what pages read of them (``updated_by_label``,
``answers_entered``), not as written."""


def _choice_pairs(questions: Iterable[Question], answers: Mapping[str, Any]) -> Iterator[Pair]:
    for question in questions:
        value = answers.get(question.id)
        for code in value if isinstance(value, list) else [value] if value else []:
            yield question.id, code


def choice_rows(response: Response) -> list[dict[str, Any]]:
    questions = response.round.questionnaire.choice_questions
    return [
        {"response_id": response.id, "question_id": question, "code": code}
        for question, code in _choice_pairs(questions, response.answers)
    ]


def target_of(response: AnyResponse) -> str:
    """How the audit log names a response: ``round/12/response/131016``."""
    return f"round/{response.round_id}/response/{response.municipality_code}"


def revisions(response: Response) -> list[Revision]:
    return list(
        db.session.scalars(
            select(Revision).filter_by(response_id=response.id).order_by(Revision.number)
        )
    )
