"""The respondent's questionnaire page: built from the definition, saves what was typed, refuses
with per-field errors while keeping everything, confirms before submitting, shows history."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from forms import registry
from forms.model import Kind
from hub.db import db, utcnow
from hub.models import ResponseState, Revision
from hub.services import responses
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.web.conftest import Web, field_values, page, text_of

TORIKUMI = registry.latest("torikumi")

CHIYODA = "131016"
HACHIOJI = "132012"


def form_url(round_id: int, code: str = CHIYODA) -> str:
    return f"/respond/rounds/{round_id}/{code}"


def fill(web: Web, url: str, answers: dict[str, Any], action: str = "save") -> Any:
    """Post the page's form as a person would: what is shown, changed by ``answers``."""
    shown = web.get(url)
    assert shown.status_code == 200, shown.status_code
    values = {k: v for k, v in field_values(shown).items() if v not in (None, [])}
    values.update(answers)
    values = {k: v for k, v in values.items() if v is not None}
    values["action"] = action
    return web.post(url, values)


@pytest.fixture
def round_id(ctx) -> int:
    return make_round().id


@pytest.fixture
def respondent(web) -> Web:
    return web("respondent", municipality=CHIYODA)


def test_every_question_has_its_field_and_label_from_the_definition(respondent, round_id):
    doc = page(respondent.get(form_url(round_id)))
    for question in TORIKUMI:
        if question.kind in (Kind.ONE_OF, Kind.MANY_OF):
            legend = doc.xpath(f"//div[@id='field-{question.id}']//legend")
            assert legend, question.id
            assert question.label.ja in legend[0].text_content(), question.id
            boxes = doc.xpath(f"//input[@name='{question.id}']")
            assert [b.get("value") for b in boxes] == list(question.codes)
            for box in boxes:
                label = doc.xpath(f"//label[@for='{box.get('id')}']")
                choice = question.choice(box.get("value"))
                assert label
                assert label[0].text_content() == choice.display("ja")
        else:
            label = doc.xpath(f"//label[@for='{question.id}']")
            assert label, question.id
            assert label[0].text_content() == question.label.ja, question.id
    buttons = [b.text_content() for b in doc.xpath("//form[@data-questionnaire]//button")]
    assert buttons == ["一時保存", "提出"]


def test_no_template_writes_a_question_by_hand():
    templates = Path(__file__).parents[2] / "hub" / "templates"
    ids = {q.id for q in TORIKUMI}
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not [i for i in ids if f'"{i}"' in text or f"'{i}'" in text], path


def test_save_draft_normalizes_zenkaku_and_wareki(respondent, round_id, app):
    answer = fill(
        respondent,
        form_url(round_id),
        {
            "plan_status": "formulated",
            "plan_name": "千代田区再犯防止推進計画",
            "plan_date": "令和３年３月３１日",
            "cooperating_employers": "１２",
            "contact_phone": "０３（５３２１）１１１１",
            "comments": '=HYPERLINK("http://example.com")',
        },
    )
    assert answer.status_code == 302
    shown = respondent.get(answer.headers["Location"])
    assert "一時保存しました。" in text_of(shown)
    with app.app_context():
        saved = response_of(round_id, CHIYODA)
        assert saved.state == ResponseState.DRAFT
        assert saved.answers["plan_date"] == "2021-03-31"
        assert saved.answers["cooperating_employers"] == 12
        assert saved.answers["contact_phone"] == "03-5321-1111"
        assert saved.answers["comments"] == '=HYPERLINK("http://example.com")'
    values = field_values(shown)
    assert values["cooperating_employers"] == "12"
    assert values["plan_status"] == "formulated"
    assert values["plan_date"] == "令和3年3月31日", "typed in 和暦, it comes back in 和暦"


