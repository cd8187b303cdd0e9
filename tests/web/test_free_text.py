"""Free text keeps its Japanese typography on every path that stores it (issue 14, item 1).

（全角括弧）, 全角スペース, ｶﾀｶﾅ and full-width letters come back exactly as typed; only control
characters and surrounding blanks go. Numbers, dates, phones, e-mail addresses and codes are still
folded to one spelling.
"""

from __future__ import annotations

from hub.db import db
from hub.models import ApiToken, Hearing, Round, User
from hub.services.users import find_by_email
from tests.conftest import make_round, response_of
from tests.web.conftest import page, text_of
from tests.web.test_questionnaire import fill, form_url

CHIYODA = "131016"
REASON = "\u3000（令和3年3月31日）の策定日を確認してください。\x07\n"
DEPARTMENT = "保健福祉部\u3000福祉総務課"
NAME = "都庁\u3000太郎"
COMMENTS = "ｶﾀｶﾅと全角のＡＢＣ、「かぎ括弧」～波ダッシュ！"


def test_web_answers_keep_typography_and_fold_only_numbers_dates_and_phones(web, ctx):
    round_id = make_round().id
    respondent = web("respondent", municipality=CHIYODA)
    saved = fill(
        respondent,
        form_url(round_id),
        {
            "contact_department": f"\u3000{DEPARTMENT}\u3000",
            "contact_name": NAME,
            "comments": COMMENTS,
            "contact_phone": "０３－５３２１－１１１１",
            "cooperating_employers": "１２",
        },
    )
    assert saved.status_code == 302, text_of(saved)[:300]
    db.session.expire_all()
    answers = response_of(round_id, CHIYODA).answers
    assert answers["contact_department"] == DEPARTMENT
    assert answers["contact_name"] == NAME
    assert answers["comments"] == COMMENTS
    assert answers["contact_phone"] == "03-5321-1111"
    assert answers["cooperating_employers"] == 12


def test_api_answers_keep_typography(api_as, ctx):
    round_id = make_round().id
    chiyoda = api_as("respondent", municipality=CHIYODA)
    got = chiyoda.put(
        f"/rounds/{round_id}/responses/{CHIYODA}",
        json={"version": 0, "answers": {"lead_department": DEPARTMENT, "comments": COMMENTS}},
    )
    assert got.status_code == 200, got.get_json()
    assert got.get_json()["answers"]["lead_department"] == DEPARTMENT
    assert got.get_json()["answers"]["comments"] == COMMENTS


def test_return_reason_keeps_full_width_brackets(web, app):
    from tests.web.test_staff import submitted

    with app.app_context():
        round_id = make_round().id
    submitted(app, round_id, CHIYODA)
    staff = web("staff")
    url = f"/staff/rounds/{round_id}/responses/{CHIYODA}"
    staff.get(url)
    assert staff.post(f"{url}/return", {"reason": REASON}).status_code == 302
    with app.app_context():
        reason = response_of(round_id, CHIYODA).return_reason
    assert reason == "（令和3年3月31日）の策定日を確認してください。"
    respondent = web("respondent", municipality=CHIYODA)
    assert "（令和3年3月31日）の策定日" in text_of(respondent.get(form_url(round_id)))


def test_hearing_department_and_notes_keep_typography(web, ctx):
    staff = web("staff")
    staff.get("/hearings")
    done = staff.post(
        "/hearings",
        {
            "municipality": CHIYODA,
            "held_on": "Ｒ３．６．１０",
            "department": DEPARTMENT,
            "topics": ["plan_challenges.no_lead_department"],
            "notes": COMMENTS,
        },
    )
    assert done.status_code == 302, text_of(done)[:300]
    hearing = db.session.query(Hearing).one()
    assert (hearing.department, hearing.notes) == (DEPARTMENT, COMMENTS)
    assert hearing.held_on.isoformat() == "2021-06-10"


def test_display_name_and_token_description_keep_typography(web, ctx, runner):
    admin = web("admin")
    admin.get("/admin/users/new")
    created = admin.post(
        "/admin/users/new",
        {
            "email": "ｈａｎａｋｏ＠ｃｉｔｙ．ｃｈｉｙｏｄａ．ｌｇ．ｊｐ",
            "role": "staff",
            "display_name": f" {NAME}\x00 ",
        },
    )
    assert created.status_code == 303, text_of(created)[:300]
    user = find_by_email("hanako@city.chiyoda.lg.jp")
    assert user is not None
    assert user.display_name == NAME
    result = runner(
        *("user", "add", "jiro@city.chiyoda.lg.jp", "--role", "staff", "--name", "都庁　次郎"),
        input="correct horse battery staple\n",
    )
    assert result.exit_code == 0, result.output
    jiro = db.session.query(User).filter_by(email="jiro@city.chiyoda.lg.jp").one()
    assert jiro.display_name == "都庁　次郎"
    result = runner(
        "token", "add", "jiro@city.chiyoda.lg.jp", "--description", "（集計システム用）"
    )
    assert result.exit_code == 0, result.output
    token = db.session.query(ApiToken).filter_by(user_id=jiro.id).one()
    assert token.description == "（集計システム用）"


def test_round_title_keeps_typography(web, ctx):
    staff = web("staff")
    staff.get("/staff/rounds/new")
    opened = staff.post(
        "/staff/rounds/new",
        {
            "survey": "torikumi",
            "title": "取組状況調査（令和３年度）\u3000第１回\x07",
            "reference_date": "令和3年4月1日",
            "deadline": "2099-05-31 17:00",
        },
    )
    assert opened.status_code == 302, text_of(opened)[:300]
    assert db.session.query(Round).one().title == "取組状況調査（令和３年度）\u3000第１回"
    assert "取組状況調査（令和３年度）\u3000第１回" in page(staff.get("/staff/")).text_content()
