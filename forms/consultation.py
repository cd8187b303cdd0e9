"""Consultation-desk cases (犯罪お悩みなんでも相談) and hearings (聞き取り) as data — docs/questionnaire.md, "The consultation desk".

The fields, codes and labels of a case record are written here once, with the questionnaire model
of ``forms.model``; validation is derived from them with ``forms.schema`` so that a case typed in
the web form, posted to the API or read from an imported list is normalized exactly like a survey
answer (全角 digits, 和暦 dates, a Japanese label where a code is expected). No field holds a name
or contact detail: a case record cannot carry one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError

from forms import normalize, registry, tokyo
from forms.expression import parse
from forms.model import Choice, Kind, Label, Question, Questionnaire, Section
from forms.schema import choice_code, completeness_errors, is_empty, load_answers
from forms.wording import listed

L = Label
ALWAYS = True

CHANNEL = Question(
    id="channel",
    kind=Kind.ONE_OF,
    label=L("相談方法", "Channel"),
    required=ALWAYS,
    choices=(Choice("phone", L("電話", "Phone")), Choice("visit", L("来所", "Visit"))),
)

AGE_GROUP = Question(
    id="age_group",
    kind=Kind.ONE_OF,
    label=L("相談対象者の年代", "Age group"),
    required=ALWAYS,
    choices=(
        Choice("under_20", L("20歳未満", "Under 20")),
        Choice("20s", L("20代", "20s")),
        Choice("30s", L("30代", "30s")),
        Choice("40s", L("40代", "40s")),
        Choice("50s", L("50代", "50s")),
        Choice("60s", L("60代", "60s")),
        Choice("70s", L("70代", "70s")),
        Choice("80_plus", L("80代以上", "80 and over")),
        Choice("unknown", L("不明", "Unknown")),
    ),
)

AGE_SPANS: dict[str, tuple[int, int | None]] = {
    "under_20": (0, 20),
    "20s": (20, 30),
    "30s": (30, 40),
    "40s": (40, 50),
    "50s": (50, 60),
    "60s": (60, 70),
    "70s": (70, 80),
    "80_plus": (80, None),
}
"""The ages each age group covers, ``[from, to)`` (``None``: no upper end); 不明 covers none. A
desk's own way of writing a group (``80歳以上``, ``20歳代``, ``19歳以下``, or one age, ``45歳``) is read by the ages it
names: :func:`age_group_value`."""

_AGE = r"(?P<n>[0-9]{1,3})(?:歳|才)?"
_AGE_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    # one age (``45歳``); a bare number is not read as an age: lists also number the groups
    (re.compile(r"(?P<n>[0-9]{1,3})(?:歳|才)"), "age"),
    (re.compile(_AGE + r"代"), "decade"),
    (re.compile(_AGE + r"代前半"), "early"),
    (re.compile(_AGE + r"代後半"), "late"),
    (re.compile(_AGE + r"代?(?:以上|~|〜|\+)"), "from"),
    (re.compile(_AGE + r"未満"), "below"),
    (re.compile(_AGE + r"以下"), "to"),
    (re.compile(_AGE + r"(?:~|〜|-)(?P<m>[0-9]{1,3})(?:歳|才)"), "range"),
)
_OLDEST = 120


def _age_span(text: str) -> tuple[int, int | None] | None:
    """The ages ``text`` names, ``[from, to)``; ``None`` when it names no ages."""
    folded = re.sub(r"\s+", "", normalize.fold_text(text))
    for pattern, form in _AGE_FORMS:
        match = pattern.fullmatch(folded)
        if match is None:
            continue
        n = int(match.group("n"))
        if n > _OLDEST:
            return None
        if form in ("decade", "early", "late") and n % 10:
            return None
        if form == "age":
            return n, n + 1
        if form == "decade":
            return n, n + 10
        if form == "early":
            return n, n + 5
        if form == "late":
            return n + 5, n + 10
        if form == "from":
            return n, None
        if form == "below":
            return (0, n) if n > 0 else None
        if form == "to":
            return 0, n + 1
        m = int(match.group("m"))
        return (n, m + 1) if n <= m <= _OLDEST else None
    return None


def age_group_value(value: Any) -> Any:
    """An age group as a desk writes it, as its code: ``80歳以上`` (or ``90代``) is 80代以上,
    ``20歳代`` is 20代, ``19歳以下`` 20歳未満, ``45歳`` 40代 — whatever names ages within one group only. A value
    naming ages of two groups or more (``70歳以上``, ``20歳以下``) raises ``InvalidValue`` saying so;
    anything else (a code, a label, a mistake) is returned unchanged for the form to read."""
    if not isinstance(value, str) or choice_code(AGE_GROUP, value) is not None:
        return value
    span = _age_span(value)
    if span is None:
        return value
    low, high = span
    within = [
        code
        for code, (start, end) in AGE_SPANS.items()
        if start <= low and (end is None or (high is not None and high <= end))
    ]
    if len(within) == 1:
        return within[0]
    touched = [
        code
        for code, (start, end) in AGE_SPANS.items()
        if (end is None or low < end) and (high is None or start < high)
    ]
    labels = [choice_label(AGE_GROUP, code, _locale()) for code in touched]
    raise normalize.InvalidValue(
        _(
            "「%(value)s」は%(groups)sにまたがるため、年代を1つに決められません。"
            "どれか1つの年代（分からなければ「不明」）を書いてください。",
            value=normalize.fold_text(value)[:50],
            groups=listed(labels),
        )
    )


CALLER = Question(
    id="caller",
    kind=Kind.ONE_OF,
    label=L("相談者", "Caller"),
    required=ALWAYS,
    choices=(
        Choice("self", L("本人", "The person concerned")),
        Choice("family", L("家族", "Family")),
        Choice("agency", L("関係機関", "Related agency")),
        Choice("other", L("その他", "Other")),
    ),
)

CRIME_RELATED = Question(
    id="crime_related",
    kind=Kind.BOOL,
    label=L("犯罪に関する相談か", "Crime-related"),
    hint=L("空欄は「いいえ」として扱います。", "Empty means no."),
)

_crime_related = parse("${crime_related}")

CRIME_TYPE = Question(
    id="crime_type",
    kind=Kind.ONE_OF,
    label=L("相談にかかる犯罪の種類", "Type of crime"),
    required=_crime_related,
    relevant=_crime_related,
    choices=(
        Choice("shoplifting", L("万引き", "Shoplifting")),
        Choice("theft", L("窃盗（万引き以外）", "Theft (other than shoplifting)")),
        Choice("violence", L("暴行・傷害", "Assault and injury")),
        Choice("sexual", L("性犯罪・性的問題行動", "Sexual offences and behaviour")),
        Choice("drugs", L("薬物", "Drugs")),
        Choice("fraud", L("詐欺", "Fraud")),
        Choice("stalking_dv", L("ストーカー・DV", "Stalking and domestic violence")),
        Choice("other", L("その他", "Other")),
    ),
)

REFERRED_TO = Question(
    id="referred_to",
    kind=Kind.MANY_OF,
    label=L("紹介した支援機関", "Referred to"),
    hint=L(
        "一覧の取り込みではコードを「;」で区切ります。",
        "In an imported list, separate codes with “;”.",
    ),
    choices=(
        Choice("community_support_center", L("地域包括支援センター", "Community support center")),
        Choice("municipal_window", L("区市町村窓口", "Municipal window")),
        Choice("mental_health_center", L("精神保健福祉センター", "Mental health center")),
        Choice(
            "metro_facility",
            L("ウィメンズプラザ等の都立施設", "Metropolitan facilities such as Women's Plaza"),
        ),
        Choice("self_help_group", L("自助グループ", "Self-help group")),
        Choice(
            "social_worker_assoc",
            L("社会福祉士会の相談窓口", "Certified social workers' association"),
        ),
        Choice("juvenile_support_center", L("法務少年支援センター", "Juvenile support center")),
        Choice("other", L("その他", "Other")),
    ),
)

NO_REFERRAL: frozenset[str] = frozenset({"なし", "無し", "ナシ", "特になし", "-", "ー", "―", "—"})
"""What a desk's list writes in 紹介した支援機関 for a case referred nowhere: no agency, as an
empty cell (the text as :func:`forms.normalize.fold_text` folds it: ``－`` is ``-``)."""

_JOINED = re.compile(r"[・/]")
"""What joins two agencies in one part of a cell (``地域包括支援センター・区市町村窓口``; ``／`` folds
to ``/``): split only where every piece names an agency, a label holding ``・`` itself is one."""


def referral_codes(value: Any, question: Question | None = None) -> Any:
    """紹介した支援機関 as a desk writes it, as a list for the form to read: split as
    :func:`split_codes` splits, one of :data:`NO_REFERRAL` alone as no agency, and a part that
    names no agency but whose pieces joined by ``・`` or ``／`` each name one as those agencies.
    ``InvalidValue`` when 「なし」 is written beside an agency (which is meant?)."""
    question = question or REFERRED_TO
    parts = split_codes(value)
    if not isinstance(parts, list | tuple) or not all(isinstance(p, str) for p in parts):
        return parts
    texts = [normalize.fold_text(p) for p in parts]
    nothing = [t for t in texts if t in NO_REFERRAL]
    if nothing and len(nothing) == len(texts):
        return []
    if nothing:
        raise normalize.InvalidValue(
            _(
                "「%(none)s」と支援機関が両方書かれています。紹介しなかったときは「%(none)s」だけ、"
                "紹介したときは支援機関だけを書いてください。",
                none=nothing[0],
            )
        )
    read: list[str] = []
    for part, text in zip(parts, texts, strict=True):
        pieces = [p.strip() for p in _JOINED.split(text)]
        whole = choice_code(question, text) is not None
        if not whole and len(pieces) > 1 and all(choice_code(question, p) for p in pieces):
            read.extend(pieces)
        else:
            read.append(part)
    return read


LOCAL_WINDOWS: frozenset[str] = frozenset({"community_support_center", "municipal_window"})
"""Agencies close to where the person lives (身近な地域の窓口), whose share the tables report."""

RECEIVED_ON = Question(
    id="received_on",
    kind=Kind.DATE,
    label=L("受付日", "Received on"),
    required=ALWAYS,
)

MUNICIPALITY = Question(
    id="municipality",
    kind=Kind.ONE_OF,
    label=L("居住区市町村", "Municipality of residence"),
    hint=L("分からない場合は空欄にします。", "Leave empty when unknown."),
)
"""Its choices are the municipalities of the database, filled in by :func:`case_form`."""

CONSULTATION = Questionnaire(
    id="consultation",
    version=1,
    title=L("犯罪お悩みなんでも相談 相談記録", "Consultation desk case record"),
    sections=(
        Section(
            id="case",
            title=L("相談記録", "Case"),
            items=(
                RECEIVED_ON,
                CHANNEL,
                AGE_GROUP,
                CALLER,
                CRIME_RELATED,
                CRIME_TYPE,
                REFERRED_TO,
                MUNICIPALITY,
            ),
        ),
    ),
)

REQUIRED_COLUMNS: tuple[str, ...] = (
    "received_on",
    "channel",
    "age_group",
    "caller",
    "crime_related",
)
"""Columns an imported list must have (a list without ``crime_related`` would silently count
every case as not crime-related); the others may be left out."""

CHALLENGE_QUESTIONS: tuple[str, ...] = (
    "plan_challenges",
    "program_challenges",
    "consultation_challenges",
)
"""The survey's challenge lists (§4) whose codes are the topics of a hearing."""


