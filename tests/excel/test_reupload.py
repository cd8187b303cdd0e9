"""Uploading the same template again (issue 14, item 16): an upload that changes nothing changes
nothing (no new version); a file whose base version came from the same clerk's own earlier upload
of a template is not stale; someone else's save in between still is — another clerk's upload of
the same template too."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Api, complete_answers
from tests.excel.conftest import CHIYODA, answers_of, download, fill, post_file

FIRST = {"plan_status": "⑥現時点で策定予定なし", "lead_department": "保健福祉部　福祉総務課"}


def test_the_same_file_twice_changes_nothing_the_second_time(round_id, chiyoda: Api):
    filled = fill(download(chiyoda, round_id, CHIYODA), FIRST)
    first = post_file(chiyoda, round_id, CHIYODA, filled)
    assert first.status_code == 200, first.get_json()
    version = first.get_json()["version"]
    again = post_file(chiyoda, round_id, CHIYODA, filled)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["version"] == version
    assert again.get_json()["changed"] == []
    revisions = chiyoda.get(f"/rounds/{round_id}/responses/{CHIYODA}/revisions").get_json()
    assert len(revisions) == version


def test_one_more_edit_of_the_uploaded_file_is_not_stale(round_id, chiyoda: Api):
    template = download(chiyoda, round_id, CHIYODA)
    assert post_file(chiyoda, round_id, CHIYODA, fill(template, FIRST)).status_code == 200
    edited = fill(template, {**FIRST, "contact_name": "都庁　太郎"})
    second = post_file(chiyoda, round_id, CHIYODA, edited)
    assert second.status_code == 200, second.get_json()
    assert second.get_json()["changed"] == ["contact_name"]
    third = post_file(chiyoda, round_id, CHIYODA, fill(edited, {"contact_phone": "03-5321-1111"}))
    assert third.status_code == 200, third.get_json()
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"]["contact_name"] == "都庁　太郎"


def test_a_save_by_someone_else_in_between_is_still_a_conflict(round_id, chiyoda: Api, staff: Api):
    template = download(chiyoda, round_id, CHIYODA)
    assert post_file(chiyoda, round_id, CHIYODA, fill(template, FIRST)).status_code == 200
    assert staff.save(round_id, CHIYODA, complete_answers()).status_code == 200
    refused = post_file(chiyoda, round_id, CHIYODA, fill(template, {"contact_name": "別の人"}))
    assert refused.status_code == 409
    assert "ダウンロードし直して" in refused.get_json()["message"]


def test_another_clerks_upload_of_the_same_template_in_between_is_a_conflict(
    round_id, chiyoda: Api, api_as: Callable[..., Api]
):
    colleague = api_as("respondent", municipality=CHIYODA)
    template = download(chiyoda, round_id, CHIYODA)
    assert post_file(chiyoda, round_id, CHIYODA, fill(template, FIRST)).status_code == 200
    theirs = fill(template, {"contact_name": "同僚　次郎"})
    refused = post_file(colleague, round_id, CHIYODA, theirs)
    assert refused.status_code == 409, "it would silently undo the first clerk's answers"
    assert "ダウンロードし直して" in refused.get_json()["message"]
    assert answers_of(chiyoda, round_id, CHIYODA)["answers"]["plan_status"] == "no_plan"
    fresh = fill(download(colleague, round_id, CHIYODA), {"contact_name": "同僚　次郎"})
    assert post_file(colleague, round_id, CHIYODA, fresh).status_code == 200
