"""Every role's main pages and error states in Chromium: zero axe-core violations (WCAG 2.1 A/AA),
and at 390 px (a phone, or 400 % zoom) the page never scrolls sideways — wide tables scroll inside
their own labelled region (issue 14, item 12 and the axe-core run of its "Must show")."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from hub.db import db, utcnow
from hub.models import OutgoingMail, Round
from hub.services import responses
from hub.services.demo import ensure_demo
from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE, no_sideways_scroll, screenshot, sign_in_directly
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.test_reference import HEADER, OSAKA

pytestmark = pytest.mark.browser

CHIYODA, HACHIOJI = "131016", "132012"


class Site:
    """What the pages are about: a round with one submitted and one draft response (with
    history), the demo's consultation cases and hearings, and one account per role."""

    def __init__(self, app: Flask, instance: Any) -> None:
        with app.app_context():
            ensure_demo(instance)
            self.round_id = make_round().id
            self.staff = make_user(role="staff").email
            self.respondent = make_user(role="respondent", municipality=CHIYODA).email
            self.admin = make_user(role="admin").email
            self.counterpart = make_user(role="counterpart", recipient="moj").email
            hachioji = make_user(role="respondent", municipality=HACHIOJI)
            response = response_of(self.round_id, HACHIOJI)
            responses.save_draft(response, {"plan_status": "no_plan"}, version=0, user=hachioji)
            responses.submit(response, raw_answers=complete_answers(), user=hachioji)
            round_ = db.session.get_one(Round, self.round_id)
            round_.invite = True  # the board's 依頼メール count
            for code, given_up in ((CHIYODA, None), (HACHIOJI, utcnow())):  # waiting, given up
                db.session.add(
                    OutgoingMail(
                        about="response.return_mail",
                        round_id=self.round_id,
                        municipality_code=code,
                        subject="件名",
                        body="本文",
                        given_up_at=given_up,
                        error="550 宛先が見つかりません" if given_up else None,
                    )
                )
            db.session.commit()


@pytest.fixture
def site(app: Flask, tmp_path) -> Site:
    return Site(app, tmp_path)


def check(page: Any, url: str, *, within: str | None = None) -> None:
    page.goto(url)
    assert page.locator("main").count() == 1, url
    assert_accessible(page, within=within)


def walk(open_page: Callable[..., Any], email: str | None, urls: list[str]) -> Any:
    """Each URL at 1280 × 800 through axe, and at 390 px for reflow; returns the desktop page."""
    desk = open_page()
    phone = open_page(viewport=PHONE)
    for page in (desk, phone):
        if email:
            sign_in_directly(page, email)
    for url in urls:
        check(desk, url)
        phone.goto(url)
        no_sideways_scroll(phone)
    return desk


def submit_empty(page: Any, form: str = "main form.form") -> None:
    page.locator(f"{form} button[type=submit]").first.click()
    page.wait_for_load_state()


def test_signing_in(app, open_page):
    page = open_page()
    check(page, "/login")
    page.get_by_label("メールアドレス").fill("nobody@example.jp")
    page.get_by_label("パスワード").fill("wrong password 123")
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()
    assert "正しくありません" in page.inner_text("main")
    assert_accessible(page)
    page.goto("/login")
    page.get_by_role("button", name="ログイン").click()
    assert_accessible(page)


