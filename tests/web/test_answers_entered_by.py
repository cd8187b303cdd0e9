"""最終入力者: the workbook's 提出状況, the progress board and the API name whoever last entered or
changed the answers — a save, a submit, 代理入力, an Excel upload —, not 都 staff who accepted or
returned them since (PRODUCT.md §7: municipal and 都 staff read it to know whom to call)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import openpyxl

from hub.db import db
from hub.models import User
from hub.services.users import create_token
from tests.conftest import Api, complete_answers, make_round, make_user, response_of
from tests.excel.conftest import download, fill, post_file
from tests.web.conftest import Web, page, text_of
from tests.web.test_questionnaire import fill as fill_form

CHIYODA = "131016"
CLERK = "千代田　花子"  # 全角スペース kept as typed
CLERK_ORG = "千代田区 保健福祉部"
STAFF = "都庁　一郎"
STAFF_ORG = "東京都 福祉局"
UPLOADER = '=HYPERLINK("x")'  # a name that looks like a formula is written as text


def named(web: Web, app, name: str, organisation: str) -> str:
    """Give ``web``'s account a name and organisation; how pages name it."""
    with app.app_context():
        user = db.session.get(User, web.user.id)
        assert user is not None
        user.display_name, user.organisation = name, organisation
        db.session.commit()
        return user.label


def status_cells(workbook: bytes, code: str) -> dict[str, Any]:
    """The 提出状況 cells of ``code``, by header."""
    sheet = openpyxl.load_workbook(io.BytesIO(workbook))["提出状況"]
    rows = list(sheet.iter_rows())
    header = next(i for i, row in enumerate(rows) if row[0].value == "団体コード")
    found = next(row for row in rows[header + 1 :] if row[0].value == code)
    return {head.value: cell for head, cell in zip(rows[header], found, strict=False)}


def status_row(workbook: bytes, code: str) -> dict[str, Any]:
    """The 提出状況 values of ``code``, by header."""
    return {head: cell.value for head, cell in status_cells(workbook, code).items()}


def staff_workbook(staff: Web, round_id: int) -> bytes:
    board = staff.get(f"/staff/rounds/{round_id}")
    [link] = {a for a in page(board).xpath("//a/@href") if "workbook" in a}
    got = staff.get(link)
    assert got.status_code == 200
    return bytes(got.data)


def squeezed(text: str) -> str:
    """The markup's white space as one space; a 全角 space in a name stays."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def board_cells(staff: Web, round_id: int, code: str) -> tuple[str, str]:
    """The board's 最終更新 and 最終入力者 cells of ``code``."""
    shown = page(staff.get(f"/staff/rounds/{round_id}"))
    row = shown.xpath(f"//tr[@data-municipality='{code}']")[0]
    heads = [squeezed(th.text_content()) for th in row.xpath("ancestor::table//thead//th")]
    cells = [squeezed(c.text_content()) for c in row.xpath("./th|./td")]
    return cells[heads.index("最終更新")], cells[heads.index("最終入力者")]


def test_an_acceptance_leaves_the_respondent_named_as_the_one_who_entered(app, web, api_as):
    clerk, staff = web("respondent", municipality=CHIYODA), web("staff")
    clerk_label = named(clerk, app, CLERK, CLERK_ORG)
    staff_label = named(staff, app, STAFF, STAFF_ORG)
    with app.app_context():
        round_id = make_round().id
    url = f"/respond/rounds/{round_id}/{CHIYODA}"
    typed = complete_answers(cooperating_employers="１２", plan_status="formulated")
    typed |= {"plan_name": "=SUM(A1)", "plan_date": "令和元年5月1日"}
    assert fill_form(clerk, url, typed).status_code == 302
    with app.app_context():
        saved_at = response_of(round_id, CHIYODA).updated_at
    # saved again and submitted as they stand: the answers were entered when they were saved
    to_confirm = fill_form(clerk, url, typed, action="submit")
    assert to_confirm.status_code == 302
    version = page(clerk.get(to_confirm.headers["Location"])).xpath("//input[@name='version']")
    assert clerk.post(f"{url}/submit", {"version": version[0].get("value")}).status_code == 302

    review = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get(review)
    assert staff.post(f"{review}/accept").status_code == 302

    row = status_row(staff_workbook(staff, round_id), CHIYODA)
    assert row["状態"] == "受理済み"
    assert row["最終入力者"] == clerk_label
    assert row["最終入力日時"] is not None
    assert row["代理入力"] in (None, "")
    assert "最終更新者" not in row
    updated, entered = board_cells(staff, round_id, CHIYODA)
    assert staff_label in updated, "the last act, named as such"
    assert "東京都が受理" in updated
    assert clerk_label in entered
    assert staff_label not in entered

    reader = api_as("staff")
    [listed] = [
        r
        for r in reader.get(f"/rounds/{round_id}/responses").get_json()
        if r["municipality"] == CHIYODA
    ]
    assert listed["updated_by"] == staff_label, "updated_by keeps its meaning: any change"
    assert listed["answers_updated_by"] == clerk_label
    one = reader.get(f"/rounds/{round_id}/responses/{CHIYODA}").get_json()
    assert (one["updated_by"], one["answers_updated_by"]) == (staff_label, clerk_label)
    assert one["answers_updated_at"] == listed["answers_updated_at"]
    entered_at = datetime.fromisoformat(one["answers_updated_at"])
    assert entered_at == saved_at.replace(tzinfo=saved_at.tzinfo or UTC)

    staff.get(review)
    assert staff.post(f"{review}/unaccept").status_code == 302
    staff.get(review)
    assert staff.post(f"{review}/return", {"reason": "電話番号を直通に。"}).status_code == 302
    assert status_row(staff_workbook(staff, round_id), CHIYODA)["最終入力者"] == clerk_label
    assert clerk_label in board_cells(staff, round_id, CHIYODA)[1]


