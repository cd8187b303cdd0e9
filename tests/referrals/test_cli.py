"""``hub user add EMAIL --role window --municipality CODE``: a municipal window account."""

from __future__ import annotations

from hub.db import db
from hub.services.users import find_by_email
from tests.conftest import PASSWORD


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