def _topic_choices() -> tuple[Choice, ...]:
    choices: list[Choice] = []
    for question_id in CHALLENGE_QUESTIONS:
        question = registry.latest("torikumi").question(question_id)
        for choice in question.choices:
            label = choice.label
            if choice.code == "other":
                label = L(f"{question.label.ja}（その他）", f"{question.label.en} (other)")
            choices.append(Choice(f"{question_id}.{choice.code}", label))
    return tuple(choices)


TOPICS = Question(
    id="topics",
    kind=Kind.MANY_OF,
    label=L("聞き取った課題", "Topics"),
    choices=_topic_choices(),
    hint=L(
        "取組状況調査の課題の選択肢です（コードは 設問ID.選択肢コード）。",
        "The challenge choices of the survey (codes are question_id.choice_code).",
    ),
)

HEARING = Questionnaire(
    id="hearing",
    version=1,
    title=L("区市町村への聞き取り", "Hearing with a municipality"),
    sections=(
        Section(
            id="hearing",
            title=L("聞き取り", "Hearing"),
            items=(
                Question(id="held_on", kind=Kind.DATE, label=L("実施日", "Date"), required=ALWAYS),
                Question(
                    id="department",
                    kind=Kind.TEXT,
                    label=L("聞き取り先の部署", "Department heard"),
                    required=ALWAYS,
                    constraint=parse("string-length(.) <= 200"),
                ),
                TOPICS,
                Question(
                    id="notes",
                    kind=Kind.TEXT,
                    label=L("メモ", "Notes"),
                    constraint=parse("string-length(.) <= 2000"),
                    hint=L(
                        "個人が特定される情報は書かないでください。",
                        "Do not write anything that identifies a person.",
                    ),
                ),
            ),
        ),
    ),
)


