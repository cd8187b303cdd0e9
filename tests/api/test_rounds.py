"""Rounds through the API: listing, several open at once, prefill, and truly concurrent saves."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

from flask import Flask

from hub.db import db
from hub.models import Round
from hub.services.responses import get_response, revisions
from tests.api.conftest import CHIYODA, CHUO, past, response_url
from tests.conftest import Api, complete_answers, make_round


def test_round_list_has_the_interface_fields(new_round: Callable[..., int], staff: Api) -> None:
    round_id = new_round(reference_date=date(2021, 4, 1))
    r = staff.get("/rounds")
    assert r.status_code == 200
    (listed,) = r.get_json()
    assert {"id", "survey", "reference_date", "deadline", "state"} <= set(listed)
    assert (listed["id"], listed["survey"], listed["reference_date"], listed["state"]) == (
        round_id,
        "torikumi",
        "2021-04-01",
        "open",
    )
    assert "令和3年4月1日現在" in listed["title"]
    one = staff.get(f"/rounds/{round_id}")
    assert one.status_code == 200
    assert one.get_json()["id"] == round_id


def test_several_rounds_of_one_questionnaire_open_at_once(
    new_round: Callable[..., int], chiyoda: Api
) -> None:
    this_year = new_round(reference_date=date(2021, 4, 1))
    late_round = new_round(reference_date=date(2020, 4, 1))
    rounds = chiyoda.get("/rounds").get_json()
    assert [(r["id"], r["state"]) for r in rounds] == [(this_year, "open"), (late_round, "open")]

    chiyoda.save(this_year, CHIYODA, {"plan_status": "council_review"}, version=0)
    chiyoda.save(late_round, CHIYODA, {"plan_status": "no_plan"}, version=0)
    assert chiyoda.submit(late_round, CHIYODA, complete_answers()).status_code == 200
    now = chiyoda.get(response_url(this_year)).get_json()
    then = chiyoda.get(response_url(late_round)).get_json()
    assert (now["state"], now["answers"]["plan_status"]) == ("draft", "council_review")
    assert (then["state"], then["answers"]["plan_status"]) == ("submitted", "no_plan")


def test_round_has_every_municipality(round_id: int, staff: Api) -> None:
    rows = staff.get(f"/rounds/{round_id}/responses").get_json()
    assert len(rows) == 62
    assert {row["state"] for row in rows} == {"not_started"}
    assert {row["region"] for row in rows} == {"区部", "市部", "町村部"}


def test_previous_rounds_accepted_answers_prefill_the_new_round(
    new_round: Callable[..., int], staff: Api
) -> None:
    first = new_round(reference_date=date(2021, 4, 1))
    accepted = complete_answers(
        plan_status="internal_planning",
        programs=["shamei_campaign", "other"],
        programs_other="更生保護女性会との共催",
        cooperating_employers=12,
    )
    staff.submit(first, CHIYODA, accepted)
    staff.post(response_url(first, action="accept"))
    staff.submit(first, CHUO, complete_answers(plan_status="council_review"))  # not accepted
    staff.save(first, "131032", {"plan_status": "no_plan"})  # a draft only

    second = new_round(reference_date=date(2022, 4, 1))
    pre = staff.get(response_url(second)).get_json()
    assert (pre["state"], pre["version"]) == ("not_started", 0)
    assert pre["answers"] == staff.get(response_url(first)).get_json()["answers"]
    assert pre["answers"]["programs"] == ["shamei_campaign", "other"]
    for code in (CHUO, "131032"):
        other = staff.get(response_url(second, code)).get_json()
        assert (other["state"], other["answers"]) == ("not_started", {})

    summary = staff.get(f"/rounds/{second}/summary").get_json()
    assert summary["responded"] == 0
    assert summary["plan_status"]["internal_planning"] == 0

    edited = staff.save(second, CHIYODA, {**pre["answers"], "cooperating_employers": "１５"}, 0)
    assert edited.status_code == 200
    assert edited.get_json()["answers"]["cooperating_employers"] == 15
    assert staff.get(response_url(first)).get_json()["answers"]["cooperating_employers"] == 12


def test_prefill_takes_the_latest_earlier_round_only(
    new_round: Callable[..., int], staff: Api
) -> None:
    older = new_round(reference_date=date(2019, 4, 1))
    staff.submit(older, CHIYODA, complete_answers(plan_status="no_plan"))
    staff.post(response_url(older, action="accept"))
    newer = new_round(reference_date=date(2020, 4, 1))
    staff.submit(newer, CHIYODA, complete_answers(plan_status="council_review"))
    staff.post(response_url(newer, action="accept"))
    latest = new_round(reference_date=date(2021, 4, 1))
    answers = staff.get(response_url(latest)).get_json()["answers"]
    assert answers["plan_status"] == "council_review"


def test_a_municipality_that_skipped_the_last_round_gets_its_answers_from_the_one_before(
    new_round: Callable[..., int], staff: Api
) -> None:
    older = new_round(reference_date=date(2019, 4, 1))
    staff.submit(older, CHIYODA, complete_answers(plan_status="internal_feasibility"))
    staff.post(response_url(older, action="accept"))
    skipped = new_round(reference_date=date(2020, 4, 1))
    staff.save(skipped, CHIYODA, {"plan_status": "no_plan"})  # a draft, never accepted
    latest = new_round(reference_date=date(2021, 4, 1))
    answers = staff.get(response_url(latest)).get_json()["answers"]
    assert answers["plan_status"] == "internal_feasibility"


def race(app: Flask, path: str, version: int, savers: dict[str, Api]) -> dict[str, int]:
    """Every saver PUTs ``version`` at the same moment from its own thread; status by name."""
    barrier = threading.Barrier(len(savers))
    results: dict[str, int] = {}

    def save(name: str, api: Api) -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        r = client.put(
            f"/api/v1{path}",
            json={"answers": {"plan_status": "no_plan", "comments": name}, "version": version},
            headers=api.headers(),
        )
        results[name] = r.status_code

    threads = [threading.Thread(target=save, args=item) for item in savers.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_simultaneous_saves_of_one_version_exactly_one_wins(
    app: Flask, round_id: int, api_as: Callable[..., Api], chiyoda: Api, staff: Api
) -> None:
    colleague = api_as("respondent", municipality=CHIYODA)
    for version in range(3):
        savers = {f"一人目{version}": chiyoda, f"二人目{version}": colleague}
        if version == 2:
            savers[f"都職員{version}"] = staff
        results = race(app, response_url(round_id), version, savers)
        assert sorted(results.values()) == [200] + [409] * (len(savers) - 1), results
        winner = next(name for name, status in results.items() if status == 200)
        with app.app_context():
            response = get_response(round_id, CHIYODA)
            assert (response.version, response.answers["comments"]) == (version + 1, winner)
            history = revisions(response)
            assert [r.number for r in history] == list(range(1, version + 2))
            assert history[-1].answers["comments"] == winner
            db.session.rollback()


def test_round_list_is_readable_by_counterparts_but_not_admins(
    round_id: int, api_as: Callable[..., Api]
) -> None:
    assert api_as("counterpart", recipient="moj").get("/rounds").status_code == 200
    assert api_as("admin").get("/rounds").status_code == 403


def test_deadline_shown_per_municipality_with_extension(
    new_round: Callable[..., int], staff: Api
) -> None:
    round_id = new_round(opens_at=past(days=3), deadline=past(hours=2))
    until = "2099-01-31T17:00:00+09:00"
    staff.post(response_url(round_id, action="extension"), {"until": until})
    extended = staff.get(response_url(round_id)).get_json()
    plain = staff.get(response_url(round_id, CHUO)).get_json()
    assert extended["deadline"].startswith("2099-01-31T08:00:00")
    assert plain["deadline"] != extended["deadline"]


def test_the_list_shows_each_municipalitys_state_version_and_last_editor(
    round_id: int, staff: Api
) -> None:
    assert staff.save(round_id, CHIYODA, {"plan_status": "no_plan"}).status_code == 200
    rows = {
        row["municipality"]: row for row in staff.get(f"/rounds/{round_id}/responses").get_json()
    }
    mine = rows[CHIYODA]
    assert (mine["municipality_name"], mine["state"], mine["version"]) == ("千代田区", "draft", 1)
    assert mine["updated_by"].endswith("@example.jp")
    assert (rows["131024"]["state"], rows["131024"]["version"], rows["131024"]["updated_by"]) == (
        "not_started",
        0,
        None,
    )


def test_staff_open_a_round_as_the_page_does(staff: Api, chiyoda: Api) -> None:
    """Dates as staff type them, only the municipalities named; 201 with the round."""
    opened = staff.post(
        "/rounds",
        {
            "survey": "torikumi",
            "reference_date": "令和3年4月1日",
            "deadline": "2099-05-31T17:00",
            "title": "区部と八王子市の調査",
            "municipalities": ["区部", "八王子市"],
        },
    )
    assert opened.status_code == 201, opened.get_json()
    body = opened.get_json()
    assert (body["survey"], body["reference_date"], body["title"], body["state"]) == (
        "torikumi",
        "2021-04-01",
        "区部と八王子市の調査",
        "open",
    )
    assert datetime.fromisoformat(body["deadline"]) == datetime(2099, 5, 31, 8, tzinfo=UTC)
    listed = staff.get(f"/rounds/{body['id']}/responses").get_json()
    assert len(listed) == 24
    assert chiyoda.get(f"/rounds/{body['id']}/responses/{CHIYODA}").status_code == 200


def test_the_request_to_answer_is_asked_for_by_invite_and_off_without_it(
    app: Flask, staff: Api
) -> None:
    typed = {"survey": "torikumi", "reference_date": "2021-04-01", "deadline": "2099-05-31T17:00"}
    plain = staff.post("/rounds", typed).get_json()["id"]
    invited = staff.post("/rounds", {**typed, "invite": True}).get_json()["id"]
    with app.app_context():
        assert [db.session.get(Round, r).invite for r in (plain, invited)] == [False, True]


def test_opening_a_round_names_every_problem_and_opens_nothing(staff: Api, chiyoda: Api) -> None:
    refused = staff.post(
        "/rounds",
        {
            "survey": "nosuch",
            "reference_date": "令和1年4月30日",
            "deadline": "2099-05-31",
            "municipalities": ["八王子"],
        },
    )
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert set(errors) == {"survey", "reference_date", "deadline", "municipalities"}
    assert "nosuch" in errors["survey"][0]
    assert "八王子" in errors["municipalities"][0]
    missing = staff.post("/rounds", {"survey": "torikumi"})
    assert missing.status_code == 422
    assert {"reference_date", "deadline"} <= set(missing.get_json()["errors"])
    assert (
        chiyoda.post(
            "/rounds",
            {"survey": "torikumi", "reference_date": "2021-04-01", "deadline": "2099-05-31T17:00"},
        ).status_code
        == 403
    )
    assert staff.get("/rounds").get_json() == []


def test_a_respondent_lists_only_the_rounds_that_ask_its_municipality(app, api_as):
    """A round opened for other municipalities is none of a clerk's business: its title and
    dates are not listed to them; staff and counterparts list every round."""
    with app.app_context():
        everyone = make_round().id
        others = make_round(municipalities=["132012"]).id
    clerk = api_as("respondent", municipality="131016")
    assert [r["id"] for r in clerk.get("/rounds").get_json()] == [everyone]
    assert clerk.get(f"/rounds/{everyone}").status_code == 200
    assert clerk.get(f"/rounds/{others}").status_code == 404, "as if it did not exist"
    hachioji = api_as("respondent", municipality="132012")
    assert {r["id"] for r in hachioji.get("/rounds").get_json()} == {everyone, others}
    for role, extra in (("staff", {}), ("counterpart", {"recipient": "moj"})):
        listed = {r["id"] for r in api_as(role, **extra).get("/rounds").get_json()}
        assert listed == {everyone, others}, role
