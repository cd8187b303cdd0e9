"""Normalizers for the values municipal staff type into forms.

Every function here takes a raw value (as typed in a web form, sent to the API or read
from an uploaded Excel sheet) and either returns the normalized value or raises
:class:`InvalidValue`, whose ``str()`` is a Japanese message that says what is wrong and
what is expected.

Two kinds of text, two functions: free text — names, departments, reasons, comments, notes —
goes through :func:`clean_text`, which keeps every character people typed (全角スペース,
（全角括弧）, ｶﾀｶﾅ as typed) and only drops control characters and surrounding blanks.
Width folding (Unicode NFKC, :func:`fold_text`) is for values with one right spelling:
numbers, dates, phone numbers, e-mail addresses and codes.  The messages go through ``flask_babel.gettext``; outside a request it
returns the Japanese msgid unchanged, so these functions work in CLI jobs and tests too.  What a
message quotes follows the request's language as well: on an English page eras by their English
names (Reiwa 8) and days as ISO dates (2019-05-01).

The functions are pure: no I/O, no app context needed, no state.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from publicsuffixlist import PublicSuffixList

from forms.wording import kind_of

__all__ = [
    "ERAS",
    "EXCEL_1904_EPOCH",
    "EXCEL_EPOCH",
    "Era",
    "InvalidValue",
    "clean_text",
    "excel_serial",
    "excel_serial_day",
    "fold_text",
    "month_and_day",
    "nearest_day",
    "normalize_email",
    "normalize_phone",
    "parse_bool",
    "parse_date",
    "parse_integer",
    "parse_year",
    "to_wareki",
]


class InvalidValue(ValueError):
    """A value that cannot be normalized; ``str(exc)`` is the message to show the user."""


class Era(NamedTuple):
    """A Japanese era (元号): its name, its one-letter abbreviation, its first day and its name
    in English messages."""

    name: str
    letter: str
    start: date
    english: str


# Each era runs from its start up to the day before the next era's start; the last one is
# open-ended.  A new era is one more line at the end.
#
# 明治 starts on 1868-10-23 (明治改元, 慶応4年9月8日), the day of the proclamation.  The
# proclamation made the whole of 1868 明治元年 retroactively, but dates before 1873 are in
# the old lunisolar calendar anyway, so converting Gregorian dates of that period to 和暦
# is approximate at best.  明治 is here only so that old dates (e.g. a 生年月日) parse.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", date(1868, 10, 23), "Meiji"),
    Era("大正", "T", date(1912, 7, 30), "Taisho"),
    Era("昭和", "S", date(1926, 12, 25), "Showa"),
    Era("平成", "H", date(1989, 1, 8), "Heisei"),
    Era("令和", "R", date(2019, 5, 1), "Reiwa"),
)

MIN_YEAR = 1868
MAX_YEAR = 2200

# Characters people type (or their IME produces) where they mean an ASCII hyphen.  NFKC
# already maps the full-width ones (－, ｰ → ー, ‑ → ‐); these are what is left.
_DASHES = "‐‑‒–—―−ー"
_DASH_TABLE = str.maketrans(dict.fromkeys(_DASHES, "-"))

_WEEKDAYS = "月火水木金土日"


def _line_endings(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")


def _unstorable() -> re.Pattern[str]:
    """Characters that may not be stored: control characters (Unicode category Cc, but ``\n``
    and ``\t``), lone surrogates (Cs, which no file format can encode), noncharacters
    (U+FDD0–U+FDEF and the last two code points of every plane) and invisible marks (BOM,
    zero-width space). One character class, so clean text is checked in C, not per character."""
    noncharacters = "".join(
        chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17)
    )
    return re.compile(
        "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufeff\u200b"
        + re.escape(noncharacters)
        + "]"
    )


_UNSTORABLE = _unstorable()


def clean_text(value: str) -> str:
    """Return free text as typed, ready to store: nothing a person wrote is rewritten.

    Only what no reader can see or no file can hold goes: C0/C1 control characters other than
    ``\\n`` and ``\\t`` (and a BOM, zero-width space, lone surrogate or noncharacter); line endings
    become ``\\n``; surrounding blanks (spaces, 全角スペース, blank lines) are removed.  Full-width
    letters, brackets and spaces inside the text, and half-width katakana, stay as they are.
    The function is idempotent.
    """
    if not isinstance(value, str):
        raise InvalidValue(_("文字列を入力してください"))
    text = _line_endings(value)
    return _UNSTORABLE.sub("", text).strip()


def fold_text(value: str) -> str:
    """Return a value that has one right spelling (a number, date, phone, e-mail, code) folded.

    :func:`clean_text`, then Unicode NFKC: full-width ASCII → half-width, half-width katakana →
    full-width, U+3000 → space.  ASCII hyphens stay hyphens.  Never use it on free text: it
    rewrites （令和3年3月31日） as (令和3年3月31日).  The function is idempotent.
    """
    return unicodedata.normalize("NFKC", clean_text(value)).strip()


_SMALL_KE = str.maketrans({"ヶ": "ケ", "ヵ": "カ", "ゖ": "け", "ゕ": "か"})


def same_ke(text: str) -> str:
    """``text`` with ヶ as ケ (ヵ as カ): place names are written both ways (鎌ケ谷市 is official,
    鶴ヶ島市 too; 青ヶ島村 is often typed 青ケ島村), so what is matched against a name folds them
    alike."""
    return text.translate(_SMALL_KE)


_VARIANT_KANJI = "髙高 﨑崎 嵜崎 碕崎 邊辺 邉辺 齋斎 齊斉 濵浜 濱浜 澤沢 櫻桜 廣広 國国 德徳 瀨瀬 槇槙 冨富 眞真 惠恵 藪薮 籔薮 曻昇 𠮷吉"
VARIANTS_FROM = "".join(pair[0] for pair in _VARIANT_KANJI.split())
"""The variant forms of kanji in people's names (異体字) that a search folds, in order…"""
VARIANTS_TO = "".join(pair[1] for pair in _VARIANT_KANJI.split())
"""…and the everyday form each is folded to, at the same place."""
_SAME_KANJI = str.maketrans(VARIANTS_FROM, VARIANTS_TO)