FIRST_YEAR = 2018
"""The desk's first fiscal year (平成30年度, as 高齢者よろず犯罪相談): no case or hearing is dated
before it, and the year pickers start here."""


def fiscal_year_of(day: date) -> int:
    """年度: April to March, named by the calendar year it starts in (2021-03-31 → 2020)."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_at(moment: datetime) -> int:
    """The fiscal year of a moment (stored in UTC) by its day in Tokyo: 2027-03-31 23:30 JST is
    still 2026, 2027-04-01 08:30 JST (23:30 UTC on 31 March) already 2027."""
    return fiscal_year_of(tokyo.in_tokyo(moment).date())


def current_fiscal_year() -> int:
    """The fiscal year of today in Tokyo."""
    return fiscal_year_of(tokyo.today())


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a fiscal year (April 1 to March 31)."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)


def fiscal_year_label(year: int, locale: str = "ja") -> str:
    """``令和2年度`` for 2020; a fiscal year takes the era of most of its months (2019 → 令和元年度).
    ``FY2020`` in English (April 2020 to March 2021)."""
    if locale.startswith("en"):
        return f"FY{year}"
    era = [e for e in normalize.ERAS if e.start <= date(year, 12, 31)][-1]
    number = year - era.start.year + 1
    return f"{era.name}{'元' if number == 1 else number}年度"


def case_form(municipalities: Iterable[tuple[str, str, str]]) -> Questionnaire:
    """The case record with ``municipality`` offering ``(code, name, name_en)`` as its choices."""
    choices = tuple(
        Choice(code, L(name, name_en or name)) for code, name, name_en in municipalities
    )
    section = CONSULTATION.sections[0]
    items = tuple(
        replace(q, choices=choices) if q.id == MUNICIPALITY.id else q for q in section.items
    )
    return replace(CONSULTATION, sections=(replace(section, items=items),))


_LIST_SEPARATORS = re.compile(r"[;,、\r\n]")


def split_codes(value: Any) -> Any:
    """``a;b`` (or ``a、b``, ``a,b``; 全角 too; or one a line, as a spreadsheet cell holds several
    lines) as a list; lists and other values unchanged."""
    if isinstance(value, str):
        text = normalize.fold_text(value)
        return [part for part in _LIST_SEPARATORS.split(text) if part.strip()]
    return value


def load_case(
    form: Questionnaire,
    data: Mapping[str, Any],
    *,
    today: date,
    retired_on: Mapping[str, date] | None = None,
    ignore_unknown: bool = False,
) -> dict[str, Any]:
    """A validated, normalized case: ``{field: value}`` with every field of the record.

    Raises ``ValidationError`` whose ``messages`` are ``{field: [message, ...]}`` listing every
    problem at once. ``crime_type`` must be empty unless the case is crime-related (silently
    dropping it would hide a mistake), ``received_on`` may not be in the future, and a
    municipality retired on a day (``retired_on``: code → day) is a residence only for a case
    received before that day.
    """
    known = {q.id for q in form.questions}
    raw = {k: v for k, v in data.items() if k in known}
    errors: dict[str, list[str]] = {}
    if not ignore_unknown:
        for name in sorted(set(data) - known):
            errors[str(name)] = [_("この項目はありません。")]
    misread: dict[str, str] = {}
    for field, reader in _READERS.items():
        if field in raw:
            try:
                raw[field] = reader(raw[field])
            except normalize.InvalidValue as exc:
                misread[field] = str(exc)
    answers = _load_all(form, raw, errors)
    for field, message in misread.items():
        errors[field] = [message]
    for field, message in _cross_field_problems(raw, answers, today, retired_on or {}):
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(_in_form_order(form, errors))
    return {
        "received_on": date.fromisoformat(answers["received_on"]),
        "channel": answers["channel"],
        "age_group": answers["age_group"],
        "caller": answers["caller"],
        "crime_related": bool(answers.get("crime_related", False)),
        "crime_type": answers.get("crime_type"),
        "referred_to": list(answers.get("referred_to", [])),
        "municipality": answers.get("municipality"),
    }


_READERS: dict[str, Callable[[Any], Any]] = {
    AGE_GROUP.id: age_group_value,
    REFERRED_TO.id: referral_codes,
}
"""How a case's fields are read before the form reads them, as desks write them: the web form,
the API and an imported list alike. A reader's ``InvalidValue`` is the field's only message (what
the form would say of the value is less precise)."""


def _load_all(
    questionnaire: Questionnaire, raw: Mapping[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    """Load ``raw``, adding to ``errors`` every field problem, requirements included.

    marshmallow skips the schema's requirement rules once a field fails; they are checked here
    over the fields that did load, so one pass names every bad field of a row.
    """
    try:
        return load_answers(questionnaire, raw, submit=True)
    except ValidationError as exc:
        errors.update(_as_error_dict(exc.messages))
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        answers = {k: v for k, v in valid.items() if not is_empty(v)}
        for field, messages in completeness_errors(questionnaire, answers, None).items():
            errors.setdefault(field, messages)
        return answers


def _in_form_order(form: Questionnaire, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    order = [q.id for q in form.questions if q.id in errors]
    return {k: errors[k] for k in [*order, *sorted(set(errors) - set(order))]}


def _as_error_dict(messages: Any) -> dict[str, list[str]]:
    if not isinstance(messages, Mapping):
        return {"_schema": [str(messages)]}
    return {
        str(k): [str(m) for m in v] if isinstance(v, list | tuple) else [str(v)]
        for k, v in messages.items()
    }


def _cross_field_problems(
    raw: Mapping[str, Any], answers: Mapping[str, Any], today: date, retired_on: Mapping[str, date]
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not is_empty(raw.get(CRIME_TYPE.id)) and _typed_bool(raw.get(CRIME_RELATED.id)) is False:
        problems.append(
            (
                CRIME_TYPE.id,
                _(
                    "犯罪に関する相談でない場合（「犯罪に関する相談か」が「いいえ」）は、"
                    "犯罪の種類を空欄にしてください。"
                ),
            )
        )
    received = answers.get(RECEIVED_ON.id)
    if isinstance(received, str) and received > today.isoformat():
        problems.append((RECEIVED_ON.id, future_day_problem()))
    if isinstance(received, str) and received < fiscal_year_bounds(FIRST_YEAR)[0].isoformat():
        problems.append((RECEIVED_ON.id, before_desk_problem()))
    retired = retired_on.get(answers.get(MUNICIPALITY.id) or "")
    if isinstance(received, str) and retired is not None and received >= retired.isoformat():
        problems.append((MUNICIPALITY.id, retired_residence_problem(retired)))
    return problems


def future_day_problem() -> str:
    """Why a day after today is refused: a case or a hearing is recorded once it happened, and
    one dated ahead would be counted in a year that has not come."""
    return _("未来の日付は入力できません。")


def before_desk_problem() -> str:
    """Why a day before the desk's first fiscal year is refused: nothing happened then, and the
    pages, which start at that year, would never show it (H2.5.1 typed for R2.5.1 is 1990)."""
    return _(
        "%(day)sより前の日付です。記録は%(year)sからです。元号や年を確認してください。",
        day=day_text(fiscal_year_bounds(FIRST_YEAR)[0]),
        year=fiscal_year_label(FIRST_YEAR, _locale()),
    )


def retired_residence_problem(retired: date) -> str:
    """Why a municipality retired on ``retired`` is no residence for a case received since."""
    return _(
        "この区市町村は%(day)sに廃止されたため、受付日がその日以降の相談には選べません。",
        day=day_text(retired),
    )


def retired_hearing_problem(retired: date) -> str:
    """Why a municipality retired on ``retired`` cannot be named for a hearing held since."""
    return _(
        "この区市町村は%(day)sに廃止されたため、その日以降の聞き取りには選べません。",
        day=day_text(retired),
    )


def day_text(day: date) -> str:
    """A day in a message, as the pages of the request's language write it."""
    return tokyo.format_day(day, _locale())


