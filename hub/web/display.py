"""How stored values read on a page: answers by their labels, times in Asia/Tokyo, dates in 和暦.

Times are stored in UTC; every page shows them in the configured zone (Asia/Tokyo) through
Flask-Babel. Labels come from the questionnaire definition in the page's language.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms import SelectChoice

from exports.suppression import share_text
from forms import describe, rules
from forms.expression import Expr, to_json
from forms.model import NUMBER_KINDS, Kind, Label, Question, Questionnaire
from forms.normalize import ERAS, InvalidValue, parse_date
from forms.tokyo import days_until as tokyo_days_until
from forms.tokyo import format_datetime as format_tokyo
from forms.tokyo import format_day
from forms.wording import in_japanese, noted, separator
from hub.models.municipality import (
    REGION_LABELS,
    TYPE_LABELS,
    Municipality,
    municipality_name,
    prefecture_name,
)
from hub.models.survey import (
    ANSWERS_ENTERED_BY,
    REVISION_EVENT_LABELS,
    ROUND_STATE_LABELS,
    SHOWN_STATE_LABELS,
    Round,
    shown_state,
)
from hub.models.user import ROLE_LABELS
from hub.services.municipalities import prefecture_label
from hub.services.reminders import when_reminders_go

if TYPE_CHECKING:
    from hub.services.rounds import Given


def locale_code() -> str:
    """``ja`` or ``en``: the language of the current page."""
    locale = get_locale()
    return locale.language if locale is not None else "ja"


def speaks_japanese(value: Any) -> bool:
    """Whether ``value``, printed on the current page, is Japanese inside a page of another
    language: it must be marked ``lang="ja"`` (WCAG 2.1 SC 3.1.2, Language of Parts)."""
    return locale_code() != "ja" and in_japanese(value)


def data_text(value: Any) -> Markup:
    """A datum as the page prints it (a name, a title, what somebody typed), escaped; on a page
    not in Japanese, one holding Japanese script is wrapped in ``<span lang="ja">`` so that a
    screen reader reads it with a Japanese voice. Markup already marked ``lang="ja"`` is not
    wrapped twice. For an element that cannot hold a span (``<option>``, ``<textarea>``), mark
    the element itself with :func:`data_lang`."""
    if value is None:
        return Markup("")
    if not speaks_japanese(value) or (isinstance(value, Markup) and 'lang="ja"' in value):
        return escape(value)
    return Markup('<span lang="ja">{}</span>').format(value)


def data_lang(value: Any) -> Markup:
    """`` lang="ja"`` for the element printing ``value`` when :func:`speaks_japanese` (an
    ``<option>`` or a ``<textarea>``, which hold no markup), else nothing."""
    return Markup(' lang="ja"') if speaks_japanese(value) else Markup("")


def data_choice(value: str, label: str, datum: Any = None) -> SelectChoice:
    """An option of a WTForms select whose label prints ``datum`` (the label itself unless
    given): marked ``lang="ja"`` as :func:`data_lang` says."""
    marked = speaks_japanese(label if datum is None else datum)
    return SelectChoice(value, label, render_kw={"lang": "ja"} if marked else None)


def label_text(wording: Label | str | None) -> Markup:
    """A questionnaire's wording — a question's label, hint or guidance, a group's title, a
    choice's label — in the page's language, printed as :func:`data_text` prints data: one
    that falls back to the Japanese (a definition written without ``label::en``) is marked
    ``lang="ja"`` on an English page. A WTForms field built from the questionnaire
    (:mod:`forms.webform`) gives its label or description as the text itself."""
    text = wording.get(locale_code()) if isinstance(wording, Label) else wording
    return data_text(text)


QUOTED = re.compile("“([^”]*)”")
"""A quotation in an English sentence (:mod:`forms.describe` quotes a question's or a choice's
label so)."""


def quoted_data(sentence: str) -> Markup:
    """A sentence of the hub's own words quoting a questionnaire's wording (「…」 in Japanese,
    “…” in English: a rule in words, :mod:`forms.describe`), escaped; on an English page each
    quotation holding Japanese script is marked as :func:`label_text` marks it, the words
    around it left as they are."""
    if not speaks_japanese(sentence):
        return escape(sentence)
    pieces = QUOTED.split(sentence)
    return Markup("").join(
        Markup("“{}”").format(data_text(piece)) if i % 2 else escape(piece)
        for i, piece in enumerate(pieces)
    )


def tokyo(value: datetime | None, clock: bool = True) -> str:
    """``令和3年4月1日（木）17:00`` (``Thu 1 Apr 2021 17:00`` in English) in Tokyo's time, the one
    way every page writes a date-time (:func:`forms.tokyo.format_datetime`); empty for ``None``.
    ``clock=False`` writes the day alone (``令和3年4月1日（木）``)."""
    if value is None:
        return ""
    return format_tokyo(value, locale_code(), clock=clock)


def days_until(deadline: datetime, now: datetime) -> int:
    """Calendar days in Tokyo from ``now`` to ``deadline`` (negative once it has passed)."""
    return tokyo_days_until(deadline, now)


def wareki(value: date | str | None) -> str:
    """``令和3年4月1日`` in Japanese pages, ``2021-04-01`` in English ones."""
    if value is None or value == "":
        return ""
    try:
        day = parse_date(value) if isinstance(value, str) else value
    except InvalidValue:
        return str(value)
    return format_day(day, locale_code())


def answer_text(question: Question, value: Any, locale: str | None = None) -> str:
    """An answer as people read it: choice labels, 和暦 dates, はい/いいえ (an unticked box is
    いいえ); empty when unanswered."""
    locale = locale or locale_code()
    if question.kind == Kind.BOOL:
        return _("はい") if value else _("いいえ")
    if value is None or value == "" or value == []:
        return ""
    if question.kind == Kind.ONE_OF:
        return _choice_label(question, value, locale)
    if question.kind == Kind.MANY_OF:
        codes = value if isinstance(value, list) else [value]
        return joined(_choice_label(question, code, locale) for code in codes)
    if question.kind == Kind.DATE:
        return wareki(str(value))
    if question.kind in NUMBER_KINDS and isinstance(value, int | float):
        return rules.number_text(value)
    return str(value)


def previous_text(question: Question, given: Given, locale: str | None = None) -> str:
    """Last round's answer (:class:`hub.services.rounds.Given`) to ``question`` as people read
    it: a choice ``question`` still offers by its label now, one it no longer offers by the
    label it had then, marked 「今回の選択肢にはありません」 — nothing answered is hidden."""
    locale = locale or locale_code()
    asked, value = given.question, given.value
    choices = (Kind.ONE_OF, Kind.MANY_OF)
    if asked.kind not in choices or value is None or value == "" or value == []:
        return answer_text(asked, value, locale)
    codes = value if isinstance(value, list) else [value]
    texts = []
    for code in codes:
        if question.kind in choices and question.choice(str(code)) is not None:
            texts.append(_choice_label(question, code, locale))
        elif question.kind in choices:
            texts.append(noted(_choice_label(asked, code, locale), _("今回の選択肢にはありません")))
        else:
            texts.append(_choice_label(asked, code, locale))
    return joined(texts)


def _choice_label(question: Question, code: Any, locale: str) -> str:
    choice = question.choice(str(code))
    return choice.display(locale) if choice is not None else str(code)


def requirement_note(questionnaire: Questionnaire, question: Question) -> str:
    """When a conditionally required question must be answered, in words; that a ``calculate``
    is not typed (its box is read-only); empty otherwise."""
    locale = locale_code()
    text = describe.calculated_text(question, locale) or describe.required_text(
        question, questionnaire, locale
    )
    return describe.sentence(text, locale)


def relevant_json(rule: Expr) -> str:
    """A ``relevant`` rule as the JSON tree ``hub/static/hub.js`` evaluates."""
    return json.dumps(to_json(rule), ensure_ascii=False, separators=(",", ":"))


def eras_json() -> str:
    """The eras (``forms.normalize.ERAS``) as ``hub/static/hub.js`` reads 和暦 dates with them:
    ``[[name, first day], …]``."""
    return json.dumps([[e.name, e.start.isoformat()] for e in ERAS], ensure_ascii=False)


def asked_questions(
    questionnaire: Questionnaire, answers: Mapping[str, Any], reference_date: date | None = None
) -> dict[str, bool]:
    """``{name: asked?}`` for the stored ``answers`` in a round of ``reference_date`` (a page shows
    answers of asked questions only: what a submit keeps)."""
    return rules.asked(questionnaire, answers, reference_date=reference_date)


def state_label(state: str, returned: bool = False) -> str:
    """A response's state (from the one table next to ``ResponseState``; ``returned`` for a draft
    sent back with a reason) or a round's state, in the page's language."""
    label = SHOWN_STATE_LABELS.get(shown_state(state, returned=returned))
    if label is not None:
        return label.get(locale_code())
    round_label = ROUND_STATE_LABELS.get(state)
    return round_label.get(locale_code()) if round_label is not None else state


def mail_kind_label(kind: str) -> str:
    """What a mail to a municipality was (:class:`hub.services.reminders.MailRecord`)."""
    labels = {
        "invite": _("依頼メール"),
        "due_soon": _("期限前のお知らせ"),
        "overdue": _("期限超過のお知らせ"),
        "reminder.send": _("督促メール"),
        "response.return_mail": _("差し戻しのお知らせ"),
        "round.deadline_mail": _("提出期限変更のお知らせ"),
    }
    return labels.get(kind, kind)


def event_label(event: str) -> str:
    """What a revision did (saved, entered on the municipality's behalf, returned …), in the page's
    language."""
    label = REVISION_EVENT_LABELS.get(event)
    return label.get(locale_code()) if label is not None else event


def answers_entered_label() -> str:
    """The head of who last entered or changed the answers, in the page's language: the words of
    the workbook's 提出状況 (:data:`hub.models.survey.ANSWERS_ENTERED_BY`)."""
    return ANSWERS_ENTERED_BY.get(locale_code())


def round_title(round_: Round | None) -> str:
    """A round's title in the page's language (:meth:`hub.models.Round.title_in`): the one the
    hub gave it reads 「…（令和8年4月1日現在）」 or "… (as of 2026-04-01)"; one staff typed as typed."""
    return round_.title_in(locale_code()) if round_ is not None else ""


def joined(values: Iterable[Any], labels: Mapping[Any, str] | None = None) -> str:
    """Several values in one cell, each by its label in ``labels`` when given (the code when it
    has none): 「住居、就労」, "Housing, Work" in English."""
    return separator().join(str(labels.get(v, v)) if labels is not None else str(v) for v in values)


def quoted_list(values: Iterable[str]) -> Markup:
    """Words of Japanese data quoted and listed in the page's language (「年代」、「年齢」;
    "年代", "年齢" in English), each marked Japanese on an English page (:func:`data_text`)."""
    quote = escape(_("「%(name)s」", name="{}"))
    return escape(separator()).join(quote.format(data_text(value)) for value in values)


def noted_markup(text: Any, note: Any) -> Markup:
    """:func:`forms.wording.noted` for a template (its ``noted``): a part that is already markup
    (a message of the template's ``_()``, its values escaped) is not escaped a second time."""
    return Markup(noted(escape(text), escape(note)))  # noqa: S704 (both parts escaped)


class Named(Protocol):
    """A municipality, or a row read with its ``name`` and ``name_en`` (the hearings' places)."""

    @property
    def name(self) -> str: ...

    @property
    def name_en(self) -> str | None: ...


def place(municipality: Named | None) -> str:
    """A municipality's name in the page's language: 千代田区, or Chiyoda City in English (the
    reference CSV's ``name_en``; the Japanese name when it has none)."""
    if municipality is None:
        return ""
    return place_name(municipality.name, municipality.name_en)


def place_name(name: str, name_en: str | None) -> str:
    """:func:`place` for a name and English name read by a query (the board's rows)."""
    return municipality_name(name, name_en, english=locale_code() == "en")


def place_choice(municipality: Municipality, *, with_prefecture: bool = False) -> str:
    """:func:`place` as an option of a list: a retired municipality (one retired on a day still to
    come is offered until then) says its day, 八王子市（令和9年4月1日廃止）; ``with_prefecture``
    adds its prefecture, 府中市（広島県）."""
    name = place(municipality)
    if with_prefecture:
        name += prefecture_note(municipality.prefecture_code)
    if municipality.active:
        return name
    if municipality.retired_on is None:
        return name + _("（廃止）")
    return name + _("（%(day)s廃止）", day=wareki(municipality.retired_on))


def prefecture_note(code: str) -> str:
    """（東京都） after a name that another municipality shares, in the page's language."""
    prefecture = prefecture_name(code, english=locale_code() == "en")
    return _("（%(prefecture)s）", prefecture=prefecture)


def place_choices(municipalities: Sequence[Municipality]) -> list[tuple[str, str]]:
    """The options of a list of municipalities, ``(code, label)``: each :func:`place_choice`,
    with its prefecture where two of them share a name (府中市 of Tokyo and of Hiroshima), so that
    nobody picks the wrong one by its name."""
    counts = Counter(m.name for m in municipalities)
    return [(m.code, place_choice(m, with_prefecture=counts[m.name] > 1)) for m in municipalities]


def region_label(region: str) -> str:
    label = REGION_LABELS.get(region)
    return label.get(locale_code()) if label is not None else region


def type_label(kind: str) -> str:
    """A municipality's type (特別区, 市 …) in the page's language."""
    label = TYPE_LABELS.get(kind)
    return label.get(locale_code()) if label is not None else kind


def role_label(role: str) -> str:
    """A role in the page's language (``ROLE_LABELS``); an unknown value as it is."""
    label = ROLE_LABELS.get(role)
    return label.get(locale_code()) if label is not None else role


def source_label(source: str) -> str:
    labels = {"web": _("画面"), "api": "API", "excel": "Excel", "cli": _("コマンド")}
    return labels.get(source, source)


def line_ranges(lines: Iterable[int]) -> str:
    """Row numbers as a clerk reads them: runs folded (``2〜40、45``; "2–40, 45" in English), so
    a whole file's rows stay one short line."""
    runs: list[list[int]] = []
    for line in sorted(set(lines)):
        if runs and line == runs[-1][-1] + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    dash = "–" if locale_code() == "en" else "〜"
    return joined(str(run[0]) if len(run) == 1 else f"{run[0]}{dash}{run[-1]}" for run in runs)


def init_app(app: Flask) -> None:
    app.add_template_filter(tokyo)
    app.add_template_filter(line_ranges)
    app.add_template_global(days_until)
    app.add_template_filter(wareki)
    app.add_template_global(answer_text)
    app.add_template_global(previous_text)
    app.add_template_global(requirement_note)
    app.add_template_global(relevant_json)
    app.add_template_global(eras_json)
    app.add_template_global(asked_questions)
    app.add_template_global(rules.today, "rule_today")
    app.add_template_global(state_label)
    app.add_template_global(mail_kind_label)
    app.add_template_global(when_reminders_go)
    app.add_template_global(event_label)
    app.add_template_global(answers_entered_label)
    app.add_template_global(region_label)
    app.add_template_global(prefecture_label)
    app.add_template_global(type_label)
    app.add_template_filter(place)
    app.add_template_filter(round_title)
    app.add_template_filter(joined)
    app.add_template_filter(share_text)
    app.add_template_global(separator)
    app.add_template_global(noted_markup, "noted")
    app.add_template_global(place_name)
    app.add_template_global(place_choice)
    app.add_template_global(place_choices)
    app.add_template_global(prefecture_note)
    app.add_template_global(role_label)
    app.add_template_global(source_label)
    app.add_template_global(locale_code)
    app.add_template_filter(data_text)
    app.add_template_filter(label_text)
    app.add_template_filter(quoted_data)
    app.add_template_global(data_lang)
