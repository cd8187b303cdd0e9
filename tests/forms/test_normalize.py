"""Tests for forms.normalize: tables of what people really type, plus property tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from japanera import EraDate

from forms.normalize import (
    ERAS,
    Era,
    InvalidValue,
    clean_text,
    fold_text,
    normalize_email,
    normalize_phone,
    parse_bool,
    parse_date,
    parse_integer,
    parse_year,
    to_wareki,
)

PROPERTY = settings(max_examples=200, deadline=None)
DASH_VARIANTS = ["-", "－", "‐", "−", "–", "—", "ー", "ｰ"]
WAREKI_RE = re.compile(r"(?P<era>\D+?)(?P<y>元|\d+)年(?P<m>\d+)月(?P<d>\d+)日")
PHONE_SHAPE = re.compile(r"^0\d{1,4}-\d{1,4}-\d{3,4}$")


def full_width(text: str) -> str:
    """Turn printable ASCII into its full-width form (what an IME in 全角 mode types)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def error_of(func: Callable[[Any], object], value: Any) -> str:
    with pytest.raises(InvalidValue) as info:
        func(value)
    return str(info.value)


# ------------------------------------------------------------------ clean_text, fold_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  東京都  ", "東京都"),
        ("\u3000新宿区\u3000", "新宿区"),
        ("1行目\r\n2行目\r3行目", "1行目\n2行目\n3行目"),
        ("a\x00b\x07c\x1bd", "abcd"),
        ("列1\t列2", "列1\t列2"),
        ("\ufeff見出し", "見出し"),
        ("ゼロ\u200b幅", "ゼロ幅"),
        ("\n\n本文\n\n", "本文"),
        ("", ""),
        # Free text keeps its typography: nothing typed is rewritten.
        ("（令和3年3月31日）", "（令和3年3月31日）"),
        ("保健福祉部\u3000福祉総務課", "保健福祉部\u3000福祉総務課"),
        ("都庁\u3000太郎", "都庁\u3000太郎"),
        ("ＡＢＣ１２３", "ＡＢＣ１２３"),
        ("ﾄｳｷｮｳﾄ", "ﾄｳｷｮｳﾄ"),
        ("第１回：「更生」～支援！", "第１回：「更生」～支援！"),
        ("０３－１２３４", "０３－１２３４"),
    ],
)
def test_clean_text_drops_only_controls_and_surrounding_blanks(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u3000新宿区\u3000", "新宿区"),
        ("ＡＢＣ１２３", "ABC123"),
        ("ﾄｳｷｮｳﾄ", "トウキョウト"),
        ("ｶﾞｲﾄﾞ", "ガイド"),
        ("１３１０１６", "131016"),
        ("a\x00b", "ab"),
    ],
)
def test_fold_text_folds_width(raw: str, expected: str) -> None:
    assert fold_text(raw) == expected


@pytest.mark.parametrize("raw", ["a-b", "03-5321-1111", "2021-04-01", "ｱ-ｲ", "R-1"])
def test_fold_text_keeps_ascii_hyphen(raw: str) -> None:
    assert "-" in fold_text(raw)
    assert "ー" not in fold_text(raw)


def test_fold_text_full_width_hyphen_becomes_ascii() -> None:
    assert fold_text("０３－１２３４") == "03-1234"


_TRICKY_CHARS = st.sampled_from(
    list("ｶﾞﾟﾞｱ\u3000\r\n\t\x00\x85\u0301\u3099\u309b\u00b4－ー１Ａ①㍻ ﬁ\ufeff\u200b（）")
)


@PROPERTY
@given(st.text(alphabet=st.one_of(st.characters(), _TRICKY_CHARS), max_size=40))
def test_clean_and_fold_are_idempotent(raw: str) -> None:
    for clean in (clean_text, fold_text):
        once = clean(raw)
        assert clean(once) == once
        assert "\r" not in once
        assert once == once.strip()


