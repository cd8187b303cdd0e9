"""``hub user set-role EMAIL ROLE [--municipality CODE] [--recipient NAME] [--lang en]``: the
administrator's change of role on the server's command line, refusals in one line."""

from __future__ import annotations

from sqlalchemy import select

from hub.db import db
from hub.models import ApiToken, AuditEvent, User
from hub.services.users import create_token, find_by_email
from tests.conftest import make_user


def reread(email: str) -> User:
    db.session.remove()
    user = find_by_email(email)
    assert user is not None
    return user


def test_a_respondent_becomes_a_window_of_another_municipality(runner, ctx, smtp):
    user = make_user(role="respondent", municipality="132012", email="Tanaka@example.jp")
    create_token(user)
    db.session.commit()
    result = runner(
        "user", "set-role", "ｔａｎａｋａ＠example.jp", "window", "--municipality", "１３１０１６"
    )
    assert result.exit_code == 0, result.output
    assert "Tanaka@example.jp: 役割・所属を変更しました。" in result.output
    assert "本人に、もう一度ログインするようメールで知らせました。" in result.output
    moved = reread("tanaka@example.jp")
    assert (moved.role, moved.municipality_code) == ("window", "131016")
    assert moved.session_version == 2
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.change_role"))
    assert event is not None
    assert event.user_id is None
    assert event.details == {
        "role": "window",
        "role_before": "respondent",
        "municipality_before": "132012",
    }
    (mail,) = smtp.to("Tanaka@example.jp")
    assert "変更後: 相談窓口（区市町村） 千代田区" in mail.get_content()

    again = runner("user", "set-role", "tanaka@example.jp", "window", "--municipality", "131016")
    assert again.exit_code == 0
    assert "何も変更していません" in again.output
    assert len(smtp.to("Tanaka@example.jp")) == 1


def test_refusals_are_one_line_in_japanese_or_english(runner, ctx):
    make_user(role="staff", email="sato@example.jp")
    for args, message in [
        (("window",), "相談窓口（window）には自治体コードが必要です。"),
        (("respondent", "--municipality", "999999"), "自治体コード 999999 は登録されていません。"),
        (("staff", "--municipality", "131016"), "自治体を結び付けられるのは回答者"),
        (
            ("counterpart", "--recipient", "nobody"),
            "送付先 nobody は登録されていません（登録されている送付先: moj（法務省 保護局）",
        ),
    ]:
        result = runner("user", "set-role", "sato@example.jp", *args)
        assert result.exit_code == 1, args
        assert message in result.output, args
        assert "Traceback" not in result.output
    english = runner("user", "set-role", "sato@example.jp", "window", "--lang", "en")
    assert english.exit_code == 1
    assert "A window user needs a municipality code." in english.output
    unknown = runner("user", "set-role", "nobody@example.jp", "staff")
    assert unknown.exit_code == 1
    assert "ユーザー nobody@example.jp は登録されていません。" in unknown.output
    unknown_en = runner("user", "set-role", "nobody@example.jp", "staff", "--lang", "en")
    assert unknown_en.exit_code == 1
    assert "No account is registered for nobody@example.jp." in unknown_en.output
    not_a_role = runner("user", "set-role", "sato@example.jp", "boss")
    assert not_a_role.exit_code == 2
    assert reread("sato@example.jp").role == "staff"


def test_the_last_active_administrator_keeps_the_role(runner, ctx):
    make_user(role="admin", email="kanri@example.jp")
    gone = make_user(role="admin", email="former@example.jp")
    gone.active = False
    db.session.commit()
    refused = runner("user", "set-role", "kanri@example.jp", "staff")
    assert refused.exit_code == 1
    assert "有効なシステム管理者はこのアカウントだけのため、役割を変更できません。" in (
        refused.output
    )
    assert reread("kanri@example.jp").role == "admin"
    deactivated = runner("user", "set-role", "former@example.jp", "staff")
    assert deactivated.exit_code == 1
    assert "先に再有効化してください" in deactivated.output
    make_user(role="admin", email="kanri2@example.jp")
    done = runner("user", "set-role", "kanri@example.jp", "staff")
    assert done.exit_code == 0, done.output
    assert "メール送信（HUB_SMTP_URL）が設定されていません" in done.output
    assert reread("kanri@example.jp").role == "staff"


def test_what_the_new_role_takes_none_of_is_let_go_and_said_as_on_the_page(runner, ctx):
    make_user(role="respondent", municipality="132012", email="suzuki@example.jp")
    # a municipality named for a role that takes none is refused, even the account's own
    named = runner("user", "set-role", "suzuki@example.jp", "staff", "--municipality", "132012")
    assert named.exit_code == 1
    assert "自治体を結び付けられるのは回答者" in named.output
    assert reread("suzuki@example.jp").municipality_code == "132012"
    # a role that takes one keeps the present municipality when none is named
    window = runner("user", "set-role", "suzuki@example.jp", "window")
    assert window.exit_code == 0, window.output
    assert "結び付きを外しました" not in window.output
    assert (reread("suzuki@example.jp").role, reread("suzuki@example.jp").municipality_code) == (
        "window",
        "132012",
    )
    # one that takes none lets it go, and says so
    staff = runner("user", "set-role", "suzuki@example.jp", "staff")
    assert staff.exit_code == 0, staff.output
    assert "区市町村 八王子市（132012）との結び付きを外しました。" in staff.output
    assert reread("suzuki@example.jp").municipality_code is None

    make_user(role="counterpart", recipient="moj", email="moj@example.jp")
    english = runner("user", "set-role", "moj@example.jp", "admin", "--lang", "en")
    assert english.exit_code == 0, english.output
    assert "The link to the recipient moj has been removed." in english.output
    assert reread("moj@example.jp").recipient_name is None
