"""The states the pages gained with carried answers, calculated values, refused uploads, delivery
copies and the administrator's English pages, in Chromium: zero axe-core violations (WCAG 2.1
A/AA) in Japanese and in English, and at 390 px (a phone, or 400 % zoom) no sideways scroll of
the page — the walk of tests/browser/test_accessibility.py, for what it does not reach:

- the respondent's form with answers carried from an earlier round (the note beside each field)
  and the confirmation listing the contact fields still as carried;
- a questionnaire with ``calculate`` rows: the read-only value hub.js works out as the answers are
  typed, on the respondent's form and on the staff preview of the definition;
- every upload page after a refused file (「もう一度選んでください」 beside the field, linked from
  the error summary): the Excel answer, both forms of the case import, the municipality list and
  a questionnaire definition;
- the counterpart's delivery log with mail and HTTPS copies, manifest.json and the note when a
  copy is gone, and the staff recipients' log of the same deliveries;
- the administrator's municipality pages in English, the Japanese name beside the English one.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import db
from hub.models import User
from hub.services import deliveries, questionnaires, responses
from hub.services.recipients import Changes, update_recipient
from tests.browser.accessibility import assert_accessible
from tests.browser.support import PHONE, no_sideways_scroll, sign_in_directly
from tests.conftest import complete_answers, make_round, make_user, response_of
from tests.test_reference import HEADER, OSAKA

pytestmark = pytest.mark.browser

CHIYODA = "131016"
CODES = (CHIYODA, "131024", "131032")
LANGUAGES = ("ja", "en")
NOT_A_WORKBOOK = b"this is no workbook at all"

Show = Callable[[Any], None]


def signed_in(open_page: Callable[..., Any], email: str) -> tuple[Any, Any]:
    """A desk (1280 × 800) and a phone (390 px) page, both signed in as ``email``."""
    desk, phone = open_page(), open_page(viewport=PHONE)
    for page in (desk, phone):
        sign_in_directly(page, email)
    return desk, phone


def in_both_languages(desk: Any, phone: Any, show: Show) -> None:
    """``show(page)`` brings a page to the state to check: on the desk and the phone, in Japanese
    and in English, axe finds nothing, and the phone's page does not scroll sideways."""
    for language in LANGUAGES:
        for page in (desk, phone):
            page.goto(f"/language/{language}")
            show(page)
            assert page.locator("html").get_attribute("lang") == language, page.url
            assert_accessible(page)
            if page is phone:
                no_sideways_scroll(page)


def refused_upload(page: Any, url: str, field: str, file: Path, **choices: str) -> None:
    """``file`` sent through the form of the file field ``#field`` on ``url``, and refused: the
    field says to choose the file again, and the error summary links to it."""
    page.goto(url)
    form = page.locator(f"form:has(#{field})")
    page.set_input_files(f"#{field}", str(file))
    for name, value in choices.items():
        page.select_option(f"select[name={name}]", value)
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(f"#{field}[aria-invalid=true]").count() == 1, page.url
    assert page.locator(f"#field-{field} [data-choose-again]").is_visible(), page.url
    assert page.locator(f"[data-error-summary] a[href='#{field}']").count() >= 1, page.url


# The respondent's form with answers carried from an earlier round, and its confirmation


def test_carried_answers_and_the_contacts_still_carried(app: Flask, open_page) -> None:
    from tests.web.test_carried_contacts import carried_round

    round_id = carried_round(app)
    with app.app_context():
        email = make_user(role="respondent", municipality=CHIYODA).email
    desk, phone = signed_in(open_page, email)
    url = f"/respond/rounds/{round_id}/{CHIYODA}"

    def carried(page: Any) -> None:
        page.goto(url)
        notes = page.locator("[data-carried]")
        assert notes.count() >= 4, notes.count()
        assert notes.first.is_visible()

    in_both_languages(desk, phone, carried)

    desk.goto("/language/ja")
    desk.goto(url)
    desk.locator("input[name=contact_phone]").fill("03-1111-2222")
    desk.get_by_role("button", name="提出", exact=True).click()
    desk.wait_for_load_state()
    assert desk.url.endswith("/confirm"), desk.url

    def confirm(page: Any) -> None:
        page.goto(f"{url}/confirm")
        listed = page.locator("[data-carried-personal]")
        assert listed.is_visible()
        assert listed.locator("a").count() == 3

    in_both_languages(desk, phone, confirm)


# A questionnaire with calculate rows: the respondent's form and the staff preview


