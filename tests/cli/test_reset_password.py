"""``hub user reset-password``: the server's own reset, for hubs without a mail server."""

from __future__ import annotations

from hub.db import db
from hub.models import AuditEvent
from hub.services.users import find_by_email
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
