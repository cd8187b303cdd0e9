"""The 62 answers that reproduce the source document's table, submitted through the services.

The document gives ①9 ②1 ③5 ④8 ⑤10 ⑥29 and names the municipalities with a plan (瑞穂町 is the
one in public comment: it had formulated by August). The split of ③–⑥ over the regions is not in
the document; :data:`OTHER_STATUSES` chooses one. Text fields carry the hostile strings that
people paste (formula-looking text), so every export built from this round is tested with them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from forms.normalize import to_wareki
from hub.db import db
from hub.models import Municipality, User
from hub.services import responses

SOURCE_COUNTS = {
    "formulated": 9,
    "public_comment": 1,
    "council_review": 5,
    "internal_planning": 8,
    "internal_feasibility": 10,
    "no_plan": 29,
}
FORMULATED = {
    "区部": ["千代田区", "大田区", "中野区", "豊島区"],
    "市部": ["八王子市", "府中市", "国分寺市", "福生市", "武蔵村山市"],
    "町村部": [],
}
PUBLIC_COMMENT = ["瑞穂町"]
OTHER_STATUSES = {
    "区部": {"council_review": 3, "internal_planning": 5, "internal_feasibility": 5, "no_plan": 6},
    "市部": {"council_review": 2, "internal_planning": 3, "internal_feasibility": 4, "no_plan": 12},
    "町村部": {"internal_feasibility": 1, "no_plan": 11},
}

HOSTILE = (
    '=HYPERLINK("http://x","y")',
    "+1+2",
    "-3",
    "@SUM(A1)",
    "\t=1",
    "=cmd|' /C calc'!A0",
    "\r=1",
)
"""Text that a spreadsheet would run as a formula or DDE link if written carelessly."""

PROGRAMS = (
    ["shamei_campaign"],
    ["shamei_campaign", "hogoshi_support"],
    ["shamei_campaign", "awareness_events", "other"],
    [],
)


def plan_statuses() -> dict[str, str]:
    """``{municipality name: plan_status}`` for all 62, as the source document counts them."""
    names = db.session.execute(
        select(Municipality.name, Municipality.region).order_by(Municipality.code)
    ).all()
    statuses: dict[str, str] = {}
    for region in FORMULATED:
        taken = set(FORMULATED[region]) | set(PUBLIC_COMMENT)
        rest = [n for n, r in names if r == region and n not in taken]
        pool = [s for s, k in OTHER_STATUSES[region].items() for _ in range(k)]
        assert len(rest) == len(pool), (region, len(rest), len(pool))
        statuses.update(dict(zip(rest, pool, strict=True)))
        statuses.update(dict.fromkeys(FORMULATED[region], "formulated"))
    statuses.update(dict.fromkeys(PUBLIC_COMMENT, "public_comment"))
    return statuses


def answers_for(index: int, status: str, *, plan_date: date = date(2021, 3, 31)) -> dict[str, Any]:
    """A complete answer with ``status``; text fields take turns carrying a hostile string."""
    hostile = HOSTILE[index % len(HOSTILE)]
    programs = PROGRAMS[index % len(PROGRAMS)]
    answers: dict[str, Any] = {
        "plan_status": status,
        "lead_department": hostile if index % 3 == 0 else "福祉部 地域福祉課",
        "plan_challenges": ["lack_of_staff"] if index % 2 else ["no_lead_department", "other"],
        "plan_challenges_other": hostile,
        "programs": programs,
        "cooperating_employers": index % 7,
        "program_challenges": ["lack_statistics", "lack_target_info"][: 1 + index % 2],
        "consultation_setup": ("general_welfare_window", "departmental", "none")[index % 3],
        "consultations_received": "１２" if index % 5 == 0 else None,
        "consultation_challenges": ["lack_expertise"] if index % 4 else ["staffing", "privacy"],
        "requests": ["training", "liaison_meetings", "other"][: 1 + index % 3],
        "requests_other": hostile,
        "comments": hostile,
        "contact_department": hostile,
        "contact_name": f"{hostile} 担当",
        "contact_phone": f"03-5320-{index:04d}",  # not the hint's example 03-5321-1111
        "contact_email": f"staff{index}@example.lg.jp",
    }
    if "other" in programs:
        answers["programs_other"] = hostile
    if status in ("formulated", "public_comment"):
        answers["plan_name"] = hostile
        answers["plan_integrated_with"] = ["regional_welfare"]
    if status == "formulated":
        answers["plan_date"] = to_wareki(plan_date)
    return {k: v for k, v in answers.items() if v is not None}


def seed_source_document(round_id: int, *, user: User | None = None) -> dict[str, str]:
    """Submit the 62 answers of the source document in round ``round_id`` and commit.

    Call inside an app context, with the round open. Returns ``{municipality code: plan_status}``.
    """
    statuses = plan_statuses()
    plan_date = responses.get_round(round_id).reference_date - timedelta(days=1)
    by_name = dict(db.session.execute(select(Municipality.name, Municipality.code)).all())
    submitted: dict[str, str] = {}
    for index, (name, status) in enumerate(sorted(statuses.items(), key=lambda i: by_name[i[0]])):
        code = by_name[name]
        response = responses.get_response(round_id, code)
        responses.submit(
            response,
            user=user,
            raw_answers=answers_for(index, status, plan_date=plan_date),
            source="api",
        )
        submitted[code] = status
    db.session.commit()
    return submitted


def contact_values() -> list[str]:
    """Every personal value :func:`answers_for` writes, to prove they are left out."""
    return [f"staff{i}@example.lg.jp" for i in range(62)] + [f"03-5320-{i:04d}" for i in range(62)]
