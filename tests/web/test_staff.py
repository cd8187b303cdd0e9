"""Staff pages: rounds with progress, opening a round, the progress board and its filters, one
response with history and diff, return / accept / extension, and 代理入力."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from forms import tokyo
from forms.normalize import to_wareki
from hub.db import db, utcnow
from hub.models import AuditEvent, Response, ResponseState, Revision, Round
from hub.services import municipalities, responses
from tests.conftest import (
    add_hiroshima_fuchu,
    complete_answers,
    make_round,
    make_user,
    response_of,
)
from tests.web.conftest import Web, field_values, page, text_of, textarea_value

CHIYODA, HACHIOJI, OKUTAMA = "131016", "132012", "133086"


@pytest.fixture
def staff(web) -> Web:
    return web("staff")


def submitted(app, round_id: int, code: str, **answers) -> None:
    with app.app_context():
        response = response_of(round_id, code)
        user = make_user(role="respondent", municipality=code)
        responses.submit(response, raw_answers=complete_answers(**answers), user=user)
        db.session.commit()


def test_rounds_list_shows_progress(staff, app):
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    doc = page(staff.get("/staff/"))
    row = doc.xpath(f"//a[@href='/staff/rounds/{round_id}']/ancestor::tr")[0]
    assert "1/62" in row.text_content()


def test_open_a_round_with_wareki_dates(staff, app):
    answer = staff.post(
        "/staff/rounds/new",
        {
            "survey": "torikumi",
            "reference_date": "令和３年４月１日",
            "deadline": "2099-05-31 17:00",
            "opens_at": "",
            "title": "",
        },
    )
    assert answer.status_code == 302, text_of(answer)
    with app.app_context():
        opened = db.session.scalars(select(Round)).one()
        assert opened.reference_date == date(2021, 4, 1)
        assert opened.deadline.isoformat() == "2099-05-31T08:00:00+00:00"
        count = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.round_id == opened.id)
        )
        assert count == 62
    board = staff.get(answer.headers["Location"])
    assert "0/62" in text_of(board)


def test_the_form_says_whom_the_round_asks_and_who_is_to_be_retired(staff, app):
    """A merger decided for next April: the form counts the municipality among those asked and
    names it with its day; one retired already is neither counted nor named."""
    ahead = tokyo.today() + timedelta(days=120)
    with app.app_context():
        municipalities.set_active([CHIYODA], active=False, user=None, on=ahead)
        municipalities.set_active([OKUTAMA], active=False, user=None, on=tokyo.today())
        db.session.commit()
    doc = page(staff.get("/staff/rounds/new"))
    assert "今日ある区市町村すべて（61団体）に回答を依頼します" in doc.text_content()
    named = staff.post("/staff/rounds/new", {**OPENING, "municipalities": "千代田区、奥多摩町"})
    assert named.status_code == 422
    assert (
        page(named)
        .xpath("//*[@id='municipalities-error']")[0]
        .text_content()
        .endswith("廃止された区市町村です: 奥多摩町")
    )
    leaving = doc.xpath("//*[@data-leaving]//li")
    assert [li.text_content() for li in leaving] == [f"千代田区（{to_wareki(ahead)}廃止）"]
    staff.get("/language/en")
    english = text_of(staff.get("/staff/rounds/new"))
    assert "all 61 municipalities that exist today" in english


OPENING = {
    "survey": "torikumi",
    "reference_date": "令和3年4月1日",
    "deadline": "2099-05-31 17:00",
    "opens_at": "",
    "title": "",
}


def test_a_round_for_some_municipalities_named_as_people_write_them(staff, app):
    """A survey of the 23 wards and two cities: a region, a name and 総務省's five-digit code in
    全角, separated by 、, a line and a space (八王子市 twice counts once)."""
    answer = staff.post(
        "/staff/rounds/new", {**OPENING, "municipalities": "区部、八王子市\n１３２０３ 八王子市"}
    )
    assert answer.status_code == 302, text_of(answer)
    with app.app_context():
        opened = db.session.scalars(select(Round)).one()
        asked = set(
            db.session.scalars(
                select(Response.municipality_code).where(Response.round_id == opened.id)
            )
        )
    assert len(asked) == 25
    assert {HACHIOJI, "132039", CHIYODA} <= asked
    assert OKUTAMA not in asked
    board = staff.get(answer.headers["Location"])
    assert "（25団体）" in text_of(board)
    assert "0/25" in text_of(board)


def test_the_municipalities_a_round_will_ask_are_shown_before_it_opens(staff, app):
    """「依頼先を確かめる」 lists them region by region, a municipality to be retired with its
    day, and keeps everything typed; nothing is opened until 「開始する」."""
    with app.app_context():
        day = tokyo.today() + timedelta(days=120)
        municipalities.set_active([HACHIOJI], active=False, user=None, on=day)
        db.session.commit()
    typed = {**OPENING, "municipalities": "区部、八王子市", "title": "区部と八王子市の調査"}
    shown = staff.post("/staff/rounds/new", {**typed, "action": "preview"})
    assert shown.status_code == 200
    doc = page(shown)
    preview = doc.xpath("//*[@data-round-preview]")[0]
    assert "依頼先の確認: 24団体" in preview.text_content()
    regions = {
        d.get("data-preview-region"): d.xpath("string(p)") for d in preview.xpath(".//details")
    }
    assert list(regions) == ["区部", "市部"]
    assert regions["区部"].startswith("千代田区、中央区、港区")
    assert regions["市部"] == f"八王子市（{to_wareki(day)}廃止）"
    assert doc.xpath("//input[@name='title']/@value") == ["区部と八王子市の調査"]
    assert textarea_value(doc.xpath("//textarea[@name='municipalities']")[0]) == "区部、八王子市"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 0
    assert staff.post("/staff/rounds/new", typed).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 24


def test_a_list_naming_none_is_refused_on_preview_too(staff, app):
    typed = {**OPENING, "municipalities": "区部、八王子", "action": "preview"}
    answer = staff.post("/staff/rounds/new", typed)
    assert answer.status_code == 422
    assert not page(answer).xpath("//*[@data-round-preview]")


def test_a_municipality_list_naming_none_is_refused_by_word_and_kept(staff, app):
    typed = {**OPENING, "municipalities": "区部、八王子、999999"}
    answer = staff.post("/staff/rounds/new", typed)
    assert answer.status_code == 422
    doc = page(answer)
    error = doc.xpath("//*[@id='municipalities-error']")[0].text_content()
    assert error.endswith(
        "区市町村の団体コード・名称・区分ではありません: 八王子（八王子市のことですか？）、999999"
    )
    assert doc.xpath("//*[@data-error-summary]//a[@href='#municipalities']")
    assert (
        textarea_value(doc.xpath("//textarea[@name='municipalities']")[0])
        == typed["municipalities"]
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 0
    staff.get("/language/en")
    english = text_of(staff.post("/staff/rounds/new", typed))
    assert (
        "Not a municipality's code or name, nor a region: 八王子 (did you mean 八王子市?), 999999"
        in english
    )


def test_open_round_errors_are_per_field_and_input_is_kept(staff, app):
    typed = {
        "survey": "torikumi",
        "reference_date": "令和1年4月30日",
        "deadline": "2099-05-31",
        "opens_at": "あした",
        "title": "=cmd|'/c calc'!A1",
    }
    answer = staff.post("/staff/rounds/new", typed)
    assert answer.status_code == 422
    doc = page(answer)
    for name in ("reference_date", "deadline", "opens_at"):
        assert doc.xpath(f"//*[@id='{name}-error']"), name
    assert "時刻も入力してください" in doc.xpath("//*[@id='deadline-error']")[0].text_content()
    values = field_values(answer, "//form[@class='form']")
    for name in ("reference_date", "deadline", "opens_at", "title"):
        assert values[name] == typed[name]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_deadline_before_opening_is_refused_by_the_service(staff):
    answer = staff.post(
        "/staff/rounds/new",
        {
            "survey": "torikumi",
            "reference_date": "2021-04-01",
            "opens_at": "2099-06-01 09:00",
            "deadline": "2099-05-31 17:00",
        },
    )
    assert answer.status_code == 422
    assert page(answer).xpath("//*[@id='deadline-error']")


def shown(element) -> str:
    """The text an element shows on the screen (without the words only screen readers read)."""
    return "".join(
        element.xpath(".//text()[not(ancestor::*[contains(@class, 'visually-hidden')])]")
    )


def test_board_counts_by_state_and_region_and_names_municipalities(staff, app):
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    submitted(app, round_id, OKUTAMA)
    with app.app_context():
        response = response_of(round_id, HACHIOJI)
        responses.save_draft(response, {"contact_name": "八王子"}, version=0, user=None)
        db.session.commit()
    board = staff.get(f"/staff/rounds/{round_id}")
    doc = page(board)
    assert doc.xpath("//*[@class='headline__number']")[0].text_content() == "2/62"
    detail = doc.xpath("//*[@class='headline__detail']")[0].text_content()
    assert "区部 1/23" in " ".join(detail.split())
    assert "市部 0/26" in " ".join(detail.split())
    assert "町村部 1/13" in " ".join(detail.split())
    totals = doc.xpath("//table[contains(@class,'table--counts')]/tfoot//td")
    assert [shown(td) for td in totals] == ["59", "1", "0", "2", "0", "62"]
    assert totals[0].text_content() == "59（未着手）"  # a link's name, not a bare count
    chiyoda = doc.xpath(f"//tr[@data-municipality='{CHIYODA}']")[0].text_content()
    assert "千代田区" in chiyoda
    assert "提出済み" in chiyoda
    assert len(doc.xpath("//tr[@data-municipality]")) == 62


def test_board_counts_a_returned_answer_apart_from_the_drafts(staff, app):
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    submitted(app, round_id, OKUTAMA)
    with app.app_context():
        responses.return_response(response_of(round_id, OKUTAMA), "数字を直してください", user=None)
        response = response_of(round_id, HACHIOJI)
        responses.save_draft(response, {"contact_name": "八王子"}, version=0, user=None)
        db.session.commit()
    doc = page(staff.get(f"/staff/rounds/{round_id}"))
    counts = doc.xpath("//table[contains(@class,'table--counts')]")[0]
    heads = [th.text_content() for th in counts.xpath("thead//th")]
    assert heads[1:6] == ["未着手", "一時保存（未提出）", "差し戻し", "提出済み", "受理済み"]
    towns = [td.text_content() for td in counts.xpath("tbody/tr[th//a[text()='町村部']]/td")]
    assert towns == ["12", "0", "1", "0", "0", "13"]
    assert [shown(td) for td in counts.xpath("tfoot//td")] == [
        "59",
        "1",
        "1",
        "1",
        "0",
        "62",
    ]
    link = counts.xpath("tfoot//td[3]/a/@href")[0]
    returned = page(staff.get(link))
    assert [tr.get("data-municipality") for tr in returned.xpath("//tr[@data-municipality]")] == [
        OKUTAMA
    ]
    drafts = page(staff.get(f"/staff/rounds/{round_id}?state=draft"))
    assert [tr.get("data-municipality") for tr in drafts.xpath("//tr[@data-municipality]")] == [
        HACHIOJI
    ]


def test_board_filters_by_region_state_and_overdue_without_scripts(staff, app):
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    only_ku = page(staff.get(f"/staff/rounds/{round_id}?region=区部"))
    assert len(only_ku.xpath("//tr[@data-municipality]")) == 23
    only_submitted = page(staff.get(f"/staff/rounds/{round_id}?state=submitted"))
    assert only_submitted.xpath("//tr[@data-municipality]/@data-municipality") == [CHIYODA]
    assert not page(staff.get(f"/staff/rounds/{round_id}?overdue=1")).xpath(
        "//tr[@data-municipality]"
    )
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        round_.deadline = utcnow() - timedelta(hours=1)
        db.session.commit()
    overdue = page(staff.get(f"/staff/rounds/{round_id}?overdue=1"))
    rows = overdue.xpath("//tr[@data-municipality]")
    assert len(rows) == 61
    assert all("期限超過" in r.text_content() for r in rows)
    junk = staff.get(f"/staff/rounds/{round_id}?region=<script>&state=nope")
    assert junk.status_code == 200
    assert len(page(junk).xpath("//tr[@data-municipality]")) == 62


def test_a_national_board_finds_a_prefecture_and_a_name(staff, app):
    """A round that asks more than Tokyo: the board offers the prefectures it asks and finds a
    municipality by a part of its name, its kana or its code's start, as the admin's list does;
    Tokyo's own board shows no prefecture choice."""
    from tests.conftest import add_hiroshima_fuchu

    with app.app_context():
        tokyo_only = make_round().id
    add_hiroshima_fuchu(app)
    with app.app_context():
        round_id = make_round(municipalities=[CHIYODA, "132063", "342076"]).id
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    assert board.xpath("//select[@id='filter-prefecture']/option/text()") == [
        "すべて",
        "東京都",
        "広島県",
    ]
    hiroshima = page(staff.get(f"/staff/rounds/{round_id}?prefecture=34"))
    assert hiroshima.xpath("//tr[@data-municipality]/@data-municipality") == ["342076"]
    assert hiroshima.xpath("//a[normalize-space()='条件を解除']")
    both_fuchu = page(staff.get(f"/staff/rounds/{round_id}?q=ふちゅう"))
    assert both_fuchu.xpath("//tr[@data-municipality]/@data-municipality") == ["132063", "342076"]
    assert both_fuchu.xpath("//tr[@data-municipality]/td[@data-prefecture]/text()") == [
        "東京都",
        "広島県",
    ], "two 府中市 told apart"
    assert both_fuchu.xpath("//input[@id='filter-search']/@value") == ["ふちゅう"]
    by_code = page(staff.get(f"/staff/rounds/{round_id}?q=１３１&prefecture=13"))
    assert by_code.xpath("//tr[@data-municipality]/@data-municipality") == [CHIYODA]
    unknown = page(staff.get(f"/staff/rounds/{round_id}?prefecture=99&q=%25"))
    assert unknown.xpath("//tr[@data-municipality]") == [], "a % is searched as written"
    tokyo = page(staff.get(f"/staff/rounds/{tokyo_only}"))
    assert not tokyo.xpath("//*[@id='filter-prefecture'] | //td[@data-prefecture]")


