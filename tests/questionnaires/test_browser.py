"""In Chromium: a staff member uploads a definition written in Excel, previews it (conditions
live, the sample template), publishes it and opens a round on it; a respondent fills it in with
conditions appearing and disappearing, and sees last round's answer beside the fields."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub.db import db
from hub.models import User
from hub.services import questionnaires
from tests.browser.accessibility import assert_accessible
from tests.browser.support import no_sideways_scroll, screenshot, sign_in, sign_in_directly
from tests.conftest import make_user
from tests.questionnaires.files import broken, kenshu_v1

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_staff_uploads_previews_publishes_and_opens_a_round_then_a_respondent_fills_it(
    app, open_page, tmp_path
) -> None:
    from playwright.sync_api import expect

    good = tmp_path / "kenshu.xlsx"
    good.write_bytes(kenshu_v1())
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(broken())
    with app.app_context():
        staff_email = make_user(role="staff").email
        respondent_email = make_user(role="respondent", municipality="131016").email

    staff = open_page()
    sign_in(staff, staff_email)
    staff.get_by_role("link", name="調査票", exact=True).first.click()
    staff.get_by_role("link", name="調査票をアップロード").click()

    staff.get_by_label("調査票の定義ファイル").set_input_files(str(bad))
    staff.get_by_role("button", name="アップロードして検査").click()
    problems = staff.locator("#definition-problems")
    expect(problems).to_contain_text("名前「memo」は2行目でも使われています。")
    expect(problems.locator("tbody tr")).to_have_count(3)
    assert_accessible(staff)

    staff.get_by_label("調査票の定義ファイル").set_input_files(str(good))
    staff.get_by_role("button", name="アップロードして検査").click()
    expect(staff.get_by_role("heading", name="研修会参加状況調査", level=1)).to_be_visible()
    people = staff.get_by_label("参加人数")
    expect(people).to_be_hidden()
    staff.locator("#field-attended").get_by_label("はい").check()
    expect(people).to_be_visible()
    people.fill("６００")
    staff.get_by_role("button", name="入力内容を検査（保存されません）").click()
    expect(staff.locator(".error-summary")).to_contain_text("1人以上500人以下で入力してください。")
    assert_accessible(staff)
    with staff.expect_download() as download:
        staff.get_by_role("link", name="回答用Excelの見本をダウンロード").click()
    assert download.value.suggested_filename == "kenshu_v1_template.xlsx"

    staff.get_by_role("button", name="この調査票を公開する").click()
    expect(staff.locator("body")).to_contain_text("を公開しました")
    expect(staff.get_by_role("table", name="kenshu の版")).to_contain_text("第1版")
    assert_accessible(staff)

    staff.goto("/staff/rounds/new")
    staff.get_by_label("調査票").select_option("kenshu@1")
    staff.get_by_label("基準日").fill("令和7年4月1日")
    staff.get_by_label("提出期限").fill("2099-05-31 17:00")
    staff.get_by_role("button", name="開始する").click()
    expect(staff.locator("body")).to_contain_text("調査回を開始しました")

    respondent = open_page()
    sign_in(respondent, respondent_email)
    respondent.get_by_role("link", name=re.compile("研修会参加状況調査")).first.click()
    people = respondent.get_by_label("参加人数")
    held = respondent.get_by_label("開催日")
    expect(people).to_be_hidden()
    expect(held).to_be_hidden()
    respondent.locator("#field-attended").get_by_label("はい").check()
    expect(people).to_be_visible()
    expect(held).to_be_visible()
    respondent.locator("#field-attended").get_by_label("いいえ").check()
    expect(people).to_be_hidden()
    respondent.locator("#field-attended").get_by_label("はい").check()
    people.fill("１２")
    held.fill("令和9年1月1日")
    respondent.get_by_role("button", name="一時保存").click()
    expect(respondent.locator(".error-summary")).to_contain_text("開催日")
    assert_accessible(respondent)
    held.fill("令和7年3月1日")
    respondent.get_by_role("button", name="一時保存").click()
    expect(respondent.locator("body")).to_contain_text("一時保存しました")
    expect(respondent.get_by_label("参加人数")).to_have_value("12")


def test_the_questionnaire_pages_fit_a_phone_and_pass_axe(app, open_page, tmp_path) -> None:
    from tests.browser.support import PHONE

    with app.app_context():
        email = make_user(role="staff").email
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        draft = questionnaires.create_draft(kenshu_v1(), "kenshu.xlsx", user=user)
        db.session.commit()
        draft_id = draft.id
    urls = [
        "/staff/questionnaires/",
        "/staff/questionnaires/upload",
        f"/staff/questionnaires/drafts/{draft_id}",
        "/staff/questionnaires/torikumi/versions/1",
    ]
    desk, phone = open_page(), open_page(viewport=PHONE)
    for page in (desk, phone):
        sign_in_directly(page, email)
    for url in urls:
        desk.goto(url)
        assert_accessible(desk)
        phone.goto(url)
        no_sideways_scroll(phone)


def previews(app, open_page, definition: bytes):
    """``definition`` uploaded as a draft; its preview opened on a desk, then on a phone."""
    from tests.browser.support import PHONE

    with app.app_context():
        email = make_user(role="staff").email
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        draft_id = questionnaires.create_draft(definition, "kenshu.xlsx", user=user).id
        db.session.commit()
    for viewport in (None, PHONE):
        page = open_page(viewport=viewport) if viewport else open_page()
        sign_in_directly(page, email)
        page.goto(f"/staff/questionnaires/drafts/{draft_id}")
        yield viewport, page


def test_a_drop_down_decides_what_is_asked_as_a_radio_group_does(app, open_page) -> None:
    """``appearance`` ``minimal``: choosing in the drop-down list shows the question that
    depends on it (hub.js reads a select as it reads radios); axe-clean, and on a phone."""
    from playwright.sync_api import expect

    from tests.forms.xlsform_files import YES_NO, form

    definition = form(
        [
            ("select_one yes_no", "plan", "計画の有無", None, "minimal"),
            ("text", "plan_name", "計画の名称", "${plan} = 'yes'", "multiline"),
        ],
        YES_NO,
        survey_header=("type", "name", "label", "relevant", "appearance"),
    )
    for viewport, page in previews(app, open_page, definition):
        name = page.get_by_label("計画の名称")
        expect(name).to_be_hidden()
        page.get_by_label("計画の有無").select_option("yes")
        expect(name).to_be_visible()
        name.fill("第一次\n再犯防止推進計画")
        assert_accessible(page)
        if viewport:
            no_sideways_scroll(page)
        page.get_by_label("計画の有無").select_option("no")
        expect(name).to_be_hidden()


def test_a_cascading_select_offers_the_cities_of_the_chosen_prefecture(app, open_page) -> None:
    """``choice_filter`` in the browser: radios and a drop-down show only what the rule offers
    for the prefecture chosen; a city chosen before the prefecture changed stays in sight, and
    the check says why it cannot be kept. Axe-clean, and on a phone."""
    from playwright.sync_api import expect

    from tests.forms.test_choice_filter import CASCADE, CHOICES, CHOICES_HEADER, HEADER
    from tests.forms.xlsform_files import form

    rows = [*CASCADE, ("select_one city", "office", "窓口のある市", "pref = ${pref}")]
    definition = form([(*r, "minimal" if r[1] == "office" else None) for r in rows], CHOICES,
                      survey_header=(*HEADER, "appearance"), choices_header=CHOICES_HEADER)  # fmt: skip
    for viewport, page in previews(app, open_page, definition):
        city = page.locator("#field-city")
        chiyoda, osaka = city.get_by_label("千代田区"), city.get_by_label("大阪市")
        expect(chiyoda).to_be_hidden()
        expect(osaka).to_be_hidden()
        waiting = city.get_by_text("ほかの質問に答えると、ここで選べる選択肢が表示されます。")
        expect(waiting).to_be_visible()
        page.locator("#field-pref").get_by_label("東京都").check()
        expect(waiting).to_be_hidden()
        expect(chiyoda).to_be_visible()
        expect(osaka).to_be_hidden()
        office = page.get_by_label("窓口のある市")
        assert office.locator("option:not([hidden])").all_inner_texts() == [
            "選択してください", "千代田区", "八王子市",
        ]  # fmt: skip
        chiyoda.check()
        office.select_option("132012")
        assert_accessible(page)
        if not viewport:
            screenshot(page, "questionnaire-preview-cascading-select")
        page.locator("#field-pref").get_by_label("大阪府").check()
        expect(chiyoda).to_be_visible()  # chosen: kept in sight
        expect(osaka).to_be_visible()
        expect(city.get_by_label("八王子市")).to_be_hidden()
        if viewport:
            no_sideways_scroll(page)
            continue
        page.get_by_role("button", name="入力内容を検査（保存されません）").click()
        expect(page.locator(".error-summary")).to_contain_text(
            "「千代田区」は、ほかの質問への回答からは選べません"
        )
        assert_accessible(page)


def test_a_guidance_hint_opens_on_request(app, open_page) -> None:
    """``guidance_hint``: folded under the hint, opened by keyboard; axe-clean closed and open,
    and on a phone."""
    from playwright.sync_api import expect

    from tests.forms.xlsform_files import YES_NO, form

    long_line = "兼務の職員、会計年度任用職員、再任用職員を含めた人数です。" * 4
    definition = form(
        [("integer", "staff_count", "担当職員数", "人数", f"3月31日時点。\n{long_line}")],
        YES_NO,
        survey_header=("type", "name", "label", "hint", "guidance_hint"),
    )
    for viewport, page in previews(app, open_page, definition):
        text = page.locator("details.guidance p")
        expect(text).to_be_hidden()
        assert_accessible(page)
        page.locator("details.guidance summary").focus()
        page.keyboard.press("Enter")
        expect(text).to_be_visible()
        assert text.inner_text().startswith("3月31日時点。\n兼務")
        assert_accessible(page)
        if viewport:
            no_sideways_scroll(page)


def test_printing_shows_the_guidance_open_with_and_without_scripts(app, open_page) -> None:
    """Enketo prints guidance open; so does the hub. Without scripts, Chromium's print styles
    show the folded text (``::details-content``), the <details> left closed; with scripts, the
    <details> opens just before printing and folds back after — one opened by hand stays open."""
    from playwright.sync_api import expect

    from tests.forms.xlsform_files import YES_NO, form

    definition = form(
        [
            ("integer", "staff_count", "担当職員数", "人数", "3月31日時点の人数です。"),
            ("integer", "budget", "関連予算額", "千円", "当初予算の額です。"),
        ],
        YES_NO,
        survey_header=("type", "name", "label", "hint", "guidance_hint"),
    )
    with app.app_context():
        email = make_user(role="staff").email
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        draft_id = questionnaires.create_draft(definition, "kenshu.xlsx", user=user).id
        db.session.commit()

    plain = open_page(java_script_enabled=False)
    sign_in_directly(plain, email)
    plain.goto(f"/staff/questionnaires/drafts/{draft_id}")
    texts = plain.locator("details.guidance p")
    expect(texts.first).to_be_hidden()
    plain.emulate_media(media="print")
    for index in range(2):
        expect(texts.nth(index)).to_be_visible()
    assert plain.locator("details.guidance[open]").count() == 0, "CSS only: nothing opened"
    plain.emulate_media(media="screen")
    expect(texts.first).to_be_hidden()

    page = open_page()
    sign_in_directly(page, email)
    page.goto(f"/staff/questionnaires/drafts/{draft_id}")
    details = page.locator("details.guidance")
    details.nth(1).locator("summary").click()  # opened by hand before printing
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("[...document.querySelectorAll('details.guidance')].map(d => d.open)") == [
        True,
        True,
    ]
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate("[...document.querySelectorAll('details.guidance')].map(d => d.open)") == [
        False,
        True,
    ]
    expect(page.locator("details.guidance p").first).to_be_hidden()


def test_a_scale_and_columns_lay_the_choices_side_by_side_and_wrap_on_a_phone(
    app, open_page
) -> None:
    """``likert`` puts a select_one's choices in one row, each label under its button;
    ``columns`` a select_multiple's in columns, ``columns-3`` a select_one's in exactly three.
    Still a radio group and check boxes (keyboard, axe); on a phone one choice a line, nothing
    scrolling sideways."""
    from playwright.sync_api import expect

    from tests.forms.xlsform_files import form

    scale = [("scale", code, label) for code, label in (
        ("1", "まったく役に立たなかった"), ("2", "あまり役に立たなかった"), ("3", "どちらともいえない"),
        ("4", "やや役に立った"), ("5", "とても役に立った"),
    )]  # fmt: skip
    areas = [("area", f"a{n}", f"地域{n}") for n in range(1, 9)]
    definition = form(
        [
            ("select_one scale", "useful", "研修は役に立ったか", "likert"),
            ("select_multiple area", "areas", "対象地域", "columns"),
            ("select_one area", "base", "拠点の地域", "columns-3"),
        ],
        [*scale, *areas],
        survey_header=("type", "name", "label", "appearance"),
    )
    for viewport, page in previews(app, open_page, definition):
        buttons = page.locator("[data-question='useful'] .choice")
        tops = {round(b.bounding_box()["y"]) for b in buttons.all()}
        assert len(tops) == (1 if viewport is None else 5), (
            "one row on a desk, a line each on a phone"
        )
        page.get_by_label("とても役に立った").check()
        expect(page.get_by_label("とても役に立った")).to_be_checked()
        page.keyboard.press("ArrowLeft")
        expect(page.get_by_label("やや役に立った")).to_be_checked()
        boxes = page.locator("[data-question='areas'] .choice").all()
        lefts = {round(b.bounding_box()["x"]) for b in boxes}
        assert (len(lefts) > 1) is (viewport is None), "columns on a desk, one on a phone"
        three = page.locator("[data-question='base'] .choice").all()
        lefts = {round(b.bounding_box()["x"]) for b in three}
        assert len(lefts) == (3 if viewport is None else 1), "columns-3: three on a desk"
        page.get_by_label("地域3", exact=True).first.check()
        assert_accessible(page)
        page.locator("[data-question='useful']").scroll_into_view_if_needed()
        screenshot(page, f"questionnaire-likert-{'phone' if viewport else 'desk'}")
        if viewport:
            no_sideways_scroll(page)


def test_the_changes_from_the_stored_version_read_well_on_a_desk_and_a_phone(
    app, open_page
) -> None:
    """The preview of 第2版 lists what it changes from 第1版: axe-clean, nothing scrolling
    sideways at 390 px."""
    from tests.questionnaires.files import kenshu_v2

    with app.app_context():
        questionnaires.import_definition(kenshu_v1(), "kenshu.xlsx")
        db.session.commit()
    for viewport, page in previews(app, open_page, kenshu_v2(without_choice="housing")):
        section = page.locator("[data-changes-from='1']")
        assert section.is_visible()
        assert "選択肢の削除（housing）" in section.inner_text()
        assert_accessible(page)
        if viewport:
            no_sideways_scroll(page)
        else:
            section.scroll_into_view_if_needed()
            screenshot(page, "questionnaire-changes-desk")


def test_the_preview_of_a_second_version_reads_well_on_a_desk_and_a_phone(app, open_page) -> None:
    """The rounds still open, an added required question, a ``relevant`` before and after in
    words: axe-clean, nothing scrolling sideways at 390 px."""
    from datetime import date, timedelta

    from playwright.sync_api import expect

    from hub.db import utcnow
    from hub.services.rounds import open_round
    from tests.browser.support import PHONE
    from tests.questionnaires.test_second_version import koyo

    with app.app_context():
        email = make_user(role="staff").email
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        questionnaires.import_definition(koyo(1), "協力雇用主.xlsx")
        open_round("koyo", reference_date=date(2025, 4, 1), deadline=utcnow() + timedelta(days=9))
        draft_id = questionnaires.create_draft(koyo(2), "協力雇用主_v2.xlsx", user=user).id
        db.session.commit()
    for viewport in (None, PHONE):
        page = open_page(viewport=viewport) if viewport else open_page()
        sign_in_directly(page, email)
        page.goto(f"/staff/questionnaires/drafts/{draft_id}")
        expect(page.locator("[data-open-rounds]")).to_contain_text("第1版のまま")
        expect(page.locator("[data-rule='relevant']")).to_contain_text("変更後")
        assert_accessible(page)
        if viewport:
            no_sideways_scroll(page)
        else:
            screenshot(page, "questionnaire_second_version_preview", top=True)


def test_a_calculate_is_worked_out_live_on_the_preview(app, open_page, tmp_path) -> None:
    """hub.js works a ``calculate`` out as the answers are typed, with the server's rules (a
    number to 15 digits, ``if`` giving text, a question asked on its value)."""
    from playwright.sync_api import expect

    from tests.questionnaires.test_calculate import definition

    staff = _preview_of_upload(app, open_page, tmp_path / "kenshu.xlsx", definition())
    total = staff.locator("input[name='total']")
    busy = staff.locator("input[name='busy']")
    why = staff.get_by_label("多かった理由")
    expect(total).to_have_value("0")
    expect(busy).to_have_value("no")
    expect(why).to_be_hidden()
    staff.get_by_label("参加者（男性）").fill("７")
    staff.get_by_label("参加者（女性）").fill("5")
    expect(total).to_have_value("12")
    expect(busy).to_have_value("yes")
    expect(why).to_be_visible()
    staff.get_by_label("予算（千円）").fill("100")
    expect(staff.locator("input[name='per_head']")).to_have_value("8.33")
    assert_accessible(staff)


def test_a_calculated_value_is_shown_live_as_the_server_keeps_it(app, open_page, tmp_path) -> None:
    """hub.js writes a calculation's value as the server's pages do (test_calculate.FIGURES):
    to 15 digits in a number and in a text alike (0.1 + 0.2 is 0.3), as ``round()`` rounded it,
    without an exponent."""
    from playwright.sync_api import expect

    from tests.questionnaires.test_calculate import FIGURES, figures

    staff = _preview_of_upload(app, open_page, tmp_path / "kenshu.xlsx", figures())
    for (a, b), shown in FIGURES.items():
        staff.get_by_label("数A").fill(a)
        staff.get_by_label("数B").fill(b)
        for name, value in shown.items():
            expect(staff.locator(f"input[name='{name}']")).to_have_value(value)
    # A unanswered: the sum is NaN, which a text calculate shows as nothing, as a number one
    # (forms.rules.stored_value stores nothing), never "NaN"
    staff.get_by_label("数A").fill("")
    staff.get_by_label("数B").fill("1")
    for name in FIGURES[("0.1", "0.2")]:
        expect(staff.locator(f"input[name='{name}']")).to_have_value("")


def _preview_of_upload(app, open_page, path, data: bytes):
    """A staff member's page after uploading the definition ``data`` (saved as ``path``) for
    its preview, where the form can be tried."""
    path.write_bytes(data)
    with app.app_context():
        staff_email = make_user(role="staff").email
    staff = open_page()
    sign_in(staff, staff_email)
    staff.goto(staff.url.split("/staff")[0] + "/staff/questionnaires/upload")
    staff.get_by_label("調査票の定義ファイル").set_input_files(str(path))
    staff.get_by_role("button", name="アップロードして検査").click()
    return staff