def test_respondent_pages_and_errors(app, site: Site, open_page):
    rid = site.round_id
    form = f"/respond/rounds/{rid}/{CHIYODA}"
    page = walk(
        open_page,
        site.respondent,
        [
            "/respond/",
            form,
            f"{form}/history",
            f"/rounds/{rid}/responses/{CHIYODA}/template/upload",
            "/consultations/statistics",
            "/account/tokens",
            "/password",
        ],
    )
    page.goto(form)
    page.get_by_role("button", name="提出", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("[data-error-summary]").count() == 1
    assert_accessible(page)
    page.goto(f"/rounds/{rid}/responses/{CHIYODA}/template/upload")
    page.get_by_role("button", name="アップロードして確認").click()
    page.wait_for_load_state()
    assert page.locator("[data-error-summary]").count() == 1
    assert_accessible(page)
    page.set_input_files("input[type=file]", files=[_not_a_workbook()])
    page.get_by_role("button", name="アップロードして確認").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.goto("/password")
    submit_empty(page)
    assert_accessible(page)
    _token_issued_once(page)
    with app.app_context():
        draft = response_of(rid, CHIYODA)
        responses.save_draft(
            draft, complete_answers(), version=draft.version, user=make_user(role="staff")
        )
        db.session.commit()
    check(page, f"{form}/confirm")
    check(page, f"{form}/view")


def _token_issued_once(page: Any) -> None:
    """A 用途 too long is an error summary; a token issued shows once on a page of its own, and
    reloading it shows the list without the secret."""
    page.goto("/account/tokens")
    page.get_by_label("用途（省略可）").fill("あ" * 201)
    page.get_by_role("button", name="トークンを発行する").click()
    page.wait_for_load_state()
    assert page.locator("[data-error-summary]").count() == 1
    assert_accessible(page)
    page.get_by_label("用途（省略可）").fill("集計用")
    page.get_by_role("button", name="トークンを発行する").click()
    page.wait_for_load_state()
    assert page.url.endswith("/account/tokens/new")
    assert page.locator("[data-secret]").count() == 1
    assert_accessible(page)
    page.reload()
    page.wait_for_load_state()
    assert page.url.endswith("/account/tokens")
    assert page.locator("[data-secret]").count() == 0


def _not_a_workbook() -> dict[str, Any]:
    return {
        "name": "回答.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": io.BytesIO(b"this is not a workbook").getvalue(),
    }


def test_staff_pages_and_errors(app, site: Site, open_page):
    rid = site.round_id
    response = f"/staff/rounds/{rid}/responses/{HACHIOJI}"
    page = walk(
        open_page,
        site.staff,
        [
            "/staff/",
            f"/staff/rounds/{rid}",
            f"/staff/rounds/{rid}?overdue=1",
            response,
            "/staff/rounds/new",
            "/audit/",
            "/consultations",
            "/consultations/new",
            "/consultations/import",
            "/consultations/statistics",
            f"/consultations/statistics?fiscal_year={_demo_year()}",
            "/hearings",
            "/staff/recipients/",
            "/staff/recipients/moj",
            f"/staff/rounds/{rid}?lang=en",
            f"/staff/rounds/{rid}/accept",
            f"/staff/rounds/{rid}/return",
            f"/staff/rounds/{rid}/change",
            f"/staff/rounds/{rid}/remove",
        ],
    )
    page.goto(f"/staff/rounds/{rid}")
    assert page.locator("[data-mail-given-up]").is_visible()
    assert page.locator("[data-mail-waiting]").is_visible()
    assert page.locator("[data-invite]").is_visible()
    page.goto(f"/staff/rounds/{rid}/accept")
    for box in page.locator("[data-decide-many] input[type=checkbox]").all():
        box.uncheck()
    page.get_by_role("button", name="選んだ回答を受理する").click()
    page.wait_for_load_state()
    assert page.locator("[data-error-summary]").is_visible()
    assert_accessible(page)
    page.goto(f"/staff/rounds/{rid}/return")
    page.get_by_role("button", name="選んだ回答を差し戻す").click()
    page.wait_for_load_state()
    assert page.locator("[data-error-summary] a[href='#reason']").is_visible()
    assert_accessible(page)
    page.goto(f"/staff/rounds/{rid}/change")
    page.get_by_label("提出期限", exact=True).fill("来週")
    page.get_by_role("button", name="変更する").click()
    page.wait_for_load_state()
    assert page.locator("[data-error-summary] a[href='#deadline']").is_visible()
    assert_accessible(page)
    page.goto(response)
    page.get_by_role("button", name="差し戻す").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.goto("/staff/rounds/new")
    page.get_by_label("基準日").fill("令和8年4月1日")
    page.get_by_label("提出期限").fill("2099-05-31 17:00")
    page.get_by_label("依頼する区市町村（省略可）").fill("区部、八王子市")
    page.get_by_role("button", name="依頼先を確かめる").click()
    page.wait_for_load_state()
    assert page.locator("[data-round-preview]").is_visible()
    assert "閉庁日（日曜日）" in page.inner_text("[data-deadline-note]")  # 2099-05-31
    screenshot(page, "15-new-round-deadline-on-a-closed-day", top=True)
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    for url in ("/staff/rounds/new", "/consultations/new", "/hearings"):
        page.goto(url)
        submit_empty(page)
        assert_accessible(page)
    check(page, "/audit/?date_from=2021-13-01")
    page.goto("/consultations")
    page.get_by_role("link", name="相談記録を修正").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="相談記録の修正").is_visible()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/consultations/import")
    submit_empty(page, "main form")
    assert_accessible(page)


def _demo_year() -> int:
    from forms import tokyo
    from forms.consultation import fiscal_year_of

    return fiscal_year_of(tokyo.today()) - 1


def test_admin_and_counterpart_pages(app, site: Site, open_page, tmp_path):
    with app.app_context():
        user_id = make_user(role="staff").id
    page = walk(
        open_page,
        site.admin,
        [
            "/admin/",
            "/admin/?q=staff",  # a search, and one that finds nobody
            "/admin/?q=nobody-at-all",
            "/admin/users/new",
            f"/admin/users/{user_id}",
            "/admin/municipalities",
            "/admin/municipalities?status=retired",  # none yet
            "/audit/",
        ],
    )
    page.goto("/admin/users/new")
    submit_empty(page)
    assert_accessible(page)
    page.goto("/admin/municipalities")
    submit_empty(page, "main form[enctype]")
    assert page.locator("[data-error-summary]").count() == 1
    assert_accessible(page)
    municipality_list_previewed(page, tmp_path)
    municipality_retired_on_a_day(page)
    walk(open_page, site.counterpart, ["/counterpart", "/account/tokens"])