def test_return_needs_a_reason_and_keeps_it_on_error(staff, app):
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get(url)
    empty = staff.post(f"{url}/return", {"reason": "　"})
    assert empty.status_code == 422
    assert page(empty).xpath("//*[@id='reason-error']")
    too_long = "直してください。" * 300
    staff.get(url)
    long_answer = staff.post(f"{url}/return", {"reason": too_long})
    assert long_answer.status_code == 422
    textarea = page(long_answer).xpath("//textarea[@name='reason']")[0]
    assert textarea_value(textarea) == too_long
    staff.get(url)
    done = staff.post(f"{url}/return", {"reason": "電話番号を直通にしてください。"})
    assert done.status_code == 302
    with app.app_context():
        response = response_of(round_id, CHIYODA)
        assert response.state == ResponseState.DRAFT
        assert response.return_reason == "電話番号を直通にしてください。"
    shown = text_of(staff.get(url))
    assert "千代田区の回答を差し戻しました。" in shown
    assert "電話番号を直通にしてください。" in shown


def test_accept_locks_the_response(staff, app):
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get(url)
    assert staff.post(f"{url}/accept").status_code == 302
    with app.app_context():
        assert response_of(round_id, CHIYODA).state == ResponseState.ACCEPTED
    staff.get(url)
    again = staff.post(f"{url}/accept")
    assert again.status_code == 409
    assert "受理できるのは提出済みの回答だけです" in text_of(again)


