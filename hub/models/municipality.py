"""Municipalities (区市町村), identified by their 6-digit 全国地方公共団体コード."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, String, and_, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column

from forms.model import Label
from forms.normalize import fold_text
from hub.db import Base


class Region(StrEnum):
    """Tokyo's three groups, in the order the source document lists them."""

    KUBU = "区部"
    SHIBU = "市部"
    CHOSONBU = "町村部"


REGIONS: tuple[str, ...] = tuple(r.value for r in Region)

REGION_LABELS: dict[str, Label] = {
    Region.KUBU: Label(Region.KUBU.value, "Special wards"),
    Region.SHIBU: Label(Region.SHIBU.value, "Cities"),
    Region.CHOSONBU: Label(Region.CHOSONBU.value, "Towns and villages"),
}
"""Each region as people read it: the enum's value in Japanese, and its English name."""

TYPE_LABELS: dict[str, Label] = {
    "特別区": Label("特別区", "Special ward"),
    "区": Label("区", "Ward"),
    "市": Label("市", "City"),
    "町": Label("町", "Town"),
    "村": Label("村", "Village"),
}
"""Each type the hub keeps (``Municipality.type``, :func:`hub.services.code_list`), in Japanese
and in English."""


_PREFECTURE_NAMES: tuple[tuple[str, str], ...] = (
    ("北海道", "Hokkaido"), ("青森県", "Aomori"), ("岩手県", "Iwate"), ("宮城県", "Miyagi"),
    ("秋田県", "Akita"), ("山形県", "Yamagata"), ("福島県", "Fukushima"), ("茨城県", "Ibaraki"),
    ("栃木県", "Tochigi"), ("群馬県", "Gunma"), ("埼玉県", "Saitama"), ("千葉県", "Chiba"),
    ("東京都", "Tokyo"), ("神奈川県", "Kanagawa"), ("新潟県", "Niigata"), ("富山県", "Toyama"),
    ("石川県", "Ishikawa"), ("福井県", "Fukui"), ("山梨県", "Yamanashi"), ("長野県", "Nagano"),
    ("岐阜県", "Gifu"), ("静岡県", "Shizuoka"), ("愛知県", "Aichi"), ("三重県", "Mie"),
    ("滋賀県", "Shiga"), ("京都府", "Kyoto"), ("大阪府", "Osaka"), ("兵庫県", "Hyogo"),
    ("奈良県", "Nara"), ("和歌山県", "Wakayama"), ("鳥取県", "Tottori"), ("島根県", "Shimane"),
    ("岡山県", "Okayama"), ("広島県", "Hiroshima"), ("山口県", "Yamaguchi"), ("徳島県", "Tokushima"),
    ("香川県", "Kagawa"), ("愛媛県", "Ehime"), ("高知県", "Kochi"), ("福岡県", "Fukuoka"),
    ("佐賀県", "Saga"), ("長崎県", "Nagasaki"), ("熊本県", "Kumamoto"), ("大分県", "Oita"),
    ("宮崎県", "Miyazaki"), ("鹿児島県", "Kagoshima"), ("沖縄県", "Okinawa"),
)  # fmt: skip
"""The 47 prefectures in the order of their codes (JIS X 0401), in Japanese and in English."""

PREFECTURES: tuple[str, ...] = tuple(name for name, _ in _PREFECTURE_NAMES)
"""The 47 prefectures' names in the order of their codes: ``PREFECTURES[12]`` is 東京都, code
``13``, the first two digits of each of its municipalities' codes."""


def prefecture_name(code: str, *, english: bool = False) -> str:
    """``東京都`` for ``13`` (``Tokyo`` in English); the code itself when it is none."""
    index = int(code) - 1 if code.isascii() and code.isdigit() else -1
    if not 0 <= index < len(_PREFECTURE_NAMES):
        return code
    name, name_en = _PREFECTURE_NAMES[index]
    return name_en if english else name


def municipality_name(name: str, name_en: str | None, *, english: bool) -> str:
    """A municipality's name for a reader: its English name (the reference CSV's ``name_en``,
    Chiyoda City) when the reader reads English and one is known, else its Japanese (千代田区)."""
    return name_en if english and name_en else name


def prefecture_code(text: str) -> str | None:
    """The two-digit code of a prefecture named by its code (``13``, ``１３``), its name
    (``東京都``, or ``東京`` without 都道府県) or its English name (``Tokyo``, any case); ``None``
    when it names none."""
    folded = fold_text(text).strip()
    if folded.isascii() and folded.isdigit() and 1 <= int(folded) <= len(PREFECTURES):
        return f"{int(folded):02d}"
    for index, (name, name_en) in enumerate(_PREFECTURE_NAMES, start=1):
        if folded and (folded in (name, name[:-1]) or folded.casefold() == name_en.casefold()):
            return f"{index:02d}"
    return None


def ordered_regions(found: set[str]) -> tuple[str, ...]:
    """Tokyo's regions in the document's order, then any others (other prefectures) by name."""
    return tuple(r for r in REGIONS if r in found) + tuple(sorted(found - set(REGIONS)))


def check_digit(first_five: str) -> int:
    """The check digit of a local government code: weights 6..2, (11 - sum mod 11) mod 10."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def is_valid_code(code: str) -> bool:
    return (
        len(code) == 6
        and code.isascii()
        and code.isdigit()
        and check_digit(code[:5]) == int(code[5])
    )


def _existed_on_sql(cls: type[Municipality], day: date) -> ColumnElement[bool]:
    """:attr:`Municipality.existed_on` in a query: never NULL, so that its negation holds for a
    municipality retired without a day (``retired_on`` NULL) too."""
    return or_(cls.active.is_(True), and_(cls.retired_on.is_not(None), cls.retired_on > day))


class Municipality(Base):
    __tablename__ = "municipality"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kana: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(20), index=True)
    type: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)
    retired_on: Mapped[date | None] = mapped_column(default=None)
    """The day it was retired (合併・廃止); ``None`` while active (or retired before the day was
    kept: counted as retired for good)."""

    def _existed_on(self, day: date) -> bool:
        return self.active or (self.retired_on is not None and self.retired_on > day)

    existed_on = hybrid_method(_existed_on, _existed_on_sql)
    """Active, or retired after ``day``: it still existed that day. A fiscal year that began on
    ``day`` counts it; a case received or a hearing held that day may name it. On a row a
    ``bool``; on the class (``Municipality.existed_on(day)``) the same rule as SQL."""

    def name_for(self, *, english: bool) -> str:
        """:func:`municipality_name` of this one."""
        return municipality_name(self.name, self.name_en, english=english)

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.name}>"