def same_kanji(text: str) -> str:
    """``text`` with the variant kanji of names (髙, 﨑, 邉, 齋, 𠮷 …) as their everyday forms (高,
    崎, 辺, 斎, 吉): the IME writes 高橋 for the 髙橋 an account is named, so what is searched for
    and what is searched fold them alike. Only for matching: never store what it returns."""
    return text.translate(_SAME_KANJI)


def search_key(text: str) -> str:
    """What a search for a person is matched by: folded (NFKC: ｶﾅ → カナ, ＡＢＣ → ABC), lower
    case, without spaces, variant kanji as everyday ones (:func:`same_kanji`); ``hub.db.searchable``
    folds a column the same way in SQL."""
    return same_kanji("".join(fold_text(text).casefold().split()))


def choice_key(text: str) -> str:
    """What a choice is matched by, for its code and each of its labels alike: full-width folded
    (NFKC), surrounding blanks gone, case folded, ヶ as ケ. The questionnaire's answers and the
    referral steps' codes (method, outcome, needs) are read the same way."""
    return same_ke(unicodedata.normalize("NFKC", text).strip().casefold())


# --------------------------------------------------------------------------- integers

_INTEGER_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+")
_MINUS_SIGNS = "-" + _DASHES
_MAX_INTEGER_DIGITS = 18


