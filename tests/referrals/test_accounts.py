"""A municipal window account: ``hub user add EMAIL --role window --municipality CODE`` and the
administrator's pages."""

from __future__ import annotations

from hub.db import db
from hub.services.users import find_by_email
from tests.conftest import PASSWORD
from tests.web.conftest import page, web

__all__ = ["web"]


def test_a_window_user_is_bound_to_one_municipality(runner, ctx):
    result = runner(
        "user",
        "add",
        "madoguchi@city.hachioji.example.jp",
        "--role",
        "window",
        "--municipality",
        "１３２０１２",
        "--name",
        "八王子市 福祉窓口",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    db.session.remove()
    user = find_by_email("madoguchi@city.hachioji.example.jp")
    assert user is not None
    assert (user.role, user.municipality_code, user.display_name) == (
        "window",
        "132012",
        "八王子市 福祉窓口",
    )


def test_a_window_without_a_municipality_is_one_line(runner, ctx):
    result = runner("user", "add", "w@example.jp", "--role", "window", input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "自治体コード" in result.output
    assert "Traceback" not in result.output
    unknown = runner(
        "user",
        "add",
        "w@example.jp",
        "--role",
        "window",
        "--municipality",
        "999999",
        input=PASSWORD + "\n",
    )
    assert unknown.exit_code == 1
    assert "999999" in unknown.output


def test_an_administrator_creates_a_window_on_the_admin_page_and_rebinds_it(app, web):
    admin = web("admin")
    form = page(admin.get("/admin/users/new"))
    assert form.xpath("//select[@name='role']/option[@value='window']")
    answer = admin.post(
        "/admin/users/new",
        {"email": "window@city.hachioji.example.jp", "role": "window", "municipality": "132012"},
    )
    assert answer.status_code == 303
    with app.app_context():
        user = find_by_email("window@city.hachioji.example.jp")
        assert user is not None
        assert (user.role, user.municipality_code) == ("window", "132012")
        user_id = user.id
    shown = admin.get(f"/admin/users/{user_id}")
    assert page(shown).xpath("//form[contains(@action, '/role')]//select[@name='municipality']")
    moved = admin.post(f"/admin/users/{user_id}/role", {"role": "window", "municipality": "131016"})
    assert moved.status_code == 302
    with app.app_context():
        assert find_by_email("window@city.hachioji.example.jp").municipality_code == "131016"