@PROPERTY
@given(st.text(alphabet=st.one_of(st.characters(), _TRICKY_CHARS), max_size=40))
def test_clean_text_only_removes_characters(raw: str) -> None:
    """Every character kept is one that was typed, in the order typed (line endings aside)."""
    kept = iter(raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n"))
    assert all(ch in kept for ch in clean_text(raw))


# ------------------------------------------------------------------------- parse_integer


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        ("１２", 12),
        ("1,234", 1234),
        ("１，２３４", 1234),
        ("1,234,567", 1234567),
        (" 12 ", 12),
        ("\u300012\u3000", 12),
        ("0", 0),
        ("007", 7),
        ("-3", -3),
        ("－３", -3),
        ("ー３", -3),
        ("−3", -3),
        (42, 42),
        (0, 0),
        (-1, -1),
    ],
)
def test_parse_integer_accepts(raw: str | int, expected: int) -> None:
    assert parse_integer(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("1 234", "空白"),
        ("１\u3000２", "空白"),
        ("+5", "+"),
        ("＋５", "+"),
        ("12件", "「件」"),
        ("３人", "「人」"),
        ("1.5", "整数"),
        ("12.0", "整数"),
        ("12,34", "カンマ"),
        ("abc", "整数として読めません"),
        ("", "入力されていません"),
        ("   ", "入力されていません"),
        ("1e3", "整数"),
        ("9" * 19, "桁数"),
    ],
)
def test_parse_integer_rejects_with_reason(raw: str, fragment: str) -> None:
    assert fragment in error_of(parse_integer, raw)


@pytest.mark.parametrize("raw", [True, False, 1.5, float("nan"), float("inf"), 1e30, None])
def test_parse_integer_rejects_non_integers(raw: object) -> None:
    with pytest.raises(InvalidValue):
        parse_integer(raw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("raw", "expected"), [(2.0, 2), (0.0, 0), (-3.0, -3), (1234.0, 1234)])
def test_parse_integer_takes_whole_floats_as_json_and_spreadsheets_send_them(
    raw: float, expected: int
) -> None:
    assert parse_integer(raw) == expected


@PROPERTY
@given(st.integers(min_value=-(10**15), max_value=10**15), st.booleans())
def test_parse_integer_full_width_equals_half_width(number: int, grouped: bool) -> None:
    text = f"{number:,}" if grouped else str(number)
    assert parse_integer(text) == number
    assert parse_integer(full_width(text)) == number


# ---------------------------------------------------------------------------- parse_date

R3_4_1 = date(2021, 4, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021-04-01", R3_4_1),
        ("2021/4/1", R3_4_1),
        ("2021.4.1", R3_4_1),
        ("2021年4月1日", R3_4_1),
        ("2021年04月01日", R3_4_1),
        ("20210401", R3_4_1),
        ("２０２１－０４－０１", R3_4_1),
        ("２０２１／４／１", R3_4_1),
        ("２０２１．４．１", R3_4_1),
        ("２０２１年４月１日", R3_4_1),
        ("２０２１０４０１", R3_4_1),
        ("2021 / 4 / 1", R3_4_1),
        ("  2021-04-01\n", R3_4_1),
        ("令和3年4月1日", R3_4_1),
        ("令和 3 年 4 月 1 日", R3_4_1),
        ("令和３年４月１日", R3_4_1),
        ("R3.4.1", R3_4_1),
        ("R3/4/1", R3_4_1),
        ("R3-4-1", R3_4_1),
        ("r3.4.1", R3_4_1),
        ("R03.04.01", R3_4_1),
        ("Ｒ３．４．１", R3_4_1),
        ("ｒ３／４／１", R3_4_1),
        ("令3.4.1", R3_4_1),
        ("R3年4月1日", R3_4_1),
        ("令和3.4.1", R3_4_1),
        ("2021年4月1日(木)", R3_4_1),
        ("2021年4月1日（木曜日）", R3_4_1),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R元.5.1", date(2019, 5, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("S39.10.10", date(1964, 10, 10)),
        ("大正15年12月24日", date(1926, 12, 24)),
        ("T1.7.30", date(1912, 7, 30)),
        ("明治45年7月29日", date(1912, 7, 29)),
        ("2020-02-29", date(2020, 2, 29)),
        ("2000-02-29", date(2000, 2, 29)),
        (date(2021, 4, 1), R3_4_1),
        (datetime(2021, 4, 1, 13, 30), R3_4_1),
    ],
)
def test_parse_date_accepts(raw: str | date, expected: date) -> None:
    result = parse_date(raw)
    assert result == expected
    assert type(result) is date


