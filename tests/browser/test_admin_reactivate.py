"""The account page of a deactivated account: 「再有効化」 (without a mail server: the command to
run; with one: the button, and another municipality for one whose own was retired), its refused
choice, and a second click on 「無効化する」 — each at zero axe-core violations and without
sideways scrolling at 390 px."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hub.db import db
from hub.models import Municipality, User
from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE, no_sideways_scroll, sign_in_directly
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def deactivated(role: str, municipality: str | None = None) -> int:
    user = make_user(role=role, municipality=municipality)
    user.active = False
    db.session.commit()
    return user.id


def checked(desk: Any, phone: Any, url: str) -> None:
    desk.goto(url)
    assert_accessible(desk)
    phone.goto(url)
    no_sideways_scroll(phone)


def test_a_deactivated_account_s_page(app, open_page, smtp):
    with app.app_context():
        admin = make_user(role="admin").email
        staff = deactivated("staff")
        respondent = deactivated("respondent", "132012")
        active = make_user(role="staff").id
        hachioji = db.session.get(Municipality, "132012")
        assert hachioji is not None
        hachioji.active, hachioji.retired_on = False, date(2020, 4, 1)
        db.session.commit()
    desk, phone = open_page(), open_page(viewport=PHONE)
    for page in (desk, phone):
        sign_in_directly(page, admin)
        page.on("dialog", lambda dialog: dialog.accept())
    checked(desk, phone, f"/admin/users/{staff}")
    assert desk.get_by_role("button", name="再有効化する").is_visible()
    checked(desk, phone, f"/admin/users/{respondent}")
    assert desk.get_by_label("自治体").is_visible()
    for page in (desk, phone):
        page.get_by_role("button", name="再有効化する").click()
        page.wait_for_load_state()
        assert page.locator("[data-error-summary]").count() == 1
    assert_accessible(desk)
    no_sideways_scroll(phone)

    desk.goto(f"/admin/users/{active}")
    with app.app_context():
        db.session.get_one(User, active).active = False  # another administrator, first
        db.session.commit()
    desk.get_by_role("button", name="無効化する").click()
    desk.wait_for_load_state()
    assert "既に無効化されています" in desk.locator("[data-error-summary]").inner_text()
    assert_accessible(desk)
    phone.goto(desk.url)
    no_sideways_scroll(phone)


def test_without_a_mail_server_the_page_names_the_command(app, open_page):
    with app.app_context():
        admin = make_user(role="admin").email
        staff = deactivated("staff")
    desk, phone = open_page(), open_page(viewport=PHONE)
    for page in (desk, phone):
        sign_in_directly(page, admin)
    checked(desk, phone, f"/admin/users/{staff}")
    assert desk.locator("code", has_text="hub user reactivate").is_visible()