def test_proxy_entry_names_staff_and_an_upload_the_uploader(app, web, api_as: Callable[..., Api]):
    staff = web("staff")
    staff_label = named(staff, app, STAFF, STAFF_ORG)
    with app.app_context():
        round_id = make_round().id
        other = make_user(role="respondent", municipality=CHIYODA)
        other.display_name, other.organisation = UPLOADER, CLERK_ORG
        db.session.commit()
        uploader_label = other.label
    edit = f"/staff/rounds/{round_id}/responses/{CHIYODA}/edit"
    assert fill_form(staff, edit, complete_answers()).status_code == 302

    row = status_row(staff_workbook(staff, round_id), CHIYODA)
    assert (row["最終入力者"], row["代理入力"]) == (staff_label, "○")
    assert staff_label in board_cells(staff, round_id, CHIYODA)[1]

    # the uploader: a clerk of the municipality with a token of their own
    with app.app_context():
        token = create_token(db.session.get(User, other.id))
        db.session.commit()
    clerk_api = Api(api_as("staff").client, token)
    xlsx = fill(download(clerk_api, round_id, CHIYODA), {"comments": "Ｅｘｃｅｌから"})
    uploaded = post_file(clerk_api, round_id, CHIYODA, xlsx)
    assert uploaded.status_code == 200, uploaded.get_json()
    assert uploaded.get_json()["answers_updated_by"] == uploader_label

    assert clerk_api.submit(round_id, CHIYODA).status_code == 200
    review = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get(review)
    assert staff.post(f"{review}/accept").status_code == 302
    cells = status_cells(staff_workbook(staff, round_id), CHIYODA)
    row = {head: cell.value for head, cell in cells.items()}
    assert row["最終入力者"] == uploader_label
    assert cells["最終入力者"].data_type == "s", "written as text, not as a formula"
    assert row["代理入力"] in (None, "")
    assert uploader_label in board_cells(staff, round_id, CHIYODA)[1]
    assert "Traceback" not in text_of(staff.get(f"/staff/rounds/{round_id}"))


def test_staff_submitting_a_draft_unchanged_leave_the_clerk_named(app, web, api_as):
    """代理入力 of a submit only: 都 staff who submit (or save) a municipality's draft without
    changing an answer are not the ones who entered it; a change of one answer makes them so."""
    clerk, staff = web("respondent", municipality=CHIYODA), web("staff")
    clerk_label = named(clerk, app, CLERK, CLERK_ORG)
    staff_label = named(staff, app, STAFF, STAFF_ORG)
    with app.app_context():
        round_id = make_round().id
    url = f"/respond/rounds/{round_id}/{CHIYODA}"
    assert fill_form(clerk, url, complete_answers()).status_code == 302
    with app.app_context():
        entered_at = response_of(round_id, CHIYODA).updated_at

    # the API's submit (the burst path, a record not an ORM object) with no answers sent
    reader = api_as("staff")
    submitted = reader.submit(round_id, CHIYODA)
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["answers_updated_by"] == clerk_label
    one = reader.get(f"/rounds/{round_id}/responses/{CHIYODA}").get_json()
    assert one["updated_on_behalf"] is True
    assert one["answers_updated_by"] == clerk_label
    assert datetime.fromisoformat(one["answers_updated_at"]) == entered_at.replace(
        tzinfo=entered_at.tzinfo or UTC
    )
    row = status_row(staff_workbook(staff, round_id), CHIYODA)
    assert (row["最終入力者"], row["代理入力"] in (None, "")) == (clerk_label, True)
    assert clerk_label in board_cells(staff, round_id, CHIYODA)[1]

    # returned, then saved and submitted on the page by staff as it stands
    review = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get(review)
    assert staff.post(f"{review}/return", {"reason": "確認のため"}).status_code == 302
    edit = f"{review}/edit"
    to_confirm = fill_form(staff, edit, {}, action="submit")
    assert to_confirm.status_code == 302
    version = page(staff.get(to_confirm.headers["Location"])).xpath("//input[@name='version']")
    assert staff.post(f"{edit}/submit", {"version": version[0].get("value")}).status_code == 302
    with app.app_context():
        assert response_of(round_id, CHIYODA).state == "submitted"
    assert status_row(staff_workbook(staff, round_id), CHIYODA)["最終入力者"] == clerk_label
    _, entered = board_cells(staff, round_id, CHIYODA)
    assert clerk_label in entered
    assert staff_label not in entered

    # one answer changed by staff: now theirs, 代理入力
    staff.get(review)
    assert staff.post(f"{review}/return", {"reason": "直します"}).status_code == 302
    assert fill_form(staff, edit, {"comments": "都が補記"}).status_code == 302
    row = status_row(staff_workbook(staff, round_id), CHIYODA)
    assert (row["最終入力者"], row["代理入力"]) == (staff_label, "○")
    assert (
        reader.get(f"/rounds/{round_id}/responses/{CHIYODA}").get_json()["answers_updated_by"]
        == staff_label
    )