@pytest.mark.parametrize("dash", DASH_VARIANTS)
def test_parse_date_accepts_every_dash_variant(dash: str) -> None:
    assert parse_date(f"２０２１{dash}０３{dash}０１") == date(2021, 3, 1)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("令和1年4月30日", "令和元年は5月1日から始まります（令和元年4月30日は存在しません）"),
        ("令和元年4月30日", "令和元年は5月1日から始まります（令和元年4月30日は存在しません）"),
        ("令和元年4月30日", "令和元年は5月1日から始まります"),
        ("平成31年5月1日", "平成は平成31年4月30日までです"),
        ("H32.1.1", "平成は平成31年4月30日までです"),
        ("昭和64年1月8日", "昭和は昭和64年1月7日までです"),
        ("平成元年1月7日", "平成元年は1月8日から始まります"),
        ("2021-02-29", "2021年2月は28日までです"),
        ("2021-02-30", "30日は存在しません"),
        ("2021-04-31", "2021年4月は30日までです"),
        ("令和3年2月29日", "令和3年2月は28日までです"),
        ("2021-13-01", "13月は存在しません"),
        ("2021-00-10", "0月は存在しません"),
        ("令和0年5月1日", "令和0年はありません"),
        ("1867-12-31", "1868年から2200年"),
        ("2201-01-01", "1868年から2200年"),
        ("令和200年1月1日", "1868年から2200年"),
        ("21/4/1", "西暦4桁"),
        ("hello", "日付として読めません。例: 2021-04-01、令和3年4月1日、R3.4.1"),
        ("4月1日", "年も入力してください。例: 2021-04-01、令和3年4月1日"),
        ("４／１", "年も入力してください"),
        ("2021 04 01", "日付として読めません"),
        ("2021/4-1", "日付として読めません"),
        ("X3.4.1", "日付として読めません"),
        ("", "日付が入力されていません"),
        ("2021年4月1日(金)", "木曜日です"),
    ],
)
def test_parse_date_rejects_with_reason(raw: str, fragment: str) -> None:
    assert fragment in error_of(parse_date, raw)


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("令和1年4月30日", False),
        ("令和元年5月1日", True),
        ("平成31年4月30日", True),
        ("平成31年5月1日", False),
        ("昭和64年1月7日", True),
        ("昭和64年1月8日", False),
        ("2020-02-29", True),
        ("2021-02-29", False),
    ],
)
def test_parse_date_boundaries(raw: str, ok: bool) -> None:
    if ok:
        parse_date(raw)
    else:
        with pytest.raises(InvalidValue):
            parse_date(raw)


def test_parse_date_rejects_date_objects_out_of_range() -> None:
    with pytest.raises(InvalidValue):
        parse_date(date(1800, 1, 1))


@PROPERTY
@given(
    st.dates(min_value=date(1868, 1, 1), max_value=date(2200, 12, 31)),
    st.sampled_from(DASH_VARIANTS),
)
def test_parse_date_full_width_equals_half_width(day: date, dash: str) -> None:
    iso = day.isoformat()
    assert parse_date(iso) == day
    assert parse_date(full_width(iso)) == day
    assert parse_date(full_width(iso).replace("－", dash)) == day


# ------------------------------------------------------------------------------- wareki


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 4, 1), "令和3年4月1日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1912, 7, 29), "明治45年7月29日"),
    ],
)
def test_to_wareki_table(day: date, expected: str) -> None:
    assert to_wareki(day) == expected


def test_to_wareki_before_first_era() -> None:
    with pytest.raises(InvalidValue):
        to_wareki(date(1868, 1, 1))


def test_era_table_is_ordered_data() -> None:
    assert all(isinstance(era, Era) for era in ERAS)
    starts = [era.start for era in ERAS]
    assert starts == sorted(starts)
    assert len({era.letter for era in ERAS}) == len(ERAS)
    assert [era.name for era in ERAS] == ["明治", "大正", "昭和", "平成", "令和"]


def _letter_form(wareki: str, style: int) -> str:
    match = WAREKI_RE.fullmatch(wareki)
    assert match, wareki
    letter = next(era.letter for era in ERAS if era.name == match.group("era"))
    year = match.group("y")
    if style == 0:
        return f"{letter}{year}.{match.group('m')}.{match.group('d')}"
    if style == 1:
        return f"{letter.lower()}{year}/{match.group('m')}/{match.group('d')}"
    number = "1" if year == "元" else year
    return full_width(f"{letter}{int(number):02}.{int(match.group('m')):02}.{match.group('d')}")


