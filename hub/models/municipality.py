"""Municipalities (区市町村), identified by their 6-digit 全国地方公共団体コード."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, String, or_
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


PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip
"""The 47 prefectures in the order of their codes (JIS X 0401): ``PREFECTURES[12]`` is 東京都, code
``13``, the first two digits of each of its municipalities' codes."""


def prefecture_name(code: str) -> str:
    """``東京都`` for ``13``; the code itself when it is none."""
    index = int(code) - 1 if code.isascii() and code.isdigit() else -1
    return PREFECTURES[index] if 0 <= index < len(PREFECTURES) else code


def prefecture_code(text: str) -> str | None:
    """The two-digit code of a prefecture named by its code (``13``, ``１３``) or its name
    (``東京都``, or ``東京`` without 都道府県); ``None`` when it names none."""
    folded = fold_text(text).strip()
    if folded.isascii() and folded.isdigit() and 1 <= int(folded) <= len(PREFECTURES):
        return f"{int(folded):02d}"
    for index, name in enumerate(PREFECTURES, start=1):
        if folded in (name, name[:-1]) and folded:
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
    """:attr:`Municipality.existed_on` in a query."""
    return or_(cls.active.is_(True), cls.retired_on > day)


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

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.name}>"
