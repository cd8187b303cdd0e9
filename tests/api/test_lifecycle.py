"""The life of a response through the API (docs/questionnaire.md, life of a response): draft, submit, return, accept, deadline."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from hub.db import db
from hub.models import AuditEvent, Revision
from tests.api.conftest import CHIYODA, CHUO, future, past, response_url
from tests.conftest import Api, complete_answers, response_of


def state_of(api: Api, round_id: int, code: str = CHIYODA) -> dict:
    r = api.get(response_url(round_id, code))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_not_started_draft_submitted_accepted(round_id: int, chiyoda: Api, staff: Api) -> None:
    start = state_of(chiyoda, round_id)
    assert (start["state"], start["version"], start["answers"]) == ("not_started", 0, {})

    saved = chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=0)
    assert saved.status_code == 200, saved.get_json()
    assert (saved.get_json()["state"], saved.get_json()["version"]) == ("draft", 1)

    submitted = chiyoda.submit(round_id, CHIYODA, complete_answers())
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["state"] == "submitted"
    assert submitted.get_json()["submitted_at"] is not None

    accepted = staff.post(response_url(round_id, action="accept"))
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["state"] == "accepted"
    assert state_of(chiyoda, round_id)["state"] == "accepted"


def test_accepted_response_is_locked(round_id: int, chiyoda: Api, staff: Api) -> None:
    chiyoda.submit(round_id, CHIYODA, complete_answers())
    staff.post(response_url(round_id, action="accept"))
    version = state_of(chiyoda, round_id)["version"]
    for api in (chiyoda, staff):
        put = api.save(round_id, CHIYODA, complete_answers(plan_status="council_review"), version)
        assert put.status_code == 409
        assert "編集できません" in put.get_json()["message"]
    assert staff.post(response_url(round_id, action="return"), {"reason": "x"}).status_code == 409
    assert chiyoda.post(response_url(round_id, action="submit"), {}).status_code == 409
    after = state_of(chiyoda, round_id)
    assert (after["state"], after["version"]) == ("accepted", version)
    assert after["answers"]["plan_status"] == "no_plan"


def test_an_acceptance_is_taken_back_and_the_response_is_submitted_again(
    round_id: int, chiyoda: Api, staff: Api
) -> None:
    chiyoda.submit(round_id, CHIYODA, complete_answers())
    assert staff.post(response_url(round_id, action="unaccept")).status_code == 409
    staff.post(response_url(round_id, action="accept"))
    assert chiyoda.post(response_url(round_id, action="unaccept")).status_code == 403
    undone = staff.post(response_url(round_id, action="unaccept"))
    assert undone.status_code == 200
    assert (undone.get_json()["state"], undone.get_json()["accepted_at"]) == ("submitted", None)
    version = state_of(chiyoda, round_id)["version"]
    put = chiyoda.save(round_id, CHIYODA, complete_answers(plan_status="council_review"), version)
    assert put.status_code == 409, "submitted again: still not edited in place"
    assert staff.post(response_url(round_id, action="return"), {"reason": "x"}).status_code == 200


def test_submitted_response_is_not_edited_in_place(round_id: int, chiyoda: Api) -> None:
    chiyoda.submit(round_id, CHIYODA, complete_answers())
    version = state_of(chiyoda, round_id)["version"]
    put = chiyoda.save(round_id, CHIYODA, {"plan_status": "formulated"}, version)
    assert put.status_code == 409
    assert state_of(chiyoda, round_id)["answers"]["plan_status"] == "no_plan"


def test_return_with_reason_reopens_the_draft(round_id: int, chiyoda: Api, staff: Api) -> None:
    chiyoda.submit(round_id, CHIYODA, complete_answers())
    reason = "計画の名称を正式名称で記入してください。"
    returned = staff.post(response_url(round_id, action="return"), {"reason": reason})
    assert returned.status_code == 200, returned.get_json()
    seen = state_of(chiyoda, round_id)
    assert (seen["state"], seen["return_reason"]) == ("draft", reason)
    assert seen["answers"]["contact_name"] == "都庁 太郎"

    fixed = chiyoda.save(round_id, CHIYODA, complete_answers(contact_name="都庁 花子"))
    assert fixed.status_code == 200
    again = chiyoda.post(response_url(round_id, action="submit"), {})
    assert again.status_code == 200
    assert (again.get_json()["state"], again.get_json()["return_reason"]) == ("submitted", None)


def test_return_needs_a_reason_and_a_submitted_response(
    round_id: int, chiyoda: Api, staff: Api
) -> None:
    chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=0)
    assert (
        staff.post(response_url(round_id, action="return"), {"reason": "直して"}).status_code == 409
    )
    assert staff.post(response_url(round_id, action="accept")).status_code == 409
    chiyoda.post(response_url(round_id, action="submit"), {})  # incomplete: stays a draft
    chiyoda.submit(round_id, CHIYODA, complete_answers())
    for reason in ("", "\u3000 \n"):
        r = staff.post(response_url(round_id, action="return"), {"reason": reason})
        assert r.status_code == 422
        assert set(r.get_json()["errors"]) == {"reason"}
    missing = staff.post(response_url(round_id, action="return"), {})
    assert missing.status_code == 422
    assert "reason" in missing.get_json()["errors"]
    assert state_of(staff, round_id)["state"] == "submitted"


def test_respondent_may_not_return_accept_or_extend(round_id: int, chiyoda: Api) -> None:
    chiyoda.submit(round_id, CHIYODA, complete_answers())
    assert chiyoda.post(response_url(round_id, action="accept")).status_code == 403
    assert chiyoda.post(response_url(round_id, action="return"), {"reason": "x"}).status_code == 403
    until = future(days=3).isoformat()
    assert (
        chiyoda.post(response_url(round_id, action="extension"), {"until": until}).status_code
        == 403
    )
    assert state_of(chiyoda, round_id)["state"] == "submitted"


def test_incomplete_submit_names_the_fields_and_keeps_the_draft(
    round_id: int, chiyoda: Api
) -> None:
    typed = {"plan_status": "formulated", "comments": "途中まで入力"}
    chiyoda.save(round_id, CHIYODA, typed, version=0)
    r = chiyoda.post(response_url(round_id, action="submit"), {})
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert {"plan_name", "plan_date", "lead_department", "consultation_setup"} <= set(errors)
    assert {"contact_name", "contact_phone", "contact_email"} <= set(errors)
    assert "comments" not in errors
    after = state_of(chiyoda, round_id)
    assert (after["state"], after["version"], after["answers"]) == ("draft", 1, typed)


def test_submit_with_answers_in_the_body(round_id: int, chiyoda: Api) -> None:
    r = chiyoda.post(
        response_url(round_id, action="submit"), {"answers": complete_answers(), "version": 0}
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["answers"]["consultation_setup"] == "general_welfare_window"
    stale = chiyoda.post(response_url(round_id, CHUO, "submit"), {"version": 5})
    assert stale.status_code == 403  # another municipality: refused before anything else


def test_deadline_passed_refuses_a_respondents_submit(
    new_round: Callable[..., int], chiyoda: Api, api_as: Callable[..., Api], staff: Api
) -> None:
    round_id = new_round(opens_at=past(days=10), deadline=past(hours=1))
    saved = chiyoda.save(round_id, CHIYODA, complete_answers(), version=0)
    assert saved.status_code == 200  # a draft may still be kept after the deadline
    late = chiyoda.post(response_url(round_id, action="submit"), {})
    assert late.status_code == 409
    assert "期限" in late.get_json()["message"]
    assert state_of(chiyoda, round_id)["state"] == "draft"

    until = future(days=2).isoformat()
    granted = staff.post(response_url(round_id, action="extension"), {"until": until})
    assert granted.status_code == 200, granted.get_json()
    assert granted.get_json()["extension_until"] is not None
    on_time = chiyoda.post(response_url(round_id, action="submit"), {})
    assert on_time.status_code == 200, on_time.get_json()

    chuo = api_as("respondent", municipality=CHUO)
    chuo.save(round_id, CHUO, complete_answers(), version=0)
    assert chuo.post(response_url(round_id, CHUO, "submit"), {}).status_code == 409


def test_staff_may_submit_after_the_deadline_on_behalf(
    new_round: Callable[..., int], staff: Api
) -> None:
    round_id = new_round(opens_at=past(days=10), deadline=past(hours=1))
    r = staff.submit(round_id, CHUO, complete_answers())
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["updated_on_behalf"] is True


def test_extension_must_lie_in_the_future(round_id: int, staff: Api) -> None:
    r = staff.post(response_url(round_id, action="extension"), {"until": past(hours=1).isoformat()})
    assert r.status_code == 422
    assert "until" in r.get_json()["errors"]
    for typed in ("2031-01-01T10:00", "令和13年1月1日 10時", "２０３１／１／１　１０：００"):
        tokyo = staff.post(response_url(round_id, action="extension"), {"until": typed})
        assert tokyo.status_code == 200, (typed, tokyo.get_json())
        assert tokyo.get_json()["extension_until"] == "2031-01-01T10:00:00+09:00", typed
    for wrong, problem in [
        ("12/25 17:00", "年"),
        ("2031-01-01", "時刻"),
        (20310101, "文字列"),
    ]:
        refused = staff.post(response_url(round_id, action="extension"), {"until": wrong})
        assert refused.status_code == 422, wrong
        assert problem in " ".join(refused.get_json()["errors"]["until"]), wrong


def test_closed_round_refuses_saves_unless_extended(
    app: Flask, round_id: int, chiyoda: Api, staff: Api
) -> None:
    from hub.services.responses import get_round
    from hub.services.rounds import close_round

    with app.app_context(), db.unit_of_work():
        close_round(get_round(round_id), user=None)
    shut = chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=0)
    assert shut.status_code == 409
    assert "締め切" in shut.get_json()["message"]
    staff.post(response_url(round_id, action="extension"), {"until": future(days=1).isoformat()})
    assert chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=0).status_code == 200


def test_upcoming_round_cannot_be_answered_yet(new_round: Callable[..., int], chiyoda: Api) -> None:
    round_id = new_round(opens_at=future(days=1), deadline=future(days=10))
    assert state_of(chiyoda, round_id)["state"] == "not_started"
    r = chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=0)
    assert r.status_code == 409
    assert "開始されていません" in r.get_json()["message"]


def test_every_save_is_a_revision_with_who_and_what(
    app: Flask, round_id: int, chiyoda: Api, staff: Api
) -> None:
    chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=0)
    staff.save(round_id, CHIYODA, {"plan_status": "council_review", "comments": "代理で入力"}, 1)
    staff.submit(round_id, CHIYODA, complete_answers(plan_status="council_review"))
    staff.post(response_url(round_id, action="return"), {"reason": "電話番号を確認してください"})

    r = chiyoda.get(response_url(round_id, action="revisions"))
    assert r.status_code == 200
    revisions = r.get_json()
    assert [v["number"] for v in revisions] == [1, 2, 3, 4, 5]
    assert [v["action"] for v in revisions] == ["save", "save", "save", "submit", "return"]
    first, second = revisions[0], revisions[1]
    assert first["on_behalf"] is False
    assert first["user"].startswith("respondent-131016")
    assert first["changes"] == {"plan_status": [None, "no_plan"]}
    assert second["on_behalf"] is True
    assert second["user"].startswith("staff-")
    assert second["changes"] == {
        "plan_status": ["no_plan", "council_review"],
        "comments": [None, "代理で入力"],
    }
    assert revisions[4]["reason"] == "電話番号を確認してください"
    assert all(v["created_at"] and v["source"] == "api" for v in revisions[:4])

    with app.app_context():
        response = response_of(round_id, CHIYODA)
        stored = db.session.scalars(
            select(Revision).filter_by(response_id=response.id).order_by(Revision.number)
        ).all()
        assert stored[-1].answers == response.answers
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("response.%")).order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == [
        "response.save",
        "response.save",
        "response.save",
        "response.submit",
        "response.return",
    ]
    # writing answers for the municipality is on its behalf; a return is 都's own act (item 5)
    assert [e.on_behalf for e in events] == [False, True, True, True, False]
    assert {e.municipality_code for e in events} == {CHIYODA}
    assert events[1].details["changed"] == ["comments", "plan_status"]


def test_respondent_sees_on_behalf_edits_in_the_response(
    round_id: int, chiyoda: Api, staff: Api
) -> None:
    staff.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=0)
    seen = state_of(chiyoda, round_id)
    assert seen["updated_on_behalf"] is True
    assert seen["updated_by"].startswith("staff-")


def test_stale_version_conflicts_and_the_first_save_survives(
    round_id: int, chiyoda: Api, staff: Api
) -> None:
    first = chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan", "comments": "先"}, 0)
    assert first.status_code == 200
    second = staff.save(round_id, CHIYODA, {"plan_status": "formulated", "comments": "後"}, 0)
    assert second.status_code == 409
    body = second.get_json()
    assert body["current_version"] == 1
    assert body["current_answers"] == {"plan_status": "no_plan", "comments": "先"}
    after = state_of(chiyoda, round_id)
    assert (after["version"], after["answers"]["comments"]) == (1, "先")
    revisions = chiyoda.get(response_url(round_id, action="revisions")).get_json()
    assert len(revisions) == 1


def test_version_from_the_future_also_conflicts(round_id: int, chiyoda: Api) -> None:
    r = chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan"}, version=7)
    assert r.status_code == 409
    assert state_of(chiyoda, round_id)["state"] == "not_started"


def test_saving_a_draft_replaces_the_answers(round_id: int, chiyoda: Api) -> None:
    chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan", "comments": "消す"}, 0)
    r = chiyoda.save(round_id, CHIYODA, {"plan_status": "no_plan", "comments": ""}, 1)
    assert r.get_json()["answers"] == {"plan_status": "no_plan"}
    revisions = chiyoda.get(response_url(round_id, action="revisions")).get_json()
    assert revisions[-1]["changes"] == {"comments": ["消す", None]}


def test_submit_drops_answers_to_hidden_questions(round_id: int, chiyoda: Api) -> None:
    answers = complete_answers(
        plan_name="書きかけの名称", plan_integrated_with=["regional_welfare"]
    )
    r = chiyoda.submit(round_id, CHIYODA, answers)
    assert r.status_code == 200
    kept = r.get_json()["answers"]
    assert "plan_name" not in kept
    assert "plan_integrated_with" not in kept