def test_an_acceptance_made_by_mistake_is_taken_back(staff, app, web):
    """受理を取り消す: the response is submitted again (still locked for the municipality), with a
    revision and an audit row; staff may then return it. Only an accepted response offers it."""
    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    assert not page(staff.get(url)).xpath("//*[@data-unaccept]"), "submitted: nothing to undo"
    refused = staff.post(f"{url}/unaccept")
    assert refused.status_code == 409
    assert "受理を取り消せるのは受理済みの回答だけです。" in text_of(refused)
    staff.post(f"{url}/accept")
    shown = page(staff.get(url))
    [form] = shown.xpath("//*[@data-unaccept]//form")
    assert form.get("data-confirm") == "千代田区の回答の受理を取り消しますか。"
    done = staff.post(f"{url}/unaccept")
    assert done.status_code == 302
    assert "千代田区の回答の受理を取り消しました。提出済みに戻っています。" in text_of(
        staff.get(done.headers["Location"])
    )
    with app.app_context():
        response = response_of(round_id, CHIYODA)
        assert (response.state, response.accepted_at) == (ResponseState.SUBMITTED, None)
        events = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("response.%accept"))
            .order_by(AuditEvent.id)
        ).all()
        assert events == ["response.accept", "response.unaccept"]
    shown = page(staff.get(url))
    assert "東京都が受理を取り消し" in " ".join(shown.xpath("//*[@id='history-title']/..//text()"))
    choices = shown.xpath("//select[@name='to']/option/text()")
    assert any("東京都が受理を取り消し" in c for c in choices), choices  # one label table for both
    audit = text_of(staff.get("/audit/?action=response.unaccept"))
    assert "回答の受理の取り消し" in audit
    returned = staff.post(f"{url}/return", {"reason": "記入漏れがあります"})
    assert returned.status_code == 302

    clerk = web("respondent", municipality=CHIYODA)
    clerk.get(f"/respond/rounds/{round_id}/{CHIYODA}")
    assert clerk.post(f"{url}/unaccept").status_code in (403, 404)


