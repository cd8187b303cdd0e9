"""Opening and closing rounds (調査回), with every municipality asked and last answers pre-filled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import ValidationError
from sqlalchemy import Exists, delete, func, insert, or_, select

from forms import tokyo
from forms.lineage import Lineage
from forms.model import Kind, Question, Questionnaire
from forms.normalize import InvalidValue, clean_text, english_messages, fold_text, same_ke
from forms.schema import load_answers
from forms.wording import listed, noted
from hub.config import office_days
from hub.db import db, utcnow
from hub.errors import Conflict, Invalid, NotFound, flatten_errors
from hub.models import (
    EDITABLE,
    ROUND_REMOVED,
    Delivery,
    DeliveryRequest,
    Municipality,
    Response,
    ResponseChoice,
    ResponseState,
    Round,
    Survey,
    User,
    round_title,
)
from hub.services import audit, questionnaires
from hub.services.responses import choice_rows, get_round


def survey_for(key: str, version: int | None = None) -> Survey:
    """The stored questionnaire version a round is opened on (the latest without ``version``)."""
    return questionnaires.get_version(key, version)


def open_round(
    survey_key: str,
    *,
    version: int | None = None,
    reference_date: date,
    deadline: datetime,
    opens_at: datetime | None = None,
    title: str = "",
    municipality_codes: list[str] | None = None,
    invite: bool = False,
    user: User | None = None,
) -> Round:
    """Open a round on a stored questionnaire (its latest version, or ``version``) for the given
    municipalities (by default all that exist today); the round keeps that version forever.
    ``invite``: the scheduler mails each of them a request to answer once the round opens."""
    survey = survey_for(survey_key, version)
    if deadline <= (opens_at or utcnow()):
        raise Invalid({"deadline": [_deadline_problem(deadline, opens_at)]})
    opens_at = opens_at or utcnow()
    municipalities = _municipalities(municipality_codes)
    round_ = Round(
        survey_id=survey.id,
        survey=survey,
        title=clean_text(title) or round_title(survey.questionnaire.title, reference_date),
        reference_date=reference_date,
        opens_at=opens_at,
        deadline=deadline,
        invite=invite,
        created_by_id=user.id if user else None,
    )
    db.session.add(round_)
    db.session.flush()
    previous = _previous_accepted(round_)
    questionnaire = survey.questionnaire
    start = _valid_only(questionnaire, questionnaire.defaults(), round_.reference_date)
    lineage = survey.lineage()
    responses = [
        _new_response(round_, code, previous.get(code, []), questionnaire, start, lineage)
        for code in municipalities
    ]
    db.session.add_all(responses)
    db.session.flush()
    rows = [row for response in responses if response.answers for row in choice_rows(response)]
    if rows:
        db.session.execute(insert(ResponseChoice), rows)
    audit.record(
        "round.open",
        user=user,
        target=f"round/{round_.id}",
        survey=survey.key,
        reference_date=reference_date.isoformat(),
        deadline=deadline.isoformat(),
        municipalities=len(responses),
        prefilled=sum(1 for r in responses if r.prefilled_from_id),
        invite=invite,
    )
    return round_


def _deadline_problem(deadline: datetime, opens_at: datetime | None) -> str:
    """Why a deadline not after the opening is refused, naming what staff typed: with no
    opening time (now), the deadline is past — not "before the opening", a field left empty."""
    if opens_at is None:
        return _(
            "提出期限が過ぎています（%(when)s）。これから先の日時を入力してください。",
            when=tokyo.in_message(deadline),
        )
    return _("提出期限は受付開始日時より後にしてください。")


def asked_by_a_new_round() -> list[Municipality]:
    """The municipalities a new round asks by default: those that exist today, a municipality
    retired on a day still to come included (it answers until its day, as its successor answers
    after it)."""
    return list(
        db.session.scalars(
            select(Municipality)
            .where(Municipality.existed_on(tokyo.today()))
            .order_by(Municipality.code)
        )
    )


def closed_day_note(deadline: datetime) -> str | None:
    """A warning when ``deadline`` falls on a day the offices are closed (a Sunday, a holiday,
    29 December …): staff seldom mean it, and the municipalities may not be at work to answer.
    Not a refusal — a round may well close on a Saturday."""
    why = tokyo.closed_because(tokyo.in_tokyo(deadline).date(), office_days())
    if why is None:
        return None
    return _(
        "提出期限（%(when)s）は閉庁日（%(why)s）です。"
        "区市町村の担当者が期限の日に回答できないおそれがあります。",
        when=tokyo.in_message(deadline),
        why=why,
    )


CLOSED_DAY, BEFORE_REFERENCE_DATE = "closed_day", "before_reference_date"
DEADLINE_NOTE_CODES = (CLOSED_DAY, BEFORE_REFERENCE_DATE)
"""What :class:`DeadlineNote` ``code`` may be (the API's ``deadline_notes``)."""


@dataclass(frozen=True)
class DeadlineNote:
    """One warning about a deadline (:func:`deadline_warnings`): what programs read, and the
    sentence people read, in the request's language."""

    code: str
    """:data:`CLOSED_DAY` (the offices are closed that day; the API's ``deadline_closed_day``
    says why) or :data:`BEFORE_REFERENCE_DATE`."""
    message: str


def deadline_warnings(deadline: datetime, reference_date: date | None = None) -> list[DeadlineNote]:
    """The warnings about a deadline staff seldom mean: on a day the offices are closed
    (:func:`closed_day_note`), or before the round's 基準日 — the day whose state the
    municipalities report, which a deadline before it asks them to foresee (a year typed wrong,
    most often). Not refusals.

    Said when one of the two is set: when a round is opened (and on 「依頼先を確かめる」 before),
    when its deadline moves (:attr:`RoundChange.deadline_moved`: the page, ``hub round change``,
    ``PATCH /api/v1/rounds/{id}``) and when a municipality is given an extension — never on a
    change that moves neither (a new title or opening time, or the deadline sent back as it
    was): staff were told when they set them. The 基準日 is set once, when the round opens."""
    notes = []
    closed = closed_day_note(deadline)
    if closed is not None:
        notes.append(DeadlineNote(CLOSED_DAY, closed))
    if reference_date is not None and tokyo.in_tokyo(deadline).date() < reference_date:
        message = _(
            "提出期限（%(when)s）が基準日（%(day)s）より前です。基準日は、いつ現在の状況を"
            "答えてもらうかの日付です。どちらの日付も確かめてください。",
            when=tokyo.in_message(deadline),
            day=tokyo.format_day(reference_date, "en" if english_messages() else "ja"),
        )
        notes.append(DeadlineNote(BEFORE_REFERENCE_DATE, message))
    return notes


def deadline_notes(deadline: datetime, reference_date: date | None = None) -> list[str]:
    """:func:`deadline_warnings` as sentences (the pages, the command line)."""
    return [note.message for note in deadline_warnings(deadline, reference_date)]


def to_be_asked(codes: list[str] | None) -> list[Municipality]:
    """The municipalities a round for ``codes`` (``None``: all) would ask, in code order."""
    if codes is None:
        return asked_by_a_new_round()
    wanted = select(Municipality).where(Municipality.code.in_(codes))
    return list(db.session.scalars(wanted.order_by(Municipality.code)))


def typed_round(
    *,
    reference_date: str,
    deadline: str,
    opens_at: str = "",
    title: str = "",
    municipalities: str = "",
) -> dict[str, Any]:
    """:func:`open_round`'s values from what staff type, on the page or to the API: the 基準日 and
    times as people write them (``令和3年4月1日``, ``2021-05-31 17:00``, Tokyo unless an offset is
    given; no opening time: now) and the municipalities as :func:`municipalities_named` reads
    them. Every problem at once, by field."""
    values: dict[str, Any] = {"title": title.strip()}
    errors: dict[str, list[str]] = {}
    if too_long := _title_too_long(clean_text(title)):
        errors["title"] = [too_long]
    typed = {"reference_date": reference_date, "deadline": deadline, "opens_at": opens_at}
    parsers: dict[str, Any] = {
        "reference_date": tokyo.parse_day,
        "deadline": tokyo.parse_datetime,
        "opens_at": tokyo.parse_datetime,
    }
    for name, parse in parsers.items():
        text = typed[name].strip()
        if not text and name == "opens_at":
            continue
        try:
            values[name] = parse(text)
        except InvalidValue as exc:
            errors[name] = [str(exc)]
    deadline_at, opens = values.get("deadline"), values.get("opens_at")
    if deadline_at is not None and "opens_at" not in errors and deadline_at <= (opens or utcnow()):
        errors["deadline"] = [_deadline_problem(deadline_at, opens)]
    try:
        values["municipality_codes"] = municipalities_named(municipalities)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    return values


_SEPARATORS = re.compile(r"[,、，;；\s]+")


def municipalities_named(text: str) -> list[str] | None:
    """The municipalities staff list for a round (``None`` for an empty list: all of them), as
    people write them: codes (six digits or 総務省's five without the check digit, 全角 too),
    names (ヶ or ケ alike) or whole regions (区部), separated by 、, commas, spaces or lines. Each
    must exist today; a word that names none is refused by name."""
    words = [w for w in _SEPARATORS.split(fold_text(text)) if w]
    if not words:
        return None
    existing = asked_by_a_new_round()
    known = {
        m.code: m for m in db.session.scalars(select(Municipality).order_by(Municipality.code))
    }
    today = tokyo.today()
    by_code = {**{code[:5]: code for code in known}, **{code: code for code in known}}
    by_name: dict[str, list[Municipality]] = {}
    for m in known.values():
        by_name.setdefault(same_ke(m.name), []).append(m)
    codes: list[str] = []
    unknown: list[str] = []
    shared: list[str] = []
    for word in words:
        in_region = [m.code for m in existing if m.region == word]
        named = by_name.get(same_ke(word), [])
        chosen = [m for m in named if m.existed_on(today)] or named  # 府中市: two prefectures
        if in_region or word in by_code:
            codes += in_region or [by_code[word]]
        elif len(chosen) > 1:
            shared.append(noted(word, listed(m.code for m in chosen)))
        elif chosen:
            codes.append(chosen[0].code)
        else:
            unknown.append(_with_suggestion(word, existing))
    gone = [known[c].name for c in dict.fromkeys(codes) if not known[c].existed_on(today)]
    problems = []
    if unknown:
        problems.append(
            _("区市町村の団体コード・名称・区分ではありません: %(words)s", words=listed(unknown))
        )
    if gone:
        problems.append(_("廃止された区市町村です: %(names)s", names=listed(gone)))
    if shared:
        problems.append(
            _(
                "同じ名前の区市町村が複数あります。団体コードで指定してください: %(names)s",
                names=listed(shared),
            )
        )
    if problems:
        raise Invalid({"municipalities": problems})
    return sorted(set(codes))


def _with_suggestion(word: str, existing: list[Municipality]) -> str:
    """An unknown word as the refusal names it: with the one municipality whose name starts
    with it, if there is exactly one (八王子 → 八王子市, 千代田 → 千代田区: the name without 市・区・町・村)."""
    typed = same_ke(word)
    starting = [m for m in existing if same_ke(m.name).startswith(typed)] if typed else []
    if len(starting) != 1:
        return word
    return _("%(word)s（%(name)sのことですか？）", word=word, name=starting[0].name)


def _municipalities(codes: list[str] | None) -> list[str]:
    existing = [m.code for m in asked_by_a_new_round()]
    if codes is None:
        if not existing:
            raise Conflict(_("自治体が登録されていません（hub init を実行してください）。"))
        return existing
    missing = set(codes) - set(existing)
    retired = sorted(
        db.session.scalars(select(Municipality.code).where(Municipality.code.in_(missing)))
    )
    unknown = sorted(missing - set(retired))
    problems = []
    if unknown:
        problems.append(_("登録されていない自治体コード: %(codes)s", codes=listed(unknown)))
    if retired:
        problems.append(_("廃止された自治体コード: %(codes)s", codes=listed(retired)))
    if problems:
        raise Invalid({"municipalities": problems})
    return sorted(set(codes))


def _previous_accepted(round_: Round) -> dict[str, list[Response]]:
    """Each municipality's accepted responses in earlier rounds of the same questionnaire id (any
    version), newest first. "Earlier" is by reference date; a municipality that skipped the last
    round still gets its answers from the round before."""
    return accepted_before(round_.survey.key, round_.reference_date, exclude_round=round_.id)


def accepted_before(
    key: str, reference_date: date, *, exclude_round: int, municipality: str | None = None
) -> dict[str, list[Response]]:
    query = (
        select(Response)
        .join(Round, Round.id == Response.round_id)
        .join(Survey, Survey.id == Round.survey_id)
        .where(
            Survey.key == key,
            Round.id != exclude_round,
            Round.reference_date < reference_date,
            Response.state == ResponseState.ACCEPTED,
        )
        .order_by(Round.reference_date.desc(), Round.id.desc())
    )
    if municipality is not None:
        query = query.where(Response.municipality_code == municipality)
    found: dict[str, list[Response]] = {}
    for response in db.session.scalars(query):
        found.setdefault(response.municipality_code, []).append(response)
    return found


def carried_answers(
    questionnaire: Questionnaire, earlier: list[Response], lineage: Lineage
) -> tuple[dict[str, Any], Response | None]:
    """The latest accepted answer to each question, found by the name it had in the version of
    the round that gave it (settings ``renamed`` followed across every stored version,
    :mod:`forms.lineage`), and the newest response that gave one."""
    found = _carried(questionnaire, earlier, lineage)
    answers = {name: value for name, (value, _given_in) in found.items()}
    source: Response | None = None
    for _value, response in found.values():
        if source is None or _newer(response, source):
            source = response
    return answers, source


def _carried(
    questionnaire: Questionnaire, earlier: list[Response], lineage: Lineage
) -> dict[str, tuple[Any, Response]]:
    """:func:`carried_answers` question by question: each answer and the response that gave it."""
    found: dict[str, tuple[Any, Response]] = {}
    for question in questionnaire:
        for response in earlier:
            name = _name_in(lineage, questionnaire, question, response)
            if name is None:
                continue
            value = _fitting(question, response.answers[name])
            if value is not None:
                found[question.id] = (value, response)
            break
    return found


def still_carried(response: Response) -> dict[str, Response]:
    """The questions of a draft prefilled from an earlier round whose answer is still the one
    carried from it (nobody changed it since), each with the response it came from: the form
    marks them and the confirmation lists those that hold personal data — the contact person,
    who changes as people move every April — to be checked before submitting. A ``calculate``
    is never among them: the hub works it out again, nobody types it. Empty for a response not
    prefilled, or no longer editable."""
    if response.prefilled_from_id is None or response.state not in EDITABLE:
        return {}
    round_ = response.round
    earlier = accepted_earlier(response)
    answers = response.answers or {}
    if not earlier:
        return {}
    questionnaire = round_.questionnaire
    carried = _carried(questionnaire, earlier, round_.survey.lineage())
    return {
        name: given_in
        for name, (value, given_in) in carried.items()
        if name in answers and answers[name] == value and name not in questionnaire.calculated_ids
    }


def _name_in(
    lineage: Lineage, questionnaire: Questionnaire, question: Question, given: Response
) -> str | None:
    """The name ``question`` had in the version ``given`` was answered on, when ``given``
    answered it under that name."""
    name = lineage.name_in(questionnaire.version, question.id, given.round.survey.version)
    return name if name is not None and name in (given.answers or {}) else None


def _newer(a: Response, b: Response) -> bool:
    return (a.round.reference_date, a.round_id) > (b.round.reference_date, b.round_id)


def _fitting(question: Question, value: Any) -> Any:
    """``value`` as this version of ``question`` can hold it (codes no longer offered dropped);
    ``None`` when it cannot hold it at all."""
    if question.kind == Kind.MANY_OF:
        codes = [c for c in value if c in question.codes] if isinstance(value, list) else []
        return codes or None
    if question.kind == Kind.ONE_OF:
        return value if value in question.codes else None
    return value


def _valid_only(
    questionnaire: Questionnaire, answers: dict[str, Any], reference_date: date
) -> dict[str, Any]:
    """The carried answers this version accepts (its types, codes and constraints); an answer
    the definition no longer accepts is left for the municipality to give again."""
    for _attempt in range(len(answers) + 1):
        try:
            return load_answers(questionnaire, answers, reference_date=reference_date)
        except ValidationError as exc:
            messages = exc.messages if isinstance(exc.messages, dict) else {}
            refused = {k.split(".")[0] for k in flatten_errors(messages)} & set(answers)
            if not refused:
                return {}
            answers = {k: v for k, v in answers.items() if k not in refused}
    return {}


def _new_response(
    round_: Round,
    code: str,
    earlier: list[Response],
    questionnaire: Questionnaire,
    start: dict[str, Any],
    lineage: Lineage,
) -> Response:
    """A municipality's response: the definition's defaults (``start``), each replaced by the
    answer last accepted from the municipality."""
    carried, source = carried_answers(questionnaire, earlier, lineage)
    answers = dict(start)
    if carried:
        answers = _valid_only(questionnaire, {**start, **carried}, round_.reference_date)
    kept = any(name in answers for name in carried)
    return Response(
        round=round_,
        round_id=round_.id,
        municipality_code=code,
        state=ResponseState.NOT_STARTED,
        version=0,
        answers=answers,
        prefilled_from_id=source.id if source is not None and kept else None,
    )


TITLE_LENGTH = 200
"""The longest title a round keeps (``round.title``)."""


def _title_too_long(title: str) -> str | None:
    """Why a title cannot be kept, when it is longer than ``TITLE_LENGTH`` (opening and changing
    a round alike)."""
    if len(title) > TITLE_LENGTH:
        return _("名称は%(n)s文字以内で入力してください。", n=TITLE_LENGTH)
    return None


@dataclass(frozen=True)
class RoundChange:
    reopened: bool
    """The round was closed (by staff, or at its deadline) and takes answers again."""
    newly_due: tuple[tuple[Response, datetime], ...]
    """The responses still to be submitted whose deadline moved (an extension later than both
    deadlines keeps theirs), each with its deadline before: those to tell."""
    deadline_moved: bool = False
    """The round was given a new deadline: what to warn of (:func:`deadline_notes`)."""


def change_round(
    round_: Round,
    *,
    title: str,
    deadline: str | None,
    opens_at: str | None = None,
    user: User | None,
) -> RoundChange:
    """Give an opened round a new title, deadline or — before it opens — opening time, as staff
    type them (as :func:`typed_round` reads them; an empty opening time: now). A new deadline
    must be still to come (to stop answers now, staff close the round), and a closed round given
    one takes answers again; the responses already accepted stay accepted. A title alone changes
    nothing else. ``Invalid`` naming every field at once, nothing changed. ``deadline`` or
    ``opens_at`` ``None``: unchanged."""
    errors: dict[str, list[str]] = {}
    title = clean_text(title)
    if not title:
        errors["title"] = [_("調査回の名称を入力してください。")]
    elif too_long := _title_too_long(title):
        errors["title"] = [too_long]
    new_opening = new_deadline = None
    try:
        new_opening = _new_opening(round_, opens_at)
    except InvalidValue as exc:
        errors["opens_at"] = [str(exc)]
    try:
        new_deadline = _new_deadline(round_, deadline)
    except InvalidValue as exc:
        errors["deadline"] = [str(exc)]
    if not errors and (new_deadline or round_.deadline) <= (new_opening or round_.opens_at):
        errors["deadline"] = [_("提出期限は受付開始日時より後にしてください。")]
    if errors:
        raise Invalid(errors)
    before = round_.deadline
    pending = list(
        db.session.scalars(
            select(Response)
            .where(Response.round_id == round_.id, Response.state.in_([str(s) for s in EDITABLE]))
            .order_by(Response.municipality_code)
        )
    )
    deadlines = {r.id: r.deadline_for() for r in pending}
    reopened = new_deadline is not None and round_.closed_at is not None
    changes: dict[str, Any] = {}
    if title != round_.title:
        changes["title"] = title
    if new_opening is not None:
        changes["opens_at_before"] = round_.opens_at.isoformat()
        changes["opens_at"] = new_opening.isoformat()
        round_.opens_at = new_opening
    if new_deadline is not None:
        changes["deadline_before"] = before.isoformat()
        changes["deadline"] = new_deadline.isoformat()
        round_.deadline = new_deadline
        round_.closed_at = None
    round_.title = title
    audit.record(
        "round.change", user=user, target=f"round/{round_.id}", reopened=reopened, **changes
    )
    db.session.flush()
    newly_due = tuple((r, deadlines[r.id]) for r in pending if r.deadline_for() != deadlines[r.id])
    return RoundChange(reopened, newly_due, deadline_moved=new_deadline is not None)


def _new_deadline(round_: Round, typed: str | None) -> datetime | None:
    """The deadline staff typed, ``None`` when it is the round's own (as the form shows it, to
    the minute) or nothing was typed; ``InvalidValue`` when it is no time, is past (to stop answers
    now, staff close the round) or not after the opening."""
    if typed is None:
        return None
    deadline = tokyo.parse_datetime(typed.strip()).astimezone(UTC)
    if deadline == round_.deadline.replace(second=0, microsecond=0):
        return None
    if deadline <= utcnow():
        raise InvalidValue(
            _(
                "提出期限は今より後にしてください（今すぐ締め切るときは「調査回を締め切る」を押します）。"
            )
        )
    return deadline


def _new_opening(round_: Round, typed: str | None) -> datetime | None:
    """The opening time staff typed for a round not yet open (nothing typed: now), ``None`` when
    it is the round's own or nothing was sent; ``InvalidValue`` when it is no time, or the round
    has opened already (its answers started then).

    A page shown while the round was still to open sends its opening time back: left as shown,
    or emptied ("now"), it asks for what has happened since and is no change; any other time
    is refused."""
    if typed is None:
        return None
    text = typed.strip()
    opening = tokyo.parse_datetime(text).astimezone(UTC) if text else utcnow()
    own = round_.opens_at.replace(second=0, microsecond=0)
    if round_.opens_at <= utcnow():
        if not text or opening == own:
            return None
        raise InvalidValue(_("受付を始めた調査回の受付開始日時は変えられません。"))
    if opening == own:
        return None
    return opening


def why_not_removable(round_: Round) -> list[str]:
    """Why ``round_`` may no longer be taken back (empty: it may): a round opened by mistake can
    be, until anyone has saved, submitted or uploaded an answer, or anything of it was sent."""
    reasons = []
    answered = db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(
            Response.round_id == round_.id,
            or_(Response.version > 0, Response.state != ResponseState.NOT_STARTED),
        )
    )
    if answered:
        reasons.append(
            ngettext(
                "%(n)s団体が既に回答を保存・提出しています。",
                "%(n)s団体が既に回答を保存・提出しています。",
                answered,
                n=answered,
            )
        )
    delivered = db.session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.round_id == round_.id)
    ) or db.session.scalar(
        select(func.count())
        .select_from(DeliveryRequest)
        .where(DeliveryRequest.round_id == round_.id)
    )
    if delivered:
        reasons.append(_("この調査回の集計表は既に送信されたか、送信を依頼されています。"))
    return reasons