def calculated_values_shown(page: Any) -> None:
    """The answers typed, and the values hub.js works out from them on screen."""
    from playwright.sync_api import expect

    page.locator("input[name=men]").fill("７")
    page.locator("input[name=women]").fill("5")
    page.locator("input[name=budget]").fill("100")
    expect(page.locator("input[name=total]")).to_have_value("12")
    expect(page.locator("input[name=per_head]")).to_have_value("8.33")
    expect(page.locator("input[name=why]")).to_be_visible()
    total = page.locator("input[name=total]")
    assert total.get_attribute("readonly") is not None
    # said beside it, and seen: it is not typed (a grey box, as the template's locked cell)
    hint = page.locator(f"#{total.get_attribute('aria-describedby')}")
    english = page.locator("html").get_attribute("lang") == "en"
    assert hint.inner_text().startswith("Not typed" if english else "入力不要"), hint.inner_text()
    background = "e => getComputedStyle(e).backgroundColor"
    assert total.evaluate(background) != page.locator("input[name=men]").evaluate(background)


def test_a_calculated_value_on_the_respondent_s_form(app: Flask, open_page) -> None:
    from tests.questionnaires.test_calculate import definition
    from tests.questionnaires.test_versions import import_file, open_kenshu

    import_file(app, definition(), "kenshu.xlsx")
    round_id = open_kenshu(app, date(2025, 6, 1))
    with app.app_context():
        email = make_user(role="respondent", municipality=CHIYODA).email
    desk, phone = signed_in(open_page, email)
    url = f"/respond/rounds/{round_id}/{CHIYODA}"

    def typed(page: Any) -> None:
        page.goto(url)
        calculated_values_shown(page)

    in_both_languages(desk, phone, typed)

    desk.goto("/language/ja")
    desk.goto(url)
    calculated_values_shown(desk)
    desk.locator("input[name=women]").fill("たくさん")
    desk.get_by_role("button", name="一時保存").click()
    desk.wait_for_load_state()
    assert desk.locator("[data-error-summary]").count() == 1
    assert_accessible(desk)


def test_a_calculated_value_on_the_staff_preview(app: Flask, open_page) -> None:
    from tests.questionnaires.test_calculate import definition

    with app.app_context():
        email = make_user(role="staff").email
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        draft_id = questionnaires.create_draft(definition(), "kenshu.xlsx", user=user).id
        db.session.commit()
    desk, phone = signed_in(open_page, email)

    def previewed(page: Any) -> None:
        page.goto(f"/staff/questionnaires/drafts/{draft_id}")
        calculated_values_shown(page)

    in_both_languages(desk, phone, previewed)


# Upload pages after a refused file


def test_every_upload_page_after_a_refused_file(app: Flask, open_page, tmp_path: Path) -> None:
    with app.app_context():
        round_id = make_round().id
        respondent = make_user(role="respondent", municipality=CHIYODA).email
        staff = make_user(role="staff").email
        admin = make_user(role="admin").email
    workbook = tmp_path / "回答.xlsx"
    workbook.write_bytes(NOT_A_WORKBOOK)
    cases = tmp_path / "相談.csv"
    cases.write_bytes("受付日,相談方法\n2020-13-40,電話\n".encode())
    repeated = tmp_path / "相談の重複.csv"
    row = "2020-06-01,電話,70代,家族,いいえ,"
    header = "受付日,相談方法,相談対象者の年代,相談者,犯罪に関する相談か,紹介した支援機関"
    repeated.write_text(f"{header}\n{row}\n{row}\n", encoding="utf-8-sig")
    municipalities = tmp_path / "list.csv"
    municipalities.write_text("code,name\n999999,どこでもない市\n", encoding="utf-8")

    desk, phone = signed_in(open_page, respondent)
    excel = f"/rounds/{round_id}/responses/{CHIYODA}/template/upload"
    in_both_languages(desk, phone, lambda page: refused_upload(page, excel, "file", workbook))

    desk, phone = signed_in(open_page, staff)
    in_both_languages(
        desk, phone, lambda page: refused_upload(page, "/consultations/import", "file", cases)
    )
    in_both_languages(
        desk,
        phone,
        lambda page: refused_upload(page, "/staff/questionnaires/upload", "file", workbook),
    )
    # the second form: the rows left out as repeats, added after all with the same file chosen
    desk.goto("/language/ja")
    desk.goto("/consultations/import")
    desk.set_input_files("#file", str(repeated))
    desk.get_by_role("button", name="取り込む").click()
    desk.wait_for_load_state()
    assert desk.locator("[data-left-out]").is_visible()
    assert_accessible(desk)

    def repeats_refused(page: Any) -> None:
        page.goto("/consultations/import")
        page.set_input_files("#file", str(repeated))
        page.locator("form:has(#file) button[type=submit]").click()
        page.wait_for_load_state()
        page.set_input_files("#repeat-file", str(cases))
        page.locator("form:has(#repeat-file) button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#repeat-file[aria-invalid=true]").count() == 1
        assert page.locator("#field-repeat-file [data-choose-again]").is_visible()
        assert page.locator("[data-error-summary] a[href='#repeat-file']").count() == 1

    in_both_languages(desk, phone, repeats_refused)

    desk, phone = signed_in(open_page, admin)
    in_both_languages(
        desk,
        phone,
        lambda page: refused_upload(
            page, "/admin/municipalities", "file", municipalities, prefecture="13"
        ),
    )