def test_extension_in_tokyo_time(staff, app):
    with app.app_context():
        round_id = make_round().id
    url = f"/staff/rounds/{round_id}/responses/{HACHIOJI}"
    staff.get(url)
    bad = staff.post(f"{url}/extension", {"until": "来週"})
    assert bad.status_code == 422
    assert page(bad).xpath("//input[@name='until']/@value") == ["来週"]
    past = staff.post(f"{url}/extension", {"until": "2000-01-01 17:00"})
    assert past.status_code == 422
    assert "現在より後" in text_of(past)
    staff.get(url)
    ok = staff.post(f"{url}/extension", {"until": "令和81年6月15日 17:00"})
    assert ok.status_code == 302
    with app.app_context():
        until = response_of(round_id, HACHIOJI).extension_until
        assert until is not None
        assert until.isoformat() == "2099-06-15T08:00:00+00:00"
    assert "延長" in text_of(staff.get(f"/staff/rounds/{round_id}?region=市部"))


def test_on_behalf_entry_is_recorded_as_such(staff, app):
    with app.app_context():
        round_id = make_round().id
    url = f"/staff/rounds/{round_id}/responses/{OKUTAMA}/edit"
    shown = staff.get(url)
    assert "代理入力" in text_of(shown)
    values = {k: v for k, v in field_values(shown).items() if v not in (None, [])}
    values.update(complete_answers(contact_name="奥多摩 花子"), action="submit")
    answer = staff.post(url, values)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/edit/confirm")
    confirm = staff.get(answer.headers["Location"])
    version = page(confirm).xpath("//input[@name='version']/@value")[0]
    done = staff.post(
        f"/staff/rounds/{round_id}/responses/{OKUTAMA}/edit/submit", {"version": version}
    )
    assert done.status_code == 302
    with app.app_context():
        response = response_of(round_id, OKUTAMA)
        assert response.state == ResponseState.SUBMITTED
        assert response.updated_on_behalf
        revisions = db.session.scalars(
            select(Revision).filter_by(response_id=response.id).order_by(Revision.number)
        ).all()
        assert [r.on_behalf for r in revisions] == [True, True]
    row = page(staff.get(f"/staff/rounds/{round_id}?region=町村部")).xpath(
        f"//tr[@data-municipality='{OKUTAMA}']"
    )[0]
    assert "代理入力" in row.text_content()