def test_invalid_input_is_refused_per_field_and_everything_typed_is_kept(respondent, round_id, app):
    typed = {
        "plan_status": "formulated",
        "plan_name": "計画（案）",
        "plan_date": "令和1年4月30日",
        "cooperating_employers": "１２件",
        "programs": ["shamei_campaign", "other"],
        "programs_other": "独自の就労支援",
        "contact_name": "都庁　太郎",
        "contact_email": "taro@example",
    }
    answer = fill(respondent, form_url(round_id), typed)
    assert answer.status_code == 422
    doc = page(answer)
    for field in ("plan_date", "cooperating_employers", "contact_email"):
        error = doc.xpath(f"//*[@id='{field}-error']")
        assert error, field
        described = doc.xpath(f"//*[@id='{field}']/@aria-describedby")[0].split()
        assert f"{field}-error" in described
        assert doc.xpath(f"//*[@id='{field}']/@aria-invalid") == ["true"]
    assert "令和" in doc.xpath("//*[@id='plan_date-error']")[0].text_content()
    summary_links = doc.xpath("//div[@data-error-summary]//a/@href")
    assert "#plan_date" in summary_links
    said = doc.xpath("string(//div[@data-error-summary])")
    assert "一時保存していません。" in said, "a clerk must not close the tab thinking it saved"
    values = field_values(answer)
    for name, value in typed.items():
        assert values[name] == value, name
    with app.app_context():
        assert response_of(round_id, CHIYODA).version == 0


def test_submit_with_a_missing_required_field_keeps_input_and_saves_the_draft(
    respondent, round_id, app
):
    typed = complete_answers(contact_email=None, cooperating_employers="３")
    answer = fill(respondent, form_url(round_id), typed, action="submit")
    assert answer.status_code == 422
    doc = page(answer)
    assert doc.xpath("//*[@id='contact_email-error']")
    assert (
        "入力してください（必須）" in doc.xpath("//*[@id='contact_email-error']")[0].text_content()
    )
    assert "していません" not in doc.xpath("string(//div[@data-error-summary])")
    assert "入力内容は一時保存しました。" in doc.xpath("string(//*[@role='status'])")
    values = field_values(answer)
    assert values["cooperating_employers"] == "３"
    assert values["contact_name"] == typed["contact_name"]
    with app.app_context():
        saved = response_of(round_id, CHIYODA)
        assert saved.state == ResponseState.DRAFT
        assert saved.answers["cooperating_employers"] == 3
        assert values["version"] == str(saved.version)


def test_saving_again_without_a_change_records_nothing_and_says_so(respondent, round_id, app):
    typed = complete_answers(contact_email=None, cooperating_employers="３")
    assert fill(respondent, form_url(round_id), typed).status_code == 302
    with app.app_context():
        version = response_of(round_id, CHIYODA).version

    again = fill(respondent, form_url(round_id), {})
    assert again.status_code == 302
    shown = text_of(respondent.get(again.headers["Location"]))
    assert "前回の一時保存から変更がないため、保存済みの内容のままです。" in shown
    submitted = fill(respondent, form_url(round_id), {}, action="submit")
    assert submitted.status_code == 422
    doc = page(submitted)
    assert "入力内容は一時保存済みです。" in doc.xpath("string(//*[@role='status'])")
    assert doc.xpath("//*[@id='contact_email-error']")
    with app.app_context():
        response = response_of(round_id, CHIYODA)
        assert response.version == version
        assert response.answers["cooperating_employers"] == 3
        numbers = db.session.scalars(
            select(Revision.number).where(Revision.response_id == response.id)
        ).all()
        assert list(numbers) == [version]

    changed = fill(respondent, form_url(round_id), {"cooperating_employers": "4"})
    assert changed.status_code == 302
    assert "一時保存しました。" in text_of(respondent.get(changed.headers["Location"]))
    with app.app_context():
        assert response_of(round_id, CHIYODA).version == version + 1


def test_an_untouched_form_sent_stays_not_started(respondent, round_id, app):
    """提出 or 一時保存 pressed on a form nobody has typed into saves nothing: the board must not
    count a municipality as begun (一時保存) because someone looked at its form and pressed a
    button; the page says that nothing was saved and why."""
    submitted = fill(respondent, form_url(round_id), {}, action="submit")
    assert submitted.status_code == 422
    doc = page(submitted)
    assert "まだ何も入力されていないため、保存していません（未着手のままです）。" in doc.xpath(
        "string(//*[@role='status'])"
    )
    assert doc.xpath("//*[@id='contact_email-error']"), "the blanks are still named"
    saved = fill(respondent, form_url(round_id), {})
    assert saved.status_code == 302
    shown = text_of(respondent.get(saved.headers["Location"]))
    assert "一時保存していません（未着手のままです）。" in shown
    with app.app_context():
        response = response_of(round_id, CHIYODA)
        assert (response.state, response.version) == (ResponseState.NOT_STARTED, 0)
        assert not db.session.scalars(
            select(Revision.number).where(Revision.response_id == response.id)
        ).all()

    typed = fill(respondent, form_url(round_id), {"cooperating_employers": "１"}, action="submit")
    assert typed.status_code == 422
    assert "入力内容は一時保存しました。" in page(typed).xpath("string(//*[@role='status'])")
    with app.app_context():
        assert response_of(round_id, CHIYODA).state == ResponseState.DRAFT