def parse_integer(value: str | int | float) -> int:
    """Parse a whole number as typed: ``12``, ``１２``, ``1,234``, ``１，２３４``, ``-3``.

    Surrounding whitespace is ignored.  A leading minus (or a dash the IME produced) is
    accepted, so that range checks can say what the lower bound is; ``+5``, inner spaces,
    decimals, units (``12件``) and ``bool`` are rejected.  A whole float (``12.0``, as JSON
    clients and spreadsheets send numbers) is that integer.  At most 18 digits.
    """
    if isinstance(value, bool):
        raise InvalidValue(_("整数を入力してください（はい／いいえではありません）"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 10**_MAX_INTEGER_DIGITS:
            return int(value)
        raise InvalidValue(_("整数で入力してください（小数は使えません）"))
    if not isinstance(value, str):
        raise InvalidValue(
            _("整数で入力してください（%(sent)sが送られました）。", sent=kind_of(value))
        )
    text = fold_text(value)
    if not text:
        raise InvalidValue(_("数値が入力されていません"))
    sign = 1
    body = text
    if text[0] in _MINUS_SIGNS:
        sign, body = -1, text[1:]
    elif text[0] == "+":
        raise InvalidValue(_("「+」は付けずに数字だけで入力してください（例: 5）"))
    if _INTEGER_RE.fullmatch(body):
        digits = body.replace(",", "")
        if len(digits.lstrip("0")) > _MAX_INTEGER_DIGITS:
            raise InvalidValue(_("桁数が多すぎます（%(max)s桁まで）", max=_MAX_INTEGER_DIGITS))
        return sign * int(digits)
    raise InvalidValue(_integer_problem(body))


def _integer_problem(body: str) -> str:
    """Explain why ``body`` (sign already removed) is not an integer."""
    if re.fullmatch(r"[0-9,]*\.[0-9]*", body) and any(c.isdigit() for c in body):
        return _("整数で入力してください（小数は使えません）")
    if re.search(r"[0-9,]\s+[0-9]", body):
        return _("数字の間に空白があります。空白を取り除いてください")
    if re.fullmatch(r"[0-9,]+", body):
        return _("桁区切りのカンマの位置が正しくありません（例: 1,234）")
    unit = re.fullmatch(r"[0-9,]+\s*([^0-9,\s]{1,10})", body)
    if unit:
        return _(
            "「%(unit)s」を付けずに数字だけで入力してください（例: 12）",
            unit=unit.group(1),
        )
    return _("整数として読めません。数字だけで入力してください（例: 12、1,234）")


# ------------------------------------------------------------------------------ dates


def _era_tokens() -> dict[str, Era]:
    tokens: dict[str, Era] = {}
    initials = [era.name[0] for era in ERAS]
    for era in ERAS:
        tokens[era.name] = era
        tokens[era.letter.upper()] = era
        if initials.count(era.name[0]) == 1:  # 令3.4.1 — only when unambiguous
            tokens[era.name[0]] = era
    return tokens


_ERA_TOKENS = _era_tokens()
_ERA_ALTERNATION = "|".join(re.escape(t) for t in sorted(_ERA_TOKENS, key=len, reverse=True))

_WESTERN_RE = re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})")
_WESTERN_KANJI_RE = re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日?")
_COMPACT_RE = re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})")
_ERA_RE = re.compile(
    rf"(?P<era>{_ERA_ALTERNATION})(?P<y>[0-9]{{1,3}}|元)"
    r"(?:年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日?"
    r"|(?P<sep>[-/.])(?P<m2>[0-9]{1,2})(?P=sep)(?P<d2>[0-9]{1,2}))",
    re.IGNORECASE,
)
_TWO_DIGIT_YEAR_RE = re.compile(r"[0-9]{2}([-/.])[0-9]{1,2}\1[0-9]{1,2}")
_WEEKDAY_RE = re.compile(rf"\((?P<wd>[{_WEEKDAYS}])(?:曜日?)?\)$")

_DATE_EXAMPLES = ("2021-04-01", "令和3年4月1日", "R3.4.1")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def english_messages() -> bool:
    """Whether the messages are read on an English page (a command or a job reads Japanese)."""
    if not has_request_context():
        return False
    locale = get_locale()
    return locale is not None and locale.language == "en"


def _examples() -> str:
    """What a date may look like, as a message lists them (the typed forms stay Japanese: they are
    what people type)."""
    return (", " if english_messages() else "、").join(_DATE_EXAMPLES)


def _era_name(era: Era) -> str:
    return era.english if english_messages() else era.name


def _year_text(year: int, era: Era | None = None, era_year: int | None = None) -> str:
    """A year as a message names it: 令和8年 or 2026年; Reiwa 8 (2026) or 2026 in English."""
    if english_messages():
        return f"{era.english} {era_year} ({year})" if era is not None else str(year)
    return f"{era.name}{era_year}年" if era is not None else f"{year}年"


def _typed_era_day(era: Era, era_year: int, month: int, day: int) -> str:
    """A 和暦 day as typed, which may not exist: 平成31年5月1日, Heisei 31-05-01 in English; the
    first year as 元年 (令和元年4月30日), as the era's first year is written and read."""
    if english_messages():
        return f"{era.english} {era_year}-{month:02}-{day:02}"
    year = "元" if era_year == 1 else str(era_year)
    return f"{era.name}{year}年{month}月{day}日"


def _day_text(d: date, *, wareki: bool = False) -> str:
    """A day in a message: 2019-05-01 in English; 2019年5月1日 (or 令和元年5月1日 with ``wareki``)
    in Japanese."""
    if english_messages():
        return d.isoformat()
    return to_wareki(d) if wareki else f"{d.year}年{d.month}月{d.day}日"