def remove_round(round_: Round, *, user: User | None) -> None:
    """Take back a round opened by mistake, with its unanswered responses (``Conflict`` once
    :func:`why_not_removable` names a reason). The audit log keeps what it was."""
    reasons = why_not_removable(round_)
    if reasons:
        raise Conflict(" ".join(reasons))
    asked = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.round_id == round_.id)
    )
    audit.record(
        ROUND_REMOVED,
        user=user,
        target=f"round/{round_.id}",
        title=round_.title,
        survey=round_.survey.key,
        survey_version=round_.survey.version,
        reference_date=round_.reference_date.isoformat(),
        municipalities=asked,
    )
    db.session.execute(delete(Round).where(Round.id == round_.id))
    db.session.expunge(round_)


def close_round(round_: Round, *, user: User | None) -> Round:
    if round_.closed_at is not None:
        raise Conflict(_("この調査回は既に締め切られています。"))
    round_.closed_at = utcnow()
    audit.record("round.close", user=user, target=f"round/{round_.id}")
    db.session.flush()
    return round_


def list_rounds(asking: str | None = None) -> list[Round]:
    """Every round, newest reference date first; with ``asking``, only the rounds that ask that
    municipality (it has a response in them): what its respondents may know of."""
    query = select(Round).order_by(Round.reference_date.desc(), Round.id.desc())
    if asking is not None:
        query = query.where(_asks(asking))
    return list(db.session.scalars(query))