def test_submit_names_missing_and_invalid_fields_in_one_go(respondent, round_id):
    answer = fill(
        respondent,
        form_url(round_id),
        {"plan_status": "formulated", "plan_date": "２０２１年２月３０日"},
        action="submit",
    )
    assert answer.status_code == 422
    doc = page(answer)
    for field in ("plan_date", "plan_name", "contact_name", "contact_phone"):
        assert doc.xpath(f"//*[@id='{field}-error']"), field
    assert doc.xpath("//*[@id='consultation_setup-error']")
    assert "2月" in doc.xpath("//*[@id='plan_date-error']")[0].text_content()
    assert "一時保存も提出もしていません。" in doc.xpath("string(//div[@data-error-summary])")


def test_submit_goes_through_a_confirmation_page(respondent, round_id, app):
    answer = fill(respondent, form_url(round_id), complete_answers(), action="submit")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"{form_url(round_id)}/confirm")
    with app.app_context():
        assert response_of(round_id, CHIYODA).state == ResponseState.DRAFT
    confirm = respondent.get(answer.headers["Location"])
    assert confirm.status_code == 200
    text = text_of(confirm)
    assert "まだ提出されていません" in text
    assert "⑥現時点で策定予定なし" in text
    version = page(confirm).xpath("//input[@name='version']/@value")[0]
    done = respondent.post(f"{form_url(round_id)}/submit", {"version": version})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"{form_url(round_id)}/view")
    with app.app_context():
        saved = response_of(round_id, CHIYODA)
        assert saved.state == ResponseState.SUBMITTED
        assert saved.submitted_at is not None
    view = respondent.get(done.headers["Location"])
    assert "提出済み" in text_of(view)
    assert not page(view).xpath("//form[@data-questionnaire]")
    again = respondent.get(form_url(round_id))
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/view")


def test_irrelevant_answers_typed_with_scripts_off_are_dropped_on_submit(respondent, round_id, app):
    """提出 keeps an answer not asked in the draft (who goes back from the confirmation finds
    it) unless it cannot be kept — an unreadable date does not hold up a question nobody asks —;
    the confirmation leaves it out and the submit drops it."""
    typed = complete_answers(plan_name="書きかけの名称", plan_date="意味のない値")
    answer = fill(respondent, form_url(round_id), typed, action="submit")
    assert answer.status_code == 302, text_of(answer)
    with app.app_context():
        draft = response_of(round_id, CHIYODA).answers
        assert draft["plan_name"] == "書きかけの名称"
        assert "plan_date" not in draft
    assert "書きかけの名称" not in text_of(respondent.get(answer.headers["Location"]))
    respondent.post(f"{form_url(round_id)}/submit", {"version": "1"})
    with app.app_context():
        saved = response_of(round_id, CHIYODA)
        assert saved.state == ResponseState.SUBMITTED
        assert "plan_name" not in saved.answers
        assert "plan_date" not in saved.answers


def test_a_stale_version_saved_by_oneself_in_another_tab_says_so(respondent, round_id, app):
    """The same clerk with the form open in two tabs: the later save is refused as any stale one,
    without telling them that somebody else saved first (the name on the page is their own)."""
    shown = respondent.get(form_url(round_id))
    values = {k: v for k, v in field_values(shown).items() if v not in (None, [])}
    first = respondent.post(
        form_url(round_id), {**values, "contact_name": "一つ目のタブ", "action": "save"}
    )
    assert first.status_code == 302, text_of(first)
    answer = respondent.post(
        form_url(round_id), {**values, "contact_name": "二つ目のタブ", "action": "save"}
    )
    assert answer.status_code == 409
    text = text_of(answer)
    assert "あなたが別の画面で先に保存しています" in text
    assert "他の人" not in text
    assert field_values(answer)["contact_name"] == "二つ目のタブ"
    with app.app_context():
        assert response_of(round_id, CHIYODA).answers["contact_name"] == "一つ目のタブ"


