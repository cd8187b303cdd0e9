"""People are named by their name and organisation, not their e-mail address (issue 14, item 7):
``hub user add … --name … --organisation …``, ``hub user set``, the admin pages, and what the
pages show (最終更新, history, board, audit)."""

from __future__ import annotations

from hub.db import db
from hub.models import User
from hub.services import responses
from hub.services.users import find_by_email
from tests.conftest import PASSWORD, complete_answers, make_round, response_of
from tests.web.conftest import Web, page, text_of

CHIYODA = "131016"
STAFF_EMAIL = "yamada@metro.tokyo.lg.jp"


def test_the_command_line_names_people(app, runner):
    added = runner(
        "user",
        "add",
        STAFF_EMAIL,
        "--role",
        "staff",
        "--name",
        "山田　花子",
        "--organisation",
        "東京都 福祉局 生活福祉部",
        "--phone",
        "０３－５３２１－１１１１",
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    with app.app_context():
        user = find_by_email(STAFF_EMAIL)
        assert user is not None
        assert (user.display_name, user.organisation, user.phone) == (
            "山田　花子",  # 全角スペース kept as typed
            "東京都 福祉局 生活福祉部",
            "03-5321-1111",
        )
        assert user.label == "山田　花子（東京都 福祉局 生活福祉部）"
    changed = runner("user", "set", STAFF_EMAIL, "--organisation", "東京都 総務局")
    assert changed.exit_code == 0, changed.output
    bad = runner("user", "set", STAFF_EMAIL, "--phone", "03-5321")
    assert bad.exit_code == 1
    assert "電話番号" in bad.output
    assert "Traceback" not in bad.output
    unknown = runner("user", "set", "nobody@example.jp", "--name", "誰か")
    assert unknown.exit_code == 1
    with app.app_context():
        user = find_by_email(STAFF_EMAIL)
        assert user is not None
        assert (user.organisation, user.phone) == ("東京都 総務局", "03-5321-1111")


def test_pages_show_the_name_not_the_address(app, web, runner):
    runner(
        "user",
        "add",
        STAFF_EMAIL,
        "--role",
        "staff",
        "--name",
        "山田 花子",
        "--organisation",
        "東京都 福祉局",
        input=PASSWORD + "\n",
    )
    with app.app_context():
        round_id = make_round().id
        staff_user = find_by_email(STAFF_EMAIL)
        response = response_of(round_id, CHIYODA)
        responses.save_draft(response, complete_answers(), version=0, user=staff_user)
        db.session.commit()
    staff = Web(app)
    assert staff.login(STAFF_EMAIL).status_code == 302
    clerk = web("respondent", municipality=CHIYODA)

    for client, url in (
        (clerk, f"/respond/rounds/{round_id}/{CHIYODA}"),
        (clerk, f"/respond/rounds/{round_id}/{CHIYODA}/history"),
        (staff, f"/staff/rounds/{round_id}/responses/{CHIYODA}"),
        (staff, f"/staff/rounds/{round_id}"),
    ):
        shown = text_of(client.get(url))
        assert "山田 花子（東京都 福祉局）" in shown, url
        assert STAFF_EMAIL not in shown, url

    auditor = web("admin")
    audit = auditor.get("/audit/?user=山田")
    who = [" ".join(c.split()) for c in page(audit).xpath("//tr[@data-audit-event]/td[3]//text()")]
    assert who
    assert set(who) == {"山田 花子（東京都 福祉局）"}


def test_the_administrator_sets_name_organisation_and_phone(app, web):
    admin = web("admin")
    form = {
        "email": "suzuki@city.chiyoda.lg.jp",
        "display_name": "鈴木 一郎",
        "organisation": "千代田区 保健福祉部",
        "phone": "03-3264-2111",
        "role": "respondent",
        "municipality": CHIYODA,
        "recipient": "",
        "password": "",
    }
    admin.get("/admin/users/new")
    created = admin.post("/admin/users/new", form)
    assert created.status_code == 303, text_of(created)
    with app.app_context():
        user = find_by_email("suzuki@city.chiyoda.lg.jp")
        assert user is not None
        user_id = user.id
        assert user.label == "鈴木 一郎（千代田区 保健福祉部）"
    url = f"/admin/users/{user_id}"
    admin.get(url)
    refused = admin.post(
        f"{url}/profile",
        {"display_name": "鈴木　一郎", "organisation": "千代田区 保健福祉部", "phone": "内線123"},
    )
    assert refused.status_code == 422
    assert page(refused).xpath("//*[@id='phone-error']")
    assert page(refused).xpath("//input[@name='display_name']/@value") == ["鈴木　一郎"]
    admin.get(url)
    done = admin.post(
        f"{url}/profile",
        {"display_name": "鈴木　一郎", "organisation": "千代田区 福祉部", "phone": ""},
    )
    assert done.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        assert (user.display_name, user.organisation, user.phone) == (
            "鈴木　一郎",
            "千代田区 福祉部",
            "",
        )
    assert "氏名・所属・電話番号を変更しました。" in text_of(admin.get(url))


def test_the_header_names_the_municipality_once(app, web) -> None:
    """「千代田 花子（千代田区 保健福祉部）」 already says where: no second 「（千代田区）」; an
    account without an organisation still says where it belongs."""
    clerk = web("respondent", municipality="131016")
    bare = " ".join(
        page(clerk.get("/respond/")).xpath("string(//*[@class='site-header__user'])").split()
    )
    assert bare.endswith("（千代田区）")
    with app.app_context():
        user = db.session.get_one(User, clerk.user.id)
        user.display_name, user.organisation = "千代田 花子", "千代田区 保健福祉部"
        db.session.commit()
    named = page(clerk.get("/respond/")).xpath("string(//*[@class='site-header__user'])")
    assert named == "千代田 花子（千代田区 保健福祉部）"