def _era_index(d: date) -> int | None:
    """Index in ERAS of the era ``d`` falls in, or None before the first one."""
    found = None
    for i, era in enumerate(ERAS):
        if era.start <= d:
            found = i
    return found


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidValue(
            _(
                "年は%(min)s年から%(max)s年の範囲で入力してください（%(year)s年になっています）",
                min=MIN_YEAR,
                max=MAX_YEAR,
                year=year,
            )
        )


def _make_date(year: int, month: int, day: int, year_label: str | None = None) -> date:
    """Build a date, explaining impossible months and days in terms of what was typed."""
    _check_year(year)
    if not 1 <= month <= 12:
        raise InvalidValue(
            _("月は1から12で入力してください（%(month)s月は存在しません）", month=month)
        )
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise InvalidValue(
            _(
                "%(year)s%(month)s月は%(last)s日までです（%(day)s日は存在しません）",
                year=year_label or _year_text(year),
                month=month,
                last=last,
                day=day,
            )
        )
    return date(year, month, day)


def _from_era(era: Era, era_year: int, month: int, day: int) -> date:
    typed = _typed_era_day(era, era_year, month, day)
    if era_year < 1:
        raise InvalidValue(
            _(
                "%(era)s%(year)s年はありません（最初の年は%(era)s元年＝%(era)s1年です）",
                era=_era_name(era),
                year=era_year,
            )
        )
    year = era.start.year + era_year - 1
    result = _make_date(year, month, day, _year_text(year, era, era_year))
    if result < era.start:
        raise InvalidValue(
            _(
                "%(era)s元年は%(month)s月%(day)s日から始まります（%(typed)sは存在しません）",
                era=_era_name(era),
                month=era.start.month,
                day=era.start.day,
                typed=typed,
            )
        )
    index = ERAS.index(era)
    if index + 1 < len(ERAS):
        following = ERAS[index + 1]
        if result >= following.start:
            last_day = date.fromordinal(following.start.toordinal() - 1)
            raise InvalidValue(
                _(
                    "%(era)sは%(last)sまでです（%(typed)sは存在しません。"
                    "%(start)s以降は%(next)sで入力してください）",
                    era=_era_name(era),
                    last=_day_text(last_day, wareki=True),
                    typed=typed,
                    start=_day_text(following.start),
                    next=_era_name(following),
                )
            )
    return result


def _strip_weekday(text: str) -> tuple[str, int | None]:
    """Remove a trailing ``(木)`` / ``(木曜日)``; return the rest and the weekday typed."""
    match = _WEEKDAY_RE.search(text)
    if not match:
        return text, None
    return text[: match.start()], _WEEKDAYS.index(match.group("wd"))


