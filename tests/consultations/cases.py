"""Case lists for the tests, shaped like the source document's 令和2年度 (239 cases, 199 about a
crime, 151 referred somewhere, about 40 % of those to a local window), and written the ways people
write them: codes or Japanese labels, ISO or 和暦 dates, 全角 digits, UTF-8 or Shift_JIS, xlsx.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook

from exports.consultation_counts import UNKNOWN, CaseCounts
from forms.consultation import AGE_GROUP, CALLER, CHANNEL, CRIME_TYPE, LOCAL_WINDOWS, REFERRED_TO
from hub.services.demo_consultations import (
    COLUMNS,
    SEED_AGES,
    SEED_CRIME_RELATED,
    SEED_CRIMES,
    SEED_LOCAL_WINDOW,
    SEED_REFERRALS,
    SEED_REFERRED,
    SEED_TOTAL,
)

# 令和2年度 as the source document reports it: the figures the demo's cases are shaped by too.
R2_TOTAL = SEED_TOTAL
R2_CRIME_RELATED = SEED_CRIME_RELATED
R2_REFERRED = SEED_REFERRED
R2_AGES = SEED_AGES
R2_CRIMES = SEED_CRIMES
R2_REFERRALS: list[tuple[str, ...]] = list(SEED_REFERRALS)
R2_LOCAL_WINDOW = SEED_LOCAL_WINDOW


@dataclass(frozen=True)
class Case:
    received_on: date
    channel: str
    age_group: str
    caller: str
    crime_type: str | None
    referred_to: tuple[str, ...]
    municipality: str | None

    @property
    def crime_related(self) -> bool:
        return self.crime_type is not None


def r2_cases(municipalities: list[str], seed: int = 2020) -> list[Case]:
    """239 cases received between 令和2年5月19日 and 10月31日, in a shuffled order."""
    rng = random.Random(seed)
    ages = [a for a, n in R2_AGES.items() for _ in range(n)]
    crimes: list[str | None] = [c for c, n in R2_CRIMES.items() for _ in range(n)]
    crimes += [None] * (R2_TOTAL - len(crimes))
    referrals: list[tuple[str, ...]] = list(R2_REFERRALS) + [()] * (R2_TOTAL - len(R2_REFERRALS))
    homes: list[str | None] = [rng.choice(municipalities) for _ in range(R2_TOTAL - 30)]
    homes += [None] * 30
    for column in (ages, crimes, referrals, homes):
        rng.shuffle(column)
    start = date(2020, 5, 19)
    return [
        Case(
            received_on=start + timedelta(days=rng.randrange(166)),
            channel=rng.choice(("phone",) * 9 + ("visit",)),
            age_group=ages[i],
            caller=rng.choice(CALLER.codes),
            crime_type=crimes[i],
            referred_to=referrals[i],
            municipality=homes[i],
        )
        for i in range(R2_TOTAL)
    ]


def _label(question: Any, code: str) -> str:
    choice = question.choice(code)
    assert choice is not None
    return choice.label.ja


def _wareki(day: date) -> str:
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def _fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789/-", "０１２３４５６７８９／－"))


def row_of(case: Case, style: int, names: dict[str, str]) -> list[str]:
    """A case as a person writes it: style 0 codes and ISO dates; 1 Japanese labels and 和暦;
    2 全角 digits, ○ for yes and the municipality by name."""
    if style == 0:
        return [
            case.received_on.isoformat(),
            case.channel,
            case.age_group,
            case.caller,
            "1" if case.crime_related else "0",
            case.crime_type or "",
            ";".join(case.referred_to),
            case.municipality or "",
        ]
    if style == 1:
        return [
            _wareki(case.received_on),
            _label(CHANNEL, case.channel),
            _label(AGE_GROUP, case.age_group),
            _label(CALLER, case.caller),
            "はい" if case.crime_related else "いいえ",
            _label(CRIME_TYPE, case.crime_type) if case.crime_type else "",
            ";".join(_label(REFERRED_TO, c) for c in case.referred_to),
            _fullwidth(case.municipality or ""),
        ]
    return [
        _fullwidth(case.received_on.strftime("%Y/%m/%d")),
        case.channel,
        _label(AGE_GROUP, case.age_group),
        case.caller,
        "○" if case.crime_related else "",
        case.crime_type or "",
        "；".join(case.referred_to),
        names.get(case.municipality or "", ""),
    ]


def csv_bytes(
    cases: list[Case],
    names: dict[str, str],
    *,
    encoding: str = "utf-8-sig",
    header: tuple[str, ...] = COLUMNS,
    extra: dict[int, list[str]] | None = None,
) -> bytes:
    """The list as CSV; ``extra`` replaces the rows at those indexes (0 = first case)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for i, case in enumerate(cases):
        writer.writerow((extra or {}).get(i) or row_of(case, i % 3, names))
    return out.getvalue().encode(encoding)


def xlsx_bytes(cases: list[Case], names: dict[str, str]) -> bytes:
    """The list as an xlsx as Excel would save it: real dates and numbers in the cells."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "相談記録"
    sheet.append(
        [
            "受付日",
            "相談方法",
            "相談対象者の年代",
            "相談者",
            "犯罪に関する相談か",
            "相談にかかる犯罪の種類",
            "紹介した支援機関",
            "居住区市町村",
            "備考",
        ]
    )
    for i, case in enumerate(cases):
        row: list[Any] = row_of(case, i % 3, names)
        row[0] = case.received_on
        row[4] = case.crime_related
        row[7] = int(case.municipality) if case.municipality and i % 2 else row[7]
        sheet.append([*row, '=HYPERLINK("http://example.com")' if i == 0 else None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def expected_counts(
    cases: list[Case], regions: dict[str, str], all_regions: list[str]
) -> CaseCounts:
    """The counts computed in plain Python, to compare with the SQL GROUP BYs."""
    referred = [c for c in cases if c.referred_to]
    by_referral = Counter(code for c in cases for code in c.referred_to)
    by_region = Counter(regions[c.municipality] if c.municipality else UNKNOWN for c in cases)
    crimes = Counter(c.crime_type for c in cases if c.crime_type)
    return CaseCounts(
        total=len(cases),
        by_age_group={a: sum(1 for c in cases if c.age_group == a) for a in AGE_GROUP.codes},
        crime_related=sum(1 for c in cases if c.crime_related),
        by_crime_type={t: crimes[t] for t in CRIME_TYPE.codes},
        referred=len(referred),
        by_referral={r: by_referral[r] for r in REFERRED_TO.codes},
        local_window=sum(1 for c in referred if LOCAL_WINDOWS & set(c.referred_to)),
        by_region={r: by_region[r] for r in [*all_regions, UNKNOWN]},
    )