def round_asking(round_id: int, asking: str | None) -> Round:
    """One round, as :func:`list_rounds` lists it: not found for a municipality it does not ask."""
    round_ = get_round(round_id)
    if asking is not None and not db.session.scalar(
        select(_asks(asking)).where(Round.id == round_.id)
    ):
        raise NotFound(_("調査回 %(round)s はありません。", round=round_id))
    return round_


def _asks(code: str) -> Exists:
    return (
        select(Response.id)
        .where(Response.round_id == Round.id, Response.municipality_code == code)
        .exists()
    )


@dataclass(frozen=True)
class Given:
    """An answer as it was given: its value and its question as that round's version defined
    it (the labels of choices a later version no longer offers)."""

    question: Question
    value: Any


def accepted_earlier(response: Response) -> list[Response]:
    """``response``'s municipality's accepted responses in earlier rounds of the same
    questionnaire id, newest first (:func:`accepted_before`)."""
    round_ = response.round
    return accepted_before(
        round_.survey.key,
        round_.reference_date,
        exclude_round=round_.id,
        municipality=response.municipality_code,
    ).get(response.municipality_code, [])


def previous_answers(response: Response) -> dict[str, Given]:
    """What ``response``'s municipality last answered to each question (accepted, in an earlier
    round of the same questionnaire, by the name it had in that round's version: settings
    ``renamed`` followed across every stored version), as it was answered: shown beside each
    field. Unlike :func:`carried_answers`, nothing is left out — a choice the round's version no longer offers is shown as such."""
    round_ = response.round
    earlier = accepted_earlier(response)
    questionnaire = round_.questionnaire
    lineage = round_.survey.lineage() if earlier else None
    found: dict[str, Given] = {}
    for question in questionnaire:
        for given in earlier:
            name = _name_in(lineage, questionnaire, question, given) if lineage else None
            if name is None:
                continue
            value = given.answers[name]
            if value is not None and value != "" and value != []:
                asked = given.round.questionnaire.get(name)
                found[question.id] = Given(asked or question, value)
            break
    return found
