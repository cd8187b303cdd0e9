"""Reading what a referrer or a window typed (web form and API alike) into clean values.

Every problem is collected and raised at once as ``Invalid`` keyed by field (``person.name``,
``consent``, ``needs`` …), with Japanese messages; nothing is stored until all is well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from forms import tokyo
from forms.model import Label
from forms.normalize import (
    InvalidValue,
    choice_key,
    clean_text,
    fold_text,
    normalize_phone,
    parse_date,
    parse_year,
)
from forms.normalize import parse_integer as _parse_integer
from forms.wording import listed
from hub.db import db
from hub.errors import Invalid
from hub.models import CONTACT_METHODS, NEEDS, OUTCOMES, Municipality
from hub.services.referrals import addresses

SUMMARY_MAX = 400
NOTE_MAX = 400
NAME_MAX = 100
ADDRESS_MAX = 200
SCOPE_MAX = 400
AGE_GROUPS = ("10s", "20s", "30s", "40s", "50s", "60s", "70s", "80s+")
PERSON_FIELDS = ("name", "kana", "birth_year", "age_group", "phone", "address")
ADDRESS_OUTSIDE = "address_outside_confirmed"
"""The referrer's word that an address naming another municipality is meant (true)."""


@dataclass(frozen=True)
class NewReferral:
    municipality_code: str
    person: dict[str, Any]
    needs: list[str]
    needs_other: str
    summary: str
    consent_obtained_on: date
    consent_obtained_by: str
    consent_scope: str


def locale() -> str:
    """``ja`` or ``en``: the request's language (Japanese outside a request), so that a message
    names a choice or a day as the page around it does."""
    chosen = get_locale() if has_request_context() else None
    return chosen.language if chosen is not None else "ja"


class Errors:
    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.found.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.found:
            raise Invalid(self.found)


def _refuse_unknown(
    data: Mapping[str, Any], known: Collection[str], errors: Errors, prefix: str = ""
) -> None:
    """Name each key of ``data`` that is none of ``known``: a misspelt field is said, not
    quietly dropped (the API's bodies; the pages send only the known ones)."""
    for key in data:
        if key not in known:
            errors.add(f"{prefix}{key}", _("この項目は受け付けていません。"))


