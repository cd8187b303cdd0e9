"""Consultation-desk cases and hearings for ``make run``'s demo, shaped like the council paper.

A fiscal year of cases with the paper's figures for 令和2年度 — 239 cases, 199 about a crime, 151
referred somewhere (60 of them to a local window) — and its age, crime and referral breakdowns,
received over the year and imported the way the desk imports its list (``import_cases``, one CSV,
one audit entry). Hearings like the paper's 「令和3年6月から…聞き取りを実施（7月末時点 49自治体）」:
49 municipalities heard from June of the current fiscal year (or from April, early in the year)
until today, recorded through ``record_hearing``. The same seed gives the same data.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select

from forms.consultation import CALLER, TOPICS, fiscal_year_bounds, fiscal_year_of
from hub.db import db
from hub.models import Municipality
from hub.services.consultations import import_cases
from hub.services.hearings import record_hearing

SEED_TOTAL = 239
SEED_CRIME_RELATED = 199
SEED_REFERRED = 151
SEED_LOCAL_WINDOW = 60
SEED_UNKNOWN_RESIDENCE = 30
SEED_AGES: dict[str, int] = {
    "20s": 12,
    "30s": 18,
    "40s": 27,
    "50s": 30,
    "60s": 34,
    "70s": 52,
    "80_plus": 41,
    "unknown": 25,
}
SEED_CRIMES: dict[str, int] = {
    "shoplifting": 98,
    "theft": 21,
    "violence": 17,
    "sexual": 15,
    "drugs": 9,
    "fraud": 11,
    "stalking_dv": 12,
    "other": 16,
}
SEED_REFERRALS: tuple[tuple[str, ...], ...] = (
    # 151 referred: 30 to a 地域包括支援センター only, 26 to a 区市町村窓口 only, 4 to both
    # (60 to a local window, 39.7 %), and 91 elsewhere.
    *[("community_support_center",)] * 30,
    *[("municipal_window",)] * 26,
    *[("community_support_center", "municipal_window")] * 4,
    *[("mental_health_center",)] * 20,
    *[("metro_facility",)] * 12,
    *[("self_help_group",)] * 18,
    *[("social_worker_assoc",)] * 11,
    *[("juvenile_support_center",)] * 6,
    *[("other",)] * 19,
    *[("mental_health_center", "self_help_group")] * 5,
)

HEARD = 49
DEPARTMENTS = (
    "福祉総務課",
    "地域福祉課",
    "生活福祉課",
    "福祉政策課",
    "保健福祉部\u3000福祉総務課",
    "総務課",
)
NOTES = (
    "再犯防止推進計画の所管部署が決まらず、庁内調整が進んでいない。",
    "新型コロナウイルス感染症対策等の業務が重なり、人員が不足している。",
    "庁内で再犯防止への理解が進んでいない。地域福祉計画への位置付けを検討中。",
    "保護司会との連携は進んでいる。協力雇用主の把握が課題。",
    "",
)
COLUMNS = (
    "received_on",
    "channel",
    "age_group",
    "caller",
    "crime_related",
    "crime_type",
    "referred_to",
    "municipality",
)


def seed_shaped_cases(
    fiscal_year: int, municipalities: Sequence[str], *, seed: int = 2020
) -> list[dict[str, str]]:
    """239 cases received over ``fiscal_year`` as rows of codes (the import's columns)."""
    rng = random.Random(seed)  # noqa: S311  (demo data, repeatable; no secret)
    ages = [age for age, n in SEED_AGES.items() for _ in range(n)]
    crimes = [crime for crime, n in SEED_CRIMES.items() for _ in range(n)]
    crimes += [""] * (SEED_TOTAL - len(crimes))
    referrals = [*SEED_REFERRALS, *[()] * (SEED_TOTAL - len(SEED_REFERRALS))]
    homes = [rng.choice(municipalities) for _ in range(SEED_TOTAL - SEED_UNKNOWN_RESIDENCE)]
    homes += [""] * SEED_UNKNOWN_RESIDENCE
    for column in (ages, crimes, referrals, homes):
        rng.shuffle(column)
    first, last = fiscal_year_bounds(fiscal_year)
    days = (last - first).days + 1
    return [
        {
            "received_on": (first + timedelta(days=rng.randrange(days))).isoformat(),
            "channel": rng.choice(("phone",) * 9 + ("visit",)),
            "age_group": ages[i],
            "caller": rng.choice(CALLER.codes),
            "crime_related": "1" if crimes[i] else "0",
            "crime_type": crimes[i],
            "referred_to": ";".join(referrals[i]),
            "municipality": homes[i],
        }
        for i in range(SEED_TOTAL)
    ]


def cases_csv(cases: Sequence[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(cases)
    return out.getvalue().encode("utf-8-sig")


def add_demo_cases(fiscal_year: int) -> int:
    """Import the seed-shaped cases of ``fiscal_year``; returns how many were added."""
    codes = list(_active_codes())
    data = cases_csv(seed_shaped_cases(fiscal_year, codes))
    # Drawn at random, two cases may be alike: both are kept, as two callers' would be.
    return import_cases(data, user=None, filename=f"demo-{fiscal_year}.csv", add_repeats=True).added


def add_demo_hearings(today: date, *, seed: int = 2021) -> int:
    """Hearings with 49 municipalities in the fiscal year of ``today``, none after it."""
    rng = random.Random(seed)  # noqa: S311  (demo data, repeatable; no secret)
    fiscal_start, _ = fiscal_year_bounds(fiscal_year_of(today))
    june = date(fiscal_start.year, 6, 1)
    start = june if today >= june else fiscal_start
    span = (today - start).days + 1
    codes = list(_active_codes())
    heard = sorted(rng.sample(codes, k=min(HEARD, len(codes))))
    for code in heard:
        record_hearing(
            code,
            {
                "held_on": (start + timedelta(days=rng.randrange(span))).isoformat(),
                "department": rng.choice(DEPARTMENTS),
                "topics": rng.sample(TOPICS.codes, k=rng.randint(1, 3)),
                "notes": rng.choice(NOTES),
            },
            user=None,
        )
    return len(heard)


def _active_codes() -> Sequence[str]:
    return db.session.scalars(
        select(Municipality.code).where(Municipality.active.is_(True)).order_by(Municipality.code)
    ).all()