@PROPERTY
@given(
    st.dates(min_value=date(1873, 1, 1), max_value=date(2150, 12, 31)),
    st.integers(min_value=0, max_value=2),
)
def test_wareki_round_trip(day: date, style: int) -> None:
    wareki = to_wareki(day)
    assert parse_date(wareki) == day
    assert parse_date(_letter_form(wareki, style)) == day


def _japanera_wareki(day: date) -> tuple[str, int]:
    era_date = EraDate.from_date(day)
    return era_date.era.kanji, era_date.era.calc_relative_year(day)


def _ours(day: date) -> tuple[str, int]:
    match = WAREKI_RE.fullmatch(to_wareki(day))
    assert match
    year = match.group("y")
    return match.group("era"), 1 if year == "元" else int(year)


# japanera's 明治 starts on 1868-01-23 (the retroactive 明治元年) and overlaps 慶応 until
# the proclamation; ours starts at the proclamation (1868-10-23).  Before 1873 Japan used
# the lunisolar calendar, so both only agree from 1873 on, which is where we compare.
@PROPERTY
@given(st.dates(min_value=date(1873, 1, 1), max_value=date(2150, 12, 31)))
def test_to_wareki_agrees_with_japanera(day: date) -> None:
    assert _ours(day) == _japanera_wareki(day)


@pytest.mark.parametrize(
    "day",
    [
        date(1912, 7, 29),
        date(1912, 7, 30),
        date(1926, 12, 24),
        date(1926, 12, 25),
        date(1989, 1, 7),
        date(1989, 1, 8),
        date(2019, 4, 30),
        date(2019, 5, 1),
        date(2019, 12, 31),
        date(2020, 1, 1),
    ],
)
def test_to_wareki_agrees_with_japanera_at_boundaries(day: date) -> None:
    assert _ours(day) == _japanera_wareki(day)


# ------------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("０３－５３２１－１１１１", "03-5321-1111"),
        ("0353211111", "03-5321-1111"),
        ("03-5321-1111", "03-5321-1111"),
        ("03 5321 1111", "03-5321-1111"),
        ("03ー5321ー1111", "03-5321-1111"),
        ("03‐5321−1111", "03-5321-1111"),
        ("03–5321—1111", "03-5321-1111"),
        ("０３ｰ５３２１ｰ１１１１", "03-5321-1111"),
        ("03(5321)1111", "03-5321-1111"),
        ("(03)5321-1111", "03-5321-1111"),
        ("（０３）５３２１－１１１１", "03-5321-1111"),
        ("(03)53211111", "03-5321-1111"),
        ("+81-3-5321-1111", "03-5321-1111"),
        ("+81 3 5321 1111", "03-5321-1111"),
        ("+81(0)3-5321-1111", "03-5321-1111"),
        ("＋８１９０１２３４５６７８", "090-1234-5678"),
        ("090 1234 5678", "090-1234-5678"),
        ("09012345678", "090-1234-5678"),
        ("08012345678", "080-1234-5678"),
        ("07012345678", "070-1234-5678"),
        ("05012345678", "050-1234-5678"),
        ("0120123456", "0120-123-456"),
        ("0570123456", "0570-123-456"),
        ("08001234567", "0800-123-4567"),
        ("0422123456", "0422-12-3456"),
        ("0428123456", "0428-12-3456"),
        ("0426123456", "042-612-3456"),
        ("0499212345", "04992-1-2345"),
        ("0499812345", "04998-1-2345"),
        ("0612345678", "06-1234-5678"),
        ("0451234567", "045-123-4567"),
        ("0112345678", "011-234-5678"),
        ("0422-12-3456", "0422-12-3456"),
        ("042-212-3456", "042-212-3456"),
        ("090-12-34-5678", "090-1234-5678"),
        ("  03-5321-1111  ", "03-5321-1111"),
    ],
)
def test_normalize_phone_accepts(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("abc", "数字とハイフン"),
        ("TEL 03-5321-1111", "数字とハイフン"),
        ("03-5321-1111 内線123", "内線"),
        ("03-5321-1111 ext.12", "内線"),
        ("03-5321-1111#12", "内線"),
        ("5321-1111", "市外局番"),
        ("0053211111", "市外局番"),
        ("03-5321-111", "桁数"),
        ("090-1234-567", "桁数"),
        ("0353211111111", "桁数"),
        ("+1-202-555-0100", "海外"),
        ("", "入力されていません"),
    ],
)
def test_normalize_phone_rejects_with_reason(raw: str, fragment: str) -> None:
    assert fragment in error_of(normalize_phone, raw)


