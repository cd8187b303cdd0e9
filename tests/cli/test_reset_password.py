"""``hub user reset-password`` and ``hub user reactivate``: the server's own reset and
reactivation, for hubs without a mail server."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hub.db import db
from hub.models import ApiToken, AuditEvent, Municipality
from hub.services.users import authenticate, create_token, find_by_email
from tests.conftest import make_user

TEMPORARY = "temporary words for hanako"


def test_reset_password_sets_a_temporary_password_to_replace_at_next_login(ctx, runner):
    email = make_user(role="staff").email
    result = runner("user", "reset-password", email, input=f"{TEMPORARY}\n")
    assert result.exit_code == 0, result.output
    assert "次のログインで新しいパスワード" in result.output
    db.session.expire_all()
    user = find_by_email(email)
    assert user is not None
    assert user.must_change_password
    event = db.session.query(AuditEvent).filter_by(action="user.reset_password").one()
    assert TEMPORARY not in f"{event.target} {event.details}"


def test_reset_password_mistakes_are_one_line(ctx, runner):
    unknown = runner("user", "reset-password", "nobody@example.jp", input=f"{TEMPORARY}\n")
    assert unknown.exit_code == 1
    assert "登録されていません" in unknown.output
    email = make_user(role="staff").email
    weak = runner("user", "reset-password", email, input="short\n")
    assert weak.exit_code == 1
    assert weak.output.count("\n") == 1, weak.output


def test_reactivate_sets_a_temporary_password_and_brings_no_token_back(ctx, runner):
    user = make_user(role="staff")
    email = user.email
    create_token(user)  # deactivated before deactivation revoked tokens: one still in force
    user.active = False
    db.session.commit()
    result = runner("user", "reactivate", email, input=f"{TEMPORARY}\n")
    assert result.exit_code == 0, result.output
    assert f"{email}: 再有効化しました" in result.output
    db.session.expire_all()
    user = find_by_email(email)
    assert user is not None
    assert user.active
    assert user.must_change_password
    assert authenticate(email, TEMPORARY) is not None
    assert db.session.scalars(select(ApiToken.revoked_at)).one() is not None
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-3:] == ["user.reactivate", "token.revoke", "user.reset_password"]
    assert TEMPORARY not in " ".join(
        f"{e.target} {e.details}" for e in db.session.query(AuditEvent)
    )


def test_reactivate_mistakes_are_one_line_and_change_nothing(ctx, runner):
    unknown = runner("user", "reactivate", "nobody@example.jp", input=f"{TEMPORARY}\n")
    assert unknown.exit_code == 1
    assert "登録されていません" in unknown.output
    active = make_user(role="staff").email
    twice = runner("user", "reactivate", active, input=f"{TEMPORARY}\n")
    assert twice.exit_code == 1
    assert "既に有効です" in twice.output
    assert twice.output.count("\n") == 1, twice.output
    user = make_user(role="respondent", municipality="132012")
    user.active = False
    email = user.email
    hachioji = db.session.get(Municipality, "132012")
    assert hachioji is not None
    hachioji.active, hachioji.retired_on = False, date(2020, 4, 1)
    db.session.commit()
    weak = runner("user", "reactivate", email, "--municipality", "131016", input="short\n")
    assert weak.exit_code == 1
    assert weak.output.count("\n") == 1, weak.output
    retired = runner("user", "reactivate", email, input=f"{TEMPORARY}\n")
    assert retired.exit_code == 1
    assert "132012 の区市町村は廃止されています。再有効化するには" in retired.output
    assert retired.output.count("\n") == 1, retired.output
    db.session.expire_all()
    assert not find_by_email(email).active
    moved = runner("user", "reactivate", email, "--municipality", "131016", input=f"{TEMPORARY}\n")
    assert moved.exit_code == 0, moved.output
    db.session.expire_all()
    user = find_by_email(email)
    assert user.active
    assert user.municipality_code == "131016"
