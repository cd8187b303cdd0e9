"""The source document's table, reproduced through the API by 62 submissions (docs/architecture.md, the workbook).

The answers are those of ``tests/exports/seed.py`` (the document gives ①9 ②1 ③5 ④8 ⑤10 ⑥29 and
the names with a plan; the split of ③–⑥ over the regions is seed's choice), but here staff submit
each one through ``POST …/submit`` as a counterpart system would, hostile text and all.
"""

from __future__ import annotations

from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import db
from hub.models import Municipality
from tests.api.conftest import response_url
from tests.conftest import Api, complete_answers
from tests.exports.seed import answers_for, plan_statuses

FORMULATED = {
    "区部": ["千代田区", "大田区", "中野区", "豊島区"],
    "市部": ["八王子市", "府中市", "国分寺市", "福生市", "武蔵村山市"],
    "町村部": [],
}
EXPECTED_BY_REGION = {
    "区部": {"formulated": 4, "public_comment": 0, "council_review": 3, "internal_planning": 5,
             "internal_feasibility": 5, "no_plan": 6},
    "市部": {"formulated": 5, "public_comment": 0, "council_review": 2, "internal_planning": 3,
             "internal_feasibility": 4, "no_plan": 12},
    "町村部": {"formulated": 0, "public_comment": 1, "council_review": 0, "internal_planning": 0,
               "internal_feasibility": 1, "no_plan": 11},
}  # fmt: skip


def submit_all(app: Flask, staff: Api, round_id: int) -> dict[str, tuple[str, list[str]]]:
    """Staff submit all 62 through the API; ``{code: (name, programs chosen)}``."""
    with app.app_context():
        statuses = plan_statuses()
        codes = dict(db.session.execute(select(Municipality.name, Municipality.code)).all())
    submitted: dict[str, tuple[str, list[str]]] = {}
    for index, name in enumerate(sorted(statuses, key=codes.__getitem__)):
        answers = answers_for(index, statuses[name])
        r = staff.post(
            response_url(round_id, codes[name], "submit"), {"answers": answers, "version": 0}
        )
        assert r.status_code == 200, (name, r.get_json())
        submitted[codes[name]] = (name, r.get_json()["answers"].get("programs", []))
    return submitted


def test_62_submissions_reproduce_the_source_documents_table(
    app: Flask, round_id: int, staff: Api
) -> None:
    submitted = submit_all(app, staff, round_id)
    r = staff.get(f"/rounds/{round_id}/summary")
    assert r.status_code == 200
    summary = r.get_json()
    assert (summary["municipalities"], summary["responded"]) == (62, 62)
    assert summary["plan_status"] == {
        "formulated": 9,
        "public_comment": 1,
        "council_review": 5,
        "internal_planning": 8,
        "internal_feasibility": 10,
        "no_plan": 29,
    }
    assert summary["plan_status_by_region"] == EXPECTED_BY_REGION
    assert summary["formulated_municipalities"] == FORMULATED
    assert summary["municipalities_by_region"] == {"区部": 23, "市部": 26, "町村部": 13}
    chosen = Counter(code for _, programs in submitted.values() for code in programs)
    assert summary["programs"] == {code: chosen[code] for code in summary["programs"]}
    assert sum(summary["programs"].values()) == sum(chosen.values()) > 0
    assert sum(summary["consultation_setup"].values()) == 62
    assert set(summary["plan_challenges"]) == {
        "no_lead_department",
        "lack_of_staff",
        "low_internal_understanding",
        "other",
    }


def test_every_question_has_its_generic_summary_keys(app: Flask, round_id: int, staff: Api) -> None:
    submit_all(app, staff, round_id)
    summary = staff.get(f"/rounds/{round_id}/summary").get_json()
    setup = summary["consultation_setup_by_region"]
    assert set(setup) == {"区部", "市部", "町村部"}
    assert {
        code: sum(region[code] for region in setup.values())
        for code in summary["consultation_setup"]
    } == summary["consultation_setup"]
    assert "programs_by_region" not in summary, "only one-of questions are split by region"
    assert summary["cooperating_employers"] == {
        "n": 62,
        "sum": sum(i % 7 for i in range(62)),
        "min": 0,
        "median": 3,
        "max": 6,
    }
    answered = len(range(0, 62, 5))
    assert summary["consultations_received"] == {
        "n": answered,
        "sum": 12 * answered,
        "min": 12,
        "median": 12,
        "max": 12,
    }
    assert summary["notes"] == {}


def test_summary_counts_only_submitted_and_accepted(app: Flask, round_id: int, staff: Api) -> None:
    submitted = submit_all(app, staff, round_id)
    chiyoda = next(code for code, (name, _) in submitted.items() if name == "千代田区")
    staff.post(response_url(round_id, chiyoda, "accept"))
    nakano = next(code for code, (name, _) in submitted.items() if name == "中野区")
    staff.post(response_url(round_id, nakano, "return"), {"reason": "策定日を確認してください"})
    summary = staff.get(f"/rounds/{round_id}/summary").get_json()
    assert summary["responded"] == 61
    assert summary["plan_status"]["formulated"] == 8
    assert summary["formulated_municipalities"]["区部"] == ["千代田区", "大田区", "豊島区"]
    assert summary["plan_status_by_region"]["区部"]["formulated"] == 3


def test_summary_of_an_untouched_round_is_all_zeros(round_id: int, staff: Api) -> None:
    staff.save(round_id, "131016", complete_answers(plan_status="no_plan"), version=0)  # draft
    summary = staff.get(f"/rounds/{round_id}/summary").get_json()
    assert (summary["municipalities"], summary["responded"]) == (62, 0)
    assert set(summary["plan_status"].values()) == {0}
    assert summary["formulated_municipalities"] == {"区部": [], "市部": [], "町村部": []}
    for key in (
        "programs",
        "plan_challenges",
        "program_challenges",
        "consultation_setup",
        "consultation_challenges",
        "requests",
    ):
        assert set(summary[key].values()) == {0}, key


@pytest.mark.usefixtures("shared_always")
def test_summary_is_readable_by_respondents_and_unknown_round_is_404(
    round_id: int, chiyoda: Api, staff: Api
) -> None:
    assert chiyoda.get(f"/rounds/{round_id}/summary").status_code == 200
    assert staff.get(f"/rounds/{round_id + 1000}/summary").status_code == 404