def test_a_stale_version_shows_both_versions_and_keeps_the_input(respondent, round_id, app):
    shown = respondent.get(form_url(round_id))
    with app.app_context():
        response = response_of(round_id, CHIYODA)
        staff = make_user(role="staff")
        responses.save_draft(response, {"contact_name": "先に保存した人"}, version=0, user=staff)
        db.session.commit()
    values = {k: v for k, v in field_values(shown).items() if v not in (None, [])}
    values.update(contact_name="後から保存する人", action="save")
    answer = respondent.post(form_url(round_id), values)
    assert answer.status_code == 409
    text = text_of(answer)
    assert "他の人が先にこの回答を保存しました" in text
    table = page(answer).xpath("//section[@class='conflict']//table")[0].text_content()
    assert "後から保存する人" in table
    assert "先に保存した人" in table
    kept = field_values(answer)
    assert kept["contact_name"] == "後から保存する人"
    assert kept["version"] == "1"
    again = respondent.post(form_url(round_id), {**values, "version": kept["version"]})
    assert again.status_code == 302
    with app.app_context():
        assert response_of(round_id, CHIYODA).answers["contact_name"] == "後から保存する人"


def test_after_the_deadline_submission_is_refused_with_a_reason(respondent, app):
    with app.app_context():
        round_id = make_round(
            deadline=utcnow() + timedelta(seconds=2), opens_at=utcnow() - timedelta(days=3)
        ).id
        response = response_of(round_id, CHIYODA)
        responses.save_draft(response, complete_answers(), version=0, user=None)
        response.round.deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    shown = respondent.get(form_url(round_id))
    assert "提出期限を過ぎています" in text_of(shown)
    answer = respondent.post(f"{form_url(round_id)}/submit", {"version": "1"})
    assert answer.status_code == 302
    after = respondent.get(answer.headers["Location"])
    assert "提出期限を過ぎています。期限の延長は東京都の担当者にご相談ください。" in text_of(after)
    with app.app_context():
        assert response_of(round_id, CHIYODA).state == ResponseState.DRAFT


def test_home_lists_rounds_by_phase_with_state_and_deadline(respondent, app):
    with app.app_context():
        open_id = make_round().id
        upcoming = make_round(
            reference_date=date(2022, 4, 1), opens_at=utcnow() + timedelta(days=5)
        )
        upcoming_title = upcoming.title
    text = text_of(respondent.get("/respond/"))
    open_part, rest = text.split("これから始まる調査")
    upcoming_part, past_part = rest.split("終了した調査・提出済みの調査")
    assert "令和3年4月1日" in open_part
    assert "未着手" in open_part
    assert upcoming_title in upcoming_part
    assert "該当する調査はありません" in past_part
    assert page(respondent.get("/respond/")).xpath(f"//a[@href='{form_url(open_id)}']")


def test_returned_response_shows_the_reason_on_home_and_form(respondent, round_id, app):
    with app.app_context():
        response = response_of(round_id, CHIYODA)
        responses.submit(response, raw_answers=complete_answers(), user=None)
        staff = make_user(role="staff")
        responses.return_response(
            response, "電話番号が代表番号です。直通に直してください。", user=staff
        )
        db.session.commit()
    for url in ("/respond/", form_url(round_id)):
        doc = page(respondent.get(url))
        reasons = [n.text_content() for n in doc.xpath("//*[@data-return-reason]")]
        assert reasons == ["電話番号が代表番号です。直通に直してください。"], url
    assert "差し戻し" in text_of(respondent.get("/respond/"))


def test_previous_accepted_answers_are_prefilled(respondent, app):
    with app.app_context():
        old = make_round(reference_date=date(2020, 4, 1))
        response = response_of(old.id, CHIYODA)
        responses.submit(response, raw_answers=complete_answers(cooperating_employers=7), user=None)
        responses.accept(response, user=make_user(role="staff"))
        db.session.commit()
        new_id = make_round(reference_date=date(2021, 4, 1)).id
    shown = respondent.get(form_url(new_id))
    assert (
        "「区市町村における再犯防止等の推進に向けた取組状況調査（令和2年4月1日現在）」で受理された回答をあらかじめ入力しています"
        in text_of(shown)
    )
    values = field_values(shown)
    assert values["cooperating_employers"] == "7"
    assert values["plan_status"] == "no_plan"