_MOBILE_PREFIXES = ("050", "070", "080", "090")


@st.composite
def typed_phones(draw: st.DrawFn) -> tuple[str, str]:
    """A valid Japanese number as someone might type it, and its digits."""
    digits = "0" + draw(st.sampled_from("123456789"))
    digits += draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    if digits.startswith(_MOBILE_PREFIXES):
        digits += draw(st.sampled_from("0123456789"))
    seps = st.sampled_from(["", "", "", "-", " ", "－", "ー", "‐", "−"])
    typed = digits[0] + "".join(draw(seps) + ch for ch in digits[1:])
    if draw(st.booleans()):
        typed = full_width(typed)
    return typed, digits


@PROPERTY
@given(typed_phones())
def test_normalize_phone_properties(case: tuple[str, str]) -> None:
    typed, digits = case
    result = normalize_phone(typed)
    assert PHONE_SHAPE.fullmatch(result)
    assert result.isascii()
    assert result.replace("-", "") == digits
    assert normalize_phone(result) == result


# ------------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("taro@example.jp", "taro@example.jp"),
        ("Taro.Yamada@Example.LG.JP", "Taro.Yamada@example.lg.jp"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
        ("  taro@example.jp\u3000", "taro@example.jp"),
        ("taro+survey@example.jp", "taro+survey@example.jp"),
        ("taro..yamada.@docomo.ne.jp", "taro..yamada.@docomo.ne.jp"),
        ("info@xn--eckwd4c7c.xn--q9jyb4c", "info@xn--eckwd4c7c.xn--q9jyb4c"),
        ("hanako@city.hachioji.lg.jp", "hanako@city.hachioji.lg.jp"),
        ("soudan@example.tokyo", "soudan@example.tokyo"),
        ("a@b-c.metro.tokyo.lg.jp", "a@b-c.metro.tokyo.lg.jp"),
    ],
)
def test_normalize_email_accepts(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("taro", "「@」がありません"),
        ("taro@example.jp; hanako@example.jp", "空白"),
        ("taro@example.jp,hanako@example.jp", "「@」が2個"),
        ("@example.jp", "「@」の前"),
        ("taro@", "ドメイン"),
        ("taro@example", "「.」がありません"),
        ("taro@example,jp", "「,」"),
        ("taro@example..jp", "「.」が続いている"),
        ("taro@example.jp.", "「.」が続いている"),
        ("taro@-example.jp", "ハイフン"),
        ("たろう@example.jp", "日本語"),
        ("taro@東京.jp", "xn--"),
        ('"Taro" <taro@example.jp>', "空白"),
        ("ta(ro@example.jp", "「(」"),
        ("taro@example.123", "数字だけ"),
        ("hanako@city.hachioji", "「.hachioji」で終わっています"),
        ("hanako@city.hachioji.lg", "「.lg」で終わっています"),
        ("taro@example.local", "ドメインの末尾"),
        ("taro@mail.example.invalid", "ドメインの末尾"),
        ("a" * 65 + "@example.jp", "64文字"),
        ("a@" + "b" * 250 + ".jp", "254文字"),
        ("", "入力されていません"),
    ],
)
def test_normalize_email_rejects_with_reason(raw: str, fragment: str) -> None:
    assert fragment in error_of(normalize_email, raw)


# ------------------------------------------------------------------------------ booleans


@pytest.mark.parametrize(
    "raw",
    [
        *("true", "TRUE", "True", "1", "１", "yes", "Yes", "はい", "○", "〇", "✓", "✔"),
        *("x", "X", "ｘ", "on", "ON", " はい ", "ＴＲＵＥ", "OK", "ok", True, 1),
    ],
)
def test_parse_bool_true(raw: str | bool | int) -> None:
    assert parse_bool(raw) is True


@pytest.mark.parametrize(
    "raw", ["false", "FALSE", "0", "０", "no", "No", "いいえ", "", "  ", "off", "OFF", False, 0]
)
def test_parse_bool_false(raw: str | bool | int) -> None:
    assert parse_bool(raw) is False


@pytest.mark.parametrize("raw", ["×", "✕", "maybe", "2", "はい。", "y", "n", 2, -1])
def test_parse_bool_rejects(raw: str | int) -> None:
    with pytest.raises(InvalidValue):
        parse_bool(raw)


