from tests.conftest import complete_answers, make_round


def test_staff_saves_and_submits(app, ctx, api_as):
    staff = api_as("staff")
    round_id = make_round().id
    r = staff.get(f"/rounds/{round_id}/responses/131016")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["state"] == "not_started"
    r = staff.save(round_id, "131016", {"plan_status": "no_plan", "cooperating_employers": "１２"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["answers"]["cooperating_employers"] == 12
    r = staff.submit(round_id, "131016", complete_answers())
    assert r.status_code == 200, r.get_json()
    s = staff.get(f"/rounds/{round_id}/summary").get_json()
    assert s["plan_status"]["no_plan"] == 1