# The counterpart's delivery log with copies and the staff recipients' log


def test_delivery_copies_on_the_counterpart_s_and_the_staff_s_pages(
    app: Flask, open_page, smtp, settings
) -> None:
    from tests.deliveries.conftest import Receiver

    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        with app.app_context():
            round_id = make_round(municipalities=list(CODES)).id
            for code in CODES:
                responses.submit(
                    response_of(round_id, code), raw_answers=complete_answers(), user=None
                )
            update_recipient(
                "tokyo-probation",
                Changes(channel="smtp", address="kansatsu@example.go.jp"),
                user=None,
            )
            db.session.commit()
            gone = deliveries.deliver("tokyo-probation", round_id)
            kept = deliveries.deliver("tokyo-probation", round_id, force=True)
            update_recipient(
                "tokyo-probation", Changes(channel="https", address=receiver.url), user=None
            )
            db.session.commit()
            posted = deliveries.deliver("tokyo-probation", round_id, force=True)
            for outcome in (gone, kept, posted):
                assert outcome.status == "sent", outcome.message
            assert gone.delivery is not None
            gone_id = gone.delivery.id
            counterpart = make_user(role="counterpart", recipient="tokyo-probation").email
            staff = make_user(role="staff").email
            db.session.commit()
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
    shutil.rmtree(settings.delivery_copies_dir / "tokyo-probation" / gone_id)

    desk, phone = signed_in(open_page, counterpart)

    def log(page: Any) -> None:
        page.goto("/counterpart")
        assert page.locator("#delivery-log a[data-download]").count() >= 2
        assert page.locator("#delivery-log a[data-download-manifest]").count() == 3
        assert page.locator(f"#delivery-{gone_id} [data-not-kept]").is_visible()
        # on a phone the log scrolls inside its region: a file's name and SHA-256 keep a
        # readable width (they were squeezed to three characters a line, the page 20 000 px tall)
        for file in page.locator("#delivery-log [data-file]").all():
            box = file.bounding_box()
            assert box is not None
            assert box["width"] >= 200, (file.inner_text(), box)

    in_both_languages(desk, phone, log)

    desk, phone = signed_in(open_page, staff)

    def recipients(page: Any) -> None:
        page.goto("/staff/recipients/")
        files = page.locator("#delivery-log details.delivered-files")
        assert files.count() == 2
        files.first.locator("summary").click()
        assert page.locator("#delivery-log a[data-download]").first.is_visible()

    in_both_languages(desk, phone, recipients)
    in_both_languages(desk, phone, lambda page: page.goto("/staff/recipients/tokyo-probation"))


# The administrator's municipality pages in English


def test_the_municipality_pages_in_english_name_the_japanese_beside(
    app: Flask, open_page, tmp_path: Path
) -> None:
    with app.app_context():
        admin = make_user(role="admin").email
    desk, phone = signed_in(open_page, admin)
    osaka = tmp_path / "osaka.csv"
    lines = [HEADER, *OSAKA[:3], "272051,吹田市,すいたし,Suita City,市部,市"]
    osaka.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def listed(page: Any) -> None:
        page.goto("/admin/municipalities")
        if page.locator("html").get_attribute("lang") == "en":
            japanese = page.locator(f"tr[data-municipality='{CHIYODA}'] th [lang=ja]")
            assert japanese.inner_text() == "千代田区"

    in_both_languages(desk, phone, listed)

    def retiring(page: Any) -> None:
        page.goto(f"/admin/municipalities/{CHIYODA}/retire")
        page.locator("input[name=on]").fill("令和9年4月31日")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("[data-error-summary]").count() == 1

    in_both_languages(desk, phone, retiring)

    def previewed(page: Any) -> None:
        page.goto("/admin/municipalities")
        page.set_input_files("input[type=file]", str(osaka))
        page.locator("form:has(input[type=file]) button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("[data-changes=added] tr[data-change]").count() == 4

    in_both_languages(desk, phone, previewed)
