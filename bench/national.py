"""Japan's 1,741 municipalities for benchmarks: Tokyo's real 62 plus made-up ones elsewhere.

The made-up municipalities have valid 全国地方公共団体コード (prefecture code, three digits, check
digit) so that the hub's own validation accepts them; names say plainly that they are invented.
"""

from __future__ import annotations

import csv
import io

from hub.models.municipality import PREFECTURES, check_digit

NATIONAL_COUNT = 1741
TOKYO = 13


def made_up_rows(total: int = NATIONAL_COUNT, tokyo_count: int = 62) -> list[dict[str, str]]:
    """Rows shaped like tokyo_municipalities.csv for every prefecture but Tokyo."""
    others = [p for p in range(1, 48) if p != TOKYO]
    needed = total - tokyo_count
    base, extra = divmod(needed, len(others))
    rows: list[dict[str, str]] = []
    for index, prefecture in enumerate(others):
        for n in range(base + (1 if index < extra else 0)):
            first_five = f"{prefecture:02d}{201 + n:03d}"
            city = n % 3 != 2
            rows.append(
                {
                    "code": first_five + str(check_digit(first_five)),
                    "name": f"{PREFECTURES[prefecture - 1]}架空{'市' if city else '町'}{n + 1}",
                    "kana": "",
                    "name_en": f"Fictional {prefecture:02d}-{n + 1}",
                    "region": "市部" if city else "町村部",
                    "type": "市" if city else "町",
                }
            )
    return rows


def made_up_csv(total: int = NATIONAL_COUNT) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=["code", "name", "kana", "name_en", "region", "type"]
    )
    writer.writeheader()
    writer.writerows(made_up_rows(total))
    return buffer.getvalue().encode("utf-8")


PLAN_STATUSES = (
    "formulated",
    "public_comment",
    "council_review",
    "internal_planning",
    "internal_feasibility",
    "no_plan",
)


def complete_answers(index: int) -> dict[str, object]:
    """A complete, valid ``torikumi`` answer that varies with ``index`` (typed as people type)."""
    status = PLAN_STATUSES[index % len(PLAN_STATUSES)]
    answers: dict[str, object] = {
        "plan_status": status,
        "lead_department": "福祉保健局 地域福祉課",
        "programs": ["shamei_campaign", "awareness_events"][: 1 + index % 2],
        "cooperating_employers": str(index % 40).translate(
            str.maketrans("0123456789", "０１２３４５６７８９")
        ),
        "program_challenges": ["lack_statistics"] if index % 3 else ["lack_target_info", "other"],
        "consultation_setup": "general_welfare_window" if index % 4 else "departmental",
        "requests": ["training", "liaison_meetings"],
        "comments": '=HYPERLINK("http://example.invalid","x")' if index % 50 == 0 else "特になし",
        "contact_name": "回答 担当",
        "contact_phone": "０３－５３２１－１１１１",
        "contact_email": f"user{index}@Example.LG.JP",
    }
    if "other" in answers["program_challenges"]:  # type: ignore[operator]
        answers["program_challenges_other"] = "庁内の人員配置"
    if status in ("formulated", "public_comment"):
        answers["plan_name"] = f"再犯防止推進計画（第{index % 3 + 1}期）"
    if status == "formulated":
        answers["plan_date"] = "令和3年3月31日"
    return answers