def parse_date(value: str | date, *, after: date | None = None, before: date | None = None) -> date:
    """Parse a date as typed by a person and return a plain :class:`datetime.date`.

    Accepted: ``2021-04-01``, ``2021/4/1``, ``2021.4.1``, ``2021年4月1日``, ``20210401``,
    their full-width forms (any dash variant as separator), 和暦 ``令和3年4月1日``,
    ``令和元年5月1日``, ``R3.4.1``, ``R3/4/1``, ``r3.4.1``, ``令3.4.1``, ``H31.4.30``, with
    optional spaces around the parts and an optional trailing weekday ``(木)``, which must
    be right.  A ``datetime`` is truncated to its date.  Dates that do not exist (2月30日,
    令和1年4月30日, 平成31年5月1日) and years outside 1868–2200 raise
    :class:`InvalidValue` with a message naming the problem.

    With ``after`` (or ``before``), a day typed without its year — ``12/5``, ``12月5日``,
    ``１２月５日`` — is also read: the first such day on or after ``after`` (a follow-up to
    come), or the last on or before ``before`` (a day that has been).
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        _check_year(value.year)
        return date(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise InvalidValue(_("日付を入力してください。例: %(examples)s", examples=_examples()))
    text = fold_text(value).translate(_DASH_TABLE)
    if not text:
        raise InvalidValue(_("日付が入力されていません"))
    # Drop spaces next to non-digits (令和 3 年 …, 2021 / 4 / 1); spaces between digits stay
    # and make the value unreadable rather than silently joining numbers.
    text = re.sub(r"\s*([^0-9\s])\s*", r"\1", text)
    text, weekday = _strip_weekday(text)
    result = _parse_date_text(text, after=after, before=before)
    if weekday is not None and result.weekday() != weekday:
        raise InvalidValue(
            _(
                "%(date)sは%(actual)s曜日です（%(typed)s曜日と入力されています）。"
                "日付を確認してください",
                date=_day_text(result),
                actual=_weekday(result.weekday()),
                typed=_weekday(weekday),
            )
        )
    return result


def _weekday(index: int) -> str:
    """月 (Monday in English messages)."""
    return _WEEKDAYS_EN[index] if english_messages() else _WEEKDAYS[index]


_MONTH_DAY_RE = re.compile(r"(?P<m>[0-9]{1,2})(?:[/.-](?P<d>[0-9]{1,2})|月(?P<d2>[0-9]{1,2})日?)")


def month_and_day(text: str) -> tuple[int, int] | None:
    """A month and a day typed without their year (``12/5``, ``12.5``, ``12月5日``; ``text``
    folded, without spaces), or ``None``: what a date says, or refuses, when its year is
    missing."""
    match = _MONTH_DAY_RE.fullmatch(text)
    if match is None:
        return None
    return int(match.group("m")), int(match.group("d") or match.group("d2"))


def nearest_day(
    month: int, day: int, *, after: date | None = None, before: date | None = None
) -> date:
    """The first day ``month``/``day`` on or after ``after``, or the last on or before ``before``
    (29 February: the nearest year that has one)."""
    start = after or before
    assert start is not None
    if (month, day) != (2, 29):
        _make_date(start.year, month, day)  # 13月, 2月30日: said as such
    step = 1 if after is not None else -1
    for offset in range(9):
        year = start.year + step * offset
        if calendar.monthrange(year, month)[1] < day:
            continue
        found = date(year, month, day)
        if (after is not None and found >= after) or (before is not None and found <= before):
            return found
    raise InvalidValue(_("日付として読めません。例: %(examples)s", examples=_examples()))


def _parse_date_text(text: str, *, after: date | None = None, before: date | None = None) -> date:
    for pattern in (_WESTERN_RE, _WESTERN_KANJI_RE, _COMPACT_RE):
        match = pattern.fullmatch(text)
        if match:
            year = int(match.group("y"))
            return _make_date(year, int(match.group("m")), int(match.group("d")))
    match = _ERA_RE.fullmatch(text)
    if match:
        era = _ERA_TOKENS[match.group("era").upper()]
        year_text = match.group("y")
        era_year = 1 if year_text == "元" else int(year_text)
        month = match.group("m") or match.group("m2")
        day = match.group("d") or match.group("d2")
        return _from_era(era, era_year, int(month), int(day))
    typed = month_and_day(text)
    if typed and (after is not None or before is not None):
        return nearest_day(*typed, after=after, before=before)
    if typed:  # 4/1 where no day near another gives the year: asked for, not guessed
        raise InvalidValue(_("年も入力してください。例: %(examples)s", examples=_examples()))
    if _TWO_DIGIT_YEAR_RE.fullmatch(text):
        raise InvalidValue(
            _("年は西暦4桁か和暦で入力してください。例: %(examples)s", examples=_examples())
        )
    raise InvalidValue(_("日付として読めません。例: %(examples)s", examples=_examples()))


_YEAR_RE = re.compile(r"(?P<y>[0-9]{4})年?")
_ERA_YEAR_RE = re.compile(rf"(?P<era>{_ERA_ALTERNATION})(?P<y>[0-9]{{1,3}}|元)年?", re.IGNORECASE)


def parse_year(value: str) -> int:
    """Parse a year as typed (a 生年): ``1965``, ``1965年``, ``１９６５``, 和暦 ``昭和40年``,
    ``昭和40``, ``S40``, ``s40``, ``平成元年``, ``H元``. An era's year counts while any day of it
    is in that era (昭和64年 is 1989, 平成31年 2019); one past it, or 0, raises
    :class:`InvalidValue` naming the era's last year."""
    text = re.sub(r"\s+", "", fold_text(value))
    match = _YEAR_RE.fullmatch(text)
    if match:
        return int(match.group("y"))
    match = _ERA_YEAR_RE.fullmatch(text)
    if not match:
        raise InvalidValue(_("年として読めません。例: 1965、昭和40年、S40"))
    era = _ERA_TOKENS[match.group("era").upper()]
    era_year = 1 if match.group("y") == "元" else int(match.group("y"))
    index = ERAS.index(era)
    last = ERAS[index + 1].start.year - era.start.year + 1 if index + 1 < len(ERAS) else None
    if era_year < 1:
        raise InvalidValue(
            _(
                "%(era)s%(year)s年はありません（最初の年は%(era)s元年＝%(era)s1年です）",
                era=_era_name(era),
                year=era_year,
            )
        )
    if last is not None and era_year > last:
        raise InvalidValue(
            _(
                "%(era)sは%(last)s年までです（%(era)s%(year)s年はありません）。",
                era=_era_name(era),
                last=last,
                year=era_year,
            )
        )
    return era.start.year + era_year - 1


EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's dates (its 1900 date system, Windows' and today's Mac's default): a date cell
formatted as a number, or saved as CSV so, is the count of days since (2020-05-01 is 43952)."""

EXCEL_1904_EPOCH = date(1904, 1, 1)
"""Day 0 of Excel's 1904 date system (a workbook made by Excel for Mac 2008 or earlier, or with
「1904 年から計算する」 ticked): the same day is 1462 days fewer (2020-05-01 is 42490). An xlsx
says which system it counts in (openpyxl's ``Workbook.epoch``)."""


def excel_serial_day(serial: int, epoch: date = EXCEL_EPOCH) -> date:
    """The day an Excel date serial names (43952 → 2020-05-01); right from 1900-03-01 (61) on,
    Excel counting a 1900-02-29 that never was. ``epoch``: :data:`EXCEL_1904_EPOCH` for a
    workbook in the 1904 date system (42490 → 2020-05-01), whose serials start at 0.
    ``InvalidValue`` outside them up to 9999-12-31."""
    first = 61 if epoch == EXCEL_EPOCH else 0
    if not first <= serial <= (date.max - epoch).days:
        raise InvalidValue(_("日付として読めません。例: %(examples)s", examples=_examples()))
    return epoch + timedelta(days=serial)


def excel_serial(d: date, epoch: date = EXCEL_EPOCH) -> int:
    """The Excel date serial of ``d`` (2020-05-01 → 43952): :func:`excel_serial_day` reversed."""
    return (d - epoch).days


def to_wareki(d: date) -> str:
    """Format ``d`` as 和暦, e.g. ``令和3年4月1日``; the first year of an era is ``元年``.

    Raises :class:`InvalidValue` for dates before the first era in :data:`ERAS`.
    """
    index = _era_index(d)
    if index is None:
        raise InvalidValue(
            _(
                "%(era)sより前の日付は和暦にできません",
                era=_era_name(ERAS[0]),
            )
        )
    era = ERAS[index]
    era_year = d.year - era.start.year + 1
    year_text = "元" if era_year == 1 else str(era_year)
    return f"{era.name}{year_text}年{d.month}月{d.day}日"


# ----------------------------------------------------------------------------- phones

# Digit groups for numbers typed without separators; the longest matching prefix wins.
# Prefixes not listed fall back to 3-3-4 (10 digits).  Numbers may only be as long as
# the sum of their groups.
_PHONE_GROUPS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("050", (3, 4, 4)),  # IP電話
    ("070", (3, 4, 4)),  # 携帯
    ("080", (3, 4, 4)),
    ("090", (3, 4, 4)),
    ("0120", (4, 3, 3)),  # フリーダイヤル
    ("0570", (4, 3, 3)),  # ナビダイヤル
    ("0800", (4, 3, 4)),  # フリーダイヤル (11桁)
    ("0990", (4, 3, 3)),
    ("03", (2, 4, 4)),  # 東京23区
    ("06", (2, 4, 4)),  # 大阪
    ("042", (3, 3, 4)),  # 多摩 (八王子・立川など)
    ("0422", (4, 2, 4)),  # 武蔵野・三鷹
    ("0428", (4, 2, 4)),  # 青梅
    ("04992", (5, 1, 4)),  # 大島
    ("04994", (5, 1, 4)),  # 三宅
    ("04996", (5, 1, 4)),  # 八丈
    ("04998", (5, 1, 4)),  # 小笠原
    ("011", (3, 3, 4)),  # 札幌
    ("045", (3, 3, 4)),  # 横浜
    ("052", (3, 3, 4)),  # 名古屋
    ("092", (3, 3, 4)),  # 福岡
)
_DEFAULT_PHONE_GROUPS = (3, 3, 4)
_PHONE_SHAPE_RE = re.compile(r"0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}")
_EXTENSION_RE = re.compile(r"内線|ext|#|[0-9]\s*x", re.IGNORECASE)
_PHONE_EXAMPLE = "03-5321-1111"


