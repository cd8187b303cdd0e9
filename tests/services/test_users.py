"""The account services used by the admin and password pages: each is audit-logged, and those
that should end old sessions bump ``session_version``."""

from __future__ import annotations

import pytest

from hub.db import db
from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.models import AuditEvent
from hub.services import users
from tests.conftest import PASSWORD, make_user


def actions() -> list[str]:
    return [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]


def test_deactivate(ctx):
    admin = make_user(role="admin")
    user = make_user(role="staff")
    users.deactivate(user, actor=admin)
    assert not user.active
    assert user.session_version == 2
    assert actions()[-1] == "user.deactivate"
    with pytest.raises(Conflict):
        users.deactivate(user, actor=admin)
    with pytest.raises(Conflict):
        users.deactivate(admin, actor=admin)


def test_reset_password_mails_a_temporary_password_that_must_be_changed(ctx, smtp):
    admin = make_user(role="admin")
    user = make_user(role="staff")
    assert users.reset_password(user, actor=admin) is None, "nothing to show the administrator"
    (mail,) = smtp.to(user.email)
    temporary = mail.get_content().split("仮パスワード: ")[1].split()[0]
    assert users.verify_password(user, temporary)
    assert not users.verify_password(user, PASSWORD)
    assert user.must_change_password
    assert user.session_version == 2
    assert actions()[-1] == "user.reset_password"
    event = db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert temporary not in f"{event.target} {event.details}"
    with pytest.raises(Conflict):
        users.reset_password(admin, actor=admin)


def test_reset_password_without_mail_is_refused(ctx):
    user = make_user(role="staff")
    with pytest.raises(Conflict) as refused:
        users.reset_password(user, actor=make_user(role="admin"))
    assert "HUB_SMTP_URL" in refused.value.message


def test_only_the_owner_mints_a_token_and_an_admin_may_revoke_it(ctx):
    admin = make_user(role="admin")
    staff = make_user(role="staff")
    other = make_user(role="staff")
    with pytest.raises(Forbidden):
        users.create_token(staff, actor=admin)
    users.create_token(staff, actor=staff)
    users.create_token(staff, actor=None)  # hub token add, on the server
    first, second = users.tokens_of(staff)
    with pytest.raises(NotFound):
        users.revoke_token(first.id, actor=other)
    users.revoke_token(first.id, actor=staff)
    users.revoke_token(second.id, actor=admin)
    with pytest.raises(Conflict):
        users.revoke_token(second.id, actor=admin)


def test_change_password(ctx):
    user = make_user(role="staff")
    with pytest.raises(Invalid) as wrong:
        users.change_password(user, "not it", "a good new passphrase")
    assert "current_password" in wrong.value.errors
    with pytest.raises(Invalid) as same:
        users.change_password(user, PASSWORD, PASSWORD)
    assert "new_password" in same.value.errors
    with pytest.raises(Invalid) as weak:
        users.change_password(user, PASSWORD, "aaaaaaaaaaaaaaa")
    assert "new_password" in weak.value.errors
    assert user.session_version == 1
    users.change_password(user, PASSWORD, "a good new passphrase")
    assert users.verify_password(user, "a good new passphrase")
    assert user.session_version == 2
    assert actions()[-1] == "user.change_password"


def test_bind_municipality(ctx):
    respondent = make_user(role="respondent", municipality="131016")
    staff = make_user(role="staff")
    with pytest.raises(Invalid):
        users.bind_municipality(staff, "131016", actor=None)
    with pytest.raises(Invalid):
        users.bind_municipality(respondent, "131017", actor=None)
    users.bind_municipality(respondent, "132012", actor=staff)
    assert respondent.municipality_code == "132012"
    assert respondent.session_version == 2
    db.session.commit()
    event = db.session.query(AuditEvent).filter_by(action="user.bind_municipality").one()
    assert event.details["before"] == "131016"
    assert event.municipality_code == "132012"
