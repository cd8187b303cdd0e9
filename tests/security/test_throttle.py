"""Login throttling per account and per address, counted in the database so that it holds
across gunicorn workers (each with its own memory)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from hub.db import db
from hub.models import AuditEvent, LoginAttempt
from hub.services import throttle
from tests.conftest import PASSWORD, make_user
from tests.security.conftest import Web, page, run_other_process, text_of

WRONG = "not the password at all"
THROTTLED = "ログインの失敗が続いたため"


def attempt(web: Web, email: str, password: str, address: str = "127.0.0.1", **headers: str):
    web.get("/login")
    return web.client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": web.csrf()},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def staff_email(app) -> str:
    with app.app_context():
        return make_user(role="staff").email


def test_an_account_is_locked_after_five_failures_even_for_the_right_password(app):
    email = staff_email(app)
    web = Web(app)
    for _ in range(throttle.PER_ACCOUNT):
        assert attempt(web, email, WRONG).status_code == 200
    locked = attempt(web, email, PASSWORD)
    assert locked.status_code == 429
    assert THROTTLED in text_of(locked)
    assert "15分" in text_of(locked)
    assert locked.headers["Retry-After"] == "900"
    assert page(locked).xpath("//input[@name='email']/@value") == [email]
    assert page(locked).xpath("//input[@name='password']/@value") in ([], [""])
    assert web.get("/staff/").status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("auth.login_failed") == throttle.PER_ACCOUNT
        assert "auth.login_throttled" in actions
        assert "auth.login" not in actions


def test_the_lock_is_per_account_case_and_spaces_ignored(app):
    email = staff_email(app)
    other = staff_email(app)
    web = Web(app)
    for typed in (email.upper(), f"  {email} ", email, email.title(), email):
        attempt(web, typed, WRONG)
    assert attempt(web, email, PASSWORD).status_code == 429
    assert attempt(Web(app), other, PASSWORD).status_code == 302


def test_the_lock_ends_when_the_window_has_passed(app):
    email = staff_email(app)
    web = Web(app)
    for _ in range(throttle.PER_ACCOUNT):
        attempt(web, email, WRONG)
    assert attempt(web, email, PASSWORD).status_code == 429
    with app.app_context():
        for row in db.session.scalars(select(LoginAttempt)):
            row.at -= throttle.WINDOW + timedelta(seconds=1)
        db.session.commit()
    assert attempt(web, email, PASSWORD).status_code == 302


def test_a_success_forgets_the_accounts_failures(app):
    email = staff_email(app)
    for _ in range(throttle.PER_ACCOUNT - 1):
        attempt(Web(app), email, WRONG)
    assert attempt(Web(app), email, PASSWORD).status_code == 302
    for _ in range(throttle.PER_ACCOUNT - 1):
        attempt(Web(app), email, WRONG)
    assert attempt(Web(app), email, PASSWORD).status_code == 302


def test_an_address_is_locked_after_thirty_failures_over_many_accounts(app):
    email = staff_email(app)
    web = Web(app)
    for n in range(throttle.PER_ADDRESS):
        assert attempt(web, f"guess{n}@example.jp", WRONG, "10.9.8.7").status_code == 200
    assert attempt(web, email, PASSWORD, "10.9.8.7").status_code == 429
    assert attempt(Web(app), email, PASSWORD, "10.9.8.8").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(app):
    """Not behind a proxy (the default), X-Forwarded-For is the client's word: ignored."""
    email = staff_email(app)
    web = Web(app)
    for n in range(throttle.PER_ADDRESS):
        attempt(
            web, f"guess{n}@example.jp", WRONG, "10.9.8.7", **{"X-Forwarded-For": f"192.0.2.{n}"}
        )
    answer = attempt(web, email, PASSWORD, "10.9.8.7", **{"X-Forwarded-For": "198.51.100.1"})
    assert answer.status_code == 429
    with app.app_context():
        addresses = set(db.session.scalars(select(LoginAttempt.address)))
    assert addresses == {"10.9.8.7"}


def test_nothing_typed_in_the_email_field_that_is_not_an_address_reaches_the_audit_log(app):
    web = Web(app)
    for typed in ("MySecretPassw0rd!", "p@ssw0rd-Secret", "Secret@12.34"):
        attempt(web, typed, WRONG)
    attempt(web, "Someone@Example.JP", WRONG)
    with app.app_context():
        targets = db.session.scalars(select(AuditEvent.target)).all()
    assert len(targets) == 4
    assert not any("Secret" in t for t in targets)
    assert "Someone@example.jp" in targets


OTHER_WORKER = """
    import json, re
    from hub import create_app
    from hub.config import load_settings

    app = create_app(load_settings(testing=True))
    client = app.test_client()
    statuses = []
    for _ in range({count}):
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = client.post(
            "/login", data={{"email": {email!r}, "password": {password!r}, "csrf_token": token}}
        )
        statuses.append(answer.status_code)
    print(json.dumps(statuses))
"""


def test_failures_in_another_worker_process_count_here(app, settings):
    """Two app instances in two processes on one database, as two gunicorn workers: failures
    seen by either add up, and each then refuses the account."""
    email = staff_email(app)
    here = Web(app)
    for _ in range(2):
        assert attempt(here, email, WRONG).status_code == 200
    there = run_other_process(settings, OTHER_WORKER.format(count=3, email=email, password=WRONG))
    assert json.loads(there) == [200, 200, 200]
    assert attempt(here, email, PASSWORD).status_code == 429
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 5
    refused_there = run_other_process(
        settings, OTHER_WORKER.format(count=1, email=email, password=PASSWORD)
    )
    assert json.loads(refused_there) == [429]


def test_the_attempts_table_keeps_neither_what_was_typed_nor_old_rows(app):
    email = staff_email(app)
    with app.app_context():
        db.session.add(LoginAttempt(email="old", address="10.0.0.1"))
        db.session.commit()
        for row in db.session.scalars(select(LoginAttempt)):
            row.at -= throttle.KEEP + timedelta(minutes=1)
        db.session.commit()
    attempt(Web(app), email, WRONG)
    attempt(Web(app), "my secret password", WRONG)
    with app.app_context():
        kept = db.session.scalars(select(LoginAttempt.email)).all()
    assert len(kept) == 2
    assert "old" not in kept
    assert not any(email in k or "secret" in k for k in kept)


def test_an_unknown_address_costs_the_same_verification_as_a_known_one(app, monkeypatch):
    """So the time a failed login takes does not tell which addresses have accounts."""
    from argon2 import PasswordHasher

    from hub.services import users

    email = staff_email(app)
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            calls.append(str(password))
            return super().verify(hash, password)

    monkeypatch.setattr(users, "_hasher", Counting(time_cost=1, memory_cost=64, parallelism=1))
    attempt(Web(app), "nobody-here@example.jp", WRONG)
    attempt(Web(app), email, WRONG)
    assert calls == [WRONG, WRONG]
