"""Which municipality an address names: a referral's address is asked for inside the receiving
municipality (住所（つなぎ先の区市町村内）), and one that names another is most often the wrong
municipality picked from the list — a person's 要配慮個人情報 sent to a window that has no
business with it.

An address is read as people write it: the prefecture or not (東京都八王子市…, 八王子市…), a
district before a town (西多摩郡瑞穂町…), ケ or ヶ, full-width or not. Only its start is read;
an address that names no municipality there (丸の内1-1, 住所不定) names none.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from forms import tokyo
from forms.normalize import fold_text, same_ke
from hub.db import db
from hub.models import PREFECTURES, Municipality

_DISTRICT = re.compile(r"^[^\d\s]{1,5}?郡")
"""A district (郡) before a town or village: 西多摩郡. At least one character before 郡, so that
郡山市 stays a city's name."""


def _starts(text: str) -> tuple[str | None, str]:
    """The prefecture's code an address begins with (or ``None``) and the rest of it."""
    for index, name in enumerate(PREFECTURES, start=1):
        if text.startswith(name):
            return f"{index:02d}", text[len(name) :]
    return None, text


def named_in(address: str) -> list[Municipality]:
    """The municipalities existing today whose name begins ``address`` (after its prefecture and
    district, if written), the longest names first: 横浜市鶴見区 and 横浜市 both begin
    横浜市鶴見区…; two 府中市 begin 府中市… unless a prefecture says which."""
    text = same_ke(fold_text(address).replace(" ", ""))
    prefecture, rest = _starts(text)
    beginnings = [rest]
    district = _DISTRICT.match(rest)
    if district:
        beginnings.append(rest[district.end() :])
    query = select(Municipality).where(Municipality.existed_on(tokyo.today()))
    if prefecture is not None:
        query = query.where(Municipality.prefecture_code == prefecture)
    found = [
        m
        for m in db.session.scalars(query)
        if m.name and any(start.startswith(same_ke(m.name)) for start in beginnings)
    ]
    return sorted(found, key=lambda m: (-len(m.name), m.code))


def elsewhere(address: str, code: str) -> Municipality | None:
    """The municipality ``address`` names when that is not the one of ``code``; ``None`` when it
    names ``code``'s or none. The longest name decides (横浜市鶴見区, not 横浜市); a ward and its
    city, either way round, are not told apart, since 横浜市… may be any of its wards."""
    found = named_in(address)
    if not found:
        return None
    longest = [m for m in found if len(m.name) == len(found[0].name)]
    if any(m.code == code for m in longest):
        return None
    receiving = db.session.get(Municipality, code)
    if receiving is not None and any(
        m.prefecture_code == receiving.prefecture_code
        and (m.name.startswith(receiving.name) or receiving.name.startswith(m.name))
        for m in longest
    ):
        return None
    return longest[0]