def test_parse_bool_explains_ambiguous_cross() -> None:
    assert "「×」" in error_of(parse_bool, "×")


# ------------------------------------------------------------------------------ messages


@pytest.mark.parametrize(
    ("func", "raw"),
    [
        (parse_integer, "12件"),
        (parse_integer, "9" * 40),
        (parse_date, "令和1年4月30日"),
        (parse_date, "平成31年5月1日"),
        (parse_date, "2021-02-30"),
        (parse_date, "1700-01-01"),
        (parse_date, "2021年4月1日(金)"),
        (normalize_phone, "03-5321-111"),
        (normalize_email, "a@b@c.jp"),
        (normalize_email, "a@example,jp"),
        (parse_bool, "×"),
    ],
)
def test_messages_are_japanese_and_fully_formatted(func: Callable[[Any], object], raw: str) -> None:
    message = error_of(func, raw)
    assert "%(" not in message
    assert not message.isascii()


def test_invalid_value_is_a_value_error() -> None:
    assert issubclass(InvalidValue, ValueError)


@pytest.mark.parametrize("raw", ["a\ud800b", "a\ufffeb", "a\uffffb", "a\ufdd0b"])
def test_clean_text_drops_characters_no_file_can_hold(raw: str) -> None:
    for clean in (clean_text, fold_text):
        cleaned = clean(raw)
        assert cleaned == "ab"
        cleaned.encode("utf-8")


def test_clean_text_removes_exactly_what_cannot_be_stored_over_all_of_unicode() -> None:
    """Every code point (but CR and U+2028, which become newlines), against the rule written
    out by Unicode category: control characters
    but newline and tab, lone surrogates, noncharacters, BOM and zero-width space go; the rest
    (全角スペース, every letter and mark) stays."""
    import unicodedata

    def storable(code: int) -> bool:
        ch = chr(code)
        if ch in "\n\t":
            return True
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufeff\u200b":
            return False
        return not (0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE)

    wrong = [
        hex(code)
        for code in range(0x110000)
        if chr(code) not in "\r\u2028"
        and (clean_text(f"a{chr(code)}b") == f"a{chr(code)}b") != storable(code)
    ]
    assert wrong == []


# ------------------------------------------------------------------------------ years, days without a year


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1965", 1965),
        ("１９６５年", 1965),
        ("昭和40年", 1965),
        ("昭和 40", 1965),
        ("S40", 1965),
        ("ｓ４０", 1965),
        ("平成元年", 1989),
        ("昭和64年", 1989),
        ("平成31", 2019),
        ("令和元年", 2019),
        ("明治45", 1912),
    ],
)
def test_parse_year_accepts(raw: str, expected: int) -> None:
    assert parse_year(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("昭和65年", "昭和は64年まで"),
        ("H32", "平成は31年まで"),
        ("令和0年", "令和0年はありません"),
        ("S", "年として読めません"),
        ("65", "年として読めません"),
    ],
)
def test_parse_year_rejects_with_reason(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidValue, match=fragment):
        parse_year(raw)


@pytest.mark.parametrize(
    ("raw", "after", "before", "expected"),
    [
        ("12/5", date(2026, 12, 1), None, date(2026, 12, 5)),
        ("12/5", date(2026, 12, 6), None, date(2027, 12, 5)),
        ("12/5", None, date(2026, 12, 1), date(2025, 12, 5)),
        ("１２月５日", date(2026, 12, 5), None, date(2026, 12, 5)),
        ("12月5日(土)", date(2026, 12, 1), None, date(2026, 12, 5)),
        ("2/29", date(2026, 3, 1), None, date(2028, 2, 29)),
        ("2/29", None, date(2026, 3, 1), date(2024, 2, 29)),
        ("令和8年12月5日", date(2027, 1, 1), None, date(2026, 12, 5)),  # a year typed wins
    ],
)
def test_parse_date_reads_a_day_without_its_year_near_a_day(
    raw: str, after: date | None, before: date | None, expected: date
) -> None:
    assert parse_date(raw, after=after, before=before) == expected


def test_a_day_without_its_year_is_read_only_near_a_day() -> None:
    with pytest.raises(InvalidValue, match="年も入力してください"):
        parse_date("12/5")
    with pytest.raises(InvalidValue, match="2月は28日まで"):
        parse_date("2/30", after=date(2026, 1, 1))