def test_history_lists_every_revision_with_what_changed(respondent, round_id, app):
    fill(respondent, form_url(round_id), {"contact_name": "一人目"})
    fill(respondent, form_url(round_id), {"contact_name": "二人目"})
    history = respondent.get(f"{form_url(round_id)}/history")
    assert history.status_code == 200
    items = page(history).xpath("//li[contains(@class,'history__item')]")
    assert [i.get("id") for i in items] == ["revision-2", "revision-1"]
    latest = items[0].text_content()
    assert "一人目" in latest
    assert "二人目" in latest
    assert "回答者氏名" in latest
    with app.app_context():
        assert db.session.query(Revision).count() == 2


def test_english_pages_use_the_english_labels(respondent, round_id):
    respondent.client.set_cookie("lang", "en")
    doc = page(respondent.get(form_url(round_id)))
    assert doc.get("lang") == "en"
    assert doc.xpath("//label[@for='contact_name']")[0].text_content() == "Name"
    buttons = [b.text_content() for b in doc.xpath("//form[@data-questionnaire]//button")]
    assert buttons == ["Save draft", "Submit"]
    answer = fill(respondent, form_url(round_id), {"contact_email": "taro"}, action="save")
    assert answer.status_code == 422
    assert "Please check your answers" in text_of(answer)


def test_english_pages_show_a_saved_date_as_the_day_itself(respondent, round_id):
    respondent.client.set_cookie("lang", "en")
    fill(respondent, form_url(round_id), {"plan_date": "令和３年３月３１日"}, action="save")
    english = respondent.get(form_url(round_id))
    assert page(english).get("lang") == "en"
    assert field_values(english)["plan_date"] == "2021-03-31"


def test_conditional_fields_carry_their_condition_for_the_script(respondent, round_id):
    doc = page(respondent.get(form_url(round_id)))
    plan_name = doc.xpath("//div[@id='field-plan_name']")[0]
    assert json.loads(plan_name.get("data-relevant")) == [
        "or",
        ["=", ["r", "plan_status"], ["s", "formulated"]],
        ["=", ["r", "plan_status"], ["s", "public_comment"]],
    ]
    lead = doc.xpath("//div[@id='field-lead_department']")[0]
    assert json.loads(lead.get("data-relevant")) == [
        "f",
        "not",
        ["r", "lead_department_undecided"],
    ]
    assert lead.get("data-kind") == "text"
    # the server decides the same on what the page shows, so that without the script a save
    # brings up what an answer asks: not asked before 計画の策定状況 is answered
    assert "hidden" in plan_name.attrib
    assert "hidden" not in lead.attrib
    form = doc.xpath("//form[@data-questionnaire]")[0]
    assert form.get("data-reference-date") == "2021-04-01"


def test_saving_after_it_was_submitted_elsewhere_keeps_the_input(respondent, round_id, app):
    shown = respondent.get(form_url(round_id))
    with app.app_context():
        responses.submit(response_of(round_id, CHIYODA), raw_answers=complete_answers(), user=None)
        db.session.commit()
    values = {k: v for k, v in field_values(shown).items() if v not in (None, [])}
    values.update(comments="別のタブで書いていた長い文章", action="save")
    answer = respondent.post(form_url(round_id), values)
    assert answer.status_code == 409
    assert "提出済み・受理済みの回答は編集できません" in text_of(answer)
    assert field_values(answer)["comments"] == "別のタブで書いていた長い文章"


def test_the_prefill_names_the_round_it_came_from_when_last_year_was_not_accepted(respondent, app):
    """Three years of one survey: 令和2年 accepted, 令和3年 submitted but never accepted. 令和4年's
    draft carries 令和2年's answers, and the page says so instead of 「前回の調査」."""
    with app.app_context():
        staff = make_user(role="staff")
        oldest = make_round(reference_date=date(2020, 4, 1))
        accepted = response_of(oldest.id, CHIYODA)
        responses.submit(accepted, raw_answers=complete_answers(cooperating_employers=7), user=None)
        responses.accept(accepted, user=staff)
        last_year = make_round(reference_date=date(2021, 4, 1))
        submitted = response_of(last_year.id, CHIYODA)
        responses.submit(
            submitted, raw_answers=complete_answers(cooperating_employers=9), user=None
        )
        db.session.commit()
        new_id = make_round(reference_date=date(2022, 4, 1)).id
    shown = respondent.get(form_url(new_id))
    text = text_of(shown)
    assert "（令和2年4月1日現在）」で受理された回答をあらかじめ入力しています" in text
    assert "前回の調査" not in text
    assert field_values(shown)["cooperating_employers"] == "7"