def _phone_groups(digits: str) -> tuple[int, ...]:
    best = ""
    groups: tuple[int, ...] = _DEFAULT_PHONE_GROUPS
    for prefix, rule in _PHONE_GROUPS:
        if digits.startswith(prefix) and len(prefix) > len(best):
            best, groups = prefix, rule
    return groups


def _phone_length(digits: str) -> int:
    return sum(_phone_groups(digits))


def normalize_phone(value: str) -> str:
    """Return a Japanese phone number as ASCII digits in three hyphenated groups.

    The result always matches ``^0\\d{1,4}-\\d{1,4}-\\d{3,4}$`` and has the same digits
    as the input (after ``+81`` → ``0``).  Full-width digits, dash variants, spaces and
    parentheses (``03(5321)1111``, ``(03)5321-1111``) are accepted; a grouping typed by
    the user is kept when it has that shape, otherwise hyphens are placed by the table
    above.  Landlines have 10 digits, 050/070/080/090 and 0800 numbers 11.  Extensions
    (内線) are not supported.  The function is idempotent.
    """
    if not isinstance(value, str):
        raise InvalidValue(
            _("電話番号を入力してください（例: %(example)s）", example=_PHONE_EXAMPLE)
        )
    text = fold_text(value).translate(_DASH_TABLE)
    if not text:
        raise InvalidValue(_("電話番号が入力されていません"))
    if _EXTENSION_RE.search(text):
        raise InvalidValue(
            _("内線番号は入力できません。代表番号または直通番号だけを入力してください")
        )
    if text.startswith("+81"):
        rest = text[3:].lstrip(" -")
        if rest.startswith("(0)"):
            rest = rest[3:]
        text = rest if rest.startswith("0") else "0" + rest
    tokens = [t for t in re.split(r"[\s()\-]+", text) if t]
    if not tokens or not all(t.isascii() and t.isdigit() for t in tokens):
        if "+" in text:
            raise InvalidValue(
                _("海外の電話番号は入力できません。日本の番号を0から入力してください")
            )
        raise InvalidValue(
            _(
                "電話番号は数字とハイフンで入力してください（例: %(example)s）",
                example=_PHONE_EXAMPLE,
            )
        )
    digits = "".join(tokens)
    if not digits.startswith("0") or digits.startswith("00"):
        raise InvalidValue(
            _(
                "電話番号は市外局番（0から始まる番号）から入力してください（例: %(example)s）",
                example=_PHONE_EXAMPLE,
            )
        )
    expected = _phone_length(digits)
    if len(digits) != expected:
        raise InvalidValue(
            _(
                "電話番号の桁数が正しくありません（%(count)s桁になっています。"
                "この番号は%(expected)s桁です）",
                count=len(digits),
                expected=expected,
            )
        )
    typed = "-".join(tokens)
    if _PHONE_SHAPE_RE.fullmatch(typed):
        return typed
    parts = []
    position = 0
    for size in _phone_groups(digits):
        parts.append(digits[position : position + size])
        position += size
    return "-".join(parts)


# ----------------------------------------------------------------------------- e-mail

_LOCAL_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+")
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_MAX_EMAIL = 254
_MAX_LOCAL = 64


