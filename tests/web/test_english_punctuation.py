"""English pages and messages put notes in ASCII brackets and lists between ", " (not 「（）」 and
「、」) and name the round in English in the Excel page's breadcrumbs; the Japanese pages and
messages stay as they were. The names inside (municipalities', recipients', people's labels) stay
as they are."""

from __future__ import annotations

import pytest

from hub.db import db
from hub.errors import Invalid
from hub.services.consultations import record_case
from hub.services.recipients import address_problem
from hub.services.rounds import municipalities_named
from tests.conftest import make_round
from tests.web.conftest import page, text_of

CHIYODA = "131016"
ENGLISH_TITLE = "Survey of municipal efforts to prevent recidivism (as of 2021-04-01)"


def _problems(app, lang: str, typed: str) -> list[str]:
    with app.test_request_context(f"/?lang={lang}"), pytest.raises(Invalid) as caught:
        municipalities_named(typed)
    return caught.value.errors["municipalities"]


def test_unknown_municipalities_are_listed_with_the_locales_separator(app):
    english = _problems(app, "en", "ほげ、ふが")
    assert any("ほげ, ふが" in m for m in english), english
    assert not any("、" in m for m in english), english
    japanese = _problems(app, "ja", "ほげ、ふが")
    assert any("ほげ、ふが" in m for m in japanese), japanese


def test_mail_address_problems_read_in_english(app):
    with app.test_request_context("/?lang=en"):
        assert address_problem("smtp", "") == "Sending by e-mail needs an e-mail address."
        bad = address_problem("smtp", "foo, bar@")
    assert bad is not None
    assert "foo (" in bad, bad
    assert "), bar@ (" in bad, bad
    assert not set("（）、") & set(bad), bad
    with app.test_request_context("/?lang=ja"):
        assert address_problem("smtp", "") == "メール送信にはメールアドレスが必要です。"
        assert "foo（" in (address_problem("smtp", "foo, bar@") or "")


def test_the_statistics_legend_puts_the_share_in_ascii_brackets(app, web):
    with app.app_context():
        for age in ("30s", "30s", "40s"):
            record_case(
                {
                    "received_on": "2020-08-01",
                    "channel": "phone",
                    "age_group": age,
                    "caller": "self",
                },
                user=None,
            )
        db.session.commit()
    staff = web("staff")
    staff.get("/language/en")
    legend = " ".join(
        li.text_content()
        for li in page(staff.get("/consultations/statistics?fiscal_year=2020")).xpath("//li[svg]")
    )
    assert "(66.7%)" in legend, legend
    assert "（" not in legend, legend
    staff.get("/language/ja")
    legend = " ".join(
        li.text_content()
        for li in page(staff.get("/consultations/statistics?fiscal_year=2020")).xpath("//li[svg]")
    )
    assert "（66.7%）" in legend, legend


def test_the_staff_and_excel_pages_use_ascii_brackets_and_the_english_title(app, web):
    with app.app_context():
        round_id = make_round().id
    staff = web("staff")
    staff.get("/language/en")
    heading = " ".join(
        page(staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}"))
        .xpath("string(//h1)")
        .split()
    )
    assert heading == "Chiyoda (131016 · Special wards)", heading
    crumbs = page(staff.get(f"/rounds/{round_id}/responses/{CHIYODA}/template/upload")).xpath(
        "string(//nav[contains(@class, 'breadcrumbs')])"
    )
    assert ENGLISH_TITLE in crumbs, crumbs
    assert "現在）" not in crumbs
    staff.get("/language/ja")
    heading = " ".join(
        page(staff.get(f"/staff/rounds/{round_id}/responses/{CHIYODA}"))
        .xpath("string(//h1)")
        .split()
    )
    assert heading == "千代田区（131016 · 区部）", heading


def test_the_respondents_header_and_buttons_use_ascii_brackets(app, web):
    with app.app_context():
        make_round()
    clerk = web("respondent", municipality=CHIYODA)
    clerk.get("/language/en")
    home = text_of(clerk.get("/respond/"))
    assert "(Chiyoda)" in home, home
    assert f"({ENGLISH_TITLE})" in home, home
    assert "（Chiyoda）" not in home, home
    assert "（Survey" not in home, home
    clerk.get("/language/ja")
    assert "（千代田区）" in text_of(clerk.get("/respond/"))


def test_the_municipality_list_names_each_button_in_ascii_brackets(web):
    admin = web("admin")
    admin.get("/language/en")
    row = page(admin.get("/admin/municipalities")).xpath("//tr[@data-municipality='131016']")[0]
    assert "Retire (Chiyoda)" in " ".join(row.text_content().split())
    admin.get("/language/ja")
    row = page(admin.get("/admin/municipalities")).xpath("//tr[@data-municipality='131016']")[0]
    assert "（千代田区）" in row.text_content()


def test_a_closed_round_and_a_hidden_referral_are_refused_in_english(app):
    """Two refusals that reached English pages in Japanese."""
    from hub.auth.policy import see_referral
    from hub.errors import Conflict, NotFound
    from hub.services.rounds import close_round
    from tests.conftest import make_user

    with app.test_request_context("/?lang=en"):
        round_ = close_round(make_round(), user=None)
        with pytest.raises(Conflict) as closed:
            close_round(round_, user=None)
        assert str(closed.value) == "This round is already closed."
        with pytest.raises(NotFound) as hidden:
            see_referral(make_user(role="window", municipality=CHIYODA), None)
        assert str(hidden.value) == "No such referral."
        db.session.rollback()
