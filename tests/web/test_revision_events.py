"""Each revision says what happened — saved by the municipality, entered on its behalf, uploaded
from Excel, returned, accepted — and the pages say exactly that (issue 14, item 5): a return is
not 代理入力."""

from __future__ import annotations

from hub.db import db
from hub.services import excel, responses
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.web.conftest import page, text_of

CHIYODA = "131016"


def _status_updated(answer) -> str:
    row = page(answer).xpath("//dt[normalize-space()='最終更新']/following-sibling::dd")[0]
    return " ".join(row.text_content().split())


def test_a_return_reads_as_a_return_not_as_proxy_entry(app, web):
    clerk = web("respondent", municipality=CHIYODA)
    staff = web("staff")
    with app.app_context():
        round_id = make_round().id
        response = response_of(round_id, CHIYODA)
        clerk_user = db.session.get(type(clerk.user), clerk.user.id)
        responses.submit(response, raw_answers=complete_answers(), user=clerk_user)
        db.session.commit()
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get(url)
    assert staff.post(f"{url}/return", {"reason": "電話番号を直通に。"}).status_code == 302

    form = clerk.get(f"/respond/rounds/{round_id}/{CHIYODA}")
    updated = _status_updated(form)
    assert "東京都が差し戻し" in updated
    assert "代理入力" not in text_of(form)
    history = text_of(clerk.get(f"/respond/rounds/{round_id}/{CHIYODA}/history"))
    assert "代理入力" not in history
    assert "東京都が差し戻し" in history
    assert "提出" in history

    with app.app_context():
        latest = response_of(round_id, CHIYODA).latest_revision
        assert latest is not None
        assert (latest.action, latest.on_behalf, latest.event) == ("return", False, "returned")


def test_each_kind_of_change_is_named(app, web):
    staff = web("staff")
    with app.app_context():
        round_id = make_round().id
        clerk = make_user(role="respondent", municipality=CHIYODA)
        staff_user = make_user(role="staff")
        response = response_of(round_id, CHIYODA)
        responses.save_draft(response, {"plan_status": "no_plan"}, version=0, user=clerk)
        excel.save_upload(
            response, complete_answers(), version=response.version, user=clerk, cells={}
        )
        responses.save_draft(
            response, complete_answers(), version=response.version, user=staff_user
        )
        responses.submit(response, user=staff_user)
        responses.accept(response, user=staff_user)
        db.session.commit()
        events = [r.event for r in responses.revisions(response)]
    assert events == [
        "saved",
        "uploaded",
        "saved_on_behalf",
        "submitted_on_behalf",
        "accepted",
    ]
    shown = text_of(staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}"))
    for words in (
        "Excelから取り込み",
        "東京都が代理入力（一時保存）",
        "東京都が代理入力（提出）",
        "東京都が受理",
    ):
        assert words in shown
    board = text_of(staff.get(f"/staff/rounds/{round_id}"))
    assert "東京都が受理" in board


def test_the_api_names_the_event(app, api_as):
    staff = api_as("staff")
    with app.app_context():
        round_id = make_round().id
    staff.save(round_id, CHIYODA, {"plan_status": "no_plan"})
    revisions = staff.get(f"/rounds/{round_id}/responses/{CHIYODA}/revisions").get_json()
    assert [r["event"] for r in revisions] == ["saved_on_behalf"]


def _history_tags(answer) -> list[str]:
    """The history's event tags, oldest first (the page lists the newest first)."""
    tags = page(answer).xpath("//li[@class='history__item']//span[contains(@class, 'tag')]")
    return [" ".join(tag.text_content().split()) for tag in reversed(tags)]


def test_a_submit_after_a_return_reads_as_resubmitted(app, web, api_as):
    """The history says 再提出 where a submit follows a return (saves between or not), on the
    municipality's history and staff's response page; the API's ``event`` and the audit log keep
    saying a submit."""
    clerk = web("respondent", municipality=CHIYODA)
    staff = web("staff")
    with app.app_context():
        round_id = make_round().id
        response = response_of(round_id, CHIYODA)
        clerk_user = db.session.get(type(clerk.user), clerk.user.id)
        staff_user = db.session.get(type(staff.user), staff.user.id)
        responses.submit(response, raw_answers=complete_answers(), user=clerk_user)
        responses.return_response(response, "電話番号を直通に。", user=staff_user)
        responses.save_draft(
            response,
            complete_answers(contact_phone="03-5321-1112"),
            version=response.version,
            user=clerk_user,
        )
        responses.submit(response, user=clerk_user)
        responses.return_response(response, "部署名を正式名称で。", user=staff_user)
        responses.submit(
            response, raw_answers=complete_answers(lead_department="福祉局"), user=staff_user
        )
        db.session.commit()

    tags = _history_tags(clerk.get(f"/respond/rounds/{round_id}/{CHIYODA}/history"))
    assert tags == [
        "提出",
        "東京都が差し戻し",
        "一時保存",
        "再提出",
        "東京都が差し戻し",
        "東京都が代理入力（再提出）",
    ]
    staff_page = staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}")
    assert _history_tags(staff_page) == tags
    chosen = page(staff_page).xpath("//select[@name='to']/option[@selected]")[0]
    assert "東京都が代理入力（再提出）" in chosen.text_content()

    clerk.get("/language/en")
    english = _history_tags(clerk.get(f"/respond/rounds/{round_id}/{CHIYODA}/history"))
    assert english[3] == "Resubmitted"
    assert english[5] == "Resubmitted on the municipality's behalf"
    revisions = api_as("staff").get(f"/rounds/{round_id}/responses/{CHIYODA}/revisions")
    assert [r["event"] for r in revisions.get_json()] == [
        "submitted",
        "returned",
        "saved",
        "submitted",
        "returned",
        "submitted_on_behalf",
    ]
    staff.get("/language/ja")
    audit_page = staff.get("/audit/")
    actions = [
        " ".join(cell.text_content().split())
        for cell in page(audit_page).xpath("//table//tbody/tr/td[2]")
    ]
    assert actions.count("回答の提出") == 2
    assert actions.count("回答の提出 代理入力") == 1
    assert "再提出" not in text_of(audit_page)