def normalize_email(value: str) -> str:
    """Return an e-mail address with its domain lower-cased and its local part as typed.

    Full-width characters (＠, ｔａｒｏ) are converted by NFKC and surrounding whitespace is
    removed.  The address has exactly one ``@``, a non-empty local part of ASCII
    characters (consecutive dots, as some old 携帯 addresses have, are allowed) and an
    ASCII domain with at least one dot that ends in a top-level domain that exists (``jp``,
    ``com``, ``tokyo``… from the Public Suffix List's ICANN section, which the
    ``publicsuffixlist`` package ships and keeps current): ``hanako@city.hachioji`` is refused.
    At most 254 characters.
    """
    if not isinstance(value, str):
        raise InvalidValue(_("メールアドレスを入力してください"))
    text = fold_text(value)
    if not text:
        raise InvalidValue(_("メールアドレスが入力されていません"))
    if any(ch.isspace() for ch in text):
        raise InvalidValue(_("メールアドレスに空白が含まれています"))
    if len(text) > _MAX_EMAIL:
        raise InvalidValue(_("メールアドレスが長すぎます（%(max)s文字まで）", max=_MAX_EMAIL))
    count = text.count("@")
    if count == 0:
        raise InvalidValue(_("メールアドレスに「@」がありません（例: taro@example.jp）"))
    if count > 1:
        raise InvalidValue(
            _("「@」が%(count)s個あります。メールアドレスは1件だけ入力してください", count=count)
        )
    local, domain = text.split("@")
    if not local:
        raise InvalidValue(_("「@」の前（ユーザー名）が空です"))
    if len(local) > _MAX_LOCAL:
        raise InvalidValue(_("「@」の前が長すぎます（%(max)s文字まで）", max=_MAX_LOCAL))
    if not _LOCAL_RE.fullmatch(local):
        bad = next(ch for ch in local if not _LOCAL_RE.fullmatch(ch))
        if not bad.isascii():
            raise InvalidValue(_("メールアドレスに日本語（全角文字）は使えません"))
        raise InvalidValue(_("「@」の前に使えない文字「%(char)s」があります", char=bad))
    domain = domain.lower()
    if not domain:
        raise InvalidValue(_("「@」の後ろ（ドメイン）が空です（例: taro@example.jp）"))
    if not domain.isascii():
        raise InvalidValue(
            _(
                "「@」の後ろに日本語は使えません。"
                "日本語ドメインは「xn--」で始まる形式で入力してください"
            )
        )
    bad_char = next((ch for ch in domain if not re.fullmatch(r"[a-z0-9.-]", ch)), None)
    if bad_char is not None:
        raise InvalidValue(_("「@」の後ろに使えない文字「%(char)s」があります", char=bad_char))
    labels = domain.split(".")
    if len(labels) < 2:
        raise InvalidValue(_("「@」の後ろに「.」がありません（例: taro@example.jp）"))
    for label in labels:
        if not label:
            raise InvalidValue(_("「@」の後ろで「.」が続いているか、先頭・末尾にあります"))
        if not _LABEL_RE.fullmatch(label):
            raise InvalidValue(
                _(
                    "「@」の後ろの「.」で区切られた各部分は、ハイフンで始めたり終えたりできず、"
                    "63文字までです"
                )
            )
    if labels[-1].isdigit():
        raise InvalidValue(_("「@」の後ろの最後の部分（jp、comなど）が数字だけになっています"))
    if _suffixes().publicsuffix(domain, accept_unknown=False) is None:
        raise InvalidValue(
            _(
                "「@」の後ろが「.%(tld)s」で終わっています。ドメインの末尾（jp、comなど）まで"
                "入力してください（例: hanako@city.hachioji.lg.jp）",
                tld=labels[-1],
            )
        )
    return f"{local}@{domain}"


@cache
def _suffixes() -> PublicSuffixList:
    """The Public Suffix List's ICANN section: the top-level domains that exist (read once)."""
    return PublicSuffixList(only_icann=True)


# ---------------------------------------------------------------------------- booleans

_TRUE_WORDS = frozenset({"true", "1", "yes", "はい", "○", "〇", "✓", "✔", "x", "on", "ok"})
"""``ok``: ODK's value of a ticked ``acknowledge`` (its default in a file, an API client's)."""
_FALSE_WORDS = frozenset({"false", "0", "no", "いいえ", "", "off"})
# × means "no" to many Japanese readers and "ticked" to others: refuse to guess.
_AMBIGUOUS_MARKS = frozenset({"×", "✕", "✖", "✗", "✘"})


def parse_bool(value: str | bool | int) -> bool:
    """Parse a yes/no answer.

    True: ``true``, ``1``, ``yes``, ``はい``, ``○``, ``〇``, ``✓``, ``✔``, ``x``, ``on``, ``OK``;
    False: ``false``, ``0``, ``no``, ``いいえ``, empty, ``off`` (case-insensitive,
    full-width accepted, surrounding whitespace ignored).  The ints 1 and 0 and bools are
    accepted; anything else (including ``×``, which is ambiguous) raises InvalidValue.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value in (0, 1):
            return value == 1
        raise InvalidValue(_("1（はい）か0（いいえ）で入力してください"))
    if not isinstance(value, str):
        raise InvalidValue(
            _(
                "「はい」か「いいえ」で入力してください（%(sent)sが送られました）",
                sent=kind_of(value),
            )
        )
    text = fold_text(value).lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    if text in _AMBIGUOUS_MARKS:
        raise InvalidValue(
            _(
                "「%(mark)s」は「はい」「いいえ」のどちらの意味か判断できません。"
                "「はい」か「いいえ」で入力してください",
                mark=text,
            )
        )
    raise InvalidValue(_("「はい」か「いいえ」で入力してください（○、1、yes なども使えます）"))