def test_response_page_shows_history_and_a_diff_between_revisions(staff, app):
    with app.app_context():
        round_id = make_round().id
        response = response_of(round_id, CHIYODA)
        responses.save_draft(response, {"contact_name": "初版"}, version=0, user=None)
        responses.save_draft(
            response, {"contact_name": "二版", "cooperating_employers": 5}, version=1, user=None
        )
        responses.save_draft(response, {"contact_name": "三版"}, version=2, user=None)
        db.session.commit()
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    doc = page(staff.get(url))
    assert doc.xpath("//li[@id='revision-3']")
    assert doc.xpath("//li[@id='revision-1']")
    diff = doc.xpath("//table[contains(@class,'diff')]")[0].text_content()
    assert "二版" in diff
    assert "三版" in diff
    assert "初版" not in diff
    chosen = page(staff.get(f"{url}?from=1&to=2"))
    diff = chosen.xpath("//table[contains(@class,'diff')]")[0].text_content()
    assert "初版" in diff
    assert "二版" in diff
    assert "協力雇用主数" in diff
    nonsense = staff.get(f"{url}?from=abc&to=999")
    assert nonsense.status_code == 200


def test_downloads_are_linked_only_when_their_endpoints_exist(staff, app):
    with app.app_context():
        round_id = make_round().id
    doc = page(staff.get(f"/staff/rounds/{round_id}"))
    links = doc.xpath("//a/@href")
    if "downloads.round_workbook" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            assert url_for("downloads.round_workbook", round_id=round_id) in links
    else:
        assert not [link for link in links if "workbook" in link]