def _locale() -> str:
    return str(get_locale()) if has_request_context() else "ja"


def _typed_bool(value: Any) -> bool | None:
    if is_empty(value):
        return False
    try:
        return normalize.parse_bool(value)
    except normalize.InvalidValue:
        return None


def load_hearing(data: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """A validated hearing (``held_on`` as a date, ``topics`` as codes); ``ValidationError`` else.
    ``held_on`` may not be after ``today``, as a case's ``received_on`` may not."""
    raw = dict(data)
    if TOPICS.id in raw:
        raw[TOPICS.id] = split_codes(raw[TOPICS.id])
    errors: dict[str, list[str]] = {}
    answers = _load_all(HEARING, raw, errors)
    held = answers.get("held_on")
    if isinstance(held, str) and held > today.isoformat():
        errors.setdefault("held_on", []).append(future_day_problem())
    if isinstance(held, str) and held < fiscal_year_bounds(FIRST_YEAR)[0].isoformat():
        errors.setdefault("held_on", []).append(before_desk_problem())
    if errors:
        raise ValidationError(errors)
    return {
        "held_on": date.fromisoformat(answers["held_on"]),
        "department": answers["department"],
        "topics": list(answers.get("topics", [])),
        "notes": answers.get("notes", ""),
    }


HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "received_on": ("相談日", "受付年月日", "相談年月日"),
    "channel": ("相談手段", "受付方法", "相談の方法"),
    "age_group": ("年代", "年齢", "年齢層", "年齢区分", "対象者の年代"),
    "crime_related": ("犯罪に関する相談", "犯罪関係", "犯罪関連"),
    "crime_type": ("犯罪の種類", "犯罪種別", "罪種", "罪名"),
    "referred_to": ("紹介先", "紹介機関", "紹介した機関", "紹介した支援機関等", "支援機関"),
    "municipality": ("区市町村", "市区町村", "居住地", "住所地"),
}
"""Other headers a desk's own list gives a column, besides the item's id and labels: without
them the column would be left out as no field of a case (every residence counted 不明)."""


def column_for(header: str, form: Questionnaire = CONSULTATION) -> str | None:
    """The field a column header names: its id, its Japanese or English label, or one of its
    :data:`HEADER_ALIASES`."""
    key = normalize.fold_text(header).casefold()
    for question in form.questions:
        if key in {
            question.id.casefold(),
            question.label.ja.casefold(),
            question.label.en.casefold(),
            *HEADER_ALIASES.get(question.id, ()),
        }:
            return question.id
    return None


def choice_label(question: Question, code: str | None, locale: str = "ja") -> str:
    """The label of ``code`` in ``question`` (the code itself when unknown, ``""`` for none)."""
    if code is None:
        return ""
    choice = question.choice(code)
    return choice.display(locale) if choice else code