def _board_cell(answer, code: str) -> str:
    """The board's 最終更新 cell (the row's last-change column) of one municipality."""
    row = page(answer).xpath(f"//tr[.//text()[contains(., '{code}')]]")[0]
    cells = row.xpath("./td")
    updated = next(c for c in cells if c.xpath(".//span[@class='nowrap']"))
    return " ".join(updated.text_content().split())


def test_the_last_change_says_resubmitted_on_the_response_and_the_board(app, web):
    """最終更新 on the response's page and the board's last-change column read 再提出 when the
    latest submit followed a return — as the history says it —, and 東京都が代理入力（再提出）
    when staff submitted it on the municipality's behalf; a first submit stays 提出."""
    clerk = web("respondent", municipality=CHIYODA)
    staff = web("staff")
    minato = "131032"
    with app.app_context():
        round_id = make_round().id
        clerk_user = db.session.get(type(clerk.user), clerk.user.id)
        staff_user = db.session.get(type(staff.user), staff.user.id)
        response = response_of(round_id, CHIYODA)
        responses.submit(response, raw_answers=complete_answers(), user=clerk_user)
        responses.return_response(response, "電話番号を直通に。", user=staff_user)
        responses.save_draft(
            response, complete_answers(), version=response.version, user=clerk_user
        )
        responses.submit(response, user=clerk_user)
        other = response_of(round_id, minato)
        responses.submit(other, raw_answers=complete_answers(), user=staff_user)
        db.session.commit()

    own = f"/respond/rounds/{round_id}/{CHIYODA}"
    staff_url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    assert "再提出" in _status_updated(clerk.get(own, follow_redirects=True))
    assert "再提出" in _status_updated(staff.get(staff_url))
    board = staff.get(f"/staff/rounds/{round_id}")
    assert "再提出" in _board_cell(board, CHIYODA)
    assert "再提出" not in _board_cell(board, minato)
    assert "東京都が代理入力（提出）" in _board_cell(board, minato)

    clerk.get("/language/en")
    staff.get("/language/en")
    assert "Resubmitted" in _status_updated_en(clerk.get(own, follow_redirects=True))
    assert "Resubmitted" in _board_cell(staff.get(f"/staff/rounds/{round_id}"), CHIYODA)

    with app.app_context():
        response = response_of(round_id, minato)
        staff_user = db.session.get(type(staff.user), staff.user.id)
        responses.return_response(response, "部署名を正式名称で。", user=staff_user)
        responses.submit(response, raw_answers=complete_answers(), user=staff_user)
        db.session.commit()
    english_board = staff.get(f"/staff/rounds/{round_id}")
    assert "Resubmitted on the municipality's behalf" in _board_cell(english_board, minato)
    staff.get("/language/ja")
    on_behalf = staff.get(f"/staff/rounds/{round_id}/responses/{minato}")
    assert "東京都が代理入力（再提出）" in _status_updated(on_behalf)
    assert "東京都が代理入力（再提出）" in _board_cell(
        staff.get(f"/staff/rounds/{round_id}"), minato
    )

    with app.app_context():  # the revision's own event, which the API reads, is still a submit
        latest = response_of(round_id, minato).latest_revision
        assert latest is not None
        assert latest.event == "submitted_on_behalf"


def _status_updated_en(answer) -> str:
    row = page(answer).xpath("//dt[normalize-space()='Last updated']/following-sibling::dd")[0]
    return " ".join(row.text_content().split())


def test_the_board_reads_resubmissions_in_the_same_statements_for_any_number_of_rows(app):
    """The board's 再提出 comes from a subquery of its one query: resubmitting more responses
    sends no more statements (1,741 rows must not mean 1,741 queries)."""
    from hub.db import counting_statements
    from hub.models import Round
    from hub.services import progress

    with app.app_context():
        round_id = make_round().id
        staff_user = make_user(role="staff")
        codes = ["131016", "131024", "131032", "131041"]

        def resubmit(code: str) -> None:
            response = response_of(round_id, code)
            responses.submit(response, raw_answers=complete_answers(), user=staff_user)
            responses.return_response(response, "確認してください。", user=staff_user)
            responses.submit(response, user=staff_user)

        def board_statements() -> tuple[list[str], int]:
            db.session.expire_all()
            round_ = db.session.get(Round, round_id)
            assert round_ is not None
            with counting_statements() as log:
                rows = progress.board_page(round_, None).items
            events = [r.event for r in rows if r.code in codes]
            return events, len(log)

        resubmit(codes[0])
        db.session.commit()
        events, one = board_statements()
        assert events == ["resubmitted_on_behalf", None, None, None]
        for code in codes[1:]:
            resubmit(code)
        db.session.commit()
        events, four = board_statements()
        assert events == ["resubmitted_on_behalf"] * 4
        assert four == one