def test_respondents_and_admins_cannot_use_staff_pages(web, app):
    with app.app_context():
        round_id = make_round().id
    for client in (web("respondent", municipality=CHIYODA), web("admin")):
        assert client.get("/staff/").status_code == 403
        assert client.get(f"/staff/rounds/{round_id}").status_code == 403
        assert client.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}").status_code == 403


def test_staff_following_a_respondent_link_land_on_the_staff_pages(staff, app):
    with app.app_context():
        round_id = make_round().id
    answer = staff.get(f"/respond/rounds/{round_id}/{CHIYODA}")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/staff/rounds/{round_id}/responses/{CHIYODA}/edit"
    view = staff.get(f"/respond/rounds/{round_id}/{CHIYODA}/history")
    assert view.headers["Location"] == f"/staff/rounds/{round_id}/responses/{CHIYODA}"


def test_submitted_responses_are_accepted_together_each_with_its_revision(staff, app):
    with app.app_context():
        round_id = make_round().id
    for code in (CHIYODA, HACHIOJI, OKUTAMA):
        submitted(app, round_id, code)
    board = page(staff.get(f"/staff/rounds/{round_id}"))
    assert "（3件）" in board.xpath("//*[@data-accept-many-link]")[0].text_content()
    listed = staff.get(f"/staff/rounds/{round_id}/accept")
    form = page(listed).xpath("//form[@data-decide-many='accept']")[0]
    ticked = form.xpath(".//input[@type='checkbox'][@checked]/@value")
    assert ticked == [CHIYODA, HACHIOJI, OKUTAMA]
    with app.app_context():  # 八王子市 is returned and submitted again after the list was shown
        response = response_of(round_id, HACHIOJI)
        responses.return_response(response, reason="数字を確認してください", user=None)
        db.session.commit()
    submitted(app, round_id, HACHIOJI)
    fields = {n: form.xpath(f".//input[@name='{n}']/@value") for n in ("csrf_token",)}
    data = [("csrf_token", fields["csrf_token"][0])]
    data += [("municipality", code) for code in ticked]
    data += [(i.get("name"), i.get("value")) for i in form.xpath(".//input[@type='hidden']")
             if i.get("name", "").startswith("version-")]  # fmt: skip
    done = staff.client.post(f"/staff/rounds/{round_id}/accept", data=MultiDict(data))
    assert done.status_code == 302
    shown = text_of(staff.get(done.headers["Location"]))
    assert "2件の回答を受理しました。" in shown
    assert "一覧を表示した後に変わったため受理していません" in shown
    assert "八王子市" in shown.split("受理していません")[1]
    with app.app_context():
        states = {code: response_of(round_id, code).state for code in (CHIYODA, HACHIOJI, OKUTAMA)}
        accepts = db.session.scalars(
            select(Revision.action).where(Revision.action == "accept")
        ).all()
    assert states == {
        CHIYODA: ResponseState.ACCEPTED,
        HACHIOJI: ResponseState.SUBMITTED,
        OKUTAMA: ResponseState.ACCEPTED,
    }
    assert len(accepts) == 2