def municipality_list_previewed(page: Any, tmp_path: Any) -> None:
    """A prefecture's list with a merger: the preview of what changes, then the import."""
    lines = [HEADER, *OSAKA[:3], "272051,吹田市,すいたし,Suita City,市部,市"]
    (tmp_path / "osaka.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.goto("/admin/municipalities")
    page.set_input_files("input[type=file]", str(tmp_path / "osaka.csv"))
    page.get_by_label("ファイルにない団体を廃止にする").check()
    page.get_by_role("button", name="読み込んで確認").click()
    page.wait_for_load_state()
    assert page.locator("[data-changes=added] tr[data-change]").count() == 4
    assert_accessible(page)
    screenshot(page, "admin-municipalities-preview", top=True)
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    page.get_by_role("button", name="この内容で取り込む").click()
    page.wait_for_load_state()
    assert "追加 4" in page.locator("main").inner_text()
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "admin-municipalities", top=True)


def municipality_retired_on_a_day(page: Any) -> None:
    """「廃止にする」 asks for the day: a day that is none is refused in its field, a 和暦 day
    retires; the page reflows at 390 px."""
    page.goto("/admin/municipalities")
    page.locator("tr[data-municipality='131016'] a", has_text="廃止にする").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("廃止日").fill("令和9年4月31日")
    page.get_by_role("button", name="廃止にする", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("[data-error-summary]").count() == 1
    assert page.get_by_label("廃止日").input_value() == "令和9年4月31日"
    assert_accessible(page)
    screenshot(page, "admin-municipality-retire", top=True)
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_label("廃止日").fill("令和9年4月1日")
    page.get_by_role("button", name="廃止にする", exact=True).click()
    page.wait_for_load_state()
    assert "令和9年4月1日付けで廃止にしました" in page.locator("main").inner_text()
    assert_accessible(page)


def test_board_audit_and_statistics_fit_a_phone(app, site: Site, open_page):
    """At 390 px the board keeps each municipality's 状態 and 期限 on screen; its other columns,
    the audit log and the statistics tables scroll inside their own labelled region, which the
    keyboard reaches and scrolls."""
    from playwright.sync_api import expect

    with app.app_context():
        round_ = db.session.get(Round, site.round_id)
        round_.deadline = utcnow() - timedelta(hours=1)  # every unsubmitted one is overdue
        db.session.commit()
    page = open_page(viewport=PHONE)
    sign_in_directly(page, site.staff)
    page.goto(f"/staff/rounds/{site.round_id}")
    no_sideways_scroll(page)
    row = page.locator("tr[data-municipality='131016']")
    state, deadline = row.locator("td").nth(0), row.locator("td").nth(1)
    expect(state).to_contain_text("未着手")
    expect(state).to_contain_text("期限超過")
    for cell in (state, deadline):
        box = cell.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= PHONE["width"], cell.inner_text()
    region = page.get_by_role("region", name="区市町村ごとの状況")
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # the browser may animate the scroll: wait for it (a timeout fails the test)
    page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle(), timeout=5000)
    for url in ("/audit/", f"/consultations/statistics?fiscal_year={_demo_year()}", "/hearings"):
        page.goto(url)
        no_sideways_scroll(page)
        assert_accessible(page)
        assert page.locator(".table-scroll[role=region][tabindex='0']").count() >= 1, url


def test_list_tables_stay_readable_on_a_phone(app, site: Site, open_page):
    """At 390 px a list's leading title keeps a readable width and its dates stay one line: the
    table scrolls inside its region instead of squeezing a round's name into a column of four
    characters (17 lines) or a date into one character a line; a token's 無効にする is one
    line too."""
    page = open_page(viewport=PHONE)
    sign_in_directly(page, site.staff)
    page.goto("/staff/")
    no_sideways_scroll(page)
    row = page.locator("tbody tr").first
    title, deadline = row.locator("th"), row.locator("td").nth(1)
    assert title.bounding_box()["width"] >= 160, title.inner_text()
    line = float(deadline.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    text_height = deadline.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return r.getBoundingClientRect().height; }"
    )
    assert text_height < 2 * line, deadline.inner_text()
    page.goto("/account/tokens")
    page.get_by_role("button", name="トークンを発行する").click()
    page.goto("/account/tokens")
    no_sideways_scroll(page)
    button = page.get_by_role("button", name="無効にする").first
    assert button.bounding_box()["height"] < 2 * float(
        button.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    ), "the button's words on one line"