def _text(value: Any, field: str, errors: Errors, *, limit: int, fold: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(field, _("文字列で入力してください。"))
        return ""
    try:
        text = fold_text(value) if fold else clean_text(value)
    except InvalidValue as exc:
        errors.add(field, str(exc))
        return ""
    if len(text) > limit:
        errors.add(
            field, _("%(limit)s文字以内で入力してください（%(n)s文字）。", limit=limit, n=len(text))
        )
    return text


def _date(
    value: Any,
    field: str,
    errors: Errors,
    *,
    required: bool,
    after: date | None = None,
    before: date | None = None,
) -> date | None:
    """A day as typed; with ``after`` or ``before``, one without its year (12/5) is the nearest
    such day from there on, or up to there (``forms.normalize.parse_date``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, _("日付を入力してください。"))
        return None
    try:
        return parse_date(value, after=after, before=before)
    except InvalidValue as exc:
        errors.add(field, str(exc))
        return None


def municipality(value: Any, errors: Errors, field: str = "municipality") -> str:
    """A municipality code (or its name as typed: 八王子市) of a municipality that exists today
    (one retired on a day still to come included)."""
    text = _text(value, field, errors, limit=40, fold=True)
    if not text:
        if field not in errors.found:
            errors.add(field, _("つなぎ先の区市町村を選んでください。"))
        return ""
    today = tokyo.today()
    by_code = db.session.get(Municipality, text)
    named = db.session.scalars(
        select(Municipality).where(Municipality.name == text).order_by(Municipality.code)
    ).all()
    found = [by_code] if by_code else [m for m in named if m.existed_on(today)]
    if len(found) > 1:
        codes = listed(m.code for m in found)
        errors.add(
            field,
            _(
                "「%(value)s」という区市町村が複数あります（%(codes)s）。団体コードで指定してください。",
                value=text,
                codes=codes,
            ),
        )
        return ""
    if not found or not found[0].existed_on(today):
        errors.add(field, _("区市町村「%(value)s」は登録されていません。", value=text))
        return ""
    return found[0].code


def _person(raw: Any, errors: Errors) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        errors.add("person.name", _("氏名を入力してください。"))
        return {}
    _refuse_unknown(raw, PERSON_FIELDS, errors, prefix="person.")
    person: dict[str, Any] = {
        "name": _text(raw.get("name"), "person.name", errors, limit=NAME_MAX),
        "kana": _text(raw.get("kana"), "person.kana", errors, limit=NAME_MAX),
        "address": _text(raw.get("address"), "person.address", errors, limit=ADDRESS_MAX),
        "birth_year": _birth_year(raw.get("birth_year"), errors),
        "age_group": _age_group(raw.get("age_group"), errors),
        "phone": _phone(raw.get("phone"), errors),
    }
    if not person["name"] and "person.name" not in errors.found:
        errors.add("person.name", _("氏名を入力してください。"))
    reachable = person["phone"] or person["address"]
    if not reachable and "person.phone" not in errors.found:
        errors.add("person.phone", _("連絡先（電話または住所）のどちらかを入力してください。"))
    return {k: v for k, v in person.items() if v not in ("", None)}


_A_DAY = re.compile(r"月|\d[/.\-]\d+[/.\-]\d")
"""A 生年 typed as a whole day (昭和40年4月1日, S40.4.1, 1965/4/1): its day, not only its year."""


def _birth_year(value: Any, errors: Errors) -> int | None:
    """The year of birth: a year as typed (1965, 昭和40年, S40), or the year of a whole birth
    date copied from a record (昭和64年1月7日, 1965/4/1) — the day itself is not kept."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        try:
            year = _parse_integer(value)
        except InvalidValue:
            errors.add("person.birth_year", _("生年は西暦の年（例: 1965）で入力してください。"))
            return None
    else:
        try:
            year = parse_year(value)
        except InvalidValue as exc:
            if not _A_DAY.search(fold_text(value)):
                unread = str(exc) == _("年として読めません。例: 1965、昭和40年、S40")
                errors.add(
                    "person.birth_year",
                    _("年として読めません。例: 1965、昭和40年、S40、昭和40年4月1日")
                    if unread
                    else str(exc),  # an era's year it never had (昭和65年), named
                )
                return None
            try:
                born = parse_date(value)
            except InvalidValue as day_exc:
                errors.add("person.birth_year", str(day_exc))
                return None
            if born > tokyo.today():
                errors.add("person.birth_year", _("生年月日が今日より後になっています。"))
                return None
            year = born.year
    if not 1900 <= year <= tokyo.today().year:
        errors.add(
            "person.birth_year",
            _("生年は1900年から%(year)s年までです。", year=tokyo.today().year),
        )
        return None
    return year


def _age_group(value: Any, errors: Errors) -> str | None:
    if value is None or value == "":
        return None
    if value not in AGE_GROUPS:
        errors.add(
            "person.age_group", _("年代は %(codes)s のいずれかです。", codes=", ".join(AGE_GROUPS))
        )
        return None
    return str(value)


def _phone(value: Any, errors: Errors) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if not isinstance(value, str):
        errors.add("person.phone", _("電話番号は文字列で入力してください。"))
        return ""
    try:
        return normalize_phone(value)
    except InvalidValue as exc:
        errors.add("person.phone", str(exc))
        return ""


def _needs(raw: Any, other: Any, errors: Errors) -> tuple[list[str], str]:
    if isinstance(raw, str):
        raw = [p for p in raw.replace("；", ";").split(";") if p.strip()]
    if not isinstance(raw, list) or not raw:
        errors.add("needs", _("必要な支援を1つ以上選んでください。"))
        return [], ""
    codes = [code_of(c, NEEDS) for c in raw]
    unknown = [shown(c) for c, code in zip(raw, codes, strict=True) if code is None]
    if unknown:
        errors.add(
            "needs",
            _(
                "支援の種類 %(codes)s はありません（%(known)s）。",
                codes=", ".join(unknown),
                known=", ".join(NEEDS),
            ),
        )
    needs = [code for code in NEEDS if code in codes]
    text = _text(other, "needs_other", errors, limit=200)
    if "other" in needs and not text:
        errors.add("needs_other", _("「その他」の内容を入力してください。"))
    if "other" not in needs:
        text = ""
    return needs, text


def _consent_missing() -> str:
    return _("本人の同意（取得日・取得者・同意の範囲）がないつなぎは登録できません。")


def _consent(raw: Any, errors: Errors) -> tuple[date | None, str, str]:
    if not isinstance(raw, Mapping) or not any(
        raw.get(k) for k in ("obtained_on", "obtained_by", "scope")
    ):
        errors.add("consent", _consent_missing())
        return None, "", ""
    on = _date(raw.get("obtained_on"), "consent.obtained_on", errors, required=True)
    if on is not None and on > tokyo.today():
        errors.add("consent.obtained_on", _("同意の取得日が未来の日付です。"))
    by = _text(raw.get("obtained_by"), "consent.obtained_by", errors, limit=100)
    scope = _text(raw.get("scope"), "consent.scope", errors, limit=SCOPE_MAX)
    if not by and "consent.obtained_by" not in errors.found:
        errors.add("consent.obtained_by", _("同意を得た職員の名前を入力してください。"))
    if not scope and "consent.scope" not in errors.found:
        errors.add("consent.scope", _("同意の範囲（どこに何を伝えてよいか）を入力してください。"))
    return on, by, scope


def new_referral(data: Mapping[str, Any]) -> NewReferral:
    """A referral as the API and the form send it; ``Invalid`` naming every bad field."""
    errors = Errors()
    known = {"municipality", "person", "needs", "needs_other", "summary", "consent"}
    _refuse_unknown(data, known | {ADDRESS_OUTSIDE}, errors)
    code = municipality(data.get("municipality"), errors)
    person = _person(data.get("person"), errors)
    if code and person.get("address"):
        _address_inside(person["address"], code, data.get(ADDRESS_OUTSIDE), errors)
    needs, other = _needs(data.get("needs"), data.get("needs_other"), errors)
    summary = _text(data.get("summary"), "summary", errors, limit=SUMMARY_MAX)
    on, by, scope = _consent(data.get("consent"), errors)
    errors.raise_any()
    assert on is not None
    return NewReferral(code, person, needs, other, summary, on, by, scope)


def _address_inside(address: str, code: str, outside: Any, errors: Errors) -> None:
    """An address that names another municipality than the receiving one is refused until the
    referrer says it is meant (``address_outside_confirmed``: true): most often the list's
    neighbour was picked, and the person's data would go to a window that has no business
    with it."""
    if outside is not None and not isinstance(outside, bool):
        errors.add(ADDRESS_OUTSIDE, _("true か false で指定してください。"))
        return
    named = addresses.elsewhere(address, code)
    if named is None or outside is True:
        return
    receiving = db.session.get(Municipality, code)
    errors.add(
        ADDRESS_OUTSIDE,
        _(
            "住所は%(named)sですが、つなぎ先は%(receiving)sです。つなぎ先の区市町村を確かめてください。"
            "住所の区市町村の外の窓口につなぐときは、そのことを確かめたうえで送ってください。",
            named=_place(named),
            receiving=_place(receiving) if receiving is not None else code,
        ),
    )


def _place(found: Municipality) -> str:
    """A municipality's name in the message's language (Hachioji City, or 八王子市)."""
    return found.name_for(english=locale() == "en")


def reason(data: Mapping[str, Any]) -> str:
    errors = Errors()
    _refuse_unknown(data, ("reason",), errors)
    text = _text(data.get("reason"), "reason", errors, limit=NOTE_MAX)
    if not text and "reason" not in errors.found:
        errors.add("reason", _("理由を入力してください。"))
    errors.raise_any()
    return text


@dataclass(frozen=True)
class Contact:
    on: date
    method: str
    note: str
    next_follow_up: date | None


def contact(data: Mapping[str, Any], *, sent_on: date) -> Contact:
    """A contact of the window; ``sent_on`` is the Tokyo day the referral reached it, before
    which nobody can have been contacted about it."""
    errors = Errors()
    _refuse_unknown(data, ("on", "method", "note", "next_follow_up"), errors)
    on = _date(data.get("on"), "on", errors, required=True, before=tokyo.today())
    if on is not None and on > tokyo.today():
        errors.add("on", _("連絡日が未来の日付です。"))
    elif on is not None and on < sent_on:
        errors.add(
            "on",
            _(
                "連絡日が、このつなぎ依頼が届いた日（%(day)s）より前です。",
                day=tokyo.format_day(sent_on, locale()),
            ),
        )
    method = _choice(
        data.get("method"),
        CONTACT_METHODS,
        "method",
        errors,
        empty=_("方法を選んでください。"),
        unknown=lambda known: _("方法は %(labels)s のいずれかから選んでください。", labels=known),
    )
    note = _text(data.get("note"), "note", errors, limit=NOTE_MAX)
    follow = _date(
        data.get("next_follow_up"),
        "next_follow_up",
        errors,
        required=False,
        after=on or tokyo.today(),
    )
    if follow is not None and on is not None and follow < on:
        errors.add("next_follow_up", _("次回フォロー日は連絡日より後にしてください。"))
    errors.raise_any()
    assert on is not None
    return Contact(on, method, note, follow)


def outcome(data: Mapping[str, Any]) -> str:
    errors = Errors()
    _refuse_unknown(data, ("outcome",), errors)
    value = _choice(
        data.get("outcome"),
        OUTCOMES,
        "outcome",
        errors,
        empty=_("結果を選んでください。"),
        unknown=lambda known: _("結果は %(labels)s のいずれかから選んでください。", labels=known),
    )
    errors.raise_any()
    return value


def _choice(
    value: Any,
    choices: Mapping[str, Label],
    field: str,
    errors: Errors,
    *,
    empty: str,
    unknown: Callable[[str], str],
) -> str:
    """One code of ``choices``. A list left at 「選んでください」 is asked to be chosen; a code
    that is none of them is answered with the choices as people read them (the labels the page
    offers), not with codes nobody on the page sees."""
    if value is None or value == "":
        errors.add(field, empty)
        return ""
    code = code_of(value, choices)
    if code is None:
        errors.add(field, unknown(listed(label.get(locale()) for label in choices.values())))
        return ""
    return code


def code_of(value: Any, choices: Mapping[str, Label]) -> str | None:
    """The code ``value`` names — the code, or its Japanese or English label, read as the
    questionnaire's answers are (``choice_key``) —, or ``None`` (a list, an object, a word that
    names none of them)."""
    if not isinstance(value, str):
        return None
    key = choice_key(value)
    for code, label in choices.items():
        if key in (choice_key(code), choice_key(label.ja), choice_key(label.en)):
            return code
    return None


def shown(value: Any) -> str:
    """A value someone sent, as a message quotes it: text as it is, anything else as JSON."""
    if isinstance(value, str):
        return value[:50]
    return json.dumps(value, ensure_ascii=False, default=str)[:50]


@dataclass(frozen=True)
class Reroute:
    municipality_code: str
    consent_scope: str
    """What the person agreed may be passed to the new municipality."""


def reroute(data: Mapping[str, Any]) -> Reroute:
    """A new receiving municipality with the person's consent for it: the consent recorded names
    the old one, so the person's data (要配慮個人情報) may go to another only with a scope of
    consent for it and the referrer's word (``confirmed``, true) that the person agreed."""
    errors = Errors()
    _refuse_unknown(data, ("municipality", "consent"), errors)
    code = municipality(data.get("municipality"), errors)
    raw = data.get("consent")
    consent: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    scope = _text(consent.get("scope"), "consent.scope", errors, limit=SCOPE_MAX)
    if not scope and "consent.scope" not in errors.found:
        errors.add(
            "consent.scope",
            _("新しいつなぎ先に何を伝えてよいか、本人が同意した範囲を入力してください。"),
        )
    if consent.get("confirmed") is not True:
        errors.add(
            "consent.confirmed",
            _(
                "新しいつなぎ先に伝えることに本人が同意したことを確かめて、チェックを入れてください。"
            ),
        )
    errors.raise_any()
    return Reroute(code, scope)