def test_accepting_together_with_nothing_ticked_says_so_and_accepts_nothing(staff, app):
    with app.app_context():
        round_id = make_round().id
    assert "受理を待っている回答はありません" in text_of(
        staff.get(f"/staff/rounds/{round_id}/accept")
    )
    submitted(app, round_id, CHIYODA)
    staff.get(f"/staff/rounds/{round_id}/accept")
    refused = staff.post(f"/staff/rounds/{round_id}/accept", {})
    assert refused.status_code == 422
    assert page(refused).xpath("//*[@data-error-summary]//a[@href='#decide-first']")
    with app.app_context():
        assert response_of(round_id, CHIYODA).state == ResponseState.SUBMITTED


def test_a_name_two_municipalities_share_is_refused_until_a_code_is_given(staff, app):
    """On a national list 府中市 is in Tokyo and in Hiroshima: the name alone names neither."""
    add_hiroshima_fuchu(app)
    refused = staff.post("/staff/rounds/new", {**OPENING, "municipalities": "府中市"})
    assert refused.status_code == 422
    error = page(refused).xpath("//*[@id='municipalities-error']")[0].text_content()
    assert error.endswith(
        "同じ名前の区市町村が複数あります。団体コードで指定してください: 府中市（132063、342076）"
    )
    opened = staff.post("/staff/rounds/new", {**OPENING, "municipalities": "132063"})
    assert opened.status_code == 302


def test_names_without_their_suffix_are_refused_with_the_one_municipality_they_start(staff, app):
    """八王子、千代田: each the start of exactly one municipality's name, which the refusal
    suggests; 東 starts many (東村山市, 東大和市, …) and gets no guess."""
    typed = {**OPENING, "municipalities": "八王子、千代田、東"}
    refused = staff.post("/staff/rounds/new", typed)
    assert refused.status_code == 422
    error = page(refused).xpath("//*[@id='municipalities-error']")[0].text_content()
    assert error.endswith(
        "区市町村の団体コード・名称・区分ではありません: "
        "八王子（八王子市のことですか？）、千代田（千代田区のことですか？）、東"
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_a_past_deadline_with_no_opening_time_says_it_is_past_not_before_the_opening(staff, app):
    """受付開始日時 left empty means now: a deadline already gone is past, and the error names
    no field the user left empty."""
    typed = {**OPENING, "deadline": "2021-05-31 17:00"}
    refused = staff.post("/staff/rounds/new", typed)
    assert refused.status_code == 422
    error = page(refused).xpath("//*[@id='deadline-error']")[0].text_content()
    assert error.endswith(
        "提出期限が過ぎています（令和3年5月31日（月）17:00）。これから先の日時を入力してください。"
    )
    assert "受付開始日時より後" not in text_of(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 0
    staff.get("/language/en")
    english = text_of(staff.post("/staff/rounds/new", typed))
    assert "The deadline has passed" in english


def test_a_deadline_before_the_opening_is_refused_in_the_page_s_language(staff, app):
    typed = {**OPENING, "opens_at": "2099-06-01 09:00", "deadline": "2099-05-31 17:00"}
    refused = staff.post("/staff/rounds/new", typed)
    assert refused.status_code == 422
    assert "提出期限は受付開始日時より後にしてください。" in text_of(refused)
    staff.get("/language/en")
    english = staff.post("/staff/rounds/new", typed)
    assert "The deadline must be later than the opening time." in text_of(english)
